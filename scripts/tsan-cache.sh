#!/usr/bin/env bash
# ThreadSanitizer run of the DNS cache tests (CI): builds caching_resolver_test,
# worker_pool_test and query_stats_test with -DKENIN_SANITIZE=thread into ${BUILD_DIR:-build-tsan}
# and runs each binary TSAN_REPEAT times (default 20) over its tests. Exits non-zero on a
# build failure, a failing test or any ThreadSanitizer report.
#
#   scripts/tsan-cache.sh                 TSAN_REPEAT=100 scripts/tsan-cache.sh
#
# ASLR: TSan's runtime puts its shadow memory at fixed addresses. With more than 28 bits of
# mmap randomization (vm.mmap_rnd_bits = 32 on some newer kernels) the GCC 12 and Clang 14
# runtimes die at start with "FATAL: ThreadSanitizer: unexpected memory mapping" (fixed only
# in LLVM 18, which re-execs itself). Then this script runs the build (gtest_discover_tests
# executes the binaries) and the tests under `setarch -R`, which turns ASLR off for that
# process tree and needs no root; if even that is not permitted (seccomp), it says to run
# `sudo sysctl vm.mmap_rnd_bits=28`. With 28 bits or fewer nothing is changed;
# TSAN_NO_ASLR=1 forces setarch -R anyway.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${BUILD_DIR:-build-tsan}
repeat=${TSAN_REPEAT:-20}
tests=(caching_resolver_test caching_resolver_concurrency_test worker_pool_test query_stats_test)
# halt_on_error: the first report fails the binary (exit code 66) with its stack.
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 ${TSAN_OPTIONS:-}"

wrap=()
norandom=(setarch "$(uname -m)" -R)
use_norandom() {
  if ! "${norandom[@]}" true 2>/dev/null; then
    echo "tsan-cache.sh: ASLR too wide for TSan and 'setarch -R' is not permitted here;" \
         "run: sudo sysctl vm.mmap_rnd_bits=28" >&2
    exit 2
  fi
  wrap=("${norandom[@]}")
}
rnd_bits=$(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo 0)
if ((rnd_bits > 28)) || [[ ${TSAN_NO_ASLR:-0} == 1 ]]; then
  echo "tsan-cache.sh: vm.mmap_rnd_bits=${rnd_bits} (or TSAN_NO_ASLR=1): running under setarch -R"
  use_norandom
fi

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
  cmake -S . -B "$build_dir" "${generator[@]}" -DKENIN_SANITIZE=thread -DKENIN_BENCH=OFF
fi
build() { "${wrap[@]}" cmake --build "$build_dir" -j "$(nproc)" --target "${tests[@]}"; }
if ! build_log=$(build 2>&1); then
  # The kernel may randomize more than /proc says (or /proc is not readable): if the
  # runtime refused the mapping during test discovery, retry once without ASLR.
  if ((${#wrap[@]} == 0)) && grep -q "unexpected memory mapping" <<<"$build_log"; then
    echo "tsan-cache.sh: TSan refused the memory layout: retrying under setarch -R"
    use_norandom
    build
  else
    printf '%s\n' "$build_log" >&2
    exit 1
  fi
fi

failed=0
for test in "${tests[@]}"; do
  binary=$(find "$build_dir/tests" -type f -name "$test" -perm -u+x | head -n 1)
  if [[ -z "$binary" ]]; then
    echo "tsan-cache.sh: $test was not built" >&2
    exit 1
  fi
  log=$(mktemp)
  status=0
  "${wrap[@]}" "$binary" --gtest_repeat="$repeat" --gtest_brief=1 >"$log" 2>&1 || status=$?
  if ((status != 0)) || grep -q "WARNING: ThreadSanitizer" "$log"; then
    cat "$log" >&2
    echo "tsan-cache.sh: $test FAILED (exit $status)" >&2
    failed=1
  else
    echo "tsan-cache.sh: $test clean ($repeat repetitions)"
  fi
  rm -f "$log"
done
exit "$failed"
