"""The platform's order review: POST /v1/review/orders/{id}/hold, release,
close and extend, the queue (GET /v1/review/orders), the history, the
auto-release job (also with two servers on one database), shipping refused
while held (alone, in batches, and racing a hold), the shop's under_review
count and the ERP feed.

Shops and orders are made with psql and the SQL functions (order_create,
order_pay); their HTTP routes are tested elsewhere."""

import csv
import io
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from harness import *  # noqa: E402,F401,F403

MESSAGE = "订单审核中，本审核提示消失后，可正常发货"
# The job thread looks for due jobs only hourly: the tests run jobs with
# POST /v1/test/jobs/run, at the (frozen) times they choose.
ENV = {"MERCHANTD_JOB_INTERVAL_SECONDS": "3600"}
ROUTE_KEYS = {"order_id", "order_sn", "status", "review"}


def server():
    return srv(ENV)


class World:
    def __init__(self):
        self.merchant_name, self.buyer_name = uname("m"), uname("b")
        self.merchant = server().register(self.merchant_name)["id"]
        self.buyer = server().register(self.buyer_name, role="buyer")["id"]
        self.reviewer, _ = new_reviewer()
        self.reviewer_name = sql(f"SELECT username FROM accounts WHERE id = {self.reviewer}")
        self.login()
        self.shop, self.sku = new_shop(self.merchant, stock=1000000, price=1000)

    def login(self):
        """Fresh sessions: a clock frozen in the future expires the old ones."""
        self.token = server().login(self.merchant_name)
        self.buyer_token = server().login(self.buyer_name)
        self.reviewer_token = server().login(self.reviewer_name, password="reviewer-password")


world = once(World)


def paid_orders(n=1, qty=1, at=None, shop=None, sku=None):
    """n paid orders of qty of the SKU, placed and paid (so grouped) at
    `at` (RFC 3339) or now; returns their ids in order."""
    w = world()
    shop, sku = shop or w.shop, sku or w.sku
    items = json.dumps([{"sku_id": sku, "quantity": qty}])
    # The call depends on g (a zero interval), else it would run once.
    t = f"timestamptz {sql_literal(at)}" if at else "now()"
    out = sql(f"SELECT o.order_id FROM generate_series(1, {n}) g,"
              f" LATERAL order_create({w.buyer}, {shop}, {sql_literal(items)}::jsonb,"
              f" {sql_literal(ADDRESS_JSON)}::jsonb, '', {t} + g * interval '0 s',"
              f" {t} + interval '3650 days') o"
              f" ORDER BY g")
    ids = [int(line) for line in out.splitlines()]
    assert len(set(ids)) == n, out
    paid = sql(f"SELECT count(*) FROM (SELECT order_pay({w.buyer}, id, {t}) AS r"
               f" FROM unnest(ARRAY{ids}::bigint[]) id) x WHERE r = 'ok'")
    assert int(paid) == n, paid
    return ids


def paid_order(**kw):
    return paid_orders(1, **kw)[0]


def act(order, action, body, token=None, headers=None):
    return server().request("POST", f"/v1/review/orders/{order}/{action}", body,
                            token=token or world().reviewer_token, headers=headers)


def hold(order, reason="suspected fake shipping address", **kw):
    return act(order, "hold", {"reason": reason, **kw})


def history(order, token=None):
    return server().request("GET", f"/v1/review/orders/{order}/history",
                            token=token or world().reviewer_token)


def queue(query="", token=None):
    return server().request("GET", "/v1/review/orders" + (f"?{query}" if query else ""),
                            token=token or world().reviewer_token)


def ship(order, tracking=None, shop=None, token=None):
    w = world()
    return server().request("POST", f"/v1/shops/{shop or w.shop}/orders/{order}/ship",
                            {"carrier": "sf", "tracking_no": tracking or f"SF{order:010d}"},
                            token=token or w.token)


def order_row(order):
    """(status, review_status, review_deadline as RFC 3339 or '')"""
    line = sql(f"SELECT status, coalesce(review_status, ''),"
               f" coalesce(to_char(review_deadline AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '')"
               f" FROM orders WHERE id = {order}")
    return tuple(line.split("|"))


def grouped_at(order):
    return sql(f"SELECT to_char(grouped_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
               f" FROM orders WHERE id = {order}")


def plus_hours(text, hours):
    return fmt_time(parse_time(text) + datetime.timedelta(hours=hours))


def run_jobs(s=None):
    r = (s or server()).request("POST", "/v1/test/jobs/run")
    assert r.status == 200, r


def actions(order):
    return [(i["action"], i["actor"]["id"] if i["actor"] else None)
            for i in history(order).json["items"]]


# ---------------------------------------------------------------------------


