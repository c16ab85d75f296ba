#!/usr/bin/env bash
# Benchmark of the chat (issue 5), against ceilings measured in the same run:
#   - search p50 over MESSAGES (default 1,000,000) messages of one shop, for
#     a few queries, beside the same search as a sequential scan
#     (enable_indexscan and enable_bitmapscan off) (target p50 < 20 ms)
#   - POST /v1/conversations/{id}/messages req/s beside pgbench running the
#     same INSERT into messages (target >= 0.3x)
#   - send -> SSE delivery latency p50/p99 with CONVS (default 1,000)
#     buyers' streams open across two merchantd instances (target p99 < 50 ms)
# Not a test: it prints figures and ratios, and never fails on them.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
MESSAGES=${MESSAGES:-1000000}
CONVS=${CONVS:-1000}
SEARCH_ROUNDS=${SEARCH_ROUNDS:-50}
SEQ_ROUNDS=${SEQ_ROUNDS:-5}
SSE_RATE=${SSE_RATE:-200}
SSE_SECONDS=${SSE_SECONDS:-10}
# Common words, a phrase, English in another case, one character, a rare
# order number (one message), and a word that is nowhere.
QUERIES=(退款 坏果包赔 INVOICE 橙 DD000500000 优惠码)
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
here="$REPO/tests/bench"

bench_setup
token=$(account merchant chatshop)
account buyer chattemplate >/dev/null
ids=$(psql "$DATABASE_URL" -Atq -v ON_ERROR_STOP=1 <<'SQL'
INSERT INTO shops (merchant_id, name, created_at, updated_at)
SELECT id, 'chat bench shop', now(), now() FROM accounts WHERE username = 'chatshop'
RETURNING id, merchant_id, (SELECT id FROM accounts WHERE username = 'chattemplate');
SQL
)
IFS='|' read -r shop merchant template <<<"$(head -1 <<<"$ids")"
say "generating $CONVS conversations and $MESSAGES messages"
psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 -v shop="$shop" -v merchant="$merchant" \
  -v template="$template" -v convs="$CONVS" -v n="$MESSAGES" -f "$here/gen_chat.sql" >/dev/null
read -r lo hi <<<"$(psql "$DATABASE_URL" -Atq -F' ' -c "SELECT min(id), max(id) FROM conversations WHERE shop_id = $shop")"

# A second instance on the same database, for the cross-instance delivery.
bench_serve
url_b=$served_url

echo "chat benchmark: $MESSAGES messages in $CONVS conversations of one shop, $CONNS connections," \
  "${DURATION}s x $ROUNDS rounds, $THREADS HTTP threads, $(nproc) cores"

