#!/usr/bin/env bash
# Real haproxy, nginx and tshark judge headers made by our builders (ctest label interop-builder).
set -euo pipefail
cd "$(dirname "$0")/../.."
cmake --preset dev >/dev/null
cmake --build --preset dev --target make_builder_cases
ctest --test-dir build/dev -L interop-builder --output-on-failure -V
