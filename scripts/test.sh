#!/usr/bin/env bash
# The test command (README, .ci/run): installs the Debian packages kenin needs, builds, and
# runs every test through CTest. With --sanitize, builds into build-asan with ASan+UBSan
# and runs the suite there instead.
set -euo pipefail
cd "$(dirname "$0")/.."

sanitize=0
for arg in "$@"; do
  case "$arg" in
    --sanitize) sanitize=1 ;;
    *) echo "usage: scripts/test.sh [--sanitize]" >&2; exit 2 ;;
  esac
done

bash scripts/install-deps.sh
if ((sanitize)); then
  export BUILD_DIR=build-asan
  # -O1 and line tables only (-g1): what the sanitizer documentation recommends, stack traces
  # still name file and line, and the build takes about 40% less time than -O2 -g (the
  # largest stage of CI: README, "The two commands").
  bash scripts/build.sh -DKENIN_SANITIZE="address;undefined" -DKENIN_BENCH=OFF \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG"
else
  export BUILD_DIR=build
  # Line tables only (-g1): backtraces and gdb keep functions, files and lines; the build
  # takes about 25% less time than with full -g. For locals in gdb, configure a build of
  # your own (scripts/build.sh -DCMAKE_BUILD_TYPE=Debug with BUILD_DIR set).
  bash scripts/build.sh -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG"
fi
cd "$BUILD_DIR"
ctest --output-on-failure -j "$(nproc)" --timeout 300
