#!/usr/bin/env python3
"""Generate tests/generated/vector_table.hpp from the test data.

Inputs (all inside the repository):
  tests/data/vectors/<sender>/NAME.json + NAME.bin   captured headers
  tests/data/vectors/malformed/NAME.json + NAME.bin  hand-made malformed/edge cases
  tests/data/spec-vectors.json                       spec vectors V01..V36
                                                     (V35 is expanded here)

Usage:
  python3 tools/gen_vector_table.py           # (re)write the header
  python3 tools/gen_vector_table.py --check   # exit 1 if the header is stale
  python3 tools/gen_vector_table.py --output PATH   # write somewhere else

Python 3 standard library only. The output is deterministic (sorted inputs,
no timestamps) so that --check can compare it byte for byte.
"""

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VECTORS_DIR = ROOT / "tests" / "data" / "vectors"
SPEC_JSON = ROOT / "tests" / "data" / "spec-vectors.json"
OUTPUT = ROOT / "tests" / "generated" / "vector_table.hpp"

V2_SIGNATURE = bytes.fromhex("0d0a0d0a000d0a515549540a")
MALFORMED_FOLDER = "malformed"
LINE_CONTENT_MAX = 120  # characters of literal content per source line


class DataError(Exception):
    pass


# --------------------------------------------------------------------------
# C++ literal emission
# --------------------------------------------------------------------------

_HEX_DIGITS = set(b"0123456789abcdefABCDEF")


def _is_text(data):
    return all(0x20 <= b < 0x7F or b in (0x09, 0x0A, 0x0D) for b in data)


def _literal_tokens(data, text_mode):
    """Yield (text, is_hex_escape, raw_byte) tokens for the bytes in data.

    In text mode (v1 lines, notes, TLV hex strings) printable ASCII is kept
    as is for readability and other bytes (e.g. UTF-8) become \\xNN; in
    binary mode (v2 headers) every byte is a \\xNN escape.  '?' is escaped
    so that no trigraph-like sequence appears.
    """
    for byte in data:
        if not text_mode:
            yield "\\x%02x" % byte, True, byte
        elif byte == 0x0D:
            yield "\\r", False, byte
        elif byte == 0x0A:
            yield "\\n", False, byte
        elif byte == 0x09:
            yield "\\t", False, byte
        elif byte == 0x5C:
            yield "\\\\", False, byte
        elif byte == 0x22:
            yield '\\"', False, byte
        elif byte == 0x3F:
            yield "\\?", False, byte
        elif 0x20 <= byte < 0x7F:
            yield chr(byte), False, byte
        else:
            yield "\\x%02x" % byte, True, byte


def literal_pieces(data, text_mode=None):
    """Split data into C string literal contents (without quotes).

    A new literal is started whenever a hex escape would otherwise be
    followed by a hex digit (hex escapes are greedy), and whenever a piece
    reaches LINE_CONTENT_MAX characters.  Adjacent literals concatenate, so
    the pieces together denote exactly `data`.
    """
    pieces = []
    current = ""
    prev_was_hex = False
    if text_mode is None:
        text_mode = _is_text(data)
    for text, is_hex, byte in _literal_tokens(data, text_mode):
        must_split = prev_was_hex and not is_hex and byte in _HEX_DIGITS
        if current and (must_split or len(current) + len(text) > LINE_CONTENT_MAX):
            pieces.append(current)
            current = ""
        current += text
        prev_was_hex = is_hex
    pieces.append(current)
    return pieces


def cxx_bytes(data, indent):
    """std::string_view{"...", N} with an explicit length (data may hold NUL)."""
    pieces = literal_pieces(data)
    if len(pieces) == 1:
        return 'std::string_view{"%s", %d}' % (pieces[0], len(data))
    pad = " " * (indent + 4)
    body = ("\n" + pad).join('"%s"' % p for p in pieces)
    return "std::string_view{\n%s%s,\n%s%d}" % (pad, body, pad, len(data))


def cxx_text(text, indent):
    """A string view for text (UTF-8; no NUL expected, but handled)."""
    data = text.encode("utf-8")
    if b"\0" in data:
        return cxx_bytes(data, indent)
    pieces = literal_pieces(data, text_mode=True)
    if len(pieces) == 1:
        return '"%s"' % pieces[0]
    pad = " " * (indent + 4)
    return "\n" + pad + ("\n" + pad).join('"%s"' % p for p in pieces)


