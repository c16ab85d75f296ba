#!/usr/bin/env bash
# The short fuzz run of one harness, as the test command runs it: replays the
# harness's regressions (tests/fuzz/regressions/HARNESS), then fuzzes from
# its committed corpus for SECONDS. New inputs go to a temporary directory,
# never into the repository. Ends with one RELIABILITY line and exits
# non-zero on a crash, a leak, a sanitizer report or a broken invariant; the
# input that did it is kept in fuzz-artifacts/HARNESS next to BINARY, and
# the RELIABILITY line also in reliability/HARNESS.line there.
#
# Usage: tests/fuzz/run-short.sh HARNESS BINARY [SECONDS]
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: $0 HARNESS BINARY [SECONDS]" >&2; exit 2; }
harness=$1 bin=$2 secs=${3:-45}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
corpus=$here/corpus/$harness
regressions=$here/regressions/$harness
bindir=$(cd "$(dirname "$bin")" && pwd)
artifacts=$bindir/fuzz-artifacts/$harness
mkdir -p "$artifacts" "$bindir/reliability"
line=$bindir/reliability/$harness.line
rm -f "$line"
work=$(mktemp -d "${TMPDIR:-/tmp}/merchantd-fuzz-$harness.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir "$work/new"

opts=(-timeout=10 -rss_limit_mb=2048 -artifact_prefix="$artifacts/")
[ -f "$here/$harness.dict" ] && opts+=(-dict="$here/$harness.dict")

# reliability EXECUTIONS CRASHES NOTES
reliability() {
  {
    printf 'RELIABILITY {"part": "fuzz:%s", "requests": %s, "5xx": 0, "crashes": %s, ' \
      "$harness" "$1" "$2"
    printf '"lost_writes": null, "recovery_s": null, "rss_start_kb": null, "rss_end_kb": null, '
    printf '"notes": "%s"}\n' "$3"
  } | tee "$line"
}

failed() {
  echo "fuzz_$harness: $1" >&2
  tail -n 60 "$work/log" >&2 || true
  ls -t "$artifacts" 2>/dev/null | head -n 3 | sed "s|^|fuzz_$harness: kept input $artifacts/|" >&2
  echo "fuzz_$harness: once fixed, add the input to tests/fuzz/regressions/$harness/" >&2
  reliability "${2:-0}" 1 "$1"
  exit 1
}

replayed=0
if [ -d "$regressions" ] && [ -n "$(ls -A "$regressions")" ]; then
  replayed=$(ls -A "$regressions" | wc -l)
  "$bin" "${opts[@]}" "$regressions"/* >"$work/log" 2>&1 ||
    failed "a regression input fails again"
fi

status=0
"$bin" "${opts[@]}" -max_total_time="$secs" -print_final_stats=1 "$work/new" "$corpus" \
  >"$work/log" 2>&1 < /dev/null || status=$?
stat() { sed -n "s/^stat::$1: *//p" "$work/log" | tail -n 1; }
execs=$(stat number_of_executed_units)
execs=${execs:-0}
[ "$status" = 0 ] || failed "libFuzzer exited with status $status" "$execs"

last=$(grep -E '^#[0-9]+.*cov: ' "$work/log" | tail -n 1)
field() { sed -n "s/.* $1: \([0-9]*\).*/\1/p" <<<"$last"; }
notes="$(stat average_exec_per_sec) exec/s over ${secs} s, cov $(field cov), ft $(field ft)"
notes="$notes, corpus $(ls "$corpus" | wc -l)+$(stat new_units_added) new"
notes="$notes, $replayed regressions replayed, peak rss $(stat peak_rss_mb) MB"

if [ "$harness" = request ]; then
  # Every route's handler ran at least once, the skipped ones named.
  routes=$(sed -n 's/^fuzz_request: handlers reached for \([0-9]*\) of \([0-9]*\) routes$/\1 \2/p' \
    "$work/log" | tail -n 1)
  read -r hit total <<<"${routes:-0 1}"
  [ "$hit" = "$total" ] || failed "handlers of only $hit of $total routes ran" "$execs"
  notes="$notes, handlers of $hit/$total routes ran (503 database_unavailable by design)"
fi

echo "fuzz_$harness: $execs executions, no crash; $notes"
reliability "$execs" 0 "$notes"
