#!/usr/bin/env python3
"""Interop tests of the examples against real PROXY protocol software.

  examples_interop.py senders --server PATH [--server PATH ...]
      Real senders in front of each example server: haproxy (send-proxy,
      send-proxy-v2, send-proxy-v2 with proxy-v2-options, send-proxy-v2-ssl,
      send-proxy-v2-ssl-cn, TLS terminated by haproxy with certificates made
      at test time), nginx (stream, proxy_protocol on) and curl
      (--haproxy-protocol). The server must print the addresses and TLVs the
      sender was configured with and echo the client's bytes intact, also when
      a relay cuts the header into pieces with pauses between them.

  examples_interop.py ppsend --ppsend PATH
      ppsend in front of real receivers: haproxy (accept-proxy) and nginx
      (listen ... proxy_protocol) must report the addresses and TLVs given to
      ppsend, and haproxy must refuse a wrong CRC32C; then ppsend --dry-run
      headers go through run_interop.py, where tshark must decode the same
      addresses and TLV bytes (and haproxy and nginx judge them again).

Loopback only: every server listens on 127.0.0.1 or ::1 on a port picked at
run time, from a temporary directory with its own configuration, and is
stopped by its PID when the script ends (also on errors, time-outs and
signals). Exit status: 0 all passed, 1 a check failed, 77 a program is
missing ("skipped: install ..."). Needs python3 and, on Debian 12: haproxy,
nginx-light, libnginx-mod-stream, curl, openssl, tshark.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "examples", "tests"))
import judge  # noqa: E402
from pp_testlib import (Checks, ExampleProcess, connect, crc_value, endpoint_text,  # noqa: E402
                        ipv6_loopback_available, recv_exactly, run, ssl_value, v2)

NGINX_STREAM_MODULE = "/usr/lib/nginx/modules/ngx_stream_module.so"
PRESENT = object()  # an expected field that must be there, whatever its value


def require(programs):
    """Exit 77 when a program or the nginx stream module is missing."""
    missing = [(prog, pkg) for prog, pkg in programs if shutil.which(prog) is None]
    if any(prog == "nginx" for prog, _ in programs) and not os.path.exists(NGINX_STREAM_MODULE):
        missing.append((NGINX_STREAM_MODULE, "libnginx-mod-stream"))
    if missing:
        print("skipped: install %s" % " ".join(sorted({pkg for _, pkg in missing})), flush=True)
        sys.exit(77)


def fields_match(checks, got, expected, what):
    if got is None:
        return checks.check(False, what, "no matching line from the server")
    wrong = []
    for k, v in expected.items():
        if v is PRESENT:
            if k not in got:
                wrong.append("%s missing" % k)
        elif got.get(k) != v:
            wrong.append("%s=%s (expected %s)" % (k, got.get(k), v))
    return checks.check(not wrong, what, "; ".join(wrong))


def wait_listening(proc, ports):
    """True once every (port, ipv6) listens, False if the process died or time ran out."""
    def ready():
        return not proc.alive() or all(judge.listening(p, six) is not False for p, six in ports)
    judge.wait_for(ready, 5.0)
    time.sleep(0.05)
    return proc.alive() and all(judge.listening(p, six) is not False for p, six in ports)


# ---------------------------------------------------------------- certificates

def make_certificates(tmp):
    """A CA, a server certificate for localhost/example.test and a client
    certificate (CN pp-client.example), EC P-256, valid for two days."""
    d = os.path.join(tmp, "pki")
    os.makedirs(d)

    def openssl(*args):
        r = subprocess.run(["openssl"] + list(args), cwd=d, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=30)
        if r.returncode != 0:
            raise RuntimeError("openssl %s: %s" % (args[0], r.stdout.decode("utf-8", "replace")))

    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=pp-test-ca")
    for name, cn, ext in (("server", "localhost", "subjectAltName=DNS:localhost,DNS:example.test,IP:127.0.0.1"),
                          ("client", "pp-client.example", "extendedKeyUsage=clientAuth")):
        openssl("req", *ec, "-keyout", name + ".key", "-out", name + ".csr", "-subj", "/CN=" + cn)
        with open(os.path.join(d, name + ".ext"), "w") as f:
            f.write(ext + "\n")
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", name + ".pem", "-days", "2", "-extfile", name + ".ext")
    with open(os.path.join(d, "server-bundle.pem"), "w") as out:
        for part in ("server.pem", "server.key"):
            with open(os.path.join(d, part)) as f:
                out.write(f.read())
    return {k: os.path.join(d, v) for k, v in (("ca", "ca.pem"), ("server_bundle", "server-bundle.pem"),
                                                ("client_cert", "client.pem"), ("client_key", "client.key"))}


# ---------------------------------------------------------------- split relay

class SplitRelay:
    """Forwards connections to `target`, cutting the first bytes of each into
    small pieces with pauses in between, so that the receiver gets the header
    in several reads. Records how many pieces each connection's start took."""

    PIECES = (5, 9, 11, 7)  # cuts the first 32 bytes: inside the v1 line, the v2 fixed part and address block

    def __init__(self, target, pause=0.05):
        self.target = target
        self.pause = pause
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.pieces_sent = []
        self.stopped = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stopped:
            try:
                upstream, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._relay, args=(upstream,), daemon=True).start()

    def _relay(self, upstream):
        try:
            downstream = socket.create_connection(self.target, timeout=10)
        except OSError:
            upstream.close()
            return
        for s in (upstream, downstream):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            s.settimeout(30)
        back = threading.Thread(target=self._pump, args=(downstream, upstream, False), daemon=True)
        back.start()
        self._pump(upstream, downstream, True)
        back.join(30)
        upstream.close()
        downstream.close()

    def _pump(self, src, dst, split):
        todo = list(self.PIECES) if split else []
        pending = b""
        pieces = 0
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                pending += data
                while todo and len(pending) >= todo[0]:
                    dst.sendall(pending[:todo[0]])
                    pending = pending[todo.pop(0):]
                    pieces += 1
                    time.sleep(self.pause)
                if not todo and pending:
                    dst.sendall(pending)
                    pending = b""
            if pending:
                dst.sendall(pending)
            dst.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        if split:
            self.pieces_sent.append(pieces)

    def stop(self):
        self.stopped = True
        self.listener.close()


