#!/usr/bin/env python3
"""Behaviour tests of the examples, on loopback, without third-party software.

  test_examples.py ppsend --ppsend PATH
  test_examples.py server --server PATH --ppsend PATH     (blocking_server, epoll_server, asio_server)
  test_examples.py udp    --server PATH --ppsend PATH     (udp_receiver)

Every expected header is built here, independently of the C++ library
(pp_testlib.py), and every server runs on 127.0.0.1 (or ::1) on a port it
picks itself, stopped by its PID at the end. Prints PASS/FAIL per check;
exit status 1 if any check failed.
"""

import argparse
import hashlib
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pp_testlib import (V1_UNKNOWN, V2_SIGNATURE, Checks, ExampleProcess, closed_by_peer, connect,  # noqa: E402
                        crc_value, endpoint_text, escaped, ipv6_loopback_available, recv_exactly, run,
                        send_in_pieces, ssl_value, tlv_list_text, v1, v2)

SRC4, DST4 = ("192.0.2.1", 5000), ("198.51.100.2", 443)
SRC6, DST6 = ("2001:db8::1", 5000), ("2001:db8::2", 443)
ADDR4 = ["--src", "192.0.2.1:5000", "--dst", "198.51.100.2:443"]
ADDR6 = ["--src", "[2001:db8::1]:5000", "--dst", "[2001:db8::2]:443"]
SSL_FULL = ssl_value(0x07, 0, [(0x21, b"TLSv1.3"), (0x22, b"client.example"), (0x23, b"TLS_AES_128_GCM_SHA256")])


# ---------------------------------------------------------------- ppsend

DRY_RUN_CASES = [
    # (what, arguments, expected bytes)
    ("v2 IPv4 without TLVs is the default", ADDR4, v2(SRC4, DST4)),
    ("--v2 IPv4 without TLVs", ["--v2"] + ADDR4, v2(SRC4, DST4)),
    ("v2 IPv6 with UNIQUE_ID, ALPN, AUTHORITY in the order given",
     ADDR6 + ["--unique-id", "id-42", "--alpn", "h2", "--authority", "example.com"],
     v2(SRC6, DST6, tlvs=[(5, b"id-42"), (1, b"h2"), (2, b"example.com")])),
    ("v2 SSL TLV with version, CN and cipher (certificate bits set) and CRC32C",
     ADDR4 + ["--ssl-cn", "client.example", "--ssl-version", "TLSv1.3", "--ssl-cipher", "TLS_AES_128_GCM_SHA256",
              "--crc32c"],
     v2(SRC4, DST4, tlvs=[(0x20, SSL_FULL), (3, None)])),
    ("v2 SSL TLV with a version only: client bit SSL alone",
     ADDR4 + ["--alpn", "http/1.1", "--ssl-version", "TLSv1.2"],
     v2(SRC4, DST4, tlvs=[(1, b"http/1.1"), (0x20, ssl_value(0x01, 0, [(0x21, b"TLSv1.2")]))])),
    ("v2 CRC32C first, then a custom TLV and an empty NOOP",
     ADDR4 + ["--crc32c", "--tlv", "0xE0=0102ff", "--tlv", "4="],
     v2(SRC4, DST4, tlvs=[(3, None), (0xE0, b"\x01\x02\xff"), (4, b"")])),
    ("v2 a raw CRC32C TLV is sent as given (a wrong checksum, to test receivers)",
     ADDR4 + ["--tlv", "3=deadbeef"], v2(SRC4, DST4, tlvs=[(3, b"\xde\xad\xbe\xef")])),
    ("v2 an SSL TLV too short for client + verify is sent as given",
     ADDR4 + ["--tlv", "0x20=0100"], v2(SRC4, DST4, tlvs=[(0x20, b"\x01\x00")])),
    ("v2 NETNS and a decimal TLV type", ADDR4 + ["--netns", "blue", "--tlv", "234=01767063"],
     v2(SRC4, DST4, tlvs=[(0x30, b"blue"), (0xEA, b"\x01vpc")])),
    ("v2 mixed families: IPv6 with the IPv4 side mapped",
     ["--src", "192.0.2.1:5000", "--dst", "[2001:db8::2]:443"], v2(SRC4, DST6)),
    ("v2 LOCAL has no addresses", ["--local"], V2_SIGNATURE + b"\x20\x00\x00\x00"),
    ("v2 LOCAL with a TLV", ["--local", "--authority", "a"], V2_SIGNATURE + b"\x20\x00\x00\x04\x02\x00\x01a"),
    ("v2 UDP over IPv4", ["--udp"] + ADDR4, v2(SRC4, DST4, transport=2)),
    ("v2 UDP over IPv6", ["--udp"] + ADDR6, v2(SRC6, DST6, transport=2)),
    ("v1 TCP4", ["--v1"] + ADDR4, v1(SRC4, DST4)),
    ("v1 TCP6", ["--v1"] + ADDR6, v1(SRC6, DST6)),
    ("v1 LOCAL is PROXY UNKNOWN", ["--v1", "--local"], V1_UNKNOWN),
    ("v1 mixed families: TCP6 with the IPv4 side mapped",
     ["--v1", "--src", "192.0.2.1:5000", "--dst", "[2001:db8::2]:443"],
     b"PROXY TCP6 ::ffff:192.0.2.1 2001:db8::2 5000 443\r\n"),
]

