"""Platform campaigns: the staff's campaigns and review queue
(/v1/platform/campaigns...), the merchants' sign-up (/v1/campaigns,
/v1/shops/{id}/campaign-entries...), campaign prices and stock at checkout,
the end job, and the shop's counters (/v1/shops/{id}/campaigns/{id}/stats).

Races: N orders for the last K campaign units, one buyer's orders against
the per-buyer limit, an approval against a change of the SKU's stock, and
the end of a campaign against checkout at the same instant. The 30-day low
is tested with the test clock moving the price history's window.

Accounts and sessions are made with SQL (argon2 makes registering hundreds
slow); every campaign's times are relative to the frozen clock of its test."""

import datetime
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from harness import *  # noqa: E402,F401,F403

ENV = {"MERCHANTD_THREADS": "8", "MERCHANTD_JOB_INTERVAL_SECONDS": "86400"}
UTC = datetime.timezone.utc
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
MIN = datetime.timedelta(minutes=1)


def s():
    return srv(ENV)


def q(query):
    return psql(s().db_url, query)


def make_accounts(n, role="buyer", permissions=None):
    return accounts_with_sessions(s(), n, role, permissions)


class World:
    """Staff with and without the campaigns permission, two merchants."""

    def __init__(self):
        s()
        (_, self.staff), = make_accounts(1, "staff", ["campaigns"])
        (_, self.staff_other), = make_accounts(1, "staff", ["review", "finance"])
        (self.m1, self.t1), (self.m2, self.t2) = make_accounts(2, "merchant")


world = once(World)


def new_shop_of(merchant_id):
    return int(q(f"INSERT INTO shops (merchant_id, name, created_at, updated_at) "
                 f"VALUES ({merchant_id}, 'Tea House', now(), now()) RETURNING id"))


def new_product(shop, prices=(1000,), stock=100, at="now()", status="on_sale"):
    """A product with one SKU per price: (product, [sku...])."""
    product = int(q(f"INSERT INTO products (shop_id, title, status, created_at, updated_at) "
                    f"VALUES ({shop}, 'Longjing', '{status}', now(), now()) RETURNING id"))
    skus = [int(q(f"INSERT INTO skus (product_id, shop_id, spec, price_cents, stock, created_at,"
                  f" updated_at) VALUES ({product}, {shop}, '250g {i}', {p}, {stock}, {at}, {at})"
                  f" RETURNING id")) for i, p in enumerate(prices)]
    return product, skus


def rfc(dt):
    return fmt_time(dt)


def clock(dt):
    s().set_clock(rfc(dt))


def run_jobs():
    r = s().request("POST", "/v1/test/jobs/run")
    assert r.status == 200, r


def campaign_body(t0, **rules):
    """Sign-up from t0 + 1 h to t0 + 2 h, the run from t0 + 3 h to t0 + 5 h."""
    r = {"min_discount_percent": 10, "min_campaign_stock": 5, "per_buyer_limit": 3,
         "max_products_per_shop": 5, "allow_coupons": True, "auto_approve": False}
    r.update(rules)
    return {"name": "Double Twelve", "kind": "flash_sale", "signup_from": rfc(t0 + HOUR),
            "signup_to": rfc(t0 + 2 * HOUR), "starts_at": rfc(t0 + 3 * HOUR),
            "ends_at": rfc(t0 + 5 * HOUR), "rules": r}


def req(method, path, token, body=None, headers=None):
    return s().request(method, path, body, token=token, headers=headers)


def new_campaign(t0, **rules):
    clock(t0)
    r = req("POST", "/v1/platform/campaigns", world().staff, campaign_body(t0, **rules))
    assert r.status == 201, r
    return r.json["id"]


def enter(token, shop, campaign, product, skus):
    return req("POST", f"/v1/shops/{shop}/campaign-entries", token,
               {"campaign_id": campaign, "product_id": product,
                "skus": [{"sku_id": k, "campaign_price_cents": p, "campaign_stock": n}
                         for k, p, n in skus]})


def entry_codes(r):
    assert_problem(r, 422, "campaign_rules_failed")
    return sorted((e["sku_id"], e["code"]) for e in r.json["errors"])


def order(token, shop, sku, qty=1, coupon=None):
    b = {"shop_id": shop, "items": [{"sku_id": sku, "quantity": qty}],
         "address": ADDRESS}
    if coupon is not None:
        b["coupon_id"] = coupon
    return s().request("POST", "/v1/orders", b, token=token)


