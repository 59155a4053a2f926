#!/usr/bin/env bash
# GCC 12, Debug, -Werror: unit tests, examples, and the README's code blocks;
# then the same at -O2 (Release), where GCC's flow warnings see more and an
# optimiser may remove what a test relies on.
set -euo pipefail
cd "$(dirname "$0")/../.."
cmake --workflow --preset dev --fresh
cmake --workflow --preset release --fresh
