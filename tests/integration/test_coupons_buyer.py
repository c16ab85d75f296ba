"""Coupons, the buyer's side: POST /v1/coupons/{id}/claim, GET
/v1/shops/{id}/coupons/claimable, GET /v1/me/coupons, "coupon_id" on
POST /v1/orders, coupons given back when their order closes unpaid or by
review, and the races: 1,000 claims of 100 coupons, one buyer's 50 claims
under a limit of 2, two orders for one coupon.

Coupons are made with SQL (the merchant's routes are tested elsewhere);
buyers for the races get accounts and sessions through SQL too, as argon2
makes registering a thousand of them slow."""

import datetime
import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(__file__))
from harness import *  # noqa: E402,F401,F403

# More workers than the default two: more claims reach PostgreSQL at once.
ENV = {"MERCHANTD_THREADS": "8", "MERCHANTD_JOB_INTERVAL_SECONDS": "3600"}
BUYER_COUPON_KEYS = {"id", "coupon_id", "shop_id", "kind", "product_id", "title", "discount_cents",
                     "min_order_cents", "valid_from", "valid_to", "status", "used_order_id",
                     "claimed_at"}
CLAIMABLE_KEYS = {"id", "shop_id", "kind", "product_id", "title", "discount_cents",
                  "min_order_cents", "total_quantity", "remaining", "per_buyer_limit",
                  "claim_start", "claim_end", "valid_days", "valid_from", "valid_to", "channel",
                  "claimable_count"}


def s():
    return srv(ENV)


def q(query):
    return psql(s().db_url, query)


def make_accounts(n, role="buyer", permissions=None):
    return accounts_with_sessions(s(), n, role, permissions)


def buyer():
    return make_accounts(1)[0]


def merchant_shop(stock=1000, price=1000):
    """A merchant (id, token) and a shop of theirs: (merchant, token, shop, sku, product)."""
    (mid, mtoken), = make_accounts(1, "merchant")
    shop, sku = new_shop_of(mid, stock, price)
    return mid, mtoken, shop, sku, product_of(sku)


def new_shop_of(merchant_id, stock=1000, price=1000):
    shop = int(q(f"INSERT INTO shops (merchant_id, name, created_at, updated_at) "
                 f"VALUES ({merchant_id}, 'Tea House', now(), now()) RETURNING id"))
    return shop, new_sku(shop, stock, price)


def new_sku(shop, stock=1000, price=1000):
    product = int(q(f"INSERT INTO products (shop_id, title, status, created_at, updated_at) "
                    f"VALUES ({shop}, 'Longjing', 'on_sale', now(), now()) RETURNING id"))
    return int(q(f"INSERT INTO skus (product_id, shop_id, spec, price_cents, stock, created_at,"
                 f" updated_at) VALUES ({product}, {shop}, '250g', {price}, {stock}, now(), now())"
                 f" RETURNING id"))


def product_of(sku):
    return int(q(f"SELECT product_id FROM skus WHERE id = {sku}"))


def new_coupon(shop, kind="shop", product=None, discount=100, min_order=0, total=100, per_buyer=1,
               start="now() - interval '1 day'", end="now() + interval '30 days'", valid_days=7,
               valid_from=None, valid_to=None, channel="normal", stopped=False):
    """A coupon made with SQL; times are SQL expressions."""
    vd = "NULL" if valid_days is None else valid_days
    return int(q(
        f"INSERT INTO coupons (shop_id, kind, product_id, title, discount_cents, min_order_cents,"
        f" total_quantity, per_buyer_limit, claim_start, claim_end, valid_days, valid_from,"
        f" valid_to, channel, stopped_at, created_at) VALUES ({shop}, '{kind}',"
        f" {product or 'NULL'}, '{discount} off', {discount}, {min_order}, {total}, {per_buyer},"
        f" {start}, {end}, {vd}, {valid_from or 'NULL'}, {valid_to or 'NULL'}, '{channel}',"
        f" {'now()' if stopped else 'NULL'}, now()) RETURNING id"))


def claim(token, coupon, key=None):
    h = {"Idempotency-Key": key} if key else None
    return s().request("POST", f"/v1/coupons/{coupon}/claim", token=token, headers=h)


