"""Funds statement and reconciliation: GET /v1/shops/{id}/funds/flows (keyset
pages of a shop's flows with running balances), GET .../funds/statement.csv
(streamed, opening + rows = closing, signed with Ed25519ph), GET
/v1/platform/statement-key, `merchantd verify-statement` and `merchantd funds
check` with its job and metric. Money moves through the real order routes
(test_funds.py's helpers) or, for volume, through ledger_post in SQL."""

import base64
import csv
import io
import os
import sys
import tempfile
import threading
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from harness import *  # noqa: E402,F401,F403
import test_funds as funds  # noqa: E402

KEY_DIR = tempfile.mkdtemp(prefix="merchantd-statements-")
KEY = statement_key_file()
OTHER_KEY = statement_key_file()


def server():
    return srv(env={"MERCHANTD_STATEMENT_KEY_FILE": KEY})


def call(method, path, token=None):
    return server().request(method, path, token=token)


def flows(shop, token=None, **params):
    query = urllib.parse.urlencode(params)
    return call("GET", f"/v1/shops/{shop}/funds/flows" + (f"?{query}" if query else ""),
                token or funds.world().token)


def all_flows(shop, limit=100, **params):
    rows, cursor = [], None
    while True:
        extra = dict(params, limit=limit) | ({"cursor": cursor} if cursor else {})
        r = flows(shop, **extra)
        assert r.status == 200, r
        rows += r.json["items"]
        cursor = r.json["next_cursor"]
        if cursor is None:
            return rows


def brief(row):
    return (row["account"], row["type"], row["direction"], row["amount_cents"],
            row["balance_after_cents"])


def topups(shop, n, amount=7):
    """n top-ups of a shop's deposit in one SQL statement (ledger_post each)."""
    sql(f"SELECT ledger_post('statement-test:' || {shop} || ':' || g || ':' || gen_random_uuid(),"
        f" 'topup', g, ARRAY[ledger_account({shop}, 'provider_clearing')],"
        f" ARRAY[ledger_account({shop}, 'deposit')], ARRAY[{amount}]::bigint[], ARRAY['topup'],"
        f" now()) FROM generate_series(1, {n}) g")


# ---------------------------------------------------------------------------
# Flows


def test_flows_show_each_side_with_its_running_balance():
    server()
    shop, sku = funds.fresh_shop(price=1000)
    order = funds.settled_order(shop, sku)
    refund = funds.ask(order, 400)
    assert funds.decide(shop, refund, "approve").status == 200
    sn = sql(f"SELECT order_sn FROM orders WHERE id = {order}")
    r = flows(shop)
    assert r.status == 200, r
    assert r.headers["cache-control"] == "no-store"
    items = r.json["items"]
    assert [brief(i) for i in items] == [
        ("available", "clawback", "out", 400, 596),
        ("available", "service_fee", "in", 2, 996),
        ("available", "service_fee", "out", 6, 994),
        ("available", "order_income", "in", 1000, 1000),
        ("pending", "order_income", "out", 1000, 0),
        ("pending", "order_income", "in", 1000, 1000),
    ], items
    assert r.json["next_cursor"] is None
    assert all(i["order_sn"] == sn for i in items)
    assert [i["after_sale_id"] for i in items] == [refund, refund, None, None, None, None]
    assert all(i["withdrawal_id"] is None and i["topup_id"] is None and i["adjustment_id"] is None
               for i in items)
    # The two sides of the settlement are one transfer, money in first.
    assert items[3]["transfer_id"] == items[4]["transfer_id"]
    assert [i["transfer_id"] for i in items] == sorted((i["transfer_id"] for i in items),
                                                       reverse=True)
    # The latest row of each account shows its balance now.
    balances = funds.balances(shop)
    for kind in ("pending", "available"):
        assert next(i for i in items if i["account"] == kind)["balance_after_cents"] == \
            balances[kind]
    for i in items:
        parse_time(i["created_at"])

    # Filters: one account, one type, both.
    assert [brief(i) for i in all_flows(shop, account="pending")] == [
        ("pending", "order_income", "out", 1000, 0), ("pending", "order_income", "in", 1000, 1000)]
    assert [brief(i) for i in all_flows(shop, type="service_fee")] == [
        ("available", "service_fee", "in", 2, 996), ("available", "service_fee", "out", 6, 994)]
    assert [brief(i) for i in all_flows(shop, type="order_income", account="available")] == [
        ("available", "order_income", "in", 1000, 1000)]
    assert all_flows(shop, type="withdrawal") == []
    # Top-ups link their top-up.
    topups(shop, 1, amount=50)
    top = flows(shop, limit=1).json["items"][0]
    assert brief(top) == ("deposit", "topup", "in", 50, 50) and top["topup_id"] == 1
    assert top["order_sn"] is None


