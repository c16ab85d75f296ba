"""Coupons, the merchant's side: creating coupons (one, or a batch for many
products, all or none), the shop's list with its status filter, stop,
add-quantity, live sessions and their coupon.live events, tenancy."""

import base64
import datetime
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from harness import *  # noqa: E402,F401,F403

NOW = datetime.datetime(2026, 12, 1, 8, 0, 0, tzinfo=datetime.timezone.utc)
COUPON_KEYS = {"id", "shop_id", "kind", "product_id", "title", "discount_cents",
               "min_order_cents", "total_quantity", "claimed", "used", "remaining",
               "per_buyer_limit", "claim_start", "claim_end", "valid_days", "valid_from",
               "valid_to", "channel", "status", "stopped_at", "created_at"}


def at(hours=0, days=0):
    return fmt_time(NOW + datetime.timedelta(hours=hours, days=days))


def req(method, path, token=None, body=None, headers=None):
    return srv().request(method, path, body, token=token, headers=headers)


def freeze(hours=0, days=0):
    srv().set_clock(at(hours, days))


def spec(**over):
    """A valid shop coupon body (claim window open at NOW), with changes."""
    body = {"kind": "shop", "title": "10 off", "discount_cents": 1000, "min_order_cents": 5000,
            "total_quantity": 100, "per_buyer_limit": 2, "claim_start": at(-1),
            "claim_end": at(days=7), "valid_days": 7, "channel": "normal"}
    for k, v in over.items():
        if v is None:
            body.pop(k, None)
        else:
            body[k] = v
    return body


def add_product(shop, deleted=False):
    return int(sql(f"INSERT INTO products (shop_id, title, status, created_at, updated_at,"
                   f" deleted_at) VALUES ({shop}, 'Tea', 'on_sale', now(), now(),"
                   f" {'now()' if deleted else 'NULL'}) RETURNING id"))


class World:
    """A merchant with a shop (one product), and another merchant's shop."""

    def __init__(self):
        freeze()
        self.mid, self.tok = new_merchant()
        self.shop, _ = new_shop(self.mid)
        self.product = int(sql(f"SELECT id FROM products WHERE shop_id = {self.shop}"))
        self.other_mid, self.other_tok = new_merchant()
        self.other_shop, _ = new_shop(self.other_mid)
        self.other_product = int(sql(f"SELECT id FROM products WHERE shop_id = {self.other_shop}"))
        self.bid, self.btok = new_buyer()

    def create(self, body=None, token=None, shop=None, headers=None):
        return req("POST", f"/v1/shops/{shop or self.shop}/coupons", token or self.tok,
                   body if body is not None else spec(), headers)

    def made(self, body=None):
        r = self.create(body)
        assert r.status == 201, r
        return r.json

    def path(self, coupon_id, tail=""):
        return f"/v1/shops/{self.shop}/coupons/{coupon_id}{tail}"


def error_fields(r):
    return [e["field"] for e in r.json["errors"]]


def assert_invalid(r, *fields):
    assert_problem(r, 400, "invalid_field")
    got = error_fields(r)
    for f in fields:
        assert f in got, (f, r.json)
    return got


# ---------------------------------------------------------------------------
# Creation


def test_create_shop_coupon():
    w = World()
    r = w.create(headers={"Idempotency-Key": "k1"})
    assert r.status == 201, r
    c = r.json
    assert set(c) == COUPON_KEYS, c
    assert c["shop_id"] == w.shop and c["kind"] == "shop" and c["product_id"] is None
    assert (c["discount_cents"], c["min_order_cents"], c["total_quantity"]) == (1000, 5000, 100)
    assert (c["claimed"], c["used"], c["remaining"], c["per_buyer_limit"]) == (0, 0, 100, 2)
    assert (c["claim_start"], c["claim_end"]) == (at(-1), at(days=7))
    assert (c["valid_days"], c["valid_from"], c["valid_to"]) == (7, None, None)
    assert c["channel"] == "normal" and c["status"] == "claiming" and c["stopped_at"] is None
    assert c["created_at"] == at()
    assert req("GET", w.path(c["id"]), w.tok).json == c

    # The same key replays; another body with it is refused.
    again = w.create(headers={"Idempotency-Key": "k1"})
    assert again.status == 201 and again.json == c
    assert again.headers.get("idempotent-replayed") == "true"
    assert_problem(w.create(spec(title="other"), headers={"Idempotency-Key": "k1"}), 422,
                   "idempotency_key_reused")
    assert sql(f"SELECT count(*) FROM coupons WHERE shop_id = {w.shop}") == "1"

    # Fixed validity, no minimum order (defaults to 0), a live coupon not yet open.
    c = w.made(spec(valid_days=None, valid_from=at(days=1), valid_to=at(days=30),
                    min_order_cents=None, claim_start=at(2), channel="live"))
    assert (c["valid_days"], c["valid_from"], c["valid_to"]) == (None, at(days=1), at(days=30))
    assert c["min_order_cents"] == 0 and c["channel"] == "live" and c["status"] == "not_started"
    # Nulls read as absent.
    c = w.made(spec(product_id=None) | {"valid_from": None, "valid_to": None, "product_id": None})
    assert c["valid_days"] == 7


