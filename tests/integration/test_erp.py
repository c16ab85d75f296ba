"""The ERP change feed: GET /v1/shops/{id}/erp/orders?after=&limit=. Orders
come in the order of their last change; a client that follows next_after
sees every order in its latest state, never misses a change and never gets
one twice, even while orders are being written. Orders are made and moved
with the SQL functions directly (their APIs are tested elsewhere)."""

import json
import os
import random
import subprocess
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(__file__))
from harness import *  # noqa: E402,F401,F403

ORDER_KEYS = {"id", "order_sn", "shop_id", "buyer", "status", "items", "amounts", "address",
              "note", "logistics", "timeline", "close_reason", "after_sales_open", "review", "coupon_id",
              "merchant_note", "flag"}


def create_sql(shop, sku, buyer):
    items = json.dumps([{"sku_id": sku, "quantity": 1}])
    return (f"SELECT order_id FROM order_create({buyer}, {shop}, {sql_literal(items)}, {sql_literal(ADDRESS_JSON)},"
            f" '', now(), now() + interval '1 day')")


def pay_sql(buyer, order):
    return f"SELECT order_pay({buyer}, {order}, now())"


def ship_sql(shop, order):
    return f"SELECT order_ship({shop}, {order}, 'yto', 'YT{order:08d}', now())"


def new_order(shop, sku, buyer, pay=False, ship=False):
    order = int(sql(create_sql(shop, sku, buyer)))
    if pay or ship:
        assert sql(pay_sql(buyer, order)) == "ok"
    if ship:
        assert sql(ship_sql(shop, order)) == "ok"
    return order


def db_orders(shop):
    """{order id: (change_seq, status)} as the database has them now."""
    rows = sql(f"SELECT id, change_seq, status FROM orders WHERE shop_id = {shop}")
    out = {}
    for line in rows.splitlines():
        ident, seq, status = line.split("|")
        out[int(ident)] = (int(seq), status)
    return out


class World:
    def __init__(self):
        self.merchant, self.token = new_merchant()
        self.other_merchant, self.other_token = new_merchant()
        name = uname("b")
        self.buyer = srv().register(name, role="buyer", display_name="Han Meimei")["id"]
        self.buyer_token = srv().login(name)


_world = None


def world():
    global _world
    if _world is None:
        _world = World()
    return _world


def feed(shop, token, after=None, limit=None):
    query = []
    if after is not None:
        query.append(f"after={after}")
    if limit is not None:
        query.append(f"limit={limit}")
    path = f"/v1/shops/{shop}/erp/orders" + ("?" + "&".join(query) if query else "")
    return srv().request("GET", path, token=token)


def follow(shop, token, after=0, limit=None, settled=True):
    """Pages until an empty page; returns (items, next_after). settled: first
    waits until nothing the shop committed is held back (settle_feed)."""
    if settled:
        settle_feed(shop)
    items = []
    while True:
        r = feed(shop, token, after, limit)
        assert r.status == 200, r
        assert set(r.json) == {"items", "next_after"}, r.json
        if not r.json["items"]:
            assert r.json["next_after"] == after, r.json
            return items, after
        assert r.json["next_after"] == r.json["items"][-1]["seq"], r.json
        items += r.json["items"]
        after = r.json["next_after"]


def follow_until(shop, token, after, count):
    """Follows until count changes have come, for a shop with a transaction
    still open (which settle_feed would wait out)."""
    items, deadline = [], time.monotonic() + 15
    while len(items) < count and time.monotonic() < deadline:
        more, after = follow(shop, token, after, settled=False)
        items += more
        if len(items) < count:
            time.sleep(0.05)
    return items, after


def caught_up(shop, token, orders):
    """The feed position past the creation of every order given."""
    items, after = follow(shop, token)
    assert set(orders) <= {i["order"]["id"] for i in items}, items
    return after


# ---------------------------------------------------------------------------


