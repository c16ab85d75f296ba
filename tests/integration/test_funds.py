"""Funds: the double-entry ledger (migrations/0025_funds.sql, db/sql/ledger_*
and funds_*) and GET /v1/shops/{shop_id}/funds. The primitives are driven in
SQL (posting, holds, what the database refuses); the money of orders
through the real server's order, after-sales and review routes, with exact
amounts, and checked against the ledger's own invariants after each test:
every balance is the sum of its transfers, all balances sum to zero, and
the shops' counters agree with the order rows they count."""

import datetime
import decimal
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from harness import *  # noqa: E402,F401,F403

SHOP_KINDS = ("pending", "available", "deposit", "promotion", "debt")


# ---------------------------------------------------------------------------
# The ledger in SQL


def account(shop, kind):
    """The id of a shop's account, or of the platform shard a shop uses."""
    return int(sql(f"SELECT ledger_account({shop}, '{kind}')"))


def balance(shop, kind):
    return int(sql(f"SELECT balance FROM ledger_accounts WHERE id = ledger_account({shop}, '{kind}')"))


def held(shop, kind="available"):
    return int(sql(f"SELECT held FROM ledger_accounts WHERE id = ledger_account({shop}, '{kind}')"))


def balances(shop):
    """Every balance of a shop's five accounts, by kind."""
    rows = sql(f"SELECT kind, balance FROM ledger_accounts WHERE shop_id = {shop}")
    return {k: int(v) for k, v in (r.split("|") for r in rows.splitlines())}


def post(key, legs, cause="adjustment", cause_id=1):
    """ledger_post with legs [(debit id, credit id, amount, kind)]; its result code."""
    def arr(values, cast):
        return "ARRAY[" + ",".join(str(v) for v in values) + f"]::{cast}[]"
    debits, credits, amounts, kinds = zip(*legs)
    return sql(f"SELECT ledger_post({sql_literal(key)}, '{cause}', {cause_id}, "
               f"{arr(debits, 'bigint')}, {arr(credits, 'bigint')}, {arr(amounts, 'bigint')}, "
               f"{arr([sql_literal(k) for k in kinds], 'text')}, now())")


def topup(shop, kind, amount):
    """Money into a shop's deposit or promotion account, as a confirmed top-up."""
    key = f"test-topup:{shop}:{kind}:{uuid.uuid4().hex}"
    assert post(key, [(account(shop, "provider_clearing"), account(shop, kind), amount, "topup")],
                cause="topup") == "ok"


def hold(shop, amount, kind="available"):
    """A hold on a shop's account, as a withdrawal in flight: (result, hold id)."""
    result, ident = sql(f"SELECT result, hold_id FROM ledger_hold("
                        f"{sql_literal('test-hold:' + uuid.uuid4().hex)}, "
                        f"ledger_account({shop}, '{kind}'), {amount}, 'withdrawal', 1, now())"
                        ).split("|")
    return result, int(ident) if ident else None


def fee(amount, bps=60):
    """The fee by the rule, in Python's decimal arithmetic: half up to the fen."""
    exact = decimal.Decimal(amount * bps) / 10000
    return int(exact.quantize(decimal.Decimal(1), rounding=decimal.ROUND_HALF_UP))


def sql_error(query):
    """Runs SQL that must fail; returns psql's error text."""
    try:
        sql(query)
    except AssertionError as e:
        return str(e)
    raise AssertionError(f"succeeded: {query}")


def check_ledger():
    """The ledger's invariants over the whole database: every stored balance
    is the sum of its transfers, and each transfer row's running balances
    are the account's after it; all balances sum to zero (every fen is
    somewhere); held is what open holds reserve; each shop's counters are
    what its order_funds rows say; an order's pending part adds up to its
    shop's pending balance."""
    assert sql("""
        WITH moves AS (SELECT credit_account_id AS id, amount_cents AS delta FROM ledger_transfers
                       UNION ALL SELECT debit_account_id, -amount_cents FROM ledger_transfers)
        SELECT count(*) FROM ledger_accounts a
          LEFT JOIN (SELECT id, sum(delta) AS total FROM moves GROUP BY id) m ON m.id = a.id
         WHERE a.balance <> coalesce(m.total, 0)""") == "0"
    assert sql("SELECT coalesce(sum(balance), 0) FROM ledger_accounts") == "0"
    assert sql("""
        WITH sides AS (SELECT id, debit_account_id AS account, -amount_cents AS delta,
                              debit_balance_after AS after FROM ledger_transfers
                       UNION ALL SELECT id, credit_account_id, amount_cents, credit_balance_after
                         FROM ledger_transfers)
        SELECT count(*) FROM (SELECT after, sum(delta) OVER (PARTITION BY account ORDER BY id)
                                AS running FROM sides) s
         WHERE after <> running""") == "0"
    assert sql("""
        SELECT count(*) FROM ledger_accounts a
         WHERE a.held <> (SELECT coalesce(sum(h.amount_cents), 0) FROM ledger_holds h
                           WHERE h.account_id = a.id AND h.status = 'held')""") == "0"
    assert sql("""
        SELECT count(*) FROM shop_funds s
          LEFT JOIN (SELECT shop_id,
                            count(*) FILTER (WHERE state IN ('pending', 'awaiting_after_sale')) AS n,
                            count(*) FILTER (WHERE state = 'awaiting_after_sale') AS w,
                            coalesce(sum(pending_cents) FILTER (WHERE state = 'awaiting_after_sale'), 0) AS wc,
                            sum(pending_cents) AS pending
                       FROM order_funds GROUP BY shop_id) c ON c.shop_id = s.shop_id
          JOIN ledger_accounts p ON p.shop_id = s.shop_id AND p.kind = 'pending'
         WHERE (s.pending_orders, s.after_sale_orders, s.after_sale_cents, p.balance)
               <> (coalesce(c.n, 0), coalesce(c.w, 0), coalesce(c.wc, 0), coalesce(c.pending, 0))
        """) == "0"
    # Every settled order settled once, for exactly its settled amount.
    assert sql("""
        SELECT count(*) FROM order_funds f
         WHERE f.state = 'settled' AND f.settled_cents <> coalesce(
               (SELECT sum(t.amount_cents) FROM ledger_transfers t
                 WHERE t.event_key = 'order:' || f.order_id || ':settled' AND t.kind = 'settlement'), 0)
        """) == "0"


