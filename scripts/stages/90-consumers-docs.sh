#!/usr/bin/env bash
# Distribution: cmake --install and the exported CMake package, consumer
# projects (find_package, add_subdirectory, FetchContent, pkg-config + g++,
# the single header alone), the Debian package unpacked into a scratch root,
# the cheat sheet against the header's public names, and the Doxygen HTML with
# warnings as errors. Needs the install-deps groups core, clang, docs, packaging.
set -euo pipefail
cd "$(dirname "$0")/../.."
for tool in doxygen pkg-config dpkg-deb clang++; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "stage 90: $tool is missing (scripts/install-deps.sh docs packaging clang)" >&2
    exit 1
  fi
done
cmake --workflow --preset dist --fresh
echo "Doxygen HTML: build/dist/docs/html/index.html"
