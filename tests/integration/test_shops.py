"""Shops, products, SKUs and carriers: every route's success and error paths,
who sees what (anonymous, buyer, owner, other merchant), tenant isolation,
the shop badge counts, the shops in GET /v1/me, and races on SKUs."""

import datetime
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from harness import *  # noqa: E402,F401,F403

SHOP_KEYS = {"id", "name", "description", "created_at", "updated_at", "counts", "limits"}
COUNT_KEYS = {"to_ship", "under_review", "unread_conversations", "after_sales_open",
              "unread_letters"}
PRODUCT_KEYS = {"id", "shop_id", "title", "description", "images", "status", "skus",
                "created_at", "updated_at"}
SKU_KEYS = {"id", "spec", "price_cents", "stock", "image_id", "image"}
ADDRESS = {"name": "张三", "phone": "13800000000", "province": "浙江省", "city": "杭州市",
           "district": "西湖区", "detail": "文三路 1 号"}


# ---------------------------------------------------------------------------
# Helpers


def req(method, path, body=None, token=None, **kw):
    return srv().request(method, path, body, token=token, **kw)


def account(role="merchant"):
    """A fresh account of the role, logged in: (token, account)."""
    name = uname(role[0])
    acc = srv().register(name, role=role)
    return srv().login(name), acc


def reviewer():
    name = uname("r")
    out = run_cli(["create-reviewer", name], srv().db_url, stdin="reviewer-password\n")
    assert out.returncode == 0, out.stderr
    return srv().login(name, password="reviewer-password")


def make_shop(token, name=None, description=None):
    body = {"name": name or uname("shop")}
    if description is not None:
        body["description"] = description
    r = req("POST", "/v1/shops", body, token)
    assert r.status == 201, r
    return r.json


def sku_body(spec="默认", price=1990, stock=10):
    return {"spec": spec, "price_cents": price, "stock": stock}


def make_product(token, shop_id, title="商品", status=None, skus=None, images=None):
    body = {"title": title, "skus": skus or [sku_body()]}
    if status is not None:
        body["status"] = status
    if images is not None:
        body["images"] = images
    r = req("POST", f"/v1/shops/{shop_id}/products", body, token)
    assert r.status == 201, r
    return r.json


def assert_fields(r, status, code, fields):
    """A 400-style problem whose errors[] name exactly these fields."""
    assert_problem(r, status, code)
    got = sorted(e["field"] for e in r.json["errors"])
    assert got == sorted(fields), f"expected fields {sorted(fields)}, got {r.json['errors']}"
    for e in r.json["errors"]:
        assert e["message"], e


def assert_shop(shop):
    assert set(shop) == SHOP_KEYS, shop
    assert set(shop["counts"]) == COUNT_KEYS, shop
    assert all(isinstance(v, int) for v in shop["counts"].values()), shop
    # The limits in force without medals (docs/growth.md "Privileges").
    assert shop["limits"] == {"quick_replies": 500, "coupon_batch_products": 500,
                              "campaign_products_bonus": 0}, shop
    parse_time(shop["created_at"])
    parse_time(shop["updated_at"])


def assert_product(p):
    assert set(p) == PRODUCT_KEYS, p
    for k in p["skus"]:
        assert set(k) == SKU_KEYS, k
    parse_time(p["created_at"])
    parse_time(p["updated_at"])


def ids(items):
    return [x["id"] for x in items]


def list_products(shop_id, token=None, query=""):
    r = req("GET", f"/v1/shops/{shop_id}/products{query}", token=token)
    assert r.status == 200, r
    assert set(r.json) == {"items", "next_cursor"}, r.json
    return r.json


def sql_order(shop_id, buyer_id, sku_id, quantity=1):
    """Places an order through the SQL operation (the buyer's API is not
    this file's); returns (result, order_id)."""
    items = json.dumps([{"sku_id": sku_id, "quantity": quantity}])
    out = psql(srv().db_url,
               f"SELECT result || '|' || coalesce(order_id::text, '') FROM order_create("
               f"{buyer_id}, {shop_id}, '{items}'::jsonb, '{json.dumps(ADDRESS)}'::jsonb, NULL,"
               f" now(), now() + interval '15 minutes')")
    result, order_id = out.split("|")
    return result, order_id


def future(days=0, hours=0):
    return fmt_time(utcnow() + datetime.timedelta(days=days, hours=hours))


# ---------------------------------------------------------------------------
# Carriers


def test_carriers_public():
    r = req("GET", "/v1/carriers")
    assert r.status == 200, r
    items = r.json["items"]
    assert set(r.json) == {"items"}
    codes = [c["code"] for c in items]
    assert codes == sorted(codes), codes
    assert {"code": "sf", "name": "顺丰速运"} in items, items
    assert all(set(c) == {"code", "name"} for c in items)
    # A caller with a token gets the same list.
    token, _ = account("buyer")
    assert req("GET", "/v1/carriers", token=token).json == r.json


