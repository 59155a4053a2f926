#!/usr/bin/env python3
"""Interop matrix: run one real system against this library and record what happened.

    matrix.py SYSTEM --pp-tool PATH --results DIR [--keep] [--verbose]

SYSTEM is a module in systems/ (haproxy, nginx, ...). The module starts the
system as a private instance (temp dir, its own config, ports picked at run
time, loopback only), sends it headers built by pp_tool (our builder) when it
receives PROXY headers, decodes with pp_tool what it sends when it sends them,
and records every check. Every process it started is stopped by its PID when
the run ends, also on failure, timeout or SIGTERM.

Results go to DIR/SYSTEM.json (read by tools/gen_interop_matrix.py).
Exit status: 0 all checks passed, 1 a check failed, 77 skipped (the system's
package is not installed: "skipped: install PACKAGE").
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

SKIP_EXIT = 77
HERE = os.path.dirname(os.path.abspath(__file__))

# Documentation addresses (RFC 5737 / RFC 3849): never routed, so a receiver
# that reports them can only have taken them from our header.
SRC4, DST4 = "192.0.2.1", "198.51.100.2"
SRC6, DST6 = "2001:db8::1", "2001:db8::2"


class Skip(Exception):
    """The system cannot be tested here (its package is missing)."""


class Context:
    """What a system module gets: a temp dir, process control, our builder/decoder, and the result log."""

    def __init__(self, system: str, pp_tool: str, verbose: bool, keep: bool):
        self.system = system
        self.pp_tool = pp_tool
        self.verbose = verbose
        self.keep = keep
        self.tmp = tempfile.mkdtemp(prefix=f"pp-matrix-{system}-")
        os.chmod(self.tmp, 0o755)  # daemons that drop privileges must reach their files
        self.processes: list[tuple[str, subprocess.Popen]] = []
        self.checks: list[dict] = []
        self.notes: list[str] = []
        self.not_tested: dict[str, str] = {}
        self.versions: dict[str, str] = {}
        self.cleanups: list = []  # undo steps (a temporary system user, ...), run after the processes stop
        self.cache = ""  # a directory kept between runs (set by main: next to the results)

    # ---- results -------------------------------------------------------
    def check(self, direction: str, feature: str, name: str, ok: bool, detail: str = "") -> bool:
        """Records one check. direction: sends|receives; feature: v1|v2|tlvs|malformed|deviation."""
        self.checks.append({"direction": direction, "feature": feature, "name": name,
                            "result": "pass" if ok else "fail", "detail": detail})
        print(f"{'PASS' if ok else 'FAIL'} [{direction} {feature}] {name}" + (f": {detail}" if detail else ""),
              flush=True)
        return ok

    def unsupported(self, direction: str, feature: str, reason: str) -> None:
        """The system does not do this (documented, and where possible shown by a check)."""
        self.checks.append({"direction": direction, "feature": feature, "name": reason,
                            "result": "unsupported", "detail": reason})
        print(f"N/A  [{direction} {feature}] {reason}", flush=True)

    def note(self, text: str) -> None:
        """A deviation from the spec that a check in this run demonstrated."""
        self.notes.append(text)

    def cannot_test(self, direction: str, reason: str) -> None:
        self.not_tested[direction] = reason

    def package_version(self, package: str) -> str:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Status}|${Version}", package],
                             capture_output=True, text=True)
        status, _, version = out.stdout.partition("|")
        if out.returncode != 0 or "install ok installed" not in status:
            raise Skip(f"install {package}")
        self.versions[package] = version
        return version

    def need_program(self, program: str, package: str) -> str:
        path = shutil.which(program) or next(
            (p for p in (f"/usr/sbin/{program}", f"/usr/bin/{program}") if os.access(p, os.X_OK)), None)
        if not path:
            raise Skip(f"install {package}")
        return path

    # ---- our library, through pp_tool ------------------------------------
    def build(self, *args: str) -> bytes:
        out = subprocess.run([self.pp_tool, "build", *args], capture_output=True, timeout=10)
        if out.returncode != 0:
            raise RuntimeError(f"pp_tool build {' '.join(args)}: {out.stderr.decode(errors='replace')}")
        return out.stdout

    def build_size(self, *args: str) -> tuple[int, str]:
        """(exit code, stderr) of a build, for the size-limit checks."""
        out = subprocess.run([self.pp_tool, "build", *args], capture_output=True, timeout=10)
        return out.returncode, out.stderr.decode(errors="replace")

    def decode(self, data: bytes, *options: str) -> dict:
        out = subprocess.run([self.pp_tool, "decode", *options], input=data, capture_output=True, timeout=10)
        return json.loads(out.stdout)

    def serve(self, *options: str, bind: str = "127.0.0.1") -> "Receiver":
        """Our test receiver (pp_tool serve): decodes each connection's header into a JSON line."""
        return Receiver(self, bind, options)

    # ---- processes -------------------------------------------------------
    def path(self, *parts: str) -> str:
        return os.path.join(self.tmp, *parts)

    def write(self, name: str, text: str, mode: int = 0o644) -> str:
        p = self.path(name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)
        os.chmod(p, mode)
        return p

    def start(self, name: str, argv: list[str], env: dict | None = None, cwd: str | None = None) -> subprocess.Popen:
        """Starts a process in its own process group (pgid == its PID), output to NAME.out."""
        out = open(self.path(f"{name}.out"), "ab")
        full_env = dict(os.environ)
        full_env.update(env or {})
        if self.verbose:
            print(f"start {name}: {' '.join(argv)}", flush=True)
        p = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             env=full_env, cwd=cwd or self.tmp, start_new_session=True)
        self.processes.append((name, p))
        return p

    def stop(self, p: subprocess.Popen, grace: float = 5.0) -> None:
        """SIGTERM to the process group we created (pgid == PID), SIGKILL after `grace` seconds."""
        if p.poll() is not None:
            self._kill_group(p.pid, signal.SIGKILL)  # leftover children of an exited leader
            return
        self._kill_group(p.pid, signal.SIGTERM)
        try:
            p.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self._kill_group(p.pid, signal.SIGKILL)
            p.wait(timeout=5)
        self._kill_group(p.pid, signal.SIGKILL)

    @staticmethod
    def _kill_group(pgid: int, sig: int) -> None:
        try:
            os.killpg(pgid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def stop_all(self) -> None:
        for _, p in reversed(self.processes):
            self.stop(p)
        self.processes.clear()
        for undo in reversed(self.cleanups):
            try:
                undo()
            except Exception as e:  # noqa: BLE001 - report, then go on undoing the rest
                print(f"cleanup failed: {e}", flush=True)
        self.cleanups.clear()

    def temporary_system_user(self, name: str) -> None:
        """Creates system user and group `name` for this run when missing (some daemons look
        up a compiled-in user at start), and deletes them when the run ends."""
        if subprocess.run(["getent", "passwd", name], capture_output=True).returncode == 0:
            return
        subprocess.run(["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell",
                        "/usr/sbin/nologin", "--user-group", name], check=True, capture_output=True, timeout=30)
        self.cleanups.append(lambda: subprocess.run(["userdel", name], check=True, capture_output=True, timeout=30))

    def output(self, name: str) -> str:
        try:
            with open(self.path(f"{name}.out"), errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    @staticmethod
    def free_port(host: str = "127.0.0.1") -> int:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.bind((host, 0))
            return s.getsockname()[1]

    def wait_port(self, port: int, proc: subprocess.Popen | None = None, host: str = "127.0.0.1",
                  timeout: float = 30.0) -> None:
        """Waits until a socket listens on `port`, read from /proc/net/tcp{,6}: no probe
        connection is made, so a proxy under test never relays a connection of ours."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc is not None and proc.poll() is not None:
                name = next((n for n, q in self.processes if q is proc), "?")
                raise RuntimeError(f"{name} exited with {proc.returncode}:\n{self.output(name)[-3000:]}")
            if port in listening_ports():
                return
            time.sleep(0.05)
        raise RuntimeError(f"nothing listens on {host}:{port} after {timeout}s")

    def log_size(self, path: str) -> int:
        try:
            return os.path.getsize(path)
        except FileNotFoundError:
            return 0

    def log_since(self, path: str, offset: int, needle: str | None = None, timeout: float = 1.0) -> str:
        """What `path` gained after `offset`; waits up to `timeout` for `needle` (or any text)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                with open(path, "rb") as f:
                    f.seek(offset)
                    text = f.read().decode(errors="replace")
            except FileNotFoundError:
                text = ""
            if (needle in text if needle else text) or time.monotonic() >= deadline:
                return text
            time.sleep(0.05)

    def wait_file(self, path: str, needle: str, timeout: float = 5.0) -> str:
        """Content of `path` once it holds `needle` (or whatever it holds after `timeout`)."""
        deadline = time.monotonic() + timeout
        text = ""
        while True:
            try:
                with open(path, errors="replace") as f:
                    text = f.read()
            except FileNotFoundError:
                text = ""
            if needle in text or time.monotonic() >= deadline:
                return text
            time.sleep(0.1)

    # ---- talking to a receiver ------------------------------------------
    @staticmethod
    def exchange(port: int, data: bytes, host: str = "127.0.0.1", timeout: float = 5.0,
                 until: bytes | tuple[bytes, ...] | None = None, after: list[bytes] | None = None) -> bytes:
        """Connects, sends `data` (the header and what follows) in one write, then reads
        the answer until the peer closes, `until` (or one of them) appears, or `timeout`. With
        `after`, each further chunk is sent once an answer line arrived."""
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        reply = b""
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.settimeout(timeout)
            s.connect((host, port))
            s.sendall(data)
            deadline = time.monotonic() + timeout
            pending = list(after or [])
            try:
                while time.monotonic() < deadline:
                    s.settimeout(max(0.05, deadline - time.monotonic()))
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    reply += chunk
                    if until is not None and any(u in reply for u in ((until,) if isinstance(until, bytes) else until)):
                        break
                    if pending and reply.endswith(b"\n"):
                        s.sendall(pending.pop(0))
            except (socket.timeout, ConnectionResetError, BrokenPipeError):
                pass
        return reply


def listening_ports() -> set[int]:
    """Local ports of TCP sockets in LISTEN state (IPv4 and IPv6)."""
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    if fields[3] == "0A":
                        ports.add(int(fields[1].rsplit(":", 1)[1], 16))
        except FileNotFoundError:
            pass
    return ports


class Receiver:
    """pp_tool serve as a process: its port and the JSON lines it decoded."""

    def __init__(self, ctx: Context, bind: str, options: tuple[str, ...]):
        n = sum(1 for name, _ in ctx.processes if name.startswith("pp_tool_serve"))
        self.name = f"pp_tool_serve{n}"
        self.log = ctx.path(f"{self.name}.jsonl")
        port_file = ctx.path(f"{self.name}.port")
        self.process = ctx.start(self.name, [ctx.pp_tool, "serve", "--port-file", port_file, "--log", self.log,
                                             "--bind", bind, "--idle-timeout", "120", *options])
        deadline = time.monotonic() + 10
        while not os.path.exists(port_file):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"pp_tool serve did not start: {ctx.output(self.name)}")
            time.sleep(0.02)
        with open(port_file) as f:
            self.port = int(f.read())

    def records(self, at_least: int = 1, timeout: float = 5.0) -> list[dict]:
        deadline = time.monotonic() + timeout
        while True:
            lines = []
            if os.path.exists(self.log):
                with open(self.log) as f:
                    lines = [json.loads(line) for line in f if line.strip()]
            if len(lines) >= at_least or time.monotonic() >= deadline:
                return lines
            time.sleep(0.05)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("system")
    parser.add_argument("--pp-tool", required=True)
    parser.add_argument("--results", required=True)
    parser.add_argument("--keep", action="store_true", help="keep the temp dir")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()

    sys.path.insert(0, HERE)
    module = importlib.import_module(f"systems.{args.system}")
    ctx = Context(args.system, os.path.abspath(args.pp_tool), args.verbose, args.keep)
    ctx.cache = os.path.join(os.path.dirname(os.path.abspath(args.results)), "interop-matrix-cache")
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    started = time.monotonic()
    status, reason = "passed", ""
    try:
        module.run(ctx)
        if any(c["result"] == "fail" for c in ctx.checks):
            status = "failed"
        elif not any(c["result"] == "pass" for c in ctx.checks):
            status, reason = "failed", "no check ran"
    except Skip as e:
        status, reason = "skipped", str(e)
        print(f"skipped: {reason}", flush=True)
    except (Exception, KeyboardInterrupt) as e:  # noqa: BLE001 - any error is a failed run, with its trace
        status, reason = "failed", f"{type(e).__name__}: {e}"
        traceback.print_exc()
    finally:
        ctx.stop_all()
        if status == "failed" or args.verbose:
            for name in sorted(os.listdir(ctx.tmp)):
                if name.endswith((".out", ".log", ".jsonl")) and os.path.isfile(ctx.path(name)):
                    print(f"--- {name} (last lines)")
                    print(ctx.output(name[:-4])[-2000:] if name.endswith(".out") else
                          open(ctx.path(name), errors="replace").read()[-2000:])
        if args.keep:
            print(f"kept: {ctx.tmp}")
        else:
            shutil.rmtree(ctx.tmp, ignore_errors=True)

    os.makedirs(args.results, exist_ok=True)
    result = {
        "system": args.system,
        "title": getattr(module, "TITLE", args.system),
        "packages": getattr(module, "PACKAGES", []),
        "versions": ctx.versions,
        "status": status,
        "reason": reason,
        "checks": ctx.checks,
        "notes": ctx.notes,
        "not_tested": ctx.not_tested,
        "duration_s": round(time.monotonic() - started, 1),
    }
    with open(os.path.join(args.results, f"{args.system}.json"), "w") as f:
        json.dump(result, f, indent=1)
    passed = sum(c["result"] == "pass" for c in ctx.checks)
    failed = sum(c["result"] == "fail" for c in ctx.checks)
    print(f"{args.system}: {status} ({passed} checks passed, {failed} failed) in {result['duration_s']}s")
    return {"passed": 0, "skipped": SKIP_EXIT}.get(status, 1)


if __name__ == "__main__":
    sys.exit(main())