def test_hold_and_release():
    w = world()
    order = paid_order()
    r = hold(order, note="buyer reported the address as a parcel locker")
    assert r.status == 200, r
    assert set(r.json) == ROUTE_KEYS, r.json
    deadline = plus_hours(grouped_at(order), 24)
    sn = sql(f"SELECT order_sn FROM orders WHERE id = {order}")
    assert r.json == {"order_id": order, "order_sn": sn, "status": "paid",
                      "review": {"status": "under_review",
                                 "reason": "suspected fake shipping address",
                                 "deadline": deadline, "message": MESSAGE}}, r.json
    assert order_row(order) == ("paid", "under_review", deadline)

    r = act(order, "release", {"note": "address confirmed by phone"})
    assert r.status == 200, r
    assert r.json["status"] == "paid"
    assert r.json["review"] == {"status": "released", "reason": "suspected fake shipping address",
                                "deadline": deadline, "message": None}, r.json

    r = history(order)
    assert r.status == 200 and set(r.json) == {"items"}, r
    items = r.json["items"]
    assert [i["action"] for i in items] == ["hold", "release"]
    assert items[0]["id"] < items[1]["id"]
    for i in items:
        assert set(i) == {"id", "action", "actor", "reason", "note", "deadline", "created_at"}
        assert i["actor"] == {"id": w.reviewer, "username": w.reviewer_name}
        assert i["deadline"] == deadline
        parse_time(i["created_at"])
    assert items[0]["reason"] == "suspected fake shipping address"
    assert items[0]["note"] == "buyer reported the address as a parcel locker"
    assert items[1]["reason"] is None and items[1]["note"] == "address confirmed by phone"

    # Held again after the release while still paid: the deadline stays.
    r = hold(order, reason="second report")
    assert r.status == 200 and r.json["review"]["status"] == "under_review", r
    assert r.json["review"]["deadline"] == deadline and r.json["review"]["reason"] == "second report"
    r = act(order, "release", {})
    assert r.status == 200 and r.json["review"]["status"] == "released", r
    assert actions(order) == [("hold", w.reviewer), ("release", w.reviewer)] * 2

    # An order never reviewed has an empty history.
    r = history(paid_order())
    assert r.status == 200 and r.json == {"items": []}, r


def test_hold_refusals():
    w = world()
    order = paid_order()
    assert hold(order).status == 200
    r = hold(order, reason="again")
    assert_problem(r, 409, "already_under_review")
    assert actions(order) == [("hold", w.reviewer)]

    unpaid = int(sql(f"SELECT order_id FROM order_create({w.buyer}, {w.shop},"
                     f" '[{{\"sku_id\": {w.sku}, \"quantity\": 1}}]'::jsonb,"
                     f" {sql_literal(ADDRESS_JSON)}::jsonb, '', now(), now() + interval '1 day')"))
    assert_problem(hold(unpaid), 409, "invalid_state")
    shipped = paid_order()
    assert ship(shipped).status == 200
    assert_problem(hold(shipped), 409, "invalid_state")
    cancelled = int(sql(f"SELECT order_id FROM order_create({w.buyer}, {w.shop},"
                        f" '[{{\"sku_id\": {w.sku}, \"quantity\": 1}}]'::jsonb,"
                        f" {sql_literal(ADDRESS_JSON)}::jsonb, '', now(), now() + interval '1 day')"))
    assert sql(f"SELECT order_cancel({w.buyer}, {cancelled}, now())") == "ok"
    assert_problem(hold(cancelled), 409, "invalid_state")
    closed = paid_order()
    assert hold(closed).status == 200
    assert act(closed, "close", {"reason": "fraud"}).status == 200
    assert_problem(hold(closed), 409, "invalid_state")
    for o in (unpaid, shipped, cancelled):
        assert order_row(o)[1] == "" and history(o).json == {"items": []}
    r = hold(987654321)
    assert_problem(r, 404, "not_found")


def test_actions_on_orders_not_held():
    never = paid_order()
    released = paid_order()
    assert hold(released).status == 200
    assert act(released, "release", {}).status == 200
    for o in (never, released):
        for action, body in (("release", {}), ("close", {"reason": "fraud"}),
                             ("extend", {"hours": 24, "note": "more time"})):
            r = act(o, action, body)
            assert_problem(r, 409, "invalid_state")
            assert r.json["detail"] == "the order is not under review", r.json
    assert order_row(never)[1] == "" and order_row(released)[1] == "released"
    assert sql(f"SELECT count(*) FROM refunds WHERE order_id IN ({never}, {released})") == "0"
    for action, body in (("hold", {"reason": "x"}), ("release", {}), ("close", {"reason": "x"}),
                         ("extend", {"hours": 1, "note": "x"})):
        assert_problem(act(987654321, action, body), 404, "not_found")
    assert_problem(history(987654321), 404, "not_found")


