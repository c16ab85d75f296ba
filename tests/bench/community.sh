#!/usr/bin/env bash
# Benchmark of the merchant community (issue 17, docs/community.md), against
# ceilings measured in the same run:
#   - GET /v1/community/articles?sort=hot (a first page: 20 articles and the
#     pinned ones, one statement) over ARTICLES (default 100,000) articles and LIKES
#     (default 1,000,000) likes by ACCOUNTS (default 2,000) merchants:
#     req/s and p99, beside pgbench running the feed's statement
#     (tests/bench/community_feed.sql) -- target >= 0.5x
#   - likes on one hot article from CONNS (64) connections: each request a
#     PUT or DELETE .../like that changes a like (tests/bench/community_like.lua),
#     beside pgbench running the like's hot UPDATE of the article's counter
#     alone (tests/bench/community_like.sql) -- target >= 0.3x
#   - then the article's count against its like rows (target: equal)
# pgbench's ceilings are the best of 8, 16, 32 and 64 clients (the winner is
# printed). Smaller data: ARTICLES=20000 LIKES=200000 tests/bench/community.sh.
# Not a test: it prints figures and ratios, and never fails on them.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
ARTICLES=${ARTICLES:-100000}
LIKES=${LIKES:-1000000}
ACCOUNTS=${ACCOUNTS:-2000}
here="$REPO/tests/bench"

bench_setup
say "generating $ARTICLES articles, $ACCOUNTS merchants and $LIKES likes"
psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 -v articles="$ARTICLES" -v accounts="$ACCOUNTS" \
  -v likes="$LIKES" -f "$here/gen_community.sql" >/dev/null
psql "$DATABASE_URL" -Atq -F' ' -c "SELECT id, id FROM accounts WHERE username ~ '^communitybench[0-9]+$' ORDER BY id" \
  | python3 "$here/chat_client.py" sessions "$work/tokens" | sed "s/, 'buyer', /, 'merchant', /" \
  | psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 >/dev/null
token=$(head -n 1 "$work/tokens" | cut -d' ' -f2)
# The two hottest articles: one for HTTP likes, one for pgbench's UPDATEs.
read -r hot pghot <<<"$(psql "$DATABASE_URL" -Atq -c "SELECT id FROM community_articles
  ORDER BY hot_rank DESC, id DESC LIMIT 2" | tr '\n' ' ')"

pg() { # pgbench_best FILE [ARGS]: the best tps over 8..64 clients; prints "tps clients".
  local file=$1; shift
  for c in 8 16 32 64; do
    printf '%s %s\n' "$(pgbench -n -M prepared -c "$c" -j 2 -T "$DURATION" "$@" -f "$file" \
      -h 127.0.0.1 -p "$pgport" -U postgres merchantd 2>/dev/null | awk '/^tps/ { printf "%.0f", $3; exit }')" "$c"
  done | sort -n | tail -n 1
}

echo "community benchmark: $ARTICLES articles, $LIKES likes, $ACCOUNTS merchants, $CONNS connections," \
  "${DURATION}s x $ROUNDS rounds, $THREADS HTTP threads, $(nproc) cores"
for f in feed pgfeed like pglike; do : >"$work/r_$f"; done
for round in $(seq "$ROUNDS"); do
  wrk_run -t2 -c"$CONNS" -d"${DURATION}s" -H "Authorization: Bearer $token" \
    "$url/v1/community/articles?sort=hot" >>"$work/r_feed"
  pg "$here/community_feed.sql" >>"$work/r_pgfeed"
  TOKENS="$work/tokens" ARTICLE=$hot THREADS=2 wrk_run -t2 -c"$CONNS" -d"${DURATION}s" \
    -s "$here/community_like.lua" "$url" >>"$work/r_like"
  pg "$here/community_like.sql" -D article="$pghot" >>"$work/r_pglike"
done

read -r count rows <<<"$(psql "$DATABASE_URL" -Atq -F' ' -c "SELECT a.likes,
  (SELECT count(*) FROM community_likes l WHERE l.article_id = a.id) FROM community_articles a WHERE a.id = $hot")"

med() { cut -d' ' -f"$2" "$work/r_$1" | median; }
header
row "GET /v1/community/articles?sort=hot" "$(med feed 1)" "$(med feed 2)" "$work/r_feed"
row "pgbench: the feed's statement (best clients)" "$(med pgfeed 1)" "-" "$work/r_pgfeed"
row "PUT/DELETE .../like, one hot article" "$(med like 1)" "$(med like 2)" "$work/r_like"
row "pgbench: the counter UPDATE (best clients)" "$(med pglike 1)" "-" "$work/r_pglike"
echo "  (pgbench rows: tps and the client count that gave it)"
echo
echo "ratio feed / pgbench feed statement:    $(ratio "$(med feed 1)" "$(med pgfeed 1)")   (target >= 0.5)"
echo "ratio likes / pgbench counter UPDATE:   $(ratio "$(med like 1)" "$(med pglike 1)")   (target >= 0.3)"
echo "hot article $hot: likes counter $count, like rows $rows (target: equal)"
