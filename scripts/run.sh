#!/usr/bin/env bash
# Installs what is missing, builds, starts a private PostgreSQL under ./var/
# (unless DATABASE_URL is set), applies migrations, loads demo data once and
# serves on http://localhost:${PORT:-8080} until Ctrl-C.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

install_deps
build "$REPO/build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF
build_console

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
    pg_start "$pgdir" "$pgport"
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

export MERCHANTD_MEDIA_DIR=${MERCHANTD_MEDIA_DIR:-$REPO/var/media}
export MERCHANTD_WEB_DIR=${MERCHANTD_WEB_DIR:-$REPO/web/dist}
# The data key sealing bank account numbers, the sandbox payment
# provider's webhook secret and the key signing funds statements: made once
# for this checkout, for development only (docs/operations.md, Secrets).
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
say "serving on http://localhost:${PORT:-8080}, the console at http://localhost:${PORT:-8080}/app (Ctrl-C stops)"
"$REPO/build/merchantd" serve &
server=$!
trap 'kill -TERM $server 2>/dev/null || true' INT TERM
# The demo shops' pictures go through the API (the server writes image
# files); the script does nothing once the first shop has images.
until curl -fs "http://127.0.0.1:${PORT:-8080}/readyz" >/dev/null; do
  kill -0 $server 2>/dev/null || break
  sleep 0.2
done
if kill -0 $server 2>/dev/null && [ "$(psql "$DATABASE_URL" -Atqc "SELECT count(*) FROM accounts WHERE username = 'demo'")" = 1 ]; then
  python3 "$REPO/scripts/demo-api.py" "http://127.0.0.1:${PORT:-8080}" || say "could not load the demo data made through the API"
fi
rc=0
# wait returns early when the trap fires: wait again until the server is gone.
while kill -0 $server 2>/dev/null; do wait $server && rc=0 || rc=$?; done
[ -n "$started_pg" ] && { say "stopping PostgreSQL (the data stays in $started_pg)"; pg_stop "$started_pg"; }
exit $rc
