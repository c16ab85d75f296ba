#!/usr/bin/env bash
# Simulation of the sharding plan (docs/scaling.md): one workload against one
# database, and against two databases split by shop_id, in the same run.
#   single   one merchantd on database "single" holding every shop
#   sharded  two merchantd, each on its own database ("shard0", "shard1");
#            shop s lives on shard s % 2
# The routing is the load client's (tests/bench/sharding_client.mjs), not
# merchantd's: it sends a shop's request to the shop's shard, and the
# buyer's order list (the buyer's orders in every shop) to both shards,
# merging the pages by their keyset. Accounts and sessions are on every
# database (the plan's reference table). Before the load, the merged list
# is checked against the single database's, three pages deep.
# Workload (MIX): merchant order list, order detail, ship, chat send, stats
# overview; buyer places an order in one shop; buyer's order list across
# shops (first page, then the next through the merged cursor).
# Per route: shards touched per request, req/s and p99 single vs sharded,
# and the share of the workload that stayed on one shard. Both shards share
# this machine's cores with PostgreSQL, the client and each other, so the
# sharded throughput cannot double here: see the closing note it prints.
# Not a test: it prints figures and never fails on them.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
SHOPS=${SHOPS:-8}
BUYERS=${BUYERS:-500}
CONVS=${CONVS:-100}
ORDERS=${ORDERS:-20000}
CHECK_BUYERS=${CHECK_BUYERS:-20}
export SHOPS BUYERS CONVS ORDERS CONNS DURATION
here="$REPO/tests/bench"

install_deps nodejs
build "$BENCH_BUILD" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF
work=$(mktemp -d /tmp/merchantd-bench.XXXXXX)
trap bench_cleanup EXIT
[ "$(id -u)" = 0 ] && chown postgres "$work"
pgport=${BENCH_PG_PORT:-$(free_port)}
# BENCH_PG_SETTINGS: more server settings, e.g. synchronous_commit=off.
# shellcheck disable=SC2086
pg_start "$work/cluster" "$pgport" max_connections=300 shared_buffers=512MB ${BENCH_PG_SETTINGS:-}
base="postgresql://postgres@127.0.0.1:$pgport"

# Sessions: one per merchant and buyer, made in SQL on every database (a
# login per account would spend a second of Argon2id each).
python3 - "$SHOPS" "$BUYERS" "$work/tokens" >"$work/sessions.sql" <<'PY'
import base64, hashlib, os, sys
shops, buyers, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rows = []
with open(path, "w") as out:
    for kind, role, ids in (("m", "merchant", range(1, shops + 1)),
                            ("b", "buyer", range(1001, 1001 + buyers))):
        for i in ids:
            raw = os.urandom(32)
            token = base64.urlsafe_b64encode(raw).decode().rstrip("=")
            digest = hashlib.blake2b(raw, digest_size=32).hexdigest()
            rows.append(f"({i}, '{role}', '\\x{digest}', now(), now() + interval '1 day')")
            out.write(f"{kind} {i} {token}\n")
print("INSERT INTO sessions (account_id, role, token_hash, created_at, expires_at) VALUES\n"
      + ",\n".join(rows) + ";")
PY

# name nshards shard id_start: the database, its share of the shops, and
# the first id it draws (then every nshards-th).
dbs=("single 1 0 1000000000000" "shard0 2 0 1000000000000" "shard1 2 1 1000000000001")
urls=()
for d in "${dbs[@]}"; do
  read -r name nshards shard id_start <<<"$d"
  create_db "$base" "$name"
  DATABASE_URL="$base/$name" "$BENCH_BUILD/merchantd" migrate >/dev/null
  say "generating $name: shops with id % $nshards = $shard, $ORDERS orders each"
  psql "$base/$name" -q -v ON_ERROR_STOP=1 -v shops="$SHOPS" -v buyers="$BUYERS" -v convs="$CONVS" \
    -v orders="$ORDERS" -v nshards="$nshards" -v shard="$shard" -v id_start="$id_start" \
    -f "$here/gen_sharding.sql" >/dev/null
  psql "$base/$name" -q -v ON_ERROR_STOP=1 -f "$work/sessions.sql" >/dev/null
  bench_serve DATABASE_URL="$base/$name"
  urls+=("$served_url")
