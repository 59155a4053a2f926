#!/usr/bin/env python3
"""Ask a real receiver what it makes of PROXY protocol header files.

Usage:
  judge.py --receiver haproxy|nginx|tshark [--ipv6] [--timeout SECONDS]
           [--nginx-buffer SIZE] [--keep] [--verbose] HEADER_FILE [HEADER_FILE...]

Each HEADER_FILE holds the exact bytes of one PROXY header (v1 line with its
CRLF, or a v2 binary header including its TLVs).  One JSON object is printed per
file, one per line, in the order given.

haproxy / nginx: one private instance of the server is started from a temporary
directory with its own configuration, listening on a free loopback port with
PROXY protocol required ("accept-proxy" / "listen ... proxy_protocol").  For each
file a TCP connection is opened, the header is sent followed by a small HTTP/1.0
request, and the verdict is read from the server's answer (which echoes the
addresses it decoded) and from its logs.

  verdict  accepted      the header was taken and the request after it arrived intact
           rejected      the server refused the header (reason = its own message)
           mangled       the header was taken but the bytes after it did not form the
                         request that was sent (the receiver consumed a different
                         number of bytes than the file holds)
           no-verdict    nothing conclusive within the time limit

tshark: all files are wrapped in one synthetic capture (one TCP segment per
file, written by this script; nothing is captured or sent on any network) and
dissected once by tshark with the PROXY heuristic dissector tried first.

  verdict  decoded          the PROXY dissector recognised it and flagged nothing
           flagged          recognised, but flagged (bad format, length too small,
                            malformed packet)
           not-recognised   the PROXY dissector did not claim the bytes

Every server is bound to 127.0.0.1 (or ::1 with --ipv6) only, on ports picked
at run time, and is stopped by its PID when the script ends (also on errors,
timeouts and signals).  The temporary directory is removed unless --keep.

Exit status: 0 when it ran (whatever the verdicts); 2 on usage or environment
errors (server did not start, ...); 77 when the receiver's program is not
installed (a line "skipped: install <package>" is printed).
Needs only python3 (stdlib) and the receiver's Debian package: haproxy,
nginx-light (or any nginx with the http module), tshark.
"""

import argparse
import binascii
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

RECEIVERS = {
    # receiver: (program, Debian package to install)
    "haproxy": ("haproxy", "haproxy"),
    "nginx": ("nginx", "nginx-light"),
    "tshark": ("tshark", "tshark"),
}

REQ_PREFIX = "/pp-judge/"
ECHO_TAG = "PPJUDGE-ECHO"
LOG_TAG = "PPJUDGE"


class EnvError(Exception):
    """Environment problem: exit 2."""


class Deadline(Exception):
    """The global time limit was reached."""


VERBOSE = False


