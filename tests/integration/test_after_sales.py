"""The merchant's after-sales handling: the list of a shop's requests, and
approving, rejecting and reshipping one. Shops, products and orders are made
directly in SQL (their APIs are tested elsewhere); buyers' requests come from
after_sale_create."""

import datetime
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from harness import *  # noqa: E402,F401,F403

AFTER_SALE_KEYS = {"id", "order_id", "order_sn", "buyer", "type", "reason", "amount_cents",
                   "status", "reject_reason", "logistics", "created_at", "decided_at",
                   "reshipped_at", "reship_deadline"}


def new_order(shop, sku, buyer, qty=1, pay=True, ship=False):
    items = json.dumps([{"sku_id": sku, "quantity": qty}])
    result, order = sql(f"SELECT result, order_id FROM order_create({buyer}, {shop}, "
                        f"{sql_literal(items)}, {sql_literal(ADDRESS_JSON)}, '', now(), now() + interval '1 day')"
                        ).split("|")
    assert result == "ok", result
    if pay:
        assert sql(f"SELECT order_pay({buyer}, {order}, now())") == "ok"
    if ship:
        assert sql(f"SELECT order_ship({shop}, {order}, 'sf', 'SF100200300', now())") == "ok"
    return int(order)


def new_after_sale(buyer, order, kind="refund_only", amount=None, reason="arrived damaged"):
    result, ident = sql(f"SELECT result, after_sale_id FROM after_sale_create({buyer}, {order}, "
                        f"'{kind}', {sql_literal(reason)}, "
                        f"{'NULL' if amount is None else amount}, now())").split("|")
    assert result == "ok", result
    return int(ident)


def order_row(order):
    status, paid, refunded, reason, open_ = sql(
        f"SELECT status, paid_cents, refunded_cents, coalesce(close_reason, ''), "
        f"after_sales_open FROM orders WHERE id = {order}").split("|")
    return {"status": status, "paid_cents": int(paid), "refunded_cents": int(refunded),
            "close_reason": reason or None, "after_sales_open": open_ == "t"}


def refunds_total(order):
    return int(sql(f"SELECT coalesce(sum(amount_cents), 0) FROM refunds WHERE order_id = {order}"))


def stock(sku):
    return int(sql(f"SELECT stock FROM skus WHERE id = {sku}"))


class World:
    """Two merchants (A with two shops, B with one) and a buyer."""

    def __init__(self):
        self.merchant, self.token = new_merchant()
        self.other_merchant, self.other_token = new_merchant()
        self.buyer, self.buyer_token = new_buyer("Han Meimei")
        self.shop, self.sku = new_shop(self.merchant)
        self.shop2, self.sku2 = new_shop(self.merchant)
        self.other_shop, self.other_sku = new_shop(self.other_merchant)


world = once(World)


def base(shop):
    return f"/v1/shops/{shop}/after-sales"


def get(path, token):
    return srv().request("GET", path, token=token)


def approve(shop, ident, token, headers=None):
    return srv().request("POST", f"{base(shop)}/{ident}/approve", token=token, headers=headers)


def reject(shop, ident, token, body=None, headers=None):
    return srv().request("POST", f"{base(shop)}/{ident}/reject",
                         body if body is not None else {"reason": "used item"}, token=token,
                         headers=headers)


def reship(shop, ident, token, body=None):
    return srv().request("POST", f"{base(shop)}/{ident}/reship",
                         body if body is not None else {"carrier": "zto",
                                                        "tracking_no": "ZT778899001"},
                         token=token)


def assert_field_errors(r, fields, code="invalid_field"):
    assert_problem(r, 400, code)
    named = {e["field"] for e in r.json["errors"]}
    assert named == set(fields), r.json


def assert_after_sale(a, ident=None, status=None):
    assert set(a) == AFTER_SALE_KEYS, a
    if ident is not None:
        assert a["id"] == ident, a
    if status is not None:
        assert a["status"] == status, a
    parse_time(a["created_at"])
    assert set(a["buyer"]) == {"id", "name"}, a


# ---------------------------------------------------------------------------
# List


