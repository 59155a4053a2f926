"""Apache httpd 2.4 (mod_remoteip): receives v1/v2 (`RemoteIPProxyProtocol On`).
mod_remoteip exposes the source address and port, not the destination or TLVs."""

from __future__ import annotations

import re

from matrix import SRC4, DST4, Context
from systems import common
from systems.common import Case, Verdict

TITLE = "Apache httpd"
PACKAGES = ["apache2"]
MODULES = "/usr/lib/apache2/modules"
APACHE_V2_LIMIT = 232  # 16 fixed bytes + 216, the largest (UNIX) address block


def run(ctx: Context) -> None:
    ctx.package_version("apache2")
    apache = ctx.need_program("apache2", "apache2")
    ctx.cannot_test("sends", "mod_proxy in Apache httpd 2.4 cannot send PROXY headers to a backend")
    port = ctx.free_port()
    ctx.write("www/index.html", "ok apache\n")
    ctx.write("httpd.conf", f"""
ServerRoot "{ctx.tmp}"
ServerName matrix.test
PidFile {ctx.path('httpd.pid')}
DefaultRuntimeDir {ctx.tmp}
Mutex file:{ctx.tmp} default
Listen 127.0.0.1:{port}
LoadModule mpm_prefork_module {MODULES}/mod_mpm_prefork.so
LoadModule authz_core_module {MODULES}/mod_authz_core.so
LoadModule remoteip_module {MODULES}/mod_remoteip.so
User www-data
Group www-data
ErrorLog {ctx.path('error.log')}
LogLevel warn remoteip:debug
LogFormat "PPSEEN src=%a sport=%{{remote}}p peer=%{{c}}a status=%>s" matrix
CustomLog {ctx.path('access.log')} matrix
RemoteIPProxyProtocol On
Timeout 3
DocumentRoot {ctx.path('www')}
<Directory {ctx.path('www')}>
    Require all granted
</Directory>
""")
    proc = ctx.start("apache2", [apache, "-X", "-f", ctx.path("httpd.conf")])
    ctx.wait_port(port, proc)

    def ask(case: Case) -> Verdict:
        access, errors = ctx.log_size(ctx.path("access.log")), ctx.log_size(ctx.path("error.log"))
        reply = ctx.exchange(port, case.data + common.http_get("/index.html"))
        line = ctx.log_since(ctx.path("access.log"), access, "PPSEEN", timeout=0.5 if not reply else 2)
        m = re.search(r"PPSEEN src=(\S*) sport=(\S*) peer=(\S*) status=200", line)
        if not m or b"ok apache" not in reply:
            error = ctx.log_since(ctx.path("error.log"), errors, "remoteip:error")
            reason = [e.split("] ", 3)[-1] for e in error.splitlines() if "remoteip:error" in e][-1:]
            return Verdict(False, evidence=f"answer {reply[:40]!r}; error.log: {' '.join(reason)[:160]}")
        return Verdict(True, m.group(1), int(m.group(2)), evidence=line.strip())

    limit_case = Case("tlvs", f"AUTHORITY, UNIQUE_ID, CRC32C padded to {APACHE_V2_LIMIT} bytes", ctx.build(
        "--v2", "--src", f"{SRC4}:51011", "--dst", f"{DST4}:4441", "--authority", common.AUTHORITY, "--unique-id",
        common.UNIQUE_ID, "--crc32c", "--pad-to", str(APACHE_V2_LIMIT), "--max-size", str(APACHE_V2_LIMIT)),
        SRC4, 51011)
    cases = common.v1_cases(ctx) + common.v2_cases(ctx) + [limit_case] + common.malformed_cases(ctx)
    common.check_receiver(ctx, cases, ask)
    ctx.unsupported("receives", "tlvs", "mod_remoteip skips TLVs and exposes none")

    over = Case("v2", "233 bytes", ctx.build("--v2", "--src", f"{SRC4}:51012", "--dst", f"{DST4}:4442",
                                            "--pad-to", str(APACHE_V2_LIMIT + 1)), SRC4, 51012)
    verdict = ask(over)
    ctx.check("receives", "deviation", f"refuses a valid v2 header of {APACHE_V2_LIMIT + 1} bytes",
              not verdict.accepted and "too long" in verdict.evidence, verdict.evidence)
    code, message = ctx.build_size("--v2", "--src", f"{SRC4}:1", "--dst", f"{DST4}:2", "--authority", "a" * 250,
                                   "--max-size", str(APACHE_V2_LIMIT))
    ctx.check("receives", "deviation", f"our builder refuses, before writing, a header over --max-size "
              f"{APACHE_V2_LIMIT} (size_v2)", code == 3 and "over --max-size" in message, message.strip())
    if not verdict.accepted:
        ctx.note(f"refuses v2 headers longer than {APACHE_V2_LIMIT} bytes (\"header length too long\"), valid or "
                 f"not: keep TLVs small and check `size_v2()` before sending (pp_tool `--max-size {APACHE_V2_LIMIT}`)")
