#!/usr/bin/env bash
# Installs what is missing, builds, starts a private PostgreSQL under ./var/
# (unless DATABASE_URL is set), applies migrations, loads demo data once and
# serves on http://localhost:${PORT:-8080} until Ctrl-C.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

install_deps
build "$REPO/build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF
build_console

dev_setup
say "serving on http://localhost:${PORT:-8080}, the console at http://localhost:${PORT:-8080}/app (Ctrl-C stops)"
"$REPO/build/merchantd" serve &
server=$!
trap 'kill -TERM $server 2>/dev/null || true' INT TERM
# The demo data made through the API, once the server answers.
dev_demo_api "http://127.0.0.1:${PORT:-8080}" $server
rc=0
# wait returns early when the trap fires: wait again until the server is gone.
while kill -0 $server 2>/dev/null; do wait $server && rc=0 || rc=$?; done
[ -n "$started_pg" ] && { say "stopping PostgreSQL (the data stays in $started_pg)"; pg_stop "$started_pg"; }
exit $rc