def test_list_shape_newest_first():
    w = world()
    shop, sku = new_shop(w.merchant)
    orders = [new_order(shop, sku, w.buyer, ship=(i == 2)) for i in range(3)]
    idents = [new_after_sale(w.buyer, orders[0], amount=400, reason="leaking box"),
              new_after_sale(w.buyer, orders[1]),
              new_after_sale(w.buyer, orders[2], kind="reship", reason="lost parcel")]
    r = get(base(shop), w.token)
    assert r.status == 200, r
    assert r.headers["cache-control"] == "no-store"
    assert set(r.json) == {"items", "next_cursor"}
    assert r.json["next_cursor"] is None
    items = r.json["items"]
    assert [a["id"] for a in items] == idents[::-1]
    for a in items:
        assert_after_sale(a, status="requested")
        assert a["buyer"] == {"id": w.buyer, "name": "Han Meimei"}
        assert a["reject_reason"] is None and a["logistics"] is None
        assert a["decided_at"] is None and a["reshipped_at"] is None
        assert a["reship_deadline"] is None
        assert abs((parse_time(a["created_at"]) - utcnow()).total_seconds()) < 300
    oldest, reship_one = items[2], items[0]
    assert oldest["order_id"] == orders[0]
    assert oldest["order_sn"] == sql(f"SELECT order_sn FROM orders WHERE id = {orders[0]}")
    assert oldest["type"] == "refund_only" and oldest["reason"] == "leaking box"
    assert oldest["amount_cents"] == 400
    assert items[1]["amount_cents"] == 1000  # the whole payment by default
    assert reship_one["type"] == "reship" and reship_one["amount_cents"] == 0
    # Another shop's requests stay out; an empty shop lists nothing.
    other = get(base(w.shop2), w.token)
    assert all(a["id"] not in idents for a in other.json["items"])
    empty_shop, _ = new_shop(w.merchant)
    r = get(base(empty_shop), w.token)
    assert r.status == 200 and r.json == {"items": [], "next_cursor": None}, r


def test_list_pages_and_status_tabs():
    w = world()
    shop, sku = new_shop(w.merchant)
    idents = [new_after_sale(w.buyer, new_order(shop, sku, w.buyer)) for _ in range(5)]
    assert approve(shop, idents[0], w.token).status == 200
    assert approve(shop, idents[3], w.token).status == 200
    assert reject(shop, idents[1], w.token, {"reason": "photos show no damage"}).status == 200

    seen, cursor, pages = [], None, 0
    while True:
        path = base(shop) + "?limit=2" + (f"&cursor={cursor}" if cursor else "")
        r = get(path, w.token)
        assert r.status == 200, r
        pages += 1
        assert len(r.json["items"]) <= 2
        seen += [a["id"] for a in r.json["items"]]
        cursor = r.json["next_cursor"]
        if cursor is None:
            break
    assert pages == 3 and seen == idents[::-1], (pages, seen)

    def tab(status, limit=20):
        ids, cursor = [], None
        while True:
            path = f"{base(shop)}?status={status}&limit={limit}" + (
                f"&cursor={cursor}" if cursor else "")
            r = get(path, w.token)
            assert r.status == 200, r
            for a in r.json["items"]:
                assert a["status"] == status, a
            ids += [a["id"] for a in r.json["items"]]
            cursor = r.json["next_cursor"]
            if cursor is None:
                return ids, r

    assert tab("requested", limit=1)[0] == [idents[4], idents[2]]
    assert tab("refunded")[0] == [idents[3], idents[0]]
    ids, r = tab("rejected")
    assert ids == [idents[1]]
    assert r.json["items"][0]["reject_reason"] == "photos show no damage"
    assert tab("approved")[0] == [] and tab("reshipped")[0] == []
    # An exact page: the cursor is not offered when nothing follows.
    r = get(base(shop) + "?limit=5", w.token)
    assert len(r.json["items"]) == 5 and r.json["next_cursor"] is None, r


def test_list_validation():
    w = world()
    path = base(w.shop)
    for query, fields in [("status=open", ["status"]), ("status=", ["status"]),
                          ("limit=0", ["limit"]), ("limit=101", ["limit"]),
                          ("limit=abc", ["limit"]), ("cursor=not-a-cursor", ["cursor"]),
                          ("limit=0&status=x", ["limit", "status"])]:
        assert_field_errors(get(f"{path}?{query}", w.token), fields)
    # A cursor of another list does not fit this one.
    assert_field_errors(get(f"{path}?cursor=YzoxOjI", w.token), ["cursor"])
    assert_field_errors(get(f"{path}?page=2", w.token), ["page"], code="unknown_field")
    assert get(f"{path}?limit=100", w.token).status == 200