# ---------------------------------------------------------------- senders

HAPROXY_CASES = [
    # (name, bind family, TLS client: None / "plain" / "cert", server-line options, via relay)
    ("send-proxy", "4", None, "send-proxy", False),
    ("send-proxy-v2", "4", None, "send-proxy-v2", False),
    ("send-proxy-v2 crc32c,unique-id", "4", None, "send-proxy-v2 proxy-v2-options crc32c,unique-id", False),
    ("send-proxy over IPv6", "6", None, "send-proxy", False),
    ("send-proxy-v2 over IPv6", "6", None, "send-proxy-v2", False),
    ("send-proxy-v2-ssl", "4", "plain", "send-proxy-v2-ssl", False),
    ("send-proxy-v2-ssl-cn with proxy-v2-options", "4", "cert",
     "send-proxy-v2-ssl-cn proxy-v2-options ssl-cipher,cert-sig,cert-key,authority,crc32c,unique-id", False),
    ("send-proxy split by a relay", "4", None, "send-proxy", True),
    ("send-proxy-v2-ssl-cn with options split by a relay", "4", "cert",
     "send-proxy-v2-ssl-cn proxy-v2-options authority,crc32c,unique-id", True),
]


def start_haproxy(tmp, cases, server_port, relay_port, certs):
    """One haproxy with a frontend per case; returns (process, {case: (host, port)})."""
    for _attempt in range(3):
        lines = ["# private instance written by examples_interop.py; loopback only",
                 "global", "    log stdout format raw local0 info", "    nbthread 1", "    maxconn 64",
                 "defaults", "    mode tcp", "    log global", "    timeout connect 3s", "    timeout client 10s",
                 "    timeout server 10s"]
        frontends, used = {}, set()
        for i, (name, family, tls, server_options, via_relay) in enumerate(cases):
            host = "::1" if family == "6" else "127.0.0.1"
            port = judge.free_port(host, socket.AF_INET6 if family == "6" else socket.AF_INET, used)
            used.add(port)
            frontends[name] = (host, port)
            bind = "[::1]" if family == "6" else "127.0.0.1"
            tls_bind = (" ssl crt %s ca-file %s verify optional alpn h2,http/1.1" % (certs["server_bundle"], certs["ca"])
                        if tls else "")
            target = relay_port if via_relay else server_port
            lines += ["frontend f%d" % i, "    bind %s:%d%s" % (bind, port, tls_bind),
                      "    unique-id-format pp-uid-%cp", "    default_backend b%d" % i,
                      "backend b%d" % i, "    server s 127.0.0.1:%d %s" % (target, server_options)]
        cfg = os.path.join(tmp, "haproxy.cfg")
        with open(cfg, "w") as f:
            f.write("\n".join(lines) + "\n")
        proc = judge.Proc(["haproxy", "-db", "-f", cfg], os.path.join(tmp, "haproxy.log"), tmp)
        if wait_listening(proc, [(p, h == "::1") for h, p in frontends.values()]):
            return proc, frontends
        proc.stop()
    with open(os.path.join(tmp, "haproxy.log"), "rb") as f:
        raise RuntimeError("haproxy did not start: " + f.read()[-2000:].decode("utf-8", "replace"))