def cxx_bool(value):
    return "true" if value else "false"


def ident(text):
    out = re.sub(r"[^0-9A-Za-z]", "_", text).lower()
    if not out or out[0].isdigit():
        out = "v_" + out
    return out


# --------------------------------------------------------------------------
# Loading and validating the data
# --------------------------------------------------------------------------

def read_json(path):
    with open(path, "r", encoding="utf-8") as fh:
        return json.load(fh)


def need(cond, where, message):
    if not cond:
        raise DataError("%s: %s" % (where, message))


def check_v2_length(data, where):
    if len(data) >= 16 and data.startswith(V2_SIGNATURE):
        length_field = int.from_bytes(data[14:16], "big")
        need(16 + length_field == len(data), where,
             "v2 length field %d but %d bytes (expected 16 + len)" % (length_field, len(data)))


def load_captured():
    cases = []
    folders = sorted(p for p in VECTORS_DIR.iterdir()
                     if p.is_dir() and p.name != MALFORMED_FOLDER)
    for folder in folders:
        for json_path in sorted(folder.glob("*.json")):
            j = read_json(json_path)
            where = "%s/%s" % (folder.name, json_path.name)
            bin_path = json_path.with_suffix(".bin")
            need(bin_path.is_file(), where, "missing %s" % bin_path.name)
            data = bin_path.read_bytes()
            need(j.get("file") == bin_path.name, where, "'file' does not name the .bin")
            need(j["header_length"] == len(data), where,
                 "header_length %d but .bin has %d bytes" % (j["header_length"], len(data)))
            need(j["sha256"] == hashlib.sha256(data).hexdigest(), where, "sha256 mismatch")
            need(j["version"] in (1, 2), where, "bad version")
            if j["version"] == 2:
                need(data.startswith(V2_SIGNATURE), where, "v2 case without v2 signature")
                check_v2_length(data, where)
                need(j.get("length_field") == len(data) - 16, where, "length_field mismatch")
            else:
                need(data.startswith(b"PROXY ") and data.endswith(b"\r\n"), where, "not a v1 line")
                need(j.get("v1_line", "").encode("ascii") + b"\r\n" == data, where,
                     "v1_line does not match the .bin")
            after_hex = j.get("bytes_after_header_hex") or ""
            has_addr = j.get("src_addr") is not None
            need(has_addr == (j.get("dst_addr") is not None), where,
                 "only one of src_addr/dst_addr is null")
            tlvs = []
            for t in j.get("tlvs") or []:
                value = bytes.fromhex(t["value_hex"])
                need(t["length"] == len(value), where, "TLV length/value mismatch")
                ssl = t.get("ssl")
                subs = []
                if ssl is not None:
                    need(len(value) >= 5 and value[0] == ssl["client"]
                         and int.from_bytes(value[1:5], "big") == ssl["verify"],
                         where, "SSL client/verify do not match value_hex")
                    for s in ssl.get("sub_tlvs") or []:
                        need(s["length"] * 2 == len(s["value_hex"]), where, "sub-TLV length mismatch")
                        subs.append((s["type"], s["value_hex"].lower()))
                tlvs.append(dict(type=t["type"], value_hex=t["value_hex"].lower(), ssl=ssl, subs=subs))
            cases.append(dict(
                name=j["name"], folder=folder.name, bytes=data,
                bytes_after=bytes.fromhex(after_hex),
                valid=bool(j["valid"]), invalid_reason=j.get("invalid_reason") or "",
                header_length=j["header_length"], version=j["version"],
                command=j["command"], family=j["family"], transport=j["transport"],
                has_addresses=has_addr,
                src_addr=j.get("src_addr") or "", dst_addr=j.get("dst_addr") or "",
                src_port=-1 if j.get("src_port") is None else j["src_port"],
                dst_port=-1 if j.get("dst_port") is None else j["dst_port"],
                v1_line=(j.get("v1_line") or "") if j["version"] == 1 else "",
                tlvs=tlvs))
    return cases


