#!/usr/bin/env bash
# Performance checks that do not time anything (the CI machine is shared):
# instructions per call of each benchmark case under callgrind against the
# budgets of issue #5 (bench/instruction_budgets.sh), and one short run of the
# benchmarks to prove that every set-up check passes and that no benchmarked
# operation allocates. Budgets hold for GCC 12 -O2 on x86-64 (bench preset).
set -euo pipefail
cd "$(dirname "$0")/../.."

if [[ $(uname -m) != x86_64 ]]; then
  echo "skipped: the instruction budgets are stated for x86-64"
  exit 77
fi
for tool in valgrind python3; do
  command -v "$tool" >/dev/null || { echo "skipped: $tool is not installed (scripts/install-deps.sh bench)"; exit 77; }
done
gcc_major=$(g++ -dumpversion | cut -d. -f1)
if [[ $gcc_major != 12 ]]; then
  echo "skipped: the instruction budgets are stated for GCC 12 (found GCC $gcc_major)"
  exit 77
fi

# Only what this stage runs (the preset's workflow would also build the fuzz targets' replay mains).
cmake --preset bench --fresh >/dev/null
cmake --build --preset bench --target proxy_protocol_bench proxy_protocol_instruction_driver

bench/instruction_budgets.sh

smoke=build/bench/smoke.json
build/bench/bench/proxy_protocol_bench --benchmark_min_time=0.001 --benchmark_out="$smoke" \
  --benchmark_out_format=json >/dev/null
python3 - "$smoke" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))["benchmarks"]
errors = [b["name"] for b in runs if b.get("error_occurred")]
allocating = [b["name"] for b in runs if b.get("allocs/op", 0) != 0]
if errors or allocating or not runs:
    sys.exit(f"bench smoke run: errors {errors}, allocating {allocating}, {len(runs)} runs")
print(f"bench smoke run: {len(runs)} benchmarks, set-up checks passed, 0 allocations in every one")
PY

# The side-by-side command (issue #5) end to end, on a few milliseconds per
# benchmark: both programs build, every case decodes as expected on both
# sides, the table and chart are written. Its timings mean nothing here.
if command -v go >/dev/null && command -v gnuplot >/dev/null &&
  [[ -d /usr/share/gocode/src/github.com/pires/go-proxyproto ]]; then
  bench/compare_go.sh --smoke --results build/bench/compare-smoke >/dev/null
  python3 - build/bench/compare-smoke/compare.md <<'PY'
import sys
rows = [line.split("|")[1:-1] for line in open(sys.argv[1]) if line.startswith("| parse ")]
missing = [r[1].strip() for r in rows if r[5].strip() == "-"]
if len(rows) != 7 or missing:
    sys.exit(f"compare_go smoke run: {len(rows)} parse rows, no Go time for {missing}")
print("compare_go smoke run: 7 parse cases timed on both sides, table and chart written")
PY
  test -s build/bench/compare-smoke/parse.svg
else
  echo "compare_go smoke run skipped: go, gnuplot or go-proxyproto missing (scripts/install-deps.sh bench)"
fi
