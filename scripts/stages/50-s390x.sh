#!/usr/bin/env bash
# Big-endian: the test suite (and the fuzz targets' corpus replay) cross-compiled
# for s390x with Debian's g++-s390x-linux-gnu and run under qemu-user.
set -euo pipefail
cd "$(dirname "$0")/../.."

for tool in s390x-linux-gnu-g++ qemu-s390x; do
  if ! command -v "$tool" >/dev/null; then
    echo "50-s390x: $tool is missing (scripts/install-deps.sh matrix)"
    exit 1
  fi
done

cmake --workflow --preset s390x --fresh