def vlog(*args):
    if VERBOSE:
        print("judge:", *args, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- helpers

def result_template(path, receiver):
    return {
        "file": path,
        "receiver": receiver,
        "verdict": "no-verdict",
        "src_addr": None,
        "src_port": None,
        "dst_addr": None,
        "dst_port": None,
        "addresses_from": None,
        "reason": None,
    }


def to_port(text):
    if text is None:
        return None
    text = text.strip()
    if text in ("", "-"):
        return None
    try:
        return int(text)
    except ValueError:
        return None


def to_addr(text):
    if text is None:
        return None
    text = text.strip()
    if text in ("", "-"):
        return None
    return text


def same_addr(a, b):
    """Compare two textual addresses (IPv4 equals its IPv4-mapped IPv6 form)."""
    def norm(x):
        for fam in (socket.AF_INET, socket.AF_INET6):
            try:
                raw = socket.inet_pton(fam, x)
            except (OSError, TypeError, ValueError):
                continue
            if fam == socket.AF_INET:
                raw = b"\0" * 10 + b"\xff\xff" + raw
            return raw
        return x
    if a is None or b is None:
        return a is b
    return norm(a) == norm(b)


def kv_fields(line):
    """Parse 'key=value key="quoted value"' pairs (values may be quoted)."""
    out = {}
    for m in re.finditer(r'(\w+)=("(?:[^"\\]|\\.)*"|\S*)', line):
        v = m.group(2)
        if len(v) >= 2 and v[0] == '"' and v[-1] == '"':
            v = v[1:-1]
        out[m.group(1)] = v
    return out


def hex_to_text(h):
    if h is None or h in ("", "-"):
        return None
    try:
        raw = binascii.unhexlify(h)
    except (binascii.Error, ValueError):
        return None
    return raw.decode("utf-8", errors="backslashreplace")


def clean_hex(h):
    if h is None or h in ("", "-"):
        return None
    return h.lower()


def free_port(host, family, avoid=()):
    for _ in range(50):
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.bind((host, 0))
            port = s.getsockname()[1]
        if port not in avoid:
            return port
    raise EnvError("could not find a free port on %s" % host)


def listening(port, ipv6):
    """True when some socket listens on TCP port (read from /proc/net/tcp*)."""
    paths = ["/proc/net/tcp6"] if ipv6 else ["/proc/net/tcp"]
    seen_table = False
    for p in paths:
        try:
            with open(p) as f:
                lines = f.readlines()[1:]
        except OSError:
            continue
        seen_table = True
        for ln in lines:
            parts = ln.split()
            if len(parts) < 4:
                continue
            local, state = parts[1], parts[3]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                return True
    if not seen_table:
        return None  # cannot tell
    return False


class Proc:
    """A child process that is always stopped by its PID."""

    def __init__(self, argv, logfile, cwd):
        vlog("start:", " ".join(argv))
        self.log = open(logfile, "ab")
        self.p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self.log,
                                  stderr=subprocess.STDOUT, cwd=cwd)
        self.pid = self.p.pid

    def alive(self):
        return self.p.poll() is None

    def stop(self):
        if self.p.poll() is None:
            vlog("stop pid", self.pid)
            try:
                os.kill(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.p.wait(timeout=2)
            except subprocess.TimeoutExpired:
                try:
                    os.kill(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                try:
                    self.p.wait(timeout=2)
                except subprocess.TimeoutExpired:
                    pass
        self.log.close()


def exchange(host, family, port, data, timeout):
    """Connect, send data, half-close, read until EOF or timeout.

    Returns (local_addr, local_port, reply_bytes, how) where how is
    'eof', 'reset', 'timeout' or 'connect-failed: ...'.
    """
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        try:
            s.bind((host, 0))
            s.connect((host, port))
        except OSError as e:
            return None, None, b"", "connect-failed: %s" % e
        la = s.getsockname()
        reply = b""
        how = "eof"
        end = time.monotonic() + timeout
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        except OSError as e:
            how = "reset" if isinstance(e, (ConnectionResetError, BrokenPipeError)) else "send-failed: %s" % e
            end = time.monotonic() + 0.3   # still read what may have arrived
        while True:
            left = end - time.monotonic()
            if left <= 0:
                how = "timeout" if how == "eof" else how
                break
            s.settimeout(left)
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                how = "timeout" if how == "eof" else how
                break
            except (ConnectionResetError, OSError):
                how = "reset"
                break
            if not chunk:
                break
            reply += chunk
        return la[0], la[1], reply, how
    finally:
        s.close()


class LogTail:
    """Read the lines appended to a log file since the last call."""

    def __init__(self, path):
        self.path = path
        self.pos = 0
        self.partial = b""

    def skip_to_end(self):
        try:
            self.pos = os.path.getsize(self.path)
        except OSError:
            self.pos = 0
        self.partial = b""

    def new_lines(self):
        try:
            with open(self.path, "rb") as f:
                f.seek(self.pos)
                data = f.read()
        except OSError:
            return []
        self.pos += len(data)
        data = self.partial + data
        lines = data.split(b"\n")
        self.partial = lines.pop()
        return [ln.decode("utf-8", errors="backslashreplace") for ln in lines]


def wait_for(pred, timeout, step=0.02):
    end = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() >= end:
            return v
        time.sleep(step)


def http_request(tag):
    return ("GET %s%s HTTP/1.0\r\nHost: pp-judge.test\r\nUser-Agent: pp-judge\r\n\r\n"
            % (REQ_PREFIX, tag)).encode()


def parse_status(reply):
    m = re.match(rb"HTTP/1\.[01] (\d{3})", reply)
    return int(m.group(1)) if m else None


def parse_echo(reply):
    """The line our server configuration answers with, as a dict, or None."""
    m = re.search(re.escape(ECHO_TAG).encode() + rb" ([^\r\n]*)", reply)
    if not m:
        return None
    return kv_fields(m.group(1).decode("utf-8", errors="backslashreplace"))


# ---------------------------------------------------------------- servers

class ServerReceiver:
    name = ""

    def __init__(self, tmp, ipv6, timeout):
        self.tmp = tmp
        self.ipv6 = ipv6
        self.timeout = timeout
        self.host = "::1" if ipv6 else "127.0.0.1"
        self.family = socket.AF_INET6 if ipv6 else socket.AF_INET
        self.bind_host = "[::1]" if ipv6 else "127.0.0.1"
        self.proc = None
        self.port = None
        self.generation = 0

    # subclasses: write_config(port) -> argv; logs
    def start(self):
        self.generation += 1
        last_err = ""
        for attempt in range(3):
            self.port = free_port(self.host, self.family)
            argv = self.write_config(self.port)
            self.reset_logs()
            self.proc = Proc(argv, self.out_path, self.tmp)
            ok = wait_for(lambda: (not self.proc.alive()) or listening(self.port, self.ipv6) is not False,
                          5.0)
            if ok and self.proc.alive():
                if listening(self.port, self.ipv6) is None:
                    time.sleep(0.5)  # no /proc: give it a moment
                time.sleep(0.05)
                if self.proc.alive():
                    self.after_start()
                    vlog("%s listening on %s port %d (pid %d)" % (self.name, self.host, self.port, self.proc.pid))
                    return
            self.proc.stop()
            try:
                with open(self.out_path, "rb") as f:
                    last_err = f.read()[-2000:].decode("utf-8", "replace")
            except OSError:
                pass
            self.proc = None
        raise EnvError("%s did not start:\n%s" % (self.name, last_err))

    def stop(self):
        if self.proc is not None:
            self.proc.stop()
            self.proc = None

    def restart(self):
        self.stop()
        self.start()

    def after_start(self):
        pass

    def judge_all(self, files, datas):
        self.start()
        out = []
        for i, (path, data) in enumerate(zip(files, datas)):
            if self.proc is None or not self.proc.alive():
                self.stop()
                self.start()
            tag = "%d-%d-%d" % (os.getpid(), self.generation, i)
            r = result_template(path, self.name)
            try:
                needs_restart = self.judge_one(data, tag, r)
            except Deadline:
                raise
            except EnvError:
                raise
            if r["reason"] is None and r["verdict"] == "no-verdict":
                r["reason"] = "no answer and nothing logged within %gs" % self.timeout
            out.append(r)
            yield r
            if needs_restart:
                # something may still be pending on this instance: use a fresh one so
                # that a late log line cannot be attributed to the next file
                self.restart()


class Haproxy(ServerReceiver):
    name = "haproxy"

    def write_config(self, port):
        self.out_path = os.path.join(self.tmp, "haproxy.log")
        cfg = os.path.join(self.tmp, "haproxy.cfg")
        t = max(1, int(self.timeout))
        addr = "ci=%ci cp=%cp fi=%fi fp=%fp"
        tlv = "authority=%[fc_pp_authority,hex] unique_id=%[fc_pp_unique_id,hex]"
        text = f"""# private instance written by judge.py; loopback only
global
    log stdout format raw local0 info
    nbthread 1
    maxconn 64
defaults
    mode http
    log global
    timeout connect 2s
    timeout client {t}s
    timeout server 2s
    timeout http-request {t}s
frontend judge
    bind {self.bind_host}:{port} accept-proxy
    log-format "{LOG_TAG} kind=log {addr} st=%ST fc_err=%[fc_err] {tlv} r=%{{+Q}}r"
    error-log-format "{LOG_TAG} kind=err {addr} fc_err=%[fc_err] reason=%{{+Q}}[fc_err_str]"
    http-request return status 200 content-type text/plain lf-string "{ECHO_TAG} path=%[path] {addr} {tlv}\\n"
"""
        with open(cfg, "w") as f:
            f.write(text)
        return ["haproxy", "-db", "-f", cfg]

    def reset_logs(self):
        open(self.out_path, "wb").close()
        self.tail = LogTail(self.out_path)

    def judge_one(self, data, tag, r):
        req = http_request(tag)
        self.tail.skip_to_end()
        la, lp, reply, how = exchange(self.host, self.family, self.port, data + req, self.timeout)
        if la is None:
            raise EnvError("cannot connect to haproxy: %s" % how)
        lines = []

        def got_line():
            lines.extend(ln for ln in self.tail.new_lines() if ln.startswith(LOG_TAG + " "))
            return bool(lines)
        wait_for(got_line, 1.5 if how != "timeout" else 1.0)
        log = kv_fields(lines[0]) if lines else None
        echo = parse_echo(reply)
        status = parse_status(reply)

        def fill(src):
            r["src_addr"] = to_addr(src.get("ci"))
            r["src_port"] = to_port(src.get("cp"))
            r["dst_addr"] = to_addr(src.get("fi"))
            r["dst_port"] = to_port(src.get("fp"))
            real = (same_addr(r["src_addr"], la) and r["src_port"] == lp
                    and same_addr(r["dst_addr"], self.host) and r["dst_port"] == self.port)
            r["addresses_from"] = "real-connection" if real else "proxy-header"
            r["authority_hex"] = clean_hex(src.get("authority"))
            r["authority"] = hex_to_text(src.get("authority"))
            r["unique_id_hex"] = clean_hex(src.get("unique_id"))
            r["unique_id"] = hex_to_text(src.get("unique_id"))

        if echo is not None and status == 200 and echo.get("path") == REQ_PREFIX + tag:
            r["verdict"] = "accepted"
            fill(echo)
            return False
        if log is not None:
            if log.get("kind") == "err" and log.get("fc_err") not in ("0", None, "", "-"):
                r["verdict"] = "rejected"
                r["reason"] = "%s (fc_err=%s)" % (log.get("reason"), log.get("fc_err"))
                return False
            # the PROXY header was accepted (no connection error) but the request was not
            r["verdict"] = "mangled"
            fill(log)
            first = reply.split(b"\r\n", 1)[0].decode("utf-8", "replace") if reply else ""
            r["reason"] = ("header accepted, but the request after it was not: haproxy %s; logged %s"
                           % ("answered %r" % first if first else "sent no answer",
                              ("status %s, request %r" % (log.get("st"), log.get("r"))) if log.get("kind") == "log"
                              else "fc_err=%s (%s)" % (log.get("fc_err"), log.get("reason"))))
            return False
        # nothing logged
        r["verdict"] = "no-verdict"
        r["reason"] = "haproxy logged nothing (connection ended by %s, %d reply bytes)" % (how, len(reply))
        return True


class Nginx(ServerReceiver):
    name = "nginx"

    def __init__(self, tmp, ipv6, timeout, bufsize=None):
        super().__init__(tmp, ipv6, timeout)
        self.bufsize = bufsize

    def write_config(self, port):
        self.out_path = os.path.join(self.tmp, "nginx.out")
        self.err_path = os.path.join(self.tmp, "logs", "error.log")
        self.acc_path = os.path.join(self.tmp, "logs", "access.log")
        for d in ("logs", "temp"):
            os.makedirs(os.path.join(self.tmp, d), exist_ok=True)
        cfg = os.path.join(self.tmp, "nginx.conf")
        t = max(1, int(self.timeout))
        buf = "client_header_buffer_size %s;" % self.bufsize if self.bufsize else ""
        vars_ = ("pa=\"$proxy_protocol_addr\" pp=\"$proxy_protocol_port\" "
                 "sa=\"$proxy_protocol_server_addr\" sp=\"$proxy_protocol_server_port\" "
                 "ra=\"$remote_addr\" rp=\"$remote_port\" la=\"$server_addr\" lp=\"$server_port\"")
        tmpd = os.path.join(self.tmp, "temp")
        text = f"""# private instance written by judge.py; loopback only
worker_processes 1;
master_process off;
daemon off;
pid {self.tmp}/nginx.pid;
error_log {self.err_path} info;
events {{ worker_connections 64; }}
http {{
    log_format judge '{LOG_TAG} {vars_} st=$status r="$request"';
    access_log {self.acc_path} judge;
    {buf}
    client_header_timeout {t}s;
    client_body_temp_path {tmpd}/body;
    proxy_temp_path {tmpd}/proxy;
    fastcgi_temp_path {tmpd}/fastcgi;
    uwsgi_temp_path {tmpd}/uwsgi;
    scgi_temp_path {tmpd}/scgi;
    server {{
        listen {self.bind_host}:{port} proxy_protocol;
        location / {{
            default_type text/plain;
            return 200 '{ECHO_TAG} path="$uri" {vars_}\\n';
        }}
    }}
}}
"""
        with open(cfg, "w") as f:
            f.write(text)
        return ["nginx", "-p", self.tmp + "/", "-c", cfg, "-e", self.err_path]

    def reset_logs(self):
        for p in (self.out_path, self.err_path, self.acc_path):
            open(p, "wb").close()
        self.acc = LogTail(self.acc_path)
        self.err = LogTail(self.err_path)

    ERR_START = re.compile(r"^\d{4}/\d\d/\d\d \d\d:\d\d:\d\d \[(\w+)\] \d+#\d+: (?:\*\d+ )?")

    def judge_one(self, data, tag, r):
        req = http_request(tag)
        self.acc.skip_to_end()
        self.err.skip_to_end()
        la, lp, reply, how = exchange(self.host, self.family, self.port, data + req, self.timeout)
        if la is None:
            raise EnvError("cannot connect to nginx: %s" % how)
        acc, errs = [], []   # errs: [level, message] (messages may span lines: broken header dumps)

        def got():
            acc.extend(ln for ln in self.acc.new_lines() if ln.startswith(LOG_TAG + " "))
            for ln in self.err.new_lines():
                m = self.ERR_START.match(ln)
                if m:
                    errs.append([m.group(1), ln[m.end():]])
                elif errs:
                    errs[-1][1] += "\n" + ln
            return bool(acc) or any(lvl in ("error", "crit", "alert", "emerg") for lvl, _ in errs)
        wait_for(got, 1.0 if reply else 0.5)
        echo = parse_echo(reply)
        status = parse_status(reply)
        log = kv_fields(acc[0]) if acc else None

        def fill(src):
            pa, pp = to_addr(src.get("pa")), to_port(src.get("pp"))
            if pa is None and pp is None:
                r["src_addr"], r["src_port"] = to_addr(src.get("ra")), to_port(src.get("rp"))
                r["dst_addr"], r["dst_port"] = to_addr(src.get("la")), to_port(src.get("lp"))
                r["addresses_from"] = "real-connection"
            else:
                r["src_addr"], r["src_port"] = pa, pp
                r["dst_addr"], r["dst_port"] = to_addr(src.get("sa")), to_port(src.get("sp"))
                r["addresses_from"] = "proxy-header"
                if pp is None or to_port(src.get("sp")) is None:
                    r["note"] = "nginx leaves $proxy_protocol_port / _server_port empty when the port is 0"

        if echo is not None and status == 200 and echo.get("path") == REQ_PREFIX + tag:
            r["verdict"] = "accepted"
            fill(echo)
            return False
        def short(msg):
            msg = re.sub(r", client: .*", "", msg, flags=re.S)
            msg = msg.replace("\r", "\\r").replace("\n", "\\n")
            return msg if len(msg) <= 160 else msg[:157] + "..."
        err_msgs = [short(msg) for lvl, msg in errs if lvl in ("error", "crit", "alert", "emerg")]
        if log is not None:
            pa_empty = to_addr(log.get("pa")) is None and to_port(log.get("pp")) is None
            broken = [m for m in err_msgs if "broken header" in m or "PROXY" in m]
            if broken and pa_empty and log.get("st") in ("400",):
                r["verdict"] = "rejected"
                r["reason"] = broken[0]
                return False
            r["verdict"] = "mangled"
            fill(log)
            r["reason"] = ("header accepted, but the request after it was not: nginx logged status %s, request %r%s"
                           % (log.get("st"), log.get("r"), ("; error log: " + err_msgs[0]) if err_msgs else ""))
            return False
        if err_msgs:
            r["verdict"] = "rejected"
            r["reason"] = err_msgs[0]
            return False
        if how in ("eof", "reset") and not reply:
            r["verdict"] = "rejected"
            infos = [short(msg) for _, msg in errs if "client: " in msg]
            r["reason"] = "nginx closed the connection without an answer or an error log line" + (
                (" (" + infos[0] + ")") if infos else "")
            return False
        r["verdict"] = "no-verdict"
        r["reason"] = "nginx answered nothing conclusive (connection ended by %s, %d reply bytes)" % (how, len(reply))
        return True


# ---------------------------------------------------------------- tshark

def ip_checksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def make_packet(payload, sport, dport, ipv6, seq):
    flags = 0x18  # PSH|ACK
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 1, 5 << 4, flags, 65535, 0, 0)
    if ipv6:
        src = socket.inet_pton(socket.AF_INET6, "::1")
        dst = src
        pseudo = src + dst + struct.pack("!IxxxB", len(tcp) + len(payload), 6)
        csum = ip_checksum(pseudo + tcp + payload)
        tcp = tcp[:16] + struct.pack("!H", csum) + tcp[18:]
        ip = struct.pack("!IHBB", 6 << 28, len(tcp) + len(payload), 6, 64) + src + dst
        ethertype = 0x86DD
    else:
        src = dst = socket.inet_aton("127.0.0.1")
        pseudo = src + dst + struct.pack("!BBH", 0, 6, len(tcp) + len(payload))
        csum = ip_checksum(pseudo + tcp + payload)
        tcp = tcp[:16] + struct.pack("!H", csum) + tcp[18:]
        total = 20 + len(tcp) + len(payload)
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, 1, 0x4000, 64, 6, 0, src, dst)
        ip = ip[:10] + struct.pack("!H", ip_checksum(ip)) + ip[12:]
        ethertype = 0x0800
    eth = b"\x02\x00\x00\x00\x00\x01" + b"\x02\x00\x00\x00\x00\x02" + struct.pack("!H", ethertype)
    return eth + ip + tcp + payload