def claimed(token, coupon):
    r = claim(token, coupon)
    assert r.status == 201, r
    return r.json


def order_body(shop, sku, qty=1, coupon=None):
    b = {"shop_id": shop, "items": [{"sku_id": sku, "quantity": qty}],
         "address": ADDRESS}
    if coupon is not None:
        b["coupon_id"] = coupon
    return b


def place(token, shop, sku, qty=1, coupon=None, items=None):
    b = order_body(shop, sku, qty, coupon)
    if items is not None:
        b["items"] = items
    return s().request("POST", "/v1/orders", b, token=token)


def my_coupons(token, query=""):
    r = s().request("GET", f"/v1/me/coupons{query}", token=token)
    assert r.status == 200, r
    return r.json


def counts(coupon):
    """(claimed, used) of the coupon, after checking that they add up with
    the buyer coupons and that no buyer holds more than the limit."""
    row = q(f"SELECT c.claimed, c.used, c.total_quantity,"
            f" (SELECT count(*) FROM buyer_coupons b WHERE b.coupon_id = c.id),"
            f" (SELECT count(*) FROM buyer_coupons b WHERE b.coupon_id = c.id"
            f"   AND b.used_order_id IS NOT NULL),"
            f" (SELECT count(*) FROM (SELECT 1 FROM buyer_coupons b WHERE b.coupon_id = c.id"
            f"   GROUP BY b.buyer_id HAVING count(*) > c.per_buyer_limit) x)"
            f" FROM coupons c WHERE c.id = {coupon}")
    n_claimed, n_used, total, rows, used_rows, over_limit = map(int, row.split("|"))
    assert n_claimed == rows and over_limit == 0, row
    assert n_used == used_rows, row
    assert 0 <= n_used <= n_claimed <= total, row
    return n_claimed, n_used


def at(delta_seconds):
    """The real time plus delta, as RFC 3339 (for PUT /v1/test/clock)."""
    return fmt_time(utcnow() + datetime.timedelta(seconds=delta_seconds))


def unfreeze():
    r = s().request("PUT", "/v1/test/clock", {"now": None})
    assert r.status == 200, r


def run_jobs():
    r = s().request("POST", "/v1/test/jobs/run")
    assert r.status == 200, r


# ---------------------------------------------------------------------------
# Claiming


def test_claim():
    _, _, shop, _, _ = merchant_shop()
    coupon = new_coupon(shop, discount=300, min_order=1000, per_buyer=2, valid_days=7)
    bid, token = buyer()
    r = claim(token, coupon)
    assert r.status == 201, r
    c = r.json
    assert set(c) == BUYER_COUPON_KEYS, c
    assert c["coupon_id"] == coupon and c["shop_id"] == shop and c["kind"] == "shop"
    assert c["product_id"] is None and c["title"] == "300 off"
    assert c["discount_cents"] == 300 and c["min_order_cents"] == 1000
    assert c["status"] == "usable" and c["used_order_id"] is None
    assert c["valid_from"] == c["claimed_at"]
    span = parse_time(c["valid_to"]) - parse_time(c["valid_from"])
    assert span == datetime.timedelta(days=7), c
    assert abs((parse_time(c["claimed_at"]) - utcnow()).total_seconds()) < 60
    assert counts(coupon) == (1, 0)
    assert int(q(f"SELECT buyer_id FROM buyer_coupons WHERE id = {c['id']}")) == bid
    # A second claim within the limit of 2 is another coupon.
    c2 = claimed(token, coupon)
    assert c2["id"] != c["id"]
    assert counts(coupon) == (2, 0)
    assert_problem(claim(token, coupon), 409, "claim_limit_reached")
    assert counts(coupon) == (2, 0)


def test_claim_fixed_validity():
    _, _, shop, _, _ = merchant_shop()
    frm, to = "2031-01-01T00:00:00Z", "2031-02-01T00:00:00Z"
    coupon = new_coupon(shop, valid_days=None, valid_from=f"'{frm}'", valid_to=f"'{to}'")
    _, token = buyer()
    c = claimed(token, coupon)
    assert c["valid_from"] == frm and c["valid_to"] == to, c
    assert c["status"] == "usable"
    # A fixed validity already over: nothing left to claim.
    over = new_coupon(shop, valid_days=None, valid_from="now() - interval '10 days'",
                      valid_to="now() - interval '1 day'")
    assert_problem(claim(token, over), 409, "not_claimable")
    assert counts(over) == (0, 0)