def start_nginx(tmp, server_port, relay_port, with_ipv6):
    """nginx's stream module sending v1 headers; returns (process, {case: (host, port)})."""
    for _attempt in range(3):
        cases = [("stream proxy_protocol", "127.0.0.1", server_port),
                 ("stream proxy_protocol split by a relay", "127.0.0.1", relay_port)]
        if with_ipv6:
            cases.append(("stream proxy_protocol over IPv6", "::1", server_port))
        frontends, servers, used = {}, [], set()
        for name, host, target in cases:
            port = judge.free_port(host, socket.AF_INET6 if ":" in host else socket.AF_INET, used)
            used.add(port)
            frontends[name] = (host, port)
            bind = "[::1]" if ":" in host else host
            servers.append("    server { listen %s:%d; proxy_pass 127.0.0.1:%d; proxy_protocol on; }"
                           % (bind, port, target))
        for d in ("logs", "temp"):
            os.makedirs(os.path.join(tmp, d), exist_ok=True)
        cfg = os.path.join(tmp, "nginx.conf")
        with open(cfg, "w") as f:
            f.write("\n".join([
                "# private instance written by examples_interop.py; loopback only",
                "load_module %s;" % NGINX_STREAM_MODULE, "worker_processes 1;", "master_process off;",
                "daemon off;", "pid %s/nginx.pid;" % tmp, "error_log %s/logs/error.log info;" % tmp,
                "events { worker_connections 64; }", "stream {"] + servers + ["}"]) + "\n")
        proc = judge.Proc(["nginx", "-p", tmp + "/", "-c", cfg, "-e", tmp + "/logs/error.log"],
                          os.path.join(tmp, "nginx.out"), tmp)
        if wait_listening(proc, [(p, ":" in h) for h, p in frontends.values()]):
            return proc, frontends
        proc.stop()
    raise RuntimeError("nginx did not start")


def client_exchange(frontend, payload, tls=None, certs=None):
    """Connects (through TLS when asked), sends `payload`, reads the echo.
    Returns (client endpoint (address, port), echo, TLS cipher name or None)."""
    host, port = frontend
    s = connect(host, port)
    local = s.getsockname()[:2]
    cipher = None
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.load_verify_locations(certs["ca"])
        context.set_alpn_protocols(["h2"])
        context.minimum_version = ssl.TLSVersion.TLSv1_3
        if tls == "cert":
            context.load_cert_chain(certs["client_cert"], certs["client_key"])
        s = context.wrap_socket(s, server_hostname="example.test")
        cipher = s.cipher()[0]
    s.sendall(payload)
    echo = recv_exactly(s, len(payload))
    s.close()
    return local, echo, cipher


def expected_for_haproxy(name, family, tls, server_options, client, frontend, cipher):
    f = {"event": "header", "version": "1" if server_options.startswith("send-proxy ") or
         server_options == "send-proxy" else "2", "command": "proxy", "from": "header",
         "family": "inet6" if family == "6" else "inet", "src": endpoint_text(*client), "dst": endpoint_text(*frontend)}
    if f["version"] == "2" and not tls and "proxy-v2-options" not in server_options:
        f["tlvs"] = "-"
    if "crc32c" in server_options:
        f["crc32c"] = PRESENT
    if "unique-id" in server_options:
        f["unique_id"] = "pp-uid-%d" % client[1]
    if tls:
        f.update({"alpn": "h2", "ssl_version": "TLSv1.3", "ssl_verify": "0",
                  "ssl_client": "0x07" if tls == "cert" else "0x01"})
    if "ssl-cn" in server_options:
        f["ssl_cn"] = "pp-client.example"
    if "authority" in server_options:
        f["authority"] = "example.test"
    if "ssl-cipher" in server_options:
        f["ssl_cipher"] = cipher
    if "cert-sig" in server_options:
        f["ssl_sig_alg"] = "ecdsa-with-SHA256"
    if "cert-key" in server_options:
        f["ssl_key_alg"] = "EC256"
    return f