def test_flows_time_window_is_cut_at_posting_positions():
    shop, _ = funds.fresh_shop()
    # Three top-ups a day apart, posted at the times given.
    for day, amount in ((1, 10), (2, 20), (3, 30)):
        sql(f"SELECT ledger_post('window:{shop}:{day}', 'topup', {day},"
            f" ARRAY[ledger_account({shop}, 'provider_clearing')],"
            f" ARRAY[ledger_account({shop}, 'deposit')], ARRAY[{amount}]::bigint[],"
            f" ARRAY['topup'], '2026-03-0{day}T12:00:00Z')")
    amounts = lambda **w: [i["amount_cents"] for i in all_flows(shop, **w)]  # noqa: E731
    assert amounts() == [30, 20, 10]
    assert amounts(**{"from": "2026-03-02T00:00:00Z"}) == [30, 20]
    assert amounts(to="2026-03-02T12:00:00Z") == [10]
    assert amounts(**{"from": "2026-03-02T00:00:00Z", "to": "2026-03-03T00:00:00Z"}) == [20]
    assert amounts(**{"from": "2026-04-01T00:00:00Z"}) == []
    assert amounts(to="2026-01-01T00:00:00Z") == []


def test_flows_refuse_bad_parameters():
    shop, _ = funds.fresh_shop()
    for params, field in (({"account": "savings"}, "account"), ({"type": "payment"}, "type"),
                          ({"from": "yesterday"}, "from"), ({"limit": "0"}, "limit"),
                          ({"limit": "101"}, "limit"), ({"cursor": "not-a-cursor"}, "cursor"),
                          ({"from": "2026-03-02T00:00:00Z", "to": "2026-03-02T00:00:00Z"}, "to"),
                          ({"from": "2026-03-03T00:00:00Z", "to": "2026-03-02T00:00:00Z"}, "to")):
        r = flows(shop, **params)
        assert_problem(r, 400, "invalid_field")
        assert [e["field"] for e in r.json["errors"]] == [field], r.json
    # A cursor of another list, or one that names no side of a transfer.
    for plain in ("c:1:5", "f:10:3", "f:10:0"):
        cursor = base64.urlsafe_b64encode(plain.encode()).decode().rstrip("=")
        assert_problem(flows(shop, cursor=cursor), 400, "invalid_field")
    assert_problem(flows(shop, sort="id"), 400, "unknown_field")


def test_flows_and_statement_are_the_owners_only():
    w = funds.world()
    shop = w.shop
    for path in (f"/v1/shops/{shop}/funds/flows", f"/v1/shops/{shop}/funds/statement.csv"):
        assert_problem(call("GET", path, w.other_token), 404, "not_found")
        assert_problem(call("GET", path, w.buyer_token), 403, "forbidden")
        assert_problem(call("GET", path), 401, "unauthenticated")
        assert_problem(call("GET", path.replace(f"/{shop}/", "/999999999/"), w.token), 404,
                       "not_found")
        assert_problem(call("POST", path, w.token), 405, "method_not_allowed")


def test_flows_pages_never_repeat_or_skip_under_concurrent_posting():
    shop, _ = funds.fresh_shop()
    topups(shop, 95)
    before = {(i["transfer_id"], i["direction"]) for i in all_flows(shop)}
    assert len(before) == 95
    # Pages of 7 while another connection keeps posting to the same account.
    stop = threading.Event()

    def post_more():
        while not stop.is_set():
            topups(shop, 3)

    writer = threading.Thread(target=post_more)
    writer.start()
    try:
        seen = [(i["transfer_id"], i["direction"]) for i in all_flows(shop, limit=7)]
    finally:
        stop.set()
        writer.join()
    assert len(seen) == len(set(seen)), "a row came twice"
    assert before <= set(seen), "a row that existed before the first page was skipped"
    # Newer rows are above the first page; the walk stays in order.
    assert [t for t, _ in seen] == sorted((t for t, _ in seen), reverse=True)
    # Every balance after a row is the one before it plus its amount.
    rows = list(reversed(all_flows(shop, account="deposit")))
    running = 0
    for row in rows:
        running += row["amount_cents"] if row["direction"] == "in" else -row["amount_cents"]
        assert row["balance_after_cents"] == running