def test_claim_refusals():
    _, mtoken, shop, _, _ = merchant_shop()
    coupon = new_coupon(shop, total=1)
    _, token = buyer()
    _, other = buyer()
    assert_problem(s().request("POST", f"/v1/coupons/{coupon}/claim"), 401, "unauthenticated")
    assert_problem(claim(mtoken, coupon), 403, "forbidden")
    assert_problem(claim(token, 999999999), 404, "not_found")
    assert_problem(s().request("POST", "/v1/coupons/abc/claim", token=token), 404, "not_found")
    assert_problem(s().request("POST", f"/v1/coupons/{coupon}/claim", {"x": 1}, token=token),
                   400, "unexpected_body")
    r = s().request("GET", f"/v1/coupons/{coupon}/claim", token=token)
    assert r.status == 405 and r.headers.get("allow") == "POST", r
    claimed(other, coupon)
    assert_problem(claim(token, coupon), 409, "sold_out")
    assert counts(coupon) == (1, 0)
    stopped = new_coupon(shop, stopped=True)
    assert_problem(claim(token, stopped), 409, "not_claimable")
    assert counts(stopped) == (0, 0)


def test_claim_judges_the_session_first():
    """The claim folds the session into its statement: a session that may
    not claim is refused with the ordinary 401, and nothing is claimed."""
    _, _, shop, _, _ = merchant_shop()
    coupon = new_coupon(shop)
    expired_id, expired = buyer()
    q(f"UPDATE sessions SET expires_at = now() - interval '1 second'"
      f" WHERE account_id = {expired_id}")
    assert_problem(claim(expired, coupon), 401, "session_expired")
    out_id, out = buyer()
    q(f"UPDATE sessions SET ended_at = now(), end_reason = 'logout' WHERE account_id = {out_id}")
    assert_problem(claim(out, coupon), 401, "unauthenticated")
    name = uname("rb")
    s().register(name, role="buyer")
    first = s().login(name, device="phone")
    second = s().login(name, device="tablet")
    assert_problem(claim(first, coupon), 401, "session_replaced")
    assert_problem(claim(first, coupon, key=uname("key")), 401, "session_replaced")
    assert counts(coupon) == (0, 0)
    assert claim(second, coupon).status == 201
    assert counts(coupon) == (1, 0)


def test_claim_window():
    _, _, shop, _, _ = merchant_shop()
    coupon = new_coupon(shop, per_buyer=5, start="now() + interval '1 hour'",
                        end="now() + interval '2 hours'")
    _, token = buyer()
    try:
        assert_problem(claim(token, coupon), 409, "not_claimable")
        s().set_clock(at(3600 + 60))
        claimed(token, coupon)
        s().set_clock(at(2 * 3600 + 60))
        assert_problem(claim(token, coupon), 409, "not_claimable")
    finally:
        unfreeze()
    assert counts(coupon) == (1, 0)


def test_live_only():
    _, _, shop, _, _ = merchant_shop()
    coupon = new_coupon(shop, channel="live", per_buyer=3)
    _, token = buyer()

    def listed():
        r = s().request("GET", f"/v1/shops/{shop}/coupons/claimable", token=token)
        assert r.status == 200, r
        return [c["id"] for c in r.json["items"]]

    assert_problem(claim(token, coupon), 409, "not_claimable")
    assert listed() == []
    # K1's POST /v1/shops/{id}/live/start sets this; SQL keeps the test on its own.
    q(f"UPDATE shops SET live_since = now() WHERE id = {shop}")
    assert listed() == [coupon]
    claimed(token, coupon)
    q(f"UPDATE shops SET live_since = NULL WHERE id = {shop}")
    assert_problem(claim(token, coupon), 409, "not_claimable")
    assert listed() == []
    assert counts(coupon) == (1, 0)


