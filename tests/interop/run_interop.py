#!/usr/bin/env python3
"""Check PROXY protocol header files against real receivers, with expectations.

Usage:
  run_interop.py [--receivers haproxy,nginx,tshark] [--ipv6] [--timeout S]
                 [--nginx-buffer SIZE] [--verbose] CASES_DIR

CASES_DIR holds pairs NAME.bin (the exact header bytes) + NAME.expect.json:

  {"expect": {"haproxy": "accept"|"reject"|"skip", "nginx": ..., "tshark": ...},
   "src_addr": "192.0.2.1", "src_port": 51000,          # null when the receiver
   "dst_addr": "198.51.100.2", "dst_port": 443,         # must use the real connection
   "tlvs": [{"type": 2, "value_hex": "6578..."}]}       # v2 TLVs in wire order

Every case is judged by every listed receiver with judge.py (next to this
script; one receiver instance per run, all cases against it) and checked:

* haproxy / nginx: "accept" needs verdict accepted (payload after the header
  intact), "reject" needs rejected.  When accepted, the decoded addresses and
  ports must equal the expected ones, or, when they are null, the receiver must
  have used the real connection.  haproxy must also report the same AUTHORITY
  (0x02) and UNIQUE_ID (0x05) TLVs (the only two it exposes).  nginx 1.22 shows
  port 0 as empty; that is accepted with a note.
* tshark: "accept" needs decoded, "reject" needs flagged or not-recognised.
  The addresses it shows must match, and the TLVs it shows must match the
  expected ones at the same place.  Wireshark 4.0 stops reading TLVs once the
  absolute offset reaches the v2 length field (instead of 16 + length), so it
  may hide TLVs near the end of short headers; only the TLVs it shows are
  compared, but at least those that 4.0 is bound to show are required.  It
  flags the valid bare "PROXY UNKNOWN\\r\\n"; that is accepted with a note.

Prints "PASS|FAIL|SKIP receiver case: detail" per check and a last line
"N passed, M failed[, K skipped]".  Exit status: 1 if anything failed, 77 if
everything was skipped because the receivers are not installed, else 0.
"""

import argparse
import glob
import json
import os
import signal
import socket
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
JUDGE = os.path.join(HERE, "judge.py")
ALL_RECEIVERS = ("haproxy", "nginx", "tshark")


# ---------------------------------------------------------------- helpers

def canon_addr(a):
    """Canonical form of an address for comparison (family-strict)."""
    if a is None:
        return None
    for fam in (socket.AF_INET, socket.AF_INET6):
        try:
            return (fam, socket.inet_pton(fam, a))
        except (OSError, TypeError, ValueError):
            pass
    return ("text", a)


def fmt_ep(addr, port):
    if addr is None and port is None:
        return "-"
    a = "-" if addr is None else (("[%s]" % addr) if ":" in addr else addr)
    return "%s:%s" % (a, "-" if port is None else port)


def v2_layout(data):
    """(is_v2, fam_byte, length_field, tlv_start) of a header as Wireshark 4.0 reads it."""
    if len(data) < 16 or data[:12] != b"\r\n\r\n\x00\r\nQUIT\n":
        return False, None, None, None
    fam = data[13]
    length = int.from_bytes(data[14:16], "big")
    if fam in (0x11, 0x12):
        start = 16 + 12
    elif fam in (0x21, 0x22):
        start = 16 + 36
    elif fam in (0x31, 0x32):
        start = 16 + 216
    else:
        start = 16 + length  # dissected as "unknown data": no TLVs
    return True, fam, length, start


def walk_tlvs(buf, off, limit, out, depth=0):
    """Emulate Wireshark's dissect_proxy_v2_tlv(): TLVs it shows, in tree order.

    An SSL TLV (0x20) is entered after its 5-byte client/verify part and the walk
    continues from there with the same limit (so TLVs after it appear nested)."""
    while off < limit and depth < 32:
        if off + 3 > len(buf):
            out.append(("truncated", off))
            return len(buf) + 1
        t = buf[off]
        ln = int.from_bytes(buf[off + 1:off + 3], "big")
        off += 3
        out.append((t, buf[off:off + ln].hex()))
        if t == 0x20:
            off = walk_tlvs(buf, off + 5, limit, out, depth + 1)
        else:
            off += ln
    return off


