#!/usr/bin/env bash
# Clang 14 against libstdc++ and against libc++.
set -euo pipefail
cd "$(dirname "$0")/../.."
cmake --workflow --preset clang --fresh
cmake --workflow --preset libcxx --fresh
