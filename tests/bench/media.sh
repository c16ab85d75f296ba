#!/usr/bin/env bash
# Measures the image space, each figure beside a ceiling measured in the same
# run on the same files:
#   - uploads of FILES generated ~2 MB phone JPEGs (4032x3024), CONNS at a
#     time: uploads/s and p99, against `vips thumbnail` run directly on the
#     same files with as many processes as merchantd has image workers
#     (target >= 0.7 of the CLI's rate). An upload does more than one
#     thumbnail (the original re-encoded without metadata, two WebP
#     renditions, the files fsynced, a row); the CLI is the bare decode.
#   - GET /media/<sha>_800.webp (a ~100 KB rendition) with keep-alive,
#     against nginx serving the same file from the same directory with
#     sendfile, its best settings (worker_processes auto, open_file_cache)
#     (target >= 0.5 of nginx);
#   - merchantd's peak RSS while 16 uploads run at once (target < 400 MB).
# Not a test: it prints figures and never fails on them.
#
#   FILES=16 CONNS=2 DURATION=10 ROUNDS=3 tests/bench/media.sh
set -euo pipefail
. "$(dirname "$0")/lib.sh"
FILES=${FILES:-8}
UPLOAD_CONNS=${UPLOAD_CONNS:-4}
WORKERS=${WORKERS:-2}

