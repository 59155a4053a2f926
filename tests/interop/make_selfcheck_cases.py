#!/usr/bin/env python3
"""Write a small set of hand-built cases to check the interop harness itself.

Usage: make_selfcheck_cases.py OUTDIR
then:  run_interop.py OUTDIR

The headers are built here byte by byte (independently of the library under
test) and each NAME.expect.json records what haproxy 2.6, nginx 1.22 and
tshark 4.0 (Debian 12) do with them, including their known deviations from the
specification (haproxy checks CRC32C and TLV bounds, nginx 1.22 does not;
tshark does not look at the version nibble).  A run over them shows that the
receivers are installed and that judge.py reads their verdicts correctly.
"""

import json
import os
import struct
import sys

SIG = b"\r\n\r\n\x00\r\nQUIT\n"


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def tlv(t, v):
    return bytes([t]) + struct.pack("!H", len(v)) + v


def v2(cmd, fam, addr, tlvs=b"", ver=2, crc=None):
    """crc: None (no CRC32C TLV), 'good' or 'bad' (appended as the last TLV)."""
    body = addr + tlvs
    if crc is not None:
        body += tlv(0x03, b"\0\0\0\0")
    hdr = SIG + bytes([(ver << 4) | cmd, fam]) + struct.pack("!H", len(body)) + body
    if crc is not None:
        c = crc32c(hdr)
        if crc == "bad":
            c ^= 0xDEADBEEF
        hdr = hdr[:-4] + struct.pack("!I", c)
    return hdr


def inet4(src, dst, sp, dp):
    import socket
    return socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!HH", sp, dp)


def inet6(src, dst, sp, dp):
    import socket
    return (socket.inet_pton(socket.AF_INET6, src) + socket.inet_pton(socket.AF_INET6, dst)
            + struct.pack("!HH", sp, dp))


def case(out, name, data, expect, addrs=None, tlvs=()):
    src, sp, dst, dp = addrs if addrs else (None, None, None, None)
    exp = {"expect": dict(zip(("haproxy", "nginx", "tshark"), expect)),
           "src_addr": src, "src_port": sp, "dst_addr": dst, "dst_port": dp,
           "tlvs": [{"type": t, "value_hex": v.hex()} for t, v in tlvs]}
    with open(os.path.join(out, name + ".bin"), "wb") as f:
        f.write(data)
    with open(os.path.join(out, name + ".expect.json"), "w") as f:
        json.dump(exp, f, indent=1)
        f.write("\n")


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    A4 = ("192.0.2.1", 51000, "198.51.100.2", 443)
    A6 = ("2001:db8::1", 51000, "2001:db8::2", 443)
    ALL = ("accept", "accept", "accept")
    a4 = inet4("192.0.2.1", "198.51.100.2", 51000, 443)
    a6 = inet6("2001:db8::1", "2001:db8::2", 51000, 443)

    case(out, "v1-tcp4", b"PROXY TCP4 192.0.2.1 198.51.100.2 51000 443\r\n", ALL, A4)
    case(out, "v1-tcp6", b"PROXY TCP6 2001:db8::1 2001:db8::2 51000 443\r\n", ALL, A6)
    # valid; tshark 4.0 flags the bare form (run_interop accepts that with a note)
    case(out, "v1-unknown", b"PROXY UNKNOWN\r\n", ALL)
    # port 0 is valid; nginx 1.22 shows it as an empty $proxy_protocol_port
    case(out, "v1-port-zero", b"PROXY TCP4 192.0.2.1 198.51.100.2 0 443\r\n", ALL,
         ("192.0.2.1", 0, "198.51.100.2", 443))
    case(out, "v1-double-space", b"PROXY TCP4  192.0.2.1 198.51.100.2 51000 443\r\n",
         ("reject", "reject", "accept"))
    case(out, "no-header", b"GET / HTTP/1.0\r\n\r\n", ("reject", "reject", "reject"))

    case(out, "v2-tcp4", v2(1, 0x11, a4), ALL, A4)
    case(out, "v2-local", v2(0, 0x00, b""), ALL)
    case(out, "v2-local-with-inet", v2(0, 0x11, a4), ALL)  # addresses must be ignored
    tl = [(0x01, b"h2"), (0x02, b"www.example.test"), (0x05, b"req-0001")]
    hdr = v2(1, 0x21, a6, b"".join(tlv(t, v) for t, v in tl), crc="good")
    case(out, "v2-tcp6-tlvs-crc", hdr, ALL, A6, tl + [(0x03, hdr[-4:])])
    ssl = b"\x07" + b"\0\0\0\0" + tlv(0x21, b"TLSv1.3") + tlv(0x22, b"client.example.test")
    tl = [(0x02, b"a.example.test"), (0x20, ssl), (0x04, b"\0" * 8)]
    case(out, "v2-ssl-noop", v2(1, 0x11, a4, b"".join(tlv(t, v) for t, v in tl)), ALL, A4, tl)
    tl = [(0xE1, b"custom"), (0x30, b"netns0")]
    case(out, "v2-custom-tlvs", v2(1, 0x11, a4, b"".join(tlv(t, v) for t, v in tl)), ALL, A4, tl)
    # wrong CRC32C: the spec says refuse; haproxy does, nginx 1.22 and tshark do not check it
    hdr = v2(1, 0x11, a4, crc="bad")
    case(out, "v2-bad-crc32c", hdr, ("reject", "accept", "accept"), A4, [(0x03, hdr[-4:])])
    # TLV running past the header end: haproxy refuses, nginx ignores TLVs, tshark 4.0
    # stops before it (no well-formed TLV to expect)
    case(out, "v2-tlv-overrun", v2(1, 0x11, a4, b"\x02\x00\x20abc"), ("reject", "accept", "accept"), A4)
    # version nibble 1: refused by both servers, tshark does not look at it
    case(out, "v2-version-1", v2(1, 0x11, a4, ver=1), ("reject", "reject", "accept"), A4)
    print("wrote %d cases to %s" % (len([n for n in os.listdir(out) if n.endswith(".bin")]), out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
