#!/usr/bin/env bash
# Benchmark of the web console's chat workbench (issue 18) in Chromium, on a
# shop of CONVS (default 1,000) conversations:
#   - cold (new browser context, empty cache) and warm (reload) time from
#     navigation to the workbench being interactive: the first conversation
#     rows rendered, with their click handlers (target warm < 1 s)
#   - JavaScript transferred (gzip bytes on the wire, cold and warm)
#   - a buyer's message, sent through the API, to its paint in the open
#     thread: p50/p99 over MESSAGES (default 200) messages (target p99 < 100 ms)
# Not a test: it prints figures beside their targets, and never fails on them.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
CONVS=${CONVS:-1000}
MESSAGES=${MESSAGES:-200}
here="$REPO/tests/bench"

command -v chromium >/dev/null || install_deps chromium
build_console >/dev/null
# The server serves the console it measures.
export MERCHANTD_WEB_DIR="$REPO/web/dist"
bench_setup

token=$(account merchant webshop)
account buyer webtemplate >/dev/null
ids=$(psql "$DATABASE_URL" -Atq -v ON_ERROR_STOP=1 <<'SQL'
INSERT INTO shops (merchant_id, name, created_at, updated_at)
SELECT id, '茶香小铺', now(), now() FROM accounts WHERE username = 'webshop'
RETURNING id, merchant_id, (SELECT id FROM accounts WHERE username = 'webtemplate');
SQL
)
IFS='|' read -r shop merchant template <<<"$(head -1 <<<"$ids")"
say "generating $CONVS conversations"
# Five messages a conversation: enough for previews, unread and unreplied.
psql "$DATABASE_URL" -q -v ON_ERROR_STOP=1 -v shop="$shop" -v merchant="$merchant" \
  -v template="$template" -v convs="$CONVS" -v n="$((CONVS * 5))" -f "$here/gen_chat.sql" >/dev/null
# The buyer who writes during the latency run; their conversation is opened.
btoken=$(post /v1/auth/login '{"username":"chatbuyer1","password":"password-123"}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
conv=$(psql "$DATABASE_URL" -Atq -c "SELECT c.id FROM conversations c JOIN accounts a ON a.id = c.buyer_id WHERE a.username = 'chatbuyer1'")

echo "web console benchmark: chat workbench, $CONVS conversations, $ROUNDS rounds, $MESSAGES messages, $(nproc) cores"
BENCH_URL=$url BENCH_TOKEN=$token BENCH_BUYER_TOKEN=$btoken BENCH_SHOP=$shop BENCH_CONV=$conv \
  BENCH_ROUNDS=$ROUNDS BENCH_MESSAGES=$MESSAGES \
  node "$here/web_bench.mjs"
