#!/usr/bin/env bash
# Benchmark of the platform's order review: hold -> release cycles per
# second over HTTP (POST .../hold then POST .../release, both succeeding),
#   - on distinct orders (each wrk thread walks its own slice of ORDERS paid
#     orders, holding one and releasing one it held earlier), and
#   - on one hot order (every connection alternates hold and release on it;
#     racing requests are refused, only cycles of two successes count),
# each beside pgbench running the same single-row UPDATEs of the order
# (tests/bench/review_pgbench.sql, -M prepared) in the same run, which is
# the ceiling: with CONNS clients (as many as wrk has connections; they
# queue on the row locks of the order and of the shop's counter row) and
# with THREADS clients (as many connections as merchantd has). Ratios are
# against the higher of the two. Not a test: it prints figures and ratios,
# and never fails.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ORDERS=${ORDERS:-100000}

bench_setup
account merchant benchshop >/dev/null
account buyer benchbuyer >/dev/null
printf 'reviewer-password\n' | "$BENCH_BUILD/merchantd" create-reviewer benchreviewer >/dev/null
reviewer=$(post /v1/auth/login '{"username":"benchreviewer","password":"reviewer-password"}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
bench_fill_shop benchshop benchbuyer 1
say "generating $ORDERS paid orders"
psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 -v shop="$shop" -v buyer="$buyer" -v sku="$sku" \
  -v product="$product" -v n="$ORDERS" -f "$REPO/tests/bench/review_orders.sql" >/dev/null
read -r lo hi <<<"$(psql "$DATABASE_URL" -Atq -F' ' -c \
  "SELECT min(id), max(id) FROM orders WHERE shop_id = $shop AND order_sn LIKE 'R%'")"

# Every run starts with no order held (a run ends with holds not yet released).
unhold() {
  psql "$DATABASE_URL" -Atq -c "UPDATE orders SET review_status = 'released'
    WHERE review_status = 'under_review' AND id BETWEEN $lo AND $hi" >/dev/null
}
# cycles_run ENV... -- WRK ARGS: prints "cycles/s p99_ms refused/requests".
cycles_run() {
  env "$@" wrk --latency -t2 -c"$CONNS" -d"${DURATION}s" -H "Authorization: Bearer $reviewer" \
    -s "$REPO/tests/bench/review_cycle.lua" "$url" | awk '
    /^cycles/ { c = $2 }
    /^refused/ { r = $2 "/" $4 }
    /^ +99%/ { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms/, "", v) } else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 }; p99 = v }
    END { printf "%.0f %.2f %s\n", c, p99, r }'
}
# pgbench_cycles CLIENTS LO HI: the ceiling, one cycle per pgbench transaction.
pgbench_cycles() {
  pgbench -n -M prepared -c "$1" -j 2 -T "$DURATION" -D lo="$2" -D hi="$3" \
    -f "$REPO/tests/bench/review_pgbench.sql" -h 127.0.0.1 -p "$pgport" -U postgres merchantd 2>/dev/null \
    | awk '/^tps/ { printf "%.0f\n", $3; exit }'
}

echo "review benchmark: $ORDERS paid orders, $CONNS connections, ${DURATION}s x $ROUNDS rounds, $THREADS HTTP threads, $(nproc) cores"
for f in spread pg_spread pg_spread_few hot pg_hot pg_hot_few; do : >"$work/r_$f"; done
for round in $(seq "$ROUNDS"); do
  unhold
  cycles_run LO="$lo" HI="$hi" WRK_THREADS=2 >>"$work/r_spread"
  unhold
  pgbench_cycles "$CONNS" "$lo" "$hi" >>"$work/r_pg_spread"
  unhold
  pgbench_cycles "$THREADS" "$lo" "$hi" >>"$work/r_pg_spread_few"
  unhold
  cycles_run LO="$lo" HI="$lo" HOT=1 >>"$work/r_hot"
  unhold
  pgbench_cycles "$CONNS" "$lo" "$lo" >>"$work/r_pg_hot"
  unhold
  pgbench_cycles "$THREADS" "$lo" "$lo" >>"$work/r_pg_hot_few"
done

med() { cut -d' ' -f"${2:-1}" "$work/r_$1" | median; }
best() { awk -v a="$(med "$1")" -v b="$(med "$1_few")" 'BEGIN { print (a > b) ? a : b }'; }
header
row "hold+release cycles/s, distinct orders" "$(med spread 1)" "$(med spread 2)" "$work/r_spread"
row "  pgbench same UPDATEs, $CONNS clients (ceiling)" "$(med pg_spread)" "-" "$work/r_pg_spread"
row "  pgbench same UPDATEs, $THREADS clients (ceiling)" "$(med pg_spread_few)" "-" "$work/r_pg_spread_few"
row "hold+release cycles/s, one hot order" "$(med hot 1)" "$(med hot 2)" "$work/r_hot"
row "  pgbench same UPDATEs, $CONNS clients (ceiling)" "$(med pg_hot)" "-" "$work/r_pg_hot"
row "  pgbench same UPDATEs, $THREADS clients (ceiling)" "$(med pg_hot_few)" "-" "$work/r_pg_hot_few"
echo
echo "(an HTTP round ends with requests refused / sent; distinct orders refuse none)"
echo "ratio distinct orders / best pgbench:   $(ratio "$(med spread 1)" "$(best pg_spread)")   (target >= 0.3)"
echo "ratio hot order / best pgbench:         $(ratio "$(med hot 1)" "$(best pg_hot)")   (target >= 0.3)"
