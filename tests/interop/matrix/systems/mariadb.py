"""MariaDB 10.11 (the server for Percona / MySQL clients): receives v1/v2
(`proxy_protocol_networks`). A fresh data directory grants no remote host, so
the server answers error 1130 "Host '<address>' is not allowed to connect",
naming the client address it took from the header."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

from matrix import Context
from systems import common
from systems.common import Case, Verdict

TITLE = "MariaDB"
PACKAGES = ["mariadb-server"]


def run(ctx: Context) -> None:
    ctx.package_version("mariadb-server")
    mariadbd = ctx.need_program("mariadbd", "mariadb-server")
    install_db = ctx.need_program("mariadb-install-db", "mariadb-server")
    ctx.cannot_test("sends", "MariaDB has no outgoing connections that could carry a PROXY header")
    run_dir = ctx.path("run")
    os.makedirs(run_dir)
    shutil.chown(run_dir, "mysql", "mysql")
    subprocess.run([install_db, "--no-defaults", f"--datadir={run_dir}/data", "--user=mysql",
                    "--auth-root-authentication-method=normal", "--skip-test-db"],
                   check=True, capture_output=True, timeout=120)
    port = ctx.free_port()
    proc = ctx.start("mariadbd", [mariadbd, "--no-defaults", f"--datadir={run_dir}/data",
                                  f"--socket={run_dir}/mysqld.sock", f"--pid-file={run_dir}/mysqld.pid",
                                  f"--port={port}", "--bind-address=127.0.0.1", "--user=mysql",
                                  "--proxy-protocol-networks=127.0.0.1", "--skip-name-resolve",
                                  f"--log-error={run_dir}/error.log", "--innodb-buffer-pool-size=16M",
                                  "--skip-log-bin"])
    ctx.wait_port(port, proc, timeout=60)

    def ask(case: Case) -> Verdict:
        reply = ctx.exchange(port, case.data, timeout=5)
        m = re.search(rb"Host '([0-9a-f.:]+)' is not allowed to connect", reply)
        error = re.search(rb"\xff..#[0-9A-Z]{5}([ -~]+)", reply, re.S)
        if not m:
            return Verdict(False, evidence=f"answer: {error.group(1).decode() if error else repr(reply[-60:])}")
        return Verdict(True, m.group(1).decode(), evidence=m.group(0).decode())

    cases = common.v1_cases(ctx) + common.v2_cases(ctx) + [common.tlv_case(ctx)] + common.malformed_cases(ctx)
    common.check_receiver(ctx, cases, ask, ports=False)
    ctx.unsupported("receives", "tlvs", "MariaDB 10.11 skips TLVs")
