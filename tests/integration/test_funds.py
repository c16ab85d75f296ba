"""Funds: the double-entry ledger (migrations/0024_funds.sql, db/sql/ledger_*
and funds_*) and GET /v1/shops/{shop_id}/funds. The primitives are driven in
SQL (posting, holds, what the database refuses); the money of orders
through the real server's order, after-sales and review routes, with exact
amounts, and checked against the ledger's own invariants after each test:
every balance is the sum of its transfers, all balances sum to zero, and
the shops' counters agree with the order rows they count."""

import decimal
import json
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


_world = None


def world():
    global _world
    if _world is None:
        _world = World()
    return _world


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
    for (amount, bps), fee in zip(cases, got):
        exact = decimal.Decimal(amount * bps) / 10000
        want = int(exact.quantize(decimal.Decimal(1), rounding=decimal.ROUND_HALF_UP))
        assert int(fee) == want, (amount, bps, fee, want)
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


if __name__ == "__main__":
    main([test_shop_opens_with_its_accounts, test_fee_rounds_half_up_per_order,
          test_posting_is_idempotent_on_its_event_key, test_legs_post_together_with_running_balances,
          test_transfers_are_append_only, test_no_overdraft_in_the_database,
          test_hold_post_and_void])