# ---------------------------------------------------------------------------
# Shops


def test_shop_create_and_get():
    token, _ = account()
    r = req("POST", "/v1/shops", {"name": "果园直供", "description": "新鲜水果"}, token)
    assert r.status == 201, r
    shop = r.json
    assert_shop(shop)
    assert shop["name"] == "果园直供" and shop["description"] == "新鲜水果"
    assert shop["counts"] == {"to_ship": 0, "under_review": 0, "unread_conversations": 0,
                              "after_sales_open": 0, "unread_letters": 0}
    assert shop["created_at"] == shop["updated_at"]
    assert abs((parse_time(shop["created_at"]) - utcnow()).total_seconds()) < 300
    r = req("GET", f"/v1/shops/{shop['id']}", token=token)
    assert r.status == 200 and r.json == shop, r
    # The description is optional; names count characters, not bytes.
    shop = make_shop(token, name="店" * 60)
    assert shop["description"] == "" and shop["name"] == "店" * 60
    # Opening shops is free: a merchant may own many.
    for _ in range(3):
        make_shop(token)


def test_shop_create_validation():
    token, _ = account()
    cases = [
        ({}, "invalid_field", ["name"]),
        ({"name": ""}, "invalid_field", ["name"]),
        ({"name": "x" * 61}, "invalid_field", ["name"]),
        ({"name": "   "}, "invalid_field", ["name"]),
        ({"name": 5}, "invalid_field", ["name"]),
        ({"name": None}, "invalid_field", ["name"]),
        ({"name": "ok", "description": "d" * 2001}, "invalid_field", ["description"]),
        ({"name": "ok", "description": None}, "invalid_field", ["description"]),
        ({"name": "ok", "owner": 1}, "unknown_field", ["owner"]),
        ({"description": 1, "x": 1}, "unknown_field", ["x", "name", "description"]),
    ]
    for body, code, fields in cases:
        assert_fields(req("POST", "/v1/shops", body, token), 400, code, fields)
    assert make_shop(token, description="d" * 2000)["description"] == "d" * 2000


def test_shop_routes_need_a_merchant():
    owner, _ = account()
    shop = make_shop(owner)
    buyer, _ = account("buyer")
    rev = reviewer()
    routes = [("POST", "/v1/shops", {"name": "x"}), ("GET", "/v1/shops", None),
              ("GET", f"/v1/shops/{shop['id']}", None),
              ("PATCH", f"/v1/shops/{shop['id']}", {"name": "x"})]
    for method, path, body in routes:
        assert_problem(req(method, path, body), 401, "unauthenticated")
        assert_problem(req(method, path, body, "not-a-token"), 401, "unauthenticated")
        assert_problem(req(method, path, body, buyer), 403, "forbidden")
        assert_problem(req(method, path, body, rev), 403, "forbidden")
    assert req("GET", f"/v1/shops/{shop['id']}", token=owner).json["name"] == shop["name"]


def test_shops_list():
    token, _ = account()
    other, _ = account()
    assert req("GET", "/v1/shops", token=token).json == {"items": []}
    made = [make_shop(token) for _ in range(3)]
    make_shop(other)
    r = req("GET", "/v1/shops", token=token)
    assert r.status == 200, r
    assert set(r.json) == {"items"}
    assert r.json["items"] == made  # oldest first, counts included
    for s in r.json["items"]:
        assert_shop(s)


def test_shop_counts_follow_orders():
    token, _ = account()
    _, buyer = account("buyer")
    shop = make_shop(token)
    quiet = make_shop(token)
    product = make_product(token, shop["id"], skus=[sku_body(stock=100)])
    sku = product["skus"][0]["id"]
    orders = [sql_order(shop["id"], buyer["id"], sku) for _ in range(4)]
    assert all(res == "ok" for res, _ in orders), orders
    for _, oid in orders[:3]:
        assert psql(srv().db_url, f"SELECT order_pay({buyer['id']}, {oid}, now())") == "ok"
    out = psql(srv().db_url, f"SELECT result FROM after_sale_create({buyer['id']}, {orders[0][1]},"
                             f" 'refund_only', 'wrong size', NULL, now())")
    assert out == "ok", out
    want = {"to_ship": 3, "under_review": 0, "unread_conversations": 0, "after_sales_open": 1,
            "unread_letters": 0}
    items = {s["id"]: s for s in req("GET", "/v1/shops", token=token).json["items"]}
    assert items[shop["id"]]["counts"] == want, items
    assert items[quiet["id"]]["counts"]["to_ship"] == 0
    assert req("GET", f"/v1/shops/{shop['id']}", token=token).json["counts"] == want
    r = req("PATCH", f"/v1/shops/{shop['id']}", {"description": "x"}, token)
    assert r.json["counts"] == want, r


