"""Funds: top-ups, the bank account, withdrawals and adjustments
(migrations/0026_funds_payouts.sql, db/sql/topup_confirm.sql,
withdrawal_*.sql, adjustment_*.sql, server/api/h_topups.c, h_withdrawals.c,
h_finance.c, payout_job.c). Money is checked to the fen in the ledger
itself; the payout job runs when a test asks (POST /v1/test/jobs/run) at a
frozen clock moved by the test, so no test sleeps."""

import datetime
import hashlib
import hmac
import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from harness import *  # noqa: E402,F401,F403

SECRET = b"sandbox-webhook-secret-for-tests-0123456789"
APPROVAL_CENTS = 500000
ADJUSTMENT_APPROVAL_CENTS = 100000
MIN_CENTS = 100
DAILY_LIMIT = 3
STAFF_PASSWORD = "staff-password"
T0 = datetime.datetime(2026, 12, 1, 4, 0, 0, tzinfo=datetime.timezone.utc)

_files = tempfile.mkdtemp(prefix="merchantd-funds-")
KEY_FILE = os.path.join(_files, "data.key")
SECRET_FILE = os.path.join(_files, "webhook.secret")
with open(KEY_FILE, "wb") as f:
    f.write(os.urandom(32))
with open(SECRET_FILE, "wb") as f:
    f.write(SECRET + b"\n")

ENV = {
    "MERCHANTD_DATA_KEY_FILE": KEY_FILE,
    "MERCHANTD_WEBHOOK_SECRET_FILE": SECRET_FILE,
    "MERCHANTD_WITHDRAWAL_MIN_CENTS": str(MIN_CENTS),
    "MERCHANTD_WITHDRAWAL_DAILY_LIMIT": str(DAILY_LIMIT),
    "MERCHANTD_WITHDRAWAL_APPROVAL_CENTS": str(APPROVAL_CENTS),
    "MERCHANTD_ADJUSTMENT_APPROVAL_CENTS": str(ADJUSTMENT_APPROVAL_CENTS),
    # Jobs run when a test asks, not on their own.
    "MERCHANTD_JOB_INTERVAL_SECONDS": "86400",
}


def server():
    return srv(ENV)


def now_at(seconds=0):
    return T0 + datetime.timedelta(seconds=seconds)


def freeze(seconds=0):
    server().set_clock(fmt_time(now_at(seconds)))


def run_jobs():
    r = server().request("POST", "/v1/test/jobs/run")
    assert r.status == 200, r


def req(method, path, token=None, body=None, headers=None, raw=None):
    return server().request(method, path, body=body, token=token, headers=headers, raw=raw)


def merchant_shop():
    """A merchant with a shop: (token, shop)."""
    server()
    mid, token = new_merchant()
    shop, _ = new_shop(mid)
    return token, shop


def new_staff(permissions):
    name = uname("st")
    args = ["create-staff", name] + (["--permissions", permissions] if permissions else [])
    out = run_cli(args, server().db_url, stdin=STAFF_PASSWORD + "\n")
    assert out.returncode == 0, out.stderr
    token = server().login(name, password=STAFF_PASSWORD)
    return int(sql(f"SELECT id FROM accounts WHERE username = {sql_literal(name)}")), token


def account_id(shop, kind):
    return int(sql(f"SELECT ledger_account({shop}, '{kind}')"))


def balance(shop, kind):
    return int(sql(f"SELECT balance FROM ledger_accounts WHERE id = ledger_account({shop}, '{kind}')"))


def held(shop, kind="available"):
    return int(sql(f"SELECT held FROM ledger_accounts WHERE id = ledger_account({shop}, '{kind}')"))


def ledger_consistent():
    """Every balance is the sum of its transfers; held is what open holds hold."""
    bad = sql("SELECT count(*) FROM ledger_accounts a WHERE a.balance <> "
              "coalesce((SELECT sum(amount_cents) FROM ledger_transfers WHERE credit_account_id = a.id), 0)"
              " - coalesce((SELECT sum(amount_cents) FROM ledger_transfers WHERE debit_account_id = a.id), 0)"
              " OR a.held <> coalesce((SELECT sum(amount_cents) FROM ledger_holds h"
              " WHERE h.account_id = a.id AND h.status = 'held'), 0)")
    assert bad == "0", bad
    assert sql("SELECT coalesce(sum(balance), 0) FROM ledger_accounts") == "0"


def bank(token, shop, account_no="6222020200112233", holder="Li Lei", bank_name="ICBC"):
    r = req("PUT", f"/v1/shops/{shop}/funds/bank-account", token,
            {"holder": holder, "bank": bank_name, "account_no": account_no})
    assert r.status == 200, r
    return r.json


def withdraw(token, shop, amount, key=None):
    return req("POST", f"/v1/shops/{shop}/funds/withdrawals", token, {"amount_cents": amount},
               headers={"Idempotency-Key": key or uuid.uuid4().hex})


def withdrawal(token, shop, wid):
    r = req("GET", f"/v1/shops/{shop}/funds/withdrawals/{wid}", token)
    assert r.status == 200, r
    return r.json


def signed(body, t=None, secret=SECRET):
    raw = json.dumps(body).encode()
    t = int(now_at().timestamp()) if t is None else t
    mac = hmac.new(secret, f"{t}.".encode() + raw, hashlib.sha256).hexdigest()
    return raw, {"Sandbox-Signature": f"t={t},v1={mac}", "Content-Type": "application/json"}


