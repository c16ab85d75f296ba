"""The buyer's side of orders: placing (stock, price snapshots, validation),
listing and reading one's own orders, paying, cancelling, confirming
receipt, after-sales requests, Idempotency-Key on those writes, the stock
and state races, and the two order jobs (expiry of unpaid orders, automatic
completion of shipped ones). Shops, products and SKUs are made directly in
SQL, and orders are shipped with order_ship: their APIs are tested
elsewhere."""

import base64
import datetime
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from harness import *  # noqa: E402,F401,F403

# Six HTTP threads, so that races reach the database several at a time.
ENV = {"MERCHANTD_THREADS": "6"}

ADDRESS = {"name": "李雷", "phone": "+86 138-0000-0000", "province": "浙江省",
           "city": "杭州市", "district": "西湖区", "detail": "文三路 1 号 2 单元"}
ORDER_KEYS = {"id", "order_sn", "shop_id", "buyer", "status", "items", "amounts", "address",
              "note", "logistics", "timeline", "close_reason", "after_sales_open",
              "review", "coupon_id"}
ITEM_KEYS = {"line", "sku_id", "product_id", "title", "spec", "image", "price_cents",
             "quantity"}
TIMELINE_KEYS = {"created_at", "pay_deadline", "paid_at", "grouped_at", "shipped_at",
                 "completed_at", "closed_at"}
AFTER_SALE_KEYS = {"id", "order_id", "type", "reason", "amount_cents", "status", "created_at"}
ORDER_SN = re.compile(r"^\d{6}-\d{10}$")
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def s():
    return srv(ENV)


# ---------------------------------------------------------------------------
# Fixtures: accounts through the API, shops and SKUs through SQL


def new_shop(merchant_id=None):
    if merchant_id is None:
        merchant_id = new_merchant()[0]
    return int(sql(f"INSERT INTO shops (merchant_id, name, created_at, updated_at) "
                   f"VALUES ({merchant_id}, 'Tea House', now(), now()) RETURNING id"))


def new_sku(shop, price=1000, stock=100, title="Longjing tea", spec="250g", status="on_sale",
            image=None):
    """A product with one SKU; returns the SKU id."""
    images = "'{}'" if image is None else f"ARRAY[{sql_literal(image)}]"
    product = int(sql(f"INSERT INTO products (shop_id, title, images, status, created_at,"
                      f" updated_at) VALUES ({shop}, {sql_literal(title)}, {images}, '{status}',"
                      f" now(), now()) RETURNING id"))
    return int(sql(f"INSERT INTO skus (product_id, shop_id, spec, price_cents, stock, created_at,"
                   f" updated_at) VALUES ({product}, {shop}, {sql_literal(spec)}, {price}, {stock},"
                   f" now(), now()) RETURNING id"))


def stock(sku):
    return int(sql(f"SELECT stock FROM skus WHERE id = {sku}"))


def order_count(buyer_id):
    return int(sql(f"SELECT count(*) FROM orders WHERE buyer_id = {buyer_id}"))


def body(shop, items, address=None, note=None):
    b = {"shop_id": shop, "items": items, "address": dict(address or ADDRESS)}
    if note is not None:
        b["note"] = note
    return b


def create(token, b, key=None):
    headers = {"Idempotency-Key": key} if key else None
    return s().request("POST", "/v1/orders", b, token=token, headers=headers)


def place(token, shop, sku, quantity=1):
    r = create(token, body(shop, [{"sku_id": sku, "quantity": quantity}]))
    assert r.status == 201, r
    return r.json


def act(token, order_id, action, key=None):
    headers = {"Idempotency-Key": key} if key else None
    return s().request("POST", f"/v1/orders/{order_id}/{action}", token=token, headers=headers)


def get(token, order_id):
    return s().request("GET", f"/v1/orders/{order_id}", token=token)


def ship(shop, order_id):
    assert sql(f"SELECT order_ship({shop}, {order_id}, 'sf', 'SF1234567', now())") == "ok"


def ask(token, order_id, b, key=None):
    headers = {"Idempotency-Key": key} if key else None
    return s().request("POST", f"/v1/orders/{order_id}/after-sales", b, token=token,
                       headers=headers)


def run_jobs():
    r = s().request("POST", "/v1/test/jobs/run")
    assert r.status == 200 and r.json == {"status": "done"}, r


def assert_fields(r, status, code, fields):
    """A problem whose errors[] names exactly these fields."""
    assert_problem(r, status, code)
    got = {e["field"] for e in r.json.get("errors", [])}
    assert got == set(fields), (fields, r.json)
    for e in r.json["errors"]:
        assert e["message"], e


# ---------------------------------------------------------------------------
# Placing orders