def running_campaign(t0, stock=10, campaign_stock=5, price=1000, campaign_price=800, **rules):
    """A campaign with one approved SKU, the clock inside its run: (campaign,
    shop, product, sku, entry)."""
    w = world()
    c = new_campaign(t0, **rules)
    shop = new_shop_of(w.m1)
    product, (sku,) = new_product(shop, (price,), stock)
    clock(t0 + HOUR + MIN)
    r = enter(w.t1, shop, c, product, [(sku, campaign_price, campaign_stock)])
    assert r.status == 201, r
    entry = r.json["id"]
    if r.json["status"] == "pending":
        r = req("POST", f"/v1/platform/campaigns/{c}/entries/{entry}/approve", w.staff)
        assert r.status == 200, r
    clock(t0 + 3 * HOUR + MIN)
    return c, shop, product, sku, entry


def sku_stock(sku):
    return int(q(f"SELECT stock FROM skus WHERE id = {sku}"))


def campaign_sku(campaign, sku):
    return q(f"SELECT stock || ' ' || sold || ' ' || state FROM campaign_skus"
             f" WHERE campaign_id = {campaign} AND sku_id = {sku} AND state <> 'idle'")


T = datetime.datetime(2032, 1, 5, 2, 0, tzinfo=UTC)


def test_staff_campaigns():
    w = world()
    t0 = T
    clock(t0)
    body = campaign_body(t0)
    r = req("POST", "/v1/platform/campaigns", w.staff, body)
    assert r.status == 201, r
    c = r.json
    assert c["status"] == "draft" and c["rules"]["per_buyer_limit"] == 3
    assert c["signup_from"] == body["signup_from"] and c["cancelled_at"] is None
    # Strict input: unknown fields, types, kinds, times out of order.
    assert_problem(req("POST", "/v1/platform/campaigns", w.staff, dict(body, colour="red")),
                   400, "unknown_field")
    assert_problem(req("POST", "/v1/platform/campaigns", w.staff, dict(body, kind="weekly")),
                   400, "invalid_field")
    bad_rules = dict(body, rules=dict(body["rules"], min_discount_percent=100))
    assert_problem(req("POST", "/v1/platform/campaigns", w.staff, bad_rules), 400, "invalid_field")
    late = dict(body, signup_to=rfc(t0 + 4 * HOUR))
    assert_problem(req("POST", "/v1/platform/campaigns", w.staff, late), 400, "invalid_field")
    # Read and list.
    r = req("GET", f"/v1/platform/campaigns/{c['id']}", w.staff)
    assert r.status == 200 and r.json == c, r
    assert_problem(req("GET", "/v1/platform/campaigns/999999999", w.staff), 404, "not_found")
    r = req("GET", "/v1/platform/campaigns?status=draft&limit=100", w.staff)
    assert r.status == 200 and c["id"] in [x["id"] for x in r.json["items"]], r
    assert_problem(req("GET", "/v1/platform/campaigns?status=soon", w.staff), 400, "invalid_field")
    # Changes before sign-up opens; then only the name.
    r = req("PATCH", f"/v1/platform/campaigns/{c['id']}", w.staff,
            {"rules": {"per_buyer_limit": 2}, "name": "Double Twelve Night"})
    assert r.status == 200 and r.json["rules"]["per_buyer_limit"] == 2, r
    assert_problem(req("PATCH", f"/v1/platform/campaigns/{c['id']}", w.staff,
                       {"ends_at": rfc(t0 + 2 * HOUR)}), 400, "invalid_field")
    clock(t0 + HOUR)
    assert_problem(req("PATCH", f"/v1/platform/campaigns/{c['id']}", w.staff,
                       {"rules": {"per_buyer_limit": 5}}), 409, "campaign_locked")
    assert_problem(req("PATCH", f"/v1/platform/campaigns/{c['id']}", w.staff,
                       {"starts_at": rfc(t0 + 4 * HOUR)}), 409, "campaign_locked")
    r = req("PATCH", f"/v1/platform/campaigns/{c['id']}", w.staff, {"name": "双十二"})
    assert r.status == 200 and r.json["name"] == "双十二" and r.json["status"] == "signup_open", r
    assert_problem(req("PATCH", "/v1/platform/campaigns/999999999", w.staff, {"name": "x"}),
                   404, "not_found")
    # Cancel before the start, not twice, not once started.
    r = req("POST", f"/v1/platform/campaigns/{c['id']}/cancel", w.staff)
    assert r.status == 200 and r.json["status"] == "cancelled", r
    assert_problem(req("POST", f"/v1/platform/campaigns/{c['id']}/cancel", w.staff),
                   409, "invalid_state")
    assert_problem(req("PATCH", f"/v1/platform/campaigns/{c['id']}", w.staff, {"name": "x"}),
                   409, "invalid_state")
    c2 = new_campaign(t0)
    clock(t0 + 3 * HOUR)
    assert_problem(req("POST", f"/v1/platform/campaigns/{c2}/cancel", w.staff),
                   409, "invalid_state")
    assert_problem(req("POST", "/v1/platform/campaigns/999999999/cancel", w.staff),
                   404, "not_found")