def webhook(body, t=None, secret=SECRET, provider="sandbox", signature=True):
    raw, headers = signed(body, t, secret)
    if not signature:
        del headers["Sandbox-Signature"]
    return req("POST", f"/v1/payments/webhooks/{provider}", raw=raw, headers=headers)


def new_topup(token, shop, account="deposit", amount=5000):
    r = req("POST", f"/v1/shops/{shop}/funds/topups", token,
            {"account": account, "amount_cents": amount})
    assert r.status == 201, r
    return r.json


def transfers(key):
    return int(sql(f"SELECT count(*) FROM ledger_transfers WHERE event_key = {sql_literal(key)}"))


# ---------------------------------------------------------------------------
# Top-ups


def test_topup_through_the_sandbox():
    freeze()
    token, shop = merchant_shop()
    t = new_topup(token, shop, "promotion", 12345)
    assert t["status"] == "pending" and t["provider"] == "sandbox" and t["confirmed_at"] is None
    assert t["provider_reference"].startswith("sbx_tp_")
    assert balance(shop, "promotion") == 0
    r = req("GET", f"/v1/shops/{shop}/funds/topups", token)
    assert r.status == 200 and [x["id"] for x in r.json["items"]] == [t["id"]], r
    paid = req("POST", f"/v1/shops/{shop}/funds/topups/{t['id']}/sandbox-pay", token)
    assert paid.status == 200 and paid.json["status"] == "posted", paid
    assert paid.json["topup"]["status"] == "succeeded"
    assert balance(shop, "promotion") == 12345
    assert transfers(f"topup:{t['id']}") == 1
    again = req("POST", f"/v1/shops/{shop}/funds/topups/{t['id']}/sandbox-pay", token)
    assert again.status == 200 and again.json["status"] == "already_confirmed", again
    assert balance(shop, "promotion") == 12345
    got = req("GET", f"/v1/shops/{shop}/funds/topups/{t['id']}", token)
    assert got.status == 200 and got.json["confirmed_at"] == fmt_time(now_at()), got
    ledger_consistent()


def test_topup_validation_and_tenancy():
    token, shop = merchant_shop()
    other, other_shop = merchant_shop()
    for body, field in (({"account": "available", "amount_cents": 1}, "account"),
                        ({"account": "deposit", "amount_cents": 0}, "amount_cents"),
                        ({"account": "deposit"}, "amount_cents")):
        r = req("POST", f"/v1/shops/{shop}/funds/topups", token, body)
        assert_problem(r, 400, "invalid_field")
        assert r.json["errors"][0]["field"] == field, r.json
    assert_problem(req("POST", f"/v1/shops/{shop}/funds/topups", token,
                       {"account": "deposit", "amount_cents": 1, "x": 1}), 400, "unknown_field")
    t = new_topup(token, shop)
    assert_problem(req("POST", f"/v1/shops/{shop}/funds/topups", other,
                       {"account": "deposit", "amount_cents": 1}), 404, "not_found")
    assert_problem(req("GET", f"/v1/shops/{shop}/funds/topups/{t['id']}", other), 404, "not_found")
    assert_problem(req("GET", f"/v1/shops/{other_shop}/funds/topups/{t['id']}", other), 404,
                   "not_found")
    assert_problem(req("POST", f"/v1/shops/{shop}/funds/topups/{t['id']}/sandbox-pay", other), 404,
                   "not_found")
    _, buyer = new_buyer()
    assert_problem(req("GET", f"/v1/shops/{shop}/funds/topups", buyer), 403, "forbidden")
    assert balance(shop, "deposit") == 0


def test_webhook_forged_stale_and_replayed():
    freeze()
    token, shop = merchant_shop()
    t = new_topup(token, shop, "deposit", 7000)
    event = {"id": "evt_" + uuid.uuid4().hex, "type": "topup.succeeded",
             "reference": t["provider_reference"], "amount_cents": 7000}
    assert_problem(webhook(event, secret=b"not-the-secret-not-the-secret-000"), 401,
                   "invalid_signature")
    assert_problem(webhook(event, signature=False), 401, "invalid_signature")
    raw, headers = signed(event)
    headers["Sandbox-Signature"] = headers["Sandbox-Signature"].replace("v1=", "v1=0")
    assert_problem(req("POST", "/v1/payments/webhooks/sandbox", raw=raw, headers=headers), 401,
                   "invalid_signature")
    # The body changed after signing.
    raw, headers = signed(event)
    tampered = raw.replace(b"7000", b"9000")
    assert_problem(req("POST", "/v1/payments/webhooks/sandbox", raw=tampered, headers=headers), 401,
                   "invalid_signature")
    now = int(now_at().timestamp())
    assert_problem(webhook(event, t=now - 301), 401, "signature_expired")
    assert_problem(webhook(event, t=now + 301), 401, "signature_expired")
    assert balance(shop, "deposit") == 0 and transfers(f"topup:{t['id']}") == 0
    assert_problem(webhook(event, provider="nosuch"), 404, "not_found")
    wrong = dict(event, id="evt_" + uuid.uuid4().hex, amount_cents=7001)
    assert_problem(webhook(wrong), 400, "invalid_field")
    unknown = dict(event, id="evt_" + uuid.uuid4().hex, reference="sbx_tp_nosuch")
    assert_problem(webhook(unknown), 404, "not_found")
    assert balance(shop, "deposit") == 0
    # Within the window, at its edge.
    r = webhook(event, t=now - 299)
    assert r.status == 200 and r.json["status"] == "posted", r
    assert balance(shop, "deposit") == 7000
    assert_problem(webhook(event), 409, "webhook_replayed")
    other = webhook(dict(event, id="evt_" + uuid.uuid4().hex))
    assert other.status == 200 and other.json["status"] == "already_confirmed", other
    ignored = webhook(dict(event, id="evt_" + uuid.uuid4().hex, type="payout.updated"))
    assert ignored.status == 200 and ignored.json == {"status": "ignored"}, ignored
    assert balance(shop, "deposit") == 7000 and transfers(f"topup:{t['id']}") == 1
    ledger_consistent()