def test_shop_update():
    token, _ = account()
    shop = make_shop(token, name="old", description="before")
    later = future(hours=2)
    srv().set_clock(later)
    try:
        r = req("PATCH", f"/v1/shops/{shop['id']}", {"name": "new"}, token)
    finally:
        srv().set_clock(None)
    assert r.status == 200, r
    assert_shop(r.json)
    assert r.json["name"] == "new" and r.json["description"] == "before"
    assert r.json["created_at"] == shop["created_at"]
    assert r.json["updated_at"] == later
    r = req("PATCH", f"/v1/shops/{shop['id']}", {"description": ""}, token)
    assert r.status == 200 and r.json["name"] == "new" and r.json["description"] == "", r
    r = req("PATCH", f"/v1/shops/{shop['id']}", {"name": "both", "description": "d"}, token)
    assert (r.json["name"], r.json["description"]) == ("both", "d"), r
    assert req("GET", f"/v1/shops/{shop['id']}", token=token).json == r.json

    path = f"/v1/shops/{shop['id']}"
    assert_fields(req("PATCH", path, {}, token), 400, "invalid_field", ["body"])
    assert_fields(req("PATCH", path, {"name": ""}, token), 400, "invalid_field", ["name"])
    assert_fields(req("PATCH", path, {"name": None}, token), 400, "invalid_field", ["name"])
    assert_fields(req("PATCH", path, {"name": " \t"}, token), 400, "invalid_field", ["name"])
    assert_fields(req("PATCH", path, {"description": "d" * 2001}, token), 400, "invalid_field",
                  ["description"])
    assert_fields(req("PATCH", path, {"id": 5}, token), 400, "unknown_field", ["id"])
    assert_problem(req("PATCH", "/v1/shops/999999999", {"name": "x"}, token), 404, "not_found")
    assert_problem(req("GET", "/v1/shops/999999999", token=token), 404, "not_found")
    assert req("GET", path, token=token).json["name"] == "both"


def test_me_lists_shops_for_merchants_only():
    token, acc = account()
    r = req("GET", "/v1/me", token=token)
    assert r.status == 200 and r.json["shops"] == [], r
    assert r.json["id"] == acc["id"] and r.json["role"] == "merchant"
    a, b = make_shop(token, name="甲店"), make_shop(token, name="乙店")
    other, _ = account()
    make_shop(other)
    r = req("GET", "/v1/me", token=token)
    assert r.json["shops"] == [{"id": a["id"], "name": "甲店"}, {"id": b["id"], "name": "乙店"}], r
    assert {k: v for k, v in r.json.items() if k != "shops"} == acc
    buyer, bacc = account("buyer")
    r = req("GET", "/v1/me", token=buyer)
    assert r.status == 200 and "shops" not in r.json and r.json == bacc, r
    r = req("GET", "/v1/me", token=reviewer())
    assert r.status == 200 and "shops" not in r.json and r.json["role"] == "staff", r


# ---------------------------------------------------------------------------
# Products


def test_product_create():
    token, _ = account()
    shop = make_shop(token)
    body = {"title": "烟台红富士苹果 5斤装", "description": "脆甜多汁",
            "images": ["https://img.example.com/a.jpg", "http://img.example.com/b.png"],
            "status": "off_sale",
            "skus": [sku_body("大果", 3990, 100), sku_body("中果", 2990, 0),
                     sku_body("小果", 1, 10000000)]}
    r = req("POST", f"/v1/shops/{shop['id']}/products", body, token)
    assert r.status == 201, r
    p = r.json
    assert_product(p)
    assert p["shop_id"] == shop["id"]
    for key in ("title", "description", "images", "status"):
        assert p[key] == body[key], (key, p)
    assert [{k: v for k, v in s.items() if k not in ("id", "image_id", "image")}
            for s in p["skus"]] == body["skus"]
    assert all(s["image_id"] is None and s["image"] is None for s in p["skus"])
    assert ids(p["skus"]) == sorted(ids(p["skus"])), p  # in the order sent
    assert p["created_at"] == p["updated_at"]
    r = req("GET", f"/v1/shops/{shop['id']}/products/{p['id']}", token=token)
    assert r.status == 200 and r.json == p, r

    # Defaults: no description, no images, on sale.
    p = make_product(token, shop["id"], title="t" * 120)
    assert (p["description"], p["images"], p["status"]) == ("", [], "on_sale"), p
    # Limits are inclusive: 20 images of 1024 characters, 50 SKUs.
    url = "https://img.example.com/" + "x" * 1000
    url = url[:1024]
    p = make_product(token, shop["id"], images=[url] * 20,
                     skus=[sku_body(f"规格{i}", i + 1, i) for i in range(50)])
    assert len(p["images"]) == 20 and len(p["skus"]) == 50
    assert [s["spec"] for s in p["skus"]] == [f"规格{i}" for i in range(50)]