install_deps libvips-tools nginx-light wrk
# Its own media directory, removed with the build's other leftovers.
export MERCHANTD_MEDIA_DIR=$BENCH_BUILD/bench-media
export MERCHANTD_IMAGE_WORKERS=$WORKERS MERCHANTD_IMAGE_QUEUE=64
rm -rf "$MERCHANTD_MEDIA_DIR"
bench_setup
token=$(account merchant mediashop)
shop=$(curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '{"name":"media bench"}' "$url/v1/shops" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

say "generating $FILES phone-sized JPEGs"
mkdir -p "$work/files"
for i in $(seq "$FILES"); do
  vips gaussnoise "$work/n1.v" 4032 3024 --sigma 30 --mean $((100 + i)) >/dev/null
  vips gaussnoise "$work/n2.v" 4032 3024 --sigma 30 --mean 120 >/dev/null
  vips gaussnoise "$work/n3.v" 4032 3024 --sigma 30 --mean 110 >/dev/null
  vips bandjoin "$work/n1.v $work/n2.v $work/n3.v" "$work/c.v"
  vips gaussblur "$work/c.v" "$work/b.v" 1.2
  vips cast "$work/b.v" "$work/u.v" uchar
  vips copy "$work/u.v" "$work/files/phone$i.jpg[Q=85]"
done
rm -f "$work"/*.v
avg_kb=$(du -k "$work"/files/*.jpg | awk '{ s += $1 } END { printf "%.0f", s / NR }')

upload() { curl -sf -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: image/jpeg' \
  --data-binary "@$1" "$url/v1/shops/$shop/images"; }
# The bench uploads far more than a shop's 1 GiB: lift this shop's quota.
upload "$work/files/phone1.jpg"
psql "$DATABASE_URL" -q -c "UPDATE image_spaces SET bytes_max = 1e15, images_max = 2e9 WHERE shop_id = $shop"

hwm() { awk '/VmHWM/ { print $2 }' "/proc/$server_pid/status"; }
rss() { awk '/VmRSS/ { print $2 }' "/proc/$server_pid/status"; }
reset_hwm() { echo 5 >"/proc/$server_pid/clear_refs" 2>/dev/null || true; }

# Peak RSS while 16 uploads are in flight at once.
say "16 uploads at once"
reset_hwm
rss_before=$(rss)
uploads=()
for i in $(seq 16); do
  upload "$work/files/phone$(((i - 1) % FILES + 1)).jpg" &
  uploads+=($!)
done
wait "${uploads[@]}"  # (a bare wait would wait for the server too)
rss_peak=$(hwm)

# One wrk Lua script per file: each connection posts its own file.
cat >"$work/upload.lua" <<LUA
local files, n = {}, 0
for line in io.lines("$work/list") do n = n + 1; files[n] = line end
local counter = 0
function setup(thread) counter = counter + 1; thread:set("id", counter) end
function init(args)
  local f = io.open(files[(id - 1) % n + 1], "rb"); body = f:read("*a"); f:close()
end
function request()
  return wrk.format("POST", "/v1/shops/$shop/images",
    {["Authorization"] = "Bearer $token", ["Content-Type"] = "image/jpeg"}, body)
end
LUA
ls "$work"/files/*.jpg >"$work/list"

# The ceiling: vips thumbnail on the same files, WORKERS processes at once,
# for DURATION seconds; prints files/s.
cli_rate() {
  local end=$(($(date +%s) + DURATION)) start done=0
  start=$(date +%s.%N)
  while [ "$(date +%s)" -lt "$end" ]; do
    xargs -P "$WORKERS" -I{} vips thumbnail {} "$work/thumb_%s.webp" 800 <"$work/list"
    done=$((done + FILES))
  done
  awk -v n="$done" -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f\n", n / (e - s) }'
}

: >"$work/up" ; : >"$work/cli"
for r in $(seq "$ROUNDS"); do
  say "upload round $r"
  wrk_run -t 2 -c "$UPLOAD_CONNS" -d "${DURATION}s" --timeout 30s -s "$work/upload.lua" "$url" >>"$work/up"
  cli_rate >>"$work/cli"
done
up_rps=$(awk '{ print $1 }' "$work/up" | median)
up_p99=$(awk '{ print $2 }' "$work/up" | median)
cli=$(median <"$work/cli")

# GET of one rendition, merchantd against nginx on the same directory: a
# grainy picture whose 800 px WebP is about 100 KB.
vips gaussnoise "$work/g.v" 1000 750 --sigma 15 --mean 128 >/dev/null
vips bandjoin "$work/g.v $work/g.v $work/g.v" "$work/g3.v"
vips cast "$work/g3.v" "$work/g8.v" uchar
vips copy "$work/g8.v" "$work/grain.jpg[Q=90]"
rm -f "$work"/*.v
name=$(curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: image/jpeg' \
  --data-binary "@$work/grain.jpg" "$url/v1/shops/$shop/images" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["urls"]["large"].split("/")[-1])')
thumb=$(find "$MERCHANTD_MEDIA_DIR" -name "$name")
thumb_kb=$(du -k "$thumb" | awk '{ print $1 }')
nport=$(free_port)
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  open_file_cache max=1000;
  types { image/webp webp; }
  server {
    listen 127.0.0.1:$nport;
    location /media/ { alias $(dirname "$thumb")/; add_header X-Content-Type-Options nosniff; }
  }
}
CONF
nginx -c "$work/nginx/nginx.conf"
bench_pids+=("$(cat "$work/nginx/nginx.pid" 2>/dev/null || echo 0)")
: >"$work/get" ; : >"$work/nginx.out"
for r in $(seq "$ROUNDS"); do
  wrk_run -t 2 -c "$CONNS" -d "${DURATION}s" "$url/media/$name" >>"$work/get"
  wrk_run -t 2 -c "$CONNS" -d "${DURATION}s" "http://127.0.0.1:$nport/media/$name" >>"$work/nginx.out"
done
kill "$(cat "$work/nginx/nginx.pid")" 2>/dev/null || true
get_rps=$(awk '{ print $1 }' "$work/get" | median)
get_p99=$(awk '{ print $2 }' "$work/get" | median)
ngx_rps=$(awk '{ print $1 }' "$work/nginx.out" | median)
ngx_p99=$(awk '{ print $2 }' "$work/nginx.out" | median)

printf '\nimage space, %s JPEGs of %s KB average, %s image workers, %s HTTP threads\n' \
  "$FILES" "$avg_kb" "$WORKERS" "$THREADS"
header
row "POST images ($UPLOAD_CONNS connections)" "$up_rps" "$up_p99" "$work/up"
printf '%-50s %10s %9s   %s\n' "vips thumbnail 800 (CLI, $WORKERS processes)" "$cli" "-" \
  "$(tr '\n' ',' <"$work/cli" | sed 's/,$//; s/,/ | /g')"
row "GET /media ${thumb_kb} KB webp ($CONNS connections)" "$get_rps" "$get_p99" "$work/get"
row "nginx, same file ($CONNS connections)" "$ngx_rps" "$ngx_p99" "$work/nginx.out"
printf '\nuploads / vips thumbnail CLI: %s (target >= 0.7)\n' "$(ratio "$up_rps" "$cli")"
printf 'GET /media / nginx:           %s (target >= 0.5)\n' "$(ratio "$get_rps" "$ngx_rps")"
printf 'peak RSS with 16 uploads at once: %s MB (before: %s MB; target < 400 MB)\n' \
  "$((rss_peak / 1024))" "$((rss_before / 1024))"
rm -rf "$MERCHANTD_MEDIA_DIR"