def test_create_order():
    shop = new_shop()
    tea = new_sku(shop, price=1999, stock=10, title="Longjing tea", spec="250g",
                  image="https://img.example/tea.jpg")
    cup = new_sku(shop, price=500, stock=5, title="Cup", spec="white")
    buyer_id, token = new_buyer(display_name="Han Meimei")
    before = utcnow().replace(microsecond=0)
    r = create(token, body(shop, [{"sku_id": tea, "quantity": 3}, {"sku_id": cup, "quantity": 2}],
                           note="leave it at the door"))
    after = utcnow()
    assert r.status == 201, r
    assert r.headers.get("content-type") == "application/json"
    o = r.json
    assert set(o) == ORDER_KEYS, o.keys()
    assert isinstance(o["id"], int) and o["shop_id"] == shop
    assert o["buyer"] == {"id": buyer_id, "name": "Han Meimei"}
    assert o["status"] == "unpaid"
    assert o["amounts"] == {"items_cents": 6997, "discount_cents": 0, "total_cents": 6997,
                            "paid_cents": 0, "refunded_cents": 0}, o["amounts"]
    assert o["address"] == ADDRESS
    assert o["note"] == "leave it at the door"
    assert o["logistics"] == {"carrier": None, "tracking_no": None}
    assert o["after_sales_open"] is False
    assert [set(i) for i in o["items"]] == [ITEM_KEYS, ITEM_KEYS]
    first, second = o["items"]
    assert first == {"line": 1, "sku_id": tea, "product_id": first["product_id"],
                     "title": "Longjing tea", "spec": "250g",
                     "image": "https://img.example/tea.jpg", "price_cents": 1999, "quantity": 3}
    assert second["line"] == 2 and second["sku_id"] == cup and second["image"] is None
    assert second["price_cents"] == 500 and second["quantity"] == 2
    t = o["timeline"]
    assert set(t) == TIMELINE_KEYS
    created = parse_time(t["created_at"])
    assert before <= created <= after, (before, created, after)
    assert parse_time(t["pay_deadline"]) == created + datetime.timedelta(minutes=30)
    for k in ("paid_at", "grouped_at", "shipped_at", "completed_at", "closed_at"):
        assert t[k] is None, t
    assert o["close_reason"] is None
    # A human-readable number: the day (Beijing time) and a sequence.
    assert ORDER_SN.match(o["order_sn"]), o["order_sn"]
    assert o["order_sn"][:6] == created.astimezone(SHANGHAI).strftime("%y%m%d")
    # The stock is reserved; the merchant's fields stay hidden.
    assert stock(tea) == 7 and stock(cup) == 3
    assert "merchant_note" not in o and "flag" not in o
    r = get(token, o["id"])
    assert r.status == 200 and r.json == o, r
    # A Chinese name of 50 characters fits; no note means an empty one, and so does null.
    long_name = dict(ADDRESS, name="李" * 50)
    r = create(token, body(shop, [{"sku_id": cup, "quantity": 1}], address=long_name))
    assert r.status == 201 and r.json["address"]["name"] == "李" * 50 and r.json["note"] == "", r
    r = create(token, body(shop, [{"sku_id": cup, "quantity": 1}], note=None) | {"note": None})
    assert r.status == 201 and r.json["note"] == "", r
    r = create(token, body(shop, [{"sku_id": cup, "quantity": 1}], note="n" * 200))
    assert r.status == 201 and r.json["note"] == "n" * 200, r
    assert stock(cup) == 0
    assert order_count(buyer_id) == 4


def test_order_sn_unique_and_readable():
    shop = new_shop()
    sku = new_sku(shop)
    _, token = new_buyer()
    orders = [place(token, shop, sku) for _ in range(6)]
    sns = [o["order_sn"] for o in orders]
    assert len(set(sns)) == 6, sns
    assert all(ORDER_SN.match(sn) for sn in sns), sns
    # Later orders get larger numbers.
    assert sorted(sns) == sns, sns
    assert sql("SELECT count(*) = count(DISTINCT order_sn) FROM orders") == "t"



def test_duplicate_sku_lines_refused():
    """Two lines of one SKU could each pass the stock check and sell more
    than the stock: the database refuses them whoever calls it, as the API
    does."""
    shop = new_shop()
    sku = new_sku(shop, stock=3)
    buyer, token = new_buyer()
    lines = [{"sku_id": sku, "quantity": 2}, {"sku_id": sku, "quantity": 2}]
    out = sql(f"SELECT result || ' ' || coalesce(order_id::text, '-') FROM order_create("
              f"{buyer}, {shop}, {sql_literal(json.dumps(lines))}::jsonb,"
              f" {sql_literal(json.dumps(ADDRESS))}::jsonb, '', now(), now() + interval '30 min')")
    assert out == f"invalid_field {sku}", out
    assert stock(sku) == 3 and order_count(buyer) == 0
    r = create(token, body(shop, lines))
    assert_problem(r, 400, "invalid_field")
    assert r.json["errors"][0]["field"] == "items[1].sku_id", r.json
    assert stock(sku) == 3 and order_count(buyer) == 0


def test_order_sn_day_in_configured_zone():
    """The order number's day is the day in MERCHANTD_TZ: just before
    midnight in New York it is already the next day in Shanghai."""
    ny = start_server(env=dict(ENV, MERCHANTD_TZ="America/New_York"), db_url=s().db_url,
                      migrate=False)
    try:
        shop = new_shop()
        sku = new_sku(shop)
        name = uname("b")
        ny.register(name, role="buyer")
        # 23:59:30 on 2030-01-14 in New York (EST) is 12:59:30 on the 15th in Shanghai.
        ny.set_clock("2030-01-15T04:59:30Z")
        token = ny.login(name)
        r = ny.request("POST", "/v1/orders", body(shop, [{"sku_id": sku, "quantity": 1}]),
                       token=token)
        assert r.status == 201, r
        assert r.json["order_sn"].startswith("300114-"), r.json["order_sn"]
        ny.set_clock("2030-01-15T05:00:00Z")  # midnight in New York
        r = ny.request("POST", "/v1/orders", body(shop, [{"sku_id": sku, "quantity": 1}]),
                       token=token)
        assert r.status == 201 and r.json["order_sn"].startswith("300115-"), r
    finally:
        stop_server(ny)


