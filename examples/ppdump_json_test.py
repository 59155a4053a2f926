#!/usr/bin/env python3
"""ppdump --json over every vector in tests/data, compared field by field with its JSON.

Usage: ppdump_json_test.py PPDUMP DATA_DIR
Prints one line per mismatch and ends with "N passed, M failed".
"""
import json
import pathlib
import subprocess
import sys

ppdump, data = sys.argv[1], pathlib.Path(sys.argv[2])
passed = failed = 0


def run(args, stdin=None):
    p = subprocess.run([ppdump, "--json", *args], input=stdin, capture_output=True, timeout=30)
    lines = p.stdout.decode().splitlines()
    return p.returncode, json.loads(lines[0]) if lines else None


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {name}: {detail}")


def same_tlvs(got, want):
    if len(got) != len(want):
        return False
    for g, w in zip(got, want):
        for key in ("type", "type_name", "length", "value_hex"):
            if g[key] != w[key]:
                return False
        if "ssl" in w:
            gs, ws = g.get("ssl"), w["ssl"]
            if gs is None or gs["client"] != ws["client"] or gs["verify"] != ws["verify"]:
                return False
            if not same_tlvs(gs["sub_tlvs"], ws["sub_tlvs"]):
                return False
    return True


FIELDS = ("header_length", "version", "command", "family", "transport", "src_addr", "src_port", "dst_addr", "dst_port")

for meta in sorted(data.glob("vectors/*/*.json")):
    want = json.loads(meta.read_text())
    binary = meta.with_suffix(".bin")
    name = f"{meta.parent.name}/{meta.stem}"
    if meta.parent.name == "malformed":
        code, got = run([str(binary)])
        expectation = want["spec_expectation"]
        if expectation != "either":
            check(name, got["valid"] == (expectation == "accept") and code == (0 if got["valid"] else 1),
                  f"spec says {expectation}, ppdump says {got} (exit {code})")
        if got["valid"] and want["reference_decoder"]["verdict"] == "valid":
            ref = want["reference_decoder"]["decoded"]
            for key in ("version", "command", "family", "transport"):
                check(f"{name} {key}", got[key] == ref[key], f"{got[key]} != {ref[key]}")
        continue
    args = [str(binary)] if want["valid"] else ["--accept-ipv4-in-tcp6", str(binary)]
    if not want["valid"]:
        code, got = run([str(binary)])
        check(name + " (strict)", code == 1 and not got["valid"] and "error" in got, f"exit {code} {got}")
    code, got = run(args)
    check(name, code == 0 and got["valid"], f"exit {code} {got}")
    if not got["valid"]:
        continue
    for key in FIELDS:
        check(f"{name} {key}", got[key] == want[key], f"{got[key]!r} != {want[key]!r}")
    check(f"{name} tlvs", same_tlvs(got["tlvs"], want.get("tlvs", [])), f"{got['tlvs']} != {want.get('tlvs')}")
    # The same bytes followed by the payload that followed them on the wire, through stdin.
    after = bytes.fromhex(want.get("bytes_after_header_hex", ""))
    code, piped = run([*args[:-1], "-"], stdin=binary.read_bytes() + after)
    check(f"{name} with payload", code == 0 and piped["header_length"] == want["header_length"], f"{piped}")
    # A strict prefix is incomplete: exit status 2.
    code, part = run([*args[:-1], "-"], stdin=binary.read_bytes()[:-1])
    check(f"{name} prefix", code == 2 and part.get("incomplete") is True, f"exit {code} {part}")

code, _ = run(["--hex", "-"], stdin=b"0d0a0d0a 000d0a51 5549540a 20000000\n")
check("hex input", code == 0)
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed or passed == 0 else 0)