def test_claim_idempotency_key():
    _, _, shop, _, _ = merchant_shop()
    coupon = new_coupon(shop, per_buyer=5)
    _, token = buyer()
    key = str(uuid.uuid4())
    a, b = claim(token, coupon, key), claim(token, coupon, key)
    assert a.status == b.status == 201 and a.json == b.json, (a, b)
    assert counts(coupon) == (1, 0)
    other = new_coupon(shop, per_buyer=5)
    assert_problem(claim(token, other, key), 422, "idempotency_key_reused")
    assert counts(other) == (0, 0)


# ---------------------------------------------------------------------------
# What a buyer can claim


def test_claimable_list():
    _, mtoken, shop, _, product = merchant_shop()
    _, _, elsewhere, _, _ = merchant_shop()
    _, token = buyer()
    _, other = buyer()
    open_ = new_coupon(shop, per_buyer=3, total=100, discount=200, min_order=1000)
    last_one = new_coupon(shop, per_buyer=3, total=2)
    by_product = new_coupon(shop, kind="product", product=product, valid_days=None,
                            valid_from="'2031-01-01T00:00:00Z'", valid_to="'2031-02-01T00:00:00Z'")
    mine_all = new_coupon(shop, per_buyer=1)
    hidden = [new_coupon(shop, stopped=True),
              new_coupon(shop, start="now() + interval '1 day'", end="now() + interval '2 days'"),
              new_coupon(shop, start="now() - interval '2 days'", end="now() - interval '1 day'"),
              new_coupon(shop, total=1),
              new_coupon(shop, channel="live"),
              new_coupon(elsewhere)]
    claimed(token, open_)
    claimed(other, last_one)
    claimed(token, mine_all)
    claimed(other, hidden[3])  # sold out

    r = s().request("GET", f"/v1/shops/{shop}/coupons/claimable", token=token)
    assert r.status == 200, r
    assert r.json["next_cursor"] is None
    items = r.json["items"]
    assert [c["id"] for c in items] == [by_product, last_one, open_], items
    for c in items:
        assert set(c) == CLAIMABLE_KEYS, c
    byid = {c["id"]: c for c in items}
    o = byid[open_]
    assert o["claimable_count"] == 2 and o["remaining"] == 99 and o["total_quantity"] == 100
    assert o["kind"] == "shop" and o["product_id"] is None and o["channel"] == "normal"
    assert o["discount_cents"] == 200 and o["min_order_cents"] == 1000
    assert o["per_buyer_limit"] == 3 and o["valid_days"] == 7
    assert o["valid_from"] is None and o["valid_to"] is None
    parse_time(o["claim_start"]), parse_time(o["claim_end"])
    assert byid[last_one]["claimable_count"] == 1 and byid[last_one]["remaining"] == 1
    p = byid[by_product]
    assert p["kind"] == "product" and p["product_id"] == product and p["valid_days"] is None
    assert p["valid_from"] == "2031-01-01T00:00:00Z" and p["valid_to"] == "2031-02-01T00:00:00Z"

    # Another buyer sees their own counts.
    r = s().request("GET", f"/v1/shops/{shop}/coupons/claimable", token=other)
    assert [c["id"] for c in r.json["items"]] == [mine_all, by_product, last_one, open_]
    assert {c["id"]: c["claimable_count"] for c in r.json["items"]}[last_one] == 1

    # Pages.
    r = s().request("GET", f"/v1/shops/{shop}/coupons/claimable?limit=2", token=token)
    assert [c["id"] for c in r.json["items"]] == [by_product, last_one], r
    cur = r.json["next_cursor"]
    assert cur
    r = s().request("GET", f"/v1/shops/{shop}/coupons/claimable?limit=2&cursor={cur}",
                    token=token)
    assert [c["id"] for c in r.json["items"]] == [open_] and r.json["next_cursor"] is None, r

    # A shop without coupons, and errors.
    r = s().request("GET", f"/v1/shops/{elsewhere}/coupons/claimable", token=token)
    assert r.status == 200 and [c["id"] for c in r.json["items"]] == [hidden[5]], r
    _, _, empty, _, _ = merchant_shop()
    r = s().request("GET", f"/v1/shops/{empty}/coupons/claimable", token=token)
    assert r.status == 200 and r.json == {"items": [], "next_cursor": None}, r
    assert_problem(s().request("GET", "/v1/shops/999999999/coupons/claimable", token=token),
                   404, "not_found")
    assert_problem(s().request("GET", f"/v1/shops/{shop}/coupons/claimable"),
                   401, "unauthenticated")
    assert_problem(s().request("GET", f"/v1/shops/{shop}/coupons/claimable", token=mtoken),
                   403, "forbidden")
    for bad, field in (("limit=0", "limit"), ("limit=101", "limit"), ("cursor=nope", "cursor"),
                       ("x=1", "x")):
        r = s().request("GET", f"/v1/shops/{shop}/coupons/claimable?{bad}", token=token)
        assert r.status == 400, r
        assert field in [e["field"] for e in r.json["errors"]], r.json


