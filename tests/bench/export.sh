#!/usr/bin/env bash
# Measures GET /v1/shops/{id}/orders/export.csv on a shop with ORDERS orders
# (default 1,000,000): rows/s, and merchantd's peak RSS during each export
# against its RSS before it (VmHWM, VmRSS; target: growth under 50 MB), for
# the whole shop (newest first), the to-ship tab (oldest paid first) and
# the Chinese headers; and, for scale, the same rows read by psql with
# COPY, in the same run.
# Not a test: it prints figures and never fails on them.
#
#   ORDERS=200000 tests/bench/export.sh
#   BENCH_BUILD=/tmp/my-build tests/bench/export.sh   (a build directory of your own)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ORDERS=${ORDERS:-1000000}

bench_setup
token=$(account merchant exportshop)
account buyer exportbuyer >/dev/null
bench_fill_shop exportshop exportbuyer "$ORDERS"
# Notes that need quoting and neutralising, on one order in ten.
psql "$DATABASE_URL" -q -c "UPDATE orders SET merchant_note = '=call, \"back\"' WHERE shop_id = $shop AND id % 10 = 0" >/dev/null
psql "$DATABASE_URL" -q -c "VACUUM ANALYZE orders" >/dev/null

hwm() { awk '/VmHWM/ { print $2 }' "/proc/$server_pid/status"; }
rss() { awk '/VmRSS/ { print $2 }' "/proc/$server_pid/status"; }
now() { date +%s.%N; }
# The peak so far includes the argon2id hashes of the logins (64 MiB each):
# "5" in clear_refs resets VmHWM to the current RSS (Linux 4.0 and later),
# so that the peak read after an export is that export's.
reset_hwm() { echo 5 >"/proc/$server_pid/clear_refs" 2>/dev/null || true; }

# measure LABEL QUERY: one export; prints a result line.
measure() {
  local label=$1 query=$2 before start rows secs after
  reset_hwm
  before=$(rss)
  start=$(now)
  rows=$(curl -sf -H "Authorization: Bearer $token" "$url/v1/shops/$shop/orders/export.csv$query" \
    | tail -n +2 | wc -l)
  secs=$(awk -v s="$start" -v e="$(now)" 'BEGIN { printf "%.2f", e - s }')
  after=$(hwm)
  printf '%-34s %8s rows %7ss %7s rows/s   RSS %6s kB, peak %6s kB (growth %s MB)\n' \
    "$label" "$rows" "$secs" "$(awk -v r="$rows" -v s="$secs" 'BEGIN { printf "%.0f", r / s }')" \
    "$before" "$after" "$(awk -v a="$before" -v b="$after" 'BEGIN { printf "%.1f", (b - a) / 1024 }')"
}

# The same rows and columns straight from PostgreSQL, for scale.
copy_start=$(now)
psql "$DATABASE_URL" -Atq -c "COPY (SELECT o.order_sn, o.created_at, o.paid_at, o.shipped_at, o.status,
  o.buyer_name, (SELECT string_agg(i.title || ' ' || i.spec || ' x' || i.quantity, '; ')
  FROM order_items i WHERE i.order_id = o.id), o.items_cents, o.total_cents, o.refunded_cents,
  o.carrier, o.tracking_no, concat_ws(' ', o.addr_province, o.addr_city, o.addr_district,
  o.addr_detail), o.addr_name, o.addr_phone, o.merchant_note FROM orders o WHERE o.shop_id = $shop
  ORDER BY o.created_at DESC, o.id DESC) TO STDOUT WITH (FORMAT csv)" | wc -l >/dev/null
copy_secs=$(awk -v s="$copy_start" -v e="$(now)" 'BEGIN { printf "%.2f", e - s }')

echo "CSV export benchmark: $ORDERS orders in one shop, $THREADS HTTP threads, $(nproc) cores"
measure "whole shop (newest first)" ""
measure "to_ship tab (oldest paid first)" "?status=to_ship"
measure "whole shop, zh-CN headers" "?lang=zh-CN"
echo "psql COPY of the same columns (ceiling): ${copy_secs}s = $(awk -v r="$ORDERS" -v s="$copy_secs" 'BEGIN { printf "%.0f", r / s }') rows/s"
echo "target: peak RSS growth under 50 MB for each export"