# ---------------------------------------------------------------------------
# Who may call


def test_unauthenticated_and_wrong_role():
    w = world()
    ident = new_after_sale(w.buyer, new_order(w.shop, w.sku, w.buyer))
    calls = [lambda t: get(base(w.shop), t), lambda t: approve(w.shop, ident, t),
             lambda t: reject(w.shop, ident, t), lambda t: reship(w.shop, ident, t)]
    for call in calls:
        assert_problem(call(None), 401, "unauthenticated")
        assert_problem(call("x" * 43), 401, "unauthenticated")
        assert_problem(call(w.buyer_token), 403, "forbidden")
    assert sql(f"SELECT status FROM after_sales WHERE id = {ident}") == "requested"


def test_other_merchants_get_404():
    w = world()
    order = new_order(w.shop, w.sku, w.buyer, ship=True)
    ident = new_after_sale(w.buyer, order)
    other = w.other_token
    assert_problem(get(base(w.shop), other), 404, "not_found")
    assert_problem(approve(w.shop, ident, other), 404, "not_found")
    assert_problem(reject(w.shop, ident, other), 404, "not_found")
    assert_problem(reship(w.shop, ident, other), 404, "not_found")
    # Through B's own shop the request does not exist either.
    assert_problem(approve(w.other_shop, ident, other), 404, "not_found")
    assert_problem(reject(w.other_shop, ident, other), 404, "not_found")
    assert ident not in [a["id"] for a in get(base(w.other_shop), other).json["items"]]
    # A's request through A's other shop, a missing shop, a missing request.
    assert_problem(approve(w.shop2, ident, w.token), 404, "not_found")
    assert_problem(get(base(987654321), w.token), 404, "not_found")
    assert_problem(approve(987654321, ident, w.token), 404, "not_found")
    assert_problem(approve(w.shop, 987654321, w.token), 404, "not_found")
    assert_problem(reject(w.shop, 987654321, w.token), 404, "not_found")
    assert_problem(reship(w.shop, 987654321, w.token), 404, "not_found")
    assert sql(f"SELECT status FROM after_sales WHERE id = {ident}") == "requested"
    assert refunds_total(order) == 0
    assert approve(w.shop, ident, w.token).status == 200


# ---------------------------------------------------------------------------
# Approve


def test_partial_then_full_refund_closes_order():
    w = world()
    shop, sku = new_shop(w.merchant, stock=10)
    order = new_order(shop, sku, w.buyer, qty=2, ship=True)  # 2 x 1000
    assert stock(sku) == 8
    first = new_after_sale(w.buyer, order, amount=300)
    assert order_row(order)["after_sales_open"]
    r = approve(shop, first, w.token)
    assert r.status == 200, r
    a = r.json
    assert_after_sale(a, first, "refunded")
    assert a["amount_cents"] == 300 and a["order_id"] == order
    assert a["decided_at"] is not None and a["reship_deadline"] is None
    assert abs((parse_time(a["decided_at"]) - utcnow()).total_seconds()) < 300
    assert order_row(order) == {"status": "shipped", "paid_cents": 2000, "refunded_cents": 300,
                                "close_reason": None, "after_sales_open": False}

    second = new_after_sale(w.buyer, order)  # the rest: 1700
    r = approve(shop, second, w.token)
    assert r.status == 200, r
    assert r.json["status"] == "refunded" and r.json["amount_cents"] == 1700
    assert order_row(order) == {"status": "closed", "paid_cents": 2000, "refunded_cents": 2000,
                                "close_reason": "refunded", "after_sales_open": False}
    assert refunds_total(order) == 2000
    assert sql(f"SELECT closed_at IS NOT NULL FROM orders WHERE id = {order}") == "t"
    assert stock(sku) == 8  # shipped goods do not come back to stock


def test_unshipped_full_refund_returns_stock():
    w = world()
    shop, sku = new_shop(w.merchant, stock=10, price=250)
    order = new_order(shop, sku, w.buyer, qty=3)
    assert stock(sku) == 7
    ident = new_after_sale(w.buyer, order, kind="return_refund")
    r = approve(shop, ident, w.token)
    assert r.status == 200, r
    assert r.json["status"] == "refunded" and r.json["amount_cents"] == 750
    assert order_row(order) == {"status": "closed", "paid_cents": 750, "refunded_cents": 750,
                                "close_reason": "refunded", "after_sales_open": False}
    assert stock(sku) == 10
    # A partial refund of an unshipped order keeps the stock reserved.
    order = new_order(shop, sku, w.buyer, qty=2)
    assert approve(shop, new_after_sale(w.buyer, order, amount=100), w.token).status == 200
    assert order_row(order)["status"] == "paid" and stock(sku) == 8


