#!/usr/bin/env bash
# Interop matrix (issue #7): every system of the README's matrix (haproxy, nginx,
# Varnish, hitch, stunnel, curl, Apache, Dovecot, Postfix, Exim, gunicorn,
# MariaDB, FreeRADIUS, Squid, Traffic Server) as a private instance on loopback
# against this library, then the matrix table generated from the results.
# Packages: scripts/install-deps.sh systems. Exim is unpacked privately by its test.
set -uo pipefail
cd "$(dirname "$0")/../.."
# Its own build dir (GCC, Debug, warnings as errors, like dev): only pp_tool is built.
build=build/interop-matrix
results=$build/interop-matrix
cmake -S . -B "$build" --fresh -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=g++ \
  -DPROXY_PROTOCOL_BUILD_EXAMPLES=OFF >/dev/null || exit 1
cmake --build "$build" --target pp_tool -j 2 || exit 1
rm -rf "$results" "$build/interop-matrix.xml"
ctest --test-dir "$build" -L interop-matrix --output-on-failure --timeout 240 \
  --output-junit "$PWD/$build/interop-matrix.xml"
rc=$?
python3 tools/gen_interop_matrix.py --results "$results" --junit "$build/interop-matrix.xml" \
  --output "$build/interop-matrix.md" || exit 1
grep -E '^Systems:' "$build/interop-matrix.md"
if ! diff -q <(sed 1d docs/interop-matrix.md 2>/dev/null | grep '^|') <(sed 1d "$build/interop-matrix.md" | grep '^|') >/dev/null; then
  echo "note: the matrix of this run differs from docs/interop-matrix.md (regenerate it with:"
  echo "      python3 tools/gen_interop_matrix.py --results $results --junit $build/interop-matrix.xml --readme README.md)"
fi
[[ $rc -ne 0 ]] && exit 1
if ! grep -qE '^Systems: [1-9]' "$build/interop-matrix.md"; then
  echo "skipped: no system of the interop matrix is installed (scripts/install-deps.sh systems)"
  exit 77
fi
exit 0