def test_webhook_replayed_in_parallel():
    freeze()
    token, shop = merchant_shop()
    t = new_topup(token, shop, "deposit", 4321)
    event = {"id": "evt_" + uuid.uuid4().hex, "type": "topup.succeeded",
             "reference": t["provider_reference"], "amount_cents": 4321}
    results = parallel(webhook, [(event,)] * 20)
    statuses = sorted(r.status for r in results)
    assert statuses == [200] + [409] * 19, statuses
    assert balance(shop, "deposit") == 4321 and transfers(f"topup:{t['id']}") == 1
    # Distinct events of one top-up, in parallel: it still posts once.
    t2 = new_topup(token, shop, "deposit", 100)
    events = [dict(event, id=f"evt_{i}_{uuid.uuid4().hex}", reference=t2["provider_reference"],
                   amount_cents=100) for i in range(20)]
    results = parallel(webhook, [(e,) for e in events])
    assert all(r.status == 200 for r in results), results
    assert sorted(r.json["status"] for r in results).count("posted") == 1
    assert balance(shop, "deposit") == 4421
    ledger_consistent()


# ---------------------------------------------------------------------------
# The bank account


def test_bank_account():
    token, shop = merchant_shop()
    assert_problem(req("GET", f"/v1/shops/{shop}/funds/bank-account", token), 404, "not_found")
    for body, field in (({"holder": "Li", "bank": "ICBC", "account_no": "6222 0202"}, "account_no"),
                        ({"holder": "Li", "bank": "ICBC", "account_no": "1234567"}, "account_no"),
                        ({"holder": "Li", "bank": "ICBC", "account_no": "1" * 31}, "account_no"),
                        ({"holder": "  ", "bank": "ICBC", "account_no": "12345678"}, "holder"),
                        ({"holder": "Li\n", "bank": "ICBC", "account_no": "12345678"}, "holder"),
                        ({"holder": "Li", "bank": "", "account_no": "12345678"}, "bank"),
                        ({"holder": "Li", "bank": "ICBC", "account_no": 12345678}, "account_no"),
                        ({"holder": "Li", "bank": "ICBC"}, "account_no")):
        r = req("PUT", f"/v1/shops/{shop}/funds/bank-account", token, body)
        assert_problem(r, 400, "invalid_field")
        assert [e["field"] for e in r.json["errors"]] == [field], r.json
    b = bank(token, shop, "6222020200114321", holder="李雷", bank_name="中国工商银行")
    assert b == {"shop_id": shop, "holder": "李雷", "bank": "中国工商银行",
                 "account_no": "**** 4321", "updated_at": b["updated_at"]}, b
    r = req("GET", f"/v1/shops/{shop}/funds/bank-account", token)
    assert r.status == 200 and r.json["account_no"] == "**** 4321", r
    assert "6222020200114321" not in r.raw
    # At rest: sealed, with its key id; the digits nowhere in the row.
    row = sql(f"SELECT account_key, length(account_nonce), length(account_box), "
              f"position(convert_to('6222020200114321', 'UTF8') in account_box) "
              f"FROM shop_bank_accounts WHERE shop_id = {shop}")
    key_id, nonce_len, box_len, pos = row.split("|")
    assert len(key_id) == 16 and nonce_len == "24" and box_len == str(16 + 16) and pos == "0", row
    assert "6222020200114321" not in sql(f"SELECT row_to_json(b)::text FROM shop_bank_accounts b "
                                         f"WHERE shop_id = {shop}")
    # A sealed number copied to another shop does not open there: the
    # payout fails rather than paying the wrong shop's account.
    other, other_shop = merchant_shop()
    assert_problem(req("GET", f"/v1/shops/{shop}/funds/bank-account", other), 404, "not_found")
    assert_problem(req("PUT", f"/v1/shops/{shop}/funds/bank-account", other,
                       {"holder": "x", "bank": "y", "account_no": "12345678"}), 404, "not_found")
    _, buyer = new_buyer()
    assert_problem(req("GET", f"/v1/shops/{shop}/funds/bank-account", buyer), 403, "forbidden")
    assert "6222020200114321" not in server().log()


def test_sealed_account_bound_to_its_shop():
    freeze()
    token, shop = merchant_shop()
    other, other_shop = merchant_shop()
    bank(token, shop, "6222020200115555")
    bank(other, other_shop, "6222020200116666")
    sql(f"UPDATE shop_bank_accounts b SET account_key = s.account_key, account_nonce = s.account_nonce,"
        f" account_box = s.account_box FROM shop_bank_accounts s"
        f" WHERE b.shop_id = {other_shop} AND s.shop_id = {shop}")
    ledger_fund(other_shop, 1000)
    w = withdraw(other, other_shop, 1000)
    assert w.status == 201, w
    run_jobs()
    got = withdrawal(other, other_shop, w.json["id"])
    assert got["status"] == "failed" and got["reason"] == "the bank account could not be read", got
    assert balance(other_shop, "available") == 1000 and held(other_shop) == 0


# ---------------------------------------------------------------------------
# Withdrawals


