#!/usr/bin/env bash
# What merchantd's connections cost (libmicrohttpd's epoll loop, one per HTTP
# thread, and the end-of-file check of server/http/daemon.c), against ceilings
# measured in the same run: a bare libmicrohttpd JSON reply (bare_mhd.c) in
# epoll mode and in poll mode, the better of the two being the ceiling. The
# poll figures show why merchantd stays on epoll: poll mode reads a
# half-closed client's end of file by itself, but looks at every connection
# it holds on each turn, where epoll looks only at those with news.
#   - GET /livez req/s with CONNS busy connections, alone and beside IDLE
#     idle keep-alive connections
#   - STREAMS idle Server-Sent Event streams (suspended connections): RSS per
#     stream, CPU while they idle for IDLE_SECONDS (heartbeats included),
#     and GET /livez req/s while they are open
# Not a test: it prints figures and ratios, and never fails on them.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

IDLE=${IDLE:-2000}
STREAMS=${STREAMS:-2000}
IDLE_SECONDS=${IDLE_SECONDS:-15}

bench_setup
cc -O2 -o "$work/bare_mhd" "$REPO/tests/bench/bare_mhd.c" $(pkg-config --cflags --libs libmicrohttpd)
poll_port=$(free_port)
"$work/bare_mhd" "$poll_port" "$THREADS" poll &
bench_pids+=($!)
epoll_port=$(free_port)
"$work/bare_mhd" "$epoll_port" "$THREADS" epoll &
bench_pids+=($!)
me_port=${url##*:}
token=$(account merchant bench)
tick=$(getconf CLK_TCK)

# hold PORT N KIND [TOKEN]: opens N idle connections (idle_conns.py) and
# returns once they are all open; release closes them.
hold() {
  rm -f "$work/hold.in"
  mkfifo "$work/hold.in"
  python3 "$REPO/tests/bench/idle_conns.py" "$@" <"$work/hold.in" >"$work/hold.out" 2>&1 &
  hold_pid=$!
  bench_pids+=("$hold_pid")
  exec {hold_fd}>"$work/hold.in"
  until grep -q '^ready' "$work/hold.out"; do
    kill -0 "$hold_pid" 2>/dev/null || die "could not open idle connections: $(cat "$work/hold.out")"
    sleep 0.1
  done
}
release() {
  exec {hold_fd}>&-
  wait "$hold_pid" || true
  grep '^closed' "$work/hold.out" | awk '$2 > 0 { print "  (the server closed " $2 " idle connections meanwhile)" }' >&2
}
fds() { ls "/proc/$server_pid/fd" | wc -l; }
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$server_pid/status"; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$server_pid/stat"; }
# Waits (up to 10 s) until merchantd holds no more descriptors than $1.
settle() { for _ in $(seq 100); do [ "$(fds)" -le "$1" ] && return 0; sleep 0.1; done; }
livez() { wrk_run -t2 -c"$CONNS" -d"${DURATION}s" "http://127.0.0.1:$1/livez"; }

echo "merchantd connections benchmark: $CONNS busy connections, $IDLE idle ones, $STREAMS event streams,"
echo "${DURATION}s x $ROUNDS rounds each, $THREADS HTTP threads, $(nproc) cores"
for f in me poll epoll me_idle poll_idle epoll_idle me_sse sse_rss sse_cpu base_cpu; do : >"$work/r_$f"; done
base_fds=$(fds)
for round in $(seq "$ROUNDS"); do
  livez "$me_port" >>"$work/r_me"
  livez "$poll_port" >>"$work/r_poll"
  livez "$epoll_port" >>"$work/r_epoll"
  for target in me:"$me_port" poll:"$poll_port" epoll:"$epoll_port"; do
    hold "${target#*:}" "$IDLE" keepalive
    livez "${target#*:}" >>"$work/r_${target%%:*}_idle"
    release
  done
  settle "$base_fds"
  # merchantd's CPU with nothing open, then with the streams idling.
  c0=$(cpu_ticks); sleep "$IDLE_SECONDS"; c1=$(cpu_ticks)
  awk -v d=$((c1 - c0)) -v t="$tick" -v s="$IDLE_SECONDS" 'BEGIN { printf "%.2f\n", 100 * d / t / s }' >>"$work/r_base_cpu"
  r0=$(rss_kb)
  hold "$me_port" "$STREAMS" sse "$token"
  r1=$(rss_kb)
  echo "$(( (r1 - r0) * 1024 / STREAMS ))" >>"$work/r_sse_rss"
  c0=$(cpu_ticks); sleep "$IDLE_SECONDS"; c1=$(cpu_ticks)
  awk -v d=$((c1 - c0)) -v t="$tick" -v s="$IDLE_SECONDS" 'BEGIN { printf "%.2f\n", 100 * d / t / s }' >>"$work/r_sse_cpu"
  livez "$me_port" >>"$work/r_me_sse"
  release
  settle "$base_fds"
done

col() { cut -d' ' -f"$2" "$work/r_$1" | median; }
better() { awk -v a="$1" -v b="$2" 'BEGIN { print (a > b) ? a : b }'; }
ceiling=$(better "$(col poll 1)" "$(col epoll 1)")
ceiling_idle=$(better "$(col poll_idle 1)" "$(col epoll_idle 1)")

header
row "GET /livez, merchantd" "$(col me 1)" "$(col me 2)" "$work/r_me"
row "bare libmicrohttpd, poll" "$(col poll 1)" "$(col poll 2)" "$work/r_poll"
row "bare libmicrohttpd, epoll" "$(col epoll 1)" "$(col epoll 2)" "$work/r_epoll"
row "GET /livez, merchantd, $IDLE idle keep-alive" "$(col me_idle 1)" "$(col me_idle 2)" "$work/r_me_idle"
row "bare libmicrohttpd, poll, $IDLE idle keep-alive" "$(col poll_idle 1)" "$(col poll_idle 2)" "$work/r_poll_idle"
row "bare libmicrohttpd, epoll, $IDLE idle keep-alive" "$(col epoll_idle 1)" "$(col epoll_idle 2)" "$work/r_epoll_idle"
row "GET /livez, merchantd, $STREAMS event streams open" "$(col me_sse 1)" "$(col me_sse 2)" "$work/r_me_sse"
echo
printf '%-50s %10s   %s\n' "idle event streams (median of $ROUNDS)" "value" "each round"
printf '%-50s %10s   %s\n' "RSS per stream, bytes" "$(median <"$work/r_sse_rss")" "$(paste -sd' ' "$work/r_sse_rss")"
printf '%-50s %10s   %s\n' "merchantd CPU %, $STREAMS streams idle ${IDLE_SECONDS}s" "$(median <"$work/r_sse_cpu")" "$(paste -sd' ' "$work/r_sse_cpu")"
printf '%-50s %10s   %s\n' "merchantd CPU %, nothing open" "$(median <"$work/r_base_cpu")" "$(paste -sd' ' "$work/r_base_cpu")"
echo
echo "ratio merchantd / best bare libmicrohttpd:                $(ratio "$(col me 1)" "$ceiling")"
echo "ratio bare poll / bare epoll:                             $(ratio "$(col poll 1)" "$(col epoll 1)")"
echo "ratio with $IDLE idle, merchantd / best bare with them: $(ratio "$(col me_idle 1)" "$ceiling_idle")"
echo "ratio with $IDLE idle, bare poll / bare epoll:          $(ratio "$(col poll_idle 1)" "$(col epoll_idle 1)")"
echo "ratio merchantd with $STREAMS streams / without:          $(ratio "$(col me_sse 1)" "$(col me 1)")"
