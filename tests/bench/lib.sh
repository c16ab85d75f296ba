# Shared by the benchmark scripts: a Release build, a private PostgreSQL with
# normal durability, a merchantd on a free port, and the measuring helpers.
# Source it after setting nothing; it defines functions and variables only.
. "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"

CONNS=${CONNS:-64}
DURATION=${DURATION:-5}
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-2}
BENCH_BUILD=${BENCH_BUILD:-$REPO/build-bench}

bench_pids=()
bench_cleanup() {
  for p in "${bench_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pg_stop "$work/cluster"
  rm -rf "$work"
}

# bench_setup: builds, starts PostgreSQL (databases merchantd and pgbench,
# pgbench initialised) and merchantd (bench_serve, with the settings the
# caller exported); sets work, base, pgport, url, server_pid.
bench_setup() {
  install_deps wrk
  build "$BENCH_BUILD" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF
  work=$(mktemp -d /tmp/merchantd-bench.XXXXXX)
  trap bench_cleanup EXIT
  [ "$(id -u)" = 0 ] && chown postgres "$work"
  pgport=$(free_port)
  pg_start "$work/cluster" "$pgport" max_connections=200 shared_buffers=1GB
  base="postgresql://postgres@127.0.0.1:$pgport"
  create_db "$base" merchantd
  create_db "$base" pgbench
  pgbench -i -q -s 10 -h 127.0.0.1 -p "$pgport" -U postgres pgbench >/dev/null 2>&1
  export DATABASE_URL="$base/merchantd"
  "$BENCH_BUILD/merchantd" migrate >/dev/null
  bench_serve
  url=$served_url
  server_pid=$served_pid
}

# bench_serve [VAR=VALUE...]: one more merchantd on the bench's database
# (DATABASE_URL unless a setting names another), THREADS HTTP threads, jobs
# left alone, the given settings on top; sets served_url and served_pid
# once it answers /readyz.
bench_serve() {
  local port
  port=$(free_port)
  env PORT="$port" MERCHANTD_THREADS="$THREADS" MERCHANTD_LOG_LEVEL=info \
    MERCHANTD_JOB_INTERVAL_SECONDS=3600 "$@" "$BENCH_BUILD/merchantd" serve >/dev/null 2>>"$work/server.err" &
  served_pid=$!
  bench_pids+=("$served_pid")
  served_url="http://127.0.0.1:$port"
  for _ in $(seq 100); do curl -sf "$served_url/readyz" >/dev/null && return 0; sleep 0.1; done
  die "merchantd did not become ready: $(tail -5 "$work/server.err")"
}

# bench_fill_shop MERCHANT BUYER N: a shop of account MERCHANT with one
# product and N generated orders of account BUYER (tests/bench/gen_orders.sql);
# sets shop, product, sku and buyer.
bench_fill_shop() {
  local ids
  ids=$(psql "$DATABASE_URL" -Atq -v ON_ERROR_STOP=1 -v merchant="$1" -v buyer="$2" <<'SQL'
INSERT INTO shops (merchant_id, name, created_at, updated_at)
SELECT id, 'bench shop', now(), now() FROM accounts WHERE username = :'merchant';
INSERT INTO products (shop_id, title, status, created_at, updated_at)
SELECT max(id), '赣南脐橙 5斤装', 'on_sale', now(), now() FROM shops;
INSERT INTO skus (product_id, shop_id, spec, price_cents, stock, created_at, updated_at)
SELECT max(id), max(shop_id), '中果', 2990, 1000000, now(), now() FROM products;
SELECT k.shop_id, k.product_id, k.id, b.id FROM skus k, accounts b
 WHERE b.username = :'buyer' ORDER BY k.id DESC LIMIT 1;
SQL
)
  IFS='|' read -r shop product sku buyer <<<"$ids"
  say "generating $3 orders"
  psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 -v shop="$shop" -v buyer="$buyer" -v sku="$sku" \
    -v product="$product" -v n="$3" -f "$REPO/tests/bench/gen_orders.sql" >/dev/null
}

post() { curl -sf -H 'Content-Type: application/json' -d "$2" "$url$1"; }

# account ROLE NAME: registers and logs in; prints the token.
account() {
  post /v1/auth/register "{\"role\":\"$1\",\"username\":\"$2\",\"password\":\"password-123\",\"display_name\":\"$2\"}" >/dev/null
  post /v1/auth/login "{\"username\":\"$2\",\"password\":\"password-123\"}" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}

# wrk_run ARGS...: prints "req/s p99_ms" from wrk's latency report.
wrk_run() {
  wrk --latency "$@" | awk '
    /Requests\/sec/ { rps = $2 }
    /^ +99%/ { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms/, "", v) } else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 }; p99 = v }
    END { printf "%.0f %.2f\n", rps, p99 }'
}

# pgbench_tps: pgbench -S -M prepared over TCP with CONNS clients.
pgbench_tps() {
  pgbench -S -M prepared -c "$CONNS" -j 2 -T "$DURATION" -h 127.0.0.1 -p "$pgport" -U postgres pgbench 2>/dev/null \
    | awk '/^tps/ { printf "%.0f\n", $3; exit }'
}

# This machine is shared and noisy: each figure is the median of ROUNDS
# measurements, and the rounds interleave what is compared.
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
# row LABEL RPS P99 FILE: one line of the result table with every round.
row() { printf '%-50s %10s %9s   %s\n' "$1" "$2" "$3" "$(tr '\n' ',' <"$4" | sed 's/,$//; s/,/ | /g')"; }
header() { printf '\n%-50s %10s %9s   %s\n' "measurement (median of $ROUNDS)" "req/s" "p99 ms" "each round (req/s p99)"; }
