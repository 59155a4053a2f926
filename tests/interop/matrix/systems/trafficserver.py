"""Apache Traffic Server 9.2: receives v1/v2 on a port with the `pp` option, from
`proxy.config.http.proxy_protocol_allowlist`. A private instance with its own
runroot (config copied from the package, then overridden); its custom access
log shows the client (%<chi>:%<chp>) and the PROXY source/destination
(%<pps>, %<ppd>). Logs are flushed about once a second, so every header is
sent first and the log is read once."""

from __future__ import annotations

import os
import re
import shutil
import time

from matrix import Context
from systems import common
from systems.common import Case, Verdict

TITLE = "Apache Traffic Server"
PACKAGES = ["trafficserver"]
LARGEST_ACCEPTED = 109  # measured: the largest v2 header Traffic Server 9.2 took


def run(ctx: Context) -> None:
    ctx.package_version("trafficserver")
    traffic_server = ctx.need_program("traffic_server", "trafficserver")
    if not os.path.isdir("/etc/trafficserver"):
        raise common.Skip("install trafficserver")
    ctx.cannot_test("sends", "Traffic Server 9.2 cannot send PROXY headers to origins (that came in 10.0)")
    port = ctx.free_port()
    etc = ctx.path("etc")
    shutil.copytree("/etc/trafficserver", etc)
    for d in ("run", "log", "cache"):
        os.makedirs(ctx.path(d))
    with open(os.path.join(etc, "records.config"), "a") as f:
        f.write(f"""
CONFIG proxy.config.http.server_ports STRING {port}:pp
CONFIG proxy.config.http.proxy_protocol_allowlist STRING 127.0.0.1
CONFIG proxy.config.log.max_secs_per_buffer INT 1
CONFIG proxy.config.log.logfile_dir STRING {ctx.path('log')}
CONFIG proxy.config.admin.user_id STRING trafficserver
CONFIG proxy.config.http.cache.http INT 0
CONFIG proxy.config.cache.ram_cache.size INT 1048576
CONFIG proxy.config.url_remap.remap_required INT 1
CONFIG proxy.config.exec_thread.autoconfig INT 0
CONFIG proxy.config.exec_thread.limit INT 1
""")
    ctx.write("etc/storage.config", f"{ctx.path('cache')} 16M\n")
    ctx.write("etc/logging.yaml", """logging:
  formats:
    - name: matrix
      format: 'PPSEEN src=%<chi> sport=%<chp> ppsrc=%<pps> ppdst=%<ppd> url=%<cqup> status=%<pssc>'
  logs:
    - filename: matrix
      format: matrix
      mode: ascii
""")
    ctx.write("runroot.yaml", "".join(f"{k}: {v}\n" for k, v in {
        "prefix": ctx.tmp, "exec_prefix": "/usr", "bindir": "/usr/bin", "sbindir": "/usr/sbin", "sysconfdir": etc,
        "datadir": ctx.path("cache"), "includedir": "/usr/include", "libdir": "/usr/lib/trafficserver",
        "libexecdir": "/usr/lib/trafficserver/modules", "localstatedir": ctx.tmp, "runtimedir": ctx.path("run"),
        "logdir": ctx.path("log"), "cachedir": ctx.path("cache")}.items()))
    for root, dirs, files in os.walk(ctx.tmp):
        for name in dirs + files:
            shutil.chown(os.path.join(root, name), "trafficserver", "trafficserver")
    proc = ctx.start("traffic_server", [traffic_server, f"--run-root={ctx.path('runroot.yaml')}"])
    ctx.wait_port(port, proc, timeout=60)

    small_tlvs = Case("tlvs", f"AUTHORITY, CRC32C padded to {LARGEST_ACCEPTED} bytes", ctx.build(
        "--v2", "--src", "192.0.2.1:51009", "--dst", "198.51.100.2:4439", "--authority", common.AUTHORITY, "--crc32c",
        "--pad-to", str(LARGEST_ACCEPTED), "--max-size", str(LARGEST_ACCEPTED)), "192.0.2.1", 51009)
    too_large = Case("deviation", f"{LARGEST_ACCEPTED + 1} bytes", ctx.build(
        "--v2", "--src", "192.0.2.1:51010", "--dst", "198.51.100.2:4440", "--pad-to", str(LARGEST_ACCEPTED + 1)),
        "192.0.2.1", 51010)
    cases = (common.v1_cases(ctx) + common.v2_cases(ctx) + [small_tlvs] + common.malformed_cases(ctx) +
             [too_large])
    replies = {}
    for number, case in enumerate(cases):
        replies[number] = ctx.exchange(port, case.data + common.http_get(f"/case-{number}"), timeout=5)
    log = ctx.path("log", "matrix.log")
    accepted = sum(1 for c in cases if c.feature not in ("malformed", "deviation"))
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        text = ctx.wait_file(log, "PPSEEN", 1)
        if text.count("PPSEEN") >= accepted:
            break
        time.sleep(0.2)
    time.sleep(1.2)  # one more flush, for lines of headers that should have been refused
    text = ctx.wait_file(log, "PPSEEN", 0)
    lines = {int(m.group(5)): m for m in re.finditer(
        r"PPSEEN src=(\S*) sport=(\S*) ppsrc=(\S*) ppdst=(\S*) url=case-(\d+) status=(\d+)", text)}

    def ask(case: Case) -> Verdict:
        number = cases.index(case)
        m = lines.get(number)
        if not m:
            return Verdict(False, evidence=f"no log line; answer {replies[number][:40]!r}")
        src, sport, pps, ppd = m.group(1), m.group(2), m.group(3), m.group(4)
        if pps != src:
            return Verdict(False, evidence=f"client {src} but PROXY source {pps}")
        return Verdict(True, src, int(sport), ppd, None, evidence=m.group(0))

    common.check_receiver(ctx, cases[:-1], ask, destinations=False)
    ctx.unsupported("receives", "tlvs", "Traffic Server 9.2 skips TLVs (no log field for them)")
    verdict = ask(too_large)
    ctx.check("receives", "deviation", f"refuses a valid v2 header of {LARGEST_ACCEPTED + 1} bytes "
              f"(accepts {LARGEST_ACCEPTED})", not verdict.accepted, verdict.evidence)
    if not verdict.accepted:
        ctx.note(f"refuses v2 headers longer than {LARGEST_ACCEPTED} bytes (closes the connection, logs nothing), so "
                 "a few TLVs are enough to be refused; `size_v2()` / `build_options::pad_to_size` let a sender stay "
                 "within it")