USAGE_ERRORS = [
    ("TLVs with v1", ["--dry-run", "--v1", "--alpn", "h2"] + ADDR4),
    ("UDP with v1", ["--dry-run", "--v1", "--udp"] + ADDR4),
    ("--src without --dst", ["--dry-run", "--src", "192.0.2.1:5000"]),
    ("--dry-run without addresses", ["--dry-run"]),
    ("--local with addresses", ["--dry-run", "--local"] + ADDR4),
    ("an address without a port", ["--dry-run", "--src", "192.0.2.1", "--dst", "198.51.100.2:443"]),
    ("an IPv6 address without brackets", ["--dry-run", "--src", "2001:db8::1:5000", "--dst", "[2001:db8::2]:443"]),
    ("a port above 65535", ["--dry-run", "--src", "192.0.2.1:65536", "--dst", "198.51.100.2:443"]),
    ("a TLV type above 255", ["--dry-run", "--tlv", "0x100=00"] + ADDR4),
    ("an odd number of hex digits", ["--dry-run", "--tlv", "0xE0=012"] + ADDR4),
    ("a TLV without '='", ["--dry-run", "--tlv", "0xE0"] + ADDR4),
    ("an unknown option", ["--dry-run", "--bogus"] + ADDR4),
    ("no HOST PORT", ADDR4),
    ("a value missing at the end", ["--dry-run", "--alpn"]),
]


def test_ppsend(checks, ppsend):
    for what, args, expected in DRY_RUN_CASES:
        status, out, err = run([ppsend, "--dry-run"] + args)
        checks.check(status == 0 and out == expected, "ppsend --dry-run: " + what,
                     "exit %s, got %s, expected %s %s" % (status, out.hex(), expected.hex(), err.decode()))

    for what, args in USAGE_ERRORS:
        status, out, err = run([ppsend] + args)
        checks.check(status == 2 and out == b"" and b"usage:" in err, "ppsend refuses " + what,
                     "exit %s, stdout %r, stderr %r" % (status, out[:60], err[:200]))

    status, out, err = run([ppsend, "--dry-run", "--unique-id", "x" * 129] + ADDR4)
    checks.check(status == 1 and out == b"" and b"cannot build" in err,
                 "ppsend refuses a UNIQUE_ID over 128 bytes and writes nothing", "exit %s, %r" % (status, err))

    test_ppsend_live(checks, ppsend, "127.0.0.1")
    if ipv6_loopback_available():
        test_ppsend_live(checks, ppsend, "::1")


