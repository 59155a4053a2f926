"""Varnish 7.1: receives v1/v2 (`-a ADDR,PROXY`, TLVs through vmod_proxy) and sends v1/v2
(backend `.proxy_header = 1|2`)."""

from __future__ import annotations

import re

from matrix import DST4, DST6, SRC4, SRC6, Context
from systems import common
from systems.common import Case, Verdict

TITLE = "Varnish"
PACKAGES = ["varnish"]


def run(ctx: Context) -> None:
    ctx.package_version("varnish")
    varnishd = ctx.need_program("varnishd", "varnish")
    receiver = ctx.serve()
    proxy_port, plain_port = ctx.free_port(), ctx.free_port()
    ctx.write("matrix.vcl", f"""vcl 4.1;
import std;
import proxy;
backend send_v1 {{ .host = "127.0.0.1"; .port = "{receiver.port}"; .proxy_header = 1; }}
backend send_v2 {{ .host = "127.0.0.1"; .port = "{receiver.port}"; .proxy_header = 2; }}
sub vcl_recv {{
    if (req.url ~ "^/seen") {{ return (synth(200, "seen")); }}
    if (req.url ~ "^/v1") {{ set req.backend_hint = send_v1; }} else {{ set req.backend_hint = send_v2; }}
    return (pass);
}}
sub vcl_synth {{
    set resp.body = "PPSEEN src=" + client.ip + " sport=" + std.port(client.ip) + " dst=" + server.ip +
        " dport=" + std.port(server.ip) + " authority=" + proxy.authority() + " ssl_version=" +
        proxy.ssl_version() + {{"
"}};
    return (deliver);
}}
""")
    proc = ctx.start("varnishd", [varnishd, "-F", "-n", ctx.path("work"), "-f", ctx.path("matrix.vcl"),
                                  "-a", f"127.0.0.1:{proxy_port},PROXY", "-a", f"127.0.0.1:{plain_port}",
                                  "-s", "malloc,16m", "-p", "timeout_idle=3"])
    ctx.wait_port(proxy_port, proc, timeout=60)
    ctx.wait_port(plain_port, proc, timeout=60)

    # --- receives ---
    def ask(case: Case) -> Verdict:
        reply = ctx.exchange(proxy_port, case.data + common.http_get("/seen"))
        m = re.search(rb"PPSEEN src=(\S*) sport=(\S*) dst=(\S*) dport=(\S*) authority=(\S*) ssl_version=(\S*)",
                      reply)
        if not m:
            return Verdict(False, evidence=f"answer {reply[:60]!r}")
        src, sport, dst, dport, authority, ssl_version = (g.decode() for g in m.groups())
        return Verdict(True, src, int(sport), dst, int(dport), {"authority": authority, "ssl_version": ssl_version})

    tlvs = common.tlv_case(ctx)
    tlvs.tlvs = {"authority": common.AUTHORITY, "ssl_version": "TLSv1.3"}
    cases = common.v1_cases(ctx) + common.v2_cases(ctx) + [tlvs] + common.malformed_cases(ctx)
    common.check_receiver(ctx, cases, ask, destinations=True)

    # --- sends: a plain client, then relayed v1 and v2 headers of ours ---
    local_port, _ = common.plain_request(plain_port, common.http_get("/v1/plain"))
    records = receiver.records(1)
    common.expect_header(ctx, "v1", ".proxy_header = 1: the client's address and port, Varnish's address",
                         records[0] if records else None, 1, "127.0.0.1", local_port, "127.0.0.1", plain_port)
    local_port, _ = common.plain_request(plain_port, common.http_get("/v2/plain"))
    records = receiver.records(2)
    common.expect_header(ctx, "v2", ".proxy_header = 2: the client's address and port, Varnish's address",
                         records[1] if len(records) > 1 else None, 2, "127.0.0.1", local_port, "127.0.0.1",
                         plain_port)
    ours = ctx.build("--v1", "--src", f"{SRC4}:52003", "--dst", f"{DST4}:8080")
    ctx.exchange(proxy_port, ours + common.http_get("/v1/relay"))
    records = receiver.records(3)
    common.expect_header(ctx, "v1", "relays the addresses of a received v1 TCP4 header",
                         records[2] if len(records) > 2 else None, 1, SRC4, 52003, DST4, 8080)
    ours = ctx.build("--v2", "--src", f"[{SRC6}]:52004", "--dst", f"[{DST6}]:8443")
    ctx.exchange(proxy_port, ours + common.http_get("/v2/relay"))
    records = receiver.records(4)
    common.expect_header(ctx, "v2", "relays the addresses of a received v2 INET6 header",
                         records[3] if len(records) > 3 else None, 2, SRC6, 52004, DST6, 8443)
    sent_tlvs = [t for r in records if r.get("version") == 2 for t in r.get("tlvs", [])]
    if not sent_tlvs:
        ctx.unsupported("sends", "tlvs", "Varnish 7.1 backends send no TLVs (none seen in its v2 headers)")
    else:
        ctx.check("sends", "tlvs", "TLVs in Varnish's v2 headers decode", True, str(sent_tlvs))