done
single=${urls[0]}
sharded="${urls[1]},${urls[2]}"
# The paid orders the ship route takes, one each (the same ids on the single
# database and on the shards: each configuration ships its own copy).
psql "$base/single" -Atq -F' ' -c "SELECT shop_id, id FROM orders WHERE status = 'paid'" >"$work/paid"

echo "sharding simulation: $SHOPS shops x $ORDERS orders, $BUYERS buyers, $CONVS conversations a shop;" \
  "$CONNS virtual users, ${DURATION}s x $ROUNDS rounds per configuration, $THREADS HTTP threads an instance, $(nproc) cores"
echo "merged buyer order list vs the single database, 3 pages deep:" \
  "$(node "$here/sharding_client.mjs" check "$single" "$sharded" "$work/tokens" "$CHECK_BUYERS") buyers"

# CPU seconds of merchantd and PostgreSQL (every process of the cluster).
cpu() {
  local pids
  pids="${bench_pids[*]} $(pgrep -d' ' -f "postgres.*$work/cluster" || true) $(pgrep -d' ' -P "$(head -1 "$work/cluster/postmaster.pid")" || true)"
  local t=0 p
  for p in $pids; do
    [ -r "/proc/$p/stat" ] || continue
    t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$t"
}
hz=$(getconf CLK_TCK)
run() { # config round
  local target=$single c0 c1
  [ "$1" = sharded ] && target=$sharded
  c0=$(cpu)
  node "$here/sharding_client.mjs" load "$target" "$work/tokens" "$work/paid" "$2" "$ROUNDS" >"$work/r_$1_$2"
  c1=$(cpu)
  echo "{\"server_cpu_s\": $(awk -v a="$c0" -v b="$c1" -v hz="$hz" 'BEGIN { printf "%.2f", (b - a) / hz }')}" >>"$work/r_$1_$2"
}
for round in $(seq 0 $((ROUNDS - 1))); do
  # Interleaved, and the order alternates: neither always goes first.
  if [ $((round % 2)) = 0 ]; then run single "$round"; run sharded "$round"
  else run sharded "$round"; run single "$round"; fi
done

python3 - "$work" "$ROUNDS" <<'PY'
import json, os, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
def load(config):
    out = []
    for r in range(rounds):
        rows = [json.loads(l) for l in open(f"{work}/r_{config}_{r}") if l.strip()]
        out.append(rows)
    return out
res = {c: load(c) for c in ("single", "sharded")}
routes = [row["route"] for row in res["single"][0] if "route" in row]
def med(config, route, key):
    return statistics.median(row[key] for rows in res[config] for row in rows if row.get("route") == route)
def total(config, route, key):
    return sum(row[key] for rows in res[config] for row in rows if row.get("route") == route)
def touched(route):
    t = {}
    for rows in res["sharded"]:
        for row in rows:
            if row.get("route") == route:
                for k, v in row["touched"].items():
                    t[int(k)] = t.get(int(k), 0) + v
    return t
def rounds_of(config, route):
    return " | ".join(f"{row['rps']:.0f} {row['p99']:.1f}" for rows in res[config] for row in rows if row.get("route") == route)
label = {"order_list": "GET /v1/shops/{id}/orders (merchant, 20)",
         "order_detail": "GET /v1/shops/{id}/orders/{id} (merchant)",
         "ship": "POST /v1/shops/{id}/orders/{id}/ship",
         "chat_send": "POST /v1/conversations/{id}/messages",
         "stats": "GET /v1/shops/{id}/stats/overview",
         "place_order": "POST /v1/orders (buyer, one shop)",
         "buyer_orders": "GET /v1/orders (buyer, across shops)"}