def test_senders(checks, servers):
    require([("haproxy", "haproxy"), ("nginx", "nginx-light"), ("curl", "curl"), ("openssl", "openssl")])
    with_ipv6 = ipv6_loopback_available()
    cases = [c for c in HAPROXY_CASES if with_ipv6 or c[1] == "4"]
    tmp = tempfile.mkdtemp(prefix="pp-examples-interop.")
    try:
        certs = make_certificates(tmp)
        for binary in servers:
            name = os.path.basename(binary)
            run_dir = os.path.join(tmp, name)
            os.makedirs(run_dir)
            with ExampleProcess([binary, "--header-timeout", "3"]) as server:
                host, port = server.listening()
                relay = SplitRelay((host, port))
                haproxy, frontends = start_haproxy(run_dir, cases, port, relay.port, certs)
                try:
                    for case in cases:
                        case_name, family, tls, server_options, via_relay = case
                        what = "%s <- haproxy %s" % (name, case_name)
                        pieces_before = len(relay.pieces_sent)
                        payload = ("hello through haproxy %s\n" % case_name).encode()
                        # Only lines from now on: an earlier case's client may have had the same
                        # source port (the kernel reuses it towards another destination).
                        count = len(server.lines)
                        client, echo, cipher = client_exchange(frontends[case_name], payload, tls, certs)
                        line = server.wait_line(lambda f: f["event"] in ("header", "reject") and
                                                f.get("src") == endpoint_text(*client), 10, after=count)
                        fields_match(checks, line, expected_for_haproxy(case_name, family, tls, server_options, client,
                                                                        frontends[case_name], cipher),
                                     what + ": addresses and TLVs as configured")
                        checks.check(echo == payload, what + ": the client's bytes come back intact", repr(echo))
                        if via_relay:
                            judge.wait_for(lambda: len(relay.pieces_sent) > pieces_before, 5.0)
                            checks.check(relay.pieces_sent[pieces_before:pieces_before + 1] == [4],
                                         what + ": the header arrived in pieces", repr(relay.pieces_sent))
                finally:
                    haproxy.stop()

                nginx, frontends = start_nginx(run_dir, port, relay.port, with_ipv6)
                try:
                    for case_name, frontend in frontends.items():
                        what = "%s <- nginx %s" % (name, case_name)
                        payload = ("hello through nginx %s\n" % case_name).encode()
                        count = len(server.lines)
                        client, echo, _ = client_exchange(frontend, payload)
                        line = server.wait_line(lambda f: f["event"] in ("header", "reject") and
                                                f.get("src") == endpoint_text(*client), 10, after=count)
                        fields_match(checks, line, {"event": "header", "version": "1", "from": "header",
                                                    "family": "inet6" if ":" in frontend[0] else "inet",
                                                    "dst": endpoint_text(*frontend)},
                                     what + ": addresses as configured")
                        checks.check(echo == payload, what + ": the client's bytes come back intact", repr(echo))
                finally:
                    nginx.stop()
                relay.stop()
                test_curl(checks, server, name, host, port)
            if with_ipv6:
                with ExampleProcess([binary, "--listen", "[::1]:0", "--trust", "::1"]) as server6:
                    host6, port6 = server6.listening()
                    test_curl(checks, server6, name, host6, port6)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_curl(checks, server, name, host, port):
    """curl --haproxy-protocol announces its own connection in a v1 line; the
    echoed request comes back as an HTTP/0.9 body (curl stops at --max-time)."""
    what = "%s <- curl --haproxy-protocol over %s" % (name, "IPv6" if ":" in host else "IPv4")
    count = len(server.lines)
    url = "http://%s/pp-curl-check" % endpoint_text(host, port)
    _, out, err = run(["curl", "--haproxy-protocol", "--http0.9", "-s", "-N", "--max-time", "1.5", url], timeout=10)
    line = server.wait_line(lambda f: f["event"] in ("header", "reject"), 5, after=count)
    fields_match(checks, line, {"event": "header", "version": "1", "from": "header",
                                "family": "inet6" if ":" in host else "inet", "dst": endpoint_text(host, port),
                                "src": line and line.get("peer")}, what + ": its own addresses")
    checks.check(b"GET /pp-curl-check HTTP/1.1\r\n" in out, what + ": the request after the header comes back",
                 repr(out[:100]))


# ---------------------------------------------------------------- ppsend -> receivers