def test_product_create_validation():
    token, _ = account()
    shop = make_shop(token)
    path = f"/v1/shops/{shop['id']}/products"
    ok_sku = sku_body()

    def body(**kw):
        b = {"title": "t", "skus": [ok_sku]}
        b.update(kw)
        return {k: v for k, v in b.items() if v is not ...}

    cases = [
        (body(title=...), "invalid_field", ["title"]),
        (body(title=""), "invalid_field", ["title"]),
        (body(title="  "), "invalid_field", ["title"]),
        (body(title="t" * 121), "invalid_field", ["title"]),
        (body(description="d" * 5001), "invalid_field", ["description"]),
        (body(status="selling"), "invalid_field", ["status"]),
        (body(status=None), "invalid_field", ["status"]),
        (body(skus=...), "invalid_field", ["skus"]),
        (body(skus=[]), "invalid_field", ["skus"]),
        (body(skus={"spec": "x"}), "invalid_field", ["skus"]),
        (body(skus=[ok_sku] * 51), "invalid_field", ["skus"]),
        (body(skus=[ok_sku, "sku"]), "invalid_field", ["skus[1]"]),
        (body(skus=[ok_sku, sku_body(price=0)]), "invalid_field", ["skus[1].price_cents"]),
        (body(skus=[sku_body(price=100000001)]), "invalid_field", ["skus[0].price_cents"]),
        (body(skus=[sku_body(price=1.5)]), "invalid_field", ["skus[0].price_cents"]),
        (body(skus=[sku_body(stock=-1)]), "invalid_field", ["skus[0].stock"]),
        (body(skus=[sku_body(stock=10000001)]), "invalid_field", ["skus[0].stock"]),
        (body(skus=[ok_sku, ok_sku, sku_body(spec=" ")]), "invalid_field", ["skus[2].spec"]),
        (body(skus=[sku_body(spec="s" * 61)]), "invalid_field", ["skus[0].spec"]),
        (body(skus=[{"spec": "x"}]), "invalid_field", ["skus[0].price_cents", "skus[0].stock"]),
        (body(skus=[{"spec": None, "price_cents": "1", "stock": 1}]), "invalid_field",
         ["skus[0].spec", "skus[0].price_cents"]),
        (body(skus=[dict(ok_sku, color="red")]), "unknown_field", ["skus[0].color"]),
        (body(images="https://a.example/x.jpg"), "invalid_field", ["images"]),
        (body(images=None), "invalid_field", ["images"]),
        (body(images=["https://a.example/x.jpg"] * 21), "invalid_field", ["images"]),
        (body(images=["https://a.example/x.jpg", "ftp://a.example/x.jpg"]), "invalid_field",
         ["images[1]"]),
        (body(images=["https://a.example/" + "x" * 1010]), "invalid_field", ["images[0]"]),
        (body(images=["https://a.example/a b.jpg", 7, "https://", "a.example/x.jpg"]),
         "invalid_field", ["images[0]", "images[1]", "images[2]", "images[3]"]),
        # Every nested problem is reported at once.
        (body(images=[1], skus=[sku_body(price=0), sku_body(stock=-5)]), "invalid_field",
         ["images[0]", "skus[0].price_cents", "skus[1].stock"]),
        (body(shop_id=1), "unknown_field", ["shop_id"]),
        (body(id=1, title=...), "unknown_field", ["id", "title"]),
    ]
    for b, code, fields in cases:
        assert_fields(req("POST", path, b, token), 400, code, fields)
    assert list_products(shop["id"], token)["items"] == []  # nothing was written
    assert_problem(req("POST", "/v1/shops/999999999/products", body(), token), 404, "not_found")


def test_product_routes_auth():
    owner, _ = account()
    shop = make_shop(owner)
    p = make_product(owner, shop["id"])
    sku = p["skus"][0]["id"]
    base = f"/v1/shops/{shop['id']}/products"
    buyer, _ = account("buyer")
    rev = reviewer()
    writes = [("POST", base, {"title": "t", "skus": [sku_body()]}),
              ("PATCH", f"{base}/{p['id']}", {"title": "x"}),
              ("DELETE", f"{base}/{p['id']}", None),
              ("POST", f"{base}/{p['id']}/skus", sku_body()),
              ("PATCH", f"{base}/{p['id']}/skus/{sku}", {"stock": 1})]
    for method, path, body in writes:
        assert_problem(req(method, path, body), 401, "unauthenticated")
        assert_problem(req(method, path, body, buyer), 403, "forbidden")
        assert_problem(req(method, path, body, rev), 403, "forbidden")
    # Reads are open, but a token that is sent must be valid.
    for path in (base, f"{base}/{p['id']}"):
        assert req("GET", path).status == 200
        assert req("GET", path, token=rev).status == 200
        assert_problem(req("GET", path, token="bogus"), 401, "unauthenticated")
    assert req("GET", f"{base}/{p['id']}", token=owner).json == p  # nothing changed


