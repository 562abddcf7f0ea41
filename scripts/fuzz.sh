#!/usr/bin/env bash
# Fuzzing (docs/fuzzing.md): builds the libFuzzer targets of fuzz/ with clang, ASan and UBSan
# into build-fuzz/, makes their seed corpora from the conformance data and tests/data, runs
# each target for SECONDS_PER_TARGET (default 30) with its dictionary, and prints the
# executions per target. Exits non-zero on any finding: a crash, a violated property, a leak,
# a timeout or running out of memory.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     e.g. scripts/fuzz.sh 20 (CI), 1800
#
# Corpora persist outside the repository so that runs add up: $KENIN_FUZZ_CORPUS (default
# /var/tmp/kenin-fuzz) holds one directory per target and runs.tsv, one line appended per
# target and run (UTC time, commit, target, seconds, executions, result); the table shows
# the totals over every run logged there. KENIN_FUZZ_JOBS (default 1) runs that many targets
# at once, each still for SECONDS_PER_TARGET.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-30}
if [[ ! $seconds =~ ^[0-9]+$ ]]; then
  echo "usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]" >&2
  exit 2
fi
shift $(($# > 0 ? 1 : 0))
only=("$@")
parallel=${KENIN_FUZZ_JOBS:-1}  # targets run at once

build_dir=build-fuzz
corpus_root=${KENIN_FUZZ_CORPUS:-/var/tmp/kenin-fuzz}
conformance=${KENIN_CONFORMANCE_DIR:-$PWD/../shared/conformance}
python=python3
[[ -x /usr/bin/python3 ]] && python=/usr/bin/python3  # Debian's: it sees python3-dnspython

bash scripts/install-deps.sh
# -O1 and line tables: quick to build, still fast to run, stack traces with lines. Only the
# libraries the targets link are built (target `fuzz`), not the daemon, CLI or tests.
CXX=clang++-14 cmake -S . -B "$build_dir" -G Ninja -DKENIN_FUZZ=ON -DKENIN_TESTS=OFF \
  -DKENIN_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" \
  -DKENIN_CONFORMANCE_DIR="$conformance" >/dev/null
cmake --build "$build_dir" --target fuzz -j "$(nproc)"

seeds=$build_dir/fuzz/seeds
"$python" fuzz/make_seeds.py --conformance "$conformance" --out "$seeds"
mkdir -p "$corpus_root"
log=$corpus_root/runs.tsv
[[ -f $log ]] || printf 'utc\tcommit\ttarget\tseconds\texecutions\tresult\n' >"$log"
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)

# One target: run it, log it, leave "name seconds executions corpus result" in $results.
run_target() {
  local name=$1 binary=$2 dict=$3
  local corpus=$corpus_root/$name artifacts=$build_dir/fuzz/artifacts/$name
  local output=$build_dir/fuzz/logs/$name.log
  rm -rf "$artifacts"
  mkdir -p "$corpus" "$artifacts" "$(dirname "$output")" "$seeds/$name"
  echo "fuzz: $name for ${seconds}s"
  local start rc=0
  start=$(date +%s)
  # New inputs go to the first directory (the persistent corpus); the seeds are only read.
  "$binary" -max_total_time="$seconds" -print_final_stats=1 -dict="$dict" -timeout=10 \
    -rss_limit_mb=2048 -artifact_prefix="$artifacts/" "$corpus" "$seeds/$name" \
    >"$output" 2>&1 || rc=$?
  local elapsed=$(($(date +%s) - start)) execs result=ok
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$output" | tail -1)
  execs=${execs:-0}
  if ((rc != 0)) || compgen -G "$artifacts/*" >/dev/null; then
    result=FINDING
    {
      echo "fuzz: $name FOUND SOMETHING (exit $rc); log $output, inputs in $artifacts/:"
      grep -E '^(==[0-9]+==ERROR|\*\*\* |SUMMARY|.*runtime error)' "$output" | head -20 || true
      ls "$artifacts"
      echo "fuzz: reproduce with $binary $artifacts/<file>"
    } >&2
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$commit" "$name" "$elapsed" "$execs" \
    "$result" >>"$log"
  echo "$name $elapsed $execs $(find "$corpus" -type f | wc -l) $result" >"$results/$name"
}

results=$build_dir/fuzz/results
rm -rf "$results"
mkdir -p "$results"
names=()
while IFS=$'\t' read -r name binary dict; do
  if ((${#only[@]})) && [[ ! " ${only[*]} " == *" $name "* ]]; then continue; fi
  names+=("$name")
  while (($(jobs -rp | wc -l) >= parallel)); do wait -n || true; done
  run_target "$name" "$binary" "$dict" </dev/null &
done <"$build_dir/fuzz/targets.tsv"
wait

echo
printf '%-20s %8s %12s %10s %8s %12s %14s\n' \
  target seconds executions exec/s corpus total_s total_execs
failed=()
for name in "${names[@]}"; do
  read -r name elapsed execs corpus_size result <"$results/$name"
  [[ $result == ok ]] || failed+=("$name")
  read -r total_s total_execs < <(awk -F'\t' -v t="$name" '$3 == t { s += $4; e += $5 }
    END { printf "%d %d\n", s, e }' "$log")
  printf '%-20s %8s %12s %10s %8s %12s %14s %s\n' "$name" "$elapsed" "$execs" \
    "$((execs / (elapsed > 0 ? elapsed : 1)))" "$corpus_size" "$total_s" "$total_execs" \
    "$([[ $result == ok ]] || echo "$result")"
done
echo "(total_s, total_execs: every run logged in $log)"

if ((${#failed[@]})); then
  echo "fuzz: findings in ${failed[*]}" >&2
  exit 1
fi
