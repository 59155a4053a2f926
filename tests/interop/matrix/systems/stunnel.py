"""stunnel 5.68: sends v1 (`protocol = proxy` on a TLS-terminating service). It has
no receiving side for PROXY headers."""

from __future__ import annotations

from matrix import Context
from systems import common

TITLE = "stunnel"
PACKAGES = ["stunnel4"]


def run(ctx: Context) -> None:
    ctx.package_version("stunnel4")
    stunnel = ctx.need_program("stunnel4", "stunnel4")
    ctx.cannot_test("receives", "stunnel's `protocol = proxy` only writes the header to the service it connects to")
    cert, key, _ = common.make_certificate(ctx)
    receiver = ctx.serve()
    port = ctx.free_port()
    ctx.write("stunnel.conf", f"""
foreground = yes
pid = {ctx.path('stunnel.pid')}
output = {ctx.path('stunnel.log')}
debug = 5
[to_receiver]
accept = 127.0.0.1:{port}
connect = 127.0.0.1:{receiver.port}
cert = {cert}
key = {key}
protocol = proxy
""")
    proc = ctx.start("stunnel", [stunnel, ctx.path("stunnel.conf")])
    ctx.wait_port(port, proc)
    tls = common.tls_request(port, common.http_get("/stunnel"))
    records = receiver.records(1)
    common.expect_header(ctx, "v1", "protocol = proxy: the TLS client's address and port, stunnel's address",
                         records[0] if records else None, 1, "127.0.0.1", tls.local_port, "127.0.0.1", port)
    ctx.check("sends", "v1", "the decrypted request follows the header intact",
              bool(records) and bytes.fromhex(records[0].get("rest_hex", "")).startswith(b"GET /stunnel HTTP/1.0"),
              f"answer {tls.body[:40]!r}")
    ctx.unsupported("sends", "v2", "stunnel 5.68 writes only v1 (protocol = proxy)")
