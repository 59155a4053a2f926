"""Postfix 3.7: smtpd receives v1/v2 (`smtpd_upstream_proxy_protocol = haproxy`).
A private master with its own queue and config directory; smtpd rejects every
client at connect, and its 554 answer and its log name the client it saw."""

from __future__ import annotations

import os
import re
import shutil

from matrix import Context
from systems import common
from systems.common import Case, Verdict

TITLE = "Postfix"
PACKAGES = ["postfix"]


def run(ctx: Context) -> None:
    ctx.package_version("postfix")
    master = "/usr/lib/postfix/sbin/master"
    if not os.access(master, os.X_OK):
        raise common.Skip("install postfix")
    ctx.cannot_test("sends", "Postfix's SMTP client cannot send PROXY headers")
    port = ctx.free_port()
    for d in ("conf", "queue/pid", "queue/private", "queue/public", "data"):
        os.makedirs(ctx.path(d))
    shutil.chown(ctx.path("queue/private"), "postfix")
    os.chmod(ctx.path("queue/private"), 0o700)
    shutil.chown(ctx.path("queue/public"), "postfix", "postdrop")
    os.chmod(ctx.path("queue/public"), 0o710)
    shutil.chown(ctx.path("data"), "postfix")
    ctx.write("conf/main.cf", f"""
compatibility_level = 3.6
queue_directory = {ctx.path('queue')}
data_directory = {ctx.path('data')}
daemon_directory = /usr/lib/postfix/sbin
shlib_directory = /usr/lib/postfix
command_directory = /usr/sbin
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = 127.0.0.1
inet_protocols = all
myhostname = matrix.test
mydestination =
alias_maps =
alias_database =
smtpd_upstream_proxy_protocol = haproxy
smtpd_upstream_proxy_timeout = 3s
smtpd_peername_lookup = no
smtpd_client_port_logging = yes
smtpd_delay_reject = no
smtpd_client_restrictions = reject
maillog_file = /dev/stdout
maillog_file_prefixes = /dev/stdout
""")
    ctx.write("conf/master.cf", f"""
127.0.0.1:{port} inet n - n - - smtpd
postlog unix-dgram n - n - 1 postlogd
proxymap unix - - n - - proxymap
anvil unix - - n - 1 anvil
""")
    proc = ctx.start("postfix", [master, "-c", ctx.path("conf"), "-d"])
    ctx.wait_port(port, proc)
    log = ctx.path("postfix.out")

    def ask(case: Case) -> Verdict:
        offset = ctx.log_size(log)
        reply = ctx.exchange(port, case.data, until=b"\r\n", timeout=5)
        answer = re.search(rb"^554 5\.7\.1 <unknown\[([0-9a-f.:]+)\]:(\d+)>: Client host rejected", reply)
        if not answer:
            text = ctx.log_since(log, offset, "haproxy", timeout=1)
            reason = [line.split(": ", 1)[-1] for line in text.splitlines() if "haproxy" in line]
            return Verdict(False, evidence=f"answer {reply[:40]!r}; log: {' '.join(reason[-1:])[:160]}")
        address, port_text = answer.group(1).decode(), answer.group(2).decode()
        needle = f"connect from unknown[{address}]:{port_text}"
        if needle not in ctx.log_since(log, offset, needle, timeout=2):
            return Verdict(False, evidence=f"answered {reply.strip()!r} but the log lacks '{needle}'")
        return Verdict(True, address, int(port_text), evidence=reply.strip().decode())

    cases = common.v1_cases(ctx) + common.v2_cases(ctx) + [common.tlv_case(ctx)] + common.malformed_cases(ctx)
    common.check_receiver(ctx, cases, ask)
    ctx.unsupported("receives", "tlvs", "Postfix skips TLVs")