def test_price_snapshot():
    shop = new_shop()
    sku = new_sku(shop, price=1200, stock=10, title="Old title", spec="old spec")
    _, token = new_buyer()
    o = place(token, shop, sku, quantity=2)
    sql(f"UPDATE skus SET price_cents = 9900, spec = 'new spec' WHERE id = {sku}")
    sql(f"UPDATE products SET title = 'New title' WHERE id = "
        f"(SELECT product_id FROM skus WHERE id = {sku})")
    r = get(token, o["id"])
    assert r.status == 200, r
    item = r.json["items"][0]
    assert (item["price_cents"], item["title"], item["spec"]) == (1200, "Old title", "old spec")
    assert r.json["amounts"]["total_cents"] == 2400
    assert r.json == o
    # Paying keeps the snapshot too; a new order takes the new price.
    r = act(token, o["id"], "pay")
    assert r.status == 200 and r.json["amounts"]["paid_cents"] == 2400, r
    o2 = place(token, shop, sku, quantity=2)
    assert o2["items"][0]["price_cents"] == 9900 and o2["amounts"]["total_cents"] == 19800
    assert o2["items"][0]["title"] == "New title"


def test_create_validation():
    shop = new_shop()
    sku = new_sku(shop, stock=10)
    other = new_sku(shop, stock=10)
    buyer_id, token = new_buyer()
    item = {"sku_id": sku, "quantity": 1}
    good = body(shop, [item])
    addr = lambda **kw: body(shop, [item], address=dict(ADDRESS, **kw))  # noqa: E731
    no_name = dict(ADDRESS)
    del no_name["name"]
    cases = [
        ({}, "invalid_field", {"shop_id", "items", "address"}),
        ({"items": [item], "address": ADDRESS}, "invalid_field", {"shop_id"}),
        (good | {"shop_id": 0}, "invalid_field", {"shop_id"}),
        (good | {"shop_id": str(shop)}, "invalid_field", {"shop_id"}),
        (good | {"shop_id": None}, "invalid_field", {"shop_id"}),
        (good | {"items": []}, "invalid_field", {"items"}),
        (good | {"items": [{"sku_id": i + 1, "quantity": 1} for i in range(51)]},
         "invalid_field", {"items"}),
        (good | {"items": "sku"}, "invalid_field", {"items"}),
        (good | {"items": None}, "invalid_field", {"items"}),
        (good | {"items": [5]}, "invalid_field", {"items[0]"}),
        (good | {"items": [{"sku_id": sku}]}, "invalid_field", {"items[0].quantity"}),
        (good | {"items": [item, {"sku_id": 0, "quantity": 0}]}, "invalid_field",
         {"items[1].sku_id", "items[1].quantity"}),
        (good | {"items": [{"sku_id": sku, "quantity": 1000}]}, "invalid_field",
         {"items[0].quantity"}),
        (good | {"items": [{"sku_id": str(sku), "quantity": 1.5}]}, "invalid_field",
         {"items[0].sku_id", "items[0].quantity"}),
        (good | {"items": [item, {"sku_id": other, "quantity": 1},
                           {"sku_id": sku, "quantity": 2}]},
         "invalid_field", {"items[2].sku_id"}),
        (good | {"items": [{"sku_id": sku, "quantity": 1, "price_cents": 1}]}, "unknown_field",
         {"items[0].price_cents"}),
        (good | {"address": "Hangzhou"}, "invalid_field", {"address"}),
        (good | {"address": None}, "invalid_field", {"address"}),
        (body(shop, [item], address=no_name), "invalid_field", {"address.name"}),
        (addr(name=""), "invalid_field", {"address.name"}),
        (addr(name="x" * 51), "invalid_field", {"address.name"}),
        (addr(phone="1234"), "invalid_field", {"address.phone"}),
        (addr(phone="1" * 21), "invalid_field", {"address.phone"}),
        (addr(phone="138abc00000"), "invalid_field", {"address.phone"}),
        (addr(phone=13800000000), "invalid_field", {"address.phone"}),
        (addr(province="", city="c" * 51, district=None), "invalid_field",
         {"address.province", "address.city", "address.district"}),
        (addr(detail="d" * 201), "invalid_field", {"address.detail"}),
        (addr(zip="310000"), "unknown_field", {"address.zip"}),
        (good | {"note": "n" * 201}, "invalid_field", {"note"}),
        (good | {"note": 5}, "invalid_field", {"note"}),
        (good | {"coupon": "X"}, "unknown_field", {"coupon"}),
        # Every problem at once; an unknown field anywhere makes the code unknown_field.
        ({"shop_id": -1, "items": [{"sku_id": sku, "quantity": 0}],
          "address": dict(ADDRESS, phone="x"), "note": "n" * 201, "discount": 1},
         "unknown_field", {"shop_id", "items[0].quantity", "address.phone", "note", "discount"}),
    ]
    for b, code, fields in cases:
        r = create(token, b)
        assert_fields(r, 400, code, fields)
    r = s().request("POST", "/v1/orders", token=token, raw=b"{\"shop_id\": ",
                    headers={"Content-Type": "application/json"})
    assert_problem(r, 400, "invalid_json")
    r = s().request("POST", "/v1/orders", token=token, raw=json.dumps(good).encode(),
                    headers={"Content-Type": "text/plain"})
    assert_problem(r, 415, "unsupported_media_type")
    assert order_count(buyer_id) == 0
    assert stock(sku) == 10 and stock(other) == 10
    # The boundaries themselves are fine.
    edge = body(shop, [{"sku_id": sku, "quantity": 10}],
                address=dict(ADDRESS, phone="12345", detail="d" * 200, city="c" * 50))
    r = create(token, edge)
    assert r.status == 201, r
    assert r.json["address"]["phone"] == "12345" and stock(sku) == 0


