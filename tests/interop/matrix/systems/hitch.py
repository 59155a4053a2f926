"""hitch 1.7: TLS terminator that sends v1 (`write-proxy-v1`) and v2 with TLVs
(`write-proxy-v2`, `proxy-tlv`: ALPN and SSL). Its workers run as _hitch."""

from __future__ import annotations

from matrix import Context
from systems import common

TITLE = "hitch"
PACKAGES = ["hitch"]


def start_hitch(ctx: Context, hitch: str, name: str, backend_port: int, proxy_option: str) -> int:
    port = ctx.free_port()
    ctx.write(f"{name}.conf", f"""
frontend = "[127.0.0.1]:{port}"
backend = "[127.0.0.1]:{backend_port}"
pem-file = "{ctx.path('both.pem')}"
{proxy_option} = on
proxy-tlv = on
alpn-protos = "h2, http/1.1"
workers = 1
daemon = off
user = "_hitch"
group = "_hitch"
""")
    proc = ctx.start(name, [hitch, f"--config={ctx.path(name + '.conf')}"])
    ctx.wait_port(port, proc)
    return port


def run(ctx: Context) -> None:
    ctx.package_version("hitch")
    hitch = ctx.need_program("hitch", "hitch")
    ctx.cannot_test("receives", "hitch's `proxy-proxy` only relays a received header to its backend unchanged; "
                    "it does not interpret it")
    common.make_certificate(ctx)
    receiver = ctx.serve()
    v1_port = start_hitch(ctx, hitch, "hitch_v1", receiver.port, "write-proxy-v1")
    v2_port = start_hitch(ctx, hitch, "hitch_v2", receiver.port, "write-proxy-v2")

    tls = common.tls_request(v1_port, common.http_get("/hitch-v1"), alpn=["http/1.1"])
    records = receiver.records(1)
    common.expect_header(ctx, "v1", "write-proxy-v1: the TLS client's address and port, hitch's address",
                         records[0] if records else None, 1, "127.0.0.1", tls.local_port, "127.0.0.1", v1_port)

    tls = common.tls_request(v2_port, common.http_get("/hitch-v2"), alpn=["http/1.1"])
    records = receiver.records(2)
    record = records[1] if len(records) > 1 else None
    common.expect_header(ctx, "v2", "write-proxy-v2: the TLS client's address and port, hitch's address",
                         record, 2, "127.0.0.1", tls.local_port, "127.0.0.1", v2_port)
    common.expect_header(ctx, "tlvs", "proxy-tlv: ALPN as negotiated, AUTHORITY = SNI, SSL TLV with the session's version and cipher",
                         record, 2, "127.0.0.1", tls.local_port, "127.0.0.1", v2_port,
                         tlvs={0x01: tls.alpn, 0x02: common.AUTHORITY}, ssl_subs={"client_bits": 0x01, 0x21: tls.version, 0x23: tls.cipher})
    ctx.check("sends", "v2", "the decrypted request follows the header intact",
              record is not None and bytes.fromhex(record.get("rest_hex", "")).startswith(b"GET /hitch-v2 HTTP/1.0"),
              f"negotiated {tls.version} {tls.cipher} ALPN {tls.alpn}")
