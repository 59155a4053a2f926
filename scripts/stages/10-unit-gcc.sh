#!/usr/bin/env bash
# GCC 12, Debug, -Werror: unit tests, examples, and the README's code blocks.
set -euo pipefail
cd "$(dirname "$0")/../.."
cmake --workflow --preset dev --fresh