def write_pcap(path, payloads, ipv6):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for i, pl in enumerate(payloads):
            pkt = make_packet(pl, 20000 + i, 4242, ipv6, 1000)
            f.write(struct.pack("<IIII", 1700000000 + i, 0, len(pkt), len(pkt)))
            f.write(pkt)


MAX_TSHARK_PAYLOAD = 65535 - 60 - 20


class Tshark:
    name = "tshark"

    def __init__(self, tmp, ipv6, timeout):
        self.tmp = tmp
        self.ipv6 = ipv6
        self.timeout = timeout

    def stop(self):
        pass

    def judge_all(self, files, datas):
        results = [result_template(p, "tshark") for p in files]
        fit = [i for i, d in enumerate(datas) if 0 < len(d) <= MAX_TSHARK_PAYLOAD]
        for i, d in enumerate(datas):
            if i not in fit:
                results[i]["reason"] = ("empty file" if not d else
                                        "%d bytes do not fit one synthetic TCP segment" % len(d))
        if fit:
            pcap = os.path.join(self.tmp, "judge.pcap")
            write_pcap(pcap, [datas[i] for i in fit], self.ipv6)
            argv = ["tshark", "-n", "-r", pcap,
                    "-o", "tcp.try_heuristic_first:TRUE",
                    "-o", "tcp.analyze_sequence_numbers:FALSE",
                    "-o", "tcp.check_checksum:FALSE",
                    "-T", "pdml"]
            vlog("run:", " ".join(argv))
            err_path = os.path.join(self.tmp, "tshark.err")
            with open(err_path, "wb") as errf:
                p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errf,
                                     cwd=self.tmp)
                try:
                    out, _ = p.communicate(timeout=max(20, 5 + 0.5 * len(fit)))
                except subprocess.TimeoutExpired:
                    os.kill(p.pid, signal.SIGKILL)
                    p.wait()
                    raise EnvError("tshark did not finish in time")
            if p.returncode != 0:
                with open(err_path, "rb") as f:
                    raise EnvError("tshark failed (exit %d): %s" % (
                        p.returncode, f.read()[-1500:].decode("utf-8", "replace")))
            try:
                root = ET.fromstring(out)
            except ET.ParseError as e:
                raise EnvError("cannot parse tshark's PDML: %s" % e)
            packets = root.findall("packet")
            if len(packets) != len(fit):
                raise EnvError("tshark returned %d packets for %d files" % (len(packets), len(fit)))
            for i, pkt in zip(fit, packets):
                self.fill(results[i], pkt)
        for r in results:
            yield r

    @staticmethod
    def fill(r, pkt):
        protos = pkt.findall("proto")
        proxy = next((p for p in protos if p.get("name") == "proxy"), None)
        malformed = [p for p in protos if p.get("name") == "_ws.malformed"]
        if proxy is None:
            r["verdict"] = "not-recognised"
            r["reason"] = "the PROXY dissector did not claim these bytes"
            return
        fields = []
        flags = []
        tlvs = []

        def walk(el, depth):
            for f in el.findall("field"):
                name = f.get("name", "")
                if name == "proxy.v2.tlv":
                    t = {"type": None, "length": None, "value_hex": None, "depth": depth}
                    for c in f.findall("field"):
                        cn = c.get("name")
                        if cn == "proxy.v2.tlv.type":
                            t["type"] = int(c.get("value"), 16)
                        elif cn == "proxy.v2.tlv.length":
                            t["length"] = int(c.get("value"), 16)
                        elif cn == "proxy.v2.tlv.value":
                            t["value_hex"] = (c.get("value") or "").lower()
                    tlvs.append(t)
                    fields.append("proxy.v2.tlv")
                    # children: type/length/value/ssl fields and nested TLVs
                    for c in f.findall("field"):
                        if c.get("name") == "proxy.v2.tlv":
                            continue
                        add_field(c)
                    walk_nested(f, depth + 1)
                    continue
                if name == "_ws.expert" or name.startswith("proxy.bad_format") or \
                        name.startswith("proxy.header.length_too_small") or name.startswith("_ws.malformed"):
                    inner = [c.get("showname") or c.get("name") for c in f.iter("field")
                             if c is not f and c.get("name", "").startswith("proxy.")]
                    flags.extend(inner or [f.get("showname") or name])
                    continue
                add_field(f)
                walk(f, depth)

        def walk_nested(f, depth):
            sub = ET.Element("x")
            for c in f.findall("field"):
                if c.get("name") == "proxy.v2.tlv":
                    sub.append(c)
            walk(sub, depth)

        def add_field(f):
            name = f.get("name", "")
            if not name.startswith("proxy."):
                return
            show = f.get("show", "")
            if name in ("proxy.v2.tlv.value", "proxy.v2.magic", "proxy.v2.unknown") or name.endswith(".unix"):
                show = (f.get("value") or "").lower()
            fields.append("%s=%s" % (name, show))

        walk(proxy, 0)
        # flags anywhere in the packet (expert info may sit outside the proxy proto)
        for f in pkt.iter("field"):
            n = f.get("name", "")
            if n in ("proxy.bad_format", "proxy.header.length_too_small") and (f.get("showname") or n) not in flags:
                flags.append(f.get("showname") or n)
        if malformed:
            flags.append(malformed[0].get("showname") or "Malformed packet")

        def first(name):
            for fv in fields:
                if fv.startswith(name + "="):
                    return fv.split("=", 1)[1]
            return None

        src = first("proxy.src.ipv4") or first("proxy.src.ipv6")
        dst = first("proxy.dst.ipv4") or first("proxy.dst.ipv6")
        src_unix, dst_unix = first("proxy.v2.src.unix"), first("proxy.v2.dst.unix")
        if src is None and src_unix is not None:
            src = binascii.unhexlify(src_unix).split(b"\0", 1)[0].decode("utf-8", "backslashreplace")
            dst = binascii.unhexlify(dst_unix or "").split(b"\0", 1)[0].decode("utf-8", "backslashreplace")
            r["unix_paths"] = True
        r["src_addr"], r["dst_addr"] = src, dst
        r["src_port"], r["dst_port"] = to_port(first("proxy.srcport")), to_port(first("proxy.dstport"))
        r["addresses_from"] = "proxy-header" if src is not None else None
        r["version"] = to_port(first("proxy.version")) or (1 if any(f.startswith("proxy.v1.") for f in fields) else None)
        cmd = first("proxy.v2.cmd")
        r["command"] = to_port(cmd)
        fam = first("proxy.v2.addr_family_protocol")
        r["fam_byte"] = fam
        r["length_field"] = to_port(first("proxy.v2.length"))
        r["v1_proto"] = first("proxy.v1.proto")
        # how many bytes the dissector took as the PROXY header
        if r["length_field"] is not None:
            r["header_length"] = 16 + r["length_field"]
        elif r["version"] == 1 and proxy.get("size", "").isdigit():
            r["header_length"] = int(proxy.get("size"))
        else:
            r["header_length"] = None
        r["tlvs"] = tlvs
        r["fields"] = fields
        if flags:
            r["verdict"] = "flagged"
            r["reason"] = "; ".join(dict.fromkeys(flags))
        else:
            r["verdict"] = "decoded"


