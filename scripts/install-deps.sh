#!/usr/bin/env bash
# Installs, from Debian 12's archive, what the named groups need and is missing.
#   scripts/install-deps.sh core            build + unit tests (cmake, g++, Catch2, python3)
#   scripts/install-deps.sh all             everything the full test run needs
# Groups: core clang bench interop matrix systems static examples docs packaging all
# Runs apt-get only when something is missing; needs root for that.
set -euo pipefail

declare -A groups=(
  [core]="cmake make g++ catch2 python3"
  [clang]="clang libclang-rt-14-dev libc++-14-dev libc++abi-14-dev"
  [bench]="libbenchmark-dev valgrind golang-go golang-github-pires-go-proxyproto-dev gnuplot-nox"
  [interop]="haproxy nginx-light libnginx-mod-stream tshark curl socat openssl iproute2 procps"
  [matrix]="g++-s390x-linux-gnu qemu-user"
  [systems]="haproxy nginx-light libnginx-mod-stream varnish hitch stunnel4 curl apache2 dovecot-imapd postfix gunicorn mariadb-server freeradius squid trafficserver openssl python3 libgnutls-dane0 libidn12 libldap-2.5-0 libmariadb3 libnsl2 libpq5 libsasl2-2 libspf2-2 libperl5.36 libsqlite3-0 libdb5.3"
  [static]="clang-tidy cppcheck clang-format"
  [examples]="libasio-dev"
  [docs]="doxygen"
  [packaging]="pkg-config dpkg-dev file lintian"
)

wanted=()
for g in "${@:-core}"; do
  if [[ $g == all ]]; then
    for k in "${!groups[@]}"; do wanted+=(${groups[$k]}); done
  elif [[ -n ${groups[$g]:-} ]]; then
    wanted+=(${groups[$g]})
  else
    echo "install-deps: unknown group '$g'" >&2
    exit 2
  fi
done

missing=()
for p in $(printf '%s\n' "${wanted[@]}" | sort -u); do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "install-deps: installing ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: run as root (or install: ${missing[*]})" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Service packages (systems group) start their daemons on install. While apt
# runs, a policy-rc.d that denies every start keeps them down; it is removed
# afterwards unless it was there before (Docker images ship one).
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
# tshark asks whether non-root users may capture; the answer does not matter here.
echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections 2>/dev/null || true
apt_get() { apt-get -o Dpkg::Use-Pty=0 -qq "$@"; }
if ! apt_get install -y --no-install-recommends "${missing[@]}" >/tmp/proxy_protocol-apt.log 2>&1; then
  apt_get update >>/tmp/proxy_protocol-apt.log 2>&1
  apt_get install -y --no-install-recommends "${missing[@]}" >>/tmp/proxy_protocol-apt.log 2>&1 || {
    tail -30 /tmp/proxy_protocol-apt.log >&2
    exit 1
  }
fi
# Package installs may start services; the tests run private instances only.
# Under systemd, stop them and mask them until reboot (--runtime: /run, not /etc).
services="haproxy nginx varnish hitch stunnel4 apache2 dovecot postfix mariadb freeradius squid trafficserver"
if [[ -d /run/systemd/system ]]; then
  for svc in $services; do
    systemctl mask --runtime --now "$svc" >/dev/null 2>&1 || true
  done
fi
