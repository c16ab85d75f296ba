#!/usr/bin/env bash
# Data benchmark (issue 15), in one run, on one shop with DATA_ORDERS
# (1,000,000) paid orders and DATA_VIEWS (10,000,000) page views over
# DATA_DAYS (90) days, generated in bulk (gen_data.sql, gen_views.sql) and
# folded into the rollups by `merchantd stats rebuild`:
#   1. GET /v1/shops/{id}/stats/overview p50 and p99 (target p50 < 5 ms)
#      beside the same figures computed from the raw rows
#      (data_raw.sql: today, yesterday and last week at the same time)
#      with pgbench -f; ratio raw p50 / endpoint p50 (target >= 100);
#   2. GET .../stats/daily over the DATA_DAYS days beside data_raw.sql
#      computing the same per-day figures; ratio (target >= 100);
#   3. POST /v1/events/views from CLIENTS (16) connections in batches of
#      100 new views, views stored per second, beside pgbench inserting the
#      same rows 100 to a transaction (data_views_pgbench.sql), its client
#      count swept over 8, 16, 32, 64 and the best taken (target >= 0.5),
#      the rollup worker stopped for both;
#   4. orders placed and paid per second (data_place.lua, ORDER_CONNS (16)
#      connections) with the rollup worker (the job fold_stats) running
#      (every 2 s, the default) and stopped (MERCHANTD_STATS_FOLD_SECONDS=0);
#      target within 10 %.
# Before 1 and 2, the endpoints' figures are compared with the raw SQL's.
# Latencies are measured with one client on each side (wrk -c1, pgbench
# -c1): a raw query only gets slower with more clients on two cores. Each
# figure is the median of ROUNDS interleaved rounds.
# A part whose route, command or setting this build lacks says so and is
# skipped. Not a test: it prints figures, targets and PASS/MISS, and ends
# with a summary block; it never fails on them.
#
#   DATA_ORDERS=20000 DATA_VIEWS=200000 tests/bench/data.sh     (quick)
#   DATA_PARTS="overview daily" tests/bench/data.sh             (some parts)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
DATA_ORDERS=${DATA_ORDERS:-1000000}
DATA_VIEWS=${DATA_VIEWS:-10000000}
DATA_DAYS=${DATA_DAYS:-90}
DATA_BUYERS=${DATA_BUYERS:-$(( DATA_ORDERS / 5 > 2000 ? DATA_ORDERS / 5 : 2000 ))}
DATA_WRITERS=${DATA_WRITERS:-$(( DATA_BUYERS / 10 ))}
DATA_ROUNDS=${DATA_ROUNDS:-$(( DATA_ORDERS / 4 ))}
DATA_PRODUCTS=${DATA_PRODUCTS:-50}
DATA_JOBS=${DATA_JOBS:-$(nproc)}
DATA_PARTS=${DATA_PARTS:-overview daily views orders}
CLIENTS=${CLIENTS:-16}
ORDER_CONNS=${ORDER_CONNS:-16}
PLACE_BUYERS=${PLACE_BUYERS:-1000}
TZ_NAME=${MERCHANTD_TZ:-Asia/Shanghai}
here="$REPO/tests/bench"

bench_setup
# A bulk load of a few GB: fewer checkpoints while it runs. Durability as
# before; the measurements after it run with the same setting.
psql "$base/postgres" -qc "ALTER SYSTEM SET max_wal_size = '8GB'" -c "SELECT pg_reload_conf()" >/dev/null

has_route() { "$BENCH_BUILD/merchantd" routes | grep -qF "\"method\":\"$1\",\"pattern\":\"$2\""; }
has_cli() { "$BENCH_BUILD/merchantd" --help | grep -qF "$1"; }
has_fold_setting() { grep -qaF MERCHANTD_STATS_FOLD_SECONDS "$BENCH_BUILD/merchantd"; }
part() { [[ " $DATA_PARTS " == *" $1 "* ]]; }

