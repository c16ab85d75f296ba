#!/usr/bin/env bash
# Like scripts/run.sh, but three merchantd instances on one database with
# nginx in front of them (docker/nginx/merchantd.conf): installs what is
# missing, builds, starts the private PostgreSQL under ./var/ (unless
# DATABASE_URL is set), applies migrations, loads demo data once, and serves
# on http://localhost:${PORT:-8080} until Ctrl-C, which stops everything.
#   INSTANCES=3          how many merchantd instances
#   INSTANCE_PORT=8081   the first instance's port; the others follow it
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# nginx: the proxy in front of the instances.
install_deps nginx
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
build "$REPO/build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF

port=${PORT:-8080}
instances=${INSTANCES:-3}
first=${INSTANCE_PORT:-8081}

started_pg=""
if [ -z "${DATABASE_URL:-}" ]; then
  pgdir="$REPO/var/pg"
  if ! pg_reachable "$REPO/var"; then
    pgdir="/var/tmp/merchantd-$(printf '%s' "$REPO" | md5sum | cut -c1-12)/pg"
    say "the postgres user cannot enter $REPO; keeping the database in $pgdir"
  fi
  pgport=$(cat "$REPO/var/pg.port" 2>/dev/null || echo 54329)
  mkdir -p "$REPO/var" && echo "$pgport" >"$REPO/var/pg.port"
  if ! as_pg "$PG_BIN/pg_ctl" -D "$pgdir" status >/dev/null 2>&1; then
    say "starting PostgreSQL in $pgdir on port $pgport"
    # Three instances hold a connection per thread each, and the job threads.
    pg_start "$pgdir" "$pgport" max_connections=200
    started_pg=$pgdir
  fi
  create_db "postgresql://postgres@127.0.0.1:$pgport" merchantd
  export DATABASE_URL="postgresql://postgres@127.0.0.1:$pgport/merchantd"
fi

"$REPO/build/merchantd" migrate
if [ "$(psql "$DATABASE_URL" -Atqc "SELECT count(*) FROM accounts WHERE username = 'demo'")" = 0 ]; then
  say "loading demo data (merchant demo / demo-password, buyer demo-buyer / demo-password)"
  psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 -f "$REPO/scripts/demo-data.sql" >/dev/null
fi

# Every instance shares the media directory and the keys (docs/operations.md,
# Several instances behind nginx).
export MERCHANTD_MEDIA_DIR=${MERCHANTD_MEDIA_DIR:-$REPO/var/media}
mkdir -p "$REPO/var"
(
  umask 077
  [ -s "$REPO/var/data.key" ] || head -c 32 /dev/urandom >"$REPO/var/data.key"
  [ -s "$REPO/var/statement.key" ] || head -c 32 /dev/urandom >"$REPO/var/statement.key"
  [ -s "$REPO/var/webhook.secret" ] ||
    head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$REPO/var/webhook.secret"
)
export MERCHANTD_DATA_KEY_FILE=${MERCHANTD_DATA_KEY_FILE:-$REPO/var/data.key}
export MERCHANTD_WEBHOOK_SECRET_FILE=${MERCHANTD_WEBHOOK_SECRET_FILE:-$REPO/var/webhook.secret}
export MERCHANTD_STATEMENT_KEY_FILE=${MERCHANTD_STATEMENT_KEY_FILE:-$REPO/var/statement.key}
# nginx reaches the instances from 127.0.0.1: trust that address, and only
# it, to name the client in X-Forwarded-For.
export MERCHANTD_TRUSTED_PROXIES=${MERCHANTD_TRUSTED_PROXIES:-127.0.0.1,::1}

pids=()
upstreams=()
stop_all() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
}
trap stop_all INT TERM
for i in $(seq 0 $((instances - 1))); do
  p=$((first + i))
  say "instance $((i + 1)) on http://127.0.0.1:$p"
  PORT=$p "$REPO/build/merchantd" serve &
  pids+=($!)
  upstreams+=("127.0.0.1:$p")
done
for u in "${upstreams[@]}"; do
  until curl -fs "http://$u/readyz" >/dev/null; do
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null || { stop_all; die "an instance exited"; }; done
    sleep 0.2
  done
done

ngdir="$REPO/var/nginx"
python3 "$REPO/docker/nginx/render.py" "$ngdir" "$port" "${upstreams[@]}"
say "nginx on http://localhost:$port in front of ${#upstreams[@]} instances (Ctrl-C stops all)"
"$NGINX" -p "$ngdir" -c nginx.conf &
pids+=($!)

if [ "$(psql "$DATABASE_URL" -Atqc "SELECT count(*) FROM accounts WHERE username = 'demo'")" = 1 ]; then
  until curl -fs "http://127.0.0.1:$port/readyz" >/dev/null; do sleep 0.2; done
  python3 "$REPO/scripts/demo-media.py" "http://127.0.0.1:$port" || say "could not load the demo pictures"
fi

# When any one of them ends, stop the others; wait until all are gone.
rc=0
wait -n "${pids[@]}" || rc=$?
stop_all
for p in "${pids[@]}"; do
  while kill -0 "$p" 2>/dev/null; do wait "$p" 2>/dev/null || true; done
done
[ -n "$started_pg" ] && { say "stopping PostgreSQL (the data stays in $started_pg)"; pg_stop "$started_pg"; }
exit $rc