# ---------------------------------------------------------------------------
# Fixtures


class World:
    """A merchant with a shop, another merchant with a shop, a buyer."""

    def __init__(self):
        self.merchant, self.token = new_merchant()
        self.other_merchant, self.other_token = new_merchant()
        self.buyer, self.buyer_token = new_buyer("Han Meimei")
        self.shop, self.sku = new_shop(self.merchant, stock=10000)
        self.other_shop, _ = new_shop(self.other_merchant)


world = once(World)


def fresh_shop(price=1000):
    """A new shop of the world's merchant with one SKU: (shop, sku)."""
    return new_shop(world().merchant, stock=10000, price=price)


# ---------------------------------------------------------------------------
# The primitives


def test_shop_opens_with_its_accounts():
    shop, _ = fresh_shop()
    assert balances(shop) == {k: 0 for k in SHOP_KINDS}
    assert sql(f"SELECT fee_bps, pending_orders, after_sale_orders, after_sale_cents"
               f" FROM shop_funds WHERE shop_id = {shop}") == "60|0|0|0"
    # The platform's accounts are shared by shops in 16 shards.
    assert account(shop, "fee_revenue") == account(shop + 16, "fee_revenue")
    assert account(shop, "fee_revenue") != account(shop + 1, "fee_revenue")
    check_ledger()


def test_fee_rounds_half_up_per_order():
    cases = [(250, 60), (249, 60), (251, 60), (1, 60), (83, 60), (84, 60), (0, 60), (999999, 60),
             (12345, 1), (5000, 1), (4999, 1), (100, 10000), (7, 5000)]
    cases += [(a, 60) for a in range(0, 2000, 7)]
    got = sql("SELECT string_agg(funds_fee(a, b)::text, ',' ORDER BY i) FROM unnest("
              f"ARRAY{[a for a, _ in cases]}::bigint[], ARRAY{[b for _, b in cases]}::int[])"
              " WITH ORDINALITY AS c (a, b, i)").split(",")
    for (amount, bps), got_fee in zip(cases, got):
        assert int(got_fee) == fee(amount, bps), (amount, bps, got_fee)
    assert sql("SELECT funds_fee(250, 60), funds_fee(249, 60)") == "2|1"


def test_posting_is_idempotent_on_its_event_key():
    shop, _ = fresh_shop()
    clearing, deposit = account(shop, "provider_clearing"), account(shop, "deposit")
    key = f"test:{uuid.uuid4().hex}"
    assert post(key, [(clearing, deposit, 500, "topup")], cause="topup") == "ok"
    assert post(key, [(clearing, deposit, 500, "topup")], cause="topup") == "duplicate"
    assert post(key, [(clearing, deposit, 700, "topup")], cause="topup") == "duplicate"
    assert balance(shop, "deposit") == 500
    assert sql(f"SELECT count(*) FROM ledger_transfers WHERE event_key = {sql_literal(key)}") == "1"
    # Racing posts of one key: one posts, the others see it.
    key2 = f"test:{uuid.uuid4().hex}"
    results = parallel(lambda: post(key2, [(clearing, deposit, 300, "topup")], cause="topup"),
                       [()] * 8)
    assert sorted(results) == ["duplicate"] * 7 + ["ok"], results
    assert balance(shop, "deposit") == 800
    # The unique (event_key, leg) is the database's own word on it.
    err = sql_error(f"INSERT INTO ledger_transfers (event_key, leg, debit_account_id,"
                    f" credit_account_id, amount_cents, kind, cause, cause_id, debit_balance_after,"
                    f" credit_balance_after, created_at) VALUES ({sql_literal(key)}, 1, {clearing},"
                    f" {deposit}, 1, 'topup', 'topup', 1, 0, 0, now())")
    assert "ledger_transfers_event" in err, err
    check_ledger()