def test_withdrawal_succeeds():
    freeze()
    token, shop = merchant_shop()
    ledger_fund(shop, 10000)
    assert_problem(withdraw(token, shop, 5000), 409, "bank_account_required")
    bank(token, shop)
    r = req("POST", f"/v1/shops/{shop}/funds/withdrawals", token, {"amount_cents": 5000})
    assert_problem(r, 400, "idempotency_key_required")
    r = withdraw(token, shop, MIN_CENTS - 1)
    assert_problem(r, 400, "invalid_field")
    assert r.json["errors"][0]["field"] == "amount_cents"
    assert_problem(withdraw(token, shop, 10001), 409, "insufficient_funds")
    assert held(shop) == 0
    r = withdraw(token, shop, 6000, key="w-1")
    assert r.status == 201, r
    w = r.json
    assert w["status"] == "requested" and w["approval"] == "none", w
    assert w["bank_account"] == {"holder": "Li Lei", "bank": "ICBC", "account_no": "**** 2233"}
    assert held(shop) == 6000 and balance(shop, "available") == 10000
    replay = withdraw(token, shop, 6000, key="w-1")
    assert replay.status == 201 and replay.json == w and \
        replay.headers.get("idempotent-replayed") == "true", replay
    assert_problem(withdraw(token, shop, 100), 409, "withdrawal_open")
    assert_problem(withdraw(token, shop, 6001, key="w-1"), 422, "idempotency_key_reused")
    run_jobs()
    w = withdrawal(token, shop, w["id"])
    assert w["status"] == "submitted" and w["provider_reference"].startswith("sbx_po_"), w
    assert_problem(req("POST", f"/v1/shops/{shop}/funds/withdrawals/{w['id']}/cancel", token),
                   409, "invalid_state")
    run_jobs()  # the sandbox has not settled it yet
    assert withdrawal(token, shop, w["id"])["status"] == "submitted"
    freeze(3)
    run_jobs()
    w = withdrawal(token, shop, w["id"])
    assert w["status"] == "succeeded" and w["resolved_at"] == fmt_time(now_at(3)), w
    assert balance(shop, "available") == 4000 and held(shop) == 0
    assert int(sql(f"SELECT t.amount_cents FROM ledger_transfers t JOIN ledger_holds h "
                   f"ON h.transfer_id = t.id WHERE h.event_key = 'withdrawal:{w['id']}:hold' "
                   f"AND t.kind = 'withdrawal' AND t.credit_account_id = "
                   f"ledger_account({shop}, 'payout_clearing')")) == 6000
    freeze(10)
    run_jobs()
    assert withdrawal(token, shop, w["id"])["status"] == "succeeded"
    r = req("GET", f"/v1/shops/{shop}/funds/withdrawals", token)
    assert r.status == 200 and [x["id"] for x in r.json["items"]] == [w["id"]], r
    actions = sql(f"SELECT string_agg(action, ',' ORDER BY id) FROM funds_audit "
                  f"WHERE object = 'withdrawal' AND object_id = {w['id']}")
    assert actions == "withdrawal_submitted,withdrawal_succeeded", actions
    ledger_consistent()


def test_withdrawal_fails_and_returns():
    freeze()
    token, shop = merchant_shop()
    ledger_fund(shop, 3000)
    bank(token, shop, "6222020200110000")  # the sandbox's failing account
    w = withdraw(token, shop, 3000).json
    run_jobs()
    freeze(3)
    run_jobs()
    w = withdrawal(token, shop, w["id"])
    assert w["status"] == "failed" and "refused" in w["reason"], w
    assert balance(shop, "available") == 3000 and held(shop) == 0
    # Returned after success: paid, then sent back by the bank.
    bank(token, shop, "6222020200119999")
    w = withdraw(token, shop, 2500).json
    freeze(4)
    run_jobs()
    freeze(7)
    run_jobs()
    assert withdrawal(token, shop, w["id"])["status"] == "succeeded"
    assert balance(shop, "available") == 500
    freeze(9)
    run_jobs()
    w = withdrawal(token, shop, w["id"])
    assert w["status"] == "returned" and w["returned_at"] == fmt_time(now_at(9)), w
    assert balance(shop, "available") == 3000
    row = sql(f"SELECT kind, amount_cents, debit_account_id = ledger_account({shop}, 'payout_clearing')"
              f" FROM ledger_transfers WHERE event_key = 'withdrawal:{w['id']}:returned'")
    assert row == "withdrawal_returned|2500|t", row
    run_jobs()
    assert transfers(f"withdrawal:{w['id']}:returned") == 1
    # The database refuses going back, whoever writes.
    out = psql_error(f"UPDATE withdrawals SET status = 'succeeded', returned_at = NULL WHERE id = {w['id']}")
    assert "cannot go from" in out, out
    for change in ("provider_ref = 'sbx_po_other'", "amount_cents = 1", "account_last4 = '0000'",
                   "status = 'canceled'", "resolved_at = now()"):
        out = psql_error(f"UPDATE withdrawals SET {change} WHERE id = {w['id']}")
        assert "cannot go from" in out, (change, out)
    ledger_consistent()


def psql_error(query):
    try:
        sql(query)
    except Exception as e:  # psql failed: its message
        return str(e)
    return ""