# 1. Search: through the API (p50 of SEARCH_ROUNDS requests), the SQL
# function alone, and the same search forced to a sequential scan.
exec_ms() { awk '/Execution Time/ { print $3 }'; }
seq_sql() {
  local q=${1//\'/\'\'}
  printf "SET enable_indexscan = off; SET enable_bitmapscan = off; SET max_parallel_workers_per_gather = 0;\n"
  for _ in $(seq "$SEQ_ROUNDS"); do
    printf "EXPLAIN ANALYZE SELECT m.id FROM messages m WHERE m.shop_id = %s AND m.type = 'text' AND position(lower('%s') IN lower(m.body)) > 0 ORDER BY m.id DESC LIMIT 21;\n" "$shop" "$q"
  done
}
fn_sql() {
  local q=${1//\'/\'\'}
  for _ in $(seq "$SEARCH_ROUNDS"); do
    printf "EXPLAIN ANALYZE SELECT * FROM chat_search(%s, '%s', NULL, NULL, NULL, 9223372036854775807, 21);\n" "$shop" "$q"
  done
}
: >"$work/r_search"
for round in $(seq "$ROUNDS"); do
  python3 "$here/chat_client.py" search "$url" "$token" "$shop" "$SEARCH_ROUNDS" "${QUERIES[@]}" >>"$work/r_search"
done
printf '\n%-14s %6s %11s %11s %11s %11s %9s\n' "search q" "hits" "API p50 ms" "API p99 ms" "SQL p50 ms" "seq p50 ms" "seq/API"
for q in "${QUERIES[@]}"; do
  api50=$(awk -v q="$q" '$1 == q { print $2 }' "$work/r_search" | median)
  api99=$(awk -v q="$q" '$1 == q { print $3 }' "$work/r_search" | median)
  hits=$(awk -v q="$q" '$1 == q { print $4 }' "$work/r_search" | head -1)
  sql50=$(fn_sql "$q" | psql "$DATABASE_URL" -Atq 2>/dev/null | exec_ms | median)
  seq50=$(seq_sql "$q" | psql "$DATABASE_URL" -Atq 2>/dev/null | exec_ms | median)
  printf '%-14s %6s %11s %11s %11s %11s %9s\n' "$q" "$hits" "$api50" "$api99" "$sql50" "$seq50" "$(ratio "$seq50" "$api50")"
done
all50=$(awk '{ print $2 }' "$work/r_search" | median)
echo "search p50 over all queries: $all50 ms (target < 20 ms)"

# 2. Sending: POST messages beside pgbench's INSERT of the same rows.
: >"$work/r_send"; : >"$work/r_insert"
auth="Authorization: Bearer $token"
for round in $(seq "$ROUNDS"); do
  LO=$lo HI=$hi wrk --latency -t2 -c"$CONNS" -d"${DURATION}s" -H "$auth" -s "$here/send_message.lua" "$url" >"$work/wrk.out"
  awk '
    /Requests\/sec/ { rps = $2 }
    /Non-2xx/ { bad = $5 }
    /^ +99%/ { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms/, "", v) } else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 }; p99 = v }
    END { printf "%.0f %.2f %d\n", rps, p99, bad }' "$work/wrk.out" >>"$work/r_send"
  pgbench -n -M prepared -c "$CONNS" -j 2 -T "$DURATION" -D lo="$lo" -D hi="$hi" -f "$here/chat_insert.sql" \
    -h 127.0.0.1 -p "$pgport" -U postgres merchantd >"$work/pgbench.out" 2>&1 || true
  awk '/^tps/ { printf "%.0f\n", $3; exit }' "$work/pgbench.out" >>"$work/r_insert"
done

# 3. Delivery: the buyers' streams (sessions made in SQL), half on each
# instance; the merchant sends at SSE_RATE messages a second.
psql "$DATABASE_URL" -Atq -F' ' -c "SELECT id, buyer_id FROM conversations WHERE shop_id = $shop ORDER BY id" \
  | python3 "$here/chat_client.py" sessions "$work/streams" | psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 >/dev/null
: >"$work/r_sse"
for round in $(seq "$ROUNDS"); do
  python3 "$here/chat_client.py" sse "$url" "$url_b" "$token" "$work/streams" "$SSE_RATE" "$SSE_SECONDS" >>"$work/r_sse"
done

med() { cut -d' ' -f"$2" "$work/r_$1" | median; }
header
row "POST /v1/conversations/{id}/messages (text)" "$(med send 1)" "$(med send 2)" "$work/r_send"
echo "  (third figure of each round: non-2xx replies, expected 0)"
row "pgbench: INSERT INTO messages, same triggers" "$(median <"$work/r_insert")" "-" "$work/r_insert"
printf '\n%-50s %9s %9s   %s\n' "send -> SSE delivery ($CONVS streams, 2 instances)" "p50 ms" "p99 ms" "each round (p50 p99 received sent open-streams)"
printf '%-50s %9s %9s   %s\n' "  $SSE_RATE messages/s for ${SSE_SECONDS}s" "$(med sse 1)" "$(med sse 2)" "$(tr '\n' ',' <"$work/r_sse" | sed 's/,$//; s/,/ | /g')"
echo
echo "search p50 (all queries):            $all50 ms   (target < 20 ms)"
echo "ratio POST messages / pgbench INSERT: $(ratio "$(med send 1)" "$(median <"$work/r_insert")")   (target >= 0.3)"
echo "send -> SSE delivery p99:            $(med sse 2) ms   (target < 50 ms)"