def test_legs_post_together_with_running_balances():
    shop, _ = fresh_shop()
    clearing, deposit, promotion = (account(shop, k) for k in
                                    ("provider_clearing", "deposit", "promotion"))
    key = f"test:{uuid.uuid4().hex}"
    assert post(key, [(clearing, deposit, 1000, "topup"), (deposit, promotion, 0, "adjustment"),
                      (deposit, promotion, 300, "adjustment")]) == "ok"
    rows = sql(f"SELECT leg, amount_cents, debit_balance_after, credit_balance_after"
               f" FROM ledger_transfers WHERE event_key = {sql_literal(key)} ORDER BY leg")
    # The leg of 0 is left out; the rest are numbered from 1.
    assert rows.splitlines() == [f"1|1000|{balance(shop, 'provider_clearing') + 0}|1000",
                                 "2|300|700|300"], rows
    # A leg that would overdraw refuses the whole event.
    key = f"test:{uuid.uuid4().hex}"
    assert post(key, [(deposit, promotion, 100, "adjustment"),
                      (promotion, deposit, 401, "adjustment")]) == "insufficient_funds"
    assert sql(f"SELECT count(*) FROM ledger_transfers WHERE event_key = {sql_literal(key)}") == "0"
    assert (balance(shop, "deposit"), balance(shop, "promotion")) == (700, 300)
    # Malformed legs are a caller's bug: they raise.
    for legs in ([(deposit, deposit, 1, "adjustment")], [(deposit, promotion, -1, "adjustment")],
                 [(deposit, 999999999, 1, "adjustment")]):
        sql_error(f"SELECT ledger_post('bad', 'adjustment', 1, ARRAY[{legs[0][0]}]::bigint[],"
                  f" ARRAY[{legs[0][1]}]::bigint[], ARRAY[{legs[0][2]}]::bigint[],"
                  f" ARRAY['adjustment'], now())")
    check_ledger()


def test_transfers_are_append_only():
    shop, _ = fresh_shop()
    topup(shop, "deposit", 100)
    ident = sql(f"SELECT max(id) FROM ledger_transfers WHERE credit_account_id = {account(shop, 'deposit')}")
    for query in (f"UPDATE ledger_transfers SET amount_cents = 1 WHERE id = {ident}",
                  f"DELETE FROM ledger_transfers WHERE id = {ident}",
                  "TRUNCATE ledger_transfers CASCADE",
                  f"DELETE FROM ledger_accounts WHERE shop_id = {shop}",
                  "TRUNCATE ledger_accounts CASCADE",
                  "TRUNCATE order_funds"):
        err = sql_error(query)
        assert "append-only" in err, (query, err)
    assert sql(f"SELECT amount_cents FROM ledger_transfers WHERE id = {ident}") == "100"
    check_ledger()


def test_no_overdraft_in_the_database():
    shop, _ = fresh_shop()
    topup(shop, "deposit", 100)
    # Whatever writes the row: the CHECKs refuse a balance below what is held.
    for kind, value in (("available", -1), ("deposit", -1), ("promotion", -1), ("pending", -1),
                        ("debt", 1)):
        err = sql_error(f"UPDATE ledger_accounts SET balance = {value}"
                        f" WHERE id = ledger_account({shop}, '{kind}')")
        assert "violates check constraint" in err, (kind, err)
    err = sql_error(f"UPDATE ledger_accounts SET held = 101 WHERE id = ledger_account({shop}, 'deposit')")
    assert "ledger_accounts_no_overdraft" in err, err
    err = sql_error(f"UPDATE ledger_accounts SET held = 1 WHERE id = ledger_account({shop}, 'pending')")
    assert "ledger_accounts_holdable" in err, err
    assert balance(shop, "deposit") == 100
    check_ledger()