def test_payout_sent_again_after_a_crash():
    """Marked submitted, then the process died before the provider took it
    (or the provider was unreachable): the next run sends the same payout
    and it completes once."""
    freeze()
    token, shop = merchant_shop()
    ledger_fund(shop, 4000)
    bank(token, shop)
    w = withdraw(token, shop, 4000).json
    assert sql(f"SELECT withdrawal_advance({w['id']}, 'submitted', 'sandbox', NULL, NULL, "
               f"timestamptz '{fmt_time(now_at())}')") == "ok"
    got = withdrawal(token, shop, w["id"])
    assert got["status"] == "submitted" and got["provider_reference"] is None, got
    assert_problem(req("POST", f"/v1/shops/{shop}/funds/withdrawals/{w['id']}/cancel", token),
                   409, "invalid_state")
    run_jobs()
    got = withdrawal(token, shop, w["id"])
    assert got["provider_reference"] == f"sbx_po_{w['id']}_p", got
    freeze(3)
    run_jobs()
    run_jobs()
    assert withdrawal(token, shop, w["id"])["status"] == "succeeded"
    assert balance(shop, "available") == 0 and held(shop) == 0
    assert int(sql(f"SELECT count(*) FROM funds_audit WHERE object = 'withdrawal' "
                   f"AND object_id = {w['id']} AND action = 'withdrawal_succeeded'")) == 1
    ledger_consistent()


def test_withdrawals_page():
    freeze()
    token, shop = merchant_shop()
    ledger_fund(shop, 1000)
    bank(token, shop)
    made = []
    for _ in range(3):
        w = withdraw(token, shop, 300).json
        made.append(w["id"])
        assert req("POST", f"/v1/shops/{shop}/funds/withdrawals/{w['id']}/cancel", token).status == 200
    first = req("GET", f"/v1/shops/{shop}/funds/withdrawals?limit=2", token)
    assert first.status == 200 and [x["id"] for x in first.json["items"]] == made[::-1][:2], first
    cursor = first.json["next_cursor"]
    assert cursor
    second = req("GET", f"/v1/shops/{shop}/funds/withdrawals?limit=2&cursor={cursor}", token)
    assert [x["id"] for x in second.json["items"]] == [made[0]] and \
        second.json["next_cursor"] is None, second
    assert_problem(req("GET", f"/v1/shops/{shop}/funds/withdrawals?limit=0", token), 400,
                   "invalid_field")
    assert_problem(req("GET", f"/v1/shops/{shop}/funds/withdrawals?cursor=zzz", token), 400,
                   "invalid_field")


def test_withdrawal_cancel_and_daily_limit():
    freeze()
    token, shop = merchant_shop()
    other, _ = merchant_shop()
    ledger_fund(shop, 1000)
    bank(token, shop)
    for i in range(DAILY_LIMIT):
        w = withdraw(token, shop, 1000)
        assert w.status == 201, w
        assert held(shop) == 1000
        assert_problem(req("POST", f"/v1/shops/{shop}/funds/withdrawals/{w.json['id']}/cancel",
                           other), 404, "not_found")
        c = req("POST", f"/v1/shops/{shop}/funds/withdrawals/{w.json['id']}/cancel", token)
        assert c.status == 200 and c.json["status"] == "canceled", c
        assert held(shop) == 0
        assert_problem(req("POST", f"/v1/shops/{shop}/funds/withdrawals/{w.json['id']}/cancel",
                           token), 409, "invalid_state")
    assert_problem(withdraw(token, shop, 1000), 409, "withdrawal_limit")
    # The next day in MERCHANTD_TZ (Asia/Shanghai: T0 is 12:00 there).
    freeze(12 * 3600 + 1)
    assert withdraw(token, shop, 1000).status == 201
    assert balance(shop, "available") == 1000
    ledger_consistent()


def test_withdrawals_race_for_the_whole_balance():
    freeze()
    token, shop = merchant_shop()
    ledger_fund(shop, 88888)
    bank(token, shop)
    results = parallel(withdraw, [(token, shop, 88888)] * 50)
    accepted = [r for r in results if r.status == 201]
    assert len(accepted) == 1, sorted(r.status for r in results)
    for r in results:
        if r.status != 201:
            assert r.status == 409 and r.json["code"] in ("withdrawal_open", "insufficient_funds"), r
    assert held(shop) == 88888
    assert sql(f"SELECT count(*) FROM withdrawals WHERE shop_id = {shop}") == "1"
    ledger_consistent()


def test_withdrawal_against_a_clawback():
    """A withdrawal and a clawback of available (the refund-after-settlement
    path takes available first) race for the same money: the ledger lets
    exactly one have it, and available never covers more than it holds."""
    freeze()
    for _ in range(5):
        token, shop = merchant_shop()
        ledger_fund(shop, 5000)
        bank(token, shop)
        key = f"test-clawback:{shop}"

        def clawback():
            return sql(f"SELECT ledger_post({sql_literal(key)}, 'adjustment', 1, "
                       f"ARRAY[ledger_account({shop}, 'available')], "
                       f"ARRAY[ledger_account({shop}, 'provider_clearing')], ARRAY[5000]::bigint[],"
                       f" ARRAY['clawback'], now())")

        w, c = parallel(lambda f: f(), [(lambda: withdraw(token, shop, 5000),), (clawback,)])
        assert (w.status == 201) != (c == "ok"), (w, c)
        assert balance(shop, "available") - held(shop) == 0
        if w.status == 201:
            assert held(shop) == 5000
        else:
            assert_problem(w, 409, "insufficient_funds")
    ledger_consistent()


def settled_order(token, shop, sku, buyer):
    """An order of the buyer at the shop, paid, shipped and confirmed: settled."""
    r = req("POST", "/v1/orders", buyer, {"shop_id": shop, "items": [{"sku_id": sku, "quantity": 1}],
                                          "address": ADDRESS})
    assert r.status == 201, r
    order = r.json["id"]
    assert req("POST", f"/v1/orders/{order}/pay", buyer).status == 200
    assert req("POST", f"/v1/shops/{shop}/orders/{order}/ship", token,
               {"carrier": "sf", "tracking_no": "SF1234567"}).status == 200
    assert req("POST", f"/v1/orders/{order}/confirm-receipt", buyer).status == 200
    return order