def test_ppsend_live(checks, ppsend, host):
    """ppsend against a scripted server: header from its own socket, stdin relayed,
    half-close at the end of stdin, the reply on stdout, exit when the server closes."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    for version_args, with_tlv in (([], True), (["--v1"], False)):
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.bind((host, 0))
        listener.listen(1)
        listener.settimeout(10)
        port = listener.getsockname()[1]
        got = {}

        def serve():
            try:
                conn, peer = listener.accept()
                conn.settimeout(10)
                data = b""
                while True:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break  # ppsend half-closed after stdin ended
                    data += chunk
                got["data"], got["peer"] = data, peer
                conn.sendall(b"pong\n")
                conn.close()
            except OSError as e:
                got["error"] = e

        t = threading.Thread(target=serve)
        t.start()
        tlv_args = ["--authority", "example.com"] if with_tlv else []
        status, out, err = run([ppsend] + version_args + tlv_args + [host, str(port)], stdin=b"ping\n" * 3)
        t.join(15)
        listener.close()
        label = "ppsend %s over %s" % ("v1" if version_args else "v2", "IPv6" if family == socket.AF_INET6 else "IPv4")
        if not checks.check("data" in got, label + ": the server got a connection", repr(got.get("error"))):
            continue
        client = (got["peer"][0], got["peer"][1])
        server = (host, port)
        expected = (v1(client, server) if version_args else v2(client, server, tlvs=[(2, b"example.com")])) + \
            b"ping\n" * 3
        checks.check(got["data"] == expected, label + ": the header announces its own socket, then stdin follows",
                     "got %r expected %r" % (got["data"], expected))
        checks.check(status == 0 and out == b"pong\n", label + ": the reply reaches stdout, exit 0 when closed",
                     "exit %s, stdout %r, stderr %r" % (status, out, err))


# ---------------------------------------------------------------- TCP servers

class Exchange:
    """One connection to a server: header (+ pieces), application bytes, echo."""

    def __init__(self, server, host, port):
        self.server = server
        # Lines from before this connection are not its own, even with the same
        # peer endpoint: the kernel may hand out a source port again.
        self.first_line = len(server.lines)
        self.s = connect(host, port)
        self.local = self.s.getsockname()
        self.peer_text = endpoint_text(self.local[0], self.local[1])

    def header_line(self, timeout=10.0):
        return self.server.wait_line(lambda f: f["event"] in ("header", "reject") and f.get("peer") == self.peer_text,
                                     timeout, after=self.first_line)

    def closed_line(self, timeout=10.0):
        return self.server.wait_line(lambda f: f["event"] == "closed" and f.get("peer") == self.peer_text, timeout,
                                     after=self.first_line)


def expected_header_fields(version, src, dst, header, tlvs=(), transport="stream", size=None):
    f = {"event": "header", "version": str(version), "command": "proxy",
         "src": endpoint_text(*src), "dst": endpoint_text(*dst), "from": "header",
         "size": str(size if size is not None else len(header)), "transport": transport}
    if version == 2:
        f["tlvs"] = tlv_list_text(tlvs, header)
    return f


def exchange_case(checks, server, host, port, what, header, application, expected, cuts=(), pause=0.005):
    """Sends header + application (the header cut at `cuts`), checks the server's
    line and that exactly the application bytes come back, then the close."""
    x = Exchange(server, host, port)
    data = header + application
    send_in_pieces(x.s, data, cuts, pause)  # the header's last piece carries the application bytes
    echo = recv_exactly(x.s, len(application))
    checks.fields_match(x.header_line(), expected, what + ": header decoded")
    checks.check(echo == application, what + ": the bytes after the header come back unharmed",
                 "got %r expected %r" % (echo[:80], application[:80]))
    x.s.shutdown(socket.SHUT_WR)
    checks.check(recv_exactly(x.s, 1) == b"", what + ": the server closes after our end of data")
    checks.fields_match(x.closed_line(), {"echoed": str(len(application))}, what + ": echo count")
    x.s.close()


def reject_case(checks, server, host, port, what, data, reason, quick=True):
    """Sends `data`; the server must refuse the connection with `reason`, send
    nothing, and close (at once when `quick`)."""
    x = Exchange(server, host, port)
    started = time.monotonic()
    x.s.sendall(data)
    closed = closed_by_peer(x.s, 8.0)
    elapsed = time.monotonic() - started
    checks.fields_match(x.header_line(), {"event": "reject", "reason": reason}, what + ": rejected as " + reason)
    checks.check(closed and (not quick or elapsed < 2.9), what + ": closed without an answer, before the timeout",
                 "closed=%s after %.1fs" % (closed, elapsed))
    x.s.close()


def test_server(checks, binary, ppsend):
    name = os.path.basename(binary)
    with ExampleProcess([binary, "--header-timeout", "3"]) as server:
        host, port = server.listening()
        checks.check(host == "127.0.0.1" and port > 0, name + " listens on a free loopback port by default")

        # Started first, checked last: a header that never completes, and a
        # client that never sends a byte (CVE-2021-23409: without a deadline it
        # would hold its descriptor forever).
        stalled = {}
        for what, first_bytes in (("an incomplete header", b"PROXY TCP4 192.0.2.1"), ("an idle client", b"")):
            x = Exchange(server, host, port)
            if first_bytes:
                x.s.sendall(first_bytes)
            outcome = {"started": time.monotonic()}

            def watch(x=x, outcome=outcome):
                outcome["closed"] = closed_by_peer(x.s, 20.0)
                outcome["after"] = time.monotonic() - outcome["started"]

            watcher = threading.Thread(target=watch)
            watcher.start()
            stalled[what] = (x, outcome, watcher)

        tlvs = [(1, b"h2"), (2, b"example.com"), (5, b"id-1"), (0x20, SSL_FULL), (0xE0, b"\x00\xff"), (3, None)]
        h2 = v2(SRC4, DST4, tlvs=tlvs)
        # Application bytes that look like another header must be left alone.
        application = v1(("203.0.113.9", 1), ("203.0.113.10", 2)) + b"hello after the header\n"
        expected = expected_header_fields(2, SRC4, DST4, h2, tlvs)
        expected.update({"alpn": "h2", "authority": "example.com", "unique_id": "id-1", "ssl_client": "0x07",
                         "ssl_verify": "0", "ssl_version": "TLSv1.3", "ssl_cn": "client.example",
                         "ssl_cipher": "TLS_AES_128_GCM_SHA256", "crc32c": "0x" + crc_value(h2).hex(),
                         "family": "inet"})
        exchange_case(checks, server, host, port, name + " v2 with TLVs and data in one write", h2, application,
                      expected)
        exchange_case(checks, server, host, port, name + " v2 sent one byte at a time", h2, application, expected,
                      cuts=range(1, len(h2)))
        for cuts in ([12], [15], [16], [17], [15, 16, 28], [len(h2) - 1]):
            exchange_case(checks, server, host, port, "%s v2 split at %s" % (name, cuts), h2, application,
                          expected, cuts=cuts, pause=0.05)

        h6 = v2(SRC6, DST6, tlvs=[(4, b"\0" * 300)])
        exchange_case(checks, server, host, port, name + " v2 IPv6 with 300 bytes of NOOP", h6, b"x",
                      expected_header_fields(2, SRC6, DST6, h6, [(4, b"\0" * 300)]), cuts=[16, 100, 200])

        l1 = v1(SRC4, DST4)
        e1 = expected_header_fields(1, SRC4, DST4, l1)
        exchange_case(checks, server, host, port, name + " v1 TCP4 and data in one write", l1, b"GET / HTTP/1.0\r\n\r\n",
                      e1)
        exchange_case(checks, server, host, port, name + " v1 sent one byte at a time", l1, b"data", e1,
                      cuts=range(1, len(l1)))
        exchange_case(checks, server, host, port, name + " v1 split between CR and LF", l1, b"data", e1,
                      cuts=[len(l1) - 1], pause=0.05)
        l6 = v1(("2001:db8::1", 65535), ("::ffff:198.51.100.2", 1))
        exchange_case(checks, server, host, port, name + " v1 TCP6 with an IPv4-mapped address", l6, b"z",
                      expected_header_fields(1, ("2001:db8::1", 65535), ("::ffff:198.51.100.2", 1), l6))

        # No addresses in the header: the socket's own are the real ones.
        for what, header in (("v1 UNKNOWN", V1_UNKNOWN), ("v2 LOCAL", V2_SIGNATURE + b"\x20\x00\x00\x00")):
            x = Exchange(server, host, port)
            x.s.sendall(header + b"ping")
            echo = recv_exactly(x.s, 4)
            checks.fields_match(x.header_line(), {"event": "header", "src": x.peer_text,
                                                  "dst": endpoint_text(host, port), "from": "socket"},
                                "%s %s: the connection's own addresses are used" % (name, what))
            checks.check(echo == b"ping", "%s %s: data echoed" % (name, what))
            x.s.close()

        # Never guess: no header, or a bad one, means no service.
        reject_case(checks, server, host, port, name + " plain HTTP", b"GET / HTTP/1.0\r\n\r\n", "not_proxy_header")
        bad_crc = bytearray(v2(SRC4, DST4, tlvs=[(3, None)]))
        bad_crc[-1] ^= 0x01
        reject_case(checks, server, host, port, name + " wrong CRC32C", bytes(bad_crc), "v2_crc32c_mismatch")
        reject_case(checks, server, host, port, name + " v1 with leading zeros",
                    b"PROXY TCP4 192.0.2.01 198.51.100.2 5000 443\r\n", "v1_bad_address")
        reject_case(checks, server, host, port, name + " v2 version 1", V2_SIGNATURE + b"\x11\x11\x00\x0c",
                    "v2_bad_version")
        # The cap: refused from the 16 fixed bytes alone, without waiting for the rest.
        reject_case(checks, server, host, port, name + " v2 announcing 5000 bytes (cap 4096)",
                    V2_SIGNATURE + b"\x21\x11" + (5000).to_bytes(2, "big"), "v2_header_too_large")
        x = Exchange(server, host, port)
        x.s.sendall(b"PROXY TC")
        x.s.shutdown(socket.SHUT_WR)
        checks.fields_match(x.header_line(), {"event": "reject", "reason": "closed_before_header"},
                            name + " closing before the header is complete")
        x.s.close()

        # Many connections at once, their headers interleaved piece by piece.
        conns = [Exchange(server, host, port) for _ in range(40)]
        headers = [v2(("192.0.2.%d" % (i + 1), 10000 + i), DST4, tlvs=[(5, b"conn-%d" % i)]) if i % 2 else
                   v1(("192.0.2.%d" % (i + 1), 10000 + i), DST4) for i, _ in enumerate(conns)]
        for start in range(0, max(len(h) for h in headers), 7):
            for c, h in zip(conns, headers):
                if start < len(h):
                    c.s.sendall(h[start:start + 7])
            time.sleep(0.002)
        for i, c in enumerate(conns):
            c.s.sendall(b"payload of connection %d\n" % i)
        all_ok = True
        for i, c in enumerate(conns):
            echo = recv_exactly(c.s, len(b"payload of connection %d\n" % i))
            line = c.header_line()
            all_ok &= echo == b"payload of connection %d\n" % i and line is not None and \
                line.get("src") == "192.0.2.%d:%d" % (i + 1, 10000 + i)
            c.s.close()
        checks.check(all_ok, name + " 40 interleaved connections each get their own header and data")

        # A lot of data after the header: the echo is complete and in order.
        x = Exchange(server, host, port)
        big = os.urandom(3 * 1024 * 1024)
        sender = threading.Thread(target=lambda: x.s.sendall(h2 + big))
        sender.start()
        echo = recv_exactly(x.s, len(big), timeout=60)
        sender.join(60)
        checks.check(hashlib.sha256(echo).digest() == hashlib.sha256(big).digest(),
                     name + " 3 MiB after the header are echoed intact", "got %d bytes" % len(echo))
        x.s.close()

        # ppsend against the server: its own addresses announced, stdin echoed to stdout.
        count = len(server.lines)
        status, out, err = run([ppsend, "--authority", "ppsend.example", host, str(port)], stdin=b"one\ntwo\n")
        line = server.wait_line(lambda f: f["event"] == "header" and f.get("authority") == "ppsend.example",
                                after=count)
        checks.check(status == 0 and out == b"one\ntwo\n", name + " ppsend: stdin comes back on stdout",
                     "exit %s, %r %r" % (status, out, err))
        checks.fields_match(line, {"dst": endpoint_text(host, port), "from": "header", "src": line and line.get("peer")},
                            name + " ppsend: announces its own connection")

        # The stalled clients: closed once the timeout is over, not before.
        for what, (x, outcome, watcher) in stalled.items():
            watcher.join(25)
            closed, elapsed = outcome.get("closed"), outcome.get("after", -1)
            checks.fields_match(x.header_line(1.0), {"event": "reject", "reason": "header_timeout"},
                                "%s %s times out" % (name, what))
            checks.check(closed and 2.5 <= elapsed <= 9.0, "%s %s: the timeout is the configured 3 s" % (name, what),
                         "closed=%s after %.1fs" % (closed, elapsed))
            x.s.close()

    # Only listed proxies: everyone else is refused before a byte is read.
    with ExampleProcess([binary, "--trust", "192.0.2.0/24", "--trust", "2001:db8::/32"]) as server:
        host, port = server.listening()
        checks.check("trust=192.0.2.0/24,2001:db8::/32" in server.lines[0], name + " prints its trusted proxies")
        reject_case(checks, server, host, port, name + " a peer outside --trust", v1(SRC4, DST4) + b"x",
                    "untrusted_peer")

    if ipv6_loopback_available():
        with ExampleProcess([binary, "--listen", "[::1]:0", "--trust", "::1/128"]) as server:
            host, port = server.listening()
            exchange_case(checks, server, host, port, name + " over IPv6 loopback", h2, b"six",
                          dict(expected_header_fields(2, SRC4, DST4, h2, tlvs)))

    for bad in (["--header-timeout", "2"], ["--max-header", "100"], ["--trust", "10.0.0.1/8"], ["--listen", "::1:0"],
                ["--bogus"]):
        status, out, err = run([binary] + bad)
        checks.check(status == 2 and b"usage:" in err, "%s refuses %s" % (name, " ".join(bad)),
                     "exit %s %r" % (status, err[:200]))


# ---------------------------------------------------------------- UDP

def test_udp(checks, binary, ppsend):
    with ExampleProcess([binary]) as receiver:
        host, port = receiver.listening()
        checks.check(receiver.lines[0].startswith("listening udp 127.0.0.1:"), "udp_receiver listens on loopback UDP")
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(5)
        s.bind(("127.0.0.1", 0))
        me = endpoint_text(*s.getsockname())

        def datagram_case(what, data, expect_fields, echo):
            count = len(receiver.lines)
            s.sendto(data, (host, port))
            line = receiver.wait_line(lambda f: f.get("peer") == me and f["event"] in ("header", "reject"), 10,
                                      after=count)
            checks.fields_match(line, expect_fields, "udp_receiver " + what)
            if echo is not None:
                try:
                    reply = s.recv(65536)
                except socket.timeout:
                    reply = None
                checks.check(reply == echo, "udp_receiver " + what + ": payload echoed", "got %r" % reply)

        tlvs = [(1, b"h3"), (3, None)]
        h = v2(SRC4, DST4, transport=2, tlvs=tlvs)
        datagram_case("v2 UDP header and payload in one datagram", h + b"payload one",
                      dict(expected_header_fields(2, SRC4, DST4, h, tlvs, transport="dgram"),
                           payload="payload\\x20one", payload_size="11"), b"payload one")
        datagram_case("every datagram is parsed on its own", h + b"two", {"event": "header", "payload": "two"}, b"two")
        h6 = v2(SRC6, DST6, transport=2)
        datagram_case("v2 UDP over IPv6 addresses", h6 + b"",
                      dict(expected_header_fields(2, SRC6, DST6, h6, transport="dgram"), payload_size="0"), b"")
        datagram_case("a header cut short in its datagram is refused", h[:20], {"event": "reject",
                                                                                 "reason": "truncated_header"}, None)
        datagram_case("v1 is TCP only", v1(SRC4, DST4) + b"x", {"event": "reject", "reason": "v1_over_udp"}, None)
        datagram_case("a datagram without a header", b"hello", {"event": "reject", "reason": "not_proxy_header"}, None)
        bad = bytearray(h + b"x")
        bad[len(h) - 1] ^= 0xFF  # the checksum's last byte
        datagram_case("a wrong CRC32C", bytes(bad), {"event": "reject", "reason": "v2_crc32c_mismatch"}, None)
        s.settimeout(0.3)
        try:
            stray = s.recv(65536)
        except socket.timeout:
            stray = None
        checks.check(stray is None, "udp_receiver answers nothing to refused datagrams", repr(stray))
        s.close()

        # ppsend --udp: one datagram per line, its own addresses, replies on stdout.
        count = len(receiver.lines)
        status, out, err = run([ppsend, "--udp", "--alpn", "h3", "--linger", "2", host, str(port)],
                               stdin=b"first line\nsecond\nlast without newline")
        checks.check(status == 0 and out == b"first line\nsecond\nlast without newline\n",
                     "ppsend --udp: each line is a datagram and each reply a line", "exit %s %r %r" % (status, out,
                                                                                                        err))
        lines = [receiver.wait_line(lambda f, p=p: f["event"] == "header" and f.get("payload") == p, 5, after=count)
                 for p in ("first\\x20line", "second", "last\\x20without\\x20newline")]
        checks.check(all(f is not None and f.get("transport") == "dgram" and f.get("alpn") == "h3" and
                         f.get("src") == f.get("peer") and f.get("dst") == endpoint_text(host, port)
                         for f in lines), "ppsend --udp: a DGRAM header with its own addresses in every datagram",
                     repr(lines))

    with ExampleProcess([binary, "--trust", "10.0.0.0/8"]) as receiver:
        host, port = receiver.listening()
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(0.5)
        s.bind(("127.0.0.1", 0))
        s.sendto(v2(SRC4, DST4, transport=2) + b"x", (host, port))
        line = receiver.wait_line(lambda f: f["event"] == "reject", 5)
        checks.fields_match(line, {"reason": "untrusted_peer", "peer": endpoint_text(*s.getsockname())},
                            "udp_receiver drops datagrams from untrusted peers")
        try:
            reply = s.recv(100)
        except socket.timeout:
            reply = None
        checks.check(reply is None, "udp_receiver answers nothing to untrusted peers")
        s.close()
    status, _, err = run([binary, "--header-timeout", "5"])
    checks.check(status == 2, "udp_receiver has no header timeout option", err.decode()[:100])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=("ppsend", "server", "udp"))
    ap.add_argument("--server")
    ap.add_argument("--ppsend", required=True)
    a = ap.parse_args()
    checks = Checks("%s %s" % (a.what, os.path.basename(a.server or a.ppsend)))
    try:
        if a.what == "ppsend":
            test_ppsend(checks, a.ppsend)
        elif a.what == "server":
            test_server(checks, a.server, a.ppsend)
        else:
            test_udp(checks, a.server, a.ppsend)
    except Exception as e:  # an unexpected error is a failure, and processes still stop
        checks.check(False, "unexpected error", "%s: %s" % (type(e).__name__, e))
        import traceback
        traceback.print_exc()
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