def test_hold_post_and_void():
    shop, _ = fresh_shop()
    topup(shop, "deposit", 1000)
    assert hold(shop, 1001, "deposit")[0] == "insufficient_funds"
    result, first = hold(shop, 600, "deposit")
    assert result == "ok" and held(shop, "deposit") == 600
    # Held money can be neither held again nor spent.
    assert hold(shop, 401, "deposit")[0] == "insufficient_funds"
    assert post(f"test:{uuid.uuid4().hex}", [(account(shop, "deposit"), account(shop, "promotion"),
                                              401, "adjustment")]) == "insufficient_funds"
    result, second = hold(shop, 400, "deposit")
    assert result == "ok" and held(shop, "deposit") == 1000
    # A retry of a hold's event key holds once.
    key = sql(f"SELECT event_key FROM ledger_holds WHERE id = {second}")
    assert sql(f"SELECT result || ' ' || hold_id FROM ledger_hold({sql_literal(key)},"
               f" ledger_account({shop}, 'deposit'), 400, 'withdrawal', 1, now())") == f"duplicate {second}"

    payout = account(shop, "payout_clearing")
    assert sql(f"SELECT ledger_hold_post({first}, {payout}, 'withdrawal', now())") == "ok"
    assert (balance(shop, "deposit"), held(shop, "deposit")) == (400, 400)
    assert sql(f"SELECT ledger_hold_post({first}, {payout}, 'withdrawal', now())") == "duplicate"
    assert sql(f"SELECT ledger_hold_void({first}, now())") == "invalid_state"
    assert sql(f"SELECT ledger_hold_void({second}, now())") == "ok"
    assert (balance(shop, "deposit"), held(shop, "deposit")) == (400, 0)
    assert sql(f"SELECT ledger_hold_void({second}, now())") == "duplicate"
    assert sql(f"SELECT ledger_hold_post({second}, {payout}, 'withdrawal', now())") == "invalid_state"
    assert sql("SELECT ledger_hold_void(0, now())") == "not_found"
    row = sql(f"SELECT h.status, t.amount_cents, t.kind, t.cause, t.debit_balance_after"
              f" FROM ledger_holds h JOIN ledger_transfers t ON t.id = h.transfer_id"
              f" WHERE h.id = {first}")
    assert row == "posted|600|withdrawal|withdrawal|400", row
    # A resolved hold stays resolved, whatever writes it.
    err = sql_error(f"UPDATE ledger_holds SET status = 'held', resolved_at = NULL WHERE id = {second}")
    assert "cannot go from voided" in err, err
    err = sql_error(f"UPDATE ledger_holds SET amount_cents = 1 WHERE id = {first}")
    assert "cannot go from posted" in err, err
    assert "append-only" in sql_error(f"DELETE FROM ledger_holds WHERE id = {first}")
    check_ledger()



# ---------------------------------------------------------------------------
# Money follows the order, through the real server's routes



def call(method, path, token, body=None):
    return srv().request(method, path, body, token=token)


def place_paid(shop, sku, qty=1):
    """An order of the world's buyer, paid: its id."""
    w = world()
    r = call("POST", "/v1/orders", w.buyer_token,
             {"shop_id": shop, "items": [{"sku_id": sku, "quantity": qty}], "address": ADDRESS})
    assert r.status == 201, r
    assert call("POST", f"/v1/orders/{r.json['id']}/pay", w.buyer_token).status == 200
    return r.json["id"]


def ship(shop, order):
    r = call("POST", f"/v1/shops/{shop}/orders/{order}/ship", world().token,
             {"carrier": "sf", "tracking_no": "SF1234567"})
    assert r.status == 200, r


def confirm(order):
    return call("POST", f"/v1/orders/{order}/confirm-receipt", world().buyer_token)


def ask(order, amount=None, kind="refund_only"):
    """An after-sales request of the world's buyer: its id."""
    body = {"type": kind, "reason": "arrived damaged"}
    if amount is not None:
        body["amount_cents"] = amount
    r = call("POST", f"/v1/orders/{order}/after-sales", world().buyer_token, body)
    assert r.status == 201, r
    return r.json["id"]


def decide(shop, ident, action, body=None):
    return call("POST", f"/v1/shops/{shop}/after-sales/{ident}/{action}", world().token, body)


def settled_order(shop, sku, qty=1):
    order = place_paid(shop, sku, qty)
    ship(shop, order)
    assert confirm(order).status == 200
    return order


def order_funds(order):
    state, pending, settled, fee, clawed, returned = sql(
        f"SELECT state, pending_cents, coalesce(settled_cents, -1), coalesce(fee_cents, -1),"
        f" clawed_back_cents, fee_returned_cents FROM order_funds WHERE order_id = {order}").split("|")
    return {"state": state, "pending": int(pending), "settled": int(settled), "fee": int(fee),
            "clawed_back": int(clawed), "fee_returned": int(returned)}


def counters(shop):
    """(pending orders, orders awaiting an after-sales request, their money)."""
    return tuple(int(v) for v in sql(f"SELECT pending_orders, after_sale_orders, after_sale_cents"
                                     f" FROM shop_funds WHERE shop_id = {shop}").split("|"))


def events(order):
    """The order's transfers as (event key, leg, kind, amount, cause)."""
    rows = sql(f"SELECT event_key, leg, kind, amount_cents, cause FROM ledger_transfers"
               f" WHERE event_key LIKE 'order:{order}:%' ORDER BY id")
    return [(k, int(leg), kind, int(a), c) for k, leg, kind, a, c in
            (r.split("|") for r in rows.splitlines())]


def platform(shop, kind):
    return balance(shop, kind)