def test_validation():
    order = paid_order()

    def fields(r, code="invalid_field"):
        assert_problem(r, 400, code)
        return sorted(e["field"] for e in r.json["errors"])

    assert fields(act(order, "hold", {})) == ["reason"]
    assert fields(act(order, "hold", {"reason": ""})) == ["reason"]
    assert fields(act(order, "hold", {"reason": "   "})) == ["reason"]
    assert fields(act(order, "hold", {"reason": "x" * 501})) == ["reason"]
    assert fields(act(order, "hold", {"reason": 5})) == ["reason"]
    assert fields(act(order, "hold", {"reason": None})) == ["reason"]
    assert fields(act(order, "hold", {"reason": "ok", "note": "n" * 1001})) == ["note"]
    assert fields(act(order, "hold", {"reason": "ok", "note": ""})) == ["note"]
    assert fields(act(order, "hold", {"reason": "ok", "color": "red"}), "unknown_field") == ["color"]
    assert fields(act(order, "release", {"reason": "x"}), "unknown_field") == ["reason"]
    assert fields(act(order, "release", {"note": 1})) == ["note"]
    assert fields(act(order, "close", {})) == ["reason"]
    assert fields(act(order, "close", {"reason": "r" * 501})) == ["reason"]
    assert fields(act(order, "close", {"reason": "x", "amount_cents": 1}), "unknown_field") == [
        "amount_cents"]
    for hours in (0, 169, -1, "24", 1.5, None):
        assert fields(act(order, "extend", {"hours": hours, "note": "x"})) == ["hours"], hours
    assert fields(act(order, "extend", {"hours": 24})) == ["note"]
    assert fields(act(order, "extend", {"note": "x"})) == ["hours"]
    assert fields(act(order, "extend", {"hours": 24, "note": "x" * 1001})) == ["note"]
    assert fields(act(order, "extend", {})) == ["hours", "note"]
    # Reasons count characters, not bytes.
    assert hold(order, reason="疑" * 500).status == 200
    assert act(order, "release", {"note": "审" * 1000}).status == 200
    # Bodies must be JSON objects.
    r = server().request("POST", f"/v1/review/orders/{order}/release", token=world().reviewer_token,
                         headers={"Content-Type": "application/json"}, raw=b"")
    assert_problem(r, 400, "invalid_json")
    r = server().request("POST", f"/v1/review/orders/{order}/release", token=world().reviewer_token,
                         headers={"Content-Type": "text/plain"}, raw=b"{}")
    assert_problem(r, 415, "unsupported_media_type")
    # Release takes only optional members: no body at all reads as {}.
    assert hold(order).status == 200
    r = server().request("POST", f"/v1/review/orders/{order}/release", token=world().reviewer_token)
    assert r.status == 200 and r.json["review"]["status"] == "released", r
    r = server().request("POST", f"/v1/review/orders/{order}/history", token=world().reviewer_token)
    assert_problem(r, 405, "method_not_allowed")
    assert r.headers["allow"] == "GET, HEAD"

    assert fields(queue("status=pending")) == ["status"]
    assert fields(queue("overdue=yes")) == ["overdue"]
    assert fields(queue("limit=0")) == ["limit"]
    assert fields(queue("limit=101")) == ["limit"]
    assert fields(queue("status=x&limit=x")) == ["limit", "status"]
    assert fields(queue("shop_id=1"), "unknown_field") == ["shop_id"]
    for cursor in ("garbage!", "YzoxOjI", "cjox"):  # not base64url; a 'c' cursor; "r:1"
        assert fields(queue(f"cursor={cursor}")) == ["cursor"], cursor
    assert history(order).status == 200
    r = server().request("GET", f"/v1/review/orders/{order}/history?x=1",
                         token=world().reviewer_token)
    assert r.status == 200, r  # the history takes no parameters and reads none


def test_reviewer_only():
    w = world()
    order = paid_order()
    routes = [("GET", "/v1/review/orders", None), ("GET", f"/v1/review/orders/{order}/history", None),
              ("POST", f"/v1/review/orders/{order}/hold", {"reason": "x"}),
              ("POST", f"/v1/review/orders/{order}/release", {}),
              ("POST", f"/v1/review/orders/{order}/close", {"reason": "x"}),
              ("POST", f"/v1/review/orders/{order}/extend", {"hours": 1, "note": "x"})]
    for method, path, body in routes:
        assert_problem(server().request(method, path, body), 401, "unauthenticated")
        assert_problem(server().request(method, path, body, token="not-a-token"), 401,
                       "unauthenticated")
        for token in (w.token, w.buyer_token):
            assert_problem(server().request(method, path, body, token=token), 403, "forbidden")
    assert order_row(order)[1] == ""
    assert sql(f"SELECT count(*) FROM review_actions WHERE order_id = {order}") == "0"


def test_idempotent_hold():
    order = paid_order()
    key = {"Idempotency-Key": f"hold-{order}"}
    first = act(order, "hold", {"reason": "check"}, headers=key)
    assert first.status == 200, first
    again = act(order, "hold", {"reason": "check"}, headers=key)
    assert again.status == 200 and again.headers.get("idempotent-replayed") == "true", again
    assert again.json == first.json
    assert_problem(act(order, "hold", {"reason": "other"}, headers=key), 422,
                   "idempotency_key_reused")
    assert len(history(order).json["items"]) == 1