def expected_tshark_tlvs(data, tlvs):
    """(tlvs 4.0 must show, tlvs a full reader would show), from the expected TLVs
    laid out after the header's own address block."""
    is_v2, fam, length, start = v2_layout(data)
    if not is_v2:
        return [], []
    buf = bytearray(data[:start])
    for t in tlvs:
        v = bytes.fromhex(t.get("value_hex", ""))
        buf += bytes([t["type"] & 0xFF]) + len(v).to_bytes(2, "big") + v
    buf = bytes(buf)
    must, full = [], []
    walk_tlvs(buf, start, length, must)              # Wireshark 4.0: absolute offset < length field
    walk_tlvs(buf, start, 16 + length, full)         # a reader bounded by 16 + length
    must = [x for x in must if x[0] != "truncated"]
    full = [x for x in full if x[0] != "truncated"]
    return must, full


def describe_tlv(t):
    typ, val = t
    v = val if len(val) <= 24 else val[:20] + "..(%dB)" % (len(val) // 2)
    return "0x%02x=%s" % (typ, v)


# ---------------------------------------------------------------- checks

def check_addresses(res, exp, receiver, data, notes):
    keys = ("src_addr", "src_port", "dst_addr", "dst_port")
    want = {k: exp.get(k) for k in keys}
    got = {k: res.get(k) for k in keys}
    shown = "%s -> %s" % (fmt_ep(got["src_addr"], got["src_port"]), fmt_ep(got["dst_addr"], got["dst_port"]))
    if all(want[k] is None for k in keys):
        if receiver == "tshark":
            if got["src_addr"] is None:
                return [], "no addresses shown (none expected)"
            is_v2, fam, _, _ = v2_layout(data)
            if is_v2 and (data[12] & 0x0F) == 0:
                notes.append("tshark shows the address block of a LOCAL header (%s)" % shown)
                return [], "LOCAL: real connection expected"
            return ["expected no addresses (real connection), tshark shows %s" % shown], shown
        if res.get("addresses_from") != "real-connection":
            return ["expected the real connection addresses, %s used %s from the header"
                    % (receiver, shown)], shown
        return [], "real connection addresses (%s)" % shown
    errs = []
    if receiver != "tshark" and res.get("addresses_from") != "proxy-header":
        errs.append("expected addresses from the header, %s used the real connection (%s)" % (receiver, shown))
        return errs, shown
    for k in keys:
        w, g = want[k], got[k]
        if w is None:
            continue
        if k.endswith("_addr"):
            if canon_addr(g) != canon_addr(w):
                errs.append("%s %s != expected %s" % (k, g, w))
        else:
            if g is None and w == 0 and receiver == "nginx":
                notes.append("nginx 1.22 shows port 0 as empty")
                continue
            if g != w:
                errs.append("%s %s != expected %s" % (k, g, w))
    return errs, shown


def check_case(receiver, res, exp, data):
    """Returns (status, detail)."""
    want = exp["expect"].get(receiver)
    verdict = res.get("verdict")
    notes = []
    if receiver == "tshark":
        ok_verdicts = {"accept": ("decoded",), "reject": ("flagged", "not-recognised")}[want]
        if verdict not in ok_verdicts:
            if want == "accept" and verdict == "flagged" and data == b"PROXY UNKNOWN\r\n":
                notes.append("known tshark 4.0 quirk: flags the bare 'PROXY UNKNOWN\\r\\n'")
                return "PASS", "flagged (%s); %s" % (res.get("reason"), notes[0])
            return "FAIL", "expected %s, tshark said %s%s" % (
                "decoded" if want == "accept" else "flagged/not-recognised", verdict,
                (" (%s)" % res["reason"]) if res.get("reason") else "")
        if want == "reject":
            return "PASS", "%s as expected%s" % (verdict, (" (%s)" % res["reason"]) if res.get("reason") else "")
        errs, shown = check_addresses(res, exp, receiver, data, notes)
        hl = res.get("header_length")
        if hl is not None and hl != len(data):
            errs.append("tshark reads a %d-byte header, the file holds %d bytes" % (hl, len(data)))
        # TLVs
        tl = [(t["type"], (t.get("value_hex") or "").lower()) for t in res.get("tlvs") or []]
        exp_tlvs = exp.get("tlvs") or []
        is_v2 = v2_layout(data)[0]
        if not is_v2 and exp_tlvs:
            errs.append("expected %d TLV(s) but the header is not v2" % len(exp_tlvs))
        must, full = expected_tshark_tlvs(data, exp_tlvs)
        for i, t in enumerate(tl):
            if i >= len(full):
                errs.append("tshark shows an unexpected TLV #%d %s" % (i + 1, describe_tlv(t)))
            elif t != full[i]:
                errs.append("TLV #%d: tshark shows %s, expected %s" % (i + 1, describe_tlv(t), describe_tlv(full[i])))
        if len(tl) < len(must):
            errs.append("tshark shows %d TLV(s), tshark 4.0 should show at least %d (missing %s)" % (
                len(tl), len(must), ", ".join(describe_tlv(t) for t in must[len(tl):])))
        if len(tl) < len(full) and not errs:
            notes.append("tshark hides %d trailing TLV(s) (known 4.0 quirk: stops at the length field's value)"
                         % (len(full) - len(tl)))
        detail = "decoded %s" % shown
        if is_v2:
            detail += ", %d TLV(s) shown match" % len(tl)
        if errs:
            if len(errs) > 4:
                errs = errs[:4] + ["... %d more" % (len(errs) - 4)]
            return "FAIL", "; ".join(errs)
        return "PASS", detail + ("; " + "; ".join(notes) if notes else "")

    # haproxy / nginx
    if want == "reject":
        if verdict == "rejected":
            return "PASS", "rejected as expected (%s)" % res.get("reason")
        if verdict in ("accepted", "mangled"):
            return "FAIL", "expected reject, %s %s it (%s -> %s)%s" % (
                receiver, verdict, fmt_ep(res.get("src_addr"), res.get("src_port")),
                fmt_ep(res.get("dst_addr"), res.get("dst_port")),
                ("; " + res["reason"]) if res.get("reason") else "")
        return "FAIL", "expected reject, got %s (%s)" % (verdict, res.get("reason"))
    if verdict != "accepted":
        return "FAIL", "expected accept, got %s (%s)" % (verdict, res.get("reason"))
    errs, shown = check_addresses(res, exp, receiver, data, notes)
    checked = []
    if receiver == "haproxy":
        exp_tlvs = exp.get("tlvs") or []
        for typ, key in ((0x02, "authority"), (0x05, "unique_id")):
            ev = next((t.get("value_hex", "").lower() for t in exp_tlvs if t.get("type") == typ), None)
            gv = res.get(key + "_hex")
            if ev == "":
                ev = None  # haproxy shows an empty TLV as absent
            if ev != gv:
                errs.append("%s: haproxy reports %s, expected %s" % (
                    key, "none" if gv is None else repr(res.get(key)),
                    "none" if ev is None else repr(bytes.fromhex(ev).decode("utf-8", "backslashreplace"))))
            elif ev is not None:
                checked.append(key)
    if errs:
        return "FAIL", "; ".join(errs)
    detail = "accepted, %s" % shown
    if checked:
        detail += ", %s match" % "/".join(checked)
    if notes:
        detail += "; " + "; ".join(notes)
    return "PASS", detail


# ---------------------------------------------------------------- main

def load_cases(d):
    cases, problems = [], []
    for bin_path in sorted(glob.glob(os.path.join(d, "*.bin"))):
        name = os.path.basename(bin_path)[:-4]
        exp_path = os.path.join(d, name + ".expect.json")
        if not os.path.exists(exp_path):
            problems.append((name, "no %s.expect.json" % name))
            continue
        try:
            with open(exp_path) as f:
                exp = json.load(f)
            if not isinstance(exp.get("expect"), dict):
                raise ValueError('"expect" must be an object')
            for r, v in exp["expect"].items():
                if v not in ("accept", "reject", "skip"):
                    raise ValueError("expect.%s must be accept, reject or skip, not %r" % (r, v))
            for t in exp.get("tlvs") or []:
                int(t["type"])
                bytes.fromhex(t.get("value_hex", ""))
            with open(bin_path, "rb") as f:
                data = f.read()
        except (OSError, ValueError, KeyError, TypeError) as e:
            problems.append((name, "bad case: %s" % e))
            continue
        cases.append((name, bin_path, data, exp))
    for exp_path in sorted(glob.glob(os.path.join(d, "*.expect.json"))):
        name = os.path.basename(exp_path)[:-len(".expect.json")]
        if not os.path.exists(os.path.join(d, name + ".bin")):
            problems.append((name, "no %s.bin" % name))
    return cases, problems


def run_judge(receiver, paths, a):
    argv = [sys.executable, JUDGE, "--receiver", receiver, "--timeout", str(a.timeout)]
    if a.ipv6:
        argv.append("--ipv6")
    if a.nginx_buffer and receiver == "nginx":
        argv += ["--nginx-buffer", a.nginx_buffer]
    argv += paths
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p


def collect(p, n, timeout):
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.send_signal(signal.SIGTERM)          # judge.py stops its receiver on SIGTERM
        try:
            out, err = p.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
        return None, "judge.py timed out after %ds" % timeout, out, err
    return p.returncode, None, out, err


def main(argv=None):
    ap = argparse.ArgumentParser(description="Judge NAME.bin cases with real receivers and check NAME.expect.json.")
    ap.add_argument("--receivers", default=",".join(ALL_RECEIVERS),
                    help="comma-separated subset of haproxy,nginx,tshark (default: all)")
    ap.add_argument("--ipv6", action="store_true", help="talk to the servers over ::1")
    ap.add_argument("--timeout", type=float, default=3.0, help="per-case time limit for judge.py (default 3)")
    ap.add_argument("--nginx-buffer", metavar="SIZE", help="nginx client_header_buffer_size (default nginx's 1k)")
    ap.add_argument("--verbose", action="store_true", help="also print judge.py's JSON for each check")
    ap.add_argument("cases_dir", metavar="CASES_DIR")
    a = ap.parse_args(argv)

    receivers = [r.strip() for r in a.receivers.split(",") if r.strip()]
    bad = [r for r in receivers if r not in ALL_RECEIVERS]
    if bad or not receivers:
        print("run_interop.py: unknown receiver(s): %s" % ", ".join(bad or ["(none)"]), file=sys.stderr)
        return 2
    if not os.path.isdir(a.cases_dir):
        print("run_interop.py: %s is not a directory" % a.cases_dir, file=sys.stderr)
        return 2
    cases, problems = load_cases(a.cases_dir)
    passed = failed = skipped = skipped_missing = 0

    def report(status, receiver, case, detail):
        nonlocal passed, failed, skipped
        if status == "PASS":
            passed += 1
        elif status == "FAIL":
            failed += 1
        else:
            skipped += 1
        print("%s %s %s: %s" % (status, receiver, case, detail), flush=True)

    for name, why in problems:
        report("FAIL", "-", name, why)
    if not cases and not problems:
        print("run_interop.py: no NAME.bin + NAME.expect.json cases in %s" % a.cases_dir, file=sys.stderr)
        return 2

    # start one judge.py per receiver (they run side by side on their own ports)
    jobs = {}
    for r in receivers:
        todo = [c for c in cases if c[3]["expect"].get(r, "skip") != "skip"]
        if todo:
            jobs[r] = (todo, run_judge(r, [c[1] for c in todo], a))
    for r in receivers:
        if r not in jobs:
            for name, _, _, exp in cases:
                report("SKIP", r, name, "expectation is skip" if r in exp["expect"] else "no expectation for %s" % r)
            continue
        todo, p = jobs[r]
        limit = int(60 + len(todo) * (a.timeout + 5))
        rc, problem, out, err = collect(p, len(todo), limit)
        err_text = err.decode("utf-8", "replace").strip()
        out_text = out.decode("utf-8", "replace")
        todo_names = {c[0] for c in todo}
        if rc == 77:
            msg = (out_text.strip() or err_text or "skipped: %s not installed" % r).splitlines()[0]
            for name, _, _, exp in cases:
                if name in todo_names:
                    report("SKIP", r, name, msg)
                    skipped_missing += 1
                else:
                    report("SKIP", r, name, "expectation is skip")
            continue
        results = []
        for line in out_text.splitlines():
            line = line.strip()
            if line.startswith("{"):
                try:
                    results.append(json.loads(line))
                except ValueError:
                    pass
        by_file = {res.get("file"): res for res in results}
        why = problem or ("judge.py exit %d: %s" % (rc, err_text.splitlines()[-1] if err_text else "no message")
                          if rc != 0 else None)
        for name, path, data, exp in cases:
            if name not in todo_names:
                report("SKIP", r, name, "expectation is skip" if r in exp["expect"] else "no expectation for %s" % r)
                continue
            res = by_file.get(path)
            if res is None:
                report("FAIL", r, name, "no verdict from judge.py (%s)" % (why or "missing output"))
                continue
            if a.verbose:
                print("  " + json.dumps(res), flush=True)
            status, detail = check_case(r, res, exp, data)
            report(status, r, name, detail)
        if why and rc != 0:
            print("note: %s" % why, file=sys.stderr)

    line = "%d passed, %d failed" % (passed, failed)
    if skipped:
        line += ", %d skipped" % skipped
    print(line, flush=True)
    if failed:
        return 1
    if passed == 0 and skipped_missing > 0:
        return 77
    return 0


if __name__ == "__main__":
    sys.exit(main())