def test_withdrawal_against_a_refund_after_settlement():
    """The order flows' clawback (a refund after settlement, approved by the
    merchant) and a withdrawal of the same money race: whichever locks
    available first has it, the other takes what is left (the clawback
    reaches the deposit, then debt) or is refused."""
    freeze()
    outcomes = set()
    for _ in range(4):
        mid, token = new_merchant()
        _, buyer = new_buyer()
        shop, sku = new_shop(mid, stock=100, price=1000)
        bank(token, shop)
        order = settled_order(token, shop, sku, buyer)
        assert balance(shop, "available") == 994  # less the 6 fen fee
        r = req("POST", f"/v1/orders/{order}/after-sales", buyer,
                {"type": "refund_only", "reason": "arrived damaged"})
        assert r.status == 201, r
        ask = r.json["id"]
        w, a = parallel(lambda f: f(), [
            (lambda: withdraw(token, shop, 994),),
            (lambda: req("POST", f"/v1/shops/{shop}/after-sales/{ask}/approve", token),)])
        assert a.status == 200, a
        if w.status == 201:
            outcomes.add("withdrawal first")
            # Held stays whole; the clawback took the 6 fen fee returned and
            # put the shop 994 in debt.
            assert held(shop) == 994 and balance(shop, "available") == 994
            assert balance(shop, "debt") == -994
        else:
            outcomes.add("refund first")
            assert_problem(w, 409, "insufficient_funds")
            assert held(shop) == 0 and balance(shop, "available") == 0
            assert balance(shop, "debt") == 0
        assert balance(shop, "available") - held(shop) >= 0
    ledger_consistent()
    print(f"  outcomes seen: {sorted(outcomes)}")


# ---------------------------------------------------------------------------
# Staff: approvals and adjustments


def test_withdrawal_approval():
    freeze()
    token, shop = merchant_shop()
    ledger_fund(shop, 2 * APPROVAL_CENTS)
    bank(token, shop)
    w = withdraw(token, shop, APPROVAL_CENTS + 1).json
    assert w["approval"] == "pending", w
    run_jobs()
    assert withdrawal(token, shop, w["id"])["status"] == "requested"
    _, finance = new_staff("finance")
    _, reviewer = new_staff("review")
    r = req("GET", "/v1/platform/funds/withdrawals/pending", reviewer)
    assert_problem(r, 403, "forbidden")
    assert r.json["missing_permission"] == "finance"
    assert_problem(req("GET", "/v1/platform/funds/withdrawals/pending", token), 403, "forbidden")
    assert_problem(req("POST", f"/v1/platform/funds/withdrawals/{w['id']}/approve", reviewer), 403,
                   "forbidden")
    r = req("GET", "/v1/platform/funds/withdrawals/pending?limit=100", finance)
    assert r.status == 200 and w["id"] in [x["id"] for x in r.json["items"]], r
    a = req("POST", f"/v1/platform/funds/withdrawals/{w['id']}/approve", finance)
    assert a.status == 200 and a.json["approval"] == "approved", a
    assert_problem(req("POST", f"/v1/platform/funds/withdrawals/{w['id']}/approve", finance), 409,
                   "invalid_state")
    run_jobs()
    assert withdrawal(token, shop, w["id"])["status"] == "submitted"
    freeze(3)
    run_jobs()
    assert withdrawal(token, shop, w["id"])["status"] == "succeeded"
    assert balance(shop, "available") == APPROVAL_CENTS - 1
    # Rejected, with the reason: the hold goes.
    w2 = withdraw(token, shop, APPROVAL_CENTS - 1).json
    assert w2["approval"] == "none"
    freeze(6)
    run_jobs()
    run_jobs()
    freeze(9)
    run_jobs()
    ledger_fund(shop, APPROVAL_CENTS * 2)
    w3 = withdraw(token, shop, APPROVAL_CENTS * 2).json
    assert_problem(req("POST", f"/v1/platform/funds/withdrawals/{w3['id']}/reject", finance, {}), 400,
                   "invalid_field")
    r = req("POST", f"/v1/platform/funds/withdrawals/{w3['id']}/reject", finance,
            {"reason": "bank account under review"})
    assert r.status == 200 and r.json["status"] == "canceled" and r.json["approval"] == "rejected", r
    assert r.json["reason"] == "bank account under review"
    assert held(shop) == 0
    assert_problem(req("POST", f"/v1/platform/funds/withdrawals/{w2['id']}/approve", finance), 404,
                   "not_found")
    assert_problem(req("POST", "/v1/platform/funds/withdrawals/999999999/approve", finance), 404,
                   "not_found")
    audit = sql(f"SELECT string_agg(action, ',' ORDER BY id) FROM funds_audit WHERE object_id IN "
                f"({w['id']}, {w3['id']}) AND object = 'withdrawal' AND actor_id IS NOT NULL")
    assert audit == "withdrawal_approved,withdrawal_rejected", audit
    ledger_consistent()


def adjust(token, shop, amount, direction="credit", account="available",
           platform="platform_promotion", reason="compensation for a lost parcel"):
    return req("POST", "/v1/platform/funds/adjustments", token,
               {"shop_id": shop, "account": account, "platform_account": platform,
                "direction": direction, "amount_cents": amount, "reason": reason},
               headers={"Idempotency-Key": uuid.uuid4().hex})