def test_create_refusals():
    shop = new_shop()
    elsewhere = new_shop()
    sku = new_sku(shop, stock=5)
    foreign = new_sku(elsewhere, stock=5)
    off = new_sku(shop, status="off_sale")
    gone = new_sku(shop)
    sql(f"UPDATE products SET deleted_at = now() WHERE id = "
        f"(SELECT product_id FROM skus WHERE id = {gone})")
    buyer_id, token = new_buyer()

    r = create(token, body(999999999, [{"sku_id": sku, "quantity": 1}]))
    assert_problem(r, 404, "not_found")
    r = create(token, body(shop, [{"sku_id": foreign, "quantity": 1}]))
    assert_problem(r, 404, "not_found")
    assert r.json["sku_id"] == foreign, r.json
    r = create(token, body(shop, [{"sku_id": 999999999, "quantity": 1}]))
    assert_problem(r, 404, "not_found")
    assert r.json["sku_id"] == 999999999
    r = create(token, body(shop, [{"sku_id": off, "quantity": 1}]))
    assert_problem(r, 409, "product_unavailable")
    assert r.json["sku_id"] == off
    r = create(token, body(shop, [{"sku_id": gone, "quantity": 1}]))
    assert_problem(r, 409, "product_unavailable")
    r = create(token, body(shop, [{"sku_id": sku, "quantity": 6}]))
    assert_problem(r, 409, "out_of_stock")
    assert r.json["sku_id"] == sku
    # All or nothing: the first line's stock stays when the second fails.
    other = new_sku(shop, stock=1)
    r = create(token, body(shop, [{"sku_id": sku, "quantity": 5},
                                  {"sku_id": other, "quantity": 2}]))
    assert_problem(r, 409, "out_of_stock")
    assert r.json["sku_id"] == other
    assert stock(sku) == 5 and stock(other) == 1 and stock(foreign) == 5
    assert order_count(buyer_id) == 0
    # Exactly what is left can be ordered.
    o = place(token, shop, sku, quantity=5)
    assert stock(sku) == 0 and o["amounts"]["total_cents"] == 5000
    assert_problem(create(token, body(shop, [{"sku_id": sku, "quantity": 1}])), 409,
                   "out_of_stock")


# ---------------------------------------------------------------------------
# Who may call


def test_authentication_and_role():
    shop = new_shop()
    sku = new_sku(shop)
    _, buyer = new_buyer()
    order = place(buyer, shop, sku)["id"]
    _, merchant = new_merchant()
    routes = [
        ("POST", "/v1/orders", body(shop, [{"sku_id": sku, "quantity": 1}])),
        ("GET", "/v1/orders", None),
        ("GET", f"/v1/orders/{order}", None),
        ("POST", f"/v1/orders/{order}/pay", None),
        ("POST", f"/v1/orders/{order}/cancel", None),
        ("POST", f"/v1/orders/{order}/confirm-receipt", None),
        ("POST", f"/v1/orders/{order}/after-sales", {"type": "refund_only", "reason": "x"}),
    ]
    for method, path, b in routes:
        r = s().request(method, path, b)
        assert_problem(r, 401, "unauthenticated")
        assert r.headers.get("www-authenticate", "").startswith("Bearer"), r.headers
        r = s().request(method, path, b, token="not-a-token")
        assert r.status == 401, (path, r)
        assert_problem(s().request(method, path, b, token=merchant), 403, "forbidden")
    r = get(buyer, order)
    assert r.status == 200 and r.json["status"] == "unpaid", r
    assert r.headers.get("cache-control") == "no-store"


def test_another_buyers_order_is_not_found():
    shop = new_shop()
    sku = new_sku(shop, stock=10)
    _, alice = new_buyer()
    bob_id, bob = new_buyer()
    paid = place(alice, shop, sku)
    assert act(alice, paid["id"], "pay").status == 200
    unpaid = place(alice, shop, sku)
    for order in (paid["id"], unpaid["id"], 999999999):
        assert_problem(get(bob, order), 404, "not_found")
        for action in ("pay", "cancel", "confirm-receipt"):
            assert_problem(act(bob, order, action), 404, "not_found")
        r = ask(bob, order, {"type": "refund_only", "reason": "not mine"})
        assert_problem(r, 404, "not_found")
    r = s().request("GET", "/v1/orders", token=bob)
    assert r.status == 200 and r.json == {"items": [], "next_cursor": None}, r
    assert get(alice, unpaid["id"]).json == unpaid
    assert get(alice, paid["id"]).json["after_sales_open"] is False
    assert stock(sku) == 8 and order_count(bob_id) == 0


# ---------------------------------------------------------------------------
# Listing


def list_orders(token, query=""):
    return s().request("GET", f"/v1/orders{query}", token=token)