# ---------------------------------------------------------------------------
# My coupons


def test_my_coupons():
    _, mtoken, shop, sku, _ = merchant_shop()
    _, token = buyer()
    _, other = buyer()
    a = new_coupon(shop, per_buyer=3)
    short = new_coupon(shop, valid_days=None, valid_from="now() - interval '1 day'",
                       valid_to="now() + interval '1 hour'")
    c1 = claimed(token, a)
    c2 = claimed(token, a)
    c3 = claimed(token, short)
    claimed(other, a)
    r = place(token, shop, sku, coupon=c1["id"])
    assert r.status == 201, r
    order = r.json["id"]

    got = my_coupons(token)
    assert got["next_cursor"] is None
    assert [c["id"] for c in got["items"]] == [c3["id"], c2["id"], c1["id"]]
    assert {c["id"]: c["status"] for c in got["items"]} == {
        c1["id"]: "used", c2["id"]: "usable", c3["id"]: "usable"}
    assert {c["id"]: c["used_order_id"] for c in got["items"]}[c1["id"]] == order
    assert [c["id"] for c in my_coupons(token, "?status=used")["items"]] == [c1["id"]]
    try:
        s().set_clock(at(2 * 3600))
        assert [c["id"] for c in my_coupons(token, "?status=usable")["items"]] == [c2["id"]]
        assert [c["id"] for c in my_coupons(token, "?status=expired")["items"]] == [c3["id"]]
    finally:
        unfreeze()

    page = my_coupons(token, "?limit=2")
    assert [c["id"] for c in page["items"]] == [c3["id"], c2["id"]] and page["next_cursor"]
    page = my_coupons(token, f"?limit=2&cursor={page['next_cursor']}")
    assert [c["id"] for c in page["items"]] == [c1["id"]] and page["next_cursor"] is None

    assert_problem(s().request("GET", "/v1/me/coupons"), 401, "unauthenticated")
    assert_problem(s().request("GET", "/v1/me/coupons", token=mtoken), 403, "forbidden")
    for bad, field in (("status=lost", "status"), ("limit=0", "limit"), ("cursor=zz", "cursor")):
        r = s().request("GET", f"/v1/me/coupons?{bad}", token=token)
        assert r.status == 400, r
        assert field in [e["field"] for e in r.json["errors"]], r.json
    # A cursor of another list is refused.
    r = s().request("GET", f"/v1/shops/{shop}/coupons/claimable?limit=1", token=other)
    cur = r.json["next_cursor"]
    if cur:
        r = s().request("GET", f"/v1/me/coupons?cursor={cur}", token=token)
        assert_problem(r, 400, "invalid_field")


# ---------------------------------------------------------------------------
# Using a coupon on an order