def test_adjustments_four_eyes():
    freeze()
    _, shop = merchant_shop()
    merchant, _ = merchant_shop()
    first_id, first = new_staff("finance")
    second_id, second = new_staff("finance,review")
    _, reviewer = new_staff("review")
    r = adjust(reviewer, shop, 100)
    assert_problem(r, 403, "forbidden")
    assert r.json["missing_permission"] == "finance"
    assert_problem(adjust(merchant, shop, 100), 403, "forbidden")
    small = adjust(first, shop, ADJUSTMENT_APPROVAL_CENTS)
    assert small.status == 201 and small.json["status"] == "posted", small
    assert small.json["created_by"] == first_id and small.json["decided_by"] is None
    assert balance(shop, "available") == ADJUSTMENT_APPROVAL_CENTS
    assert transfers(f"adjustment:{small.json['id']}") == 1
    big = adjust(first, shop, ADJUSTMENT_APPROVAL_CENTS + 1, account="deposit")
    assert big.status == 201 and big.json["status"] == "pending_approval", big
    assert balance(shop, "deposit") == 0
    aid = big.json["id"]
    assert_problem(req("POST", f"/v1/platform/funds/adjustments/{aid}/approve", first), 409,
                   "four_eyes_required")
    assert_problem(req("POST", f"/v1/platform/funds/adjustments/{aid}/approve", reviewer), 403,
                   "forbidden")
    r = req("GET", "/v1/platform/funds/adjustments?status=pending_approval&limit=100", second)
    assert r.status == 200 and aid in [x["id"] for x in r.json["items"]], r
    ok = req("POST", f"/v1/platform/funds/adjustments/{aid}/approve", second)
    assert ok.status == 200 and ok.json["status"] == "posted" and ok.json["decided_by"] == second_id, ok
    assert balance(shop, "deposit") == ADJUSTMENT_APPROVAL_CENTS + 1
    assert_problem(req("POST", f"/v1/platform/funds/adjustments/{aid}/approve", second), 409,
                   "invalid_state")
    # A debit beyond the balance: refused, nothing written.
    assert_problem(adjust(first, shop, 100, direction="debit", account="promotion"), 409,
                   "insufficient_funds")
    assert sql(f"SELECT count(*) FROM funds_adjustments WHERE shop_id = {shop}"
               f" AND account = 'promotion'") == "0"
    # One waiting for approval that cannot be covered when approved: it stays.
    waiting = adjust(first, shop, ADJUSTMENT_APPROVAL_CENTS * 3, direction="debit",
                     account="deposit").json
    assert waiting["status"] == "pending_approval", waiting
    assert_problem(req("POST", f"/v1/platform/funds/adjustments/{waiting['id']}/approve", second),
                   409, "insufficient_funds")
    assert sql(f"SELECT status FROM funds_adjustments WHERE id = {waiting['id']}") == \
        "pending_approval"
    debit = adjust(first, shop, 40000, direction="debit", platform="fee_revenue")
    assert debit.status == 201 and debit.json["status"] == "posted", debit
    assert balance(shop, "available") == ADJUSTMENT_APPROVAL_CENTS - 40000
    # Rejected by the second pair of eyes.
    big2 = adjust(first, shop, ADJUSTMENT_APPROVAL_CENTS * 5).json
    assert_problem(req("POST", f"/v1/platform/funds/adjustments/{big2['id']}/reject", second,
                       {"reason": " "}), 400, "invalid_field")
    rej = req("POST", f"/v1/platform/funds/adjustments/{big2['id']}/reject", second,
              {"reason": "not documented"})
    assert rej.status == 200 and rej.json["status"] == "rejected", rej
    assert rej.json["decision_reason"] == "not documented"
    assert transfers(f"adjustment:{big2['id']}") == 0
    assert_problem(adjust(first, 999999999, 1), 404, "not_found")
    assert_problem(req("POST", "/v1/platform/funds/adjustments/999999999/approve", second), 404,
                   "not_found")
    audit = sql(f"SELECT string_agg(action || ':' || coalesce(actor_id::text, '-'), ',' ORDER BY id)"
                f" FROM funds_audit WHERE object = 'adjustment' AND object_id = {aid}")
    assert audit == (f"adjustment_requested:{first_id},adjustment_posted:-,"
                     f"adjustment_approved:{second_id}"), audit
    r = req("GET", f"/v1/platform/funds/audit?object=adjustment&object_id={aid}", second)
    assert r.status == 200, r
    assert [(e["action"], e["actor_id"]) for e in r.json["items"]] == [
        ("adjustment_approved", second_id), ("adjustment_posted", None),
        ("adjustment_requested", first_id)], r.json
    assert r.json["items"][2]["detail"]["reason"] == "compensation for a lost parcel"
    page = req("GET", f"/v1/platform/funds/audit?shop_id={shop}&limit=2", second)
    assert page.status == 200 and len(page.json["items"]) == 2 and page.json["next_cursor"], page
    rest = req("GET", f"/v1/platform/funds/audit?shop_id={shop}&limit=100&cursor="
                      f"{page.json['next_cursor']}", second)
    assert rest.status == 200 and all(e["id"] < page.json["items"][1]["id"]
                                      for e in rest.json["items"]), rest
    assert_problem(req("GET", "/v1/platform/funds/audit", reviewer), 403, "forbidden")
    assert_problem(req("GET", "/v1/platform/funds/audit?object=order", second), 400,
                   "invalid_field")
    out = psql_error(f"DELETE FROM funds_audit WHERE object_id = {aid}")
    assert "append-only" in out, out
    ledger_consistent()