def test_product_visibility():
    owner, _ = account()
    shop = make_shop(owner)
    on = make_product(owner, shop["id"], title="在售")
    off = make_product(owner, shop["id"], title="下架", status="off_sale")
    on2 = make_product(owner, shop["id"], title="在售2")
    buyer, _ = account("buyer")
    other, _ = account()
    base = f"/v1/shops/{shop['id']}/products"
    for viewer in (None, buyer, other, reviewer()):
        assert ids(list_products(shop["id"], viewer)["items"]) == [on2["id"], on["id"]]
        assert ids(list_products(shop["id"], viewer, "?status=on_sale")["items"]) == \
            [on2["id"], on["id"]]
        assert list_products(shop["id"], viewer, "?status=off_sale")["items"] == []
        assert req("GET", f"{base}/{on['id']}", token=viewer).json == on
        assert_problem(req("GET", f"{base}/{off['id']}", token=viewer), 404, "not_found")
    listed = list_products(shop["id"], owner)
    assert listed["items"] == [on2, off, on] and listed["next_cursor"] is None
    assert ids(list_products(shop["id"], owner, "?status=off_sale")["items"]) == [off["id"]]
    assert ids(list_products(shop["id"], owner, "?status=on_sale")["items"]) == \
        [on2["id"], on["id"]]
    assert req("GET", f"{base}/{off['id']}", token=owner).json == off
    # A product is found only under its own shop.
    shop2 = make_shop(owner)
    assert_problem(req("GET", f"/v1/shops/{shop2['id']}/products/{on['id']}"), 404, "not_found")
    assert_problem(req("GET", f"{base}/999999999"), 404, "not_found")
    # Query parameters are strict.
    assert_fields(req("GET", f"{base}?status=sold"), 400, "invalid_field", ["status"])
    assert_fields(req("GET", f"{base}?sort=price"), 400, "unknown_field", ["sort"])


def test_products_list_paging():
    owner, _ = account()
    shop = make_shop(owner)
    empty = make_shop(owner)
    assert list_products(empty["id"]) == {"items": [], "next_cursor": None}
    assert_problem(req("GET", "/v1/shops/999999999/products"), 404, "not_found")
    made = [make_product(owner, shop["id"], title=f"p{i}") for i in range(7)]
    make_product(owner, shop["id"], title="hidden", status="off_sale")
    seen, cursor, pages = [], None, 0
    while True:
        q = "?limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = list_products(shop["id"], None, q)
        assert len(page["items"]) <= 3
        seen += page["items"]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert ids(seen) == ids(reversed(made)), ids(seen)  # newest first, no repeats
    # Exactly a page's worth leaves no next page.
    page = list_products(shop["id"], None, "?limit=7")
    assert len(page["items"]) == 7 and page["next_cursor"] is None
    # The owner's view pages the same way and includes off-sale products.
    page = list_products(shop["id"], owner, "?limit=1")
    assert page["items"][0]["title"] == "hidden" and page["next_cursor"]
    page = list_products(shop["id"], owner, f"?limit=100&cursor={page['next_cursor']}")
    assert ids(page["items"]) == ids(reversed(made))
    assert list_products(shop["id"])["items"] == list(reversed(made))  # default limit 20
    base = f"/v1/shops/{shop['id']}/products"
    for bad in ("?cursor=nonsense", "?cursor=" + "A" * 50, "?cursor=%FF"):
        r = req("GET", base + bad)
        assert r.status == 400 and "cursor" in [e["field"] for e in r.json["errors"]], r
        assert_problem(r, 400, "invalid_field")
    for bad in ("?limit=0", "?limit=101", "?limit=x"):
        assert_fields(req("GET", base + bad), 400, "invalid_field", ["limit"])


