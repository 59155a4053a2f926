#!/usr/bin/env bash
# The project's whole test run: installs what is missing (Debian 12, as root),
# then runs every stage in scripts/stages/ in order and fails if any fails.
#   scripts/test.sh                 all stages
#   scripts/test.sh unit asan       only the stages whose names contain these words
# Each stage's full log is kept in build/logs/STAGE.log.
set -uo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh all || { echo "test.sh: could not install dependencies"; exit 1; }

mkdir -p build/logs
passed=0 failed=0 skipped=0
failures=()
start_all=$SECONDS
for stage in scripts/stages/*.sh; do
  name=$(basename "$stage" .sh)
  if [[ $# -gt 0 ]]; then
    match=0
    for w in "$@"; do [[ $name == *"$w"* ]] && match=1; done
    [[ $match -eq 1 ]] || continue
  fi
  start=$SECONDS
  echo "=== stage $name"
  bash "$stage" >"build/logs/$name.log" 2>&1
  rc=$?
  took=$((SECONDS - start))
  if [[ $rc -eq 0 ]]; then
    passed=$((passed + 1))
    echo "PASS $name (${took}s)"
    grep -E "^(SUMMARY|[0-9]+ passed)|tests passed|^test cases:" "build/logs/$name.log" | tail -3 | sed 's/^/     /'
  elif [[ $rc -eq 77 ]]; then
    skipped=$((skipped + 1))
    echo "SKIP $name (${took}s): $(grep -m1 -i 'skipped' "build/logs/$name.log")"
  else
    failed=$((failed + 1))
    failures+=("$name")
    echo "FAIL $name (${took}s), last lines of build/logs/$name.log:"
    tail -40 "build/logs/$name.log" | sed 's/^/     /'
  fi
done
echo "=== $((SECONDS - start_all))s in all"
[[ ${#failures[@]} -gt 0 ]] && echo "failed stages: ${failures[*]}"
echo "stages: $passed passed, $failed failed, $skipped skipped"
[[ $failed -eq 0 && $passed -gt 0 ]]