def test_decisions_only_on_requested():
    w = world()
    ident = new_after_sale(w.buyer, new_order(w.shop, w.sku, w.buyer), amount=100)
    assert approve(w.shop, ident, w.token).status == 200
    assert_problem(approve(w.shop, ident, w.token), 409, "invalid_state")
    assert_problem(reject(w.shop, ident, w.token), 409, "invalid_state")
    assert_problem(reship(w.shop, ident, w.token), 409, "invalid_state")
    ident = new_after_sale(w.buyer, new_order(w.shop, w.sku, w.buyer))
    assert reject(w.shop, ident, w.token).status == 200
    assert_problem(approve(w.shop, ident, w.token), 409, "invalid_state")
    assert_problem(reject(w.shop, ident, w.token), 409, "invalid_state")


def test_refund_exceeds_paid_at_approval():
    w = world()
    order = new_order(w.shop, w.sku, w.buyer)  # 1000
    ident = new_after_sale(w.buyer, order, amount=600)
    # Money went back some other way meanwhile (say, the platform's review).
    sql(f"INSERT INTO refunds (order_id, amount_cents, reason, created_at) "
        f"VALUES ({order}, 500, 'platform', now());"
        f"UPDATE orders SET refunded_cents = 500 WHERE id = {order}")
    assert_problem(approve(w.shop, ident, w.token), 409, "refund_exceeds_paid")
    assert order_row(order)["refunded_cents"] == 500 and refunds_total(order) == 500
    assert sql(f"SELECT status FROM after_sales WHERE id = {ident}") == "requested"


def test_approve_takes_no_body_and_post_only():
    w = world()
    ident = new_after_sale(w.buyer, new_order(w.shop, w.sku, w.buyer))
    r = srv().request("POST", f"{base(w.shop)}/{ident}/approve", {"note": "x"}, token=w.token)
    assert_problem(r, 400, "unexpected_body")
    r = srv().request("GET", f"{base(w.shop)}/{ident}/approve", token=w.token)
    assert_problem(r, 405, "method_not_allowed")
    assert r.headers["allow"] == "POST"
    assert sql(f"SELECT status FROM after_sales WHERE id = {ident}") == "requested"


def test_concurrent_approves_refund_once():
    w = world()
    for round_ in range(5):
        order = new_order(w.shop, w.sku, w.buyer, ship=(round_ % 2 == 1))
        ident = new_after_sale(w.buyer, order, amount=None if round_ % 2 else 700)
        results = parallel(lambda: approve(w.shop, ident, w.token), [()] * 10)
        statuses = sorted(r.status for r in results)
        assert statuses == [200] + [409] * 9, results
        for r in results:
            if r.status == 409:
                assert_problem(r, 409, "invalid_state")
        row = order_row(order)
        assert refunds_total(order) == row["refunded_cents"] <= row["paid_cents"], row
        assert int(sql(f"SELECT count(*) FROM refunds WHERE after_sale_id = {ident}")) == 1


def test_concurrent_approve_and_reject_decide_once():
    w = world()
    for _ in range(3):
        order = new_order(w.shop, w.sku, w.buyer)
        ident = new_after_sale(w.buyer, order)
        calls = [(approve,)] * 5 + [(reject,)] * 5
        results = parallel(lambda f: f(w.shop, ident, w.token), calls)
        assert sum(r.status == 200 for r in results) == 1, results
        assert all(r.status == 200 or r.json["code"] == "invalid_state" for r in results)
        status = sql(f"SELECT status FROM after_sales WHERE id = {ident}")
        assert refunds_total(order) == (1000 if status == "refunded" else 0), status
        assert not order_row(order)["after_sales_open"]


