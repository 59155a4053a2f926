#!/usr/bin/env bash
# Instructions per call of each benchmark case's operation, counted by
# callgrind (deterministic, unlike time on a shared machine), against the
# budgets below. Fails when a budget is exceeded.
#
#   bench/instruction_budgets.sh [--driver PATH] [--calls N] [--tsv FILE]
#
# The driver (bench/instruction_driver.cpp, target
# proxy_protocol_instruction_driver) runs one operation N times; callgrind
# counts only inside its measure_<operation> function, so the number is the
# cost of one call, its prologue and epilogue included. Budgets hold for
# GCC 12 -O2 on x86-64 (the `bench` preset).
set -euo pipefail
cd "$(dirname "$0")/.."

driver=build/bench/bench/proxy_protocol_instruction_driver
calls=20000
tsv=
while [[ $# -gt 0 ]]; do
  case $1 in
    --driver) driver=$2; shift 2 ;;
    --calls) calls=$2; shift 2 ;;
    --tsv) tsv=$2; shift 2 ;;
    *) echo "usage: $0 [--driver PATH] [--calls N] [--tsv FILE]" >&2; exit 2 ;;
  esac
done
[[ -x $driver ]] || { echo "instruction_budgets: no driver at $driver (cmake --workflow --preset bench)" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "instruction_budgets: valgrind is not installed" >&2; exit 2; }

# operation case budget ("-" = measured and shown, no budget). The budgets
# are issue #5's.
rows=(
  "parse v2_tcp4 80"
  "parse v2_tcp6 85"
  "parse v2_local 70"
  "parse v2_tcp4_tlvs -"
  "parse_walk_tlvs v2_tcp4_tlvs 390"
  "parse v1_tcp4 550"
  "parse v1_tcp6 1350"
  "parse v1_unknown 100"
  "build v2_tcp4 40"
  "build v2_tcp6 -"
  "build v2_local -"
  "build v2_tcp4_tlvs -"
  "build v1_tcp4 550"
  "build v1_tcp6 -"
  "build v1_unknown -"
  "crc32c_verify v2_tcp4_tlvs 200"
  "detect v1_tcp4 -"
  "detect v2_tcp4 -"
)

failed=0
[[ -n $tsv ]] && printf 'operation\tcase\tinstructions_per_call\tbudget\n' >"$tsv"
printf '%-16s %-13s %12s %8s  %s\n' operation case instr/call budget result
printf '%-16s %-13s %12s %8s  %s\n' ---------------- ------------- ------------ -------- ------
for row in "${rows[@]}"; do
  read -r operation case_name budget <<<"$row"
  log=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null --toggle-collect="measure_$operation" \
          "$driver" "$operation" "$case_name" "$calls" 2>&1) || {
    echo "$log" | grep -v '^==' >&2
    echo "instruction_budgets: the driver failed on $operation $case_name" >&2
    exit 1
  }
  collected=$(sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p' <<<"$log")
  [[ -n $collected && $collected -gt 0 ]] || { echo "instruction_budgets: no count for $operation $case_name" >&2; exit 1; }
  per_call=$(awk -v c="$collected" -v n="$calls" 'BEGIN { printf "%.1f", c / n }')
  result=
  if [[ $budget != - ]]; then
    if awk -v p="$per_call" -v b="$budget" 'BEGIN { exit !(p <= b) }'; then result=ok; else result=OVER; failed=1; fi
  fi
  printf '%-16s %-13s %12s %8s  %s\n' "$operation" "$case_name" "$per_call" "$budget" "$result"
  [[ -n $tsv ]] && printf '%s\t%s\t%s\t%s\n' "$operation" "$case_name" "$per_call" "$budget" >>"$tsv"
done
if [[ $failed -ne 0 ]]; then
  echo "instruction_budgets: FAILED, a budget is exceeded"
  exit 1
fi
echo "instruction_budgets: all budgets met"