def test_paid_then_completed_settles_minus_the_fee():
    shop, sku = fresh_shop(price=250)
    revenue, clearing = platform(shop, "fee_revenue"), platform(shop, "provider_clearing")
    order = place_paid(shop, sku)
    assert balances(shop)["pending"] == 250
    assert counters(shop) == (1, 0, 0)
    assert platform(shop, "provider_clearing") == clearing - 250
    ship(shop, order)
    assert balances(shop)["pending"] == 250
    assert confirm(order).status == 200
    # 250 fen at 60 bps is 1.5 fen: half up, 2.
    assert balances(shop) == dict.fromkeys(SHOP_KINDS, 0) | {"available": 248}
    assert platform(shop, "fee_revenue") == revenue + 2
    assert counters(shop) == (0, 0, 0)
    assert order_funds(order) == {"state": "settled", "pending": 0, "settled": 250, "fee": 2,
                                  "clawed_back": 0, "fee_returned": 0}
    assert events(order) == [(f"order:{order}:paid", 1, "payment", 250, "order"),
                             (f"order:{order}:settled", 1, "settlement", 250, "order"),
                             (f"order:{order}:settled", 2, "service_fee", 2, "order")]
    # Rounding is per order: 3 x 83 fen is 249, whose fee is 1.494, so 1;
    # one order of 83 fen pays 0.498, so 0.
    shop2, sku2 = fresh_shop(price=83)
    settled_order(shop2, sku2, qty=3)
    settled_order(shop2, sku2)
    assert balances(shop2)["available"] == 249 - 1 + 83
    # Settling again, or posting the payment again, is a no-op.
    assert sql(f"SELECT funds_order_settle({order}, now()), funds_order_paid({order}, now())") \
        == "duplicate|invalid_state"
    assert sql(f"SELECT ledger_post('order:{order}:settled', 'order', {order},"
               f" ARRAY[{account(shop, 'pending')}]::bigint[],"
               f" ARRAY[{account(shop, 'available')}]::bigint[], ARRAY[250]::bigint[],"
               f" ARRAY['settlement'], now())") == "duplicate"
    assert balances(shop)["available"] == 248
    check_ledger()


def test_refund_before_settlement_leaves_pending():
    shop, sku = fresh_shop(price=1000)
    clearing = platform(shop, "provider_clearing")
    order = place_paid(shop, sku)
    ident = ask(order, 300)
    assert decide(shop, ident, "approve").status == 200
    assert balances(shop)["pending"] == 700
    assert platform(shop, "provider_clearing") == clearing - 700
    assert events(order)[-1] == (f"order:{order}:refund:"
                                 + sql(f"SELECT id FROM refunds WHERE after_sale_id = {ident}"),
                                 1, "refund", 300, "after_sale")
    assert sql(f"SELECT cause_id FROM ledger_transfers WHERE kind = 'refund'"
               f" AND event_key LIKE 'order:{order}:%'") == str(ident)
    ship(shop, order)
    assert confirm(order).status == 200
    # 700 at 60 bps: 4.2, so 4.
    assert balances(shop) == dict.fromkeys(SHOP_KINDS, 0) | {"available": 696}
    assert order_funds(order)["settled"] == 700 and order_funds(order)["fee"] == 4

    # A full refund before settlement: the order closes, its money goes back.
    full = place_paid(shop, sku, qty=2)
    assert counters(shop) == (1, 0, 0)
    assert decide(shop, ask(full), "approve").status == 200
    assert sql(f"SELECT status FROM orders WHERE id = {full}") == "closed"
    assert order_funds(full)["state"] == "refunded"
    assert balances(shop)["pending"] == 0 and counters(shop) == (0, 0, 0)
    check_ledger()


def test_review_close_refunds_from_pending():
    shop, sku = fresh_shop(price=700)
    reviewer, reviewer_token = new_reviewer()
    order = place_paid(shop, sku, qty=3)
    assert balances(shop)["pending"] == 2100
    r = call("POST", f"/v1/review/orders/{order}/hold", reviewer_token, {"reason": "suspicious"})
    assert r.status == 200, r
    r = call("POST", f"/v1/review/orders/{order}/close", reviewer_token, {"reason": "fake goods"})
    assert r.status == 200 and r.json["refund"] == {"amount_cents": 2100}, r
    assert balances(shop)["pending"] == 0 and counters(shop) == (0, 0, 0)
    assert order_funds(order)["state"] == "refunded"
    key, leg, kind, amount, cause = events(order)[-1]
    assert (leg, kind, amount, cause) == (1, "refund", 2100, "review_close"), events(order)
    assert sql(f"SELECT cause_id FROM ledger_transfers WHERE event_key = '{key}'") == str(order)
    check_ledger()


def test_open_after_sale_holds_settlement_until_resolved():
    shop, sku = fresh_shop(price=1000)
    # Rejected: the whole order settles then.
    rejected = place_paid(shop, sku)
    ship(shop, rejected)
    ident = ask(rejected, 200)
    assert confirm(rejected).status == 200
    assert sql(f"SELECT status FROM orders WHERE id = {rejected}") == "completed"
    assert order_funds(rejected)["state"] == "awaiting_after_sale"
    assert balances(shop)["pending"] == 1000 and balances(shop)["available"] == 0
    assert counters(shop) == (1, 1, 1000)
    assert decide(shop, ident, "reject", {"reason": "no damage in the photos"}).status == 200
    assert balances(shop)["available"] == 994 and counters(shop) == (0, 0, 0)

    # Approved in part: the refund comes out of pending, the rest settles.
    partial = place_paid(shop, sku)
    ship(shop, partial)
    ident = ask(partial, 200)
    assert confirm(partial).status == 200
    assert counters(shop) == (1, 1, 1000)
    assert decide(shop, ident, "approve").status == 200
    # 800 at 60 bps: 4.8, so 5.
    assert order_funds(partial) == {"state": "settled", "pending": 0, "settled": 800, "fee": 5,
                                    "clawed_back": 0, "fee_returned": 0}
    assert balances(shop)["available"] == 994 + 795 and counters(shop) == (0, 0, 0)

    # A reship: approval keeps the request open; the reship ends it.
    again = place_paid(shop, sku)
    ship(shop, again)
    ident = ask(again, kind="reship")
    assert confirm(again).status == 200
    assert decide(shop, ident, "approve").status == 200
    assert order_funds(again)["state"] == "awaiting_after_sale"
    assert decide(shop, ident, "reship", {"carrier": "zto", "tracking_no": "ZT778899001"}).status == 200
    assert order_funds(again)["state"] == "settled"
    assert balances(shop) == dict.fromkeys(SHOP_KINDS, 0) | {"available": 994 + 795 + 994}
    check_ledger()