def test_authorization():
    w = world()
    clock(T)
    (_, buyer), = make_accounts(1)
    body = campaign_body(T)
    for token in (w.t1, buyer):
        assert_problem(req("POST", "/v1/platform/campaigns", token, body), 403, "forbidden")
        assert_problem(req("GET", "/v1/platform/campaigns", token), 403, "forbidden")
    r = req("POST", "/v1/platform/campaigns", w.staff_other, body)
    assert_problem(r, 403, "forbidden")
    assert r.json["missing_permission"] == "campaigns", r
    assert_problem(req("GET", "/v1/campaigns", buyer), 403, "forbidden")
    assert_problem(req("GET", "/v1/campaigns", w.staff), 403, "forbidden")
    shop = new_shop_of(w.m1)
    assert_problem(req("GET", f"/v1/shops/{shop}/campaign-entries", buyer), 403, "forbidden")


def test_signup_rules_and_tenancy():
    w = world()
    t0 = T + 10 * DAY
    c = new_campaign(t0, max_products_per_shop=2)
    shop, other_shop = new_shop_of(w.m1), new_shop_of(w.m2)
    p1, (a, b) = new_product(shop, (1000, 2000), stock=50)
    p2, (d,) = new_product(shop, (500,), stock=50)
    p3, (e,) = new_product(shop, (500,), stock=50)
    p4, (f,) = new_product(shop, (500,), stock=50, status="off_sale")
    po, (o,) = new_product(other_shop, (1000,))
    # Before sign-up opens.
    assert_problem(enter(w.t1, shop, c, p1, [(a, 800, 10)]), 409, "invalid_state")
    clock(t0 + HOUR + MIN)
    # The merchant's list: sign-up open, each shop eligible.
    r = req("GET", "/v1/campaigns?status=signup_open&limit=100", w.t1)
    assert r.status == 200, r
    mine = [x for x in r.json["items"] if x["id"] == c][0]
    assert {"shop_id": shop, "eligible": True, "reasons": []} in mine["shops"], mine
    # Every failing rule, per SKU, and nothing written.
    r = enter(w.t1, shop, c, p1, [(a, 950, 10), (b, 1500, 3), (999999999, 1, 5)])
    assert entry_codes(r) == [(b, "stock_too_small"), (a, "discount_too_small"),
                              (999999999, "unknown_sku")] or set(entry_codes(r)) == {
        (a, "discount_too_small"), (b, "stock_too_small"), (999999999, "unknown_sku")}, r
    fields = {x["field"] for x in r.json["errors"]}
    assert fields == {"skus[0]", "skus[1]", "skus[2]"}, r
    assert set(entry_codes(enter(w.t1, shop, c, p1, [(a, 900, 51)]))) == {
        (a, "stock_above_available")}
    assert set(entry_codes(enter(w.t1, shop, c, p4, [(f, 400, 10)]))) == {
        (None, "product_unavailable")}
    assert q(f"SELECT count(*) FROM campaign_entries WHERE campaign_id = {c}") == "0"
    # Strict input.
    assert_problem(req("POST", f"/v1/shops/{shop}/campaign-entries", w.t1,
                       {"campaign_id": c, "product_id": p1,
                        "skus": [{"sku_id": a, "campaign_price_cents": 900, "campaign_stock": 10},
                                 {"sku_id": a, "campaign_price_cents": 900,
                                  "campaign_stock": 10}]}), 400, "invalid_field")
    assert_problem(req("POST", f"/v1/shops/{shop}/campaign-entries", w.t1,
                       {"campaign_id": c, "product_id": p1, "skus": []}), 400, "invalid_field")
    # An entry: pending; once only; the shop's quota of two products.
    r = enter(w.t1, shop, c, p1, [(a, 900, 10), (b, 1800, 5)])
    assert r.status == 201 and r.json["status"] == "pending", r
    entry = r.json
    assert [k["sku_id"] for k in entry["skus"]] == sorted([a, b])
    assert set(entry_codes(enter(w.t1, shop, c, p1, [(a, 900, 10)]))) == {
        (None, "already_entered")}
    assert enter(w.t1, shop, c, p2, [(d, 450, 10)]).status == 201
    assert set(entry_codes(enter(w.t1, shop, c, p3, [(e, 450, 10)]))) == {
        (None, "max_products_reached")}
    r = req("GET", "/v1/campaigns?status=signup_open&limit=100", w.t1)
    mine = [x for x in r.json["items"] if x["id"] == c][0]
    assert {"shop_id": shop, "eligible": False, "reasons": ["max_products_reached"]} \
        in mine["shops"], mine
    # Tenancy: another merchant's shop, a product of another shop, an entry.
    assert_problem(enter(w.t2, shop, c, p3, [(e, 450, 10)]), 404, "not_found")
    assert_problem(enter(w.t1, shop, c, po, [(o, 800, 10)]), 404, "not_found")
    assert_problem(enter(w.t1, shop, 999999999, p3, [(e, 450, 10)]), 404, "not_found")
    assert_problem(req("POST", f"/v1/shops/{shop}/campaign-entries/{entry['id']}/withdraw",
                       w.t2), 404, "not_found")
    assert_problem(req("POST", f"/v1/shops/{other_shop}/campaign-entries/{entry['id']}/withdraw",
                       w.t2), 404, "not_found")
    assert_problem(req("GET", f"/v1/shops/{shop}/campaign-entries", w.t2), 404, "not_found")
    assert_problem(req("GET", f"/v1/shops/{shop}/campaigns/{c}/stats", w.t2), 404, "not_found")
    # The shop's entries, withdrawal while pending only.
    r = req("GET", f"/v1/shops/{shop}/campaign-entries?campaign_id={c}&limit=1", w.t1)
    assert r.status == 200 and len(r.json["items"]) == 1 and r.json["next_cursor"], r
    r2 = req("GET", f"/v1/shops/{shop}/campaign-entries?campaign_id={c}&limit=1"
                    f"&cursor={r.json['next_cursor']}", w.t1)
    assert r2.json["items"][0]["id"] == entry["id"], r2
    r = req("POST", f"/v1/shops/{shop}/campaign-entries/{entry['id']}/withdraw", w.t1)
    assert r.status == 200 and r.json["status"] == "withdrawn", r
    assert_problem(req("POST", f"/v1/shops/{shop}/campaign-entries/{entry['id']}/withdraw",
                       w.t1), 409, "invalid_state")
    r = req("GET", f"/v1/shops/{shop}/campaign-entries?status=withdrawn", w.t1)
    assert [x["id"] for x in r.json["items"]] == [entry["id"]], r
    # Sign-up closed.
    clock(t0 + 2 * HOUR)
    assert_problem(enter(w.t1, shop, c, p3, [(e, 450, 10)]), 409, "invalid_state")


