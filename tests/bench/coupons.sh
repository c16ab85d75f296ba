#!/usr/bin/env bash
# Benchmark of coupon claims (issue 6), against a ceiling measured in the
# same run:
#   - POST /v1/coupons/{id}/claim claims/s on one hot coupon, and spread over
#     SPREAD (default 1,000) coupons, by BUYERS (default 2,000) buyers whose
#     sessions are made in SQL, each request a random buyer
#   - beside pgbench running the claim's conditional UPDATE alone
#     (UPDATE coupons SET claimed = claimed + 1 WHERE id = :id AND
#     claimed < total_quantity) on as many clients (target >= 0.3x)
#   - then zero over-issue across the run: per coupon, claimed <=
#     total_quantity, buyer coupons = claimed, and no buyer past
#     per_buyer_limit
# Every round claims fresh coupons (1,000,000 each, 100 per buyer), so no
# measurement runs into sold_out or claim_limit_reached; replies that are
# not 201 are counted and shown (expected 0).
# Not a test: it prints figures and ratios, and never fails on them.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
BUYERS=${BUYERS:-2000}
SPREAD=${SPREAD:-1000}
here="$REPO/tests/bench"

bench_setup
account merchant couponshop >/dev/null
account buyer coupontemplate >/dev/null
read -r merchant template <<<"$(psql "$DATABASE_URL" -Atq -F' ' -c \
  "SELECT (SELECT id FROM accounts WHERE username = 'couponshop'), (SELECT id FROM accounts WHERE username = 'coupontemplate')")"
# Two shops: the HTTP claims' coupons, and pgbench's (its UPDATEs make no
# buyer coupons, so they stay out of the over-issue check).
shops=$(psql "$DATABASE_URL" -Atq -c "INSERT INTO shops (merchant_id, name, created_at, updated_at)
  VALUES ($merchant, 'coupon bench', now(), now()), ($merchant, 'coupon bench pgbench', now(), now())
  RETURNING id")
shop=$(sed -n 1p <<<"$shops"); pgshop=$(sed -n 2p <<<"$shops")

say "making $BUYERS buyers and their sessions"
psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 -c "INSERT INTO accounts (role, username, display_name, password_hash, created_at)
  SELECT 'buyer', 'couponbuyer' || g, 'buyer ' || g, (SELECT password_hash FROM accounts WHERE id = $template), now()
    FROM generate_series(1, $BUYERS) g"
psql "$DATABASE_URL" -Atq -F' ' -c "SELECT id, id FROM accounts WHERE username LIKE 'couponbuyer%' ORDER BY id" \
  | python3 "$here/chat_client.py" sessions "$work/tokens" | psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 >/dev/null

fresh() { psql "$DATABASE_URL" -Atq -F' ' -v shop="$1" -v n="$2" -f "$here/gen_coupons.sql"; }

# claims LO HI: wrk on coupons LO..HI; prints "ok_claims/s p99_ms non_2xx".
claims() {
  TOKENS="$work/tokens" LO=$1 HI=$2 wrk --latency -t2 -c"$CONNS" -d"${DURATION}s" \
    -s "$here/coupons_claim.lua" "$url" >"$work/wrk.out"
  awk '
    / requests in / { n = $1; secs = $4; sub(/s,?$/, "", secs) }
    /Non-2xx/ { bad = $5 }
    /^ +99%/ { v = $2; if (v ~ /us$/) { sub(/us/, "", v); v /= 1000 } else if (v ~ /ms$/) { sub(/ms/, "", v) } else if (v ~ /s$/) { sub(/s/, "", v); v *= 1000 }; p99 = v }
    END { printf "%.0f %.2f %d\n", (n - bad) / secs, p99, bad }' "$work/wrk.out"
}

# updates LO HI: pgbench's conditional UPDATE on coupons LO..HI; prints tps.
updates() {
  pgbench -n -M prepared -c "$CONNS" -j 2 -T "$DURATION" -D lo="$1" -D hi="$2" -f "$here/coupons_claim.sql" \
    -h 127.0.0.1 -p "$pgport" -U postgres merchantd 2>/dev/null | awk '/^tps/ { printf "%.0f\n", $3; exit }'
}

echo "coupon claim benchmark: $BUYERS buyers, $SPREAD coupons spread, $CONNS connections," \
  "${DURATION}s x $ROUNDS rounds, $THREADS HTTP threads, $(nproc) cores"
for f in hot pghot spread pgspread; do : >"$work/r_$f"; done
for round in $(seq "$ROUNDS"); do
  read -r lo hi <<<"$(fresh "$shop" 1)";        claims "$lo" "$hi" >>"$work/r_hot"
  read -r lo hi <<<"$(fresh "$pgshop" 1)";      updates "$lo" "$hi" >>"$work/r_pghot"
  read -r lo hi <<<"$(fresh "$shop" "$SPREAD")";   claims "$lo" "$hi" >>"$work/r_spread"
  read -r lo hi <<<"$(fresh "$pgshop" "$SPREAD")"; updates "$lo" "$hi" >>"$work/r_pgspread"
done

# Over-issue: every count of every coupon the HTTP claims touched.
read -r coupons claimed bad <<<"$(psql "$DATABASE_URL" -Atq -F' ' <<SQL
SELECT count(*), coalesce(sum(c.claimed), 0),
       count(*) FILTER (WHERE c.claimed > c.total_quantity OR c.claimed <> coalesce(b.n, 0)
                        OR coalesce(b.over, 0) > 0)
  FROM coupons c
  LEFT JOIN (SELECT coupon_id, sum(n) AS n, count(*) FILTER (WHERE n > per_buyer_limit) AS over
               FROM (SELECT b.coupon_id, c2.per_buyer_limit, count(*) AS n
                       FROM buyer_coupons b JOIN coupons c2 ON c2.id = b.coupon_id
                      GROUP BY b.coupon_id, c2.per_buyer_limit, b.buyer_id) per_buyer
              GROUP BY coupon_id) b ON b.coupon_id = c.id
 WHERE c.shop_id = $shop;
SQL
)"

med() { cut -d' ' -f"$2" "$work/r_$1" | median; }
header
row "POST /v1/coupons/{id}/claim, one hot coupon" "$(med hot 1)" "$(med hot 2)" "$work/r_hot"
row "pgbench: conditional UPDATE, one hot coupon" "$(median <"$work/r_pghot")" "-" "$work/r_pghot"
row "POST /v1/coupons/{id}/claim, $SPREAD coupons" "$(med spread 1)" "$(med spread 2)" "$work/r_spread"
row "pgbench: conditional UPDATE, $SPREAD coupons" "$(median <"$work/r_pgspread")" "-" "$work/r_pgspread"
echo "  (claims: successful claims/s, p99, and replies other than 201, expected 0)"
echo
echo "ratio claims / pgbench UPDATE, hot coupon:      $(ratio "$(med hot 1)" "$(median <"$work/r_pghot")")   (target >= 0.3)"
echo "ratio claims / pgbench UPDATE, $SPREAD coupons: $(ratio "$(med spread 1)" "$(median <"$work/r_pgspread")")   (target >= 0.3)"
echo "over-issue: $bad of $coupons coupons with counts that do not add up ($claimed claims in all; target 0)"
