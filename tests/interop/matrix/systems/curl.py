"""curl 7.88: sends v1 (`--haproxy-protocol`). A client: it has no receiving side."""

from __future__ import annotations

import subprocess

from matrix import Context
from systems import common

TITLE = "curl"
PACKAGES = ["curl"]


def run(ctx: Context) -> None:
    ctx.package_version("curl")
    curl = ctx.need_program("curl", "curl")
    ctx.cannot_test("receives", "curl is a client: it only sends PROXY headers")
    receiver = ctx.serve()
    for family, host, local in (("TCP4", "127.0.0.1", "127.0.0.1"),):
        local_port = ctx.free_port()
        out = subprocess.run([curl, "--silent", "--show-error", "--max-time", "10", "--haproxy-protocol",
                              "--local-port", str(local_port), f"http://{host}:{receiver.port}/curl"],
                             capture_output=True, timeout=20)
        records = receiver.records(1)
        common.expect_header(ctx, "v1", f"--haproxy-protocol ({family}): curl's own address and port, the server's",
                             records[0] if records else None, 1, local, local_port, host, receiver.port)
        ctx.check("sends", "v1", "the request after the header reached the receiver intact",
                  bool(records) and bytes.fromhex(records[0].get("rest_hex", "")).startswith(b"GET /curl HTTP/1.1\r\n")
                  and out.returncode == 0, f"curl exit {out.returncode}")
    ctx.unsupported("sends", "v2", "curl 7.88 writes only v1 (--haproxy-protocol)")