def load_malformed():
    cases = []
    for json_path in sorted((VECTORS_DIR / MALFORMED_FOLDER).glob("*.json")):
        j = read_json(json_path)
        where = "%s/%s" % (MALFORMED_FOLDER, json_path.name)
        data = json_path.with_suffix(".bin").read_bytes()
        need(j.get("length") == len(data), where, "length mismatch")
        need(j.get("hex") == data.hex(), where, "hex does not match the .bin")
        need(j["spec_expectation"] in ("reject", "accept", "either"), where, "bad spec_expectation")
        ref = j.get("reference_decoder") or {}
        cases.append(dict(
            name=j["name"], bytes=data, spec_expectation=j["spec_expectation"],
            why=j.get("why") or "", reference_verdict=ref.get("verdict") or "",
            reference_reason=ref.get("reason") or ""))
    return cases


def expand_zero_fill(obj, hex_key, fill_key, where):
    if obj.get(hex_key) is not None:
        return obj[hex_key].lower()
    need(isinstance(obj.get(fill_key), int), where, "neither %s nor %s" % (hex_key, fill_key))
    return "00" * obj[fill_key]


def load_spec():
    cases = []
    seen = set()
    for v in read_json(SPEC_JSON):
        where = "spec-vectors.json %s" % v.get("id")
        need(v["id"] not in seen, where, "duplicate id")
        seen.add(v["id"])
        if v.get("bytes_hex") is not None:
            data = bytes.fromhex(v["bytes_hex"])
        else:
            gen = v.get("bytes_generated")
            need(gen is not None, where, "no bytes_hex and no bytes_generated")
            data = bytes.fromhex(gen["prefix_hex"]) + bytes(gen["zero_fill"])
            need(len(data) == gen["length"], where, "generated length mismatch")
        check_v2_length(data, where)
        need(v["expectation"] in ("accept", "reject", "either"), where, "bad expectation")
        has_fields = "version" in v
        if v["expectation"] == "accept":
            need(has_fields, where, "accepted vector without decoded fields")
        tlvs = []
        if has_fields:
            for i, t in enumerate(v.get("tlvs") or []):
                tlvs.append((t["type"], expand_zero_fill(t, "value_hex", "value_zero_fill",
                                                         "%s tlv %d" % (where, i))))
            has_addr = v.get("src_addr") is not None
            need(has_addr == (v.get("dst_addr") is not None), where,
                 "only one of src_addr/dst_addr is null")
        else:
            has_addr = False
        cases.append(dict(
            id=v["id"], bytes=data, expectation=v["expectation"], note=v.get("note") or "",
            has_fields=has_fields,
            version=v.get("version", 0) if has_fields else 0,
            command=v.get("command") or "", family=v.get("family") or "",
            transport=v.get("transport") or "",
            has_addresses=has_addr,
            src_addr=v.get("src_addr") or "", dst_addr=v.get("dst_addr") or "",
            src_port=-1 if v.get("src_port") is None else v["src_port"],
            dst_port=-1 if v.get("dst_port") is None else v["dst_port"],
            tlvs=tlvs))
    return cases


# --------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------