def test_order_with_coupon():
    _, _, shop, sku, _ = merchant_shop(price=1000)
    coupon = new_coupon(shop, discount=300, min_order=1000, per_buyer=3)
    bid, token = buyer()
    c = claimed(token, coupon)
    r = place(token, shop, sku, qty=2, coupon=c["id"])
    assert r.status == 201, r
    a = r.json["amounts"]
    assert a["items_cents"] == 2000 and a["discount_cents"] == 300 and a["total_cents"] == 1700
    assert r.json["coupon_id"] == c["id"], r.json
    order = r.json["id"]
    assert q(f"SELECT coupon_id FROM orders WHERE id = {order}") == str(c["id"])
    assert counts(coupon) == (1, 1)
    (mine,) = [x for x in my_coupons(token)["items"] if x["id"] == c["id"]]
    assert mine["status"] == "used" and mine["used_order_id"] == order
    # Paying charges the discounted total.
    r = s().request("POST", f"/v1/orders/{order}/pay", token=token)
    assert r.status == 200 and r.json["amounts"]["paid_cents"] == 1700, r
    # Used once only.
    assert_problem(place(token, shop, sku, coupon=c["id"]), 409, "coupon_unavailable")
    # An order without a coupon is as before; null means none.
    r = place(token, shop, sku, coupon=None)
    assert r.status == 201 and r.json["amounts"]["discount_cents"] == 0, r
    assert r.json["coupon_id"] is None
    b = order_body(shop, sku)
    b["coupon_id"] = None
    r = s().request("POST", "/v1/orders", b, token=token)
    assert r.status == 201 and r.json["amounts"]["discount_cents"] == 0, r


def test_product_coupon():
    _, _, shop, sku, product = merchant_shop(price=1000)
    sku2 = new_sku(shop, price=500)
    coupon = new_coupon(shop, kind="product", product=product, discount=400, min_order=900,
                        per_buyer=5)
    _, token = buyer()
    c = claimed(token, coupon)
    # Only the other product: unavailable.
    assert_problem(place(token, shop, sku2, qty=4, coupon=c["id"]), 409, "coupon_unavailable")
    # The minimum counts the coupon's product only: 2000 of other lines do not help.
    c2 = claimed(token, coupon)
    mixed = [{"sku_id": sku, "quantity": 1}, {"sku_id": sku2, "quantity": 4}]
    r = place(token, shop, sku, coupon=c2["id"], items=mixed)
    assert r.status == 201, r
    assert r.json["amounts"]["items_cents"] == 3000 and r.json["amounts"]["total_cents"] == 2600
    assert counts(coupon) == (2, 1)
    low = new_coupon(shop, kind="product", product=product, discount=400, min_order=1500)
    c3 = claimed(token, low)
    assert_problem(place(token, shop, sku, qty=1, coupon=c3["id"], items=mixed), 409,
                   "coupon_unavailable")
    assert counts(low) == (1, 0)


def test_coupon_unavailable():
    _, _, shop, sku, _ = merchant_shop(price=1000)
    _, _, other_shop, other_sku, _ = merchant_shop(price=1000)
    _, token = buyer()
    _, someone = buyer()
    minimum = new_coupon(shop, discount=300, min_order=2500)
    c_min = claimed(token, minimum)
    assert_problem(place(token, shop, sku, qty=2, coupon=c_min["id"]), 409, "coupon_unavailable")
    # Another buyer's coupon, one of another shop, one that does not exist.
    theirs = claimed(someone, new_coupon(shop))
    assert_problem(place(token, shop, sku, coupon=theirs["id"]), 409, "coupon_unavailable")
    c_other = claimed(token, new_coupon(other_shop))
    assert_problem(place(token, shop, sku, coupon=c_other["id"]), 409, "coupon_unavailable")
    assert_problem(place(token, shop, sku, coupon=999999999), 409, "coupon_unavailable")
    # A discount above the order (no minimum set): refused, totals never go below zero.
    big = claimed(token, new_coupon(shop, discount=5000))
    assert_problem(place(token, shop, sku, coupon=big["id"]), 409, "coupon_unavailable")
    # Not valid yet, and expired.
    later = claimed(token, new_coupon(shop, valid_days=None, valid_from="now() + interval '1 day'",
                                      valid_to="now() + interval '9 days'"))
    assert_problem(place(token, shop, sku, coupon=later["id"]), 409, "coupon_unavailable")
    week = claimed(token, new_coupon(shop, valid_days=1))
    try:
        s().set_clock(at(2 * 86400))
        assert_problem(place(token, shop, sku, coupon=week["id"]), 409, "coupon_unavailable")
        r = place(token, shop, sku, coupon=later["id"])
        assert r.status == 201, r
    finally:
        unfreeze()
    # Nothing was spent: stock and the coupons stay as they were.
    assert q(f"SELECT count(*) FROM buyer_coupons WHERE buyer_id IN (SELECT buyer_id FROM"
             f" buyer_coupons WHERE id = {c_min['id']}) AND used_order_id IS NOT NULL") == "1"
    assert counts(minimum) == (1, 0)
    # A malformed coupon_id is a 400 naming it.
    for bad in (0, -1, "7", 1.5, True):
        b = order_body(shop, sku)
        b["coupon_id"] = bad
        r = s().request("POST", "/v1/orders", b, token=token)
        assert r.status == 400, (bad, r)
        assert [e["field"] for e in r.json["errors"]] == ["coupon_id"], r.json


