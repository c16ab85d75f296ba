#!/usr/bin/env bash
# Heavy reads on the read replica (docs/operations.md "Read replica"): chat
# search and the CSV order export, with and without a hot standby, while a
# write load (pgbench running the INSERT behind POST .../messages, with its
# triggers) runs on the primary. Two merchantd instances share the primary:
# A without MERCHANTD_REPLICA_URL, B with it. Each round measures, for
# DURATION seconds each and interleaved:
#   - writes alone (the primary's write ceiling in this run)
#   - writes + the heavy reads through A (they run on the primary)
#   - writes + the heavy reads through B (they run on the standby)
# and reports the primary's write throughput (pgbench tps) and the reads'
# req/s and p99 in each case, and B's replica counters (proof of where its
# reads went). The standby stands for another machine: with SPLIT_CPUS=1
# (the default on a machine of 2 cores or more) the primary's processes
# are pinned to CPU 0 and the standby's, merchantd's and the load
# generators' to the other CPUs (taskset), so reads that move to the
# standby stop taking the primary's CPU, as they would on a machine of
# their own. SPLIT_CPUS=0 leaves them all on every core. The writers commit with synchronous_commit off
# (WRITE_SYNC=on to keep it): with it on, 8 writers wait on this disk's
# flushes and the figure measures the disk, not the primary's capacity.
# Not a test: it prints figures and never fails on them.
#
#   ORDERS=30000 MESSAGES=300000 tests/bench/replica.sh
set -euo pipefail
DURATION=${DURATION:-10}
. "$(dirname "$0")/lib.sh"
ORDERS=${ORDERS:-30000}
MESSAGES=${MESSAGES:-300000}
CONVS=${CONVS:-1000}
WRITE_CLIENTS=${WRITE_CLIENTS:-8}
WRITE_SYNC=${WRITE_SYNC:-off}
SEARCH_CONNS=${SEARCH_CONNS:-4}
EXPORT_CONNS=${EXPORT_CONNS:-2}
cores=$(nproc) # before any pinning: nproc counts the CPUs this process may use
SPLIT_CPUS=${SPLIT_CPUS:-$([ "$cores" -ge 2 ] && echo 1 || echo 0)}
here="$REPO/tests/bench"

# pin DATA_DIR CPUS: a running cluster's postmaster and its children, and
# every backend it forks from now on, onto CPUS.
pin() {
  local pm
  pm=$(head -1 "$1/postmaster.pid")
  for p in $pm $(pgrep -P "$pm"); do taskset -a -p -c "$2" "$p" >/dev/null; done
}
others="1-$((cores - 1))"

bench_setup
trap 'pg_stop "$work/standby"; bench_cleanup' EXIT
token=$(account merchant replicashop)
account buyer replicabuyer >/dev/null
account buyer chattemplate >/dev/null
bench_fill_shop replicashop replicabuyer "$ORDERS"
merchant=$(psql "$DATABASE_URL" -Atqc "SELECT merchant_id FROM shops WHERE id = $shop")
template=$(psql "$DATABASE_URL" -Atqc "SELECT id FROM accounts WHERE username = 'chattemplate'")
say "generating $CONVS conversations and $MESSAGES messages"
psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 -v shop="$shop" -v merchant="$merchant" \
  -v template="$template" -v convs="$CONVS" -v n="$MESSAGES" -f "$here/gen_chat.sql" >/dev/null
psql "$DATABASE_URL" -q -c "VACUUM ANALYZE" >/dev/null
read -r lo hi <<<"$(psql "$DATABASE_URL" -Atq -F' ' -c "SELECT min(id), max(id) FROM conversations WHERE shop_id = $shop")"

# The standby, made from the primary as an operator would (scripts/lib.sh).
say "making the standby with pg_basebackup -R"
sport=$(free_port)
pg_standby_start "$work/standby" "$sport" "$pgport" max_connections=200 shared_buffers=1GB
sbase="postgresql://postgres@127.0.0.1:$sport"
caught_up() {
  local p
  p=$(psql "$base/postgres" -Atqc "SELECT pg_current_wal_lsn()")
  for _ in $(seq 600); do
    [ "$(psql "$sbase/postgres" -Atqc "SELECT pg_last_wal_replay_lsn() >= '$p'")" = t ] && return 0
    sleep 0.1
  done
  die "the standby did not catch up"
}
caught_up
if [ "$SPLIT_CPUS" = 1 ]; then
  pin "$work/cluster" 0
  pin "$work/standby" "$others"
  taskset -a -p -c "$others" "$server_pid" >/dev/null
  taskset -a -p -c "$others" $$ >/dev/null # what this script starts from now on
fi

bench_serve MERCHANTD_REPLICA_URL="$sbase/merchantd"
url_b=$served_url
for _ in $(seq 100); do
  curl -sf "$url_b/metrics" | grep -q '^merchantd_replica_lag_seconds' && break
  sleep 0.1
done

