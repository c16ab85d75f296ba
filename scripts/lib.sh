# Shared by scripts/run.sh and scripts/test.sh: dependencies, build and a
# private PostgreSQL 15 cluster. Source it; it defines functions only.

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root (or sudo) to run: $*"; fi
}

# Installs the Debian packages that are missing. Extra package names may be
# passed for what only one script needs.
install_deps() {
  local wanted="build-essential cmake pkg-config libmicrohttpd-dev libpq-dev libjansson-dev
    libcmark-dev
    libsodium-dev libvips-dev postgresql-15 postgresql-client-15 python3 curl $*"
  local missing=""
  for p in $wanted; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done
  [ -z "$missing" ] && return 0
  say "installing Debian packages:$missing"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

# Installs the pinned node tools of tools/ (npm ci): the OpenAPI linter and
# the contract checker through which the integration tests pass every reply.
install_node_tools() {
  # Node.js may come from elsewhere than Debian (with its own npm): only a
  # machine without npm gets Debian's.
  command -v npm >/dev/null || install_deps nodejs npm
  say "installing the pinned OpenAPI linter and contract checker"
  (cd "$REPO/tools" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
}

# Builds the web console into web/dist (docs/architecture.md, "The web
# console"): its pinned npm packages (npm ci), then esbuild. merchantd
# serves the result at /app (MERCHANTD_WEB_DIR).
build_console() {
  command -v npm >/dev/null || install_deps nodejs npm
  say "building the web console into web/dist"
  (cd "$REPO/web" && npm ci --no-audit --no-fund --loglevel=error >/dev/null && node build.mjs)
}

# build DIR CMAKE_ARGS...: configures and builds merchantd into DIR.
build() {
  local dir=$1; shift
  say "building into $dir"
  cmake -S "$REPO" -B "$dir" "$@" >/dev/null
  cmake --build "$dir" -j2 >/dev/null
}

# Runs a command as the cluster's owner: postgres when we are root (the
# server refuses to run as root), ourselves otherwise.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# A free port below the ephemeral range (see free_port in the test harness).
free_port() {
  PYTHONPATH="$REPO/tests/integration" python3 -c 'import harness; print(harness.free_port())'
}

# pg_start DIR PORT [SETTINGS...]: creates the cluster in DIR when it does
# not exist, then starts it on 127.0.0.1:PORT (TCP only, trust auth).
pg_start() {
  local dir=$1 port=$2; shift 2
  if [ ! -f "$dir/PG_VERSION" ]; then
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    chmod 700 "$dir"
    as_pg "$PG_BIN/initdb" -D "$dir" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null \
      || die "initdb failed in $dir"
  fi
  local opts="-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories="
  for s in "$@"; do opts="$opts -c $s"; done
  as_pg "$PG_BIN/pg_ctl" -D "$dir" -l "$dir/server.log" -o "$opts" -w -t 60 start >/dev/null \
    || { cat "$dir/server.log" >&2; die "could not start PostgreSQL in $dir"; }
}

# pg_standby_start DIR PORT PRIMARY_PORT [SETTINGS...]: a hot standby of the
# cluster on 127.0.0.1:PRIMARY_PORT, fed by built-in streaming replication.
# When DIR holds no cluster it is made with pg_basebackup -R, which copies
# the primary (through the replication entry initdb puts in pg_hba.conf for
# 127.0.0.1) and writes primary_conninfo and standby.signal; then it starts
# on 127.0.0.1:PORT like pg_start. A hot standby refuses to start with a
# max_connections below the primary's: pass the primary's settings again.
pg_standby_start() {
  local dir=$1 port=$2 primary=$3; shift 3
  if [ ! -f "$dir/PG_VERSION" ]; then
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    chmod 700 "$dir"
    as_pg "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$primary" -U postgres -D "$dir" -R \
      -X stream -c fast >/dev/null || die "pg_basebackup from port $primary into $dir failed"
    as_pg rm -f "$dir/server.log" # the primary's, copied with the rest
  fi
  # hot_standby_feedback: long reads on the standby hold back the primary's
  # vacuum instead of being cancelled by its replay.
  pg_start "$dir" "$port" hot_standby=on hot_standby_feedback=on "$@"
}

pg_stop() {
  as_pg "$PG_BIN/pg_ctl" -D "$1" -m fast -w stop >/dev/null 2>&1 || true
}

# A directory the cluster owner can reach: PostgreSQL runs as postgres, which
# cannot enter a checkout under a private home directory.
pg_reachable() {
  [ "$(id -u)" != 0 ] && return 0
  mkdir -p "$1"
  runuser -u postgres -- test -x "$1"
}

# create_db URL_BASE NAME: creates database NAME unless it exists.
create_db() {
  local exists
  exists=$(psql "$1/postgres" -Atqc "SELECT 1 FROM pg_database WHERE datname = '$2'")
  [ "$exists" = 1 ] || psql "$1/postgres" -qc "CREATE DATABASE \"$2\"" >/dev/null
}
