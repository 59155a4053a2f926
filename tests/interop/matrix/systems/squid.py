"""Squid 5.7: receives v1/v2 (`http_port ... require-proxy-header` + `proxy_protocol_access`).
The access log shows the client address and port Squid took from the header."""

from __future__ import annotations

import os
import re
import shutil

from matrix import Context
from systems import common
from systems.common import Case, Verdict

TITLE = "Squid"
PACKAGES = ["squid"]


def run(ctx: Context) -> None:
    ctx.package_version("squid")
    squid = ctx.need_program("squid", "squid")
    ctx.cannot_test("sends", "Squid 5.7 cannot send PROXY headers to peers or origin servers")
    port = ctx.free_port()
    logs = ctx.path("logs")
    os.makedirs(logs)
    shutil.chown(logs, "proxy", "proxy")
    ctx.write("squid.conf", f"""
http_port 127.0.0.1:{port} require-proxy-header
acl from_loopback src 127.0.0.1
proxy_protocol_access allow from_loopback
proxy_protocol_access deny all
http_access deny all
logformat matrix PPSEEN src=%>a sport=%>p status=%>Hs
access_log stdio:{logs}/access.log matrix
cache_log {logs}/cache.log
cache_store_log none
pid_filename {logs}/squid.pid
cache_effective_user proxy
cache deny all
cache_mem 8 MB
netdb_filename none
coredump_dir {logs}
shutdown_lifetime 0 seconds
dns_nameservers 127.0.0.1
""")
    proc = ctx.start("squid", [squid, "-N", "-f", ctx.path("squid.conf")])
    ctx.wait_port(port, proc)
    access = os.path.join(logs, "access.log")

    def ask(case: Case) -> Verdict:
        offset = ctx.log_size(access)
        cache_offset = ctx.log_size(os.path.join(logs, "cache.log"))
        reply = ctx.exchange(port, case.data + b"GET http://matrix.test/ HTTP/1.0\r\n\r\n")
        line = ctx.log_since(access, offset, "PPSEEN", timeout=2 if reply else 0.5)
        m = re.search(r"PPSEEN src=(\S*) sport=(\S*) status=403", line)
        if not m:
            errors = ctx.log_since(os.path.join(logs, "cache.log"), cache_offset, "PROXY", timeout=0.5)
            reason = [e for e in errors.splitlines() if "PROXY" in e or "proxy" in e][-1:]
            return Verdict(False, evidence=f"answer {reply[:30]!r}; cache.log: {' '.join(reason)[:160]}")
        return Verdict(True, m.group(1), int(m.group(2)), evidence=line.strip())

    cases = common.v1_cases(ctx) + common.v2_cases(ctx) + [common.tlv_case(ctx)] + common.malformed_cases(ctx)
    common.check_receiver(ctx, cases, ask)
    ctx.unsupported("receives", "tlvs", "Squid 5.7 skips TLVs (no logformat code for them)")