def test_refund_after_settlement_claws_back_with_the_fee():
    shop, sku = fresh_shop(price=1000)
    revenue = platform(shop, "fee_revenue")
    order = settled_order(shop, sku)
    assert balances(shop)["available"] == 994
    assert decide(shop, ask(order, 400), "approve").status == 200
    # The fee kept falls to that of 600 (3.6, so 4): 2 fen of it come back.
    assert order_funds(order) == {"state": "settled", "pending": 0, "settled": 1000, "fee": 6,
                                  "clawed_back": 400, "fee_returned": 2}
    assert balances(shop)["available"] == 994 + 2 - 400
    assert platform(shop, "fee_revenue") == revenue + 4
    kinds = [(kind, amount) for _, _, kind, amount, _ in events(order)[3:]]
    assert kinds == [("fee_return", 2), ("clawback", 400)], kinds
    # The rest of it: the order closes, the whole fee is back.
    assert decide(shop, ask(order), "approve").status == 200
    assert sql(f"SELECT status, refunded_cents FROM orders WHERE id = {order}") == "closed|1000"
    assert balances(shop)["available"] == 0
    assert platform(shop, "fee_revenue") == revenue
    check_ledger()


def test_clawback_reaches_deposit_then_debt_and_debt_is_paid_first():
    shop, sku = fresh_shop(price=1000)
    order = settled_order(shop, sku)
    topup(shop, "deposit", 100)
    # A withdrawal in flight holds 900 of the 994 available: 94 can be taken.
    result, withdrawal = hold(shop, 900)
    assert result == "ok"
    assert decide(shop, ask(order), "approve").status == 200
    # 1000 back to the buyer: the whole fee (6) returns to available, which
    # gives 100 beyond what is held; the deposit gives 100; 800 is debt.
    assert balances(shop) == {"pending": 0, "available": 900, "deposit": 0, "promotion": 0,
                              "debt": -800}
    assert held(shop) == 900
    claw = [(kind, amount) for _, _, kind, amount, _ in events(order)[3:]]
    assert claw == [("fee_return", 6), ("clawback", 100), ("clawback", 100), ("clawback", 800)]
    assert sql(f"SELECT string_agg(d.kind, ',' ORDER BY t.leg) FROM ledger_transfers t"
               f" JOIN ledger_accounts d ON d.id = t.debit_account_id"
               f" WHERE t.event_key LIKE 'order:{order}:refund:%'") == "fee_revenue,available,deposit,debt"

    # The next settlement pays the debt first: 994 net, 800 to debt.
    later = settled_order(shop, sku)
    assert balances(shop) == {"pending": 0, "available": 1094, "deposit": 0, "promotion": 0,
                              "debt": 0}
    kinds = [(kind, amount) for _, _, kind, amount, _ in events(later)[1:]]
    assert kinds == [("settlement", 1000), ("service_fee", 6), ("debt_repayment", 800)], kinds
    # A debt beyond a settlement takes all of it and stays for the next one.
    assert sql(f"SELECT ledger_hold_void({withdrawal}, now())") == "ok"
    third = settled_order(shop, sku)
    assert balances(shop)["available"] == 1094 + 994
    result, withdrawal = hold(shop, 1094 + 994)
    assert result == "ok"
    assert decide(shop, ask(later), "approve").status == 200
    assert decide(shop, ask(third), "approve").status == 200
    # Each returns its fee (6), which is all that can be taken from available.
    assert balances(shop) == {"pending": 0, "available": 1094 + 994, "deposit": 0,
                              "promotion": 0, "debt": -(2000 - 12)}
    fourth = settled_order(shop, sku)
    assert balances(shop)["available"] == 1094 + 994 and balances(shop)["debt"] == -(1988 - 994)
    assert [k for _, _, k, _, _ in events(fourth)] == ["payment", "settlement", "service_fee",
                                                      "debt_repayment"]
    assert sql(f"SELECT ledger_hold_void({withdrawal}, now())") == "ok"
    assert held(shop) == 0
    check_ledger()