# ---------------------------------------------------------------------------
# Giving coupons back


def coupon_status(token, ident):
    (c,) = [x for x in my_coupons(token)["items"] if x["id"] == ident]
    return c["status"], c["used_order_id"]


def test_give_back_on_cancel():
    _, _, shop, sku, _ = merchant_shop()
    coupon = new_coupon(shop, discount=100)
    _, token = buyer()
    c = claimed(token, coupon)
    order = place(token, shop, sku, coupon=c["id"]).json["id"]
    assert counts(coupon) == (1, 1)
    r = s().request("POST", f"/v1/orders/{order}/cancel", token=token)
    assert r.status == 200, r
    assert coupon_status(token, c["id"]) == ("usable", None)
    assert counts(coupon) == (1, 0)
    # Usable again, on a new order.
    r = place(token, shop, sku, coupon=c["id"])
    assert r.status == 201 and r.json["amounts"]["discount_cents"] == 100, r
    assert counts(coupon) == (1, 1)


def test_give_back_on_expiry():
    _, _, shop, sku, _ = merchant_shop()
    coupon = new_coupon(shop, per_buyer=2)
    short = new_coupon(shop, valid_days=None, valid_from="now() - interval '1 day'",
                       valid_to="now() + interval '10 minutes'")
    _, token = buyer()
    c = claimed(token, coupon)
    d = claimed(token, short)
    first = place(token, shop, sku, coupon=c["id"]).json["id"]
    second = place(token, shop, sku, coupon=d["id"]).json["id"]
    try:
        s().set_clock(at(31 * 60))
        run_jobs()
        for o in (first, second):
            r = s().request("GET", f"/v1/orders/{o}", token=token)
            assert r.json["status"] == "closed" and r.json["close_reason"] == "expired", r
        assert coupon_status(token, c["id"]) == ("usable", None)
        # The short one ran out before its order closed: it stays used.
        assert coupon_status(token, d["id"]) == ("used", second)
    finally:
        unfreeze()
    assert counts(coupon) == (1, 0)
    assert counts(short) == (1, 1)


def test_give_back_on_pay_past_deadline():
    _, _, shop, sku, _ = merchant_shop()
    coupon = new_coupon(shop)
    _, token = buyer()
    c = claimed(token, coupon)
    order = place(token, shop, sku, coupon=c["id"]).json["id"]
    try:
        s().set_clock(at(31 * 60))
        assert_problem(s().request("POST", f"/v1/orders/{order}/pay", token=token), 409,
                       "order_expired")
    finally:
        unfreeze()
    assert coupon_status(token, c["id"]) == ("usable", None)
    assert counts(coupon) == (1, 0)


def test_give_back_on_review_close():
    _, _, shop, sku, _ = merchant_shop()
    coupon = new_coupon(shop, per_buyer=2)
    _, token = buyer()
    _, rtoken = new_reviewer_in(s())
    c = claimed(token, coupon)
    order = place(token, shop, sku, coupon=c["id"]).json["id"]
    assert s().request("POST", f"/v1/orders/{order}/pay", token=token).status == 200
    r = s().request("POST", f"/v1/review/orders/{order}/hold", {"reason": "fraud check"},
                    token=rtoken)
    assert r.status == 200, r
    assert coupon_status(token, c["id"]) == ("used", order)
    r = s().request("POST", f"/v1/review/orders/{order}/close", {"reason": "fraud"}, token=rtoken)
    assert r.status == 200, r
    assert coupon_status(token, c["id"]) == ("usable", None)
    assert counts(coupon) == (1, 0)
    # A paid order keeps its coupon.
    d = claimed(token, coupon)
    kept = place(token, shop, sku, coupon=d["id"]).json["id"]
    assert s().request("POST", f"/v1/orders/{kept}/pay", token=token).status == 200
    assert coupon_status(token, d["id"]) == ("used", kept)
    assert counts(coupon) == (2, 1)