# ---------------------------------------------------------------------------
# The statement


def body(r):
    """A reply's bytes (the harness decodes them; valid UTF-8 round-trips)."""
    return r.raw.encode("utf-8")


def statement(shop, token=None, **params):
    query = urllib.parse.urlencode(params)
    return call("GET", f"/v1/shops/{shop}/funds/statement.csv" + (f"?{query}" if query else ""),
                token or funds.world().token)


def parse_statement(body):
    """(meta dict, {account: (opening, closing)}, rows, signature line)."""
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")
    head, sig_line = text[1:].rstrip("\r\n").rsplit("\r\n", 1)
    assert sig_line.startswith("# signature: ed25519ph "), sig_line
    sections = head.split("\r\n\r\n")
    assert len(sections) == 3, sections
    meta = list(csv.reader(io.StringIO(sections[0])))
    balances = list(csv.reader(io.StringIO(sections[1])))
    rows = list(csv.DictReader(io.StringIO(sections[2])))
    return (dict(zip(meta[0], meta[1])),
            {r[0]: (int(r[1]), int(r[2])) for r in balances[1:]}, rows, sig_line)


def save(body, name="statement.csv"):
    path = os.path.join(KEY_DIR, name)
    with open(path, "wb") as f:
        f.write(body)
    return path


def verify(path, *args, key=KEY):
    env = {"MERCHANTD_STATEMENT_KEY_FILE": key} if key else {}
    return run_cli(["verify-statement", path, *args], server().db_url, env=env)


def public_key(path):
    """A key file's public half, as the server publishes it."""
    s = start_server(env={"MERCHANTD_STATEMENT_KEY_FILE": path})
    try:
        r = s.request("GET", "/v1/platform/statement-key")
        assert r.status == 200, r
        return r.json
    finally:
        stop_server(s)