def test_autocomplete_settles_and_waits_for_after_sales():
    shop, sku = fresh_shop(price=500)
    done, waiting = place_paid(shop, sku), place_paid(shop, sku)
    ship(shop, done)
    ship(shop, waiting)
    ask(waiting, 100)
    shipped_at = datetime.datetime.fromisoformat(
        sql(f"SELECT to_char(shipped_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS')"
            f" FROM orders WHERE id = {done}")).replace(tzinfo=datetime.timezone.utc)
    try:
        srv().set_clock(fmt_time(shipped_at + datetime.timedelta(days=10, minutes=1)))
        assert srv().request("POST", "/v1/test/jobs/run").status == 200
    finally:
        srv().set_clock(None)
    assert sql(f"SELECT string_agg(status, ',' ORDER BY id) FROM orders"
               f" WHERE id IN ({done}, {waiting})") == "completed,completed"
    # 500 at 60 bps is 3 exactly.
    assert order_funds(done)["state"] == "settled" and balances(shop)["available"] == 497
    assert order_funds(waiting)["state"] == "awaiting_after_sale"
    assert counters(shop) == (1, 1, 500) and balances(shop)["pending"] == 500
    check_ledger()


# ---------------------------------------------------------------------------
# Concurrency


def test_refund_races_settlement_on_one_order():
    """Buyer confirms receipt while the merchant approves a partial refund:
    whichever commits first, the refund comes out of pending and the rest
    settles once, so every order ends the same."""
    shop, sku = fresh_shop(price=1000)
    rounds = []
    for _ in range(12):
        order = place_paid(shop, sku)
        ship(shop, order)
        rounds.append((order, ask(order, 300)))
    log_start = len(srv().log())
    results = parallel(lambda op, order, ident: confirm(order).status if op == "confirm"
                       else decide(shop, ident, "approve").status,
                       [(op, order, ident) for order, ident in rounds for op in ("confirm", "approve")])
    assert results == [200] * len(results), results
    assert "40P01" not in srv().log()[log_start:], srv().log()[log_start:][-2000:]
    for order, _ in rounds:
        # 700 left: its fee 4.2 rounds to 4.
        assert order_funds(order) == {"state": "settled", "pending": 0, "settled": 700, "fee": 4,
                                      "clawed_back": 0, "fee_returned": 0}, order
        assert [k for _, _, k, _, _ in events(order)] == ["payment", "refund", "settlement",
                                                         "service_fee"]
    assert balances(shop) == dict.fromkeys(SHOP_KINDS, 0) | {"available": 12 * 696}
    assert counters(shop) == (0, 0, 0)
    check_ledger()


def test_everything_at_once_on_one_shop():
    """30 settlements, 10 payments and 6 refunds of one shop at the same
    time: every balance exact, every counter right, and no deadlock (the
    paths take the order's rows, then the accounts in id order, then the
    shop's counters)."""
    w = world()
    shop, sku = fresh_shop(price=250)
    revenue = platform(shop, "fee_revenue")
    shipped = []
    for qty in range(1, 31):
        order = place_paid(shop, sku, qty)
        ship(shop, order)
        shipped.append((order, qty))
    unpaid = []
    for _ in range(10):
        r = call("POST", "/v1/orders", w.buyer_token,
                 {"shop_id": shop, "items": [{"sku_id": sku, "quantity": 1}], "address": ADDRESS})
        assert r.status == 201, r
        unpaid.append(r.json["id"])
    asked = [ask(place_paid(shop, sku), 100) for _ in range(6)]
    log_start = len(srv().log())

    jobs = ([("confirm", o) for o, _ in shipped] + [("pay", o) for o in unpaid]
            + [("approve", a) for a in asked])
    results = parallel(lambda op, ident: (
        confirm(ident) if op == "confirm"
        else call("POST", f"/v1/orders/{ident}/pay", w.buyer_token) if op == "pay"
        else decide(shop, ident, "approve")).status, jobs)
    assert results == [200] * len(jobs), results
    assert "40P01" not in srv().log()[log_start:], srv().log()[log_start:][-2000:]

    fees = [fee(250 * q) for _, q in shipped]
    total = sum(250 * q for _, q in shipped)
    assert balances(shop) == dict.fromkeys(SHOP_KINDS, 0) | {
        "available": total - sum(fees), "pending": 10 * 250 + 6 * 150}
    assert platform(shop, "fee_revenue") == revenue + sum(fees)
    # Per order, not of the sum: the sum's fee would differ.
    assert sum(fees) != fee(total)
    assert counters(shop) == (16, 0, 0)
    # Each order settled once; the last row of available shows its balance.
    available = account(shop, "available")
    assert sql(f"SELECT count(DISTINCT event_key) FROM ledger_transfers"
               f" WHERE credit_account_id = {available} AND kind = 'settlement'") == "30"
    assert sql(f"SELECT CASE WHEN debit_account_id = {available} THEN debit_balance_after"
               f" ELSE credit_balance_after END FROM ledger_transfers"
               f" WHERE {available} IN (debit_account_id, credit_account_id)"
               f" ORDER BY id DESC LIMIT 1") == str(total - sum(fees))
    check_ledger()


# ---------------------------------------------------------------------------
# GET /v1/shops/{shop_id}/funds