def test_list_pagination_and_filter():
    shop = new_shop()
    sku = new_sku(shop)
    _, token = new_buyer()
    ids = [place(token, shop, sku)["id"] for _ in range(5)]
    for order in ids[1:3]:
        assert act(token, order, "pay").status == 200
    newest_first = sorted(ids, reverse=True)

    r = list_orders(token)
    assert r.status == 200, r
    assert set(r.json) == {"items", "next_cursor"} and r.json["next_cursor"] is None
    assert [o["id"] for o in r.json["items"]] == newest_first
    assert r.json["items"][0] == get(token, newest_first[0]).json

    seen, cursor, pages = [], None, 0
    while True:
        q = "?limit=2" + (f"&cursor={cursor}" if cursor else "")
        r = list_orders(token, q)
        assert r.status == 200, r
        assert len(r.json["items"]) <= 2
        seen += [o["id"] for o in r.json["items"]]
        pages += 1
        cursor = r.json["next_cursor"]
        if cursor is None:
            break
    assert seen == newest_first and pages == 3, (seen, pages)
    # A last page that is exactly full says so with a null cursor.
    r = list_orders(token, "?limit=5")
    assert len(r.json["items"]) == 5 and r.json["next_cursor"] is None

    r = list_orders(token, "?status=paid")
    assert [o["id"] for o in r.json["items"]] == sorted(ids[1:3], reverse=True), r
    assert all(o["status"] == "paid" for o in r.json["items"])
    r = list_orders(token, "?status=unpaid&limit=2")
    first = [o["id"] for o in r.json["items"]]
    r = list_orders(token, f"?status=unpaid&limit=2&cursor={r.json['next_cursor']}")
    assert first + [o["id"] for o in r.json["items"]] == [ids[4], ids[3], ids[0]], r
    assert r.json["next_cursor"] is None
    assert list_orders(token, "?status=shipped").json == {"items": [], "next_cursor": None}

    other_kind = base64.urlsafe_b64encode(b"x:0:5").decode().rstrip("=")
    bad = [("?limit=0", "invalid_field", "limit"), ("?limit=101", "invalid_field", "limit"),
           ("?limit=ten", "invalid_field", "limit"), ("?status=lost", "invalid_field", "status"),
           ("?cursor=%24%24%24", "invalid_field", "cursor"),
           (f"?cursor={other_kind}", "invalid_field", "cursor"),
           ("?page=2", "unknown_field", "page")]
    for q, code, field in bad:
        assert_fields(list_orders(token, q), 400, code, {field})
    r = list_orders(token, "?limit=100")
    assert r.status == 200 and len(r.json["items"]) == 5


# ---------------------------------------------------------------------------
# Paying, cancelling, confirming


def test_pay():
    shop = new_shop()
    sku = new_sku(shop, price=2500, stock=3)
    _, token = new_buyer()
    o = place(token, shop, sku, quantity=2)
    assert_problem(s().request("POST", f"/v1/orders/{o['id']}/pay", {}, token=token), 400,
                   "unexpected_body")
    before = utcnow().replace(microsecond=0)
    r = act(token, o["id"], "pay")
    assert r.status == 200, r
    p = r.json
    assert p["status"] == "paid" and p["amounts"]["paid_cents"] == 5000, p
    t = p["timeline"]
    assert t["paid_at"] is not None and t["paid_at"] == t["grouped_at"]
    assert before <= parse_time(t["paid_at"]) <= utcnow()
    assert t["pay_deadline"] is None and t["closed_at"] is None
    assert p["items"] == o["items"] and p["order_sn"] == o["order_sn"]
    assert get(token, o["id"]).json == p
    assert stock(sku) == 1
    for action in ("pay", "cancel", "confirm-receipt"):
        assert_problem(act(token, o["id"], action), 409, "invalid_state")
    assert get(token, o["id"]).json == p


def test_cancel():
    shop = new_shop()
    sku = new_sku(shop, stock=4)
    _, token = new_buyer()
    o = place(token, shop, sku, quantity=3)
    assert stock(sku) == 1
    r = act(token, o["id"], "cancel")
    assert r.status == 200, r
    c = r.json
    assert c["status"] == "closed" and c["close_reason"] == "cancelled", c
    assert c["timeline"]["closed_at"] is not None and c["timeline"]["pay_deadline"] is None
    assert c["amounts"]["paid_cents"] == 0
    assert stock(sku) == 4
    for action in ("cancel", "pay", "confirm-receipt"):
        assert_problem(act(token, o["id"], action), 409, "invalid_state")
    assert stock(sku) == 4 and get(token, o["id"]).json == c


def test_confirm_receipt():
    shop = new_shop()
    sku = new_sku(shop)
    _, token = new_buyer()
    o = place(token, shop, sku)
    assert_problem(act(token, o["id"], "confirm-receipt"), 409, "invalid_state")
    assert act(token, o["id"], "pay").status == 200
    assert_problem(act(token, o["id"], "confirm-receipt"), 409, "invalid_state")
    ship(shop, o["id"])
    shipped = get(token, o["id"]).json
    assert shipped["status"] == "shipped"
    assert shipped["logistics"] == {"carrier": "sf", "tracking_no": "SF1234567"}
    assert_problem(act(token, o["id"], "cancel"), 409, "invalid_state")
    r = act(token, o["id"], "confirm-receipt")
    assert r.status == 200, r
    done = r.json
    assert done["status"] == "completed" and done["timeline"]["completed_at"] is not None
    assert done["timeline"]["shipped_at"] == shipped["timeline"]["shipped_at"]
    assert done["logistics"] == shipped["logistics"]
    assert_problem(act(token, o["id"], "confirm-receipt"), 409, "invalid_state")
    assert get(token, o["id"]).json == done


# ---------------------------------------------------------------------------
# Idempotency-Key