def test_30_day_low():
    """The price history, written by the API's price change, with the clock."""
    w = world()
    t0 = T + 100 * DAY
    shop = new_shop_of(w.m1)
    start = t0 - 40 * DAY
    product, (sku,) = new_product(shop, (1000,), 100, at=f"'{rfc(start)}'")
    for days, price in ((10, 800), (5, 1200)):
        clock(t0 - days * DAY)
        r = req("PATCH", f"/v1/shops/{shop}/products/{product}/skus/{sku}", w.t1,
                {"price_cents": price})
        assert r.status == 200, r
    assert q(f"SELECT string_agg(price_cents::text, ',' ORDER BY since) FROM sku_prices"
             f" WHERE sku_id = {sku}") == "1000,800,1200"
    c = new_campaign(t0 - HOUR, min_discount_percent=10)
    clock(t0 + MIN)
    # 30-day low 800: 900 is above it though 25% off today's 1200.
    assert set(entry_codes(enter(w.t1, shop, c, product, [(sku, 900, 10)]))) == {
        (sku, "price_above_30_day_low")}
    r = enter(w.t1, shop, c, product, [(sku, 800, 10)])
    assert r.status == 201, r
    assert req("POST", f"/v1/shops/{shop}/campaign-entries/{r.json['id']}/withdraw",
               w.t1).status == 200
    # 26 days on, 800 is more than 30 days old: the low is 1200.
    later = t0 + 26 * DAY
    c2 = new_campaign(later - HOUR, min_discount_percent=10)
    clock(later + MIN)
    assert enter(w.t1, shop, c2, product, [(sku, 1080, 10)]).status == 201