def test_feed_pages_through_latest_states():
    w = world()
    shop, sku = new_shop(w.merchant, stock=1000000, price=100)
    unpaid = new_order(shop, sku, w.buyer)
    paid = new_order(shop, sku, w.buyer, pay=True)
    shipped = new_order(shop, sku, w.buyer, ship=True)
    others = [new_order(shop, sku, w.buyer) for _ in range(4)]
    sql(f"SELECT order_cancel({w.buyer}, {others[0]}, now())")
    sql(f"UPDATE orders SET merchant_note = 'gift wrap', flag = 2 WHERE id = {others[1]}")

    items, last = follow(shop, w.token, limit=3)
    db = db_orders(shop)
    assert len(items) == len(db) == 7
    seqs = [i["seq"] for i in items]
    assert seqs == sorted(seqs) and len(set(seqs)) == 7
    assert last == seqs[-1]
    by_id = {i["order"]["id"]: i for i in items}
    assert set(by_id) == set(db)
    for ident, (seq, status) in db.items():
        assert by_id[ident]["seq"] == seq
        assert by_id[ident]["order"]["status"] == status
        assert set(by_id[ident]["order"]) == ORDER_KEYS, by_id[ident]["order"]
    assert by_id[unpaid]["order"]["status"] == "unpaid"
    assert by_id[paid]["order"]["amounts"]["paid_cents"] == 100
    assert by_id[shipped]["order"]["logistics"] == {"carrier": "yto",
                                                   "tracking_no": f"YT{shipped:08d}"}
    assert by_id[others[0]]["order"]["close_reason"] == "cancelled"
    assert by_id[others[1]]["order"]["merchant_note"] == "gift wrap"
    assert by_id[others[1]]["order"]["flag"] == 2
    assert by_id[shipped]["order"]["buyer"] == {"id": w.buyer, "name": "Han Meimei"}
    # The last change comes last: the note was written after everything else.
    assert items[-1]["order"]["id"] == others[1]
    # Pages of any size give the same feed.
    assert follow(shop, w.token, limit=500)[0] == items
    assert follow(shop, w.token, limit=1)[0] == items
    # From the middle, only what follows.
    assert follow(shop, w.token, after=seqs[3])[0] == items[4:]
    assert follow(shop, w.token, after=2**63 - 1) == ([], 2**63 - 1)


def test_changed_order_reappears_with_larger_seq():
    w = world()
    shop, sku = new_shop(w.merchant, stock=1000000, price=100)
    orders = [new_order(shop, sku, w.buyer) for _ in range(3)]
    items, last = follow(shop, w.token)
    first_seq = {i["order"]["id"]: i["seq"] for i in items}
    sql(pay_sql(w.buyer, orders[0]))
    settle_feed(shop)
    r = feed(shop, w.token, after=last)
    assert r.status == 200 and len(r.json["items"]) == 1, r
    change = r.json["items"][0]
    assert change["order"]["id"] == orders[0] and change["order"]["status"] == "paid"
    assert change["seq"] > last > first_seq[orders[0]]
    assert r.json["next_after"] == change["seq"]
    # Every change moves the order again, whatever it touched.
    sql(ship_sql(shop, orders[0]))
    sql(f"UPDATE orders SET merchant_note = 'fragile' WHERE id = {orders[1]}")
    more, last2 = follow(shop, w.token, after=change["seq"])
    assert [(i["order"]["id"], i["order"]["status"]) for i in more] == [
        (orders[0], "shipped"), (orders[1], "unpaid")]
    assert change["seq"] < more[0]["seq"] < more[1]["seq"] == last2
    # Two changes in one transaction: the order shows once, in its final state.
    sql(f"{pay_sql(w.buyer, orders[2])}; {ship_sql(shop, orders[2])}")
    more, _ = follow(shop, w.token, after=last2)
    assert [(i["order"]["id"], i["order"]["status"]) for i in more] == [(orders[2], "shipped")]


def test_default_and_maximum_limit():
    w = world()
    shop, sku = new_shop(w.merchant, stock=1000000, price=100)
    # One transaction: 120 changes that share a transaction id.
    sql(f"DO $$ BEGIN FOR i IN 1..120 LOOP PERFORM ({create_sql(shop, sku, w.buyer)});"
        f" END LOOP; END $$")
    settle_feed(shop)
    r = feed(shop, w.token)
    assert r.status == 200 and len(r.json["items"]) == 100, len(r.json["items"])
    r = feed(shop, w.token, limit=500)
    assert len(r.json["items"]) == 120
    r = feed(shop, w.token, after=r.json["items"][109]["seq"], limit=5)
    assert len(r.json["items"]) == 5