PROLOGUE = """\
// generated by tools/gen_vector_table.py; do not edit
//
// Sources: tests/data/vectors/*/*.json + .bin (captured and malformed
// headers) and tests/data/spec-vectors.json (spec vectors V01..V36, V35
// expanded by the generator). Regenerate with
//     python3 tools/gen_vector_table.py
// and check freshness with
//     python3 tools/gen_vector_table.py --check
// clang-format off
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace test_vectors {

struct tlv_expectation {
    std::uint8_t type;
    std::string_view value_hex;  // raw value as lowercase hex
};

struct tlv_case {
    std::uint8_t type;
    std::string_view value_hex;  // raw value as lowercase hex
    bool has_ssl;
    std::uint8_t ssl_client;
    std::uint32_t ssl_verify;
    std::span<const tlv_expectation> ssl_sub_tlvs;
};

// One per tests/data/vectors/<sender>/*.json except malformed/.
struct captured_case {
    std::string_view name;
    std::string_view folder;
    std::string_view bytes;        // the exact .bin bytes (may contain NUL)
    std::string_view bytes_after;  // decoded bytes_after_header_hex ("" if none)
    bool valid;  // false: a strict parser should refuse it
    std::string_view invalid_reason;  // "" when valid
    std::size_t header_length;
    int version;
    std::string_view command, family, transport;  // "PROXY", "INET", "STREAM", ...
    bool has_addresses;  // false: src_addr/dst_addr are "" (LOCAL, UNSPEC, UNKNOWN)
    std::string_view src_addr, dst_addr;  // as inet_ntop() prints them
    int src_port, dst_port;  // -1 when null
    std::string_view v1_line;  // line without CRLF; "" for v2
    std::span<const tlv_case> tlvs;
};

// tests/data/vectors/malformed/*.json
struct malformed_case {
    std::string_view name;
    std::string_view bytes;
    std::string_view spec_expectation;  // "reject" | "accept" | "either"
    std::string_view why;
    std::string_view reference_verdict;  // "valid" | "invalid"
    std::string_view reference_reason;   // "" when valid
};

// tests/data/spec-vectors.json (V35 generated)
struct spec_case {
    std::string_view id;
    std::string_view bytes;
    std::string_view expectation;  // "accept" | "reject" | "either"
    std::string_view note;
    bool has_fields;  // false for rejected vectors: then version is 0 and the
                      // strings below are "" (no decoded fields)
    int version;
    std::string_view command, family, transport;
    bool has_addresses;
    std::string_view src_addr, dst_addr;
    int src_port, dst_port;  // -1 when null
    std::span<const tlv_expectation> tlvs;
};
"""

EPILOGUE = """\
}  // namespace test_vectors
"""


def render_fields(fields, indent):
    pad = " " * indent
    return "".join("%s.%s = %s,\n" % (pad, k, v) for k, v in fields)


