#!/usr/bin/env bash
# Every libFuzzer target for a bounded time under ASan+UBSan (Clang 14), two at
# a time on the 2 cores; fails on any finding. The checked-in corpus is copied
# to a scratch directory first, so the run never changes the repository.
#   FUZZ_SECONDS=60 (per target, at least 60 in CI)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${FUZZ_SECONDS:-60}

if ! command -v clang++ >/dev/null || ! ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  echo "70-fuzz: Clang 14 with libFuzzer (libclang-rt-14-dev) is missing"
  exit 1
fi

cmake --workflow --preset fuzz --fresh
# The corpus and the regression inputs replay through libFuzzer itself first.
ctest --test-dir build/fuzz --output-on-failure -j2

work=build/fuzz/run
rm -rf "$work"
mkdir -p "$work"
targets=(detect parse_v1 parse_v2 parse tlv crc32c round_trip)

run_target() {
  local t=$1
  mkdir -p "$work/corpus-$t"
  cp fuzz/corpus/"$t"/* "$work/corpus-$t"/ 2>/dev/null || true
  cp fuzz/regressions/"$t"/* "$work/corpus-$t"/ 2>/dev/null || true
  build/fuzz/fuzz/fuzz_"$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -dict=fuzz/proxy_protocol.dict -print_final_stats=1 -artifact_prefix="$work/$t-" \
    "$work/corpus-$t" >"$work/$t.log" 2>&1
}

failed=()
for ((i = 0; i < ${#targets[@]}; i += 2)); do
  pids=()
  names=()
  for t in "${targets[@]:i:2}"; do
    run_target "$t" &
    pids+=($!)
    names+=("$t")
  done
  for j in "${!pids[@]}"; do
    t=${names[$j]}
    if wait "${pids[$j]}"; then
      runs=$(grep -m1 'stat::number_of_executed_units' "$work/$t.log" | awk '{print $2}')
      echo "fuzz_$t: no finding in ${seconds}s, ${runs:-?} executions"
    else
      echo "fuzz_$t: FINDING (log below; reproduce with build/fuzz/fuzz/fuzz_$t <artifact>)"
      grep -E 'invariant violated|ERROR|SUMMARY|Test unit written' "$work/$t.log" || tail -30 "$work/$t.log"
      failed+=("$t")
    fi
  done
done

total=${#targets[@]}
echo "$((total - ${#failed[@]})) passed, ${#failed[@]} failed"
[[ ${#failed[@]} -eq 0 ]]
