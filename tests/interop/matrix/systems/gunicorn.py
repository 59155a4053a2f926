"""gunicorn 20.1: receives v1 (`--proxy-protocol`); it does not implement v2."""

from __future__ import annotations

import re

from matrix import Context
from systems import common
from systems.common import Case, Verdict

TITLE = "gunicorn"
PACKAGES = ["gunicorn"]
APP = '''
def application(environ, start_response):
    body = "PPSEEN src={} sport={}\\n".format(environ.get("REMOTE_ADDR"), environ.get("REMOTE_PORT")).encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
'''


def run(ctx: Context) -> None:
    ctx.package_version("gunicorn")
    gunicorn = ctx.need_program("gunicorn", "gunicorn")
    ctx.cannot_test("sends", "gunicorn is an application server: it has nothing to send PROXY headers to")
    ctx.write("matrix_app.py", APP)
    port = ctx.free_port()
    proc = ctx.start("gunicorn", [gunicorn, "--proxy-protocol", "--proxy-allow-from", "127.0.0.1",
                                  "--bind", f"127.0.0.1:{port}", "--workers", "1", "--chdir", ctx.tmp,
                                  "--error-logfile", ctx.path("error.log"), "--log-level", "debug",
                                  "matrix_app:application"])
    ctx.wait_port(port, proc)

    def ask(case: Case) -> Verdict:
        reply = ctx.exchange(port, case.data + common.http_get())
        m = re.search(rb"PPSEEN src=(\S*) sport=(\S*)", reply)
        if not m:
            status_line = reply.partition(b"\r\n")[0]
            return Verdict(False, evidence=f"answer {status_line!r}")
        return Verdict(True, m.group(1).decode(), int(m.group(2)))

    cases = common.v1_cases(ctx) + common.malformed_cases(ctx, v2=False)
    v2 = common.v2_cases(ctx, ipv6=False)[0]
    v2.feature, v2.name = "malformed", "a v2 header (not implemented), instead of misreading it"
    common.check_receiver(ctx, cases + [v2], ask)
    ctx.unsupported("receives", "v2", "gunicorn 20.1 implements v1 only (a v2 header is refused)")
    ctx.unsupported("receives", "tlvs", "v1 only: no TLVs")
