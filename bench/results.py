#!/usr/bin/env python3
"""Turns benchmark output into the README's table and chart.

  results.py table RAW_DIR [--instructions TSV] [--markdown FILE] [--smoke]
  results.py chart RAW_DIR --svg FILE

RAW_DIR holds the JSON of one or more rounds: cpp-ROUND[-CASE].json (Google
Benchmark, --benchmark_format=json) and go-ROUND[-CASE].json (bench/go, one
object per line). Times and allocations shown are medians over the rounds;
the ratio is the median of the rounds' own ratios (each from the two sides
timed next to each other), shown with their range. The chart is drawn by gnuplot
(Debian's gnuplot-nox) from a data file this script writes next to it.
"""
import argparse
import json
import pathlib
import statistics
import subprocess
import sys

CASES = ["v1_tcp4", "v1_tcp6", "v1_unknown", "v2_tcp4", "v2_tcp6", "v2_tcp4_tlvs", "v2_local"]
OPERATIONS = ["parse", "parse_walk_tlvs", "build"]
TARGET_RATIO = 30  # issue #5: at least 30x go-proxyproto on every parse case


def load(raw_dir):
    """{(operation, case): {"ns": [...], "allocs": [...], "round": [...]}} for "cpp" and "go"."""
    raw = pathlib.Path(raw_dir)
    ours, go = {}, {}
    for path in sorted(raw.glob("cpp-*.json")):
        for b in json.loads(path.read_text())["benchmarks"]:
            if b.get("error_occurred"):
                sys.exit(f"results: {path}: {b['name']}: {b.get('error_message')}")
            if b.get("run_type", "iteration") != "iteration":
                continue
            operation, _, case = b["name"].removeprefix("BM_").partition("/")
            if operation not in OPERATIONS or case not in CASES:
                continue
            scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b["time_unit"]]
            entry = ours.setdefault((operation, case), {"ns": [], "allocs": [], "round": []})
            entry["round"].append(path.stem.split("-")[1])
            entry["ns"].append(b["real_time"] * scale)
            entry["allocs"].append(b["allocs/op"])
    for path in sorted(raw.glob("go-*.json")):
        for line in path.read_text().splitlines():
            b = json.loads(line)
            operation, _, case = b["name"].removeprefix("BM_").partition("/")
            entry = go.setdefault((operation, case), {"ns": [], "allocs": [], "bytes": [], "round": []})
            entry["round"].append(path.stem.split("-")[1])
            entry["ns"].append(b["ns_per_op"])
            entry["allocs"].append(b["allocs_per_op"])
            entry["bytes"].append(b["bytes_per_op"])
    if not ours:
        sys.exit(f"results: no cpp-*.json in {raw}")
    return ours, go


def median(values):
    return statistics.median(values) if values else None


def ratios(mine, theirs):
    """Go / ours within each round both sides ran."""
    ours_by_round = dict(zip(mine["round"], mine["ns"]))
    return [go_ns / ours_by_round[r] for r, go_ns in zip(theirs["round"], theirs["ns"]) if r in ours_by_round]


def instructions(tsv):
    if not tsv:
        return {}
    rows = {}
    for line in pathlib.Path(tsv).read_text().splitlines()[1:]:
        operation, case, per_call, budget = line.split("\t")
        rows[(operation, case)] = (float(per_call), budget)
    return rows


def table(args):
    ours, go = load(args.raw)
    counts = instructions(args.instructions)
    rounds = len({path.stem.split("-")[1] for path in pathlib.Path(args.raw).glob("cpp-*.json")})
    header = ["operation", "case", "ours ns", "ours allocs", "instructions (budget)", "Go ns", "Go allocs", "Go B/op",
              "Go / ours (range)"]
    rows = []
    below_target = []
    for operation in OPERATIONS:
        for case in CASES:
            mine = ours.get((operation, case))
            if not mine:
                continue
            ns = median(mine["ns"])
            theirs = go.get((operation, case))
            go_ns = median(theirs["ns"]) if theirs else None
            paired = ratios(mine, theirs) if theirs else []
            ratio = median(paired)
            count = counts.get((operation, case))
            rows.append([operation, case, f"{ns:.1f}", f"{max(mine['allocs']):g}",
                         f"{count[0]:.0f} ({count[1]})" if count else "",
                         f"{go_ns:.0f}" if go_ns else "-", f"{median(theirs['allocs']):g}" if theirs else "-",
                         f"{median(theirs['bytes']):g}" if theirs else "-",
                         f"{ratio:.0f}x ({min(paired):.0f}-{max(paired):.0f})" if ratio else "-"])
            if operation == "parse" and ratio is not None and ratio < TARGET_RATIO:
                below_target.append(f"{case} ({ratio:.0f}x)")
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    lines = ["| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |",
             "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |" for r in rows]
    text = "\n".join(lines)
    note = (f"\nMedian of {rounds} round(s), wall-clock ns per call; allocations per call; Go / ours is the median"
            " of the rounds' ratios, each round timing both sides of a case next to each other.")
    if args.smoke:
        note += "\nSmoke run: a few milliseconds per benchmark, to check the command; the times mean nothing."
    elif below_target:
        note += f"\nBelow the {TARGET_RATIO}x target on parse: " + ", ".join(below_target)
    else:
        note += f"\nEvery parse case is at least {TARGET_RATIO}x faster than go-proxyproto in this run."
    print(text + note)
    if args.markdown:
        pathlib.Path(args.markdown).write_text(text + "\n" + note.lstrip("\n").replace("\n", "  \n") + "\n")
    for operation, case in ours:
        if max(ours[(operation, case)]["allocs"]) != 0:
            sys.exit(f"results: BM_{operation}/{case} allocates")


def chart(args):
    ours, go = load(args.raw)
    svg = pathlib.Path(args.svg)
    data = svg.with_suffix(".dat")
    with data.open("w") as out:
        out.write("# case ours_ns go_ns (parse, median)\n")
        for case in CASES:
            mine, theirs = ours.get(("parse", case)), go.get(("parse", case))
            if mine and theirs:
                out.write(f"{case} {median(mine['ns']):.2f} {median(theirs['ns']):.2f}\n")
    script = f"""
set terminal svg size 820,420 dynamic font "sans,12" background "white"
set termoption noenhanced
set output "{svg}"
set title "parse(): ns per header, lower is better (log scale)"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set logscale y
set yrange [1:10000]
set ylabel "ns per header"
set grid ytics
set key top left
set xtics noenhanced
set boxwidth 0.9
plot "{data}" using 2:xtic(1) title "proxy_protocol.hpp (C++, GCC 12 -O2)" linecolor rgb "#2b6cb0", \\
     "" using 3 title "go-proxyproto 0.4.2 (Go 1.19)" linecolor rgb "#c05621"
"""
    subprocess.run(["gnuplot"], input=script, text=True, check=True)
    print(f"results: wrote {svg}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("table")
    t.add_argument("raw")
    t.add_argument("--instructions")
    t.add_argument("--markdown")
    t.add_argument("--smoke", action="store_true", help="no verdict on the target (times too short to mean anything)")
    c = sub.add_parser("chart")
    c.add_argument("raw")
    c.add_argument("--svg", required=True)
    args = parser.parse_args()
    {"table": table, "chart": chart}[args.command](args)


if __name__ == "__main__":
    main()
