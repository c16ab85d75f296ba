"""Growth: tasks, medals and privileges (docs/growth.md).

The staff routes /v1/platform/growth/tasks and /medals (create, list with
keyset pages and the group filter, read, change) with every refusal of the
body (condition parameters by kind, keys taken, unknown task keys); who
may call what (merchant, buyer, staff without growth, staff with it, no
token) and tenant isolation (another merchant's shop is 404); a shop's
progress coming from real writes only (a product on sale, the auto-reply,
an order shipped within 48 h of payment and one after, coupons, a live
coupon push, a campaign entry approved, the 3-minute reply rate from the
data pages' rollups), brought up to date by the job evaluate_growth and
never by a request; the seeded 营销入门勋章 earned through real writes,
announced by a letter of kind medal, listed with when; a medal awarded
exactly once while evaluations race (concurrent job runs and concurrent
growth_evaluate calls); and the privileges enforced by the routes they
raise (quick replies, products per coupon batch, campaign products per
shop), shown in GET /v1/shops/{id} limits.

The clock is frozen before anyone signs in and only ever moves forward."""

import datetime
import os
import subprocess
import sys
import threading
import time
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(__file__))
from harness import *  # noqa: E402,F401,F403

# Jobs and folds run only when a test asks (POST /v1/test/jobs/run).
ENV = {"MERCHANTD_JOB_INTERVAL_SECONDS": "86400", "MERCHANTD_STATS_FOLD_SECONDS": "0"}
SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime.datetime(2031, 9, 1, 10, 0, tzinfo=SHANGHAI)
MIN = datetime.timedelta(minutes=1)
HOUR = datetime.timedelta(hours=1)
TASKS = "/v1/platform/growth/tasks"
MEDALS = "/v1/platform/growth/medals"
_now = [START]


def server():
    return srv(ENV)


def call(method, path, token=None, body=None, headers=None):
    return server().request(method, path, body, token=token, headers=headers)


def q(query):
    return psql(server().db_url, query)


def now():
    return _now[0]


def advance(delta=MIN):
    """Moves the frozen clock forward."""
    _now[0] += delta
    server().set_clock(fmt_time(_now[0]))
    return _now[0]


def run_jobs():
    r = call("POST", "/v1/test/jobs/run")
    assert r.status == 200, (r, [line for line in server().log().split("\n")
                                 if "error" in line][-5:])


def ok(r, status=200):
    assert r.status == status, r
    return r.json


class World:
    """Staff with growth, with campaigns, with review only; merchants A
    (shops made through the API) and B; a buyer."""

    def __init__(self):
        server().set_clock(fmt_time(START))
        (_, self.staff), = accounts_with_sessions(server(), 1, "staff", ["growth"])
        (_, self.campaigns), = accounts_with_sessions(server(), 1, "staff", ["campaigns"])
        (_, self.reviewer), = accounts_with_sessions(server(), 1, "staff", ["review"])
        (self.ma, self.ta), (self.mb, self.tb) = accounts_with_sessions(server(), 2, "merchant")
        (self.buyer, self.tbuyer), = accounts_with_sessions(server(), 1, "buyer")
        self.shop_b = self.new_shop(self.tb)

    def new_shop(self, token=None, name="Tea House"):
        return ok(call("POST", "/v1/shops", token or self.ta, {"name": name}), 201)["id"]


world = once(World)


def product(token, shop, status="on_sale", price=1000, stock=1000):
    """A product with one SKU through the API: (product, sku)."""
    body = {"title": "Longjing", "status": status,
            "skus": [{"spec": "250g", "price_cents": price, "stock": stock}]}
    p = ok(call("POST", f"/v1/shops/{shop}/products", token, body), 201)
    return p["id"], p["skus"][0]["id"]


def growth(token, shop, query=""):
    return ok(call("GET", f"/v1/shops/{shop}/growth{query}", token))


def task_of(reply, key):
    (t,) = [t for t in reply["items"] if t["key"] == key]
    return t


def medal_of(reply, key):
    (m,) = [m for m in reply["items"] if m["key"] == key]
    return m


def paid_order(shop, sku):
    w = world()
    body = {"shop_id": shop, "items": [{"sku_id": sku, "quantity": 1}], "address": ADDRESS}
    order = ok(call("POST", "/v1/orders", w.tbuyer, body), 201)["id"]
    ok(call("POST", f"/v1/orders/{order}/pay", w.tbuyer))
    return order


def ship(token, shop, order):
    ok(call("POST", f"/v1/shops/{shop}/orders/{order}/ship", token,
            {"carrier": "sf", "tracking_no": f"SF{order:010d}"}))


def coupon_body(channel="normal", **over):
    body = {"kind": "shop", "title": "10 off", "discount_cents": 100, "min_order_cents": 0,
            "total_quantity": 100, "per_buyer_limit": 1,
            "claim_start": fmt_time(now() - HOUR), "claim_end": fmt_time(now() + 7 * 24 * HOUR),
            "valid_days": 7, "channel": channel}
    body.update(over)
    return body