def test_create_product_coupon():
    w = World()
    c = w.made(spec(kind="product", product_id=w.product))
    assert c["kind"] == "product" and c["product_id"] == w.product
    deleted = add_product(w.shop, deleted=True)
    for pid in (w.other_product, deleted, 999999999):
        r = w.create(spec(kind="product", product_id=pid))
        assert assert_invalid(r, "product_id") == ["product_id"]
    assert_invalid(w.create(spec(kind="product")), "product_id")
    assert_invalid(w.create(spec(kind="shop", product_id=w.product)), "product_id")
    assert sql(f"SELECT count(*) FROM coupons WHERE shop_id = {w.shop}") == "1"


def test_create_validation():
    w = World()
    cases = [
        (spec(discount_cents=0), "discount_cents"),
        (spec(discount_cents=-5), "discount_cents"),
        (spec(discount_cents=5000, min_order_cents=5000), "discount_cents"),
        (spec(discount_cents=6000, min_order_cents=5000), "discount_cents"),
        (spec(claim_end=at(-1)), "claim_end"),
        (spec(claim_end=at(-2)), "claim_end"),
        (spec(total_quantity=0), "total_quantity"),
        (spec(total_quantity=1000001), "total_quantity"),
        (spec(per_buyer_limit=0), "per_buyer_limit"),
        (spec(per_buyer_limit=101), "per_buyer_limit"),
        (spec(valid_days=None), "valid_days"),
        (spec(valid_from=at(), valid_to=at(days=3)), "valid_days"),
        (spec(valid_days=0), "valid_days"),
        (spec(valid_days=366), "valid_days"),
        (spec(valid_days=None, valid_from=at()), "valid_to"),
        (spec(valid_days=None, valid_to=at(days=3)), "valid_from"),
        (spec(valid_days=None, valid_from=at(days=3), valid_to=at(days=3)), "valid_to"),
        (spec(valid_days=None, valid_from=at(-10), valid_to=at(-1)), "valid_to"),
        (spec(valid_days=None, valid_from=at(-10), valid_to=at(-2)), "valid_to"),
        # A coupon claimed on the window's last day must still be usable.
        (spec(valid_days=None, valid_from=at(), valid_to=at(days=6)), "valid_to"),
        (spec(kind="coupon"), "kind"),
        (spec(kind=None), "kind"),
        (spec(channel="tv"), "channel"),
        (spec(channel=None), "channel"),
        (spec(title=""), "title"),
        (spec(title="   "), "title"),
        (spec(title="x" * 101), "title"),
        (spec(title=None), "title"),
        (spec(claim_start="tomorrow"), "claim_start"),
        (spec(claim_end=None), "claim_end"),
        (spec(total_quantity="5"), "total_quantity"),
        (spec(min_order_cents=-1), "min_order_cents"),
        (spec(product_id=0, kind="product"), "product_id"),
    ]
    for body, field in cases:
        assert_invalid(w.create(body), field)
    # Every problem in one reply.
    r = w.create(spec(discount_cents=0, total_quantity=0, per_buyer_limit=0, claim_end=at(-3),
                      channel="x"))
    assert set(error_fields(r)) >= {"discount_cents", "total_quantity", "per_buyer_limit",
                                    "claim_end", "channel"}, r.json
    assert_problem(w.create(spec(colour="red")), 400, "unknown_field")
    assert_problem(w.create(spec(claimed=5)), 400, "unknown_field")
    assert_problem(srv().request("POST", f"/v1/shops/{w.shop}/coupons", token=w.tok, raw=b"{",
                                 headers={"Content-Type": "application/json"}), 400,
                   "invalid_json")
    # A title of 100 characters (not bytes) is fine.
    assert w.made(spec(title="券" * 100))["title"] == "券" * 100
    assert sql(f"SELECT count(*) FROM coupons WHERE shop_id = {w.shop}") == "1"


