#!/usr/bin/env bash
# Benchmark of three merchantd instances behind nginx (docker/nginx/merchantd.conf,
# rendered as scripts/cluster.sh renders it) against one instance direct,
# measured in the same run on the same database:
#   - GET /v1/me and GET /v1/shops/{id}/orders/{id} (a random order of ORDERS,
#     default 100,000) through nginx with three instances / one instance
#     direct (target >= 0.8: nginx must not cost more than a fifth here);
#   - how much of the machine nginx used: its workers' CPU seconds over the
#     runs through it against their wall time (1.00 = one core all along).
# The ceiling is the one instance answering wrk directly. On one machine the
# three instances share its cores with nginx, wrk and PostgreSQL: more
# instances add no CPU, so the ratio measures what the extra hop costs.
# Then, in the same run, its second half: tests/bench/replica.sh (chat
# search and the CSV export with and without a streaming replica while a
# write load runs on the primary; REPLICA=0 leaves it out).
# Not a test: it prints figures and ratios, and never fails on them.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ORDERS=${ORDERS:-100000}
INSTANCES=${INSTANCES:-3}
NGINX_WORKERS=${NGINX_WORKERS:-1}
# HTTP threads of each instance behind nginx (the direct one has THREADS):
# three instances sharing this machine's cores get one each, as an operator
# would size them (MERCHANTD_THREADS defaults to the cores, for one instance
# per machine); with THREADS each, six threads and their PostgreSQL
# backends contend for two cores.
CLUSTER_THREADS=${CLUSTER_THREADS:-1}
install_deps nginx
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}

bench_setup
token=$(account merchant benchshop)
account buyer benchbuyer >/dev/null
bench_fill_shop benchshop benchbuyer "$ORDERS"
read -r lo hi <<<"$(psql "$DATABASE_URL" -Atq -F' ' -c "SELECT min(id), max(id) FROM orders WHERE shop_id = $shop")"

# INSTANCES more instances on the same database, trusting nginx (127.0.0.1);
# the one bench_setup started is the one measured direct, and idles while
# the others are measured.
upstreams=()
for i in $(seq "$INSTANCES"); do
  bench_serve MERCHANTD_THREADS="$CLUSTER_THREADS" MERCHANTD_LOG_LEVEL=warn MERCHANTD_TRUSTED_PROXIES=127.0.0.1
  upstreams+=("${served_url#http://}")
done

# nginx with the shipped configuration; no access log (a log line per
# request is a cost an operator chooses, not the proxy's).
ngport=$(free_port)
NGINX_WORKERS=$NGINX_WORKERS NGINX_ACCESS_LOG=0 \
  python3 "$REPO/docker/nginx/render.py" "$work/nginx" "127.0.0.1:$ngport" "${upstreams[@]}"
"$NGINX" -p "$work/nginx" -c nginx.conf 2>"$work/nginx.err" &
ngpid=$!
bench_pids+=("$ngpid")
front="http://127.0.0.1:$ngport"
for _ in $(seq 100); do curl -sf "$front/readyz" >/dev/null && break; sleep 0.1; done
curl -sf "$front/readyz" >/dev/null || die "nginx did not come up: $(cat "$work/nginx.err")"

# CPU seconds (user + system) of nginx's workers so far.
nginx_cpu() {
  local tck total=0 p
  tck=$(getconf CLK_TCK)
  for p in $(pgrep -P "$ngpid"); do
    total=$((total + $(awk '{ print $14 + $15 }' "/proc/$p/stat")))
  done
  awk -v t="$total" -v h="$tck" 'BEGIN { printf "%.2f", t / h }'
}

auth="Authorization: Bearer $token"
echo "cluster benchmark: $INSTANCES instances behind nginx ($NGINX_WORKERS worker) vs one direct;" \
  "$ORDERS orders, $CONNS connections, ${DURATION}s x $ROUNDS rounds, $THREADS HTTP threads direct," \
  "$CLUSTER_THREADS each behind nginx, $(nproc) cores"
for f in me_direct me_nginx detail_direct detail_nginx; do : >"$work/r_$f"; done
ng_cpu=0 ng_wall=0
through_nginx() {
  local c0 t0 c1 t1
  c0=$(nginx_cpu) t0=$(date +%s.%N)
  "$@"
  c1=$(nginx_cpu) t1=$(date +%s.%N)
  ng_cpu=$(awk -v a="$ng_cpu" -v b="$c0" -v c="$c1" 'BEGIN { printf "%.2f", a + c - b }')
  ng_wall=$(awk -v a="$ng_wall" -v b="$t0" -v c="$t1" 'BEGIN { printf "%.2f", a + c - b }')
}
# A random order of the shop's, through the given base URL.
detail() {
  SHOP=$shop LO=$lo HI=$hi wrk_run -t2 -c"$CONNS" -d"${DURATION}s" -H "$auth" \
    -s "$REPO/tests/bench/random_order.lua" "$1"
}
for round in $(seq "$ROUNDS"); do
  wrk_run -t2 -c"$CONNS" -d"${DURATION}s" -H "$auth" "$url/v1/me" >>"$work/r_me_direct"
  through_nginx wrk_run -t2 -c"$CONNS" -d"${DURATION}s" -H "$auth" "$front/v1/me" >>"$work/r_me_nginx"
  detail "$url" >>"$work/r_detail_direct"
  through_nginx detail "$front" >>"$work/r_detail_nginx"
done

med() { cut -d' ' -f"$2" "$work/r_$1" | median; }
header
row "GET /v1/me, one instance direct (ceiling)" "$(med me_direct 1)" "$(med me_direct 2)" "$work/r_me_direct"
row "GET /v1/me, nginx + $INSTANCES instances" "$(med me_nginx 1)" "$(med me_nginx 2)" "$work/r_me_nginx"
row "order detail, one instance direct (ceiling)" "$(med detail_direct 1)" "$(med detail_direct 2)" "$work/r_detail_direct"
row "order detail, nginx + $INSTANCES instances" "$(med detail_nginx 1)" "$(med detail_nginx 2)" "$work/r_detail_nginx"
echo
echo "ratio GET /v1/me nginx / direct:       $(ratio "$(med me_nginx 1)" "$(med me_direct 1)")   (target >= 0.8)"
echo "ratio order detail nginx / direct:     $(ratio "$(med detail_nginx 1)" "$(med detail_direct 1)")   (target >= 0.8)"
echo "nginx workers: ${ng_cpu} CPU s over ${ng_wall} s of runs through it =" \
  "$(ratio "$ng_cpu" "$ng_wall") of one core ($(awk -v c="$ng_cpu" -v w="$ng_wall" -v n="$(nproc)" \
  'BEGIN { printf "%.0f", 100 * c / w / n }')% of the machine's $(nproc) cores)"

if [ "${REPLICA:-1}" = 1 ]; then
  # Everything of the first half stops first: the second starts its own
  # primary and standby on the same cores.
  bench_cleanup
  trap - EXIT
  echo
  bash "$REPO/tests/bench/replica.sh"
fi