def test_feed_uses_shop_change_index():
    w = world()
    shop, sku = new_shop(w.merchant, stock=1000000, price=100)
    new_order(shop, sku, w.buyer)
    stat = ("SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = 'orders_shop_change'")
    sql("SELECT pg_stat_force_next_flush()")
    before = int(sql(stat))
    for _ in range(3):
        assert feed(shop, w.token).status == 200
    deadline = time.time() + 10
    while int(sql(stat)) < before + 3:  # backends report their counts within a second or so
        assert time.time() < deadline, "the feed did not scan orders_shop_change"
        time.sleep(0.2)


def test_holds_back_changes_behind_a_running_transaction():
    w = world()
    shop, sku = new_shop(w.merchant, stock=1000000, price=100)
    a, b, c = (new_order(shop, sku, w.buyer) for _ in range(3))
    last = caught_up(shop, w.token, [a, b, c])
    slow = Session()
    try:
        slow.run("BEGIN")
        slow.run(f"UPDATE orders SET merchant_note = 'slow' WHERE id = {a}")
        sql(f"UPDATE orders SET merchant_note = 'quick' WHERE id = {b}")  # commits
        # b's change is committed, but the running transaction is older: it
        # may still commit below b, so b waits.
        r = feed(shop, w.token, after=last)
        assert r.status == 200 and r.json == {"items": [], "next_after": last}, r
        slow.run("COMMIT")
    finally:
        slow.close()
    sql(f"UPDATE orders SET merchant_note = 'late' WHERE id = {c}")
    items, _ = follow(shop, w.token, after=last)
    assert [(i["order"]["id"], i["order"]["merchant_note"]) for i in items] == [
        (a, "slow"), (b, "quick"), (c, "late")]


def test_transaction_that_started_early_cannot_slip_behind():
    """T1 gets its transaction id first but changes its order last; T2 changes
    another order meanwhile and is still open when T1 commits and the feed is
    read. When T2 commits, its change must still come after what was read."""
    w = world()
    shop, sku = new_shop(w.merchant, stock=1000000, price=100)
    a, b = new_order(shop, sku, w.buyer), new_order(shop, sku, w.buyer)
    last = caught_up(shop, w.token, [a, b])
    t1, t2 = Session(), Session()
    try:
        t1.run("BEGIN")
        t1.run("SELECT pg_current_xact_id()")
        t2.run("BEGIN")
        t2.run(f"UPDATE orders SET merchant_note = 't2' WHERE id = {b}")
        t1.run(f"UPDATE orders SET merchant_note = 't1' WHERE id = {a}")
        t1.run("COMMIT")
        seen, last = follow_until(shop, w.token, last, 1)
        assert [i["order"]["id"] for i in seen] == [a], seen
        t2.run("COMMIT")
    finally:
        t1.close()
        t2.close()
    seen, _ = follow(shop, w.token, after=last)
    assert [(i["order"]["id"], i["order"]["merchant_note"]) for i in seen] == [(b, "t2")], seen


