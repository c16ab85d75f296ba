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
build_console

port=${PORT:-8080}
instances=${INSTANCES:-3}
first=${INSTANCE_PORT:-8081}

# Three instances hold a connection per thread each, and the job threads;
# they share the media directory and the keys (docs/operations.md, Several
# instances behind nginx).
dev_setup max_connections=200
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

dev_demo_api "http://127.0.0.1:$port" "${pids[-1]}"

# When any one of them ends, stop the others; wait until all are gone.
rc=0
wait -n "${pids[@]}" || rc=$?
stop_all
for p in "${pids[@]}"; do
  while kill -0 "$p" 2>/dev/null; do wait "$p" 2>/dev/null || true; done
done
[ -n "$started_pg" ] && { say "stopping PostgreSQL (the data stays in $started_pg)"; pg_stop "$started_pg"; }
exit $rc
