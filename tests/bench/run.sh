#!/usr/bin/env bash
# Benchmark of GET /v1/me against ceilings measured in the same run:
#   - pgbench -S -M prepared over TCP with the same client count
#   - a bare libmicrohttpd JSON reply with the same daemon settings
# and GET /v1/me p99 with and without 16 clients logging in continuously.
# Not a test: it prints figures and ratios, and never fails on them.
set -euo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"

CONNS=${CONNS:-64}
DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-2}

install_deps wrk
build "$REPO/build-bench" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF
work=$(mktemp -d /tmp/merchantd-bench.XXXXXX)
cc -O2 -o "$work/bare_mhd" "$REPO/tests/bench/bare_mhd.c" $(pkg-config --cflags --libs libmicrohttpd)

pgdir="$work/cluster"
pgport=$(free_port)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pg_stop "$pgdir"
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$pgdir"
[ "$(id -u)" = 0 ] && chown postgres "$work"
pg_start "$pgdir" "$pgport" max_connections=200 shared_buffers=256MB
base="postgresql://postgres@127.0.0.1:$pgport"
create_db "$base" merchantd
create_db "$base" pgbench
export DATABASE_URL="$base/merchantd"
"$REPO/build-bench/merchantd" migrate >/dev/null

port=$(free_port)
PORT=$port MERCHANTD_THREADS=$THREADS MERCHANTD_LOG_LEVEL=info "$REPO/build-bench/merchantd" serve \
  >/dev/null 2>"$work/server.err" &
pids+=($!)
bare_port=$(free_port)
"$work/bare_mhd" "$bare_port" "$THREADS" &
pids+=($!)
url="http://127.0.0.1:$port"
for _ in $(seq 100); do curl -sf "$url/readyz" >/dev/null && break; sleep 0.1; done

post() { curl -sf -H 'Content-Type: application/json' -d "$2" "$url$1"; }
post /v1/auth/register '{"role":"merchant","username":"bench","password":"password-123","display_name":"Bench"}' >/dev/null
for i in $(seq 0 15); do
  post /v1/auth/register "{\"role\":\"buyer\",\"username\":\"load$i\",\"password\":\"password-123\",\"display_name\":\"Load $i\"}" >/dev/null
done
token=$(post /v1/auth/login '{"username":"bench","password":"password-123"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')

# wrk_run ARGS...: prints "req/s p99_ms" from wrk's latency report.
wrk_run() {
  wrk --latency "$@" | awk '
    /Requests\/sec/ { rps = $2 }
    /^ +99%/ { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms/, "", v) } else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 }; p99 = v }
    END { printf "%.0f %.2f\n", rps, p99 }'
}


# This machine is shared and noisy: each figure is the median of ROUNDS
# measurements, and the rounds interleave what is compared.
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

pgbench -i -q -s 10 -h 127.0.0.1 -p "$pgport" -U postgres pgbench >/dev/null 2>&1
echo "merchantd benchmark: $CONNS connections, ${DURATION}s x $ROUNDS rounds each, $THREADS HTTP threads, $(nproc) cores"
: >"$work/r_me"; : >"$work/r_bare"; : >"$work/r_pg"; : >"$work/r_busy"; : >"$work/r_logins"
for round in $(seq "$ROUNDS"); do
  wrk_run -t2 -c"$CONNS" -d"${DURATION}s" -H "Authorization: Bearer $token" "$url/v1/me" >>"$work/r_me"
  wrk_run -t2 -c"$CONNS" -d"${DURATION}s" "http://127.0.0.1:$bare_port/" >>"$work/r_bare"
  pgbench -S -M prepared -c "$CONNS" -j 2 -T "$DURATION" -h 127.0.0.1 -p "$pgport" -U postgres pgbench 2>/dev/null \
    | awk '/^tps/ { printf "%.0f\n", $3; exit }' >>"$work/r_pg"
  # GET /v1/me again while 16 clients log in continuously.
  USERS=16 wrk -t1 -c16 -d"$((DURATION + 2))s" -s "$REPO/tests/bench/login.lua" "$url" >"$work/login.out" &
  login_pid=$!
  sleep 1
  wrk_run -t2 -c"$CONNS" -d"${DURATION}s" -H "Authorization: Bearer $token" "$url/v1/me" >>"$work/r_busy"
  wait $login_pid
  awk '/Requests\/sec/ { printf "%.1f ", $2 } /Non-2xx/ { n = $5 } END { print n + 0 }' "$work/login.out" >>"$work/r_logins"
done

me_rps=$(cut -d' ' -f1 "$work/r_me" | median);     me_p99=$(cut -d' ' -f2 "$work/r_me" | median)
bare_rps=$(cut -d' ' -f1 "$work/r_bare" | median); bare_p99=$(cut -d' ' -f2 "$work/r_bare" | median)
pg_tps=$(median <"$work/r_pg")
busy_rps=$(cut -d' ' -f1 "$work/r_busy" | median); busy_p99=$(cut -d' ' -f2 "$work/r_busy" | median)
logins=$(cut -d' ' -f1 "$work/r_logins" | median); non2xx=$(awk '{ n += $2 } END { print n + 0 }' "$work/r_logins")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
printf '\n%-46s %10s %9s   %s\n' "measurement (median of $ROUNDS)" "req/s" "p99 ms" "each round (req/s p99)"
row() { printf '%-46s %10s %9s   %s\n' "$1" "$2" "$3" "$(tr '\n' ',' <"$4" | sed 's/,$//; s/,/ | /g')"; }
row "GET /v1/me (merchantd)" "$me_rps" "$me_p99" "$work/r_me"
row "bare libmicrohttpd JSON reply (ceiling)" "$bare_rps" "$bare_p99" "$work/r_bare"
row "pgbench -S -M prepared, TCP (ceiling)" "$pg_tps" "-" "$work/r_pg"
row "GET /v1/me while 16 clients log in" "$busy_rps" "$busy_p99" "$work/r_busy"
row "  logins/s meanwhile (non-2xx in all: $non2xx)" "$logins" "-" "$work/r_logins"
echo
echo "ratio merchantd / pgbench tps:        $(ratio "$me_rps" "$pg_tps")   (target >= 0.5)"
echo "ratio merchantd / bare libmicrohttpd: $(ratio "$me_rps" "$bare_rps")"
echo "p99 with login load / without:       $(ratio "$busy_p99" "$me_p99")   (target <= 3)"