def test_product_update():
    owner, _ = account()
    shop = make_shop(owner)
    p = make_product(owner, shop["id"], images=["https://a.example/1.jpg"])
    path = f"/v1/shops/{shop['id']}/products/{p['id']}"
    later = future(hours=3)
    srv().set_clock(later)
    try:
        r = req("PATCH", path, {"title": "新标题"}, owner)
    finally:
        srv().set_clock(None)
    assert r.status == 200, r
    assert_product(r.json)
    assert r.json["title"] == "新标题" and r.json["updated_at"] == later
    assert {k: v for k, v in r.json.items() if k not in ("title", "updated_at")} == \
        {k: v for k, v in p.items() if k not in ("title", "updated_at")}
    imgs = ["https://a.example/2.jpg", "https://a.example/3.jpg"]
    r = req("PATCH", path, {"images": imgs, "description": "新描述"}, owner)
    assert r.json["images"] == imgs and r.json["description"] == "新描述", r
    assert r.json["title"] == "新标题" and r.json["skus"] == p["skus"]
    r = req("PATCH", path, {"images": []}, owner)
    assert r.json["images"] == [], r
    r = req("PATCH", path, {"status": "off_sale"}, owner)
    assert r.json["status"] == "off_sale", r
    assert list_products(shop["id"])["items"] == []
    assert_problem(req("GET", path), 404, "not_found")
    r = req("PATCH", path, {"status": "on_sale"}, owner)
    assert r.json["status"] == "on_sale" and req("GET", path).json == r.json, r

    assert_fields(req("PATCH", path, {}, owner), 400, "invalid_field", ["body"])
    assert_fields(req("PATCH", path, {"title": None}, owner), 400, "invalid_field", ["title"])
    assert_fields(req("PATCH", path, {"title": ""}, owner), 400, "invalid_field", ["title"])
    assert_fields(req("PATCH", path, {"status": "gone"}, owner), 400, "invalid_field", ["status"])
    assert_fields(req("PATCH", path, {"images": ["x"]}, owner), 400, "invalid_field",
                  ["images[0]"])
    assert_fields(req("PATCH", path, {"skus": [sku_body()]}, owner), 400, "unknown_field",
                  ["skus"])
    assert_problem(req("PATCH", f"/v1/shops/{shop['id']}/products/999999999", {"title": "x"},
                       owner), 404, "not_found")
    shop2 = make_shop(owner)
    assert_problem(req("PATCH", f"/v1/shops/{shop2['id']}/products/{p['id']}", {"title": "x"},
                       owner), 404, "not_found")
    assert req("GET", path).json["title"] == "新标题"


def test_product_delete():
    owner, _ = account()
    _, buyer = account("buyer")
    shop = make_shop(owner)
    p = make_product(owner, shop["id"])
    keep = make_product(owner, shop["id"])
    sku = p["skus"][0]["id"]
    path = f"/v1/shops/{shop['id']}/products/{p['id']}"
    assert sql_order(shop["id"], buyer["id"], sku)[0] == "ok"  # orders reference it
    r = req("DELETE", path, token=owner)
    assert r.status == 204 and r.raw == "", r
    assert_problem(req("GET", path, token=owner), 404, "not_found")
    assert_problem(req("GET", path), 404, "not_found")
    assert ids(list_products(shop["id"], owner)["items"]) == [keep["id"]]
    assert_problem(req("DELETE", path, token=owner), 404, "not_found")
    assert_problem(req("PATCH", path, {"title": "x"}, owner), 404, "not_found")
    assert_problem(req("POST", f"{path}/skus", sku_body(), owner), 404, "not_found")
    assert_problem(req("PATCH", f"{path}/skus/{sku}", {"stock": 5}, owner), 404, "not_found")
    # Only marked: the row and its SKU stay, and ordering it is refused.
    assert psql(srv().db_url, f"SELECT deleted_at IS NOT NULL FROM products"
                              f" WHERE id = {p['id']}") == "t"
    assert sql_order(shop["id"], buyer["id"], sku) == ("product_unavailable", str(sku))
    assert_problem(req("DELETE", f"/v1/shops/{shop['id']}/products/999999999", token=owner),
                   404, "not_found")


# ---------------------------------------------------------------------------
# SKUs


