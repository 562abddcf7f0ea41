#!/usr/bin/env bash
# Installs everything kenin needs to build and test, from Debian 12 packages only.
# Idempotent: packages already present are left alone; apt-get update runs only when
# something is missing.
set -euo pipefail

packages=(
  # build
  build-essential cmake pkg-config ninja-build
  # libraries (SPEC §1)
  libssl-dev libldns-dev libexpected-dev libtsl-hopscotch-map-dev
  nlohmann-json3-dev libcli11-dev libfmt-dev libpsl-dev publicsuffix
  libmilter-dev libtoml11-dev  # kenind: the milter library, its configuration file
  libidn2-dev  # verifier/idna: internationalized domains as A-labels (RFC 8616)
  prometheus-cpp-dev  # metrics/: registry and the pull exposer (civetweb) of kenind
  # tests and benchmarks
  libgtest-dev libgmock-dev googletest libbenchmark-dev libyaml-cpp-dev
  python3 python3-dkim python3-authres libmail-authenticationresults-perl openssl time
  python3-dnspython  # bench/slow_dns.py (overlap benchmark) and tests/e2e/hostile_dns.py (DNS faults)
  libopendkim-dev  # bench/opendkim_harness: libopendkim in process, beside kenin (docs/performance.md)
  ldnsutils  # ldns-testns: the real DNS server of tests/integration
  miltertest  # the real milter client of tests/integration/milter (Lua scripts)
  postfix swaks  # tests/e2e: a private Postfix on loopback, and the SMTP client that feeds it
  opendkim opendmarc  # bench/load: the milters kenind is measured against (not run as services)
  iproute2 util-linux  # bench/load: ip and unshare, for its network namespace
  clang-14 libclang-rt-14-dev  # scripts/fuzz.sh: clang, libFuzzer and the sanitizer runtimes
  prometheus  # tests: a real Prometheus scraping kenind (its own, on a free port); promtool
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Postfix without a system configuration: no question, no main.cf, no system-wide Postfix
  # started on port 25 (tests/e2e runs a private instance with its own config directory).
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
  # bench/load runs opendkim and opendmarc itself, with configurations of its own; Debian
  # enables and starts their system services on install. Stop and disable those installed
  # just now (never one an operator had before).
  for service in opendkim opendmarc; do
    [[ " ${missing[*]} " == *" $service "* ]] || continue
    if [[ -d /run/systemd/system ]]; then
      systemctl disable --now "$service" >/dev/null 2>&1 || true
    else
      service "$service" stop >/dev/null 2>&1 || true
      update-rc.d "$service" disable >/dev/null 2>&1 || true
    fi
  done
else
  echo "install-deps: all ${#packages[@]} packages present"
fi
