#!/usr/bin/env bash
# Static checks: clang-format on every C++ file in the repository, clang-tidy
# (.clang-tidy: bugprone, performance, clang-analyzer) over the whole header
# through two translation units that use all of it (the round-trip and TLV fuzz
# targets), and cppcheck over the header and the fuzz sources.
set -euo pipefail
cd "$(dirname "$0")/../.."

for tool in clang-format clang-tidy cppcheck; do
  if ! command -v "$tool" >/dev/null; then
    echo "85-static-checks: $tool is missing (scripts/install-deps.sh static)"
    exit 1
  fi
done
failed=()

echo "--- clang-format"
mapfile -t sources < <(git ls-files '*.cpp' '*.hpp' '*.h' '*.cc' | grep -v '^tests/generated/')
if clang-format --dry-run --Werror "${sources[@]}"; then
  echo "clang-format: ${#sources[@]} files clean"
else
  failed+=(clang-format)
fi

echo "--- clang-tidy"
# A configure-only Clang build gives the compile commands (no compilation needed).
cmake --preset clang >/dev/null
tidy_units=(fuzz/round_trip_fuzzer.cpp fuzz/tlv_fuzzer.cpp)
if clang-tidy --quiet -p build/clang "${tidy_units[@]}"; then
  echo "clang-tidy: clean (${tidy_units[*]} and include/proxy_protocol.hpp)"
else
  failed+=(clang-tidy)
fi

echo "--- cppcheck"
if cppcheck --std=c++20 --language=c++ --enable=warning,performance,portability --inline-suppr \
  --error-exitcode=1 --quiet -I include include/proxy_protocol.hpp fuzz/*.cpp; then
  echo "cppcheck: clean (include/proxy_protocol.hpp, fuzz/*.cpp)"
else
  failed+=(cppcheck)
fi

echo "$((3 - ${#failed[@]})) passed, ${#failed[@]} failed"
[[ ${#failed[@]} -eq 0 ]]