# ---------------------------------------------------------------------------
# Batch


def batch(w, body, token=None, shop=None, headers=None):
    return req("POST", f"/v1/shops/{shop or w.shop}/coupons:batch", token or w.tok, body, headers)


def batch_spec(ids, **over):
    body = spec(**over)
    body.pop("kind")
    body["product_ids"] = ids
    return body


def test_batch():
    w = World()
    ids = [add_product(w.shop) for _ in range(3)] + [w.product]
    r = batch(w, batch_spec(ids), headers={"Idempotency-Key": "b1"})
    assert r.status == 201, r
    assert set(r.json) == {"items"}
    items = r.json["items"]
    assert [c["product_id"] for c in items] == ids
    assert all(c["kind"] == "product" and set(c) == COUPON_KEYS for c in items)
    assert sorted(c["id"] for c in items) == [c["id"] for c in items]
    again = batch(w, batch_spec(ids), headers={"Idempotency-Key": "b1"})
    assert again.json == r.json and again.headers.get("idempotent-replayed") == "true"
    assert sql(f"SELECT count(*) FROM coupons WHERE shop_id = {w.shop}") == "4"

    # The largest batch.
    many = [int(x) for x in sql(
        f"INSERT INTO products (shop_id, title, status, created_at, updated_at)"
        f" SELECT {w.shop}, 'p' || g, 'on_sale', now(), now() FROM generate_series(1, 500) g"
        f" RETURNING id").split()]
    r = batch(w, batch_spec(many))
    assert r.status == 201 and [c["product_id"] for c in r.json["items"]] == many
    assert sql(f"SELECT count(*) FROM coupons WHERE shop_id = {w.shop}") == "504"


def test_batch_all_or_nothing():
    w = World()
    good = [add_product(w.shop) for _ in range(3)]
    deleted = add_product(w.shop, deleted=True)
    r = batch(w, batch_spec([good[0], w.other_product, good[1], deleted, 999999999, good[2]]))
    assert assert_invalid(r) == ["product_ids[1]", "product_ids[3]", "product_ids[4]"], r.json
    assert sql(f"SELECT count(*) FROM coupons WHERE shop_id = {w.shop}") == "0"

    assert_invalid(batch(w, batch_spec([good[0], good[1], good[0]])), "product_ids[2]")
    assert_invalid(batch(w, batch_spec([good[0], "x", 0])), "product_ids[1]", "product_ids[2]")
    assert_invalid(batch(w, batch_spec([])), "product_ids")
    assert_invalid(batch(w, batch_spec(list(range(1, 502)))), "product_ids")
    assert_invalid(batch(w, batch_spec(5)), "product_ids")
    assert_invalid(batch(w, batch_spec(None)), "product_ids")
    # Common rules too, all in one reply with the list's.
    r = batch(w, batch_spec([good[0], good[0]], discount_cents=0, claim_end=at(-5)))
    assert set(assert_invalid(r)) == {"product_ids[1]", "discount_cents", "claim_end"}, r.json
    assert_problem(batch(w, batch_spec(good) | {"kind": "product"}), 400, "unknown_field")
    assert_problem(batch(w, batch_spec(good, product_id=good[0])), 400, "unknown_field")
    assert sql(f"SELECT count(*) FROM coupons WHERE shop_id = {w.shop}") == "0"


# ---------------------------------------------------------------------------
# Reading, status filter


def set_counts(coupon_id, claimed, used=0):
    sql(f"UPDATE coupons SET claimed = {claimed}, used = {used} WHERE id = {coupon_id}")


def listing(w, query="", token=None):
    r = req("GET", f"/v1/shops/{w.shop}/coupons{query}", token or w.tok)
    assert r.status == 200, r
    return r.json