def funds(shop, token=None):
    return call("GET", f"/v1/shops/{shop}/funds", token or world().token)


def test_funds_explain_what_is_withdrawable():
    shop, sku = fresh_shop(price=1000)
    r = funds(shop)
    assert r.status == 200, r
    assert r.headers["cache-control"] == "no-store"
    assert r.json == {"shop_id": shop, "service_fee_bps": 60, "withdrawable_cents": 0,
                      "balances": {"pending_cents": 0, "available_cents": 0, "deposit_cents": 0,
                                   "promotion_cents": 0, "debt_cents": 0},
                      "not_withdrawable": {"awaiting_completion": {"amount_cents": 0, "orders": 0},
                                           "awaiting_after_sales": {"amount_cents": 0, "orders": 0},
                                           "withdrawals_in_flight_cents": 0, "debt_cents": 0}}, r.json

    settled_order(shop, sku, qty=3)                       # 3000, fee 18: 2982 available
    place_paid(shop, sku)                                 # 1000 awaiting completion
    shipped = place_paid(shop, sku, qty=2)                # 2000 awaiting completion
    ship(shop, shipped)
    blocked = place_paid(shop, sku, qty=4)                # 4000, completed, request open
    ship(shop, blocked)
    ask(blocked, 500)
    assert confirm(blocked).status == 200
    topup(shop, "deposit", 5000)
    topup(shop, "promotion", 700)
    assert hold(shop, 1982)[0] == "ok"                    # a withdrawal in flight
    r = funds(shop)
    assert r.status == 200, r
    assert r.json == {"shop_id": shop, "service_fee_bps": 60, "withdrawable_cents": 1000,
                      "balances": {"pending_cents": 7000, "available_cents": 2982,
                                   "deposit_cents": 5000, "promotion_cents": 700, "debt_cents": 0},
                      "not_withdrawable": {
                          "awaiting_completion": {"amount_cents": 3000, "orders": 2},
                          "awaiting_after_sales": {"amount_cents": 4000, "orders": 1},
                          "withdrawals_in_flight_cents": 1982, "debt_cents": 0}}, r.json

    # The request is approved in part: 500 back, the rest settles (fee 21).
    ident = sql(f"SELECT id FROM after_sales WHERE order_id = {blocked}")
    assert decide(shop, ident, "approve").status == 200
    j = funds(shop).json
    assert j["balances"]["pending_cents"] == 3000 and j["balances"]["available_cents"] == 2982 + 3479
    assert j["not_withdrawable"]["awaiting_after_sales"] == {"amount_cents": 0, "orders": 0}
    assert j["withdrawable_cents"] == 1000 + 3479

    # Debt shows in both places; a new rate applies to later settlements.
    sql(f"UPDATE shop_funds SET fee_bps = 100 WHERE shop_id = {shop}")
    debtor, sku2 = fresh_shop(price=1000)
    order = settled_order(debtor, sku2)
    assert hold(debtor, 994)[0] == "ok"
    assert decide(debtor, ask(order), "approve").status == 200
    j = funds(debtor).json
    assert j["balances"]["debt_cents"] == 994 and j["not_withdrawable"]["debt_cents"] == 994
    assert j["balances"]["available_cents"] == 994 and j["withdrawable_cents"] == 0
    assert funds(shop).json["service_fee_bps"] == 100
    check_ledger()


def test_funds_belong_to_the_shop_owner():
    w = world()
    r = funds(w.other_shop)
    assert_problem(r, 404, "not_found")
    assert_problem(funds(999999999), 404, "not_found")
    assert_problem(funds(w.shop, w.buyer_token), 403, "forbidden")
    _, staff = new_reviewer()
    assert_problem(funds(w.shop, staff), 403, "forbidden")
    assert_problem(srv().request("GET", f"/v1/shops/{w.shop}/funds"), 401, "unauthenticated")
    assert funds(w.other_shop, w.other_token).status == 200
    r = srv().request("HEAD", f"/v1/shops/{w.shop}/funds", token=w.token)
    assert r.status == 200 and not r.raw, r
    assert_problem(srv().request("POST", f"/v1/shops/{w.shop}/funds", token=w.token), 405,
                   "method_not_allowed")

if __name__ == "__main__":
    main([test_shop_opens_with_its_accounts, test_fee_rounds_half_up_per_order,
          test_posting_is_idempotent_on_its_event_key, test_legs_post_together_with_running_balances,
          test_transfers_are_append_only, test_no_overdraft_in_the_database,
          test_hold_post_and_void, test_paid_then_completed_settles_minus_the_fee,
          test_refund_before_settlement_leaves_pending, test_review_close_refunds_from_pending,
          test_open_after_sale_holds_settlement_until_resolved,
          test_refund_after_settlement_claws_back_with_the_fee,
          test_clawback_reaches_deposit_then_debt_and_debt_is_paid_first,
          test_autocomplete_settles_and_waits_for_after_sales,
          test_refund_races_settlement_on_one_order, test_everything_at_once_on_one_shop,
          test_funds_explain_what_is_withdrawable, test_funds_belong_to_the_shop_owner])