# ---------------------------------------------------------------- main

def main(argv=None):
    global VERBOSE
    ap = argparse.ArgumentParser(
        description="Make a real receiver (haproxy, nginx, tshark) judge PROXY protocol header files; "
                    "prints one JSON object per file.")
    ap.add_argument("--receiver", required=True, choices=sorted(RECEIVERS))
    ap.add_argument("--ipv6", action="store_true", help="talk over ::1 instead of 127.0.0.1 (transport only)")
    ap.add_argument("--timeout", type=float, default=3.0, help="per-file time limit in seconds (default 3)")
    ap.add_argument("--nginx-buffer", metavar="SIZE",
                    help="nginx client_header_buffer_size (nginx refuses PROXY headers bigger than it; "
                         "default: nginx's own 1k)")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (path printed on stderr)")
    ap.add_argument("--verbose", action="store_true", help="progress and server logs on stderr")
    ap.add_argument("files", nargs="+", metavar="HEADER_FILE")
    a = ap.parse_args(argv)
    VERBOSE = a.verbose
    if a.nginx_buffer is not None and not re.fullmatch(r"\d+[kKmM]?", a.nginx_buffer):
        print("judge.py: bad --nginx-buffer %r" % a.nginx_buffer, file=sys.stderr)
        return 2
    if not (0.2 <= a.timeout <= 60):
        print("judge.py: --timeout must be between 0.2 and 60", file=sys.stderr)
        return 2

    prog, pkg = RECEIVERS[a.receiver]
    if shutil.which(prog) is None:
        print("skipped: install %s (%s not found in PATH)" % (pkg, prog), flush=True)
        return 77

    datas = []
    for f in a.files:
        try:
            with open(f, "rb") as fh:
                datas.append(fh.read())
        except OSError as e:
            print("judge.py: cannot read %s: %s" % (f, e), file=sys.stderr)
            return 2

    # overall bound: start-up, plus every file's limit, plus slack
    total = 30 + len(a.files) * (a.timeout + 3)

    def on_alarm(signum, frame):
        raise Deadline()

    def on_signal(signum, frame):
        raise SystemExit(128 + signum)

    old = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(int(total) + 1)

    tmp = tempfile.mkdtemp(prefix="pp-judge-%s." % a.receiver)
    rc = 0
    receiver = None
    try:
        if a.receiver == "haproxy":
            receiver = Haproxy(tmp, a.ipv6, a.timeout)
        elif a.receiver == "nginx":
            receiver = Nginx(tmp, a.ipv6, a.timeout, a.nginx_buffer)
        else:
            receiver = Tshark(tmp, a.ipv6, a.timeout)
        for r in receiver.judge_all(a.files, datas):
            print(json.dumps(r, sort_keys=False), flush=True)
    except EnvError as e:
        print("judge.py: %s" % e, file=sys.stderr)
        rc = 2
    except Deadline:
        print("judge.py: overall time limit (%ds) reached" % total, file=sys.stderr)
        rc = 2
    finally:
        signal.alarm(0)
        if receiver is not None:
            try:
                receiver.stop()
            except Exception as e:  # keep going: the temp dir must still go
                print("judge.py: while stopping %s: %s" % (a.receiver, e), file=sys.stderr)
        if VERBOSE:
            for name in sorted(os.listdir(tmp)) if os.path.isdir(tmp) else []:
                p = os.path.join(tmp, name)
                if os.path.isfile(p) and name.endswith((".log", ".out", ".cfg", ".conf", ".err")):
                    with open(p, "rb") as f:
                        vlog("--- %s\n%s" % (name, f.read()[-4000:].decode("utf-8", "replace")))
        if a.keep:
            print("judge.py: kept %s" % tmp, file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
        for s, h in old.items():
            signal.signal(s, h)
    return rc


if __name__ == "__main__":
    sys.exit(main())