# serve on|off: (re)starts merchantd with the rollup worker running (its
# default cadence) or stopped. The other jobs as in every benchmark.
serve() {
  if [ -n "${server_pid:-}" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  local fold=()
  [ "$1" = off ] && fold=(MERCHANTD_STATS_FOLD_SECONDS=0)
  bench_serve MERCHANTD_LOG_LEVEL=warn MERCHANTD_TZ="$TZ_NAME" "${fold[@]}"
  url=$served_url
  server_pid=$served_pid
}
secs_since() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }'; }
sql() { psql "$DATABASE_URL" -Atq -v ON_ERROR_STOP=1 "$@"; }

# Results: "label|value|target|verdict" lines, printed as they come and
# again in the summary.
: >"$work/summary"
result() { # LABEL VALUE TARGET VERDICT
  printf '%-62s %12s   %-14s %s\n' "$1" "$2" "$3" "$4"
  printf '%s|%s|%s|%s\n' "$1" "$2" "$3" "$4" >>"$work/summary"
}
verdict() { # VALUE OP LIMIT: PASS or MISS (n/a: MISS)
  awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
    if (v == "n/a" || v == "") { print "MISS"; exit }
    ok = (op == "<") ? v < l : (op == "<=") ? v <= l : (op == ">=") ? v >= l : v > l
    print ok ? "PASS" : "MISS" }'
}
skip() { printf '%-62s %12s   %-14s %s\n' "$1" "-" "$2" "SKIP ($3)"; printf '%s|-|%s|SKIP (%s)\n' "$1" "$2" "$3" >>"$work/summary"; }

# ---------------------------------------------------------------- the data
# Stopped while the bulk load runs, if this build can stop it; the rollups
# are built afterwards by stats rebuild.
serve off
mtoken=$(account merchant datashop)
account buyer datatemplate >/dev/null
read -r merchant template <<<"$(sql -F' ' -c "SELECT (SELECT id FROM accounts WHERE username = 'datashop'),
  (SELECT id FROM accounts WHERE username = 'datatemplate')")"
shop=$(sql -c "INSERT INTO shops (merchant_id, name, created_at, updated_at)
  VALUES ($merchant, '数据测试店', now(), now()) RETURNING id")

say "generating $DATA_ORDERS orders, $DATA_ROUNDS chat rounds, $DATA_BUYERS buyers over $DATA_DAYS days"
start=$(date +%s.%N)
psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 -v shop="$shop" -v merchant="$merchant" -v template="$template" \
  -v tz="$TZ_NAME" -v days="$DATA_DAYS" -v buyers="$DATA_BUYERS" -v products="$DATA_PRODUCTS" \
  -v writers="$DATA_WRITERS" -v orders="$DATA_ORDERS" -v rounds="$DATA_ROUNDS" \
  -f "$here/gen_data.sql" >/dev/null
gen_rows_secs=$(secs_since "$start")
say "generating $DATA_VIEWS page views ($DATA_JOBS at once)"
start=$(date +%s.%N)
per=$(( (DATA_VIEWS + DATA_JOBS - 1) / DATA_JOBS ))
gen_pids=()
for j in $(seq 0 $(( DATA_JOBS - 1 ))); do
  lo=$(( j * per + 1 )); hi=$(( (j + 1) * per < DATA_VIEWS ? (j + 1) * per : DATA_VIEWS ))
  psql "$DATABASE_URL" -q -v n="$DATA_VIEWS" -v lo="$lo" -v hi="$hi" -f "$here/gen_views.sql" >/dev/null &
  gen_pids+=($!)
done
for p in "${gen_pids[@]}"; do wait "$p" || die "generating views failed"; done
gen_views_secs=$(secs_since "$start")
start=$(date +%s.%N)
psql "$DATABASE_URL" -qc "VACUUM ANALYZE" >/dev/null
vacuum_secs=$(secs_since "$start")
read -r buyer0 product0 <<<"$(sql -F' ' -c "SELECT buyer0, product0 FROM bench_data")"
read -r sku0 sku1 <<<"$(sql -F' ' -c "SELECT min(id), max(id) FROM skus WHERE shop_id = $shop")"
db_size=$(sql -c "SELECT pg_size_pretty(pg_database_size(current_database()))")

rebuild="not run"
if has_cli "stats rebuild"; then
  # The rows were loaded in bulk behind the worker's back, as a restore
  # would: the rollups start afresh, the way a first fold does (a
  # rebuild a day per transaction), rather than as one fold of all of them.
  sql -c "UPDATE stats_fold_state SET folded_to = NULL, rebuild_shop = NULL, rebuild_next = NULL,
    rebuild_last = NULL" >/dev/null
  say "building the rollups: merchantd stats rebuild --shop $shop"
  start=$(date +%s.%N)
  "$BENCH_BUILD/merchantd" stats rebuild --shop "$shop" >"$work/rebuild.out" 2>&1 \
    || die "stats rebuild failed: $(tail -5 "$work/rebuild.out")"
  rebuild="$(secs_since "$start")s"
  rollups=true
else
  say "this build has no 'merchantd stats rebuild': no rollups, the stats endpoints are skipped"
  rollups=false
fi
serve on

echo
echo "data benchmark: shop $shop, $DATA_ORDERS paid orders, $DATA_VIEWS views, $DATA_ROUNDS chat rounds," \
  "$DATA_DAYS days ($TZ_NAME); ${DURATION}s x $ROUNDS rounds, $THREADS HTTP threads, $(nproc) cores"
echo "generated in ${gen_rows_secs}s (orders, refunds, claims, chat) + ${gen_views_secs}s (views," \
  "$DATA_JOBS jobs) + ${vacuum_secs}s (VACUUM ANALYZE); database $db_size; stats rebuild $rebuild"
echo

# ----------------------------------------------------------- measurements
# lat_http PATH: "p50_ms p99_ms req/s" of GET PATH from one connection.
ms() { awk '{ v = $1; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms/, "", v) }
              else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 }; printf "%.3f\n", v }'; }
