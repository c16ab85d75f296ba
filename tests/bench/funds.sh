#!/usr/bin/env bash
# Funds benchmark (issue 14), in one run:
#   1. settlement: buyers' confirmations settling orders of one hot shop
#      from CLIENTS (16) connections, every posting on the same accounts
#      (the shop's pending and available, one fee revenue shard), against
#      pgbench running the guarded balance UPDATE + transfer INSERT of one
#      posting on one account row (tests/bench/funds_pgbench.sql), its
#      client count swept over 8, 16, 32, 64 and the best taken (target:
#      settlements/s >= 0.5 x the best);
#   2. GET .../funds (the balances) and GET .../funds/flows page 1, p50, on
#      a shop with TRANSFERS (1,000,000) transfers against one with 100
#      (target: within 10 %);
#   3. the same flows 100,000 rows deep (by cursor) against page 1 (target:
#      p50 ratio <= 1.2);
#   4. GET .../funds/statement.csv of all TRANSFERS rows: rows/s and
#      merchantd's RSS growth (target: under 50 MB).
# Not a test: it prints figures and ratios, and never fails on them.
#
#   TRANSFERS=200000 tests/bench/funds.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
TRANSFERS=${TRANSFERS:-1000000}
ORDERS=${ORDERS:-60000}
CLIENTS=${CLIENTS:-16}

bench_setup
# The statement key: 32 random bytes only merchantd's user may read. The
# server of bench_setup has none, so one is started here with it.
key="$work/statement.key"
(umask 077 && head -c 32 /dev/urandom >"$key")
kill "$server_pid" && wait "$server_pid" 2>/dev/null || true
bench_serve MERCHANTD_LOG_LEVEL=warn MERCHANTD_STATEMENT_KEY_FILE="$key"
url=$served_url
server_pid=$served_pid

mtoken=$(account merchant fundsshop)
btoken=$(account buyer fundsbuyer)
bench_fill_shop fundsshop fundsbuyer 1
hot=$shop
# Two more shops of the merchant: one with TRANSFERS transfers, one with 100.
big=$(psql "$DATABASE_URL" -Atq -c "INSERT INTO shops (merchant_id, name, created_at, updated_at)
  SELECT id, 'big ledger', now(), now() FROM accounts WHERE username = 'fundsshop' RETURNING id")
small=$(psql "$DATABASE_URL" -Atq -c "INSERT INTO shops (merchant_id, name, created_at, updated_at)
  SELECT id, 'small ledger', now(), now() FROM accounts WHERE username = 'fundsshop' RETURNING id")
say "generating $ORDERS shipped orders and $TRANSFERS + 100 transfers"
gen() {
  psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 -v shop="$1" -v buyer="$buyer" -v sku="$sku" \
    -v product="$product" -v n="$2" -v flows_shop="$3" -v m="$4" \
    -f "$REPO/tests/bench/gen_funds.sql" >/dev/null
}
gen "$hot" "$ORDERS" "$big" "$TRANSFERS"
gen "$hot" 0 "$small" 100
read -r lo hi <<<"$(psql "$DATABASE_URL" -Atq -F' ' -c \
  "SELECT min(id), max(id) FROM orders WHERE shop_id = $hot AND order_sn LIKE 'F%'")"
# The ceiling's tables: copies of the ledger's (columns, defaults, identity,
# CHECKs, indexes; not the foreign keys or triggers, which only make the
# ceiling higher), beside them.
psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE TABLE bench_accounts (LIKE ledger_accounts INCLUDING ALL);
CREATE TABLE bench_transfers (LIKE ledger_transfers INCLUDING ALL);
INSERT INTO bench_accounts (shop_id, kind, balance) VALUES (1, 'available', 0), (NULL, 'provider_clearing', 0);
SQL

p50_run() { # PATH: prints the p50 in ms of GET PATH
  wrk --latency -t2 -c4 -d"${DURATION}s" -H "Authorization: Bearer $mtoken" "$url$1" | awk '
    /^ +50%/ { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms/, "", v) } else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 }; print v }'
}
settle_run() { # LO HI: settlements/s with CLIENTS connections
  LO=$1 HI=$2 WRK_THREADS=2 wrk -t2 -c"$CLIENTS" -d"${DURATION}s" -H "Authorization: Bearer $btoken" \
    -s "$REPO/tests/bench/settle.lua" "$url" | awk '/^settled/ { printf "%.0f\n", $2 }'
}
pgbench_post() { # CLIENTS: postings/s
  pgbench -n -M prepared -c "$1" -j 2 -T "$DURATION" -f "$REPO/tests/bench/funds_pgbench.sql" \
    -h 127.0.0.1 -p "$pgport" -U postgres merchantd 2>/dev/null | awk '/^tps/ { printf "%.0f\n", $3; exit }'
}