def test_ship_refused_while_held():
    w = world()
    held, other, released = paid_orders(3)
    for o in (held, released):
        assert hold(o).status == 200
    r = ship(held)
    assert_problem(r, 409, "order_under_review")
    assert r.json["detail"] == MESSAGE
    assert order_row(held)[0] == "paid"

    # In a batch the held row is refused, the others ship.
    assert act(released, "release", {}).status == 200
    r = server().request("POST", f"/v1/shops/{w.shop}/shipments:batch", {"items": [
        {"order_id": held, "carrier": "sf", "tracking_no": "SF0000000001"},
        {"order_id": other, "carrier": "sf", "tracking_no": "SF0000000002"},
        {"order_id": released, "carrier": "sf", "tracking_no": "SF0000000003"}]}, token=w.token)
    assert r.status == 200, r
    assert [(i["order_id"], i["result"]) for i in r.json["items"]] == [
        (held, "order_under_review"), (other, "shipped"), (released, "shipped")], r.json
    assert [order_row(o)[0] for o in (held, other, released)] == ["paid", "shipped", "shipped"]
    # The database refuses it too, whoever asks.
    assert sql(f"SELECT order_ship({w.shop}, {held}, 'sf', 'SF0000000009', now())") == \
        "order_under_review"
    try:
        sql(f"UPDATE orders SET status = 'shipped', carrier = 'sf', shipped_at = now()"
            f" WHERE id = {held}")
        raise AssertionError("a held order was shipped")
    except AssertionError as e:
        assert "orders_not_shipped_while_held" in str(e), e

    # Released: it ships.
    assert act(held, "release", {}).status == 200
    r = ship(held)
    assert r.status == 200 and r.json["status"] == "shipped", r


def test_close_refunds_in_full():
    w = world()
    shop, sku = new_shop(w.merchant, stock=10, price=700)
    order = paid_order(qty=3, shop=shop, sku=sku)
    assert sql(f"SELECT stock FROM skus WHERE id = {sku}") == "7"
    assert hold(order).status == 200
    r = act(order, "close", {"reason": "counterfeit goods"})
    assert r.status == 200, r
    assert set(r.json) == ROUTE_KEYS | {"refund"}, r.json
    assert r.json["status"] == "closed"
    assert r.json["refund"] == {"amount_cents": 2100}
    assert r.json["review"]["status"] == "closed" and r.json["review"]["message"] is None
    assert r.json["review"]["reason"] == "suspected fake shipping address"
    row = sql(f"SELECT status, close_reason, refunded_cents, paid_cents, closed_at IS NOT NULL,"
              f" review_status FROM orders WHERE id = {order}")
    assert row == "closed|refunded|2100|2100|t|closed", row
    assert sql(f"SELECT amount_cents, reason FROM refunds WHERE order_id = {order}") == \
        "2100|counterfeit goods"
    assert sql(f"SELECT stock FROM skus WHERE id = {sku}") == "10"
    h = history(order).json["items"]
    assert [i["action"] for i in h] == ["hold", "close"]
    assert h[1]["reason"] == "counterfeit goods" and h[1]["actor"]["id"] == w.reviewer
    r = ship(order, shop=shop)
    assert_problem(r, 409, "invalid_state")
    for action, body in (("close", {"reason": "again"}), ("release", {}), ("hold", {"reason": "x"})):
        assert_problem(act(order, action, body), 409, "invalid_state")
    assert sql(f"SELECT count(*) FROM refunds WHERE order_id = {order}") == "1"


def test_close_with_after_sales():
    """A partial refund already paid is not refunded again; an open request
    is settled by the close."""
    w = world()
    order = paid_order(qty=2)  # 2000 paid
    first = sql(f"SELECT after_sale_id FROM after_sale_create({w.buyer}, {order}, 'refund_only',"
                f" 'one was broken', 500, now())")
    assert sql(f"SELECT after_sale_approve({w.shop}, {first}, now())") == "ok"
    second = sql(f"SELECT after_sale_id FROM after_sale_create({w.buyer}, {order}, 'refund_only',"
                 f" 'the other too', 700, now())")
    assert sql(f"SELECT after_sales_open FROM orders WHERE id = {order}") == "t"
    assert hold(order).status == 200
    r = act(order, "close", {"reason": "fraud"})
    assert r.status == 200 and r.json["refund"] == {"amount_cents": 1500}, r
    assert sql(f"SELECT refunded_cents, after_sales_open FROM orders WHERE id = {order}") == "2000|f"
    assert sql(f"SELECT status FROM after_sales WHERE id = {second}") == "refunded"
    assert sql(f"SELECT sum(amount_cents), count(*) FROM refunds WHERE order_id = {order}") == \
        "2000|2"
    # The merchant can no longer decide on the settled request.
    assert sql(f"SELECT after_sale_approve({w.shop}, {second}, now())") == "invalid_state"


