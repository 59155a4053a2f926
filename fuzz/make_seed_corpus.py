#!/usr/bin/env python3
"""Write the fuzz seed corpus (fuzz/corpus/<target>/) from the test vectors.

Inputs: tests/data/vectors/<sender>/NAME.bin and tests/data/spec-vectors.json
(the project's own copies). Each target gets the inputs that fit its shape:
  detect, parse, crc32c, round_trip   every header, valid or not
  parse_v1                            headers starting with "P"
  parse_v2                            headers starting with the v2 signature
  tlv                                 the TLV region of each v2 header whose
                                      length field fits the bytes

Usage:
  python3 fuzz/make_seed_corpus.py          # (re)write fuzz/corpus/
  python3 fuzz/make_seed_corpus.py --check  # exit 1 if fuzz/corpus/ is stale
Inputs found by fuzzing are kept elsewhere (fuzz/regressions/); this script
owns fuzz/corpus/ alone. Standard library only; deterministic output.
"""

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VECTORS = ROOT / "tests" / "data" / "vectors"
SPEC = ROOT / "tests" / "data" / "spec-vectors.json"
CORPUS = ROOT / "fuzz" / "corpus"
SIGNATURE = bytes.fromhex("0d0a0d0a000d0a515549540a")
BLOCK_SIZES = {0x00: 0, 0x11: 12, 0x12: 12, 0x21: 36, 0x22: 36, 0x31: 216, 0x32: 216}
TARGETS = ("detect", "parse_v1", "parse_v2", "parse", "tlv", "crc32c", "round_trip")


def headers():
    """(name, bytes) for every vector, sorted by name."""
    out = {}
    for path in sorted(VECTORS.glob("*/*.bin")):
        out[f"{path.parent.name}-{path.stem}"] = path.read_bytes()
    for case in json.loads(SPEC.read_text()):
        if case.get("bytes_hex"):
            out[f"spec-{case['id']}"] = bytes.fromhex(case["bytes_hex"])
    return sorted(out.items())


def tlv_region(data):
    if len(data) < 16 or not data.startswith(SIGNATURE):
        return None
    block = BLOCK_SIZES.get(data[13])
    length = int.from_bytes(data[14:16], "big")
    if block is None or length < block or len(data) < 16 + length:
        return None
    return data[16 + block : 16 + length]


def wanted():
    files = {}
    for name, data in headers():
        for target in ("detect", "parse", "crc32c", "round_trip"):
            files[f"{target}/{name}"] = data
        if data.startswith(b"P"):
            files[f"parse_v1/{name}"] = data
        if data.startswith(SIGNATURE[:1]):
            files[f"parse_v2/{name}"] = data
        region = tlv_region(data)
        if region:
            files[f"tlv/{name}"] = region
    return files


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail if fuzz/corpus/ differs from the vectors")
    args = parser.parse_args()
    files = wanted()
    present = {str(p.relative_to(CORPUS)): p.read_bytes() for p in CORPUS.glob("*/*") if p.is_file()}
    if args.check:
        stale = sorted(set(files) ^ set(present)) + sorted(k for k in files if k in present and files[k] != present[k])
        if stale:
            print("fuzz/corpus/ is stale; run python3 fuzz/make_seed_corpus.py. First differences:", *stale[:10], sep="\n  ")
            return 1
        print(f"fuzz/corpus/ is fresh ({len(files)} files)")
        return 0
    for rel in set(present) - set(files):
        (CORPUS / rel).unlink()
    for rel, data in files.items():
        path = CORPUS / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    for target in TARGETS:
        (CORPUS / target).mkdir(parents=True, exist_ok=True)
    print(f"wrote {len(files)} files under fuzz/corpus/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