def test_database_refuses_over_refund():
    w = world()
    order = new_order(w.shop, w.sku, w.buyer)
    for stmt in [f"UPDATE orders SET refunded_cents = paid_cents + 1 WHERE id = {order}",
                 f"UPDATE orders SET refunded_cents = -1 WHERE id = {order}"]:
        try:
            sql(stmt)
        except AssertionError as e:
            assert "orders_check" in str(e) or "check constraint" in str(e), e
        else:
            raise AssertionError(f"the database accepted: {stmt}")
    unpaid = new_order(w.shop, w.sku, w.buyer, pay=False)
    try:
        sql(f"UPDATE orders SET refunded_cents = 1 WHERE id = {unpaid}")
    except AssertionError as e:
        assert "check constraint" in str(e), e
    else:
        raise AssertionError("the database refunded an unpaid order")
    assert order_row(order)["refunded_cents"] == 0


def test_idempotency_key_on_approve():
    w = world()
    order = new_order(w.shop, w.sku, w.buyer)
    ident = new_after_sale(w.buyer, order, amount=250)
    key = {"Idempotency-Key": f"approve-{ident}"}
    first = approve(w.shop, ident, w.token, headers=key)
    assert first.status == 200, first
    again = approve(w.shop, ident, w.token, headers=key)
    assert again.status == 200 and again.json == first.json, again
    assert again.headers.get("idempotent-replayed") == "true"
    assert refunds_total(order) == 250
    # The same key on another request; a fresh key runs, and is refused.
    r = reject(w.shop, ident, w.token, headers=key)
    assert_problem(r, 422, "idempotency_key_reused")
    assert_problem(approve(w.shop, ident, w.token, headers={"Idempotency-Key": "other"}), 409,
                   "invalid_state")
    # Keys belong to the caller: another merchant's same key is its own.
    assert_problem(approve(w.shop, ident, w.other_token, headers=key), 404, "not_found")
    # Reject replays as well.
    ident = new_after_sale(w.buyer, order, amount=100)
    key = {"Idempotency-Key": f"reject-{ident}"}
    first = reject(w.shop, ident, w.token, headers=key)
    assert first.status == 200
    again = reject(w.shop, ident, w.token, headers=key)
    assert again.json == first.json and again.headers.get("idempotent-replayed") == "true"


# ---------------------------------------------------------------------------
# Reject


def test_reject():
    w = world()
    order = new_order(w.shop, w.sku, w.buyer, ship=True)
    ident = new_after_sale(w.buyer, order)
    reason = "签收时外包装完好" * 50  # 400 characters, 1200 bytes
    r = reject(w.shop, ident, w.token, {"reason": reason + "x" * 100})
    assert r.status == 200, r
    assert_after_sale(r.json, ident, "rejected")
    assert r.json["reject_reason"] == reason + "x" * 100
    assert r.json["decided_at"] is not None and r.json["logistics"] is None
    assert r.json["reason"] == "arrived damaged"
    assert order_row(order) == {"status": "shipped", "paid_cents": 1000, "refunded_cents": 0,
                                "close_reason": None, "after_sales_open": False}
    # The buyer may ask again after a rejection.
    new_after_sale(w.buyer, order)


def test_reject_validation():
    w = world()
    ident = new_after_sale(w.buyer, new_order(w.shop, w.sku, w.buyer))
    for body, fields in [({}, ["reason"]), ({"reason": ""}, ["reason"]),
                         ({"reason": "   "}, ["reason"]), ({"reason": "x" * 501}, ["reason"]),
                         ({"reason": 5}, ["reason"]), ({"reason": None}, ["reason"])]:
        assert_field_errors(reject(w.shop, ident, w.token, body), fields)
    assert_field_errors(reject(w.shop, ident, w.token, {"reason": "no", "note": "x"}), ["note"],
                        code="unknown_field")
    url = f"{base(w.shop)}/{ident}/reject"
    r = srv().request("POST", url, token=w.token, raw=b'{"reason": "x"}',
                      headers={"Content-Type": "text/plain"})
    assert_problem(r, 415, "unsupported_media_type")
    r = srv().request("POST", url, token=w.token, raw=b'{"reason": ',
                      headers={"Content-Type": "application/json"})
    assert_problem(r, 400, "invalid_json")
    assert sql(f"SELECT status FROM after_sales WHERE id = {ident}") == "requested"


# ---------------------------------------------------------------------------
# Reship