def test_full_after_sales_refund_ends_the_hold():
    """A held order the shop refunds in full is closed; the review ends as
    closed with it (a closed order cannot stay held)."""
    w = world()
    order = paid_order()
    assert hold(order).status == 200
    a = sql(f"SELECT after_sale_id FROM after_sale_create({w.buyer}, {order}, 'refund_only',"
            f" 'changed my mind', NULL, now())")
    assert sql(f"SELECT after_sale_approve({w.shop}, {a}, now())") == "ok"
    assert order_row(order)[:2] == ("closed", "closed")
    assert_problem(act(order, "close", {"reason": "x"}), 409, "invalid_state")
    assert [i["action"] for i in history(order).json["items"]] == ["hold"]


def test_concurrent_close_one_refund():
    for _ in range(5):
        order = paid_order(qty=2)
        assert hold(order).status == 200
        results = parallel(lambda: act(order, "close", {"reason": "fraud"}), [()] * 20)
        statuses = sorted(r.status for r in results)
        assert statuses == [200] + [409] * 19, statuses
        for r in results:
            if r.status == 409:
                assert r.json["code"] == "invalid_state", r.json
        assert sql(f"SELECT count(*), sum(amount_cents) FROM refunds WHERE order_id = {order}") == \
            "1|2000"
        assert sql(f"SELECT count(*) FROM review_actions WHERE order_id = {order}"
                   f" AND action = 'close'") == "1"


