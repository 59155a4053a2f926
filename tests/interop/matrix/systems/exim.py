"""Exim 4.96 (exim4-daemon-heavy): receives v1/v2 (`hosts_proxy`). The package
conflicts with postfix, so it is never installed: `apt-get download` + `dpkg -x`
unpack it into a private directory (kept between runs), and the binary runs from
there. A connect ACL refuses every client with a message naming the addresses
Exim took from the header."""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import tempfile

from matrix import Context, Skip
from systems import common
from systems.common import Case, Verdict

TITLE = "Exim"
PACKAGES = ["exim4-daemon-heavy"]
PACKAGE = "exim4-daemon-heavy"


def unpack_privately(ctx: Context) -> tuple[str, str]:
    """(path of the exim4 binary, package version), downloading and unpacking once."""
    root = os.path.join(ctx.cache, PACKAGE)
    binary = os.path.join(root, "usr/sbin/exim4")
    version_file = os.path.join(root, "VERSION")
    if not (os.access(binary, os.X_OK) and os.path.exists(version_file)):
        shutil.rmtree(root, ignore_errors=True)
        download = tempfile.mkdtemp(prefix="exim-download-")
        try:
            out = subprocess.run(["apt-get", "download", "-qq", PACKAGE], cwd=download, capture_output=True,
                                 text=True, timeout=180)
            debs = glob.glob(os.path.join(download, "*.deb"))
            if out.returncode != 0 or not debs:
                raise Skip(f"install {PACKAGE} (apt-get download failed: {out.stderr.strip()[-200:]})")
            os.makedirs(root)
            subprocess.run(["dpkg-deb", "-x", debs[0], root], check=True, timeout=60)
            version = subprocess.run(["dpkg-deb", "-f", debs[0], "Version"], capture_output=True, text=True,
                                     check=True).stdout.strip()
            with open(version_file, "w") as f:
                f.write(version + "\n")
        finally:
            shutil.rmtree(download, ignore_errors=True)
    missing = [line for line in subprocess.run(["ldd", binary], capture_output=True, text=True).stdout.splitlines()
               if "not found" in line]
    if missing:
        raise Skip(f"install the libraries exim4 needs ({'; '.join(m.split()[0] for m in missing)}): "
                   "scripts/install-deps.sh systems")
    with open(version_file) as f:
        return binary, f.read().strip()


def run(ctx: Context) -> None:
    if not shutil.which("apt-get") and not os.path.exists(os.path.join(ctx.cache, PACKAGE)):
        raise Skip(f"install {PACKAGE}")
    exim, version = unpack_privately(ctx)
    ctx.versions[PACKAGE] = version
    ctx.cannot_test("sends", "Exim's SMTP transport cannot send PROXY headers")
    # The Debian binary looks up its compiled-in user before reading any configuration.
    ctx.temporary_system_user("Debian-exim")
    port = ctx.free_port()
    for d in ("spool", "log"):
        os.makedirs(ctx.path(d))
        shutil.chown(ctx.path(d), "mail", "mail")
    ctx.write("exim.conf", f"""
primary_hostname = matrix.test
exim_user = mail
exim_group = mail
never_users =
spool_directory = {ctx.path('spool')}
log_file_path = {ctx.path('log')}/%slog
pid_file_path = {ctx.path('exim.pid')}
local_interfaces = <; 127.0.0.1
hosts_proxy = 127.0.0.1
host_lookup =
rfc1413_hosts =
tls_advertise_hosts =
smtp_banner = PPSEEN src=$sender_host_address sport=$sender_host_port \\
              dst=$proxy_external_address dport=$proxy_external_port
acl_smtp_helo = accept_helo
begin acl
accept_helo:
  accept
""")
    proc = ctx.start("exim", [exim, "-C", ctx.path("exim.conf"), "-bdf", "-oX", str(port)])
    ctx.wait_port(port, proc)
    mainlog = ctx.path("log/mainlog")

    def ask(case: Case) -> Verdict:
        offset = ctx.log_size(mainlog)
        reply = ctx.exchange(port, case.data, until=(b"\r\n250", b"\r\n5"), timeout=5, after=[b"HELO matrix.test\r\n"])
        m = re.search(rb"^220 PPSEEN src=(\S*) sport=(\S*) dst=(\S*) dport=(\S*)", reply)
        if not m or b"\r\n250 " not in reply:
            return Verdict(False, evidence=f"answer {reply[:200]!r}")
        src, sport, dst, dport = (g.decode() for g in m.groups())
        return Verdict(True, src, int(sport), dst, int(dport), evidence=reply.strip().decode())

    cases = common.v1_cases(ctx) + common.v2_cases(ctx) + [common.tlv_case(ctx)] + common.malformed_cases(ctx)
    common.check_receiver(ctx, cases, ask, destinations=True)
    ctx.unsupported("receives", "tlvs", "Exim 4.96 skips TLVs")

    # Spec 2.1/2.2: a receiver aborts the connection on a bad header. Exim keeps it
    # open under the proxy's own address and refuses the SMTP commands instead.
    bad = common.malformed_cases(ctx, v2=False)[0]
    reply = ctx.exchange(port, bad.data, until=(b"\r\n250", b"\r\n5"), timeout=5, after=[b"HELO matrix.test\r\n"])
    kept_open = b"220 PPSEEN src=127.0.0.1 " in reply and b"503 Command refused, required Proxy negotiation failed" in reply
    ctx.check("receives", "deviation", "on a malformed header: greets with the proxy's own address, then refuses "
              "commands with 503", kept_open, repr(reply[:160]))
    if kept_open:
        ctx.note("on a malformed header does not close the connection: it greets under the proxy's own address and "
                 "answers every command with `503 Command refused, required Proxy negotiation failed`")
