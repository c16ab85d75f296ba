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

# dev_setup [SETTING=VALUE...]: what scripts/run.sh and scripts/cluster.sh
# share before they serve. The private PostgreSQL under ./var/ (settings go
# to pg_start), unless DATABASE_URL is set; started_pg names the data
# directory when this call started it. Then migrations, the demo data once,
# and what every instance of the checkout shares: the media directory, the
# console's build and the development keys (docs/operations.md, Secrets).
dev_setup() {
  started_pg=""
  if [ -z "${DATABASE_URL:-}" ]; then
    local pgdir="$REPO/var/pg" pgport
    if ! pg_reachable "$REPO/var"; then
      pgdir="/var/tmp/merchantd-$(printf '%s' "$REPO" | md5sum | cut -c1-12)/pg"
      say "the postgres user cannot enter $REPO; keeping the database in $pgdir"
    fi
    pgport=$(cat "$REPO/var/pg.port" 2>/dev/null || echo 54329)
    mkdir -p "$REPO/var" && echo "$pgport" >"$REPO/var/pg.port"
    if ! as_pg "$PG_BIN/pg_ctl" -D "$pgdir" status >/dev/null 2>&1; then
      say "starting PostgreSQL in $pgdir on port $pgport"
      pg_start "$pgdir" "$pgport" "$@"
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
  # provider's webhook secret and the key signing funds statements: made
  # once for this checkout, for development only.
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
}

# dev_demo_api URL PID: the demo data only a running server can make
# (pictures, the bank account: scripts/demo-api.py), through the server at
# URL once it is ready, unless process PID (what serves URL) ends first; it
# does nothing when that was done before.
dev_demo_api() {
  until curl -fs "$1/readyz" >/dev/null; do
    kill -0 "$2" 2>/dev/null || return 0
    sleep 0.2
  done
  if [ "$(psql "$DATABASE_URL" -Atqc "SELECT count(*) FROM accounts WHERE username = 'demo'")" = 1 ]; then
    python3 "$REPO/scripts/demo-api.py" "$1" || say "could not load the demo data made through the API"
  fi
}