def test_statement_sums_and_is_signed():
    shop, sku = funds.fresh_shop(price=1000)
    first = funds.settled_order(shop, sku)
    funds.place_paid(shop, sku, 2)
    assert funds.decide(shop, funds.ask(first, 300), "approve").status == 200
    topups(shop, 3, amount=40)
    r = statement(shop)
    assert r.status == 200, r
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["cache-control"] == "no-store"
    assert f'filename="statement-{shop}.csv"' in r.headers["content-disposition"]
    meta, balances, rows, sig = parse_statement(body(r))
    assert meta["shop_id"] == str(shop) and meta["from"] == ""
    assert balances.keys() == {"pending", "available", "deposit", "promotion", "debt"}
    now = funds.balances(shop)
    for kind, (opening, closing) in balances.items():
        assert opening == 0 and closing == now[kind], (kind, balances)
        mine = [x for x in rows if x["account"] == kind]
        total = sum(int(x["amount_cents"]) * (1 if x["direction"] == "in" else -1) for x in mine)
        assert opening + total == closing, kind
        if mine:
            assert int(mine[-1]["balance_after_cents"]) == closing
    # The same rows as the flows, oldest first per account.
    listed = sorted(((int(x["transfer_id"]), x["direction"], x["account"], x["type"],
                      int(x["amount_cents"])) for x in rows))
    flowed = sorted(((i["transfer_id"], i["direction"], i["account"], i["type"],
                      i["amount_cents"]) for i in all_flows(shop)))
    assert listed == flowed

    # The key the server publishes names the key of the signature line.
    key = call("GET", "/v1/platform/statement-key").json
    assert key["algorithm"] == "ed25519ph" and meta["key_id"] == key["key_id"]
    assert sig.endswith(" key " + key["key_id"])
    assert len(base64.b64decode(key["public_key"])) == 32

    path = save(body(r))
    out = verify(path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "signature valid" in out.stdout
    out = verify(path, "--key", key["public_key"], key=None)
    assert out.returncode == 0, out.stdout + out.stderr
    # One byte changed anywhere before the signature fails.
    for at in (0, len(body(r)) // 2, len(body(r)) - len(sig) - 3):
        tampered = bytearray(body(r))
        tampered[at] ^= 0x01
        out = verify(save(bytes(tampered), "tampered.csv"))
        assert out.returncode == 1, (at, out.stdout)
        assert "signature invalid" in out.stdout or "not signed" in out.stdout
    # Cut short, or signed by another key.
    out = verify(save(body(r)[:-10], "cut.csv"))
    assert out.returncode == 1 and "not signed" in out.stdout
    other = public_key(OTHER_KEY)
    out = verify(path, "--key", other["public_key"], key=None)
    assert out.returncode == 1 and "another key" in out.stdout, out.stdout
    out = verify(path, key=OTHER_KEY)
    assert out.returncode == 1 and "another key" in out.stdout
    # A statement of the other key carries its id, and this key refuses it.
    s = start_server(env={"MERCHANTD_STATEMENT_KEY_FILE": OTHER_KEY}, db_url=server().db_url,
                     migrate=False)
    try:
        # Sessions live in the database: the same login works on both.
        theirs = s.request("GET", f"/v1/shops/{shop}/funds/statement.csv",
                           token=funds.world().token)
        assert theirs.status == 200
    finally:
        stop_server(s)
    out = verify(save(body(theirs), "theirs.csv"))
    assert out.returncode == 1 and "another key" in out.stdout
    assert verify(save(body(theirs), "theirs.csv"), key=OTHER_KEY).returncode == 0
    # Usage errors.
    assert verify(path, "--key", "not-base64!", key=None).returncode == 2
    assert verify(path, key=None).returncode == 2


def test_statement_window_and_language():
    shop, _ = funds.fresh_shop()
    for day, amount in ((1, 10), (2, 20), (3, 30), (4, 40)):
        sql(f"SELECT ledger_post('statement-window:{shop}:{day}', 'topup', {day},"
            f" ARRAY[ledger_account({shop}, 'provider_clearing')],"
            f" ARRAY[ledger_account({shop}, 'deposit')], ARRAY[{amount}]::bigint[],"
            f" ARRAY['topup'], '2026-05-0{day}T08:00:00Z')")
    r = statement(shop, **{"from": "2026-05-02T00:00:00Z", "to": "2026-05-04T00:00:00Z"})
    assert r.status == 200, r
    meta, balances, rows, _ = parse_statement(body(r))
    assert (meta["from"], meta["to"]) == ("2026-05-02T00:00:00Z", "2026-05-04T00:00:00Z")
    assert balances["deposit"] == (10, 60)
    assert [(x["amount_cents"], x["balance_after_cents"], x["type"]) for x in rows] == [
        ("20", "30", "topup"), ("30", "60", "topup")]
    assert [x["topup_id"] for x in rows] == ["2", "3"]
    assert verify(save(body(r))).returncode == 0
    # Chinese: the same numbers under Chinese headers and names, signed too.
    r = statement(shop, lang="zh-CN", to="2026-05-03T00:00:00Z")
    text = body(r).decode("utf-8")
    assert "期初余额(分)" in text and "保证金" in text and "充值" in text and "收入" in text
    assert verify(save(body(r))).returncode == 0
    for params, field in (({"from": "2026-05-04T00:00:00Z", "to": "2026-05-02T00:00:00Z"}, "to"),
                          ({"lang": "fr"}, "lang"), ({"to": "soon"}, "to")):
        r = statement(shop, **params)
        assert_problem(r, 400, "invalid_field")
        assert [e["field"] for e in r.json["errors"]] == [field]
    assert_problem(statement(shop, account="deposit"), 400, "unknown_field")


def test_statement_streams_many_batches_in_order():
    shop, _ = funds.fresh_shop()
    topups(shop, 2500, amount=3)
    r = statement(shop)
    assert r.status == 200
    _, balances, rows, _ = parse_statement(body(r))
    assert len(rows) == 2500 and balances["deposit"] == (0, 7500)
    ids = [int(x["transfer_id"]) for x in rows]
    assert ids == sorted(ids) and len(set(ids)) == 2500
    assert [int(x["balance_after_cents"]) for x in rows] == list(range(3, 7501, 3))
    assert verify(save(body(r))).returncode == 0


def test_without_a_key_statements_are_unavailable():
    s = start_server()
    try:
        assert_problem(s.request("GET", "/v1/platform/statement-key"), 503,
                       "statement_unavailable")
        name = uname("m")
        s.register(name)
        token = s.login(name)
        shop = int(psql(s.db_url, f"INSERT INTO shops (merchant_id, name, created_at, updated_at)"
                                  f" SELECT id, 'Tea', now(), now() FROM accounts"
                                  f" WHERE username = '{name}' RETURNING id"))
        r = s.request("GET", f"/v1/shops/{shop}/funds/statement.csv", token=token)
        assert_problem(r, 503, "statement_unavailable")
        assert s.request("GET", f"/v1/shops/{shop}/funds/flows", token=token).status == 200
    finally:
        stop_server(s)
    # A key file others may read, or of the wrong size, stops the start.
    loose = statement_key_file()
    os.chmod(loose, 0o644)
    short = os.path.join(KEY_DIR, "short.key")
    with open(short, "wb") as f:
        f.write(b"x" * 31)
    os.chmod(short, 0o600)
    for path, message in ((loose, "accessible to other users"), (short, "exactly 32 bytes")):
        out = run_cli(["serve"], server().db_url,
                      env={"MERCHANTD_STATEMENT_KEY_FILE": path, "PORT": str(free_port())})
        assert out.returncode == 2 and message in out.stderr, out.stderr


# ---------------------------------------------------------------------------
# Reconciliation


def funds_check():
    return run_cli(["funds", "check"], server().db_url)


def metric(name):
    r = call("GET", "/metrics")
    for line in r.raw.splitlines():
        if line.startswith(name + " "):
            return int(line.split()[1])
    return None


def test_funds_check_passes_and_finds_a_broken_ledger():
    shop, sku = funds.fresh_shop(price=500)
    funds.settled_order(shop, sku)
    funds.place_paid(shop, sku)
    out = funds_check()
    assert out.returncode == 0, out.stdout + out.stderr
    assert "funds check passed" in out.stdout
    assert call("POST", "/v1/test/jobs/run").status == 200
    assert metric("merchantd_funds_check_failures") == 0
    assert metric("merchantd_funds_check_last_run_timestamp_seconds") > 0
    assert sql("SELECT source, differences FROM funds_check_runs ORDER BY id DESC LIMIT 1") \
        == "job|0"

    # Break the ledger on purpose, past its append-only trigger: a transfer
    # that says it moved 1 fen more than the balances show, and money held
    # that no hold reserves. The database is this file's own, and this test
    # its last: what it breaks stays broken.
    transfer = sql(f"SELECT id FROM ledger_transfers WHERE credit_account_id ="
                   f" ledger_account({shop}, 'available') AND kind = 'settlement'")
    sql(f"ALTER TABLE ledger_transfers DISABLE TRIGGER ledger_transfers_append_only;"
        f" UPDATE ledger_transfers SET amount_cents = amount_cents + 1 WHERE id = {transfer};"
        f" ALTER TABLE ledger_transfers ENABLE TRIGGER ledger_transfers_append_only;"
        f" UPDATE ledger_accounts SET held = held + 5 WHERE id = ledger_account({shop}, 'available')")
    out = funds_check()
    assert out.returncode == 1, out.stdout
    assert "balances: account" in out.stdout and "transfers sum to" in out.stdout, out.stdout
    assert "held: account" in out.stdout and "open holds reserve 0" in out.stdout
    assert "running_balances: account" in out.stdout and "says the balance after it" in out.stdout
    assert "settlements: order" in out.stdout
    # Pending and available disagree with their transfers (twice each:
    # the sum and the running balances), the hold, the settlement.
    assert "funds check failed: 6 differences" in out.stdout, out.stdout
    assert call("POST", "/v1/test/jobs/run").status == 200
    assert metric("merchantd_funds_check_failures") == 6
    # An order settled twice (a second settlement event) is found too.
    order = sql(f"SELECT order_id FROM order_funds WHERE shop_id = {shop} AND state = 'settled'")
    sql(f"SELECT ledger_post('order:{order}:settled-again', 'order', {order},"
        f" ARRAY[ledger_account({shop}, 'pending')], ARRAY[ledger_account({shop}, 'available')],"
        f" ARRAY[1]::bigint[], ARRAY['settlement'], now())")
    out = funds_check()
    assert "2 settlement transfers, not once" in out.stdout, out.stdout


if __name__ == "__main__":
    server()  # the file's shared server signs with KEY
    main([test_flows_show_each_side_with_its_running_balance,
          test_flows_time_window_is_cut_at_posting_positions, test_flows_refuse_bad_parameters,
          test_flows_and_statement_are_the_owners_only,
          test_flows_pages_never_repeat_or_skip_under_concurrent_posting,
          test_statement_sums_and_is_signed, test_statement_window_and_language,
          test_statement_streams_many_batches_in_order,
          test_without_a_key_statements_are_unavailable,
          test_funds_check_passes_and_finds_a_broken_ledger])
