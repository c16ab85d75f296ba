#!/usr/bin/env bash
# Benchmark of the merchant's order routes on a shop with ORDERS orders
# (default 1,000,000), against ceilings measured in the same run:
#   - GET /v1/shops/{id}/orders/{id} req/s beside pgbench -S -M prepared
#   - the order list's first page beside a page 50,000 rows deep
#   - the CSV export of the whole shop: rows/s and merchantd's peak RSS growth
# Not a test: it prints figures and ratios, and never fails on them.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ORDERS=${ORDERS:-1000000}
DEEP=${DEEP:-50000}

bench_setup
token=$(account merchant benchshop)
account buyer benchbuyer >/dev/null
bench_fill_shop benchshop benchbuyer "$ORDERS"
read -r lo hi <<<"$(psql "$DATABASE_URL" -Atq -F' ' -c "SELECT min(id), max(id) FROM orders WHERE shop_id = $shop")"

# The cursor of the page DEEP rows into the default (newest first) list.
list="/v1/shops/$shop/orders?limit=20"
deep=$(python3 - "$url" "$list" "$token" "$DEEP" <<'PY'
import json, sys, urllib.parse, urllib.request
url, path, token, deep = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
base = path.replace("limit=20", "limit=100")
cursor, seen = None, 0
while seen < deep:
    p = base + ("&cursor=" + urllib.parse.quote(cursor) if cursor else "")
    req = urllib.request.Request(url + p, headers={"Authorization": "Bearer " + token})
    page = json.load(urllib.request.urlopen(req))
    seen += len(page["items"])
    cursor = page["next_cursor"]
print(path + "&cursor=" + urllib.parse.quote(cursor))
PY
)

auth="Authorization: Bearer $token"
echo "order benchmark: $ORDERS orders in one shop, $CONNS connections, ${DURATION}s x $ROUNDS rounds, $THREADS HTTP threads, $(nproc) cores"
for f in detail pg first deep; do : >"$work/r_$f"; done
for round in $(seq "$ROUNDS"); do
  SHOP=$shop LO=$lo HI=$hi wrk_run -t2 -c"$CONNS" -d"${DURATION}s" -H "$auth" \
    -s "$REPO/tests/bench/random_order.lua" "$url" >>"$work/r_detail"
  pgbench_tps >>"$work/r_pg"
  wrk_run -t2 -c"$CONNS" -d"${DURATION}s" -H "$auth" "$url$list" >>"$work/r_first"
  wrk_run -t2 -c"$CONNS" -d"${DURATION}s" -H "$auth" "$url$deep" >>"$work/r_deep"
done

# The export: time it, and read merchantd's peak RSS before and after. The
# peak is reset first: logins hash with 64 MiB each, which would hide growth.
hwm() { awk '/VmHWM/ { print $2 }' "/proc/$server_pid/status"; }
echo 5 >"/proc/$server_pid/clear_refs"
rss_before=$(hwm)
start=$(date +%s.%N)
rows=$(curl -sf -H "$auth" "$url/v1/shops/$shop/orders/export.csv" | tail -n +2 | wc -l)
secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
rss_after=$(hwm)

med() { cut -d' ' -f"$2" "$work/r_$1" | median; }
header
row "GET /v1/shops/{id}/orders/{id} (random order)" "$(med detail 1)" "$(med detail 2)" "$work/r_detail"
row "pgbench -S -M prepared, TCP (ceiling)" "$(median <"$work/r_pg")" "-" "$work/r_pg"
row "order list, first page (20 rows)" "$(med first 1)" "$(med first 2)" "$work/r_first"
row "order list, page $DEEP rows deep (20 rows)" "$(med deep 1)" "$(med deep 2)" "$work/r_deep"
echo
echo "ratio order detail / pgbench tps:      $(ratio "$(med detail 1)" "$(median <"$work/r_pg")")   (target >= 0.4)"
echo "ratio deep page / first page, p99:     $(ratio "$(med deep 2)" "$(med first 2)")   (target <= 1.5)"
echo "ratio first page / deep page, req/s:   $(ratio "$(med first 1)" "$(med deep 1)")   (target <= 1.5)"
echo "CSV export: $rows rows in ${secs}s = $(awk -v r="$rows" -v s="$secs" 'BEGIN { printf "%.0f", r / s }') rows/s;" \
  "peak RSS ${rss_before} kB -> ${rss_after} kB (growth $(( (rss_after - rss_before) / 1024 )) MB, target < 50 MB)"