PPSEND_CASES = [
    # (name, ppsend arguments, src, dst, TLVs [(type, value)] as the receiver must see them)
    ("v1 TCP4", ["--v1", "--src", "192.0.2.1:5000", "--dst", "198.51.100.2:443"],
     ("192.0.2.1", 5000), ("198.51.100.2", 443), []),
    ("v1 TCP6", ["--v1", "--src", "[2001:db8::1]:65535", "--dst", "[2001:db8::2]:1"],
     ("2001:db8::1", 65535), ("2001:db8::2", 1), []),
    ("v2 IPv4 with AUTHORITY, UNIQUE_ID and CRC32C",
     ["--src", "203.0.113.7:40000", "--dst", "198.51.100.9:8443", "--authority", "example.com",
      "--unique-id", "request-1", "--crc32c"],
     ("203.0.113.7", 40000), ("198.51.100.9", 8443), [(2, b"example.com"), (5, b"request-1"), (3, None)]),
    ("v2 IPv6 with ALPN, SSL and a custom TLV",
     ["--src", "[2001:db8::7]:1234", "--dst", "[2001:db8::8]:443", "--alpn", "h2", "--ssl-version", "TLSv1.3",
      "--ssl-cn", "client.example", "--tlv", "0xE0=00112233"],
     ("2001:db8::7", 1234), ("2001:db8::8", 443),
     [(1, b"h2"), (0x20, ssl_value(0x07, 0, [(0x21, b"TLSv1.3"), (0x22, b"client.example")])),
      (0xE0, b"\x00\x11\x22\x33")]),
    ("v2 mixed families", ["--src", "192.0.2.1:5000", "--dst", "[2001:db8::2]:443", "--authority", "mixed.example"],
     ("::ffff:192.0.2.1", 5000), ("2001:db8::2", 443), [(2, b"mixed.example")]),
]


def live_ppsend(ppsend, receiver, args, tag):
    """Runs ppsend against a judge.py receiver with an HTTP request on stdin;
    returns (exit status, the receiver's echo line as dict or None, stdout)."""
    status, out, err = run([ppsend] + args + [receiver.host, str(receiver.port)], stdin=judge.http_request(tag),
                           timeout=15)
    echo = judge.parse_echo(out)
    if echo is not None and echo.get("path") != judge.REQ_PREFIX + tag:
        echo = None
    return status, echo, out


def addresses_match(echo, keys, src, dst):
    a, p, b, q = keys
    return (echo is not None and judge.same_addr(echo.get(a), src[0]) and judge.to_port(echo.get(p)) == src[1]
            and judge.same_addr(echo.get(b), dst[0]) and judge.to_port(echo.get(q)) == dst[1])


