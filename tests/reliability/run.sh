#!/usr/bin/env bash
# Runs every reliability part and prints one table of what they measured:
# fuzzing (tests/fuzz/run-long.sh), the bad-input suite and the authorization
# matrix (tests/integration), kill -9 under a write load, PostgreSQL stopped
# and started under load, slow clients, and the soak (against a release
# build). Builds what it needs (an ASan + UBSan build and a release build),
# starts a private PostgreSQL 15 on a free port and removes it on exit.
# Exits non-zero when any part failed. See docs/reliability.md.
#
#   tests/reliability/run.sh
#
# Tuned by the environment:
#   SOAK_MINUTES   soak duration (default 10)
#   FUZZ_SECONDS   fuzzing per harness (default 60)
#   KILLS          kill -9 rounds (default 20)
#   SLOW_SECONDS   how long the slow clients stay (default 90, past the 60 s timeout)
#   PARTS          which parts, of: fuzz bad_input authz kill9 database slowloris soak
#   ASAN_BUILD     build directory of the sanitizer build (default build-reliability)
#   RELEASE_BUILD  build directory of the release build (default build-reliability-release)
set -euo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"

SOAK_MINUTES=${SOAK_MINUTES:-10}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
KILLS=${KILLS:-20}
SLOW_SECONDS=${SLOW_SECONDS:-90}
PARTS=${PARTS:-fuzz bad_input authz kill9 database slowloris soak}
ASAN_BUILD=${ASAN_BUILD:-$REPO/build-reliability}
RELEASE_BUILD=${RELEASE_BUILD:-$REPO/build-reliability-release}
here=$REPO/tests/reliability

wants() { [[ " $PARTS " == *" $1 "* ]]; }

install_deps
# The integration tests and faultlib check every reply with the contract
# checker of tools/.
install_node_tools
build "$ASAN_BUILD" -DCMAKE_BUILD_TYPE=Debug -DSANITIZE=ON -DBUILD_TESTING=ON
if wants soak || wants slowloris; then
  build "$RELEASE_BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF
fi

work=$(mktemp -d /tmp/merchantd-reliability.XXXXXX)
chmod 755 "$work"
logs=$work/logs
mkdir -p "$logs"
results=$work/results
: >"$results"
pgdir=$work/pg
pgport=$(free_port)
cleanup() { pg_stop "$pgdir"; rm -rf "$pgdir"; }
trap cleanup EXIT
say "starting PostgreSQL on port $pgport"
pg_start "$pgdir" "$pgport" fsync=off max_connections=300

export TEST_PG_URL="postgresql://postgres@127.0.0.1:$pgport"
export PG_BIN MERCHANTD_BIN=$ASAN_BUILD/merchantd PYTHONDONTWRITEBYTECODE=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# run_part NAME COMMAND...: runs a part into logs/NAME.log and records its
# exit status with each RELIABILITY line it printed (or none).
run_part() {
  local name=$1 status=0 t0=$SECONDS
  shift
  say "part $name: $*"
  "$@" >"$logs/$name.log" 2>&1 || status=$?
  say "part $name: exit status $status after $((SECONDS - t0)) s"
  if [ "$status" != 0 ]; then tail -n 25 "$logs/$name.log" >&2; fi
  if grep -q '^RELIABILITY ' "$logs/$name.log"; then
    grep '^RELIABILITY ' "$logs/$name.log" | sed "s/^RELIABILITY /$status\t$name\t/" >>"$results"
  else
    printf '%s\t%s\t\n' "$status" "$name" >>"$results"
  fi
}

if wants fuzz; then
  if [ -x "$REPO/tests/fuzz/run-long.sh" ]; then
    run_part fuzz "$REPO/tests/fuzz/run-long.sh" all "$FUZZ_SECONDS"
  else
    printf 'skip\tfuzz\t\n' >>"$results"
  fi
fi
for p in bad_input authz_matrix; do
  name=${p%_matrix}
  wants "$name" || continue
  if [ -f "$REPO/tests/integration/test_$p.py" ]; then
    run_part "$name" python3 "$REPO/tests/integration/test_$p.py"
  else
    printf 'skip\t%s\t\n' "$name" >>"$results"
  fi
done
wants kill9 && run_part kill9 python3 "$here/kill9.py" --kills "$KILLS"
wants database && run_part database python3 "$here/db_outage.py"
# Against the release build, as the soak: its RSS is the server's, not
# AddressSanitizer's quarantine (the quick test runs them under ASan).
wants slowloris && run_part slowloris env MERCHANTD_BIN="$RELEASE_BUILD/merchantd" \
  python3 "$here/slowloris.py" --seconds "$SLOW_SECONDS"
wants soak && run_part soak env MERCHANTD_BIN="$RELEASE_BUILD/merchantd" \
  python3 "$here/soak.py" --minutes "$SOAK_MINUTES"

status=0
python3 - "$results" <<'EOF' || status=$?
import json
import sys

rows, failed = [], False
for line in open(sys.argv[1], encoding="utf-8"):
    status, part, data = line.rstrip("\n").split("\t", 2)
    d = json.loads(data) if data else {}
    if status == "skip":
        result = "skipped"
    elif status != "0":
        result, failed = f"FAILED ({status})", True
    elif not d:
        result = "ok (no figures)"
    else:
        result = "ok"
    if d and (d.get("crashes") or d.get("lost_writes")) and status != "skip":
        result, failed = "FAILED", True

    def show(key, fmt="{}"):
        v = d.get(key)
        return "-" if v is None else fmt.format(v)
    rss = "-" if d.get("rss_start_kb") is None else f"{d['rss_start_kb']}/{d.get('rss_end_kb')}"
    rows.append([d.get("part", part), show("requests"), show("5xx"), show("crashes"),
                 show("lost_writes"), show("recovery_s", "{:.2f}"), rss, result,
                 d.get("notes", "not present in this tree" if status == "skip" else "")])
head = ["part", "requests tried", "5xx", "crashes", "lost writes", "recovery s",
        "RSS start/end kB", "result"]
widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
fmt = "  ".join("{:<%d}" % w for w in widths)
print()
print(fmt.format(*head))
print(fmt.format(*("-" * w for w in widths)))
for r in rows:
    print(fmt.format(*r[:len(head)]))
print()
for r in rows:
    if r[-1]:
        print(f"{r[0]}: {r[-1]}")
sys.exit(1 if failed else 0)
EOF
say "logs in $logs"
exit "$status"
