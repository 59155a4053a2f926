"""Helpers for the example tests (Python 3 standard library only).

* PROXY header builders and a CRC32C written here, independently of the
  C++ library, so that the examples are checked against a second opinion;
* example processes (servers, ppsend) that are always stopped by their PID,
  also on errors, time-outs and signals, with their output lines collected;
* the `key=value` lines the example servers print, as dicts;
* a tiny check collector: PASS/FAIL lines, exit status 1 on any failure.
"""

import ipaddress
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

# ---------------------------------------------------------------- headers

V2_SIGNATURE = b"\r\n\r\n\x00\r\nQUIT\n"


def _crc32c_table():
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ (0x82F63B78 if c & 1 else 0)
        table.append(c)
    return table


_CRC_TABLE = _crc32c_table()


def crc32c(data):
    """CRC32C (Castagnoli), as RFC 3720 B.4; crc32c(b"123456789") == 0xE3069283."""
    c = 0xFFFFFFFF
    for b in data:
        c = (c >> 8) ^ _CRC_TABLE[(c ^ b) & 0xFF]
    return c ^ 0xFFFFFFFF


def v1(src, dst):
    """`PROXY TCP4|TCP6 src dst sport dport\\r\\n` for (address, port) pairs."""
    six = ":" in src[0]
    return ("PROXY %s %s %s %d %d\r\n" % ("TCP6" if six else "TCP4", src[0], dst[0], src[1], dst[1])).encode()


V1_UNKNOWN = b"PROXY UNKNOWN\r\n"


def tlv(type_, value):
    return bytes([type_]) + len(value).to_bytes(2, "big") + value


def ssl_value(client, verify, subs):
    """Value of an SSL TLV: client byte, verify (4 bytes), then sub-TLVs [(type, bytes)]."""
    return bytes([client]) + verify.to_bytes(4, "big") + b"".join(tlv(t, v) for t, v in subs)


def _packed(address, six):
    a = ipaddress.ip_address(address)
    if six and a.version == 4:
        a = ipaddress.IPv6Address("::ffff:" + str(a))
    return a.packed


def v2(src=None, dst=None, command=1, transport=1, tlvs=(), family=None):
    """A v2 header. `src`/`dst` are (address, port) or None (UNSPEC). `tlvs`
    is [(type, bytes)], in order; a (3, None) entry is a CRC32C TLV whose value
    is computed over the finished header."""
    if src is None:
        fam, block = 0x00, b""
    else:
        six = ":" in src[0] or ":" in dst[0]
        fam = (0x20 if six else 0x10) | transport
        block = _packed(src[0], six) + _packed(dst[0], six) + src[1].to_bytes(2, "big") + dst[1].to_bytes(2, "big")
    if family is not None:
        fam = family
    body = block
    crc_offset = None
    for t, v in tlvs:
        if t == 3 and v is None:
            crc_offset = 16 + len(body) + 3
            v = b"\0\0\0\0"
        body += tlv(t, v)
    header = bytearray(V2_SIGNATURE + bytes([0x20 | command, fam]) + len(body).to_bytes(2, "big") + body)
    if crc_offset is not None:
        header[crc_offset:crc_offset + 4] = crc32c(bytes(header)).to_bytes(4, "big")
    return bytes(header)


def tlv_list_text(tlvs, header=None):
    """The `tlvs=` value the example servers print: `01:6832,02:...` or `-`.
    CRC placeholders take their value from `header`."""
    parts = []
    for t, v in tlvs:
        if t == 3 and v is None:
            v = crc_value(header)
        parts.append("%02x:%s" % (t, v.hex()))
    return ",".join(parts) or "-"


def crc_value(header):
    """The stored CRC32C value of a v2 header built by v2() (first CRC TLV)."""
    fam = header[13]
    offset = 16 + {0x00: 0, 0x11: 12, 0x12: 12, 0x21: 36, 0x22: 36}[fam]
    end = 16 + int.from_bytes(header[14:16], "big")
    while offset < end:
        t, n = header[offset], int.from_bytes(header[offset + 1:offset + 3], "big")
        if t == 3:
            return header[offset + 3:offset + 3 + n]
        offset += 3 + n
    raise ValueError("no CRC32C TLV")


def address_text(address):
    """RFC 5952 text, as the library prints it (`::ffff:a.b.c.d` for IPv4-mapped)."""
    a = ipaddress.ip_address(address)
    if a.version == 6 and a.ipv4_mapped is not None:
        return "::ffff:%s" % a.ipv4_mapped
    return a.compressed


def endpoint_text(address, port):
    text = address_text(address)
    return ("[%s]:%d" if ":" in text else "%s:%d") % (text, port)


def escaped(data):
    """The servers' escaping of text values (see examples/support.hpp)."""
    out = ""
    for c in data:
        if 0x20 < c < 0x7F and chr(c) not in '\\"=,':
            out += chr(c)
        else:
            out += "\\x%02x" % c
    return out or "-"


# ---------------------------------------------------------------- output lines

def fields(line):
    """`word k=v k=v` -> {"event": word, k: v, ...}."""
    words = line.split(" ")
    out = {"event": words[0]}
    for w in words[1:]:
        k, _, v = w.partition("=")
        out[k] = v
    return out


