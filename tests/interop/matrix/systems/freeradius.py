"""FreeRADIUS 3.2: receives v1 on a TCP listener with `proxy_protocol = yes` (v2 is
refused: 3.2.1 implements only the text form).
In 3.2 that listener must be RadSec (RADIUS over TLS): the PROXY header comes
first, then the TLS handshake, then an Access-Request. Only the header's
source is a known client, so an Access-Accept proves the header was used; the
debug log names the addresses the request came from."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import socket
import ssl
import struct

from matrix import Context
from systems import common
from systems.common import Case, Verdict

TITLE = "FreeRADIUS"
PACKAGES = ["freeradius"]
SECRET = b"radsec"  # RadSec's fixed shared secret (RFC 6614)


def access_request(identifier: int) -> bytes:
    """Access-Request with User-Name, User-Password and Message-Authenticator."""
    authenticator = os.urandom(16)
    password = b"matrix".ljust(16, b"\0")
    key = hashlib.md5(SECRET + authenticator).digest()
    hidden = bytes(a ^ b for a, b in zip(password, key))
    attributes = bytes([1, 8]) + b"matrix" + bytes([2, 18]) + hidden + bytes([80, 18]) + bytes(16)
    length = 20 + len(attributes)
    packet = struct.pack("!BBH", 1, identifier, length) + authenticator + attributes
    mac = hmac.new(SECRET, packet, hashlib.md5).digest()
    return packet[:-16] + mac


def radsec_exchange(port: int, header: bytes, identifier: int) -> tuple[int | None, str]:
    """Sends the PROXY header, then RADIUS over TLS; returns (reply code, error)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
            raw.sendall(header)
            with context.wrap_socket(raw) as s:
                s.sendall(access_request(identifier))
                reply = s.recv(4096)
                return (reply[0] if len(reply) >= 20 else None), ""
    except (OSError, ssl.SSLError) as e:
        return None, f"{type(e).__name__}: {e}"


def run(ctx: Context) -> None:
    ctx.package_version("freeradius")
    radiusd = ctx.need_program("freeradius", "freeradius")
    ctx.cannot_test("sends", "FreeRADIUS 3.2 cannot send PROXY headers to home servers")
    cert, key, _ = common.make_certificate(ctx)
    port = ctx.free_port()
    ctx.write("radiusd.conf", f"""
prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
sbindir = /usr/sbin
libdir = /usr/lib/freeradius
name = freeradius
confdir = {ctx.tmp}
raddbdir = {ctx.tmp}
modconfdir = {ctx.tmp}
certdir = {ctx.tmp}
cadir = {ctx.tmp}
run_dir = {ctx.tmp}
db_dir = {ctx.tmp}
logdir = {ctx.tmp}
radacctdir = {ctx.tmp}
pidfile = {ctx.path('radiusd.pid')}
max_request_time = 5
cleanup_delay = 1
max_requests = 100
hostname_lookups = no
log {{
    destination = files
    file = {ctx.path('radius.log')}
    auth = yes
}}
security {{
    allow_core_dumps = no
    max_attributes = 200
    reject_delay = 0
    status_server = no
}}
thread pool {{
    start_servers = 1
    max_servers = 2
    min_spare_servers = 1
    max_spare_servers = 2
}}
modules {{
}}
clients radsec {{
    client the_proxy {{
        ipaddr = 127.0.0.1
        proto = tls
        secret = radsec
    }}
    client documentation_v4 {{
        ipaddr = 192.0.2.0/24
        proto = tls
        secret = radsec
    }}
    client documentation_v6 {{
        ipv6addr = 2001:db8::/32
        proto = tls
        secret = radsec
    }}
}}
listen {{
    ipaddr = 127.0.0.1
    port = {port}
    type = auth
    proto = tcp
    proxy_protocol = yes
    clients = radsec
    tls {{
        private_key_file = {key}
        certificate_file = {cert}
        ca_file = {cert}
        require_client_cert = no
        fragment_size = 8192
        tls_min_version = "1.2"
        tls_max_version = "1.2"
    }}
}}
authorize {{
    update control {{
        &Auth-Type := Accept
    }}
}}
authenticate {{
}}
post-auth {{
}}
""")
    proc = ctx.start("freeradius", [radiusd, "-f", "-xx", "-l", "stdout", "-d", ctx.tmp, "-n", "radiusd"])
    ctx.wait_port(port, proc)
    debug = ctx.path("freeradius.out")
    counter = iter(range(1, 250))

    def ask(case: Case) -> Verdict:
        offset = ctx.log_size(debug)
        identifier = next(counter)
        code, error = radsec_exchange(port, case.data, identifier)
        text = ctx.log_since(debug, offset, f"Received Access-Request Id {identifier} ", timeout=2 if code else 1)
        m = re.search(rf"Received Access-Request Id {identifier} from \[?([0-9a-f.:]+?)\]?:(\d+) "
                      rf"to \[?([0-9a-f.:]+?)\]?:(\d+) length", text)
        if code != 2 or not m:
            reason = [line.strip() for line in text.splitlines() if "PROXY" in line or "rror" in line]
            return Verdict(False, evidence=f"reply code {code} {error}; log: {' | '.join(reason[-2:])[:200]}")
        src, sport, dst, dport = m.groups()
        return Verdict(True, src.strip("[]"), int(sport), dst.strip("[]"), int(dport),
                       evidence=f"Access-Accept; {m.group(0)}")

    v2 = common.v2_cases(ctx, ipv6=False)[0]
    v2.feature, v2.name = "malformed", "a v2 header (not implemented), instead of misreading it"
    cases = common.v1_cases(ctx) + common.malformed_cases(ctx, v2=False) + [v2]
    common.check_receiver(ctx, cases, ask, destinations=True)
    ctx.unsupported("receives", "v2", "FreeRADIUS 3.2.1 implements v1 only (a v2 header is refused: "
                    "\"received invalid data\")")
    ctx.unsupported("receives", "tlvs", "v1 only: no TLVs")