def test_authorisation_of_shop_routes():
    token, shop = merchant_shop()
    other, _ = merchant_shop()
    _, buyer = new_buyer()
    _, finance = new_staff("finance")
    paths = [("GET", f"/v1/shops/{shop}/funds/topups", None),
             ("GET", f"/v1/shops/{shop}/funds/withdrawals", None),
             ("GET", f"/v1/shops/{shop}/funds/withdrawals/1", None),
             ("POST", f"/v1/shops/{shop}/funds/withdrawals", {"amount_cents": 1000}),
             ("POST", f"/v1/shops/{shop}/funds/withdrawals/1/cancel", None)]
    for method, path, body in paths:
        h = {"Idempotency-Key": uuid.uuid4().hex} if method == "POST" else None
        assert_problem(req(method, path, other, body, headers=h), 404, "not_found")
        assert_problem(req(method, path, buyer, body, headers=h), 403, "forbidden")
        assert_problem(req(method, path, finance, body, headers=h), 403, "forbidden")
        assert_problem(req(method, path, None, body, headers=h), 401, "unauthenticated")


def test_data_key_rotation():
    """A new data key with the old one listed: the reseal job seals every
    number again under the new key, and payouts still open them."""
    freeze()
    token, shop = merchant_shop()
    bank(token, shop, "6222020200117777")
    old_id = sql(f"SELECT account_key FROM shop_bank_accounts WHERE shop_id = {shop}")
    new_key = os.path.join(_files, "data-2.key")
    with open(new_key, "wb") as f:
        f.write(os.urandom(32))
    rotated = start_server(env=dict(ENV, MERCHANTD_DATA_KEY_FILE=new_key,
                                    MERCHANTD_DATA_OLD_KEY_FILES=f"{KEY_FILE}:"),
                           db_url=server().db_url, migrate=False)
    rotated.set_clock(fmt_time(now_at()))
    assert rotated.request("POST", "/v1/test/jobs/run").status == 200
    new_id = sql(f"SELECT account_key FROM shop_bank_accounts WHERE shop_id = {shop}")
    assert len(new_id) == 16 and new_id != old_id, (old_id, new_id)
    # All but the one test_sealed_account_bound_to_its_shop altered, which
    # no key opens: it stays, and the log says why.
    assert sql(f"SELECT count(*) FROM shop_bank_accounts WHERE account_key = '{old_id}'") == "1"
    assert "do not open under any configured data key" in rotated.log()
    ledger_fund(shop, 2000)
    w = rotated.request("POST", f"/v1/shops/{shop}/funds/withdrawals", {"amount_cents": 2000},
                        token=token, headers={"Idempotency-Key": uuid.uuid4().hex})
    assert w.status == 201, w
    rotated.set_clock(fmt_time(now_at(3)))
    assert rotated.request("POST", "/v1/test/jobs/run").status == 200
    rotated.set_clock(fmt_time(now_at(6)))
    assert rotated.request("POST", "/v1/test/jobs/run").status == 200
    assert sql(f"SELECT status FROM withdrawals WHERE id = {w.json['id']}") == "succeeded"
    stop_server(rotated)
    # A key file that is not 32 bytes stops the start.
    bad = os.path.join(_files, "short.key")
    with open(bad, "wb") as f:
        f.write(b"too short")
    out = subprocess.run([MERCHANTD, "serve"], env=dict(os.environ, DATABASE_URL=server().db_url,
                                                         MERCHANTD_DATA_KEY_FILE=bad, PORT="1"),
                         capture_output=True, text=True, timeout=30)
    assert out.returncode != 0 and "must hold exactly 32 bytes" in out.stderr, out.stderr


def test_without_secrets():
    """An instance without the data key or the webhook secret serves
    everything else and says what is missing (503 not_ready)."""
    token, shop = merchant_shop()
    t = new_topup(token, shop)
    bare = start_server(db_url=server().db_url, migrate=False)
    try:
        r = bare.request("PUT", f"/v1/shops/{shop}/funds/bank-account", token=token,
                         body={"holder": "Li Lei", "bank": "ICBC", "account_no": "12345678"})
        assert_problem(r, 503, "not_ready")
        assert "retry-after" not in {k.lower() for k, _ in r.headers.items()}
        raw, headers = signed({"id": "evt_x", "type": "topup.succeeded",
                               "reference": t["provider_reference"], "amount_cents": 5000})
        assert_problem(bare.request("POST", "/v1/payments/webhooks/sandbox", raw=raw,
                                    headers=headers), 503, "not_ready")
        assert_problem(bare.request("POST", f"/v1/shops/{shop}/funds/topups/{t['id']}/sandbox-pay",
                                    token=token), 503, "not_ready")
        assert bare.request("GET", f"/v1/shops/{shop}/funds/topups", token=token).status == 200
    finally:
        stop_server(bare)
    assert balance(shop, "deposit") == 0


if __name__ == "__main__":
    main([test_topup_through_the_sandbox, test_topup_validation_and_tenancy,
          test_webhook_forged_stale_and_replayed, test_webhook_replayed_in_parallel,
          test_bank_account, test_sealed_account_bound_to_its_shop, test_withdrawal_succeeds,
          test_withdrawal_fails_and_returns, test_payout_sent_again_after_a_crash,
          test_withdrawals_page, test_withdrawal_cancel_and_daily_limit,
          test_withdrawals_race_for_the_whole_balance, test_withdrawal_against_a_clawback,
          test_withdrawal_against_a_refund_after_settlement,
          test_withdrawal_approval, test_adjustments_four_eyes,
          test_authorisation_of_shop_routes, test_without_secrets, test_data_key_rotation])
