#!/usr/bin/env bash
# AddressSanitizer + UndefinedBehaviorSanitizer over the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/../.."
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
cmake --workflow --preset asan --fresh