flows="/v1/shops/$big/funds/flows"
deep_id=$(psql "$DATABASE_URL" -Atq -c "SELECT id FROM ledger_transfers
  WHERE credit_account_id = ledger_account($big, 'deposit') ORDER BY id DESC OFFSET 100000 LIMIT 1")
deep=$(printf 'f:%s:2' "$deep_id" | base64 -w0 | tr '+/' '-_' | tr -d '=')

echo "funds benchmark: $TRANSFERS transfers in one shop, $ORDERS shipped orders to settle," \
  "$CLIENTS clients, ${DURATION}s x $ROUNDS rounds, $THREADS HTTP threads, $(nproc) cores"
for f in settle pg8 pg16 pg32 pg64 fsmall fbig small big page1 deep; do : >"$work/r_$f"; done
per=$(( (hi - lo + 1) / ROUNDS ))
for round in $(seq "$ROUNDS"); do
  a=$(( lo + (round - 1) * per ))
  settle_run "$a" $(( a + per - 1 )) >>"$work/r_settle"
  for c in 8 16 32 64; do pgbench_post "$c" >>"$work/r_pg$c"; done
  p50_run "/v1/shops/$small/funds" >>"$work/r_fsmall"
  p50_run "/v1/shops/$big/funds" >>"$work/r_fbig"
  p50_run "/v1/shops/$small/funds/flows" >>"$work/r_small"
  p50_run "$flows" >>"$work/r_big"
  p50_run "$flows?limit=20" >>"$work/r_page1"
  p50_run "$flows?limit=20&cursor=$deep" >>"$work/r_deep"
done
med() { median <"$work/r_$1"; }
best=0; best_c=0
for c in 8 16 32 64; do
  v=$(med "pg$c"); if awk -v a="$v" -v b="$best" 'BEGIN { exit !(a > b) }'; then best=$v; best_c=$c; fi
done
printf '\n%-58s %12s   %s\n' "measurement (median of $ROUNDS)" "value" "each round"
line() { printf '%-58s %12s   %s\n' "$1" "$2" "$(tr '\n' ' ' <"$work/r_$3")"; }
line "settlements/s, one hot shop, $CLIENTS clients (HTTP)" "$(med settle)" settle
for c in 8 16 32 64; do line "  pgbench guarded UPDATE + INSERT, $c clients" "$(med "pg$c")" "pg$c"; done
line "GET .../funds p50 ms, 100 transfers" "$(med fsmall)" fsmall
line "GET .../funds p50 ms, $TRANSFERS transfers" "$(med fbig)" fbig
line "flows page 1 p50 ms, 100 transfers" "$(med small)" small
line "flows page 1 p50 ms, $TRANSFERS transfers" "$(med big)" big
line "flows p50 ms, page 1 (limit 20)" "$(med page1)" page1
line "flows p50 ms, 100,000 rows deep (limit 20)" "$(med deep)" deep

# The statement of the whole big shop, with merchantd's RSS around it.
hwm() { awk '/VmHWM/ { print $2 }' "/proc/$server_pid/status"; }
rss() { awk '/VmRSS/ { print $2 }' "/proc/$server_pid/status"; }
echo 5 >"/proc/$server_pid/clear_refs" 2>/dev/null || true
before=$(rss)
start=$(date +%s.%N)
curl -sf -H "Authorization: Bearer $mtoken" "$url/v1/shops/$big/funds/statement.csv" >"$work/statement.csv"
secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f", e - s }')
after=$(hwm)
rows=$(( $(wc -l <"$work/statement.csv") - 12 )) # the head's 11 lines and the signature
verdict=$(MERCHANTD_STATEMENT_KEY_FILE="$key" "$BENCH_BUILD/merchantd" verify-statement "$work/statement.csv" || true)
check=$("$BENCH_BUILD/merchantd" funds check | tail -1 || true)
echo
printf 'statement.csv: %s rows, %s MB in %ss = %s rows/s; RSS %s kB, peak %s kB (growth %s MB)\n' \
  "$rows" "$(( $(stat -c %s "$work/statement.csv") / 1048576 ))" "$secs" \
  "$(awk -v r="$rows" -v s="$secs" 'BEGIN { printf "%.0f", r / s }')" "$before" "$after" \
  "$(awk -v a="$before" -v b="$after" 'BEGIN { printf "%.1f", (b - a) / 1024 }')"
echo "  $verdict"
echo "  funds check after the run: $check"
echo
echo "ratio settlement / best pgbench ($best_c clients):  $(ratio "$(med settle)" "$best")   (target >= 0.5)"
echo "ratio GET .../funds p50, $TRANSFERS / 100 transfers: $(ratio "$(med fbig)" "$(med fsmall)")   (target <= 1.10)"
echo "ratio flows p50, $TRANSFERS / 100 transfers:    $(ratio "$(med big)" "$(med small)")   (target <= 1.10)"
echo "ratio flows p50, 100,000 deep / page 1:          $(ratio "$(med deep)" "$(med page1)")   (target <= 1.20)"
echo "statement RSS growth target: under 50 MB"