def test_ppsend_receivers(checks, ppsend):
    require([("haproxy", "haproxy"), ("nginx", "nginx-light"), ("tshark", "tshark")])
    tmp = tempfile.mkdtemp(prefix="pp-examples-ppsend.")
    try:
        for receiver_name in ("haproxy", "nginx"):
            d = os.path.join(tmp, receiver_name)
            os.makedirs(d)
            receiver = judge.Haproxy(d, False, 3.0) if receiver_name == "haproxy" else judge.Nginx(d, False, 3.0)
            receiver.start()
            try:
                keys = ("ci", "cp", "fi", "fp") if receiver_name == "haproxy" else ("pa", "pp", "sa", "sp")
                for i, (name, args, src, dst, tlvs) in enumerate(PPSEND_CASES):
                    what = "ppsend %s -> %s" % (name, receiver_name)
                    status, echo, out = live_ppsend(ppsend, receiver, args, "case-%d" % i)
                    checks.check(status == 0 and addresses_match(echo, keys, src, dst),
                                 what + ": accepted with the given addresses", "exit %s, %r" % (status, out[:300]))
                    if receiver_name == "haproxy" and echo is not None:
                        want = dict(tlvs)
                        checks.check(judge.clean_hex(echo.get("authority")) == (want[2].hex() if 2 in want else None)
                                     and judge.clean_hex(echo.get("unique_id")) == (want[5].hex() if 5 in want else None),
                                     what + ": AUTHORITY and UNIQUE_ID as given", repr(echo))
                # Without --src/--dst ppsend announces its own connection.
                status, echo, out = live_ppsend(ppsend, receiver, ["--authority", "own.example"], "own")
                checks.check(status == 0 and echo is not None and
                             judge.same_addr(echo.get(keys[0]), "127.0.0.1") and
                             judge.to_port(echo.get(keys[3])) == receiver.port,
                             "ppsend with its own addresses -> %s" % receiver_name, repr(out[:300]))
                if receiver_name == "haproxy":
                    receiver.tail.skip_to_end()
                    status, echo, out = live_ppsend(ppsend, receiver, ["--src", "192.0.2.1:5000", "--dst",
                                                                       "198.51.100.2:443", "--tlv", "3=deadbeef"],
                                                    "bad-crc")
                    logged = []
                    judge.wait_for(lambda: logged.extend(ln for ln in receiver.tail.new_lines()
                                                         if ln.startswith(judge.LOG_TAG)) or logged, 3.0)
                    log = judge.kv_fields(logged[0]) if logged else {}
                    checks.check(echo is None and out == b"" and log.get("kind") == "err" and
                                 log.get("fc_err") not in (None, "0"),
                                 "ppsend with a wrong CRC32C -> haproxy: refused",
                                 "reply %r, log %r" % (out[:100], logged[:1]))
            finally:
                receiver.stop()

        # Dry-run headers through the project's harness, tshark included.
        cases = os.path.join(tmp, "cases")
        os.makedirs(cases)
        # Wireshark 4.0 stops reading TLVs at the absolute offset given by the
        # length field; a trailing 16-byte NOOP makes it show every TLV before it.
        noop = (["--tlv", "4=" + "00" * 16], [(4, bytes(16))])
        accept_all = {"haproxy": "accept", "nginx": "accept", "tshark": "accept"}
        dry_runs = [(name, args, src, dst, tlvs, accept_all) for name, args, src, dst, tlvs in PPSEND_CASES]
        dry_runs += [(name + " + NOOP", args + noop[0], src, dst, tlvs + noop[1], accept_all)
                     for name, args, src, dst, tlvs in PPSEND_CASES if "--v1" not in args]
        wrong_crc = (["--src", "192.0.2.1:5000", "--dst", "198.51.100.2:443", "--tlv", "3=deadbeef"],
                     ("192.0.2.1", 5000), ("198.51.100.2", 443), [(3, b"\xde\xad\xbe\xef")])
        dry_runs.append(("wrong CRC32C + NOOP", wrong_crc[0] + noop[0], wrong_crc[1], wrong_crc[2],
                         wrong_crc[3] + noop[1], {"haproxy": "reject", "nginx": "accept", "tshark": "accept"}))
        for i, (name, args, src, dst, tlvs, expect) in enumerate(dry_runs):
            status, header, err = run([ppsend, "--dry-run"] + args)
            if checks.check(status == 0, "ppsend --dry-run %s" % name, err.decode()):
                write_case(cases, "ppsend-%02d" % i, header, expect, src, dst, tlvs)
        status, out, err = run([sys.executable, os.path.join(HERE, "run_interop.py"), cases], timeout=120)
        sys.stdout.write(out.decode("utf-8", "replace"))
        checks.check(status == 0, "run_interop.py: haproxy, nginx and tshark agree with ppsend --dry-run",
                     err.decode("utf-8", "replace")[-500:])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def write_case(directory, name, header, expect, src, dst, tlvs):
    """NAME.bin and NAME.expect.json for run_interop.py; a CRC32C placeholder
    takes its value from the same header built independently (pp_testlib)."""
    with open(os.path.join(directory, name + ".bin"), "wb") as f:
        f.write(header)
    entries = []
    for t, v in tlvs:
        if t == 3 and v is None:
            v = crc_value(v2(src, dst, tlvs=tlvs))
        entries.append({"type": t, "value_hex": v.hex()})
    with open(os.path.join(directory, name + ".expect.json"), "w") as f:
        json.dump({"expect": expect, "src_addr": src[0], "src_port": src[1], "dst_addr": dst[0],
                   "dst_port": dst[1], "tlvs": entries}, f)


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=("senders", "ppsend"))
    ap.add_argument("--server", action="append", default=[])
    ap.add_argument("--ppsend")
    ap.add_argument("--time-limit", type=float, default=240)
    a = ap.parse_args()
    checks = Checks("examples interop " + a.what)

    def on_alarm(*_):
        raise TimeoutError("overall time limit of %gs reached" % a.time_limit)

    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(int(a.time_limit))
    try:
        if a.what == "senders":
            test_senders(checks, a.server)
        else:
            test_ppsend_receivers(checks, a.ppsend)
    except Exception as e:  # an unexpected error is a failure; processes still stop
        checks.check(False, "unexpected error", "%s: %s" % (type(e).__name__, e))
        import traceback
        traceback.print_exc()
    finally:
        signal.alarm(0)
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