def test_review_queue_letters_and_stock():
    w = world()
    t0 = T + 200 * DAY
    c = new_campaign(t0)
    shop = new_shop_of(w.m1)
    p1, (a,) = new_product(shop, (1000,), stock=40)
    p2, (b,) = new_product(shop, (1000,), stock=40)
    clock(t0 + HOUR + MIN)
    e1 = enter(w.t1, shop, c, p1, [(a, 800, 30)]).json["id"]
    e2 = enter(w.t1, shop, c, p2, [(b, 800, 30)]).json["id"]
    r = req("GET", f"/v1/platform/campaigns/{c}/entries?status=pending", w.staff)
    assert [x["id"] for x in r.json["items"]] == [e1, e2], r
    assert_problem(req("GET", "/v1/platform/campaigns/999999999/entries", w.staff),
                   404, "not_found")
    # Reject with a reason, approve: the stock is carved out.
    assert_problem(req("POST", f"/v1/platform/campaigns/{c}/entries/{e1}/reject", w.staff, {}),
                   400, "invalid_field")
    r = req("POST", f"/v1/platform/campaigns/{c}/entries/{e1}/reject", w.staff,
            {"reason": "图片不清晰"})
    assert r.status == 200 and r.json["status"] == "rejected" and r.json["reason"] == "图片不清晰"
    assert_problem(req("POST", f"/v1/platform/campaigns/{c}/entries/{e1}/approve", w.staff),
                   409, "invalid_state")
    # The SKU lost stock since the entry: approval refused, nothing carved.
    q(f"UPDATE skus SET stock = 20 WHERE id = {b}")
    assert_problem(req("POST", f"/v1/platform/campaigns/{c}/entries/{e2}/approve", w.staff),
                   409, "out_of_stock")
    q(f"UPDATE skus SET stock = 40 WHERE id = {b}")
    r = req("POST", f"/v1/platform/campaigns/{c}/entries/{e2}/approve", w.staff)
    assert r.status == 200 and r.json["status"] == "approved", r
    assert sku_stock(b) == 10 and campaign_sku(c, b) == "30 0 live"
    assert_problem(req("POST", f"/v1/platform/campaigns/{c}/entries/{e2}/approve", w.staff),
                   409, "invalid_state")
    assert_problem(req("POST", f"/v1/platform/campaigns/999999999/entries/{e2}/approve",
                       w.staff), 404, "not_found")
    # Letters, one per decision, in the shop's letters.
    r = req("GET", f"/v1/shops/{shop}/letters", w.t1)
    assert r.status == 200, r
    kinds = [(x["kind"], x["title"]) for x in r.json["items"]]
    assert kinds.count(("campaign", "活动报名审核结果通知")) == 2, kinds
    assert "图片不清晰" in q(f"SELECT body FROM letters WHERE campaign_entry_id = {e1}")
    # The same SKU may not be live in a campaign that overlaps.
    c2 = new_campaign(t0 + HOUR)  # runs from t0 + 4 h to t0 + 6 h
    clock(t0 + 2 * HOUR + MIN)
    assert set(entry_codes(enter(w.t1, shop, c2, p2, [(b, 800, 5)]))) == {
        (b, "in_other_campaign")}
    # Cancelled before the start: the stock goes back.
    r = req("POST", f"/v1/platform/campaigns/{c}/cancel", w.staff)
    assert r.status == 200, r
    assert sku_stock(b) == 40 and campaign_sku(c, b) == "0 0 returned"
    # The approved entry is cancelled with the campaign, and the shop told.
    assert q(f"SELECT status FROM campaign_entries WHERE id = {e2}") == "cancelled"
    letters = q(f"SELECT summary || '|' || body FROM letters WHERE campaign_entry_id = {e2}"
                f" ORDER BY id").split("\n")
    assert len(letters) == 2 and "已取消" in letters[1] and "已被平台取消" in letters[1], letters
    assert q(f"SELECT count(*) FROM letters WHERE campaign_entry_id = {e1}") == "1"