def test_list_and_status_filter():
    w = World()
    claiming = w.made(spec(title="claiming"))
    sold_out = w.made(spec(title="sold out", total_quantity=3))
    not_started = w.made(spec(title="soon", claim_start=at(5), claim_end=at(10)))
    ends_soon = w.made(spec(title="ends soon", claim_end=at(1)))
    stopped = w.made(spec(title="stopped"))
    assert req("POST", w.path(stopped["id"], "/stop"), w.tok).status == 200
    set_counts(sold_out["id"], 3, 1)
    set_counts(claiming["id"], 10, 4)

    def ids(status):
        return [c["id"] for c in listing(w, f"?status={status}")["items"]]

    assert ids("claiming") == [ends_soon["id"], claiming["id"]]
    assert ids("sold_out") == [sold_out["id"]]
    assert ids("not_started") == [not_started["id"]]
    assert ids("stopped") == [stopped["id"]]
    assert ids("ended") == []
    all_ = listing(w)
    assert [c["id"] for c in all_["items"]] == [stopped["id"], ends_soon["id"], not_started["id"],
                                               sold_out["id"], claiming["id"]]
    assert all_["next_cursor"] is None
    c = [c for c in all_["items"] if c["id"] == claiming["id"]][0]
    assert (c["claimed"], c["used"], c["remaining"]) == (10, 4, 90)
    c = [c for c in all_["items"] if c["id"] == sold_out["id"]][0]
    assert (c["claimed"], c["used"], c["remaining"], c["status"]) == (3, 1, 0, "sold_out")

    # Two hours on: ends_soon has ended and not_started is still to come.
    freeze(hours=2)
    assert ids("ended") == [ends_soon["id"]]
    assert ids("claiming") == [claiming["id"]]
    # Six hours on: not_started is open; eleven: it has ended; stopped stays stopped.
    freeze(hours=6)
    assert ids("claiming") == [not_started["id"], claiming["id"]]
    freeze(hours=11)
    assert ids("ended") == [ends_soon["id"], not_started["id"]]
    # A sold-out coupon whose window ended reads as ended.
    freeze(days=8)
    assert ids("ended") == [ends_soon["id"], not_started["id"], sold_out["id"], claiming["id"]]
    assert ids("stopped") == [stopped["id"]]
    assert req("GET", w.path(claiming["id"]), w.tok).json["status"] == "ended"
    freeze()

    assert_invalid(req("GET", f"/v1/shops/{w.shop}/coupons?status=open", w.tok), "status")
    assert_invalid(req("GET", f"/v1/shops/{w.shop}/coupons?limit=0", w.tok), "limit")
    assert_invalid(req("GET", f"/v1/shops/{w.shop}/coupons?limit=101", w.tok), "limit")
    assert_invalid(req("GET", f"/v1/shops/{w.shop}/coupons?cursor=nope", w.tok), "cursor")
    assert_problem(req("GET", f"/v1/shops/{w.shop}/coupons?sort=id", w.tok), 400,
                   "unknown_field")


def test_list_paging():
    w = World()
    made = [w.made(spec(title=f"c{i}"))["id"] for i in range(7)]
    for i in (1, 4):
        req("POST", w.path(made[i], "/stop"), w.tok)
    seen, cursor = [], None
    while True:
        page = listing(w, "?limit=2" + (f"&cursor={cursor}" if cursor else ""))
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
        assert len(page["items"]) == 2
    assert seen == made[::-1]
    page = listing(w, "?status=claiming&limit=3")
    assert [c["id"] for c in page["items"]] == [made[6], made[5], made[3]]
    page = listing(w, f"?status=claiming&limit=3&cursor={page['next_cursor']}")
    assert [c["id"] for c in page["items"]] == [made[2], made[0]]
    assert page["next_cursor"] is None
    # Another list's cursor is refused.
    other = base64.urlsafe_b64encode(f"a:0:{made[3]}".encode()).decode().rstrip("=")
    assert_invalid(req("GET", f"/v1/shops/{w.shop}/coupons?cursor={other}", w.tok), "cursor")
    empty = World()
    assert listing(empty) == {"items": [], "next_cursor": None}


# ---------------------------------------------------------------------------
# Stop and add-quantity


def test_stop():
    w = World()
    c = w.made()
    r = req("POST", w.path(c["id"], "/stop"), w.tok)
    assert r.status == 200 and r.json["status"] == "stopped" and r.json["stopped_at"] == at()
    freeze(hours=1)
    again = req("POST", w.path(c["id"], "/stop"), w.tok)
    assert again.status == 200 and again.json["stopped_at"] == at()
    assert again.json == {**r.json, "stopped_at": at()}
    # Racing stops agree on one stopped_at.
    for _ in range(3):
        c = w.made()
        results = parallel(lambda: req("POST", w.path(c["id"], "/stop"), w.tok), [()] * 10)
        assert all(x.status == 200 for x in results), results
        assert len({x.json["stopped_at"] for x in results}) == 1
    assert_problem(req("POST", w.path(c["id"], "/stop"), w.tok, {"now": 1}), 400,
                   "unexpected_body")
    assert_problem(req("POST", w.path(999999999, "/stop"), w.tok), 404, "not_found")


