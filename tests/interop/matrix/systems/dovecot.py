"""Dovecot 2.3: receives v1/v2 on an IMAP listener with `haproxy = yes`, from
`haproxy_trusted_networks`. Its login log shows the client (rip) and local (lip) addresses."""

from __future__ import annotations

import os
import re

from matrix import Context
from systems import common
from systems.common import Case, Verdict

TITLE = "Dovecot"
PACKAGES = ["dovecot-core", "dovecot-imapd"]


def run(ctx: Context) -> None:
    ctx.package_version("dovecot-core")
    ctx.package_version("dovecot-imapd")
    dovecot = ctx.need_program("dovecot", "dovecot-core")
    ctx.cannot_test("sends", "Dovecot 2.3 cannot send PROXY headers (its proxy mode speaks IMAP ID/XCLIENT instead)")
    port = ctx.free_port()
    log = ctx.path("dovecot.log")
    for d in ("run", "state"):
        os.makedirs(ctx.path(d))
    ctx.write("dovecot.conf", f"""
base_dir = {ctx.path('run')}
state_dir = {ctx.path('state')}
log_path = {log}
info_log_path = {log}
protocols = imap
listen = 127.0.0.1
ssl = no
haproxy_trusted_networks = 127.0.0.1
auth_mechanisms = plain
disable_plaintext_auth = no
passdb {{
  driver = static
  args = nopassword=y
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={ctx.path('state')}
}}
service imap-login {{
  inet_listener imap {{
    port = {port}
    haproxy = yes
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0600
  }}
  unix_listener stats-writer {{
    mode = 0600
  }}
}}
""")
    proc = ctx.start("dovecot", [dovecot, "-F", "-c", ctx.path("dovecot.conf")])
    ctx.wait_port(port, proc)

    def ask(case: Case) -> Verdict:
        offset = ctx.log_size(log)
        reply = ctx.exchange(port, case.data, until=b"* OK", timeout=3)
        text = ctx.log_since(log, offset, "rip=", timeout=3 if b"* OK" in reply else 1)
        m = re.search(r"rip=([0-9a-f.:]+), lip=([0-9a-f.:]+)", text)
        if b"* OK" not in reply or not m:
            reason = [e.split(": ", 1)[-1] for e in text.splitlines()][-1:]
            return Verdict(False, evidence=f"answer {reply[:30]!r}; log: {' '.join(reason)[:160]}")
        return Verdict(True, m.group(1), None, m.group(2), None, evidence=m.group(0))

    cases = common.v1_cases(ctx) + common.v2_cases(ctx) + [common.tlv_case(ctx)] + common.malformed_cases(ctx)
    common.check_receiver(ctx, cases, ask, ports=False, destinations=True)
    ctx.unsupported("receives", "tlvs", "Dovecot 2.3 does not show received TLVs in its logs")