def test_reship_validation():
    w = world()
    order = new_order(w.shop, w.sku, w.buyer, ship=True)
    ident = new_after_sale(w.buyer, order, kind="reship")
    assert approve(w.shop, ident, w.token).status == 200
    good = {"carrier": "zto", "tracking_no": "ZT778899001"}
    cases = [({}, ["carrier", "tracking_no"]),
             ({**good, "carrier": "nope"}, ["carrier"]),  # no such carrier
             ({**good, "carrier": "SF"}, ["carrier"]),
             ({**good, "carrier": "s"}, ["carrier"]),
             ({**good, "tracking_no": "AB12"}, ["tracking_no"]),
             ({**good, "tracking_no": "AB 123456"}, ["tracking_no"]),
             ({**good, "tracking_no": "A" * 41}, ["tracking_no"]),
             ({**good, "tracking_no": 12345678}, ["tracking_no"])]
    for body, fields in cases:
        assert_field_errors(reship(w.shop, ident, w.token, body), fields)
    assert_field_errors(reship(w.shop, ident, w.token, {**good, "eta": "soon"}), ["eta"],
                        code="unknown_field")
    assert sql(f"SELECT status FROM after_sales WHERE id = {ident}") == "approved"


def test_reship_flow_and_window():
    w = world()
    t0 = utcnow().replace(microsecond=0) + datetime.timedelta(days=1)
    day = datetime.timedelta(days=1)
    try:
        srv().set_clock(fmt_time(t0))
        ontime = new_after_sale(w.buyer, new_order(w.shop, w.sku, w.buyer, ship=True), "reship")
        late = new_after_sale(w.buyer, new_order(w.shop, w.sku, w.buyer, ship=True), "reship")
        # Not approved yet: nothing to reship.
        assert_problem(reship(w.shop, ontime, w.token), 409, "invalid_state")
        r = approve(w.shop, ontime, w.token)
        assert r.status == 200, r
        a = r.json
        assert_after_sale(a, ontime, "approved")
        assert a["amount_cents"] == 0 and a["logistics"] is None
        assert parse_time(a["decided_at"]) == t0
        assert parse_time(a["reship_deadline"]) == t0 + 15 * day
        assert approve(w.shop, late, w.token).status == 200
        listed = {x["id"]: x for x in get(base(w.shop) + "?status=approved", w.token).json["items"]}
        assert parse_time(listed[ontime]["reship_deadline"]) == t0 + 15 * day
        assert order_row(a["order_id"])["after_sales_open"]

        srv().set_clock(fmt_time(t0 + 15 * day))  # the last moment of the window
        r = reship(w.shop, ontime, w.token, {"carrier": "sf", "tracking_no": "SF-0099-1122"})
        assert r.status == 200, r
        a = r.json
        assert_after_sale(a, ontime, "reshipped")
        assert a["logistics"] == {"carrier": "sf", "tracking_no": "SF-0099-1122"}
        assert parse_time(a["reshipped_at"]) == t0 + 15 * day
        assert parse_time(a["decided_at"]) == t0 and a["reship_deadline"] is None
        order = order_row(a["order_id"])
        assert not order["after_sales_open"] and order["refunded_cents"] == 0
        assert_problem(reship(w.shop, ontime, w.token), 409, "invalid_state")

        srv().set_clock(fmt_time(t0 + 15 * day + datetime.timedelta(seconds=1)))
        assert_problem(reship(w.shop, late, w.token), 409, "reship_window_closed")
        assert sql(f"SELECT status FROM after_sales WHERE id = {late}") == "approved"
        # A refund request cannot be reshipped.
        refund = new_after_sale(w.buyer, new_order(w.shop, w.sku, w.buyer))
        assert_problem(reship(w.shop, refund, w.token), 409, "invalid_state")
        assert approve(w.shop, refund, w.token).status == 200
        assert_problem(reship(w.shop, refund, w.token), 409, "invalid_state")
    finally:
        r = srv().request("PUT", "/v1/test/clock", {"now": None})
        assert r.status == 200, r


if __name__ == "__main__":
    main([test_list_shape_newest_first, test_list_pages_and_status_tabs, test_list_validation,
          test_unauthenticated_and_wrong_role, test_other_merchants_get_404,
          test_partial_then_full_refund_closes_order, test_unshipped_full_refund_returns_stock,
          test_decisions_only_on_requested, test_refund_exceeds_paid_at_approval,
          test_approve_takes_no_body_and_post_only, test_concurrent_approves_refund_once,
          test_concurrent_approve_and_reject_decide_once, test_database_refuses_over_refund,
          test_idempotency_key_on_approve, test_reject, test_reject_validation,
          test_reship_validation, test_reship_flow_and_window])