def add(w, coupon_id, quantity, token=None):
    return req("POST", w.path(coupon_id, "/add-quantity"), token or w.tok, {"quantity": quantity})


def test_add_quantity():
    w = World()
    c = w.made(spec(total_quantity=5))
    set_counts(c["id"], 5)
    assert req("GET", w.path(c["id"]), w.tok).json["status"] == "sold_out"
    r = add(w, c["id"], 10)
    assert r.status == 200, r
    assert (r.json["total_quantity"], r.json["remaining"], r.json["status"]) == (15, 10, "claiming")
    r = add(w, c["id"], 999985)
    assert r.status == 200 and r.json["total_quantity"] == 1000000
    assert_invalid(add(w, c["id"], 1), "quantity")
    for q in (0, -1, 1000001, "3", None):
        assert_invalid(add(w, c["id"], q), "quantity")
    assert_problem(req("POST", w.path(c["id"], "/add-quantity"), w.tok, {"quantity": 1, "x": 1}),
                   400, "unknown_field")
    assert_problem(add(w, 999999999, 1), 404, "not_found")

    # Stopped, or its claim window over: 409.
    stopped = w.made()
    req("POST", w.path(stopped["id"], "/stop"), w.tok)
    assert_problem(add(w, stopped["id"], 1), 409, "invalid_state")
    ending = w.made(spec(claim_end=at(1)))
    freeze(hours=1)
    assert_problem(add(w, ending["id"], 1), 409, "invalid_state")
    freeze()
    assert sql(f"SELECT total_quantity FROM coupons WHERE id = {ending['id']}") == "100"

    # Racing additions never pass the cap: 20 x 50,000 onto 100,000 leaves room for 18.
    for _ in range(3):
        c = w.made(spec(total_quantity=100000))
        results = parallel(lambda: add(w, c["id"], 50000), [()] * 20)
        assert sorted(x.status for x in results) == [200] * 18 + [400] * 2, results
        assert sql(f"SELECT total_quantity FROM coupons WHERE id = {c['id']}") == "1000000"


# ---------------------------------------------------------------------------
# Live sessions


def live(w, action, token=None, shop=None):
    return req("POST", f"/v1/shops/{shop or w.shop}/live/{action}", token or w.tok)


def live_events(shop):
    rows = sql(f"SELECT merchant_id, buyer_id, data::text FROM events"
               f" WHERE kind = 'coupon.live' AND shop_id = {shop} ORDER BY buyer_id, id")
    return [r.split("|") for r in rows.splitlines()] if rows else []


def base(r):
    """A live state reply without the live room's fields."""
    return {k: r.json[k] for k in ("shop_id", "live", "live_since")}


def test_live():
    w = World()
    buyers = [new_buyer() for _ in range(3)]
    for _, tok in buyers[:2]:
        r = req("POST", f"/v1/shops/{w.shop}/conversations", tok)
        assert r.status in (200, 201), r
    live_now = w.made(spec(channel="live"))
    w.made(spec(channel="normal"))
    w.made(spec(channel="live", claim_start=at(3)))
    live_stopped = w.made(spec(channel="live"))
    req("POST", w.path(live_stopped["id"], "/stop"), w.tok)
    live_sold = w.made(spec(channel="live", total_quantity=1))
    set_counts(live_sold["id"], 1)
    live_too = w.made(spec(channel="live", kind="product", product_id=w.product))

    r = live(w, "start")
    # The live room's fields (live_id, viewer_count, coupon) are test_live.py's.
    assert r.status == 200 and base(r) == {"shop_id": w.shop, "live": True, "live_since": at()}, r
    assert sql(f"SELECT ts_to_us(live_since) = {int(NOW.timestamp()) * 1000000}"
               f" FROM shops WHERE id = {w.shop}") == "t"
    events = live_events(w.shop)
    data = f'{{"shop_id": {w.shop}, "coupon_ids": [{live_now["id"]}, {live_too["id"]}]}}'
    # One per buyer in conversation with the shop, one for the merchant.
    assert events == [["", str(b), data] for b, _ in sorted(buyers[:2])] + \
        [[str(w.mid), "", data]], events
    assert sql(f"SELECT count(*) FROM events WHERE kind = 'coupon.live' AND shop_id = {w.shop}"
               f" AND id IS NOT NULL AND xid IS NOT NULL"
               f" AND created_at = '{at()}'") == "3"

    # Starting again while live keeps live_since and tells nobody again.
    freeze(hours=1)
    r = live(w, "start")
    assert base(r) == {"shop_id": w.shop, "live": True, "live_since": at()}
    assert len(live_events(w.shop)) == 3

    r = live(w, "stop")
    assert r.status == 200 and base(r) == {"shop_id": w.shop, "live": False, "live_since": None}
    assert sql(f"SELECT live_since IS NULL FROM shops WHERE id = {w.shop}") == "t"
    assert live(w, "stop").json == r.json
    r = live(w, "start")
    assert r.json["live_since"] == at(1)
    assert len(live_events(w.shop)) == 6
    freeze()

    # Racing starts start once: one buyer's event and the merchant's.
    for _ in range(3):
        shop, _ = new_shop(w.mid)
        sql(f"INSERT INTO conversations (shop_id, merchant_id, buyer_id, created_at,"
            f" last_activity_at) VALUES ({shop}, {w.mid}, {w.bid}, now(), now())")
        results = parallel(lambda: live(w, "start", shop=shop), [()] * 8)
        assert all(x.status == 200 and x.json["live"] for x in results), results
        assert len({x.json["live_since"] for x in results}) == 1
        assert len(live_events(shop)) == 2
    assert_problem(req("POST", f"/v1/shops/{w.shop}/live/start", w.tok, {"x": 1}), 400,
                   "unexpected_body")