def test_idempotency_key():
    shop = new_shop()
    sku = new_sku(shop, stock=10)
    buyer_id, token = new_buyer()
    b = body(shop, [{"sku_id": sku, "quantity": 2}])
    first = create(token, b, key="order-1")
    assert first.status == 201, first
    again = create(token, b, key="order-1")
    assert again.status == 201, again
    assert again.headers.get("idempotent-replayed") == "true", again.headers
    assert again.json == first.json
    assert "idempotent-replayed" not in first.headers
    assert order_count(buyer_id) == 1 and stock(sku) == 8
    r = create(token, body(shop, [{"sku_id": sku, "quantity": 3}]), key="order-1")
    assert_problem(r, 422, "idempotency_key_reused")
    assert order_count(buyer_id) == 1 and stock(sku) == 8
    # A refusal is stored too: the same request stays refused, even once it
    # could succeed, until a new key is used.
    big = body(shop, [{"sku_id": sku, "quantity": 9}])
    assert_problem(create(token, big, key="order-2"), 409, "out_of_stock")
    sql(f"UPDATE skus SET stock = 20 WHERE id = {sku}")
    r = create(token, big, key="order-2")
    assert r.status == 409 and r.json["code"] == "out_of_stock", r
    assert r.headers.get("idempotent-replayed") == "true"
    assert create(token, big, key="order-3").status == 201

    order = first.json["id"]
    paid = act(token, order, "pay", key="pay-1")
    assert paid.status == 200, paid
    replay = act(token, order, "pay", key="pay-1")
    assert replay.status == 200 and replay.json == paid.json, replay
    assert replay.headers.get("idempotent-replayed") == "true"
    assert_problem(act(token, order, "pay", key="pay-2"), 409, "invalid_state")
    # The key binds the path: the same key on another order's pay is refused.
    assert_problem(act(token, order + 1, "pay", key="pay-1"), 422, "idempotency_key_reused")
    # Keys belong to their account: another buyer's equal key is its own.
    _, other = new_buyer()
    r = create(other, b, key="order-1")
    assert r.status == 201 and r.json["id"] != first.json["id"], r
    assert "idempotent-replayed" not in r.headers


def test_idempotency_key_binds_the_query():
    """The same key with the same body on another query string is another
    request: 422, not the first one's reply."""
    shop = new_shop()
    sku = new_sku(shop, stock=10)
    buyer_id, token = new_buyer()
    b = body(shop, [{"sku_id": sku, "quantity": 1}])

    def keyed(path):
        return s().request("POST", path, b, token=token, headers={"Idempotency-Key": "q-1"})

    first = keyed("/v1/orders?via=app")
    assert first.status == 201, first
    again = keyed("/v1/orders?via=app")
    assert again.status == 201 and again.json == first.json, again
    assert again.headers.get("idempotent-replayed") == "true"
    for other in ("/v1/orders?via=web", "/v1/orders", "/v1/orders?via=app&x=1",
                  "/v1/orders?via", "/v1/orders?viaapp="):
        assert_problem(keyed(other), 422, "idempotency_key_reused")
    assert order_count(buyer_id) == 1 and stock(sku) == 9


def test_idempotent_write_commits_with_its_reply():
    """A keyed write and its stored reply commit together: when the reply
    cannot be stored (here a trigger refuses it, as a crash between the two
    would leave it unstored), the write is undone too, the client is told to
    try again, and the retry with the same key runs once."""
    shop = new_shop()
    sku = new_sku(shop, stock=10)
    buyer_id, token = new_buyer()
    key = uname("atomic")
    sql(f"""CREATE FUNCTION refuse_reply_{key}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'reply refused'; END $$;
            CREATE TRIGGER refuse_reply_{key} BEFORE UPDATE ON idempotency_keys FOR EACH ROW
            WHEN (NEW.key = '{key}' AND NEW.status IS NOT NULL)
            EXECUTE FUNCTION refuse_reply_{key}()""")
    b = body(shop, [{"sku_id": sku, "quantity": 2}])
    assert_problem(create(token, b, key=key), 503, "database_unavailable")
    assert order_count(buyer_id) == 0 and stock(sku) == 10
    assert sql(f"SELECT count(*) FROM idempotency_keys WHERE key = '{key}'") == "0"
    sql(f"DROP TRIGGER refuse_reply_{key} ON idempotency_keys")
    first = create(token, b, key=key)
    assert first.status == 201 and "idempotent-replayed" not in first.headers, first
    again = create(token, b, key=key)
    assert again.status == 201 and again.headers.get("idempotent-replayed") == "true", again
    assert order_count(buyer_id) == 1 and stock(sku) == 8


# ---------------------------------------------------------------------------
# Races


def test_stock_race_last_units():
    """30 buyers' orders at once for the last 7 units: 7 win, 23 are told
    out_of_stock, and the stock ends at exactly zero, round after round."""
    shop = new_shop()
    buyers = [new_buyer() for _ in range(3)]
    for _ in range(3):
        sku = new_sku(shop, stock=7)
        b = body(shop, [{"sku_id": sku, "quantity": 1}])
        results = parallel(lambda tok: create(tok, b), [(buyers[i % 3][1],) for i in range(30)])
        for r in results:
            assert not isinstance(r, Exception), r
        won = [r for r in results if r.status == 201]
        lost = [r for r in results if r.status != 201]
        assert len(won) == 7 and len(lost) == 23, sorted(r.status for r in results)
        for r in lost:
            assert_problem(r, 409, "out_of_stock")
        assert stock(sku) == 0
        assert sql(f"SELECT sum(quantity) FROM order_items WHERE sku_id = {sku}") == "7"
        assert len({r.json["order_sn"] for r in won}) == 7


