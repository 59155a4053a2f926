"""haproxy 2.6: receives v1/v2 (`bind ... accept-proxy`), sends v1 (`send-proxy`) and v2
with TLVs (`send-proxy-v2` + `proxy-v2-options`)."""

from __future__ import annotations

import re

from matrix import DST6, SRC6, Context
from systems import common
from systems.common import AUTHORITY, Case, Verdict

TITLE = "haproxy"
PACKAGES = ["haproxy"]
HAPROXY_UNIQUE_ID = "matrix-haproxy-id"
# The 107-byte worst case of spec 2.1: UNKNOWN followed by two full IPv6 addresses and ports.
LONG_UNKNOWN = b"PROXY UNKNOWN " + b"ffff:" * 7 + b"ffff " + b"ffff:" * 7 + b"ffff 65535 65535\r\n"


def run(ctx: Context) -> None:
    ctx.package_version("haproxy")
    haproxy = ctx.need_program("haproxy", "haproxy")
    ctx.need_program("openssl", "openssl")
    _, _, both = common.make_certificate(ctx)
    receiver = ctx.serve()
    fe_accept, fe_v1, fe_tls, fe_chain = (ctx.free_port() for _ in range(4))
    answer = ('http-request return status 200 content-type text/plain lf-string '
              '"PPSEEN src=%[src] sport=%[src_port] dst=%[dst] dport=%[dst_port] '
              'authority=%[fc_pp_authority] unique_id=%[fc_pp_unique_id]\\n"')
    config = f"""
global
    maxconn 100
defaults
    mode http
    timeout connect 3s
    timeout client 5s
    timeout server 5s
frontend receive_with_accept_proxy
    bind 127.0.0.1:{fe_accept} accept-proxy
    {answer}
frontend send_v1
    bind 127.0.0.1:{fe_v1}
    default_backend to_receiver_v1
frontend send_v2_tls
    bind 127.0.0.1:{fe_tls} ssl crt {ctx.path('both.pem')} alpn http/1.1
    unique-id-format {HAPROXY_UNIQUE_ID}
    default_backend to_receiver_v2
frontend relay_accept_then_send_v2
    bind 127.0.0.1:{fe_chain} accept-proxy
    default_backend to_receiver_v2_plain
backend to_receiver_v1
    server receiver 127.0.0.1:{receiver.port} send-proxy
backend to_receiver_v2
    server receiver 127.0.0.1:{receiver.port} send-proxy-v2 proxy-v2-options ssl,ssl-cipher,authority,crc32c,unique-id
backend to_receiver_v2_plain
    server receiver 127.0.0.1:{receiver.port} send-proxy-v2
"""
    ctx.write("haproxy.cfg", config)
    proc = ctx.start("haproxy", [haproxy, "-db", "-f", ctx.path("haproxy.cfg")])
    for port in (fe_accept, fe_v1, fe_tls, fe_chain):
        ctx.wait_port(port, proc)

    # --- receives ---
    def ask(case: Case) -> Verdict:
        reply = ctx.exchange(fe_accept, case.data + common.http_get())
        m = re.search(rb"PPSEEN src=(\S*) sport=(\S*) dst=(\S*) dport=(\S*) authority=(\S*) unique_id=(\S*)", reply)
        if not m:
            return Verdict(False, evidence=f"answer {reply[:80]!r}")
        src, sport, dst, dport, authority, unique_id = (g.decode() for g in m.groups())
        return Verdict(True, src, int(sport), dst, int(dport),
                       {"authority": authority, "unique_id": unique_id}, reply[:120].decode(errors="replace"))

    cases = (common.v1_cases(ctx) + common.v2_cases(ctx) + [common.tlv_case(ctx)] + common.malformed_cases(ctx))
    crc = bytearray(ctx.build("--v2", "--src", "192.0.2.1:51008", "--dst", "198.51.100.2:4438", "--crc32c"))
    crc[-1] ^= 0xFF
    cases.append(Case("malformed", "v2 with a wrong CRC32C", bytes(crc), "192.0.2.1"))
    common.check_receiver(ctx, cases, ask, destinations=True)

    # Spec 2.1: the receiver must ignore everything between UNKNOWN and CRLF.
    reply = ctx.exchange(fe_accept, LONG_UNKNOWN + common.http_get())
    bare = ctx.exchange(fe_accept, b"PROXY UNKNOWN\r\n" + common.http_get())
    refused_long = b"PPSEEN" not in reply and b"PPSEEN src=127.0.0.1" in bare
    ctx.check("receives", "deviation", "refuses the 107-byte UNKNOWN line, accepts bare PROXY UNKNOWN", refused_long,
              f"long: {reply[:60]!r}; bare: {bare[:60]!r}")
    if refused_long:
        ctx.note("refuses `PROXY UNKNOWN` followed by addresses (allowed by spec 2.1, which says the receiver "
                 "ignores the rest of the line); accepts the bare `PROXY UNKNOWN\\r\\n` that our builder writes")

    # --- sends v1: a plain client through `send-proxy` ---
    local_port, reply = common.plain_request(fe_v1, common.http_get())
    record = next((r for r in receiver.records(1) if r.get("version") == 1), None)
    common.expect_header(ctx, "v1", "send-proxy: the client's address and port, the frontend's address",
                         record, 1, "127.0.0.1", local_port, "127.0.0.1", fe_v1)

    # --- sends v2 with TLVs: TLS client through `send-proxy-v2 proxy-v2-options ...` ---
    tls = common.tls_request(fe_tls, common.http_get(), alpn=["http/1.1"])
    records = receiver.records(2)
    record = records[1] if len(records) > 1 else None
    common.expect_header(ctx, "v2", "send-proxy-v2: the TLS client's address and port", record, 2, "127.0.0.1",
                         tls.local_port, "127.0.0.1", fe_tls)
    common.expect_header(ctx, "tlvs", "proxy-v2-options: ALPN, AUTHORITY=SNI, UNIQUE_ID, SSL version/cipher, CRC32C",
                         record, 2, "127.0.0.1", tls.local_port, "127.0.0.1", fe_tls,
                         tlvs={0x01: tls.alpn, 0x02: AUTHORITY, 0x05: HAPROXY_UNIQUE_ID, 0x03: None},
                         ssl_subs={"client_bits": 0x01, 0x21: tls.version, 0x23: tls.cipher})

    # --- relays: our v2 INET6 header in, haproxy's own v2 out ---
    ours = ctx.build("--v2", "--src", f"[{SRC6}]:52001", "--dst", f"[{DST6}]:8443")
    ctx.exchange(fe_chain, ours + common.http_get())
    records = receiver.records(3)
    record = records[2] if len(records) > 2 else None
    common.expect_header(ctx, "v2", "relays the addresses of a received v2 INET6 header", record, 2, SRC6, 52001,
                         DST6, 8443)