# 优惠码 is in no message: the search reads the whole shop's index entries,
# the most expensive search there is.
search_path="/v1/shops/$shop/messages/search?q=%E4%BC%98%E6%83%A0%E7%A0%81"
export_path="/v1/shops/$shop/orders/export.csv"
auth="Authorization: Bearer $token"
echo "replica benchmark: $ORDERS orders, $MESSAGES messages in one shop; $WRITE_CLIENTS pgbench" \
  "writers (synchronous_commit $WRITE_SYNC), $SEARCH_CONNS search + $EXPORT_CONNS export connections; ${DURATION}s x $ROUNDS rounds," \
  "$THREADS HTTP threads, $cores cores$([ "$SPLIT_CPUS" = 1 ] && echo ", primary on CPU 0, the rest on CPU $others")"
rows=$(curl -sf -H "$auth" "$url$export_path" | wc -l)
echo "one export: $rows lines"

writes() {
  PGOPTIONS="-c synchronous_commit=$WRITE_SYNC" pgbench -n -f "$here/chat_insert.sql" -D lo="$lo" -D hi="$hi" -c "$WRITE_CLIENTS" -j 2 \
    -T "$DURATION" -h 127.0.0.1 -p "$pgport" -U postgres merchantd 2>/dev/null \
    | awk '/^tps/ { printf "%.0f\n", $3; exit }'
}

# exports URL: EXPORT_CONNS clients exporting the shop back to back for
# DURATION seconds, the last export cut off at the end; prints the rows
# received a second (an export of the whole shop takes seconds, so
# counting whole requests would say little) and the exports completed.
exports() {
  local end=$(($(date +%s) + DURATION)) i pids=()
  for i in $(seq "$EXPORT_CONNS"); do
    (
      while [ "$(date +%s)" -lt "$end" ]; do
        n=$( (curl -s --max-time $((end - $(date +%s) + 1)) -H "$auth" "$1$export_path" || true) | wc -l)
        echo "$n $([ "$n" -gt "$ORDERS" ] && echo 1 || echo 0)"
      done
    ) >"$work/exp.$i" &
    pids+=($!)
  done
  wait "${pids[@]}"
  cat "$work"/exp.* | awk -v d="$DURATION" '{ rows += $1; done += $2 } END { printf "%.0f %d\n", rows / d, done }'
  rm -f "$work"/exp.*
}

# measure MODE: one DURATION of writes, with the reads through the
# instance MODE names (none, A or B); appends to $work/r_MODE_*.
measure() {
  local mode=$1 target
  writes >"$work/w" &
  local wpid=$!
  if [ "$mode" != none ]; then
    target=$([ "$mode" = A ] && echo "$url" || echo "$url_b")
    wrk_run -t 2 -c "$SEARCH_CONNS" -d "${DURATION}s" -H "$auth" "$target$search_path" >>"$work/r_${mode}_search" &
    local spid=$!
    exports "$target" >>"$work/r_${mode}_export"
    wait "$spid"
  fi
  wait "$wpid"
  cat "$work/w" >>"$work/r_${mode}_writes"
}

for round in $(seq "$ROUNDS"); do
  for mode in none A B; do
    measure "$mode"
  done
  say "round $round done"
done

counter() { curl -sf "$url_b/metrics" | awk -v k="$1" 'index($0, k) == 1 { print $2 }'; }
med() { awk "{ print \$$2 }" "$1" | median; }
printf '\n%-40s %12s %14s %12s %14s %12s\n' "median of $ROUNDS" "writes tps" "search req/s" "search p99" "export rows/s" "exports done"
printf '%-40s %12s %14s %12s %14s %12s\n' "writes alone" "$(med "$work/r_none_writes" 1)" - - - -
for mode in A B; do
  label=$([ "$mode" = A ] && echo "writes + heavy reads on the primary (A)" || echo "writes + heavy reads on the replica (B)")
  printf '%-40s %12s %14s %11sms %14s %12s\n' "$label" "$(med "$work/r_${mode}_writes" 1)" \
    "$(med "$work/r_${mode}_search" 1)" "$(med "$work/r_${mode}_search" 2)" \
    "$(med "$work/r_${mode}_export" 1)" "$(med "$work/r_${mode}_export" 2)"
done
echo
echo "writes with reads on the replica / on the primary: $(ratio "$(med "$work/r_B_writes" 1)" "$(med "$work/r_A_writes" 1)")x" \
  "(writes alone: $(med "$work/r_none_writes" 1) tps)"
echo "each round (writes tps): none $(tr '\n' ' ' <"$work/r_none_writes")| A $(tr '\n' ' ' <"$work/r_A_writes")| B $(tr '\n' ' ' <"$work/r_B_writes")"
echo "B's reads: chat search on the replica $(counter 'merchantd_replica_reads_total{read="chat_search",server="replica"}')," \
  "on the primary $(counter 'merchantd_replica_reads_total{read="chat_search",server="primary"}');" \
  "export batches on the replica $(counter 'merchantd_replica_reads_total{read="orders_export",server="replica"}')," \
  "on the primary $(counter 'merchantd_replica_reads_total{read="orders_export",server="primary"}');" \
  "fallbacks lag $(counter 'merchantd_replica_fallbacks_total{reason="lag"}')," \
  "down $(counter 'merchantd_replica_fallbacks_total{reason="down"}')"
