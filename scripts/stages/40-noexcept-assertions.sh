#!/usr/bin/env bash
# Tests and examples built with -fno-exceptions -fno-rtti; and with _GLIBCXX_ASSERTIONS.
set -euo pipefail
cd "$(dirname "$0")/../.."
cmake --workflow --preset noexcept --fresh
cmake --workflow --preset assertions --fresh