def task_body(key, kind="coupons_created", group="marketing", **params):
    return {"key": key, "title": "A task", "group": group,
            "condition": dict({"kind": kind}, **params)}


def new_key(prefix="t"):
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


# ---------------------------------------------------------------------------
def test_seeded_catalogue():
    w = world()
    tasks = ok(call("GET", f"{TASKS}?limit=100", w.staff))["items"]
    by_key = {t["key"]: t for t in tasks}
    for key in ("first_product", "auto_reply", "first_fast_shipment", "first_coupon",
                "first_live_coupon", "first_campaign_entry", "shipped_20", "reply_rate_80"):
        assert key in by_key, key
    assert by_key["first_fast_shipment"]["condition"] == {
        "kind": "order_shipped_fast", "count": 1, "hours": 48}
    assert by_key["shipped_20"]["target"] == 20 and by_key["shipped_20"]["group"] == "fulfilment"
    assert by_key["reply_rate_80"]["condition"] == {"kind": "reply_rate_3min", "percent": 80,
                                                    "days": 7}
    assert by_key["reply_rate_80"]["target"] == 80
    medals = ok(call("GET", MEDALS, w.staff))["items"]
    m = medal_of({"items": medals}, "marketing_starter")
    assert m["name"] == "营销入门勋章" and m["active"] is True
    assert sorted(t["key"] for t in m["tasks"]) == ["first_coupon", "first_live_coupon"]
    assert m["privileges"] == {"quick_replies": 100, "coupon_batch_products": 500,
                               "campaign_products": 2}
    # The starter group is the new shop's checklist, in order.
    shop = w.new_shop()
    g = growth(w.ta, shop, "?group=starter")
    keys = [t["key"] for t in g["items"]]
    assert keys[:3] == ["first_product", "auto_reply", "first_fast_shipment"], keys
    assert all(t["group"] == "starter" and t["progress"] == 0 and not t["done"]
               and t["done_at"] is None for t in g["items"])
    assert g["groups"] == [{"group": "starter", "done": 0, "total": len(keys)}]
    # The shop's limits before any medal.
    s = ok(call("GET", f"/v1/shops/{shop}", w.ta))
    assert s["limits"] == {"quick_replies": 500, "coupon_batch_products": 500,
                           "campaign_products_bonus": 0}


