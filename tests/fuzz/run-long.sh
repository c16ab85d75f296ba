#!/usr/bin/env bash
# Long fuzz runs: builds the harnesses with clang (into build-fuzz, or
# $FUZZ_BUILD_DIR), fuzzes each for SECONDS from its committed corpus and
# regressions, then merges the new inputs that reach new coverage into
# tests/fuzz/corpus/HARNESS (libFuzzer -merge=1) for a later commit. Prints
# one RELIABILITY line per harness; exits non-zero when any crashed, leaving
# the input in fuzz-artifacts/HARNESS of the build directory (fix the bug,
# then add the input to tests/fuzz/regressions/HARNESS).
#
# Usage: tests/fuzz/run-long.sh HARNESS|all [SECONDS]    (default 600 each)
#   FUZZ_JOBS=N   fuzz with N processes at once (libFuzzer -fork=N; default 1)
set -euo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"

all="request cursor auth csv time text"
[ $# -ge 1 ] || { echo "usage: $0 HARNESS|all [SECONDS]" >&2; exit 2; }
harnesses=$1 secs=${2:-600} jobs=${FUZZ_JOBS:-1}
[ "$harnesses" = all ] && harnesses=$all
for h in $harnesses; do
  [[ " $all " == *" $h "* ]] || die "unknown harness $h (one of: $all)"
done

install_deps clang libclang-rt-14-dev
dir=${FUZZ_BUILD_DIR:-$REPO/build-fuzz}
build "$dir" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSANITIZE=ON -DFUZZ=ON \
  -DBUILD_TESTING=OFF

here=$REPO/tests/fuzz
crashed=0
for h in $harnesses; do
  bin=$dir/tests/fuzz/fuzz_$h
  corpus=$here/corpus/$h
  artifacts=$dir/tests/fuzz/fuzz-artifacts/$h/$(date +%Y%m%d-%H%M%S)
  work=$(mktemp -d "${TMPDIR:-/tmp}/merchantd-fuzz-long-$h.XXXXXX")
  mkdir -p "$artifacts" "$work/new" "$corpus"
  opts=(-timeout=10 -rss_limit_mb=2048 -artifact_prefix="$artifacts/")
  [ -f "$here/$h.dict" ] && opts+=(-dict="$here/$h.dict")
  [ "$jobs" -gt 1 ] && opts+=(-fork="$jobs" -ignore_crashes=1)
  seeds=("$corpus")
  [ -d "$here/regressions/$h" ] && seeds+=("$here/regressions/$h")
  before=$(ls "$corpus" | wc -l)
  say "fuzzing $h for $secs s"
  status=0
  "$bin" "${opts[@]}" -max_total_time="$secs" -print_final_stats=1 "$work/new" "${seeds[@]}" \
    >"$work/log" 2>&1 </dev/null || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)
  eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/log" | tail -n 1)
  cov=$(grep -E 'cov: ' "$work/log" | tail -n 1 | sed -n 's/.* cov: \([0-9]*\) ft: \([0-9]*\).*/cov \1, ft \2/p')
  # Only inputs that add coverage join the committed corpus.
  "$bin" -merge=1 "$corpus" "$work/new" >"$work/merge.log" 2>&1 </dev/null ||
    say "merge of $h failed; see $work/merge.log"
  added=$(($(ls "$corpus" | wc -l) - before))
  crashes=0
  if [ "$status" != 0 ] || ls "$artifacts" | grep -q .; then
    crashes=$(ls "$artifacts" | wc -l)
    crashes=$((crashes > 0 ? crashes : 1))
    crashed=1
    tail -n 40 "$work/log" >&2
    say "$h: inputs kept in $artifacts"
  fi
  printf 'RELIABILITY {"part": "fuzz:%s", "requests": %s, "5xx": 0, "crashes": %s, ' \
    "$h" "${execs:-0}" "$crashes"
  printf '"lost_writes": null, "recovery_s": null, "rss_start_kb": null, "rss_end_kb": null, '
  printf '"notes": "long run of %s s, %s exec/s, %s, %s inputs merged into the corpus"}\n' \
    "$secs" "${eps:-0}" "${cov:-cov ?}" "$added"
  [ "$crashes" = 0 ] && rm -rf "$work"
done
exit "$crashed"