def test_skus():
    owner, _ = account()
    shop = make_shop(owner)
    p = make_product(owner, shop["id"], skus=[sku_body("红色", 1000, 5)])
    base = f"/v1/shops/{shop['id']}/products/{p['id']}"
    r = req("POST", f"{base}/skus", sku_body("蓝色", 1200, 0), owner)
    assert r.status == 201, r
    sku = r.json
    assert set(sku) == SKU_KEYS and (sku["spec"], sku["price_cents"], sku["stock"]) == \
        ("蓝色", 1200, 0), sku
    got = req("GET", base, token=owner).json
    assert got["skus"] == p["skus"] + [sku], got

    spath = f"{base}/skus/{sku['id']}"
    r = req("PATCH", spath, {"stock": 10000000}, owner)
    assert r.status == 200 and r.json == dict(sku, stock=10000000), r
    r = req("PATCH", spath, {"stock": 0}, owner)  # absolute, not a delta
    assert r.json["stock"] == 0, r
    r = req("PATCH", spath, {"price_cents": 1, "spec": "深蓝"}, owner)
    assert r.json == {"id": sku["id"], "spec": "深蓝", "price_cents": 1, "stock": 0,
                      "image_id": None, "image": None}, r
    assert req("GET", base).json["skus"][1] == r.json

    for body, code, fields in [
        ({}, "invalid_field", ["spec", "price_cents", "stock"]),
        ({"spec": "x", "price_cents": 0, "stock": 1}, "invalid_field", ["price_cents"]),
        ({"spec": "x", "price_cents": 1, "stock": -1}, "invalid_field", ["stock"]),
        ({"spec": "s" * 61, "price_cents": 1, "stock": 1}, "invalid_field", ["spec"]),
        ({"spec": "x", "price_cents": 1, "stock": 1, "sku_id": 3}, "unknown_field", ["sku_id"]),
    ]:
        assert_fields(req("POST", f"{base}/skus", body, owner), 400, code, fields)
    for body, code, fields in [
        ({}, "invalid_field", ["body"]),
        ({"stock": 10000001}, "invalid_field", ["stock"]),
        ({"stock": -1}, "invalid_field", ["stock"]),
        ({"stock": "5"}, "invalid_field", ["stock"]),
        ({"price_cents": 100000001}, "invalid_field", ["price_cents"]),
        ({"spec": ""}, "invalid_field", ["spec"]),
        ({"spec": None}, "invalid_field", ["spec"]),
        ({"stock": 1, "product_id": 1}, "unknown_field", ["product_id"]),
    ]:
        assert_fields(req("PATCH", spath, body, owner), 400, code, fields)

    # A SKU is found only under its own product and shop.
    p2 = make_product(owner, shop["id"])
    shop2 = make_shop(owner)
    for path in (f"/v1/shops/{shop['id']}/products/{p2['id']}/skus/{sku['id']}",
                 f"/v1/shops/{shop2['id']}/products/{p['id']}/skus/{sku['id']}",
                 f"{base}/skus/999999999"):
        assert_problem(req("PATCH", path, {"stock": 3}, owner), 404, "not_found")
    assert_problem(req("POST", f"/v1/shops/{shop2['id']}/products/{p['id']}/skus", sku_body(),
                       owner), 404, "not_found")
    assert_problem(req("POST", f"/v1/shops/{shop['id']}/products/999999999/skus", sku_body(),
                       owner), 404, "not_found")
    assert req("GET", base).json["skus"][1]["stock"] == 0


def test_sku_limit_per_product():
    owner, _ = account()
    shop = make_shop(owner)
    p = make_product(owner, shop["id"], skus=[sku_body(f"s{i}") for i in range(49)])
    path = f"/v1/shops/{shop['id']}/products/{p['id']}/skus"
    assert req("POST", path, sku_body("s49"), owner).status == 201
    r = req("POST", path, sku_body("s50"), owner)
    assert_problem(r, 409, "invalid_state")
    assert len(req("GET", f"/v1/shops/{shop['id']}/products/{p['id']}").json["skus"]) == 50


# ---------------------------------------------------------------------------
# Tenant isolation


def test_tenant_isolation():
    a, _ = account()
    b, _ = account()
    shop = make_shop(a, name="A 的店", description="secret")
    on = make_product(a, shop["id"])
    off = make_product(a, shop["id"], status="off_sale")
    sku = on["skus"][0]["id"]
    sid, pid, oid = shop["id"], on["id"], off["id"]
    b_shop = make_shop(b)
    for method, path, body in [
        ("GET", f"/v1/shops/{sid}", None),
        ("PATCH", f"/v1/shops/{sid}", {"name": "taken"}),
        ("POST", f"/v1/shops/{sid}/products", {"title": "t", "skus": [sku_body()]}),
        ("GET", f"/v1/shops/{sid}/products/{oid}", None),
        ("PATCH", f"/v1/shops/{sid}/products/{pid}", {"title": "taken"}),
        ("PATCH", f"/v1/shops/{sid}/products/{oid}", {"status": "on_sale"}),
        ("DELETE", f"/v1/shops/{sid}/products/{pid}", None),
        ("POST", f"/v1/shops/{sid}/products/{pid}/skus", sku_body()),
        ("PATCH", f"/v1/shops/{sid}/products/{pid}/skus/{sku}", {"stock": 0}),
        # B's own shop id does not open A's products either.
        ("PATCH", f"/v1/shops/{b_shop['id']}/products/{pid}", {"title": "taken"}),
        ("DELETE", f"/v1/shops/{b_shop['id']}/products/{pid}", None),
        ("POST", f"/v1/shops/{b_shop['id']}/products/{pid}/skus", sku_body()),
        ("PATCH", f"/v1/shops/{b_shop['id']}/products/{pid}/skus/{sku}", {"stock": 0}),
    ]:
        r = req(method, path, body, b)
        assert_problem(r, 404, "not_found")
        # Exactly what a shop that does not exist answers.
        missing = req(method, path.replace(f"/shops/{sid}/", "/shops/999999999/")
                      .replace(f"/shops/{sid}", "/shops/999999999"), body, b)
        assert_problem(missing, 404, "not_found")
    assert sid not in ids(req("GET", "/v1/shops", token=b).json["items"])
    assert sid not in ids(req("GET", "/v1/me", token=b).json["shops"])
    # B sees A's shop as the public does; nothing of A's changed.
    assert ids(list_products(sid, b)["items"]) == [pid]
    assert req("GET", f"/v1/shops/{sid}", token=a).json == shop
    assert list_products(sid, a)["items"] == [off, on]