def test_auto_approve_and_batch():
    w = world()
    t0 = T + 300 * DAY
    c = new_campaign(t0, auto_approve=True, min_campaign_stock=2)
    shop = new_shop_of(w.m1)
    p1, skus1 = new_product(shop, (1000, 3000), stock=10)
    p2, (b,) = new_product(shop, (1000,), stock=1)
    po, _ = new_product(new_shop_of(w.m2), (1000,))
    clock(t0 + HOUR + MIN)
    r = req("POST", f"/v1/shops/{shop}/campaign-entries:batch", w.t1,
            {"campaign_id": c, "discount_percent": 20, "stock_percent": 50,
             "product_ids": [p1, p2, po]})
    assert r.status == 200, r
    res = {x["product_id"]: x for x in r.json["results"]}
    assert res[p1]["result"] == "created" and res[p1]["entry"]["status"] == "approved", res
    assert sorted((k["campaign_price_cents"], k["campaign_stock"])
                  for k in res[p1]["entry"]["skus"]) == [(800, 5), (2400, 5)]
    assert res[p2]["result"] == "refused" and res[p2]["errors"][0]["code"] == "stock_too_small"
    assert res[po]["result"] == "not_found" and res[po]["entry"] is None
    assert [sku_stock(k) for k in skus1] == [5, 5]
    assert_problem(req("POST", f"/v1/shops/{shop}/campaign-entries:batch", w.t1,
                       {"campaign_id": c, "discount_percent": 20, "stock_percent": 50,
                        "product_ids": [p1, p1]}), 400, "invalid_field")
    assert_problem(req("POST", f"/v1/shops/{shop}/campaign-entries:batch", w.t1,
                       {"campaign_id": c, "discount_percent": 20, "stock_percent": 50,
                        "product_ids": list(range(1, 202))}), 400, "invalid_field")
    assert_problem(req("POST", f"/v1/shops/{shop}/campaign-entries:batch", w.t2,
                       {"campaign_id": c, "discount_percent": 20, "stock_percent": 50,
                        "product_ids": [p1]}), 404, "not_found")
    assert_problem(req("POST", f"/v1/shops/{shop}/campaign-entries:batch", w.t1,
                       {"campaign_id": 999999999, "discount_percent": 20, "stock_percent": 50,
                        "product_ids": [p1]}), 404, "not_found")
    clock(t0 + 2 * HOUR)
    assert_problem(req("POST", f"/v1/shops/{shop}/campaign-entries:batch", w.t1,
                       {"campaign_id": c, "discount_percent": 20, "stock_percent": 50,
                        "product_ids": [p2]}), 409, "invalid_state")