def test_pay_and_cancel_race():
    """Pay and cancel of one order at once: exactly one of them happens."""
    shop = new_shop()
    sku = new_sku(shop, stock=100)
    _, token = new_buyer()
    winners = set()
    for _ in range(6):
        o = place(token, shop, sku, quantity=2)
        left = stock(sku)
        pay, cancel = parallel(lambda a: act(token, o["id"], a), [("pay",), ("cancel",)])
        assert not isinstance(pay, Exception) and not isinstance(cancel, Exception)
        assert sorted([pay.status, cancel.status]) == [200, 409], (pay, cancel)
        now = get(token, o["id"]).json
        if pay.status == 200:
            winners.add("pay")
            assert_problem(cancel, 409, "invalid_state")
            assert now["status"] == "paid" and now == pay.json
            assert stock(sku) == left
        else:
            winners.add("cancel")
            assert_problem(pay, 409, "invalid_state")
            assert now["status"] == "closed" and now == cancel.json
            assert now["close_reason"] == "cancelled"
            assert stock(sku) == left + 2
    print(f"     pay/cancel winners seen: {sorted(winners)}")


# ---------------------------------------------------------------------------
# Deadlines and jobs


def test_expiry_job_releases_stock():
    shop = new_shop()
    sku = new_sku(shop, stock=10)
    _, token = new_buyer()
    o = place(token, shop, sku, quantity=4)
    created = parse_time(o["timeline"]["created_at"])
    assert stock(sku) == 6
    try:
        s().set_clock(fmt_time(created + datetime.timedelta(minutes=29)))
        run_jobs()
        assert get(token, o["id"]).json["status"] == "unpaid"
        later = created + datetime.timedelta(minutes=31)
        s().set_clock(fmt_time(later))
        fresh = place(token, shop, sku, quantity=1)  # placed "now": its deadline is ahead
        run_jobs()
        r = get(token, o["id"])
        assert r.json["status"] == "closed", r
        t = r.json["timeline"]
        assert r.json["close_reason"] == "expired" and parse_time(t["closed_at"]) == later
        assert get(token, fresh["id"]).json["status"] == "unpaid"
        assert stock(sku) == 9
        run_jobs()  # nothing more to do
        assert stock(sku) == 9
        assert_problem(act(token, o["id"], "pay"), 409, "invalid_state")
    finally:
        s().set_clock(None)
    assert act(token, fresh["id"], "pay").status == 200


def test_pay_after_deadline():
    shop = new_shop()
    sku = new_sku(shop, stock=5)
    _, token = new_buyer()
    o = place(token, shop, sku, quantity=5)
    created = parse_time(o["timeline"]["created_at"])
    try:
        # The job has not run: paying itself finds the deadline passed.
        s().set_clock(fmt_time(created + datetime.timedelta(minutes=30, seconds=1)))
        r = act(token, o["id"], "pay")
        assert_problem(r, 409, "order_expired")
        closed = get(token, o["id"]).json
        assert closed["status"] == "closed" and closed["close_reason"] == "expired"
        assert closed["amounts"]["paid_cents"] == 0
        assert stock(sku) == 5
        assert_problem(act(token, o["id"], "pay"), 409, "invalid_state")
        assert_problem(act(token, o["id"], "cancel"), 409, "invalid_state")
    finally:
        s().set_clock(None)
    # Just before the deadline, paying works.
    o = place(token, shop, sku, quantity=1)
    created = parse_time(o["timeline"]["created_at"])
    try:
        s().set_clock(fmt_time(created + datetime.timedelta(minutes=29, seconds=59)))
        assert act(token, o["id"], "pay").status == 200
    finally:
        s().set_clock(None)


def test_autocomplete_job():
    shop = new_shop()
    sku = new_sku(shop)
    _, token = new_buyer()
    o = place(token, shop, sku)
    assert act(token, o["id"], "pay").status == 200
    ship(shop, o["id"])
    shipped_at = parse_time(get(token, o["id"]).json["timeline"]["shipped_at"])
    waiting = place(token, shop, sku)  # paid but never shipped: the job leaves it
    assert act(token, waiting["id"], "pay").status == 200
    try:
        s().set_clock(fmt_time(shipped_at + datetime.timedelta(days=9, hours=23)))
        run_jobs()
        assert get(token, o["id"]).json["status"] == "shipped"
        later = shipped_at + datetime.timedelta(days=10, minutes=1)
        s().set_clock(fmt_time(later))
        run_jobs()
        r = get(token, o["id"]).json
        assert r["status"] == "completed", r
        assert parse_time(r["timeline"]["completed_at"]) == later
        assert get(token, waiting["id"]).json["status"] == "paid"
        assert_problem(act(token, o["id"], "confirm-receipt"), 409, "invalid_state")
    finally:
        s().set_clock(None)


def test_job_batches_past_one_batch():
    """More due orders than one batch of 500: the job keeps going until done."""
    shop = new_shop()
    sku = new_sku(shop, stock=2000)
    buyer_id, token = new_buyer()
    items = json.dumps([{"sku_id": sku, "quantity": 1}])
    sql(f"SELECT count(*) FROM (SELECT order_create({buyer_id}, {shop}, {sql_literal(items)}::jsonb,"
        f" {sql_literal(json.dumps(ADDRESS))}::jsonb, '', now(), now() + interval '30 minutes')"
        f" FROM generate_series(1, 1203)) placed")
    assert stock(sku) == 797
    try:
        s().set_clock(fmt_time(utcnow() + datetime.timedelta(minutes=31)))
        run_jobs()
    finally:
        s().set_clock(None)
    assert sql(f"SELECT count(*) FROM orders WHERE buyer_id = {buyer_id}"
               f" AND status = 'closed' AND close_reason = 'expired'") == "1203"
    assert stock(sku) == 2000


# ---------------------------------------------------------------------------
# After-sales