def test_hold_ship_race():
    """1,000 orders, each held and shipped at the same moment: never
    shipped while held, and exactly one of the two wins."""
    started = time.time()
    orders = paid_orders(1000)
    pairs = 16
    outcome = {}
    errors = []

    def pair_worker(k):
        barrier = threading.Barrier(2)
        mine = orders[k::pairs]
        results = {}

        def side(kind):
            try:
                for o in mine:
                    barrier.wait()
                    r = hold(o) if kind == "hold" else ship(o)
                    results[(o, kind)] = (r.status, r.json.get("code") if r.status != 200 else None)
            except Exception as e:
                errors.append(e)
                barrier.abort()

        threads = [threading.Thread(target=side, args=(kind,)) for kind in ("hold", "ship")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        outcome.update(results)

    workers = [threading.Thread(target=pair_worker, args=(k,)) for k in range(pairs)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    assert not errors, errors[:3]
    ids = ",".join(map(str, orders))
    assert sql(f"SELECT count(*) FROM orders WHERE review_status = 'under_review'"
               f" AND status <> 'paid'") == "0"
    rows = dict(line.split("|", 1) for line in sql(
        f"SELECT id, status || '|' || coalesce(review_status, '') FROM orders"
        f" WHERE id IN ({ids})").splitlines())
    held_won = shipped_won = 0
    for o in orders:
        h, s, state = outcome[(o, "hold")], outcome[(o, "ship")], rows[str(o)]
        if h == (200, None):
            assert s == (409, "order_under_review") and state == "paid|under_review", (o, h, s, state)
            held_won += 1
        else:
            assert h == (409, "invalid_state") and s == (200, None), (o, h, s, state)
            assert state == "shipped|", (o, state)
            shipped_won += 1
    assert held_won + shipped_won == 1000
    elapsed = time.time() - started
    print(f"     hold won {held_won}, ship won {shipped_won}, {elapsed:.1f}s", flush=True)
    assert elapsed < 60, elapsed


T0 = "2030-03-01T08:00:00Z"


def test_auto_release_at_deadline():
    w = world()
    order = paid_order(at=T0)
    s = server()
    try:
        s.set_clock(plus_hours(T0, 1))
        w.login()
        r = hold(order)
        assert r.status == 200 and r.json["review"]["deadline"] == plus_hours(T0, 24), r
        s.set_clock(plus_hours(T0, 24 - 1 / 3600))
        run_jobs()
        assert order_row(order)[1] == "under_review"
        s.set_clock(plus_hours(T0, 24))
        run_jobs()
        assert order_row(order)[1] == "released"
        items = history(order).json["items"]
        assert [(i["action"], i["actor"]) for i in items] == [
            ("hold", {"id": w.reviewer, "username": w.reviewer_name}), ("auto_release", None)]
        assert items[1]["created_at"] == plus_hours(T0, 24)
        assert items[1]["deadline"] == plus_hours(T0, 24)
        run_jobs()  # nothing left to do: no second action
        assert len(history(order).json["items"]) == 2
        assert ship(order).status == 200
    finally:
        s.set_clock(None)


def test_extend_moves_the_deadline():
    w = world()
    order = paid_order(at=T0)
    s = server()
    try:
        s.set_clock(plus_hours(T0, 2))
        w.login()
        assert hold(order).status == 200
        r = act(order, "extend", {"hours": 48, "note": "fresh produce: lab test pending"})
        assert r.status == 200, r
        assert r.json["review"]["deadline"] == plus_hours(T0, 72)
        assert r.json["review"]["status"] == "under_review"
        assert r.json["review"]["message"] == MESSAGE
        r = act(order, "extend", {"hours": 168, "note": "and a week more"})
        assert r.status == 200 and r.json["review"]["deadline"] == plus_hours(T0, 240), r
        items = history(order).json["items"]
        assert [(i["action"], i["deadline"], i["note"]) for i in items[1:]] == [
            ("extend", plus_hours(T0, 72), "fresh produce: lab test pending"),
            ("extend", plus_hours(T0, 240), "and a week more")]
        assert items[1]["actor"]["id"] == w.reviewer
        s.set_clock(plus_hours(T0, 239))
        run_jobs()
        assert order_row(order)[1:] == ("under_review", plus_hours(T0, 240))
        assert_problem(ship(order), 409, "order_under_review")
        s.set_clock(plus_hours(T0, 240))
        run_jobs()
        assert order_row(order)[1] == "released"
        assert [i["action"] for i in history(order).json["items"]] == [
            "hold", "extend", "extend", "auto_release"]
        assert_problem(act(order, "extend", {"hours": 1, "note": "late"}), 409, "invalid_state")
    finally:
        s.set_clock(None)


def test_two_servers_release_once():
    """Both servers run the job at the same moment on one database: each
    due order is released once, with one auto_release action."""
    w = world()
    other = start_server(env=ENV, db_url=server().db_url, migrate=False)
    try:
        for round_ in range(3):
            at = f"2001-0{round_ + 1}-01T00:00:00Z"
            orders = paid_orders(1200, at=at)
            ids = ",".join(map(str, orders))
            sql(f"SELECT review_hold({w.reviewer}, id, 'bulk', NULL, timestamptz {sql_literal(at)})"
                f" FROM unnest(ARRAY[{ids}]) id")
            due = plus_hours(at, 25)
            for s in (server(), other):
                s.set_clock(due)
            results = parallel(lambda s: s.request("POST", "/v1/test/jobs/run"),
                               [(server(),), (other,), (server(),), (other,)])
            assert all(r.status == 200 for r in results), results
            counts = sql(f"SELECT count(*), count(DISTINCT order_id) FROM review_actions"
                         f" WHERE action = 'auto_release' AND order_id IN ({ids})")
            assert counts == "1200|1200", counts
            assert sql(f"SELECT count(*) FROM orders WHERE id IN ({ids})"
                       f" AND review_status = 'released'") == "1200"
    finally:
        for s in (server(), other):
            s.set_clock(None)
        stop_server(other)


def test_queue():
    w = world()
    # The earliest deadlines of the whole database: a year no other test uses.
    days = ["2000-01-05", "2000-01-02", "2000-01-04", "2000-01-02", "2000-01-03"]
    orders = [paid_order(at=f"{d}T10:00:00Z") for d in days]
    for o in orders:
        assert hold(o, reason=f"reason {o}").status == 200
    by_deadline = sorted(orders, key=lambda o: (days[orders.index(o)], o))
    note = "请放门口 <img src=x onerror=alert(1)>"
    sql(f"UPDATE orders SET note = {sql_literal(note)} WHERE id = {by_deadline[0]}")

    r = queue("limit=100")
    assert r.status == 200 and set(r.json) == {"items", "next_cursor"}, r
    first = r.json["items"][:5]
    assert [i["order_id"] for i in first] == by_deadline, first
    item = first[0]
    assert set(item) == {"order_id", "order_sn", "shop_id", "status", "review", "total_cents",
                         "paid_at", "grouped_at", "held_at", "address", "note"}, item
    # The reviewer judges by the receiver in full and the buyer's note,
    # where the merchant sees the held order's receiver masked.
    assert item["address"] == ADDRESS and item["note"] == note, item
    assert first[1]["note"] == ""
    held = server().request("GET", f"/v1/shops/{w.shop}/orders/{item['order_id']}",
                            token=w.token).json
    assert held["address"]["detail"] == "" and held["address"]["name"] != item["address"]["name"]
    o = by_deadline[0]
    assert item["shop_id"] == w.shop and item["status"] == "paid" and item["total_cents"] == 1000
    assert item["review"] == {"status": "under_review", "reason": f"reason {o}",
                              "deadline": "2000-01-03T10:00:00Z", "message": MESSAGE}
    assert item["paid_at"] == item["grouped_at"] == "2000-01-02T10:00:00Z"
    assert abs(parse_time(item["held_at"]) - utcnow()) < datetime.timedelta(minutes=5)
    # The whole queue, in order: earliest deadline first, then id.
    seen, cursor = [], None
    while True:
        r = queue("limit=2" + (f"&cursor={cursor}" if cursor else ""))
        assert r.status == 200 and len(r.json["items"]) <= 2, r
        seen += r.json["items"]
        cursor = r.json["next_cursor"]
        if cursor is None:
            break
    assert [i["order_id"] for i in seen[:5]] == by_deadline
    keys = [(i["review"]["deadline"], i["order_id"]) for i in seen]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    assert all(i["review"]["status"] == "under_review" for i in seen)
    assert len(seen) == int(sql("SELECT count(*) FROM orders WHERE review_status = 'under_review'"))
    r = queue("limit=3")
    assert [i["order_id"] for i in r.json["items"]] == by_deadline[:3]
    r = queue(f"limit=3&cursor={r.json['next_cursor']}")
    assert [i["order_id"] for i in r.json["items"][:2]] == by_deadline[3:]

    # Overdue: a deadline before now (the clock frozen between them).
    s = server()
    try:
        s.set_clock("2000-01-04T10:00:01Z")
        r = queue("overdue=true")
        assert [i["order_id"] for i in r.json["items"]] == by_deadline[:3], r.json
        assert r.json["next_cursor"] is None
        r = queue("overdue=true&limit=2")
        assert [i["order_id"] for i in r.json["items"]] == by_deadline[:2]
        r = queue(f"overdue=true&limit=2&cursor={r.json['next_cursor']}")
        assert [i["order_id"] for i in r.json["items"]] == by_deadline[2:3]
        assert r.json["next_cursor"] is None
        r = queue("overdue=false&limit=5")
        assert [i["order_id"] for i in r.json["items"]] == by_deadline
    finally:
        s.set_clock(None)

    # The status filter.
    released, closed = by_deadline[1], by_deadline[3]
    assert act(released, "release", {}).status == 200
    assert act(closed, "close", {"reason": "fraud"}).status == 200
    r = queue("status=under_review&limit=3")
    assert [i["order_id"] for i in r.json["items"]] == [by_deadline[0], by_deadline[2],
                                                        by_deadline[4]]
    r = queue("status=released&limit=1")
    assert [(i["order_id"], i["review"]["status"], i["review"]["message"], i["status"])
            for i in r.json["items"]] == [(released, "released", None, "paid")]
    r = queue("status=closed&limit=1")
    assert [(i["order_id"], i["review"]["status"], i["status"]) for i in r.json["items"]] == [
        (closed, "closed", "closed")]


def shop_counts(token, shop):
    r = server().request("GET", "/v1/shops", token=token)
    assert r.status == 200, r
    return next(s["counts"] for s in r.json["items"] if s["id"] == shop)


def test_shop_under_review_count():
    w = world()
    shop, sku = new_shop(w.merchant, stock=100, price=500)
    a, b, c = paid_orders(3, shop=shop, sku=sku)
    assert shop_counts(w.token, shop)["under_review"] == 0
    for o in (a, b, c):
        assert hold(o).status == 200
    assert shop_counts(w.token, shop)["under_review"] == 3
    r = server().request("GET", f"/v1/shops/{shop}", token=w.token)
    assert r.status == 200 and r.json["counts"]["under_review"] == 3, r
    assert act(a, "release", {}).status == 200
    assert act(b, "close", {"reason": "fraud"}).status == 200
    assert shop_counts(w.token, shop)["under_review"] == 1
    assert hold(a).status == 200
    assert shop_counts(w.token, shop)["under_review"] == 2
    assert sql(f"SELECT n FROM shop_order_counts WHERE shop_id = {shop} AND tab = 'under_review'") \
        == "2"


def feed(shop, after=0):
    """Every change after `after`, once none is held back: (items, next_after)."""
    settle_feed(shop)
    items = []
    while True:
        r = server().request("GET", f"/v1/shops/{shop}/erp/orders?after={after}&limit=500",
                             token=world().token)
        assert r.status == 200, r
        if not r.json["items"]:
            return items, after
        items += r.json["items"]
        after = r.json["next_after"]


def test_erp_feed_leaves_held_orders_out():
    w = world()
    shop, sku = new_shop(w.merchant, stock=100, price=500)
    a, b, c = paid_orders(3, shop=shop, sku=sku)
    seen, last = feed(shop)
    assert sorted(i["order"]["id"] for i in seen) == sorted([a, b, c])
    assert hold(a).status == 200
    assert hold(c).status == 200
    sql(f"UPDATE orders SET merchant_note = 'gift' WHERE id = {b}")
    more, last2 = feed(shop, last)
    assert [i["order"]["id"] for i in more] == [b], more
    assert {i["order"]["id"] for i in feed(shop)[0]} == {b}
    # Released: the order comes back with a larger seq.
    assert act(a, "release", {}).status == 200
    more, last3 = feed(shop, last2)
    assert [(i["order"]["id"], i["order"]["status"]) for i in more] == [(a, "paid")], more
    assert more[0]["seq"] > last2 > last
    # Closed: it comes back as closed.
    assert act(c, "close", {"reason": "fraud"}).status == 200
    more, _ = feed(shop, last3)
    assert [(i["order"]["id"], i["order"]["status"], i["order"]["close_reason"]) for i in more] == \
        [(c, "closed", "refunded")], more


def merchant_get(path, shop):
    return server().request("GET", f"/v1/shops/{shop}{path}", token=world().token)


def test_merchant_sees_a_held_order():
    """While held: the review object with its message, the receiver masked
    and the street gone, in the detail, the list (filterable by
    review=under_review) and the CSV export; the buyer still sees their
    address; all of it back on release."""
    w = world()
    shop, sku = new_shop(w.merchant, stock=100, price=1000)
    order, other = paid_orders(2, shop=shop, sku=sku)
    assert merchant_get(f"/orders/{order}", shop).json["review"] is None
    assert hold(order).status == 200
    deadline = plus_hours(grouped_at(order), 24)
    held_review = {"status": "under_review", "reason": "suspected fake shipping address",
                   "deadline": deadline, "message": MESSAGE}
    masked = {"name": "L*****", "phone": "138****0000", "province": "Zhejiang",
              "city": "Hangzhou", "district": "Xihu", "detail": ""}

    detail = merchant_get(f"/orders/{order}", shop).json
    assert detail["review"] == held_review and detail["address"] == masked, detail
    listed = merchant_get("/orders?status=to_ship&limit=100", shop).json
    by_id = {o["id"]: o for o in listed["items"]}
    assert by_id[order]["review"] == held_review and by_id[order]["address"] == masked
    assert by_id[other]["review"] is None and by_id[other]["address"] == ADDRESS
    assert listed["counts"]["under_review"] == 1 and listed["counts"]["to_ship"] == 2
    r = merchant_get("/orders?review=under_review", shop)
    assert r.status == 200 and [o["id"] for o in r.json["items"]] == [order], r
    r = merchant_get("/orders?review=under_review&status=shipped", shop)
    assert r.status == 200 and r.json["items"] == [], r
    r = merchant_get(f"/orders?review=under_review&q={order_sn(order)}", shop)
    assert [o["id"] for o in r.json["items"]] == [order], r
    assert_problem(merchant_get("/orders?review=released", shop), 400, "invalid_field")

    mine = server().request("GET", f"/v1/orders/{order}", token=w.buyer_token).json
    assert mine["address"] == ADDRESS and mine["review"] == held_review, mine

    for lang, state in (("en", "under_review"), ("zh-CN", "订单审核中")):
        r = merchant_get(f"/orders/export.csv?lang={lang}&q={order_sn(order)}", shop)
        assert r.status == 200, r
        rows = list(csv.reader(io.StringIO(r.raw.lstrip("\ufeff"))))
        assert len(rows) == 2, rows
        row = dict(zip(range(len(rows[0])), rows[1]))
        assert rows[0][-1] in ("review_status", "审核状态") and row[len(rows[0]) - 1] == state
        assert "1 West Lake Road" not in rows[1] and "L*****" in rows[1] and \
            "138****0000" in rows[1], rows[1]

    # Shipping refused, in a batch too, with the message.
    r = server().request("POST", f"/v1/shops/{shop}/shipments:batch",
                         {"items": [{"order_id": order, "carrier": "sf",
                                     "tracking_no": "SF0000000001"}]}, token=w.token)
    assert r.json["items"] == [{"order_id": order, "result": "order_under_review",
                                "detail": MESSAGE}], r.json

    assert act(order, "release", {}).status == 200
    detail = merchant_get(f"/orders/{order}", shop).json
    assert detail["review"] == {**held_review, "status": "released", "message": None}, detail
    assert detail["address"] == ADDRESS
    r = merchant_get(f"/orders/export.csv?q={order_sn(order)}", shop)
    rows = list(csv.reader(io.StringIO(r.raw.lstrip("\ufeff"))))
    assert rows[1][-1] == "released" and "1 West Lake Road" in rows[1][12], rows[1]
    assert merchant_get("/orders?review=under_review", shop).json["items"] == []


def order_sn(order):
    return sql(f"SELECT order_sn FROM orders WHERE id = {order}")


if __name__ == "__main__":
    main([test_hold_and_release, test_hold_refusals, test_actions_on_orders_not_held,
          test_validation, test_reviewer_only, test_idempotent_hold, test_ship_refused_while_held,
          test_close_refunds_in_full, test_close_with_after_sales,
          test_full_after_sales_refund_ends_the_hold, test_concurrent_close_one_refund,
          test_queue, test_shop_under_review_count, test_erp_feed_leaves_held_orders_out,
          test_hold_ship_race, test_auto_release_at_deadline, test_extend_moves_the_deadline,
          test_two_servers_release_once, test_merchant_sees_a_held_order])