def test_checkout_price_coupons_close_and_end():
    w = world()
    t0 = T + 400 * DAY
    c, shop, product, sku, entry = running_campaign(t0, stock=10, campaign_stock=5,
                                                    allow_coupons=False)
    (_, buyer), = make_accounts(1)
    # Another shop's entry that nobody decides before the end.
    other = new_shop_of(w.m2)
    p_other, (k_other,) = new_product(other, (1000,), 10)
    clock(t0 + HOUR + MIN)
    r = enter(w.t2, other, c, p_other, [(k_other, 800, 5)])
    assert r.status == 201 and r.json["status"] == "pending", r
    waiting = r.json["id"]
    clock(t0 + 3 * HOUR + MIN)
    r = order(buyer, shop, sku, 2)
    assert r.status == 201, r
    line = r.json["items"][0]
    assert line["price_cents"] == 800 and line["campaign_id"] == c, line
    assert line["regular_price_cents"] == 1000 and r.json["amounts"]["total_cents"] == 1600, r
    assert sku_stock(sku) == 5 and campaign_sku(c, sku) == "3 2 live"
    first = r.json["id"]
    # Per-buyer limit of 3.
    assert_problem(order(buyer, shop, sku, 2), 409, "campaign_limit_reached")
    # No coupon with a campaign that forbids stacking.
    coupon = int(q(
        f"INSERT INTO coupons (shop_id, kind, title, discount_cents, min_order_cents,"
        f" total_quantity, per_buyer_limit, claim_start, claim_end, valid_days, channel,"
        f" created_at) VALUES ({shop}, 'shop', '1 off', 100, 0, 10, 1, '{rfc(t0)}',"
        f" '{rfc(t0 + 10 * DAY)}', 7, 'normal', now()) RETURNING id"))
    r = req("POST", f"/v1/coupons/{coupon}/claim", buyer)
    assert r.status == 201, r
    assert_problem(order(buyer, shop, sku, 1, r.json["id"]), 409, "coupon_unavailable")
    # The shop's counters.
    r = req("GET", f"/v1/shops/{shop}/campaigns/{c}/stats", w.t1)
    assert r.status == 200, r
    assert (r.json["sold_units"], r.json["gmv_cents"], r.json["orders"]) == (2, 1600, 1), r
    assert r.json["top_products"][0]["product_id"] == product
    assert_problem(req("GET", f"/v1/shops/{shop}/campaigns/999999999/stats", w.t1),
                   404, "not_found")
    # The unpaid order closes: its units go back to the campaign.
    clock(t0 + 3 * HOUR + 32 * MIN)
    run_jobs()
    assert q(f"SELECT status FROM orders WHERE id = {first}") == "closed"
    assert campaign_sku(c, sku) == "5 0 live" and sku_stock(sku) == 5
    r = req("GET", f"/v1/shops/{shop}/campaigns/{c}/stats", w.t1)
    assert (r.json["sold_units"], r.json["gmv_cents"], r.json["orders"]) == (0, 0, 0), r
    # Paid before the end keeps its price; the end gives the rest back.
    r = order(buyer, shop, sku, 1)
    assert r.status == 201 and r.json["amounts"]["total_cents"] == 800, r
    kept = r.json["id"]
    assert req("POST", f"/v1/orders/{kept}/pay", buyer).status == 200
    clock(t0 + 5 * HOUR)
    r = order(buyer, shop, sku, 1)
    assert r.status == 201 and r.json["amounts"]["total_cents"] == 1000, r
    assert "campaign_id" not in r.json["items"][0]
    run_jobs()
    assert campaign_sku(c, sku) == "0 1 returned" and sku_stock(sku) == 5 + 4 - 1
    r = req("GET", f"/v1/orders/{kept}", buyer)
    assert r.json["amounts"]["total_cents"] == 800 and r.json["items"][0]["campaign_id"] == c
    assert req("GET", f"/v1/platform/campaigns/{c}", w.staff).json["status"] == "ended"
    # An entry still pending at the end is cancelled, and its shop told.
    assert q(f"SELECT status FROM campaign_entries WHERE id = {waiting}") == "cancelled"
    assert "报名未在活动结束前审核" in q(
        f"SELECT body FROM letters WHERE campaign_entry_id = {waiting}")
    r = req("GET", "/v1/campaigns?status=ended&limit=100", w.t1)
    assert c in [x["id"] for x in r.json["items"]]


def test_coupons_stack_when_allowed():
    t0 = T + 450 * DAY
    c, shop, product, sku, entry = running_campaign(t0, allow_coupons=True)
    (_, buyer), = make_accounts(1)
    coupon = int(q(
        f"INSERT INTO coupons (shop_id, kind, title, discount_cents, min_order_cents,"
        f" total_quantity, per_buyer_limit, claim_start, claim_end, valid_days, channel,"
        f" created_at) VALUES ({shop}, 'shop', '1 off', 100, 0, 10, 1, '{rfc(t0)}',"
        f" '{rfc(t0 + 10 * DAY)}', 7, 'normal', now()) RETURNING id"))
    mine = req("POST", f"/v1/coupons/{coupon}/claim", buyer).json["id"]
    r = order(buyer, shop, sku, 1, mine)
    assert r.status == 201 and r.json["amounts"]["total_cents"] == 700, r