# ---------------------------------------------------------------------------
# Concurrency


def test_concurrent_sku_adds_stop_at_fifty():
    owner, _ = account()
    shop = make_shop(owner)
    for round_ in range(4):
        p = make_product(owner, shop["id"], skus=[sku_body(f"s{i}") for i in range(45)])
        path = f"/v1/shops/{shop['id']}/products/{p['id']}/skus"
        results = parallel(lambda i: req("POST", path, sku_body(f"n{i}"), owner),
                           [(i,) for i in range(10)])
        for r in results:
            assert not isinstance(r, Exception), r
        codes = sorted(r.status for r in results)
        assert codes == [201] * 5 + [409] * 5, (round_, codes)
        for r in results:
            if r.status == 409:
                assert_problem(r, 409, "invalid_state")
        assert psql(srv().db_url, f"SELECT count(*) FROM skus WHERE product_id = {p['id']}") \
            == "50"


def test_concurrent_creates():
    owner, _ = account()
    for round_ in range(3):
        shops = parallel(lambda i: req("POST", "/v1/shops", {"name": f"并发{round_}-{i}"}, owner),
                         [(i,) for i in range(8)])
        assert all(not isinstance(r, Exception) and r.status == 201 for r in shops), shops
        shop_id = shops[0].json["id"]
        skus = [sku_body(f"k{j}") for j in range(3)]
        made = parallel(lambda i: req("POST", f"/v1/shops/{shop_id}/products",
                                      {"title": f"p{i}", "skus": skus}, owner),
                        [(i,) for i in range(8)])
        assert all(not isinstance(r, Exception) and r.status == 201 for r in made), made
        for r in made:  # each product got its own SKUs, in order
            assert [k["spec"] for k in r.json["skus"]] == ["k0", "k1", "k2"]
            assert ids(r.json["skus"]) == sorted(ids(r.json["skus"]))
        listed = list_products(shop_id, owner)["items"]
        assert sorted(ids(listed), reverse=True) == ids(listed)
        assert sorted(ids(listed)) == sorted(r.json["id"] for r in made)
    mine = req("GET", "/v1/shops", token=owner).json["items"]
    assert len(mine) == 24 and ids(mine) == sorted(ids(mine))


def test_concurrent_stock_patches_and_orders():
    owner, _ = account()
    _, buyer = account("buyer")
    shop = make_shop(owner)
    p = make_product(owner, shop["id"], skus=[sku_body(stock=100)])
    sku = p["skus"][0]["id"]
    path = f"/v1/shops/{shop['id']}/products/{p['id']}/skus/{sku}"
    for _ in range(3):
        # Merchants set stock while buyers order: stock never goes negative and
        # the last write wins whole.
        def act(i):
            if i % 2:
                return req("PATCH", path, {"stock": 3}, owner).status
            return sql_order(shop["id"], buyer["id"], sku)[0]
        results = parallel(act, [(i,) for i in range(10)])
        assert all(r in (200, "ok", "out_of_stock") for r in results), results
        stock = int(psql(srv().db_url, f"SELECT stock FROM skus WHERE id = {sku}"))
        assert 0 <= stock <= 3, stock


if __name__ == "__main__":
    main([
        test_carriers_public,
        test_shop_create_and_get,
        test_shop_create_validation,
        test_shop_routes_need_a_merchant,
        test_shops_list,
        test_shop_counts_follow_orders,
        test_shop_update,
        test_me_lists_shops_for_merchants_only,
        test_product_create,
        test_product_create_validation,
        test_product_routes_auth,
        test_product_visibility,
        test_products_list_paging,
        test_product_update,
        test_product_delete,
        test_skus,
        test_sku_limit_per_product,
        test_tenant_isolation,
        test_concurrent_sku_adds_stop_at_fifty,
        test_concurrent_creates,
        test_concurrent_stock_patches_and_orders,
    ])