lat_http() {
  local out
  out=$(wrk --latency -t1 -c1 -d"${DURATION}s" -H "Authorization: Bearer $mtoken" "$url$1")
  grep -q 'Non-2xx' <<<"$out" && { echo "GET $1 answered non-2xx: $(curl -s -H "Authorization: Bearer $mtoken" "$url$1" | head -c 300)" >&2; }
  printf '%s %s %s\n' "$(awk '/^ +50%/ { print $2 }' <<<"$out" | ms)" "$(awk '/^ +99%/ { print $2 }' <<<"$out" | ms)" \
    "$(awk '/Requests\/sec/ { printf "%.0f", $2 }' <<<"$out")"
}
# lat_sql FILE: "p50_ms p99_ms tps" of pgbench -f FILE with one client.
lat_sql() {
  rm -f "$work"/pglog.*
  pgbench -n -c1 -j1 -T "$DURATION" -l --log-prefix="$work/pglog" -f "$1" \
    -h 127.0.0.1 -p "$pgport" -U postgres merchantd >"$work/pgbench.out" 2>&1 \
    || die "pgbench -f $1 failed: $(tail -5 "$work/pgbench.out")"
  cat "$work"/pglog.* | awk '{ print $3 / 1000 }' | sort -n | awk '
    { v[NR] = $1 } END { p50 = v[int((NR + 1) / 2)]; i = int(NR * 0.99 + 0.5); if (i < 1) i = 1; if (i > NR) i = NR
                         printf "%.3f %.3f %d\n", p50, v[i], NR }'
}
med() { cut -d' ' -f"$2" "$work/r_$1" | median; }
each() { cut -d' ' -f"$2" "$work/r_$1" | tr '\n' ' '; }
raw_sql() { # DAYS_AGO SAME_TIME OUT: data_raw.sql for this shop
  sed -e "s/@SHOP@/$shop/g" -e "s|@TZ@|$TZ_NAME|g" -e "s/@DAYS_AGO@/$1/g" -e "s/@SAME_TIME@/$2/g" \
    "$here/data_raw.sql" >"$3"
}