def test_task_definitions():
    w = world()
    key = new_key()
    r = call("POST", TASKS, w.staff, task_body(key, kind="order_shipped_fast", group="fulfilment"))
    t = ok(r, 201)
    assert t["condition"] == {"kind": "order_shipped_fast", "count": 1, "hours": 48}
    assert (t["key"], t["group"], t["target"], t["active"], t["position"],
            t["description"]) == (key, "fulfilment", 1, True, 0, "")
    assert ok(call("GET", f"{TASKS}/{t['id']}", w.staff)) == t
    # Change: a title; then the whole condition.
    t2 = ok(call("PATCH", f"{TASKS}/{t['id']}", w.staff, {"title": "Fast", "position": 7}))
    assert (t2["title"], t2["position"], t2["condition"]) == ("Fast", 7, t["condition"])
    t3 = ok(call("PATCH", f"{TASKS}/{t['id']}", w.staff,
                 {"condition": {"kind": "reply_rate_3min", "percent": 90}}))
    assert t3["condition"] == {"kind": "reply_rate_3min", "percent": 90, "days": 7}
    assert t3["target"] == 90
    t4 = ok(call("PATCH", f"{TASKS}/{t['id']}", w.staff, {"active": False}))
    assert t4["active"] is False
    # Every kind with its defaults.
    for kind, params, cond in [
            ("product_on_sale", {}, {"count": 1}),
            ("auto_reply_configured", {}, {}),
            ("orders_shipped", {"count": 5}, {"count": 5}),
            ("coupons_created", {"count": 3}, {"count": 3}),
            ("campaign_entries_approved", {}, {"count": 1}),
            ("live_coupon_pushed", {}, {"count": 1}),
            ("reply_rate_3min", {"percent": 50, "days": 3}, {"percent": 50, "days": 3})]:
        made = ok(call("POST", TASKS, w.staff, task_body(new_key(), kind, **params)), 201)
        assert made["condition"] == dict({"kind": kind}, **cond), made
    # Keys are unique, on create and on change, also when requests race.
    raced = new_key()
    statuses = parallel(lambda: call("POST", TASKS, w.staff, task_body(raced)).status, [()] * 4)
    assert sorted(statuses) == [201, 409, 409, 409], statuses
    assert_problem(call("POST", TASKS, w.staff, task_body(key)), 409, "key_taken")
    assert_problem(call("PATCH", f"{TASKS}/{t['id']}", w.staff, {"key": "first_product"}), 409,
                   "key_taken")
    # Refusals, each naming its field.
    for body, field in [
            (task_body("Bad"), "key"),
            (task_body("1x"), "key"),
            (dict(task_body(new_key()), group="sales"), "group"),
            (dict(task_body(new_key()), title="  "), "title"),
            (dict(task_body(new_key()), position=-1), "position"),
            (task_body(new_key(), kind="likes"), "condition.kind"),
            (task_body(new_key(), kind="orders_shipped"), "condition.count"),
            (task_body(new_key(), kind="orders_shipped", count=0), "condition.count"),
            (task_body(new_key(), kind="orders_shipped", count=5, hours=2), "condition.hours"),
            (task_body(new_key(), kind="reply_rate_3min"), "condition.percent"),
            (task_body(new_key(), kind="reply_rate_3min", percent=101), "condition.percent"),
            (task_body(new_key(), kind="auto_reply_configured", count=1), "condition.count"),
            (task_body(new_key(), kind="order_shipped_fast", hours=0), "condition.hours"),
            ({"title": "x", "group": "starter", "condition": {"kind": "orders_shipped",
                                                              "count": 1}}, "key")]:
        r = call("POST", TASKS, w.staff, body)
        assert_problem(r, 400, "invalid_field")
        assert field in [e["field"] for e in r.json["errors"]], (field, r.json)
    assert_problem(call("POST", TASKS, w.staff, dict(task_body(new_key()), colour="red")), 400,
                   "unknown_field")
    assert_problem(call("POST", TASKS, w.staff,
                        task_body(new_key(), kind="orders_shipped", count=2, target=3)), 400,
                   "unknown_field")
    assert_problem(call("PATCH", f"{TASKS}/{t['id']}", w.staff, {}), 400, "invalid_field")
    # Not JSON, not an object, the wrong method, no such id.
    r = server().request("POST", TASKS, token=w.staff, raw=b"key=x",
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_problem(r, 415, "unsupported_media_type")
    r = server().request("POST", TASKS, token=w.staff, raw=b"[1]",
                         headers={"Content-Type": "application/json"})
    assert_problem(r, 400, "invalid_json")
    r = call("DELETE", f"{TASKS}/{t['id']}", w.staff)
    assert_problem(r, 405, "method_not_allowed")
    assert "PATCH" in r.headers.get("allow", ""), r.headers
    assert_problem(call("GET", f"{TASKS}/abc", w.staff), 404, "not_found")
    assert_problem(call("PATCH", f"{TASKS}/999999999", w.staff, {"title": "x"}), 404,
                   "not_found")
    assert_problem(call("GET", f"{TASKS}/999999999", w.staff), 404, "not_found")
    # Pages by id, filtered by group.
    first = ok(call("GET", f"{TASKS}?limit=2", w.staff))
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = ok(call("GET", f"{TASKS}?limit=2&cursor={first['next_cursor']}", w.staff))
    assert second["items"][0]["id"] > first["items"][1]["id"]
    fulfil = ok(call("GET", f"{TASKS}?group=fulfilment&limit=100", w.staff))["items"]
    assert fulfil and all(x["group"] == "fulfilment" for x in fulfil)
    assert_problem(call("GET", f"{TASKS}?group=sales", w.staff), 400, "invalid_field")
    assert_problem(call("GET", f"{TASKS}?cursor=zzz", w.staff), 400, "invalid_field")


def test_medal_definitions():
    w = world()
    tk = new_key()
    ok(call("POST", TASKS, w.staff, task_body(tk)), 201)
    key = new_key("m")
    m = ok(call("POST", MEDALS, w.staff, {"key": key, "name": "Coupon star",
                                           "task_keys": [tk, "first_product"]}), 201)
    assert m["privileges"] == {"quick_replies": 0, "coupon_batch_products": 0,
                               "campaign_products": 0}
    assert sorted(t["key"] for t in m["tasks"]) == sorted([tk, "first_product"])
    assert ok(call("GET", f"{MEDALS}/{m['id']}", w.staff)) == m
    m2 = ok(call("PATCH", f"{MEDALS}/{m['id']}", w.staff,
                 {"task_keys": [tk], "privileges": {"quick_replies": 5}, "active": False}))
    assert [t["key"] for t in m2["tasks"]] == [tk] and m2["active"] is False
    assert m2["privileges"] == {"quick_replies": 5, "coupon_batch_products": 0,
                                "campaign_products": 0}
    r = call("POST", MEDALS, w.staff, {"key": new_key("m"), "name": "x",
                                        "task_keys": [tk, "no_such_task", "nor_this"]})
    assert_problem(r, 400, "invalid_field")
    assert [e["field"] for e in r.json["errors"]] == ["task_keys[1]", "task_keys[2]"]
    assert_problem(call("POST", MEDALS, w.staff, {"key": key, "name": "x", "task_keys": [tk]}),
                   409, "key_taken")
    for body, field in [
            ({"key": new_key("m"), "name": "x", "task_keys": []}, "task_keys"),
            ({"key": new_key("m"), "name": "x"}, "task_keys"),
            ({"key": new_key("m"), "name": "x", "task_keys": ["Bad Key"]}, "task_keys[0]"),
            ({"key": new_key("m"), "name": "x" * 31, "task_keys": [tk]}, "name"),
            ({"key": new_key("m"), "name": "x", "task_keys": [tk],
              "privileges": {"quick_replies": 501}}, "privileges.quick_replies"),
            ({"key": new_key("m"), "name": "x", "task_keys": [tk],
              "privileges": {"coupon_batch_products": -1}}, "privileges.coupon_batch_products")]:
        r = call("POST", MEDALS, w.staff, body)
        assert_problem(r, 400, "invalid_field")
        assert field in [e["field"] for e in r.json["errors"]], (field, r.json)
    assert_problem(call("POST", MEDALS, w.staff, {"key": new_key("m"), "name": "x",
                                                   "task_keys": [tk], "privileges": {"vip": 1}}),
                   400, "unknown_field")
    assert_problem(call("PATCH", f"{MEDALS}/{m['id']}", w.staff, {}), 400, "invalid_field")
    assert_problem(call("PATCH", f"{MEDALS}/999999999", w.staff, {"name": "x"}), 404,
                   "not_found")
    assert_problem(call("GET", f"{MEDALS}/999999999", w.staff), 404, "not_found")
    page = ok(call("GET", f"{MEDALS}?limit=1", w.staff))
    assert len(page["items"]) == 1 and page["next_cursor"]
    nxt = ok(call("GET", f"{MEDALS}?limit=100&cursor={page['next_cursor']}", w.staff))
    assert all(x["id"] > page["items"][0]["id"] for x in nxt["items"])


def test_authorization_and_tenancy():
    w = world()
    tid = int(q("SELECT id FROM growth_tasks WHERE key = 'first_product'"))
    mid = int(q("SELECT id FROM growth_medals WHERE key = 'marketing_starter'"))
    staff_routes = [("POST", TASKS, task_body(new_key())), ("GET", TASKS, None),
                    ("GET", f"{TASKS}/{tid}", None), ("PATCH", f"{TASKS}/{tid}", {"position": 1}),
                    ("POST", MEDALS, {"key": new_key("m"), "name": "x",
                                      "task_keys": ["first_product"]}),
                    ("GET", MEDALS, None), ("GET", f"{MEDALS}/{mid}", None),
                    ("PATCH", f"{MEDALS}/{mid}", {"active": True})]
    for method, path, body in staff_routes:
        assert_problem(call(method, path, None, body), 401, "unauthenticated")
        for token in (w.ta, w.tbuyer):
            assert_problem(call(method, path, token, body), 403, "forbidden")
        for token in (w.campaigns, w.reviewer):
            r = call(method, path, token, body)
            assert_problem(r, 403, "forbidden")
            assert "growth" in r.json["detail"], r.json
    shop = w.new_shop()
    for path in (f"/v1/shops/{shop}/growth", f"/v1/shops/{shop}/medals"):
        assert ok(call("GET", path, w.ta))["shop_id"] == shop
        assert_problem(call("GET", path, None), 401, "unauthenticated")
        for token in (w.tbuyer, w.staff):
            assert_problem(call("GET", path, token), 403, "forbidden")
        # Another merchant's shop is as missing as one that does not exist.
        assert_problem(call("GET", path, w.tb), 404, "not_found")
        assert_problem(call("GET", path.replace(str(shop), "999999999"), w.ta), 404, "not_found")
    assert_problem(call("GET", f"/v1/shops/{shop}/growth?group=vip", w.ta), 400, "invalid_field")
    assert_problem(call("GET", f"/v1/shops/{shop}/growth?colour=red", w.ta), 400,
                   "unknown_field")


def test_progress_comes_from_real_writes():
    w = world()
    advance()
    shop = w.new_shop()
    fast_key, ship3_key = new_key(), new_key()
    ok(call("POST", TASKS, w.staff, task_body(ship3_key, "orders_shipped", "fulfilment",
                                              count=3)), 201)
    ok(call("POST", TASKS, w.staff, task_body(fast_key, "order_shipped_fast", "fulfilment",
                                              hours=1)), 201)
    run_jobs()
    g = growth(w.ta, shop)
    assert task_of(g, "first_product")["progress"] == 0
    # A product off sale counts for nothing; on sale it does, once the job ran.
    advance()
    _, off_sku = product(w.ta, shop, status="off_sale")
    run_jobs()
    assert task_of(growth(w.ta, shop), "first_product")["progress"] == 0
    advance()
    _, sku = product(w.ta, shop)
    assert task_of(growth(w.ta, shop), "first_product")["done"] is False  # not before the job
    run_jobs()
    t = task_of(growth(w.ta, shop), "first_product")
    assert (t["progress"], t["target"], t["done"], t["done_at"]) == (1, 1, True, fmt_time(now()))
    # The auto-reply: on with a greeting.
    advance()
    ok(call("PUT", f"/v1/shops/{shop}/auto-reply", w.ta, {"greeting": "您好，欢迎光临"}))
    run_jobs()
    assert task_of(growth(w.ta, shop), "auto_reply")["done"] is True
    # An order shipped 2 h after payment: 48 h yes, 1 h no; one shipped.
    advance()
    o1 = paid_order(shop, sku)
    advance(2 * HOUR)
    ship(w.ta, shop, o1)
    run_jobs()
    g = growth(w.ta, shop)
    assert task_of(g, "first_fast_shipment")["done"] is True
    assert (task_of(g, fast_key)["progress"], task_of(g, fast_key)["done"]) == (0, False)
    assert (task_of(g, ship3_key)["progress"], task_of(g, ship3_key)["target"]) == (1, 3)
    assert (task_of(g, "shipped_20")["progress"], task_of(g, "shipped_20")["target"]) == (1, 20)
    # Two more within the hour: 3/3 and the 1 h task done too.
    advance()
    o2, o3 = paid_order(shop, sku), paid_order(shop, sku)
    advance(10 * MIN)
    ship(w.ta, shop, o2)
    ship(w.ta, shop, o3)
    run_jobs()
    g = growth(w.ta, shop)
    assert task_of(g, fast_key)["done"] is True
    assert (task_of(g, ship3_key)["progress"], task_of(g, ship3_key)["done"]) == (3, True)
    assert task_of(g, "shipped_20")["progress"] == 3
    starter = growth(w.ta, shop, "?group=starter")
    assert {"group": "starter", "done": 3, "total": 3} in starter["groups"], starter["groups"]
    assert all(t["group"] == "starter" for t in starter["items"])
    # Nothing another shop did counts here, and B's shop is untouched.
    gb = growth(w.tb, w.shop_b)
    assert task_of(gb, "first_product")["progress"] == 0
    assert task_of(gb, "shipped_20")["progress"] == 0
    # A done task stays done when the data goes back (the product deleted).
    advance()
    assert q(f"SELECT done_at IS NOT NULL FROM growth_shop_tasks g JOIN growth_tasks t"
             f" ON t.id = g.task_id WHERE g.shop_id = {shop} AND t.key = 'first_product'") == "t"


def test_campaign_entry_and_reply_rate():
    w = world()
    advance()
    shop = w.new_shop()
    pid, sku = product(w.ta, shop, price=1000, stock=100)
    # A campaign, an entry, its approval by staff.
    t0 = advance()
    body = {"name": "Double Twelve", "kind": "flash_sale", "signup_from": fmt_time(t0 + HOUR),
            "signup_to": fmt_time(t0 + 2 * HOUR), "starts_at": fmt_time(t0 + 3 * HOUR),
            "ends_at": fmt_time(t0 + 5 * HOUR),
            "rules": {"min_discount_percent": 10, "min_campaign_stock": 5, "per_buyer_limit": 3,
                      "max_products_per_shop": 5, "allow_coupons": True, "auto_approve": False}}
    c = ok(call("POST", "/v1/platform/campaigns", w.campaigns, body), 201)["id"]
    advance(HOUR + MIN)
    entry = ok(call("POST", f"/v1/shops/{shop}/campaign-entries", w.ta,
                    {"campaign_id": c, "product_id": pid,
                     "skus": [{"sku_id": sku, "campaign_price_cents": 800,
                               "campaign_stock": 5}]}), 201)
    run_jobs()
    assert task_of(growth(w.ta, shop), "first_campaign_entry")["progress"] == 0  # pending
    advance()
    ok(call("POST", f"/v1/platform/campaigns/{c}/entries/{entry['id']}/approve", w.campaigns))
    run_jobs()
    assert task_of(growth(w.ta, shop), "first_campaign_entry")["done"] is True
    # The reply rate: a buyer writes, the shop answers within a minute.
    rate_key = new_key()
    ok(call("POST", TASKS, w.staff, task_body(rate_key, "reply_rate_3min", "service",
                                              percent=100, days=7)), 201)
    day = now().astimezone(SHANGHAI).date() + datetime.timedelta(days=1)
    at = datetime.datetime(day.year, day.month, day.day, 10, 0, tzinfo=SHANGHAI)
    advance(at - now())
    conv = call("POST", f"/v1/shops/{shop}/conversations", w.tbuyer)
    assert conv.status in (200, 201), conv
    ok(call("POST", f"/v1/conversations/{conv.json['id']}/messages", w.tbuyer,
            {"type": "text", "text": "有货吗"}), 201)
    advance()
    ok(call("POST", f"/v1/conversations/{conv.json['id']}/messages", w.ta,
            {"type": "text", "text": "有的"}), 201)
    advance()
    run_jobs()
    fold_stats(server())
    run_jobs()
    g = growth(w.ta, shop, "?group=service")
    t = task_of(g, rate_key)
    assert (t["progress"], t["target"], t["done"]) == (100, 100, True), t
    assert task_of(g, "reply_rate_80")["done"] is True


def earn_marketing_medal(token, shop):
    """The real writes the seeded 营销入门勋章 asks for: a coupon, a live
    room, that coupon pushed into it."""
    advance()
    coupon = ok(call("POST", f"/v1/shops/{shop}/coupons", token, coupon_body("live")), 201)
    ok(call("POST", f"/v1/shops/{shop}/live/start", token))
    ok(call("POST", f"/v1/shops/{shop}/live/coupons/{coupon['id']}/push", token))
    ok(call("POST", f"/v1/shops/{shop}/live/stop", token))


def medal_shop():
    w = world()
    shop = w.new_shop(name="Medal House")
    product(w.ta, shop)
    earn_marketing_medal(w.ta, shop)
    run_jobs()
    return shop


the_medal_shop = once(medal_shop)


def test_marketing_medal_letter_and_hall():
    w = world()
    # Half done: the coupon only.
    advance()
    half = w.new_shop()
    ok(call("POST", f"/v1/shops/{half}/coupons", w.ta, coupon_body()), 201)
    run_jobs()
    hall = ok(call("GET", f"/v1/shops/{half}/medals", w.ta))
    m = medal_of(hall, "marketing_starter")
    assert (m["earned"], m["earned_at"], m["missing"]) == (False, None, ["first_live_coupon"])
    assert {t["key"]: t["done"] for t in m["tasks"]} == {"first_coupon": True,
                                                          "first_live_coupon": False}
    # All done: earned, with when, and a letter.
    shop = the_medal_shop()
    earned_at = fmt_time(now())
    hall = ok(call("GET", f"/v1/shops/{shop}/medals", w.ta))
    m = medal_of(hall, "marketing_starter")
    assert (m["earned"], m["earned_at"], m["missing"]) == (True, earned_at, [])
    assert hall["items"][0]["key"] == "marketing_starter"  # earned ones first
    assert m["privileges"]["quick_replies"] == 100
    letters = ok(call("GET", f"/v1/shops/{shop}/letters", w.ta))["items"]
    medal_letters = [x for x in letters if x["kind"] == "medal"]
    assert len(medal_letters) == 1, letters
    lt = medal_letters[0]
    assert lt["title"] == "勋章获得通知" and "营销入门勋章" in lt["summary"]
    assert lt["order_count"] == 0 and lt["read_at"] is None
    one = ok(call("GET", f"/v1/shops/{shop}/letters/{lt['id']}", w.ta))
    assert "营销入门勋章" in one["body"]
    # Evaluating again awards nothing more.
    advance()
    ok(call("POST", f"/v1/shops/{shop}/coupons", w.ta, coupon_body()), 201)
    run_jobs()
    run_jobs()
    assert q(f"SELECT count(*) FROM growth_shop_medals WHERE shop_id = {shop}") == "1"
    assert q(f"SELECT count(*) FROM letters WHERE shop_id = {shop} AND kind = 'medal'") == "1"
    # The limits in force.
    s = ok(call("GET", f"/v1/shops/{shop}", w.ta))
    assert s["limits"] == {"quick_replies": 600, "coupon_batch_products": 1000,
                           "campaign_products_bonus": 2}
    listed = [x for x in ok(call("GET", "/v1/shops", w.ta))["items"] if x["id"] == shop]
    assert listed[0]["limits"] == s["limits"]


def test_medal_awarded_once_under_concurrent_evaluation():
    w = world()
    advance()
    tk, mk = new_key(), new_key("m")
    ok(call("POST", TASKS, w.staff, task_body(tk, "coupons_created", count=2)), 201)
    ok(call("POST", MEDALS, w.staff, {"key": mk, "name": "Race", "task_keys": [tk]}), 201)
    shops = [w.new_shop() for _ in range(3)]
    for shop in shops:
        for _ in range(2):
            ok(call("POST", f"/v1/shops/{shop}/coupons", w.ta, coupon_body()), 201)
    medal = int(q(f"SELECT id FROM growth_medals WHERE key = '{mk}'"))
    # Concurrent job runs, and concurrent evaluations straight in SQL.
    results = parallel(lambda: call("POST", "/v1/test/jobs/run").status, [()] * 4)
    assert results == [200] * 4, results
    q(f"DELETE FROM letters WHERE medal_id = {medal}")
    q(f"DELETE FROM growth_shop_medals WHERE medal_id = {medal}")
    stamp = fmt_time(now())
    ids = ",".join(str(x) for x in shops)
    barrier = threading.Barrier(6)
    outs = []

    def evaluate():
        barrier.wait()
        p = subprocess.run(["psql", server().db_url, "-XAtq", "-v", "ON_ERROR_STOP=1", "-c",
                            f"SELECT growth_award_medals('{{{ids}}}', '{stamp}')"],
                           capture_output=True, text=True, timeout=60)
        outs.append((p.returncode, p.stdout.strip(), p.stderr))

    threads = [threading.Thread(target=evaluate) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(rc == 0 for rc, _, _ in outs), outs
    assert sum(int(out) for _, out, _ in outs) == len(shops), outs
    for shop in shops:
        assert q(f"SELECT count(*) FROM growth_shop_medals WHERE shop_id = {shop}"
                 f" AND medal_id = {medal}") == "1"
        assert q(f"SELECT count(*) FROM letters WHERE shop_id = {shop}"
                 f" AND medal_id = {medal}") == "1"
        m = medal_of(ok(call("GET", f"/v1/shops/{shop}/medals", w.ta)), mk)
        assert m["earned"] is True


def test_old_activity_counts_once_definitions_change():
    """The job looks at recent activity only; what a shop did long ago counts
    once a task or medal changes and the sweep takes every shop."""
    w = world()
    advance()
    run_jobs()  # any sweep pending is done
    shop = w.new_shop()
    # A product on sale since long before the clock: no recent activity.
    q(f"INSERT INTO products (shop_id, title, status, created_at, updated_at)"
      f" VALUES ({shop}, 'Old tea', 'on_sale', now() - interval '1 year',"
      f" now() - interval '1 year')")
    advance()
    run_jobs()
    assert task_of(growth(w.ta, shop), "first_product")["progress"] == 0
    assert q("SELECT sweep_after IS NULL AND sweep_version = definitions_version"
             " FROM growth_state") == "t"
    key = new_key()
    ok(call("POST", TASKS, w.staff, task_body(key, "product_on_sale", "starter")), 201)
    assert q("SELECT definitions_version > sweep_version FROM growth_state") == "t"
    # The sweep, two shops per batch straight in SQL: each batch moves on,
    # the last one says done.
    stamp = fmt_time(now())
    shops = int(q("SELECT count(*) FROM shops"))
    batches = 0
    while True:
        done = q(f"SELECT done FROM growth_sweep('{stamp}', 2)")
        batches += 1
        if done == "t":
            break
        assert batches <= shops, "the sweep does not end"
    assert batches == shops // 2 + 1, (batches, shops)
    g = growth(w.ta, shop)
    assert task_of(g, "first_product")["done"] and task_of(g, key)["done"]
    assert q("SELECT sweep_after IS NULL AND sweep_version = definitions_version"
             " FROM growth_state") == "t"
    assert q(f"SELECT done FROM growth_sweep('{stamp}', 2)") == "t"


def test_the_scheduled_job_within_a_minute():
    """No forced run: a server looking at its jobs every second, the test
    clock moved a minute on, and the product put on sale shows as done."""
    s2 = start_server(env={"MERCHANTD_JOB_INTERVAL_SECONDS": "1",
                           "MERCHANTD_STATS_FOLD_SECONDS": "0"})
    t0 = START + datetime.timedelta(days=30)
    s2.set_clock(fmt_time(t0))

    def wait_for(what, check, timeout=30):
        deadline = time.monotonic() + timeout
        while not check():
            assert time.monotonic() < deadline, what
            time.sleep(0.05)

    # The job's run at t0 (the sweep of the migration's definitions).
    wait_for("evaluate_growth ran at t0", lambda: psql(
        s2.db_url, f"SELECT coalesce(evaluated_to = '{fmt_time(t0)}', false)"
                   f" FROM growth_state") == "t")
    name = uname("m")
    s2.register(name)
    token = s2.login(name)
    shop = s2.request("POST", "/v1/shops", {"name": "Tea"}, token=token).json["id"]
    s2.set_clock(fmt_time(t0 + datetime.timedelta(seconds=10)))
    r = s2.request("POST", f"/v1/shops/{shop}/products", {
        "title": "Longjing", "status": "on_sale",
        "skus": [{"spec": "250g", "price_cents": 1000, "stock": 5}]}, token=token)
    assert r.status == 201, r
    s2.set_clock(fmt_time(t0 + datetime.timedelta(seconds=61)))

    def done():
        g = s2.request("GET", f"/v1/shops/{shop}/growth?group=starter", token=token).json
        return task_of(g, "first_product")["done"]
    wait_for("the product on sale counted within a minute", done)
    stop_server(s2)


def test_a_retired_task_no_longer_counts():
    w = world()
    advance()
    easy, hard, mk = new_key(), new_key(), new_key("m")
    ok(call("POST", TASKS, w.staff, task_body(easy, "coupons_created")), 201)
    hard_id = ok(call("POST", TASKS, w.staff,
                      task_body(hard, "orders_shipped", "fulfilment", count=1000)), 201)["id"]
    ok(call("POST", MEDALS, w.staff, {"key": mk, "name": "Two steps",
                                       "task_keys": [easy, hard]}), 201)
    shop = w.new_shop()
    ok(call("POST", f"/v1/shops/{shop}/coupons", w.ta, coupon_body()), 201)
    run_jobs()
    m = medal_of(ok(call("GET", f"/v1/shops/{shop}/medals", w.ta)), mk)
    assert (m["earned"], m["missing"]) == (False, [hard])
    # Retired: neither shown nor evaluated, nor standing in the medal's way.
    advance()
    ok(call("PATCH", f"{TASKS}/{hard_id}", w.staff, {"active": False}))
    run_jobs()
    assert hard not in [t["key"] for t in growth(w.ta, shop)["items"]]
    m = medal_of(ok(call("GET", f"/v1/shops/{shop}/medals", w.ta)), mk)
    assert (m["earned"], m["missing"], [t["key"] for t in m["tasks"]]) == (True, [], [easy])


def test_privileges_raise_the_limits_the_routes_enforce():
    w = world()
    with_medal = the_medal_shop()
    advance()
    without = w.new_shop()
    # Quick replies: 500 for every shop, 600 with the medal.
    for shop in (with_medal, without):
        q(f"INSERT INTO quick_replies (shop_id, text, group_name, position, created_at,"
          f" updated_at) SELECT {shop}, 'reply ' || g, '', g, now(), now()"
          f" FROM generate_series(1, 500) g")
    assert_problem(call("POST", f"/v1/shops/{without}/quick-replies", w.ta, {"text": "one more"}),
                   409, "quick_reply_limit")
    ok(call("POST", f"/v1/shops/{with_medal}/quick-replies", w.ta, {"text": "one more"}), 201)
    # Products per coupon batch: 500, 1000 with the medal.
    batches = {}
    for shop in (with_medal, without):
        batches[shop] = [int(x) for x in q(
            f"INSERT INTO products (shop_id, title, status, created_at, updated_at)"
            f" SELECT {shop}, 'p' || g, 'on_sale', now(), now() FROM generate_series(1, 501) g"
            f" RETURNING id").split()]
    spec = dict(coupon_body(), kind="product")
    del spec["kind"]
    r = call("POST", f"/v1/shops/{without}/coupons:batch", w.ta,
             dict(spec, product_ids=batches[without]))
    assert_problem(r, 400, "invalid_field")
    assert [e["field"] for e in r.json["errors"]] == ["product_ids"]
    assert q(f"SELECT count(*) FROM coupons WHERE shop_id = {without}") == "0"
    r = call("POST", f"/v1/shops/{with_medal}/coupons:batch", w.ta,
             dict(spec, product_ids=batches[with_medal]))
    assert r.status == 201 and len(r.json["items"]) == 501, r
    # Campaign products per shop: the campaign's 1, plus 2 with the medal.
    t0 = advance()
    body = {"name": "Flash", "kind": "flash_sale", "signup_from": fmt_time(t0 + HOUR),
            "signup_to": fmt_time(t0 + 2 * HOUR), "starts_at": fmt_time(t0 + 3 * HOUR),
            "ends_at": fmt_time(t0 + 5 * HOUR),
            "rules": {"min_discount_percent": 10, "min_campaign_stock": 1, "per_buyer_limit": 3,
                      "max_products_per_shop": 1, "allow_coupons": True, "auto_approve": False}}
    c = ok(call("POST", "/v1/platform/campaigns", w.campaigns, body), 201)["id"]
    products = {shop: [product(w.ta, shop, price=1000, stock=10) for _ in range(4)]
                for shop in (with_medal, without)}
    advance(HOUR + MIN)

    def enter(shop, i):
        pid, sku = products[shop][i]
        return call("POST", f"/v1/shops/{shop}/campaign-entries", w.ta,
                    {"campaign_id": c, "product_id": pid,
                     "skus": [{"sku_id": sku, "campaign_price_cents": 800, "campaign_stock": 1}]})

    ok(enter(without, 0), 201)
    r = enter(without, 1)
    assert_problem(r, 422, "campaign_rules_failed")
    assert "max_products_reached" in [e["code"] for e in r.json["errors"]]
    for i in range(3):
        ok(enter(with_medal, i), 201)
    r = enter(with_medal, 3)
    assert_problem(r, 422, "campaign_rules_failed")
    assert "max_products_reached" in [e["code"] for e in r.json["errors"]]
    # The merchant's campaign list says the same.
    listed = ok(call("GET", "/v1/campaigns?limit=100", w.ta))["items"]
    (mine,) = [x for x in listed if x["id"] == c]
    reasons = {s["shop_id"]: s["reasons"] for s in mine["shops"]}
    assert "max_products_reached" in reasons[with_medal]
    assert "max_products_reached" in reasons[without]


if __name__ == "__main__":
    main([test_seeded_catalogue, test_task_definitions, test_medal_definitions,
          test_authorization_and_tenancy, test_progress_comes_from_real_writes,
          test_campaign_entry_and_reply_rate, test_marketing_medal_letter_and_hall,
          test_medal_awarded_once_under_concurrent_evaluation,
          test_old_activity_counts_once_definitions_change, test_the_scheduled_job_within_a_minute,
          test_a_retired_task_no_longer_counts,
          test_privileges_raise_the_limits_the_routes_enforce])