# ---------------------------------------------------------------------------
# Authentication, roles, tenancy


def test_auth_roles_and_tenancy():
    w = World()
    c = w.made()
    theirs = req("POST", f"/v1/shops/{w.other_shop}/coupons", w.other_tok, spec()).json
    routes = [
        ("POST", f"/v1/shops/{w.shop}/coupons", spec()),
        ("POST", f"/v1/shops/{w.shop}/coupons:batch", batch_spec([w.product])),
        ("GET", f"/v1/shops/{w.shop}/coupons", None),
        ("GET", w.path(c["id"]), None),
        ("POST", w.path(c["id"], "/stop"), None),
        ("POST", w.path(c["id"], "/add-quantity"), {"quantity": 1}),
        ("POST", f"/v1/shops/{w.shop}/live/start", None),
        ("POST", f"/v1/shops/{w.shop}/live/stop", None),
    ]
    for method, path, body in routes:
        assert_problem(req(method, path, None, body), 401, "unauthenticated")
        assert_problem(req(method, path, w.btok, body), 403, "forbidden")
        # Another merchant's shop and coupon: 404, like none at all.
        assert_problem(req(method, path, w.other_tok, body), 404, "not_found")
        missing = path.replace(f"/shops/{w.shop}/", "/shops/999999999/")
        assert_problem(req(method, missing, w.tok, body), 404, "not_found")

    # The other merchant's coupon through my shop's path, and my coupon
    # through my other shop's path.
    for tail in ("", "/stop"):
        assert_problem(req("GET" if not tail else "POST", w.path(theirs["id"], tail), w.tok),
                       404, "not_found")
    my_other_shop, _ = new_shop(w.mid)
    wrong = f"/v1/shops/{my_other_shop}/coupons/{c['id']}"
    assert_problem(req("GET", wrong, w.tok), 404, "not_found")
    assert_problem(req("POST", wrong + "/add-quantity", w.tok, {"quantity": 1}), 404, "not_found")
    assert listing(w, token=w.tok)["items"][-1]["id"] == c["id"]
    assert [x["id"] for x in req("GET", f"/v1/shops/{my_other_shop}/coupons",
                                 w.tok).json["items"]] == []
    # A batch for the other merchant's products in my shop names them all.
    r = batch(w, batch_spec([w.other_product]))
    assert assert_invalid(r) == ["product_ids[0]"]
    # Nothing of theirs changed.
    assert sql(f"SELECT stopped_at IS NULL AND total_quantity = 100 FROM coupons"
               f" WHERE id = {theirs['id']}") == "t"
    assert sql(f"SELECT live_since IS NULL FROM shops WHERE id = {w.other_shop}") == "t"
    assert_problem(req("PUT", w.path(c["id"]), w.tok, {}), 405, "method_not_allowed")


if __name__ == "__main__":
    main([test_create_shop_coupon, test_create_product_coupon, test_create_validation,
          test_batch, test_batch_all_or_nothing, test_list_and_status_filter, test_list_paging,
          test_stop, test_add_quantity, test_live, test_auth_roles_and_tenancy])