def test_race_last_units():
    """30 buyers at once for the last 5 units: exactly 5 orders."""
    t0 = T + 500 * DAY
    c, shop, product, sku, entry = running_campaign(t0, stock=100, campaign_stock=5)
    buyers = make_accounts(30)
    results = parallel(lambda tok: order(tok, shop, sku, 1), [(t,) for _, t in buyers])
    statuses = sorted(r.status for r in results)
    assert statuses.count(201) == 5 and statuses.count(409) == 25, statuses
    assert all(r.json["code"] == "out_of_stock" for r in results if r.status == 409)
    assert campaign_sku(c, sku) == "0 5 live" and sku_stock(sku) == 95
    assert q(f"SELECT count(*) FROM order_items WHERE campaign_id = {c}") == "5"
    r = req("GET", f"/v1/shops/{shop}/campaigns/{c}/stats", world().t1)
    assert (r.json["sold_units"], r.json["orders"]) == (5, 5), r


def test_race_per_buyer_limit():
    """One buyer's 12 orders at once under a limit of 3 units."""
    t0 = T + 550 * DAY
    c, shop, product, sku, entry = running_campaign(t0, stock=100, campaign_stock=50)
    (bid, buyer), = make_accounts(1)
    results = parallel(lambda: order(buyer, shop, sku, 1), [()] * 12)
    statuses = sorted(r.status for r in results)
    assert statuses.count(201) == 3, statuses
    assert q(f"SELECT n FROM campaign_buyer_units WHERE buyer_id = {bid}") == "3"
    # The refused orders left nothing behind (their writes were undone).
    assert q(f"SELECT count(*) FROM orders WHERE buyer_id = {bid}") == "3"
    assert campaign_sku(c, sku) == "47 3 live"


def test_race_approval_vs_stock_change():
    """The merchant sets the SKU's stock while staff approve: either the
    approval carved its units from the old stock (and the new stock is the
    merchant's) or it found too little; never a negative or double count."""
    w = world()
    for i in range(6):
        t0 = T + (600 + i) * DAY
        c = new_campaign(t0)
        shop = new_shop_of(w.m1)
        product, (sku,) = new_product(shop, (1000,), stock=20)
        clock(t0 + HOUR + MIN)
        e = enter(w.t1, shop, c, product, [(sku, 800, 15)]).json["id"]
        approve, patch = parallel(lambda f: f(), [
            (lambda: req("POST", f"/v1/platform/campaigns/{c}/entries/{e}/approve", w.staff),),
            (lambda: req("PATCH", f"/v1/shops/{shop}/products/{product}/skus/{sku}", w.t1,
                         {"stock": 10}),)])
        assert patch.status == 200, patch
        if approve.status == 200:
            # Carved from 20, then the merchant's 10 set.
            assert campaign_sku(c, sku) == "15 0 live" and sku_stock(sku) == 10
        else:
            assert_problem(approve, 409, "out_of_stock")
            assert sku_stock(sku) == 10 and campaign_sku(c, sku) == ""


def test_race_end_vs_checkout():
    """Orders and the end job at the campaign's last instant and at its end:
    every unit is on an order, in the campaign or back on the SKU."""
    t0 = T + 700 * DAY
    c, shop, product, sku, entry = running_campaign(t0, stock=100, campaign_stock=40,
                                                    per_buyer_limit=5)
    buyers = make_accounts(20)
    clock(t0 + 5 * HOUR - datetime.timedelta(seconds=1))
    results = parallel(lambda tok: order(tok, shop, sku, 1), [(t,) for _, t in buyers[:10]])
    assert all(r.status == 201 and r.json["amounts"]["total_cents"] == 800 for r in results), results
    clock(t0 + 5 * HOUR)
    calls = [(lambda tok=t: order(tok, shop, sku, 1),) for _, t in buyers[10:]] + \
            [(run_jobs,)] * 3
    results = parallel(lambda f: f(), calls)
    orders = [r for r in results if r is not None]
    assert all(r.status == 201 and r.json["amounts"]["total_cents"] == 1000 for r in orders), orders
    run_jobs()
    assert campaign_sku(c, sku) == "0 10 returned"
    assert sku_stock(sku) == 100 - 10 - 10


main([test_staff_campaigns, test_authorization, test_signup_rules_and_tenancy, test_30_day_low,
      test_review_queue_letters_and_stock, test_auto_approve_and_batch,
      test_checkout_price_coupons_close_and_end, test_coupons_stack_when_allowed,
      test_race_last_units, test_race_per_buyer_limit, test_race_approval_vs_stock_change,
      test_race_end_vs_checkout])
