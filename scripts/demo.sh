#!/usr/bin/env bash
# The demo: installs, builds, and verifies the bundled sample messages against the bundled
# zone with `kenin verify`, printing each message's Authentication-Results. No daemon, no
# network: tests/data/zones/sample.zone answers every DNS query.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh >/dev/null
BUILD_DIR=build bash scripts/build.sh >/dev/null
for message in tests/data/messages/*.eml; do
  echo "== ${message}"
  build/tools/kenin verify --authserv-id "${KENIN_AUTHSERV_ID:-mx.example.net}" \
    --zone tests/data/zones/sample.zone "$message"
done