# ---------------------------------------------------- overview and daily
# stats_part NAME LABEL ROUTE PATH DAYS_AGO SAME_TIME: the endpoint beside
# data_raw.sql over the same windows; the raw side alone when this build
# cannot serve the endpoint yet.
stats_part() {
  local name=$1 label=$2 route=$3 path=$4 why=""
  raw_sql "$5" "$6" "$work/raw_$name.sql"
  has_route GET "$route" || why="no GET $route in this build"
  [ -z "$why" ] && [ "$rollups" != true ] && why="no stats rebuild in this build"
  [ -z "$why" ] && agree "$name" "$label" "$path"
  : >"$work/r_$name"; : >"$work/r_${name}raw"
  for round in $(seq "$ROUNDS"); do
    [ -z "$why" ] && lat_http "$path" >>"$work/r_$name"
    lat_sql "$work/raw_$name.sql" >>"$work/r_${name}raw"
  done
  printf '%-62s %12s   %s\n' "$label, one client (median of $ROUNDS)" "p50 / p99 ms" "each round's p50"
  [ -z "$why" ] && printf '%-62s %12s   %s\n' "  GET ${path%%\?*}" "$(med "$name" 1) / $(med "$name" 2)" "$(each "$name" 1)"
  printf '%-62s %12s   %s\n' "  raw SQL over the same windows (pgbench -f)" "$(med "${name}raw" 1) / $(med "${name}raw" 2)" "$(each "${name}raw" 1)"
  result "$label: raw SQL p50 ms" "$(med "${name}raw" 1)" "-" "-"
  if [ -n "$why" ]; then
    skip "$label: endpoint p50 ms, ratio raw / endpoint" ">= 100" "$why"
    return 0
  fi
  if [ "$name" = overview ]; then
    result "$label: endpoint p50 ms" "$(med "$name" 1)" "< 5" "$(verdict "$(med "$name" 1)" '<' 5)"
  else
    result "$label: endpoint p50 ms" "$(med "$name" 1)" "-" "-"
  fi
  result "$label: endpoint p99 ms" "$(med "$name" 2)" "-" "-"
  local r
  r=$(ratio "$(med "${name}raw" 1)" "$(med "$name" 1)")
  result "$label: ratio raw SQL p50 / endpoint p50" "$r" ">= 100" "$(verdict "$r" '>=' 100)"
}
# agree NAME LABEL PATH: the endpoint's figures beside the raw SQL's, metric
# by metric and period by period (counts and money exactly; rates and mean
# seconds, rounded to four decimals, within 0.0001).
agree() {
  curl -sf -H "Authorization: Bearer $mtoken" "$url$3" >"$work/api_$1.json" || { echo "GET $3 failed" >&2; return 0; }
  # The overview's periods end at its `until` (as_of to the minute, which
  # may trail the clock by the seconds since the last fold): the raw SQL's
  # cut is set to the same minute.
  local cut="date_trunc('minute', now())"
  if [ "$1" = overview ]; then
    cut="(timestamp '$(python3 -c 'import json, sys; a = json.load(open(sys.argv[1])); print(a["date"], a["until"])' \
      "$work/api_$1.json")' AT TIME ZONE '$TZ_NAME')"
  fi
  { echo "SELECT json_agg(x ORDER BY days_ago) FROM ("
    grep -v '^--' "$work/raw_$1.sql" | sed -e 's/;$//' -e "s|date_trunc('minute', now())|$cut|"
    echo ") x;"; } | psql "$DATABASE_URL" -Atq -v ON_ERROR_STOP=1 >"$work/sql_$1.json"
  local out
  out=$(python3 - "$work/api_$1.json" "$work/sql_$1.json" <<'PY'
import json, sys
api, raw = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
if "days" in api:
    got = {d["date"]: d for d in api["days"]}
    pairs = [(r["date"], got.get(r["date"], {}), r) for r in raw]
else:
    periods = {0: "today", 1: "yesterday", 7: "last_week"}
    pairs = [(periods[r["days_ago"]], api[periods[r["days_ago"]]], r) for r in raw]
    pairs.append(("refund_rate_30d", {"refund_rate_30d": api["refund_rate_30d"]},
                  {"refund_rate_30d": raw[0]["refund_rate_30d"]}))
n, bad = 0, []
for period, a, r in pairs:
    for metric in (a.keys() if period == "refund_rate_30d" else [k for k in r if k not in ("days_ago", "date", "refund_rate_30d")]):
        n += 1
        x, y = a.get(metric, "missing"), r[metric]
        same = x == y or (isinstance(x, (int, float)) and isinstance(y, (int, float))
                          and abs(x - y) <= 0.0001 + 1e-9)
        if not same:
            bad.append(f"{period} {metric}: endpoint {x}, raw {y}")
print(f"{n - len(bad)} {n}")
for b in bad[:8]:
    print("  " + b)
if len(bad) > 8:
    print(f"  ... and {len(bad) - 8} more")
PY
)
  read -r same total <<<"$(head -1 <<<"$out")"
  result "$2: figures equal to the raw SQL's" "$same/$total" "all" "$([ "$same" = "$total" ] && echo PASS || echo MISS)"
  tail -n +2 <<<"$out"
}
if part overview; then
  stats_part overview "overview (today, yesterday, last week)" "/v1/shops/{id}/stats/overview" \
    "/v1/shops/$shop/stats/overview" '{0,1,7}' true
