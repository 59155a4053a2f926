"""nginx 1.22 (nginx-light + libnginx-mod-stream): receives v1/v2 in http and stream
(`listen ... proxy_protocol`), sends v1 from stream (`proxy_protocol on`)."""

from __future__ import annotations

import os
import re

from matrix import SRC6, Context, Skip
from systems import common
from systems.common import Case, Verdict

TITLE = "nginx"
PACKAGES = ["nginx-light", "libnginx-mod-stream"]
MODULE = "/usr/lib/nginx/modules/ngx_stream_module.so"


def run(ctx: Context) -> None:
    ctx.package_version("nginx-light")
    ctx.package_version("libnginx-mod-stream")
    nginx = ctx.need_program("nginx", "nginx-light")
    if not os.path.exists(MODULE):
        raise Skip("install libnginx-mod-stream")
    strict = ctx.serve()
    lenient = ctx.serve("--allow-ipv4-in-tcp6")
    http_port, stream_port, send_port, relay_port, relay_lenient_port = (ctx.free_port() for _ in range(5))
    seen = ("PPSEEN src=$proxy_protocol_addr sport=$proxy_protocol_port "
            "dst=$proxy_protocol_server_addr dport=$proxy_protocol_server_port")
    for d in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        os.makedirs(ctx.path("temp", d), exist_ok=True)
    config = f"""
load_module {MODULE};
daemon off;
master_process off;
pid {ctx.path('nginx.pid')};
error_log {ctx.path('error.log')} info;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {ctx.path('temp/client_body')};
    proxy_temp_path {ctx.path('temp/proxy')};
    fastcgi_temp_path {ctx.path('temp/fastcgi')};
    uwsgi_temp_path {ctx.path('temp/uwsgi')};
    scgi_temp_path {ctx.path('temp/scgi')};
    server {{
        listen 127.0.0.1:{http_port} proxy_protocol;
        location / {{ return 200 "{seen}\\n"; }}
    }}
}}
stream {{
    server {{
        listen 127.0.0.1:{stream_port} proxy_protocol;
        return "{seen}\\n";
    }}
    server {{
        listen 127.0.0.1:{send_port};
        proxy_pass 127.0.0.1:{strict.port};
        proxy_protocol on;
    }}
    server {{
        listen 127.0.0.1:{relay_port} proxy_protocol;
        set_real_ip_from 127.0.0.1;
        proxy_pass 127.0.0.1:{strict.port};
        proxy_protocol on;
    }}
    server {{
        listen 127.0.0.1:{relay_lenient_port} proxy_protocol;
        set_real_ip_from 127.0.0.1;
        proxy_pass 127.0.0.1:{lenient.port};
        proxy_protocol on;
    }}
}}
"""
    ctx.write("nginx.conf", config)
    proc = ctx.start("nginx", [nginx, "-p", ctx.tmp, "-c", ctx.path("nginx.conf"), "-e", ctx.path("error.log")])
    for port in (http_port, stream_port, send_port, relay_port, relay_lenient_port):
        ctx.wait_port(port, proc)

    def asker(port: int, payload: bytes):
        def ask(case: Case) -> Verdict:
            offset = ctx.log_size(ctx.path("error.log"))
            reply = ctx.exchange(port, case.data + payload)
            m = re.search(rb"PPSEEN src=(\S*) sport=(\S*) dst=(\S*) dport=(\S*)", reply)
            if not m:
                errors = ctx.log_since(ctx.path("error.log"), offset, "[error]")
                last = [line.split("] ", 1)[-1] for line in errors.splitlines() if "[error]" in line][-1:]
                return Verdict(False, evidence=f"answer {reply[:60]!r}; error.log: {' '.join(last)[:160]}")
            src, sport, dst, dport = (g.decode() for g in m.groups())
            return Verdict(True, src, int(sport or -1), dst, int(dport or -1))
        return ask

    cases = common.v1_cases(ctx) + common.v2_cases(ctx) + [common.tlv_case(ctx)] + common.malformed_cases(ctx)
    for case in cases:
        case.name = f"http: {case.name}"
    common.check_receiver(ctx, cases, asker(http_port, common.http_get()), destinations=True)
    small_tlvs = common.Case("tlvs", "AUTHORITY, CRC32C in 107 bytes", ctx.build(
        "--v2", "--src", "192.0.2.1:51009", "--dst", "198.51.100.2:4439", "--authority", common.AUTHORITY, "--crc32c",
        "--pad-to", "107", "--max-size", "107"), "192.0.2.1", 51009, "198.51.100.2", 4439)
    cases = common.v1_cases(ctx) + common.v2_cases(ctx) + [small_tlvs] + common.malformed_cases(ctx)
    for case in cases:
        case.name = f"stream: {case.name}"
    ask_stream = asker(stream_port, b"")
    common.check_receiver(ctx, cases, ask_stream, destinations=True)
    ctx.unsupported("receives", "tlvs", "nginx 1.22 skips TLVs ($proxy_protocol_tlv_* came in 1.23.2): "
                    "accepted, not exposed")

    # The stream module reads PROXY headers into a 107-byte buffer (the v1 line limit), v2 included.
    too_large = common.Case("v2", "108 bytes", ctx.build("--v2", "--src", "192.0.2.1:51010", "--dst",
                                                         "198.51.100.2:4440", "--pad-to", "108"), "192.0.2.1", 51010)
    verdict = ask_stream(too_large)
    ctx.check("receives", "deviation", "stream: refuses a valid v2 header of 108 bytes (accepts 107)",
              not verdict.accepted and "too large" in verdict.evidence, verdict.evidence)
    if not verdict.accepted:
        ctx.note("the stream module refuses v2 headers longer than 107 bytes (\"header is too large\"); "
                 "`size_v2()` / `build_options::pad_to_size` let a sender stay within it")

    # --- sends v1 from stream ---
    local_port, _ = common.plain_request(send_port, common.http_get())
    records = strict.records(1)
    common.expect_header(ctx, "v1", "stream proxy_protocol on: the client's address and port, nginx's address",
                         records[0] if records else None, 1, "127.0.0.1", local_port, "127.0.0.1", send_port)
    ctx.unsupported("sends", "v2", "nginx 1.22 writes only v1 (proxy_protocol on)")

    # --- relays with set_real_ip_from: the source from our header, the destination its own socket ---
    ours = ctx.build("--v1", "--src", f"[{SRC6}]:52002", "--dst", f"[2001:db8::2]:8443")
    ctx.exchange(relay_port, ours + common.http_get())
    records = strict.records(2)
    record = records[1] if len(records) > 1 else None
    line = bytes.fromhex(record.get("input_hex", "")) if record else b""
    first_line = line.partition(b"\r")[0]
    refused = record is not None and record.get("error") == "v1_address_family_mismatch"
    ctx.check("sends", "deviation", "relaying an IPv6 client writes a TCP6 line with its own IPv4 address; "
              "our strict parser refuses it", refused and b"PROXY TCP6 2001:db8::1 127.0.0.1 " in line,
              f"{first_line!r} -> {record.get('error') if record else None}")
    ctx.exchange(relay_lenient_port, ours + common.http_get())
    records = lenient.records(1)
    common.expect_header(ctx, "deviation", "parse_options::v1_accept_ipv4_in_tcp6 accepts that line",
                         records[0] if records else None, 1, SRC6, 52002, "127.0.0.1", relay_lenient_port)
    if refused:
        ctx.note("with `set_real_ip_from`, relays an IPv6 client as `PROXY TCP6 <IPv6> <IPv4 of its own socket> ...`, "
                 "which spec 2.1 forbids; our parser refuses it unless `parse_options::v1_accept_ipv4_in_tcp6` is set")
