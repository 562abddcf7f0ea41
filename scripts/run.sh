#!/usr/bin/env bash
# The run command (README): installs what is needed, builds, and starts the milter kenind
# in the foreground on its defaults: it listens on inet:8891@127.0.0.1, asks the
# nameservers of /etc/resolv.conf, uses this host's name as authserv-id, and logs one line
# per message to stderr (/etc/kenin/kenind.toml is read if it exists). Extra arguments go
# to kenind, e.g. `bash scripts/run.sh --socket inet:10025@127.0.0.1`. Stop it with Ctrl-C.
# `bash scripts/demo.sh` verifies the bundled sample messages instead, without a daemon.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh >/dev/null
BUILD_DIR=build bash scripts/build.sh >/dev/null
exec build/milter/kenind -f "$@"
