#!/usr/bin/env bash
# Interop of the examples with real software, on loopback: haproxy, nginx and
# curl send headers to the example servers (also cut into pieces), ppsend
# sends to haproxy and nginx, tshark decodes ppsend's headers
# (ctest labels interop + interop-examples; tests/interop/examples_interop.py).
set -euo pipefail
cd "$(dirname "$0")/../.."

missing=()
for program in haproxy nginx curl openssl tshark; do
  command -v "$program" >/dev/null 2>&1 || missing+=("$program")
done
[[ -e /usr/lib/nginx/modules/ngx_stream_module.so ]] || missing+=("libnginx-mod-stream")
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "skipped: install ${missing[*]} (scripts/install-deps.sh interop)"
  exit 77
fi

# Reuses build/dev when an earlier stage made it; configures it otherwise.
cmake --preset dev
cmake --build --preset dev
ctest --preset interop -L interop-examples
