#!/usr/bin/env bash
# Benchmark of GET /v1/me (a merchant's, which lists the shops, and a
# buyer's) against ceilings measured in the same run:
#   - pgbench -S -M prepared over TCP with the same client count
#   - a bare libmicrohttpd JSON reply with the same daemon settings
# and GET /v1/me p99 with and without 16 clients logging in continuously.
# Then the campaign benchmark (tests/bench/campaign.sh).
# Not a test: it prints figures and ratios, and never fails on them.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

bench_setup
cc -O2 -o "$work/bare_mhd" "$REPO/tests/bench/bare_mhd.c" $(pkg-config --cflags --libs libmicrohttpd)
bare_port=$(free_port)
"$work/bare_mhd" "$bare_port" "$THREADS" &
bench_pids+=($!)

token=$(account merchant bench)
buyer_token=$(account buyer benchbuyer)
for i in $(seq 0 15); do
  post /v1/auth/register "{\"role\":\"buyer\",\"username\":\"load$i\",\"password\":\"password-123\",\"display_name\":\"Load $i\"}" >/dev/null
done
echo "merchantd benchmark: $CONNS connections, ${DURATION}s x $ROUNDS rounds each, $THREADS HTTP threads, $(nproc) cores"
: >"$work/r_me"; : >"$work/r_buyer"; : >"$work/r_bare"; : >"$work/r_pg"; : >"$work/r_busy"; : >"$work/r_logins"
for round in $(seq "$ROUNDS"); do
  wrk_run -t2 -c"$CONNS" -d"${DURATION}s" -H "Authorization: Bearer $token" "$url/v1/me" >>"$work/r_me"
  wrk_run -t2 -c"$CONNS" -d"${DURATION}s" -H "Authorization: Bearer $buyer_token" "$url/v1/me" >>"$work/r_buyer"
  wrk_run -t2 -c"$CONNS" -d"${DURATION}s" "http://127.0.0.1:$bare_port/" >>"$work/r_bare"
  pgbench_tps >>"$work/r_pg"
  # GET /v1/me again while 16 clients log in continuously.
  USERS=16 wrk -t1 -c16 -d"$((DURATION + 2))s" -s "$REPO/tests/bench/login.lua" "$url" >"$work/login.out" &
  login_pid=$!
  sleep 1
  wrk_run -t2 -c"$CONNS" -d"${DURATION}s" -H "Authorization: Bearer $token" "$url/v1/me" >>"$work/r_busy"
  wait $login_pid
  awk '/Requests\/sec/ { printf "%.1f ", $2 } /Non-2xx/ { n = $5 } END { print n + 0 }' "$work/login.out" >>"$work/r_logins"
done

me_rps=$(cut -d' ' -f1 "$work/r_me" | median);     me_p99=$(cut -d' ' -f2 "$work/r_me" | median)
buyer_rps=$(cut -d' ' -f1 "$work/r_buyer" | median); buyer_p99=$(cut -d' ' -f2 "$work/r_buyer" | median)
bare_rps=$(cut -d' ' -f1 "$work/r_bare" | median); bare_p99=$(cut -d' ' -f2 "$work/r_bare" | median)
pg_tps=$(median <"$work/r_pg")
busy_rps=$(cut -d' ' -f1 "$work/r_busy" | median); busy_p99=$(cut -d' ' -f2 "$work/r_busy" | median)
logins=$(cut -d' ' -f1 "$work/r_logins" | median); non2xx=$(awk '{ n += $2 } END { print n + 0 }' "$work/r_logins")

header
row "GET /v1/me, merchant (account + shops)" "$me_rps" "$me_p99" "$work/r_me"
row "GET /v1/me, buyer (account)" "$buyer_rps" "$buyer_p99" "$work/r_buyer"
row "bare libmicrohttpd JSON reply (ceiling)" "$bare_rps" "$bare_p99" "$work/r_bare"
row "pgbench -S -M prepared, TCP (ceiling)" "$pg_tps" "-" "$work/r_pg"
row "GET /v1/me while 16 clients log in" "$busy_rps" "$busy_p99" "$work/r_busy"
row "  logins/s meanwhile (non-2xx in all: $non2xx)" "$logins" "-" "$work/r_logins"
echo
echo "ratio /v1/me merchant / pgbench tps:  $(ratio "$me_rps" "$pg_tps")   (target >= 0.5)"
echo "ratio /v1/me buyer / pgbench tps:     $(ratio "$buyer_rps" "$pg_tps")   (target >= 0.5)"
echo "ratio merchantd / bare libmicrohttpd: $(ratio "$me_rps" "$bare_rps")"
echo "p99 with login load / without:       $(ratio "$busy_p99" "$me_p99")   (target <= 3)"

# Campaigns (tests/bench/campaign.sh) and the live room's red packet rush
# (tests/bench/red_packet.sh), each on a setup of its own once this run's
# server and cluster are gone. CAMPAIGN=0 or RED_PACKET=0 leaves one out.
bench_cleanup
trap - EXIT
if [ "${CAMPAIGN:-1}" = 1 ]; then
  echo
  "$REPO/tests/bench/campaign.sh"
fi
if [ "${RED_PACKET:-1}" = 1 ]; then
  echo
  bash "$REPO/tests/bench/red_packet.sh"
fi
