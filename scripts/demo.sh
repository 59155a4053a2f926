#!/usr/bin/env bash
# Quick start, step 1: installs what is missing (Debian 12, as root), builds
# the ppdump example and decodes its bundled sample headers.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh core
cmake --preset dev >/dev/null
cmake --build --preset dev --target ppdump
echo
build/dev/examples/ppdump
