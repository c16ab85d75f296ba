#!/usr/bin/env bash
# Benchmark of the live room's red packet rush (issue 16), against a ceiling
# measured in the same run:
#   - VIEWERS (default 1,000) buyers in one live room (sessions and presence
#     made in SQL) each grab one packet once, CONNS (default 64) at a time,
#     as fast as the server answers (tests/bench/red_packet_client.py):
#     a packet of as many grabs as viewers (every grab wins: grabs/s), and a
#     packet of 100 (100 win, the rest are refused: requests/s); p50 and p99
#     of each grab from request to reply
#   - beside pgbench running the grab's guarded UPDATE alone on one row
#     (UPDATE ... SET grabbed = grabbed + 1 ... WHERE id = 1 AND grabbed <
#     count, the statement a counter-on-the-packet design would be bound
#     by), best of a client sweep (8, 16, 32, 64), the setting that won
#     named
#   - then the guarantees, per packet: exactly count winners (or every
#     viewer), one grab per buyer, the amounts adding up to total_cents
# Grabs share no hot row (each takes a slot of its own), so what bounds
# them is each transaction's commit: the server runs THREADS (default 8
# here) HTTP threads, one database connection each, so that commits can be
# flushed together as pgbench's clients are.
# Not a test: it prints figures and ratios, and never fails on them.
set -euo pipefail
THREADS=${THREADS:-8}
. "$(dirname "$0")/lib.sh"
VIEWERS=${VIEWERS:-1000}
here="$REPO/tests/bench"

bench_setup
mtoken=$(account merchant redpacketshop)
account buyer redpackettemplate >/dev/null
read -r merchant template <<<"$(psql "$DATABASE_URL" -Atq -F' ' -c \
  "SELECT (SELECT id FROM accounts WHERE username = 'redpacketshop'), (SELECT id FROM accounts WHERE username = 'redpackettemplate')")"