# ---------------------------------------------------------------- processes

_RUNNING = []
_STARTED = []  # every process, for the output dump after a failure


def _stop_all(*_):
    for p in list(_RUNNING):
        p.stop()


def _on_signal(signum, _frame):
    _stop_all()
    sys.exit(128 + signum)


for _s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(_s, _on_signal)


class ExampleProcess:
    """A process whose stdout lines are collected; stopped by PID, always."""

    def __init__(self, argv, name=None, stdin=subprocess.DEVNULL):
        self.name = name or os.path.basename(argv[0])
        self.argv = argv
        self.lines = []
        self.stdout_done = False
        self.cond = threading.Condition()
        self.p = subprocess.Popen(argv, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.pid = self.p.pid
        _RUNNING.append(self)
        _STARTED.append(self)
        self.stderr = b""
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    def _read_stdout(self):
        for raw in self.p.stdout:
            with self.cond:
                self.lines.append(raw.decode("utf-8", "replace").rstrip("\n"))
                self.cond.notify_all()
        with self.cond:
            self.stdout_done = True
            self.cond.notify_all()

    def _read_stderr(self):
        self.stderr = self.p.stderr.read()

    def wait_line(self, predicate, timeout=10.0, after=0):
        """The first line (from index `after`) whose fields satisfy `predicate`, or None."""
        end = time.monotonic() + timeout
        with self.cond:
            while True:
                for line in self.lines[after:]:
                    f = fields(line)
                    if predicate(f):
                        return f
                left = end - time.monotonic()
                if left <= 0 or self.stdout_done:
                    return None
                self.cond.wait(min(left, 0.1))

    def listening(self, timeout=10.0):
        """(host, port) from the server's first line `listening PROTO ADDR:PORT ...`."""
        f = self.wait_line(lambda f: f["event"] == "listening", timeout)
        if f is None:
            raise RuntimeError("%s did not start: %s" % (self.name, self.stderr.decode("utf-8", "replace")))
        at = self.lines[0].split(" ")[2]
        m = re.fullmatch(r"\[?([^\]]+)\]?:(\d+)", at)
        return m.group(1), int(m.group(2))

    def stop(self):
        if self.p.poll() is None:
            try:
                os.kill(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.p.wait(timeout=3)
            except subprocess.TimeoutExpired:
                try:
                    os.kill(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.p.wait(timeout=3)
        if self in _RUNNING:
            _RUNNING.remove(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def run(argv, stdin=b"", timeout=10.0):
    """Runs a short-lived program; returns (exit status, stdout, stderr). Killed by PID on time-out."""
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        out, err = p.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        os.kill(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        return None, out, err
    return p.returncode, out, err


# ---------------------------------------------------------------- sockets

def connect(host, port, timeout=10.0):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.connect((host, port))
    return s


def send_in_pieces(s, data, cuts, pause=0.01):
    """Sends `data` cut at the offsets in `cuts`, pausing between pieces."""
    last = 0
    for cut in sorted(set(c for c in cuts if 0 < c < len(data))) + [len(data)]:
        s.sendall(data[last:cut])
        last = cut
        if cut < len(data):
            time.sleep(pause)


def recv_exactly(s, n, timeout=10.0):
    """Up to `n` bytes, fewer if the peer closes or the time runs out."""
    end = time.monotonic() + timeout
    out = b""
    while len(out) < n:
        left = end - time.monotonic()
        if left <= 0:
            break
        s.settimeout(left)
        try:
            chunk = s.recv(min(65536, n - len(out)))
        except socket.timeout:
            break
        except ConnectionResetError:
            break
        if not chunk:
            break
        out += chunk
    return out


def closed_by_peer(s, timeout=10.0):
    """True when the peer closes (EOF or reset) within `timeout` without sending anything."""
    s.settimeout(timeout)
    try:
        return s.recv(1) == b""
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def ipv6_loopback_available():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


# ---------------------------------------------------------------- checks

class Checks:
    def __init__(self, title):
        self.title = title
        self.failed = 0
        self.passed = 0

    def check(self, ok, what, detail=""):
        if ok:
            self.passed += 1
            print("PASS %s" % what, flush=True)
        else:
            self.failed += 1
            print("FAIL %s%s" % (what, (": " + detail) if detail else ""), flush=True)
        return ok

    def fields_match(self, got, expected, what):
        """`got` (a server line as fields, or None) has every key of `expected` with that value."""
        if got is None:
            return self.check(False, what, "no matching line from the server")
        wrong = ["%s=%s (expected %s)" % (k, got.get(k), v) for k, v in expected.items() if got.get(k) != v]
        return self.check(not wrong, what, "; ".join(wrong))

    def finish(self):
        _stop_all()
        if self.failed or os.environ.get("PP_EXAMPLES_VERBOSE"):
            for p in _STARTED:
                print("--- output of %s (pid %d), last 60 lines" % (" ".join(p.argv), p.pid))
                for line in p.lines[-60:]:
                    print("    " + line)
                if p.stderr:
                    print("    stderr: " + p.stderr.decode("utf-8", "replace")[-2000:])
        print("%s: %d passed, %d failed" % (self.title, self.passed, self.failed), flush=True)
        return 1 if self.failed else 0