print(f"\n{'route (median of %d rounds)' % rounds:<44} {'shards':>6} {'single':>8} {'sharded':>8} {'ratio':>6}"
      f" {'p99 ms':>7} {'p99 ms':>7} {'errors':>9}")
print(f"{'':<44} {'touched':>6} {'req/s':>8} {'req/s':>8} {'':>6} {'single':>7} {'sharded':>7} {'sgl/shd':>9}")
local_n = all_n = 0
sums = {"single": 0.0, "sharded": 0.0}
for r in routes:
    t = touched(r)
    n = sum(t.values())
    all_n += n
    local_n += t.get(1, 0)
    shards = "/".join(str(k) for k in sorted(t))
    s, h = med("single", r, "rps"), med("sharded", r, "rps")
    sums["single"] += s; sums["sharded"] += h
    print(f"{label.get(r, r):<44} {shards:>6} {s:>8.0f} {h:>8.0f} {h / s if s else 0:>6.2f}"
          f" {med('single', r, 'p99'):>7.1f} {med('sharded', r, 'p99'):>7.1f}"
          f" {total('single', r, 'errors'):>4}/{total('sharded', r, 'errors'):<4}")
print(f"{'whole mix':<44} {'':>6} {sums['single']:>8.0f} {sums['sharded']:>8.0f}"
      f" {sums['sharded'] / sums['single'] if sums['single'] else 0:>6.2f}")
print(f"\nshare of the workload's requests that stayed on one shard: {100 * local_n / all_n:.1f}%"
      f" ({local_n} of {all_n}; the rest went to both shards and were merged)")
backends = [row["backends"] for rows in res["sharded"] for row in rows if "backends" in row]
b0, b1 = sum(b[0] for b in backends), sum(b[1] for b in backends)
print(f"HTTP requests the router sent to shard0 / shard1: {b0} / {b1}"
      f" ({100 * b0 / (b0 + b1):.0f}% / {100 * b1 / (b0 + b1):.0f}%)")
def cpu(config):
    return [row["server_cpu_s"] for rows in res[config] for row in rows if "server_cpu_s" in row]
def reqs(config):
    return [sum(row["n"] for row in rows if "route" in row) for rows in res[config]]
def client(config):
    return [row["client_cpu_s"] for rows in res[config] for row in rows if "client_cpu_s" in row]
def secs(config):
    return [row["seconds"] for rows in res[config] for row in rows if "seconds" in row]
for c in ("single", "sharded"):
    per = [1000 * a / n for a, n in zip(cpu(c), reqs(c)) if n]
    print(f"CPU, {c:<7}: merchantd + PostgreSQL {statistics.median(cpu(c)):.1f} s a round"
          f" ({statistics.median(per):.2f} ms a request), load client {statistics.median(client(c)):.1f} s,"
          f" of {statistics.median(secs(c)):.0f} s x {os.cpu_count()} cores")
print("\nper round (req/s p99):")
for r in routes:
    print(f"  {r:<14} single  {rounds_of('single', r)}")
    print(f"  {'':<14} sharded {rounds_of('sharded', r)}")
codes = {}
for c in ("single", "sharded"):
    for rows in res[c]:
        for row in rows:
            for k, v in row.get("codes", {}).items():
                codes[(c, row["route"], k)] = codes.get((c, row["route"], k), 0) + v
if codes:
    print("non-2xx replies: " + ", ".join(f"{c} {r} {k} x{v}" for (c, r, k), v in sorted(codes.items())))
PY
cat <<'NOTE'

Reading it: both shards, their PostgreSQL databases (one cluster), the
single instance and the load client all share this machine's cores, so the
sharded configuration cannot add capacity here and its req/s is not
expected to double. What the run does show: which routes stay on one
shard (shards touched = 1) and what share of the mix that is; what the
routing costs a shard-local request and what a fan-out costs (the buyer's
list: two requests and a merge, its latency the slower shard's), read from
the p99s and the CPU per request on an otherwise idle machine; and that the
merged keyset pages equal the single database's. The capacity gain needs
the shards on their own machines.
NOTE