def test_concurrent_writers_nothing_missed_or_repeated():
    w = world()
    shop, sku = new_shop(w.merchant, stock=1000000, price=100)
    stop, writers_done = threading.Event(), threading.Event()
    errors = []

    def writer(n):
        rng = random.Random(n)
        unpaid, paid = [], []
        try:
            while not stop.is_set():
                step = rng.random()
                if step < 0.35 or not (unpaid or paid):
                    unpaid.append(int(sql(create_sql(shop, sku, w.buyer))))
                elif step < 0.6 and unpaid:
                    order = unpaid.pop(0)
                    assert sql(pay_sql(w.buyer, order)) == "ok"
                    paid.append(order)
                elif step < 0.8 and paid:
                    assert sql(ship_sql(shop, paid.pop(0))) == "ok"
                elif unpaid and paid:
                    # One transaction that takes its id at its first change
                    # and changes another order only later.
                    order, other = unpaid.pop(0), paid.pop(0)
                    sql(f"{pay_sql(w.buyer, order)}; SELECT pg_sleep(0.02);"
                        f" {ship_sql(shop, other)}")
                    paid.append(order)
        except Exception as e:  # reported by the main thread
            errors.append(e)

    received = []

    def poller():
        after = 0
        try:
            while not writers_done.is_set():
                r = feed(shop, w.token, after, limit=25)
                assert r.status == 200, r
                received.extend(r.json["items"])
                after = r.json["next_after"]
                time.sleep(0.01)
            # Every writer has ended: what is left is settled.
            received.extend(follow(shop, w.token, after, limit=25)[0])
        except Exception as e:
            errors.append(e)

    writers = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    polling = threading.Thread(target=poller)
    for t in writers + [polling]:
        t.start()
    # Five seconds of writing, and on a loaded machine longer: until the
    # writers have made enough orders to race (a bound ends a stuck run).
    start = time.monotonic()
    while time.monotonic() - start < 120 and not errors:
        if time.monotonic() - start >= 5 and \
                int(sql(f"SELECT count(*) FROM orders WHERE shop_id = {shop}")) >= 40:
            break
        time.sleep(0.1)
    stop.set()
    for t in writers:
        t.join(timeout=60)
    writers_done.set()
    polling.join(timeout=60)
    assert not errors, errors

    seqs = [i["seq"] for i in received]
    assert all(x < y for x, y in zip(seqs, seqs[1:])), "seqs not strictly increasing"
    db = db_orders(shop)
    assert len(db) >= 40, len(db)  # the writers did real work
    seen = {}
    for item in received:
        seen.setdefault(item["order"]["id"], []).append(item)
    assert set(seen) == set(db), sorted(set(db) - set(seen))
    for ident, (seq, status) in db.items():
        final = [i for i in seen[ident] if i["seq"] == seq]
        assert len(final) == 1, (ident, seq, [i["seq"] for i in seen[ident]])
        assert final[0]["order"]["status"] == status
        assert seen[ident][-1] is final[0]  # nothing after the last change


def test_auth_tenancy_and_validation():
    w = world()
    shop, sku = new_shop(w.merchant, stock=1000000, price=100)
    new_order(shop, sku, w.buyer)
    assert_problem(feed(shop, None), 401, "unauthenticated")
    assert_problem(feed(shop, w.buyer_token), 403, "forbidden")
    assert_problem(feed(shop, w.other_token), 404, "not_found")
    assert_problem(feed(987654321, w.token), 404, "not_found")
    other_shop, other_sku = new_shop(w.other_merchant, stock=1000000, price=100)
    new_order(other_shop, other_sku, w.buyer)
    mine = {i["order"]["shop_id"] for i in follow(shop, w.token)[0]}
    theirs = {i["order"]["shop_id"] for i in follow(other_shop, w.other_token)[0]}
    assert mine == {shop} and theirs == {other_shop}
    base = f"/v1/shops/{shop}/erp/orders"
    for query, fields in [("after=-1", ["after"]), ("after=abc", ["after"]),
                          ("after=1.5", ["after"]), ("after=", ["after"]),
                          ("after=99999999999999999999", ["after"]),
                          ("limit=0", ["limit"]), ("limit=501", ["limit"]),
                          ("limit=ten", ["limit"]), ("after=-5&limit=0", ["after", "limit"])]:
        r = srv().request("GET", f"{base}?{query}", token=w.token)
        assert_problem(r, 400, "invalid_field")
        assert {e["field"] for e in r.json["errors"]} == set(fields), r.json
    r = srv().request("GET", f"{base}?cursor=abc", token=w.token)
    assert_problem(r, 400, "unknown_field")
    assert [e["field"] for e in r.json["errors"]] == ["cursor"]
    r = srv().request("POST", base, token=w.token)
    assert_problem(r, 405, "method_not_allowed")


if __name__ == "__main__":
    main([test_feed_pages_through_latest_states, test_changed_order_reappears_with_larger_seq,
          test_default_and_maximum_limit, test_feed_uses_shop_change_index,
          test_holds_back_changes_behind_a_running_transaction,
          test_transaction_that_started_early_cannot_slip_behind,
          test_concurrent_writers_nothing_missed_or_repeated, test_auth_tenancy_and_validation])
