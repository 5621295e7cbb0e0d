#!/usr/bin/env bash
# The one test line's body (`npm test`): installs what the tests need on this machine
# (bpftrace, chromium, openssl, nftables, unbound, dnsmasq, python3-pip, tracefs), builds, checks generated code, runs every vitest project and ends
# with a plain "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."

need_root_tools() {
  # bpftrace for the kernel tests; Debian's chromium for the console's browser tests.
  local missing=()
  command -v bpftrace >/dev/null 2>&1 || missing+=(bpftrace)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  # openssl makes the throwaway CA and certificates of the TLS tests.
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  # The policy exports are checked by the real tools: nft -c, unbound-checkconf, dnsmasq --test;
  # iproute2 and unshare run them live in a throwaway network namespace.
  command -v nft >/dev/null 2>&1 || missing+=(nftables)
  command -v unbound-checkconf >/dev/null 2>&1 || missing+=(unbound)
  command -v dnsmasq >/dev/null 2>&1 || missing+=(dnsmasq-base)
  command -v ip >/dev/null 2>&1 || missing+=(iproute2)
  command -v unshare >/dev/null 2>&1 || missing+=(util-linux)
  # The deploy kit is checked by kubectl kustomize and systemd-analyze verify.
  command -v kubectl >/dev/null 2>&1 || missing+=(kubernetes-client)
  command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
  # test/e2e/package-scripts builds a setup.py sdist offline with Debian's pip (not whatever
  # python3 PATH finds): pip, setuptools and wheel for /usr/bin/python3.
  /usr/bin/python3 -c 'import setuptools, wheel, pip' >/dev/null 2>&1 || missing+=(python3-pip python3-setuptools python3-wheel)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "test: installing ${missing[*]} (apt-get)" >&2
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
      echo "test: ${missing[*]} missing and not root: the tests that need them will fail" >&2
    fi
  fi
  if [ ! -e /sys/kernel/tracing/events ] && [ "$(id -u)" = 0 ]; then
    mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
  fi
}
need_root_tools
# cargo is installed per user (rustup) and may not be on a CI PATH.
if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then export PATH="$HOME/.cargo/bin:$PATH"; fi

status=0
npm run -s build || status=1
npm run -s typecheck || status=1
node scripts/gen-proto.mjs --check || status=1
report=$(mktemp -d)/vitest.json
npx vitest run --reporter=default --reporter=json --outputFile="$report" || status=1
node scripts/test-summary.mjs "$report" $status
