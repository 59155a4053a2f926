"""Checks shared by the system modules: the headers every receiver gets, and how a
sender's header is compared with what it was configured to send."""

from __future__ import annotations

import ipaddress
import json
import socket
import ssl
import subprocess
from dataclasses import dataclass, field
from typing import Callable

from matrix import DST4, DST6, SRC4, SRC6, Context, Skip  # noqa: F401 (Skip re-exported)

AUTHORITY = "www.example.test"
UNIQUE_ID = "matrix-unique-id-0001"


@dataclass
class Case:
    """A header to send to a receiver, and the source it must report when it accepts it."""
    feature: str  # v1 | v2 | tlvs | malformed
    name: str
    data: bytes
    src: str | None = None
    src_port: int | None = None
    dst: str | None = None
    dst_port: int | None = None
    tlvs: dict = field(default_factory=dict)


@dataclass
class Verdict:
    """What a receiver made of one header, from its own answer or log."""
    accepted: bool
    src: str | None = None
    src_port: int | None = None
    dst: str | None = None
    dst_port: int | None = None
    tlvs: dict = field(default_factory=dict)
    evidence: str = ""


def same_address(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return False
    try:
        return ipaddress.ip_address(a.strip("[]")) == ipaddress.ip_address(b.strip("[]"))
    except ValueError:
        return False


def v1_cases(ctx: Context, ipv6: bool = True) -> list[Case]:
    cases = [Case("v1", "TCP4 line", ctx.build("--v1", "--src", f"{SRC4}:51001", "--dst", f"{DST4}:4431"),
                  SRC4, 51001, DST4, 4431)]
    if ipv6:
        cases.append(Case("v1", "TCP6 line", ctx.build("--v1", "--src", f"[{SRC6}]:51002", "--dst", f"[{DST6}]:4432"),
                          SRC6, 51002, DST6, 4432))
    return cases


def v2_cases(ctx: Context, ipv6: bool = True) -> list[Case]:
    cases = [Case("v2", "INET", ctx.build("--v2", "--src", f"{SRC4}:51003", "--dst", f"{DST4}:4433"),
                  SRC4, 51003, DST4, 4433)]
    if ipv6:
        cases.append(Case("v2", "INET6", ctx.build("--v2", "--src", f"[{SRC6}]:51004", "--dst", f"[{DST6}]:4434"),
                          SRC6, 51004, DST6, 4434))
    return cases


def tlv_case(ctx: Context, max_size: int = 0) -> Case:
    """v2 with AUTHORITY, UNIQUE_ID, an SSL TLV with sub-TLVs and CRC32C."""
    args = ["--v2", "--src", f"{SRC4}:51005", "--dst", f"{DST4}:4435", "--authority", AUTHORITY,
            "--unique-id", UNIQUE_ID, "--ssl-version", "TLSv1.3", "--ssl-cipher", "TLS_AES_128_GCM_SHA256",
            "--crc32c"]
    if max_size:
        args += ["--max-size", str(max_size)]
    return Case("tlvs", "AUTHORITY, UNIQUE_ID, SSL, CRC32C", ctx.build(*args), SRC4, 51005, DST4, 4435,
                {"authority": AUTHORITY, "unique_id": UNIQUE_ID})


def malformed_cases(ctx: Context, v2: bool = True) -> list[Case]:
    """Headers every receiver must refuse: our own bytes with one field broken."""
    v1 = ctx.build("--v1", "--src", f"{SRC4}:51006", "--dst", f"{DST4}:4436").replace(b"TCP4", b"TCP9")
    cases = [Case("malformed", "v1 with protocol TCP9", v1, SRC4)]
    if v2:
        good = bytearray(ctx.build("--v2", "--src", f"{SRC4}:51007", "--dst", f"{DST4}:4437"))
        good[12] = 0x31  # version nibble 3
        cases.append(Case("malformed", "v2 with version 3", bytes(good), SRC4))
    return cases


def check_receiver(ctx: Context, cases: list[Case], ask: Callable[[Case], Verdict], ports: bool = True,
                   destinations: bool = False) -> None:
    """Sends every case; accepted ones must report our source (and port, destination when
    the receiver exposes them); malformed ones must be refused."""
    for case in cases:
        verdict = ask(case)
        label = f"{case.name}"
        if case.feature == "malformed":
            ok = not verdict.accepted and not same_address(verdict.src, case.src)
            ctx.check("receives", "malformed", f"refuses {label}", ok, verdict.evidence)
            continue
        problems = []
        if not verdict.accepted:
            problems.append("refused")
        else:
            if not same_address(verdict.src, case.src):
                problems.append(f"source {verdict.src} != {case.src}")
            if ports and verdict.src_port != case.src_port:
                problems.append(f"source port {verdict.src_port} != {case.src_port}")
            if destinations and not same_address(verdict.dst, case.dst):
                problems.append(f"destination {verdict.dst} != {case.dst}")
            if destinations and ports and verdict.dst_port != case.dst_port:
                problems.append(f"destination port {verdict.dst_port} != {case.dst_port}")
            for key, value in case.tlvs.items():
                if key in verdict.tlvs and verdict.tlvs[key] != value:
                    problems.append(f"{key} {verdict.tlvs[key]!r} != {value!r}")
        seen = f"saw {verdict.src}" + (f":{verdict.src_port}" if verdict.src_port is not None else "")
        if destinations:
            seen += f" -> {verdict.dst}:{verdict.dst_port}"
        for key in case.tlvs:
            if key in verdict.tlvs:
                seen += f", {key}={verdict.tlvs[key]}"
        ctx.check("receives", case.feature, f"accepts {label}", not problems,
                  "; ".join(problems) + (" | " if problems else "") + seen +
                  (f" | {verdict.evidence}" if problems and verdict.evidence else ""))


def expect_header(ctx: Context, feature: str, name: str, record: dict | None, version: int,
                  src: str, src_port: int | None, dst: str, dst_port: int | None,
                  tlvs: dict | None = None, ssl_subs: dict | None = None) -> bool:
    """Compares a header a sender wrote (decoded by our parser) with what it was configured to send."""
    if record is None:
        return ctx.check("sends", feature, name, False, "no connection reached our receiver")
    if record.get("status") != "ok":
        return ctx.check("sends", feature, name, False, f"our parser: {json.dumps(record)}")
    problems = []
    if record["version"] != version:
        problems.append(f"version {record['version']} != {version}")
    if not same_address(record.get("src_addr"), src):
        problems.append(f"source {record.get('src_addr')} != {src}")
    if src_port is not None and record.get("src_port") != src_port:
        problems.append(f"source port {record.get('src_port')} != {src_port}")
    if not same_address(record.get("dst_addr"), dst):
        problems.append(f"destination {record.get('dst_addr')} != {dst}")
    if dst_port is not None and record.get("dst_port") != dst_port:
        problems.append(f"destination port {record.get('dst_port')} != {dst_port}")
    got_tlvs = {t["type"]: t.get("text", t["hex"]) for t in record.get("tlvs", [])}
    for type_, value in (tlvs or {}).items():
        if value is None:
            if type_ not in got_tlvs:
                problems.append(f"TLV {type_:#04x} missing")
        elif got_tlvs.get(type_) != value:
            problems.append(f"TLV {type_:#04x} {got_tlvs.get(type_)!r} != {value!r}")
    if ssl_subs is not None:
        ssl_record = record.get("ssl")
        if ssl_record is None:
            problems.append("SSL TLV missing")
        else:
            subs = {t["type"]: t.get("text", t["hex"]) for t in ssl_record["sub_tlvs"]}
            for type_, value in ssl_subs.items():
                if type_ == "client_bits":
                    if ssl_record["client"] & value != value:
                        problems.append(f"SSL client bits {ssl_record['client']:#x} lack {value:#x}")
                elif subs.get(type_) != value:
                    problems.append(f"SSL sub-TLV {type_:#04x} {subs.get(type_)!r} != {value!r}")
    summary = (f"v{record['version']} {record.get('src_addr')}:{record.get('src_port')} -> "
               f"{record.get('dst_addr')}:{record.get('dst_port')}")
    if record.get("tlvs"):
        summary += ", TLVs " + ",".join(f"{t['type']:#04x}" for t in record["tlvs"])
    return ctx.check("sends", feature, name, not problems, "; ".join(problems) + (" | " if problems else "") + summary)


def make_certificate(ctx: Context) -> tuple[str, str, str]:
    """A throw-away self-signed certificate for AUTHORITY: (cert, key, cert+key) paths."""
    cert, key, both = ctx.path("cert.pem"), ctx.path("key.pem"), ctx.path("both.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                    "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", f"/CN={AUTHORITY}"],
                   check=True, capture_output=True, timeout=30)
    with open(both, "w") as out:
        out.write(open(cert).read() + open(key).read())
    for p in (cert, key, both):
        subprocess.run(["chmod", "644", p], check=True)
    return cert, key, both


@dataclass
class TlsAnswer:
    local_port: int
    version: str
    cipher: str
    alpn: str | None
    body: bytes


def tls_request(port: int, request: bytes, alpn: list[str] | None = None, server_name: str = AUTHORITY,
                timeout: float = 5.0) -> TlsAnswer:
    """One TLS connection from 127.0.0.1: sends `request`, reads until close."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    if alpn:
        context.set_alpn_protocols(alpn)
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as raw:
        local_port = raw.getsockname()[1]
        with context.wrap_socket(raw, server_hostname=server_name) as s:
            s.sendall(request)
            body = b""
            try:
                while chunk := s.recv(65536):
                    body += chunk
            except (socket.timeout, ssl.SSLError, ConnectionResetError):
                pass
            return TlsAnswer(local_port, s.version() or "", (s.cipher() or ("",))[0], s.selected_alpn_protocol(),
                             body)


def plain_request(port: int, request: bytes, timeout: float = 5.0) -> tuple[int, bytes]:
    """One plain TCP connection from 127.0.0.1: (local port, answer)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        local_port = s.getsockname()[1]
        s.sendall(request)
        body = b""
        try:
            while chunk := s.recv(65536):
                body += chunk
        except (socket.timeout, ConnectionResetError):
            pass
        return local_port, body


def http_get(path: str = "/", host: str = "matrix.test") -> bytes:
    return f"GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n".encode()