def test_after_sales_create():
    shop = new_shop()
    sku = new_sku(shop, price=3000, stock=20)
    _, token = new_buyer()
    o = place(token, shop, sku, quantity=2)
    refund = {"type": "refund_only", "reason": "changed my mind"}
    assert_problem(ask(token, o["id"], refund), 409, "invalid_state")  # unpaid
    assert act(token, o["id"], "pay").status == 200

    bad = [({}, "invalid_field", {"type", "reason"}),
           (refund | {"type": "refund"}, "invalid_field", {"type"}),
           (refund | {"type": ""}, "invalid_field", {"type"}),
           (refund | {"reason": ""}, "invalid_field", {"reason"}),
           (refund | {"reason": "r" * 501}, "invalid_field", {"reason"}),
           (refund | {"amount_cents": 0}, "invalid_field", {"amount_cents"}),
           (refund | {"amount_cents": "100"}, "invalid_field", {"amount_cents"}),
           (refund | {"amount_cents": None}, "invalid_field", {"amount_cents"}),
           ({"type": "reship", "reason": "broken", "amount_cents": 100}, "invalid_field",
            {"amount_cents"}),
           (refund | {"photos": []}, "unknown_field", {"photos"})]
    for b, code, fields in bad:
        assert_fields(ask(token, o["id"], b), 400, code, fields)
    assert_problem(ask(token, o["id"], {"type": "reship", "reason": "broken"}), 409,
                   "invalid_state")  # nothing was shipped yet
    assert_problem(ask(token, o["id"], refund | {"amount_cents": 6001}), 409,
                   "refund_exceeds_paid")
    assert get(token, o["id"]).json["after_sales_open"] is False

    before = utcnow().replace(microsecond=0)
    r = ask(token, o["id"], refund)
    assert r.status == 201, r
    a = r.json
    assert set(a) == AFTER_SALE_KEYS, a
    assert (a["order_id"], a["type"], a["reason"], a["amount_cents"], a["status"]) == (
        o["id"], "refund_only", "changed my mind", 6000, "requested"), a
    assert before <= parse_time(a["created_at"]) <= utcnow()
    assert isinstance(a["id"], int)
    assert sql(f"SELECT order_id, type, amount_cents, status FROM after_sales WHERE id = {a['id']}"
               ) == f"{o['id']}|refund_only|6000|requested"
    assert get(token, o["id"]).json["after_sales_open"] is True
    assert_problem(ask(token, o["id"], refund | {"amount_cents": 100}), 409, "after_sale_open")
    # Once the merchant has decided, the buyer may ask again.
    assert sql(f"SELECT after_sale_reject({shop}, {a['id']}, 'no', now())") == "ok"
    r = ask(token, o["id"], {"type": "refund_only", "reason": "really", "amount_cents": 100})
    assert r.status == 201 and r.json["amount_cents"] == 100, r

    # Shipped orders: a reship (nothing refunded) or a return with a partial refund.
    s1 = place(token, shop, sku)
    assert act(token, s1["id"], "pay").status == 200
    ship(shop, s1["id"])
    r = ask(token, s1["id"], {"type": "reship", "reason": "lost in transit"})
    assert r.status == 201, r
    assert (r.json["type"], r.json["amount_cents"]) == ("reship", 0)
    s2 = place(token, shop, sku)
    assert act(token, s2["id"], "pay").status == 200
    ship(shop, s2["id"])
    r = ask(token, s2["id"], {"type": "return_refund", "reason": "too small",
                              "amount_cents": 3000}, key="as-1")
    assert r.status == 201 and r.json["amount_cents"] == 3000, r
    replay = ask(token, s2["id"], {"type": "return_refund", "reason": "too small",
                                   "amount_cents": 3000}, key="as-1")
    assert replay.status == 201 and replay.json == r.json, replay
    assert replay.headers.get("idempotent-replayed") == "true"
    assert sql(f"SELECT count(*) FROM after_sales WHERE order_id = {s2['id']}") == "1"
    # Receipt can be confirmed while a request is open; a cancelled order gets none.
    assert act(token, s1["id"], "confirm-receipt").status == 200
    c = place(token, shop, sku)
    assert act(token, c["id"], "cancel").status == 200
    assert_problem(ask(token, c["id"], refund), 409, "invalid_state")


def test_server_logged_no_failures():
    """Nothing above went wrong unseen: no failed query (a deadlock retried,
    say) and no unknown result code in the shared server's log."""
    bad = []
    for line in s().log().splitlines():
        try:
            level = json.loads(line).get("level")
        except ValueError:
            level = "unparsed"
        if level != "info" and level != "debug":
            bad.append(line)
    assert not bad, "\n".join(bad[:20])


if __name__ == "__main__":
    s()  # the shared server starts with ENV before any helper uses it
    main([test_create_order, test_order_sn_unique_and_readable, test_duplicate_sku_lines_refused,
          test_order_sn_day_in_configured_zone, test_price_snapshot,
          test_create_validation, test_create_refusals, test_authentication_and_role,
          test_another_buyers_order_is_not_found, test_list_pagination_and_filter, test_pay,
          test_cancel, test_confirm_receipt, test_idempotency_key,
          test_idempotency_key_binds_the_query, test_stock_race_last_units,
          test_pay_and_cancel_race, test_expiry_job_releases_stock, test_pay_after_deadline,
          test_autocomplete_job, test_job_batches_past_one_batch, test_after_sales_create,
          test_server_logged_no_failures,
          # Last: the reply it makes fail is logged as the failed query it is.
          test_idempotent_write_commits_with_its_reply])