def render(captured, malformed, spec):
    out = [PROLOGUE]
    used = set()

    def unique(name):
        need(name not in used, "generator", "duplicate identifier %s" % name)
        used.add(name)
        return name

    # ---- captured: helper arrays --------------------------------------
    out.append("\n// ---- helper arrays for captured[] ----\n")
    captured_tlv_arrays = {}
    for c in captured:
        if not c["tlvs"]:
            continue
        base = "captured_" + ident(c["name"])
        entries = []
        for idx, t in enumerate(c["tlvs"]):
            sub_name = "{}"
            if t["subs"]:
                sub_name = unique("%s_tlv%d_ssl_sub" % (base, idx))
                out.append("inline constexpr tlv_expectation %s[] = {\n" % sub_name)
                for st, sv in t["subs"]:
                    out.append("    {0x%02x, %s},\n" % (st, cxx_text(sv, 4)))
                out.append("};\n")
            ssl = t["ssl"]
            entries.append(
                "    {0x%02x, %s, %s, 0x%02x, %du, %s},\n" % (
                    t["type"], cxx_text(t["value_hex"], 4), cxx_bool(ssl is not None),
                    ssl["client"] if ssl else 0, ssl["verify"] if ssl else 0, sub_name))
        arr = unique(base + "_tlvs")
        out.append("inline constexpr tlv_case %s[] = {\n" % arr)
        out.extend(entries)
        out.append("};\n")
        captured_tlv_arrays[c["name"]] = arr

    # ---- captured table -------------------------------------------------
    out.append("\ninline constexpr captured_case captured[] = {\n")
    for c in captured:
        fields = [
            ("name", cxx_text(c["name"], 8)),
            ("folder", cxx_text(c["folder"], 8)),
            ("bytes", cxx_bytes(c["bytes"], 8)),
            ("bytes_after", cxx_bytes(c["bytes_after"], 8)),
            ("valid", cxx_bool(c["valid"])),
            ("invalid_reason", cxx_text(c["invalid_reason"], 8)),
            ("header_length", "%du" % c["header_length"]),
            ("version", "%d" % c["version"]),
            ("command", cxx_text(c["command"], 8)),
            ("family", cxx_text(c["family"], 8)),
            ("transport", cxx_text(c["transport"], 8)),
            ("has_addresses", cxx_bool(c["has_addresses"])),
            ("src_addr", cxx_text(c["src_addr"], 8)),
            ("dst_addr", cxx_text(c["dst_addr"], 8)),
            ("src_port", "%d" % c["src_port"]),
            ("dst_port", "%d" % c["dst_port"]),
            ("v1_line", cxx_text(c["v1_line"], 8)),
            ("tlvs", captured_tlv_arrays.get(c["name"], "{}")),
        ]
        out.append("    {  // %s/%s\n" % (c["folder"], c["name"]))
        out.append(render_fields(fields, 8))
        out.append("    },\n")
    out.append("};\n")

    # ---- malformed table -----------------------------------------------
    out.append("\ninline constexpr malformed_case malformed[] = {\n")
    for m in malformed:
        fields = [
            ("name", cxx_text(m["name"], 8)),
            ("bytes", cxx_bytes(m["bytes"], 8)),
            ("spec_expectation", cxx_text(m["spec_expectation"], 8)),
            ("why", cxx_text(m["why"], 8)),
            ("reference_verdict", cxx_text(m["reference_verdict"], 8)),
            ("reference_reason", cxx_text(m["reference_reason"], 8)),
        ]
        out.append("    {  // malformed/%s\n" % m["name"])
        out.append(render_fields(fields, 8))
        out.append("    },\n")
    out.append("};\n")

    # ---- spec: helper arrays --------------------------------------------
    out.append("\n// ---- helper arrays for spec[] ----\n")
    spec_tlv_arrays = {}
    for s in spec:
        if not s["tlvs"]:
            continue
        arr = unique("spec_" + ident(s["id"]) + "_tlvs")
        out.append("inline constexpr tlv_expectation %s[] = {\n" % arr)
        for t, v in s["tlvs"]:
            out.append("    {0x%02x, %s},\n" % (t, cxx_text(v, 4)))
        out.append("};\n")
        spec_tlv_arrays[s["id"]] = arr

    # ---- spec table -----------------------------------------------------
    out.append("\ninline constexpr spec_case spec[] = {\n")
    for s in spec:
        fields = [
            ("id", cxx_text(s["id"], 8)),
            ("bytes", cxx_bytes(s["bytes"], 8)),
            ("expectation", cxx_text(s["expectation"], 8)),
            ("note", cxx_text(s["note"], 8)),
            ("has_fields", cxx_bool(s["has_fields"])),
            ("version", "%d" % s["version"]),
            ("command", cxx_text(s["command"], 8)),
            ("family", cxx_text(s["family"], 8)),
            ("transport", cxx_text(s["transport"], 8)),
            ("has_addresses", cxx_bool(s["has_addresses"])),
            ("src_addr", cxx_text(s["src_addr"], 8)),
            ("dst_addr", cxx_text(s["dst_addr"], 8)),
            ("src_port", "%d" % s["src_port"]),
            ("dst_port", "%d" % s["dst_port"]),
            ("tlvs", spec_tlv_arrays.get(s["id"], "{}")),
        ]
        out.append("    {  // %s\n" % s["id"])
        out.append(render_fields(fields, 8))
        out.append("    },\n")
    out.append("};\n\n")

    out.append(EPILOGUE)
    return "\n".join(line.rstrip() for line in "".join(out).split("\n"))


def generate():
    captured = load_captured()
    malformed = load_malformed()
    spec = load_spec()
    return render(captured, malformed, spec), (len(captured), len(malformed), len(spec))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if the committed header is out of date")
    parser.add_argument("--output", type=Path, default=OUTPUT,
                        help="output path (default: tests/generated/vector_table.hpp)")
    args = parser.parse_args(argv)

    try:
        text, counts = generate()
    except (DataError, OSError, KeyError, ValueError) as exc:
        print("gen_vector_table: error: %s" % exc, file=sys.stderr)
        return 2

    if args.check:
        try:
            current = args.output.read_text(encoding="utf-8")
        except OSError:
            current = None
        if current != text:
            print("gen_vector_table: %s is out of date; run python3 tools/gen_vector_table.py"
                  % args.output, file=sys.stderr)
            return 1
        print("gen_vector_table: %s is up to date (captured %d, malformed %d, spec %d)"
              % ((args.output,) + counts))
        return 0

    args.output.parent.mkdir(parents=True, exist_ok=True)
    with open(args.output, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    print("gen_vector_table: wrote %s (captured %d, malformed %d, spec %d)"
          % ((args.output,) + counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