fi
if part daily; then
  to=$(TZ=$TZ_NAME date +%F)
  from=$(TZ=$TZ_NAME date -d "$to -$(( DATA_DAYS - 1 )) days" +%F)
  stats_part daily "daily series, $DATA_DAYS days" "/v1/shops/{id}/stats/daily" \
    "/v1/shops/$shop/stats/daily?from=$from&to=$to" "{$(seq -s, 0 $(( DATA_DAYS - 1 )))}" false
fi
echo

# ------------------------------------------------------------ views ingest
# The worker is stopped for both sides (its cost is part 4's), and the
# views both sides stored are deleted afterwards, before it runs again:
# folding millions of them would weigh on what follows.
if part views; then
  http=true
  has_route POST "/v1/events/views" || http=false
  serve off
  stored() { sql -c "SELECT count(*) FROM page_views WHERE shop_id = $shop
    AND minute >= date_trunc('minute', now()) - interval '10 minutes' AND visitor LIKE 'v:wrk%'"; }
  views_run() { # "stored/s non2xx" over one wrk run
    local before after out
    before=$(stored)
    out=$(SHOP=$shop P0=$product0 P1=$(( product0 + DATA_PRODUCTS - 1 )) BATCH=100 \
      wrk -t2 -c"$CLIENTS" -d"${DURATION}s" -s "$here/data_views.lua" "$url")
    after=$(stored)
    awk -v n="$(( after - before ))" -v d="$DURATION" -v bad="$(awk '/^non2xx/ { print $2 }' <<<"$out")" \
      'BEGIN { printf "%.0f %d\n", n / d, bad }'
  }
  pg_views() { # CLIENTS: rows inserted per second
    pgbench -n -M prepared -c "$1" -j 2 -T "$DURATION" -D shop="$shop" -D p0="$product0" -D np="$DATA_PRODUCTS" \
      -f "$here/data_views_pgbench.sql" -h 127.0.0.1 -p "$pgport" -U postgres merchantd >"$work/pgv.out" 2>&1 \
      || die "pgbench -f data_views_pgbench.sql failed: $(grep -m3 error "$work/pgv.out")"
    awk '/^tps/ { printf "%.0f\n", $3 * 100; exit }' "$work/pgv.out"
  }
  : >"$work/r_vhttp"; for c in 8 16 32 64; do : >"$work/r_vpg$c"; done
  for round in $(seq "$ROUNDS"); do
    [ "$http" = true ] && views_run >>"$work/r_vhttp"
    for c in 8 16 32 64; do pg_views "$c" >>"$work/r_vpg$c"; done
  done
  best=0; best_c=0
  for c in 8 16 32 64; do
    v=$(med "vpg$c" 1); if awk -v a="$v" -v b="$best" 'BEGIN { exit !(a > b) }'; then best=$v; best_c=$c; fi
  done
  printf '%-62s %12s   %s\n' "views stored/s (median of $ROUNDS)" "views/s" "each round"
  if [ "$http" = true ]; then
    printf '%-62s %12s   %s\n' "  POST /v1/events/views, $CLIENTS conns, 100 a request" "$(med vhttp 1)" \
      "$(each vhttp 1)(non-2xx in all: $(awk '{ n += $2 } END { print n + 0 }' "$work/r_vhttp"))"
  fi
  for c in 8 16 32 64; do
    printf '%-62s %12s   %s\n' "  pgbench INSERT of 100 views a transaction, $c clients" "$(med "vpg$c" 1)" "$(each "vpg$c" 1)"
  done
  result "views ingest: pgbench best ($best_c clients), views/s" "$best" "-" "-"
  if [ "$http" = true ]; then
    result "views ingest: POST /v1/events/views, views/s" "$(med vhttp 1)" "-" "-"
    r=$(ratio "$(med vhttp 1)" "$best")
    result "views ingest: ratio HTTP / pgbench best" "$r" ">= 0.5" "$(verdict "$r" '>=' 0.5)"
  else
    skip "views ingest: ratio HTTP / pgbench best" ">= 0.5" "no POST /v1/events/views in this build"
  fi
  ingested=$(sql -c "WITH gone AS (DELETE FROM page_views WHERE shop_id = $shop
    AND minute >= (SELECT t1 FROM bench_data) - interval '1 minute'
    AND (visitor LIKE 'v:wrk%' OR visitor LIKE 'v:p%') RETURNING 1) SELECT count(*) FROM gone")
  echo "(the $ingested views stored by this part deleted again, unfolded)"
  serve on
  echo
fi

# ------------------------------------------------- orders with the worker
if part orders; then
  say "making $PLACE_BUYERS buyers' sessions"
  sql -F' ' -c "SELECT id, id FROM accounts WHERE username LIKE 'databuyer%' ORDER BY id LIMIT $PLACE_BUYERS" \
    | python3 "$here/chat_client.py" sessions "$work/tokens" | psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 >/dev/null
  place_run() { # "paid/s placed/s non2xx" with ORDER_CONNS connections
    SHOP=$shop SKU0=$sku0 SKU1=$sku1 TOKENS="$work/tokens" \
      wrk -t2 -c"$ORDER_CONNS" -d"${DURATION}s" -s "$here/data_place.lua" "$url" | awk '
        /^placed/ { p = $2 } /^paid/ { d = $2 } /^non2xx/ { n = $2 } END { printf "%.0f %.0f %d\n", d, p, n }'
  }
  fold_note=""
  has_fold_setting || fold_note="(MERCHANTD_STATS_FOLD_SECONDS is not in this build: the worker cannot be stopped)"
  : >"$work/r_pon"; : >"$work/r_poff"
  for round in $(seq "$ROUNDS"); do
    if has_fold_setting; then serve off; sleep 2; place_run >>"$work/r_poff"; fi
    serve on; sleep 2; place_run >>"$work/r_pon"
  done
  printf '%-62s %12s   %s\n' "orders placed and paid/s, worker running, $ORDER_CONNS conns" "$(med pon 1)" \
    "$(each pon 1)(placed/s $(med pon 2); non-2xx $(awk '{ n += $3 } END { print n + 0 }' "$work/r_pon"))"
  result "order placement (placed + paid)/s, worker running" "$(med pon 1)" "-" "-"
  if has_fold_setting; then
    printf '%-62s %12s   %s\n' "orders placed and paid/s, worker stopped, $ORDER_CONNS conns" "$(med poff 1)" \
      "$(each poff 1)(placed/s $(med poff 2); non-2xx $(awk '{ n += $3 } END { print n + 0 }' "$work/r_poff"))"
    result "order placement (placed + paid)/s, worker stopped" "$(med poff 1)" "-" "-"
    r=$(ratio "$(med pon 1)" "$(med poff 1)")
    result "order placement ratio running / stopped" "$r" ">= 0.90" "$(verdict "$r" '>=' 0.9)"
  else
    skip "order placement ratio running / stopped" ">= 0.90" "no MERCHANTD_STATS_FOLD_SECONDS in this build"
  fi
  echo "$fold_note"
fi

# ----------------------------------------------------------------- summary
echo
echo "---- summary: data benchmark ($DATA_ORDERS orders, $DATA_VIEWS views, $DATA_DAYS days; $(date -u +%FT%TZ)) ----"
awk -F'|' '{ printf "%-62s %12s   %-14s %s\n", $1, $2, $3, $4 }' "$work/summary"
echo "generation ${gen_rows_secs}s + ${gen_views_secs}s views + ${vacuum_secs}s vacuum; stats rebuild $rebuild; database $db_size"
echo "---- end of summary ----"