shop=$(psql "$DATABASE_URL" -Atq -c "INSERT INTO shops (merchant_id, name, created_at, updated_at)
  VALUES ($merchant, 'red packet bench', now(), now()) RETURNING id")
live_id=$(curl -sf -X POST -H "Authorization: Bearer $mtoken" "$url/v1/shops/$shop/live/start" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["live_id"])')

say "making $VIEWERS viewers, their sessions and their presence in room $live_id"
psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 -c "INSERT INTO accounts (role, username, display_name, password_hash, created_at)
  SELECT 'buyer', 'redpacketviewer' || g, 'viewer ' || g, (SELECT password_hash FROM accounts WHERE id = $template), now()
    FROM generate_series(1, $VIEWERS) g"
psql "$DATABASE_URL" -Atq -F' ' -c "SELECT id, id FROM accounts WHERE username LIKE 'redpacketviewer%' ORDER BY id" \
  | python3 "$here/chat_client.py" sessions "$work/tokens" | psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 >/dev/null
# Present for the whole run (a join is the heartbeat; the rush measures grabs).
psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 -c "INSERT INTO live_viewers (live_id, buyer_id, joined_at, seen_at)
  SELECT $live_id, id, now(), now() + interval '1 day' FROM accounts WHERE username LIKE 'redpacketviewer%'"

# The ceiling's row: a packet that never runs out.
psql "$base/pgbench" -q -v ON_ERROR_STOP=1 -c "SET client_min_messages = warning; DROP TABLE IF EXISTS bench_red_packet;
  CREATE TABLE bench_red_packet (id integer PRIMARY KEY, count integer NOT NULL, grabbed integer NOT NULL,
    grabbed_cents bigint NOT NULL, CHECK (grabbed <= count));
  INSERT INTO bench_red_packet VALUES (1, 2147483647, 0, 0)"

# rush COUNT TOTAL: a fresh lucky packet, every viewer grabs it once; prints
# the client's line and the packet id.
rush() {
  local id
  id=$(curl -sf -H "Authorization: Bearer $mtoken" -H 'Content-Type: application/json' \
    -d "{\"total_cents\": $2, \"count\": $1, \"kind\": \"lucky\"}" "$url/v1/shops/$shop/live/red-packets" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  echo "$(python3 "$here/red_packet_client.py" "$url" "$id" "$CONNS" <"$work/tokens") $id"
}

# updates CLIENTS: pgbench's guarded UPDATE on the one row; prints tps.
updates() {
  pgbench -n -M prepared -c "$1" -j 2 -T "$DURATION" -f "$here/red_packet_update.sql" \
    -h 127.0.0.1 -p "$pgport" -U postgres pgbench 2>/dev/null | awk '/^tps/ { printf "%.0f\n", $3; exit }'
}

echo "red packet benchmark: $VIEWERS viewers in one live room, $CONNS connections," \
  "$ROUNDS rounds, $THREADS HTTP threads, $(nproc) cores"
for f in all hundred pg; do : >"$work/r_$f"; done
: >"$work/packets"
for round in $(seq "$ROUNDS"); do
  line=$(rush "$VIEWERS" $((VIEWERS * 100)))
  echo "$line" >>"$work/r_all"; echo "$VIEWERS $((VIEWERS * 100)) ${line##* }" >>"$work/packets"
  line=$(rush 100 8888)
  echo "$line" >>"$work/r_hundred"; echo "100 8888 ${line##* }" >>"$work/packets"
  best=0; best_c=0
  for c in 8 16 32 64; do
    tps=$(updates "$c")
    if [ "${tps:-0}" -gt "$best" ]; then best=$tps; best_c=$c; fi
  done
  echo "$best $best_c" >>"$work/r_pg"
done

# The guarantees, from the database, for every packet of the run.
bad=0; checked=0
while read -r count total id; do
  checked=$((checked + 1))
  ok=$(psql "$DATABASE_URL" -Atq -c "SELECT count(*) = $count AND count(DISTINCT buyer_id) = $count
      AND sum(amount_cents) = $total AND min(amount_cents) >= 1
      AND count(*) = (SELECT count FROM red_packets WHERE id = $id)
    FROM red_packet_slots WHERE red_packet_id = $id AND buyer_id IS NOT NULL")
  [ "$ok" = t ] || bad=$((bad + 1))
done <"$work/packets"

med() { cut -d' ' -f"$2" "$work/r_$1" | median; }
sum_col() { awk -v c="$2" '{ n += $c } END { print n + 0 }' "$work/r_$1"; }
pg_best=$(med pg 1)
pg_setting=$(sort -n -r "$work/r_pg" | head -1 | cut -d' ' -f2)
printf '\n%-58s %9s %9s %9s\n' "measurement (median of $ROUNDS)" "grabs/s" "p50 ms" "p99 ms"
printf '%-58s %9s %9s %9s   rounds: %s\n' "grab, packet of $VIEWERS (every viewer wins)" "$(med all 1)" "$(med all 3)" "$(med all 4)" \
  "$(cut -d' ' -f1,4 "$work/r_all" | tr '\n' ',' | sed 's/,$//; s/,/ | /g')"
printf '%-58s %9s %9s %9s   rounds: %s\n' "grab, packet of 100 ($VIEWERS viewers; req/s, 100 win)" "$(med hundred 2)" "$(med hundred 3)" "$(med hundred 4)" \
  "$(cut -d' ' -f2,4 "$work/r_hundred" | tr '\n' ',' | sed 's/,$//; s/,/ | /g')"
printf '%-58s %9s %9s %9s   rounds: %s\n' "pgbench: the guarded UPDATE on one row (best of 8-64)" "$pg_best" "-" "-" \
  "$(tr '\n' ',' <"$work/r_pg" | sed 's/,$//; s/,/ | /g')"
echo "  (pgbench rounds: tps and the client count that gave it; the best round's setting: $pg_setting clients)"
echo "  (replies other than 201/409: $(($(sum_col all 7) + $(sum_col hundred 7))), expected 0)"
echo
echo "ratio grabs / pgbench guarded UPDATE, every viewer wins: $(ratio "$(med all 1)" "$pg_best")"
echo "ratio requests / pgbench guarded UPDATE, packet of 100:  $(ratio "$(med hundred 2)" "$pg_best")"
echo "guarantees: $bad of $checked packets with winners, buyers or amounts that do not add up (target 0)"