def new_reviewer_in(server):
    name = uname("r")
    out = run_cli(["create-reviewer", name], server.db_url, stdin="reviewer-password\n")
    assert out.returncode == 0, out.stderr
    return None, server.login(name, password="reviewer-password")


# ---------------------------------------------------------------------------
# Races


_crowd = None


def crowd():
    global _crowd
    if _crowd is None:
        _crowd = make_accounts(1000)
    return _crowd


def test_race_thousand_claims_of_hundred():
    _, _, shop, _, _ = merchant_shop()
    buyers = crowd()
    for _round in range(3):
        coupon = new_coupon(shop, total=100, per_buyer=1)
        results = parallel(lambda t: claim(t, coupon), [(t,) for _, t in buyers])
        statuses = {}
        for r in results:
            assert not isinstance(r, Exception), r
            key = r.status if r.status == 201 else (r.status, r.json["code"])
            statuses[key] = statuses.get(key, 0) + 1
        assert statuses == {201: 100, (409, "sold_out"): 900}, statuses
        assert counts(coupon) == (100, 0)
        owners = q(f"SELECT count(DISTINCT buyer_id) FROM buyer_coupons WHERE coupon_id = {coupon}")
        assert owners == "100"


def test_race_one_buyer_fifty_claims():
    _, _, shop, _, _ = merchant_shop()
    for _round in range(5):
        coupon = new_coupon(shop, total=1000, per_buyer=2)
        _, token = buyer()
        results = parallel(lambda: claim(token, coupon), [()] * 50)
        ok = [r for r in results if not isinstance(r, Exception) and r.status == 201]
        assert len(ok) == 2, results
        for r in results:
            assert r in ok or (r.status == 409 and r.json["code"] == "claim_limit_reached"), r
        assert counts(coupon) == (2, 0)


def test_race_two_orders_one_coupon():
    _, _, shop, sku, _ = merchant_shop(stock=100000)
    coupon = new_coupon(shop, total=1000, per_buyer=100, discount=100)
    _, token = buyer()
    for _round in range(10):
        c = claimed(token, coupon)
        results = parallel(lambda: place(token, shop, sku, coupon=c["id"]), [()] * 2)
        assert sorted(r.status for r in results) == [201, 409], results
        (loser,) = [r for r in results if r.status == 409]
        assert_problem(loser, 409, "coupon_unavailable")
        (winner,) = [r for r in results if r.status == 201]
        assert winner.json["amounts"]["discount_cents"] == 100
        assert coupon_status(token, c["id"]) == ("used", winner.json["id"])
    assert counts(coupon) == (10, 10)
    # Cancels and orders racing over one coupon: the counts still add up.
    c = claimed(token, coupon)
    order = place(token, shop, sku, coupon=c["id"]).json["id"]
    calls = [lambda: s().request("POST", f"/v1/orders/{order}/cancel", token=token)] + \
        [lambda: place(token, shop, sku, coupon=c["id"])] * 4
    parallel(lambda f: f(), [(f,) for f in calls])
    counts(coupon)


if __name__ == "__main__":
    main([test_claim, test_claim_fixed_validity, test_claim_refusals,
          test_claim_judges_the_session_first, test_claim_window,
          test_live_only, test_claim_idempotency_key, test_claimable_list, test_my_coupons,
          test_order_with_coupon, test_product_coupon, test_coupon_unavailable,
          test_give_back_on_cancel, test_give_back_on_expiry, test_give_back_on_pay_past_deadline,
          test_give_back_on_review_close, test_race_thousand_claims_of_hundred,
          test_race_one_buyer_fifty_claims, test_race_two_orders_one_coupon])
