#!/usr/bin/env bash
# Our benchmarks and go-proxyproto's (bench/go) over the same bytes, in the
# same run, case by case side by side, for a few rounds; prints per case our
# ns, Go's ns and allocations (medians of the rounds), and the ratio (median
# of the rounds' ratios, with their range). Timings: run it on a quiet
# machine; on a shared one they move by tens of percent between runs.
#
#   bench/compare_go.sh [--rounds N] [--results DIR] [--smoke]
#
# --smoke: one round of a few milliseconds per benchmark and no callgrind,
# to check that the whole command works (CI does); its numbers mean nothing.
#
# Needs (Debian 12): cmake g++ libbenchmark-dev golang-go
# golang-github-pires-go-proxyproto-dev python3 gnuplot-nox
# (scripts/install-deps.sh bench). Works offline: Go uses the Debian package.
# Writes RESULTS/raw/*.json, RESULTS/compare.md and RESULTS/parse.svg
# (RESULTS defaults to build/bench-results; bench/results holds the
# committed copy shown in the README).
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=3
results=build/bench-results
smoke=false
while [[ $# -gt 0 ]]; do
  case $1 in
    --rounds) rounds=$2; shift 2 ;;
    --results) results=$2; shift 2 ;;
    --smoke) smoke=true; rounds=1; shift ;;
    *) echo "usage: $0 [--rounds N] [--results DIR] [--smoke]" >&2; exit 2 ;;
  esac
done
ours_time=0.3 go_time=300ms threads_time=0.5
if $smoke; then ours_time=0.001 go_time=1ms threads_time=0.001; fi

go_library=/usr/share/gocode/src/github.com/pires/go-proxyproto
for tool in cmake go python3 gnuplot; do
  command -v "$tool" >/dev/null || { echo "compare_go: $tool is missing (scripts/install-deps.sh bench)" >&2; exit 2; }
done
[[ -d $go_library ]] || { echo "compare_go: $go_library is missing (golang-github-pires-go-proxyproto-dev)" >&2; exit 2; }

echo "compare_go: building (bench preset, GCC -O2)"
cmake --preset bench >/dev/null
cmake --build --preset bench --target proxy_protocol_bench proxy_protocol_instruction_driver >/dev/null
export GOFLAGS=-mod=mod GOPROXY=off GOCACHE=${GOCACHE:-$PWD/build/go-cache}
(cd bench/go && go build -o ../../build/bench/gobench .)

raw=$results/raw
rm -rf "$raw"
mkdir -p "$raw"
# A shared machine's speed drifts over seconds to minutes, so the two sides
# run case by case, next to each other, first one then the other in turn;
# each ratio is taken within such a pair.
cases=(v1_tcp4 v1_tcp6 v1_unknown v2_tcp4 v2_tcp6 v2_tcp4_tlvs v2_local)
run_ours() {
  build/bench/bench/proxy_protocol_bench --benchmark_filter="^BM_(parse|parse_walk_tlvs|build)/$2\$" \
    --benchmark_min_time="$ours_time" --benchmark_out="$raw/cpp-$1-$2.json" --benchmark_out_format=json \
    >/dev/null 2>>"$raw/cpp-context.txt" || { cat "$raw/cpp-context.txt" >&2; exit 1; }  # (its context goes to stderr)
}
run_go() { build/bench/gobench -benchtime "$go_time" -case "$2" >"$raw/go-$1-$2.json"; }
for ((round = 1; round <= rounds; round++)); do
  echo "compare_go: round $round of $rounds"
  for case in "${cases[@]}"; do
    if ((round % 2)); then
      run_ours "$round" "$case"
      run_go "$round" "$case"
    else
      run_go "$round" "$case"
      run_ours "$round" "$case"
    fi
  done
done
echo "compare_go: 1 and 2 threads"
build/bench/bench/proxy_protocol_bench --benchmark_filter='^BM_parse_threads/' --benchmark_min_time="$threads_time" \
  --benchmark_out="$raw/threads.json" --benchmark_out_format=json 2>/dev/null | grep '^BM_' >"$results/threads.txt"
table_options=()
if $smoke; then
  table_options=(--smoke)
else
  bench/instruction_budgets.sh --tsv "$raw/instructions.tsv" >/dev/null ||
    echo "compare_go: an instruction budget is exceeded (see bench/instruction_budgets.sh)"
  table_options=(--instructions "$raw/instructions.tsv")
fi
{
  echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "compilers: $(g++ --version | head -1); $(go version)"
} | tee "$raw/machine.txt"
python3 bench/results.py table "$raw" "${table_options[@]}" --markdown "$results/compare.md"
python3 bench/results.py chart "$raw" --svg "$results/parse.svg"
