"""The data pages' read API (docs/data.md, API): every route and its errors,
tenant isolation, and the definitions on hand-built fixtures. The figures
come from real writes (orders paid, shipped and completed, refunds through
after-sales, chat messages, coupon claims, views through POST
/v1/events/views), folded by the job fold_stats at a frozen clock, then
read through the routes and checked exactly."""

import csv
import datetime
import io
import os
import sys
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(__file__))
from harness import *  # noqa: E402,F401,F403

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Folds run only when the test asks (POST /v1/test/jobs/run).
ENV = {"MERCHANTD_JOB_INTERVAL_SECONDS": "86400", "MERCHANTD_STATS_FOLD_SECONDS": "0"}
METRICS = ["gmv_cents", "orders", "buyers", "avg_order_value_cents", "visitors", "page_views",
           "conversion_rate", "uv_value_cents", "refund_cents", "refunds", "cs_buyers",
           "cs_rounds", "reply_3min_rate", "avg_response_secs", "inquiry_conversion_rate",
           "shipped", "avg_ship_secs", "shipped_24h_rate", "shipped_48h_rate", "coupon_claims",
           "coupon_orders", "coupon_gmv_cents", "coupon_discount_cents"]
# Each test has days of its own, later than the previous test's: the
# minute buckets are kept eight days behind the clock.
_next_day = [datetime.date(2031, 6, 2)]


def s():
    return srv(ENV)


def days_of_test(n=10):
    """The first of n days no other test of this file uses."""
    day = _next_day[0]
    _next_day[0] += datetime.timedelta(days=n)
    return day


def at(day, hms, plus_days=0):
    """A Shanghai time on the day (plus some days), from "HH:MM:SS"."""
    h, m, sec = (int(x) for x in hms.split(":"))
    d = day + datetime.timedelta(days=plus_days)
    return datetime.datetime(d.year, d.month, d.day, h, m, sec, tzinfo=SHANGHAI)


def clock(t):
    s().set_clock(fmt_time(t))


def call(method, path, token=None, body=None):
    return s().request(method, path, body, token=token)


def fold():
    fold_stats(s())


def get(path, token):
    r = call("GET", path, token)
    assert r.status == 200, r
    return r.json


class Shop:
    """A merchant with a shop of one product (one SKU at price fen)."""

    def __init__(self, price=1000):
        self.merchant, self.token = new_merchant()
        self.id, self.sku = new_shop(self.merchant, stock=100000, price=price)
        self.product = int(sql(f"SELECT product_id FROM skus WHERE id = {self.sku}"))
        self.price = price

    def stats(self, route, query=""):
        return get(f"/v1/shops/{self.id}/stats/{route}" + (f"?{query}" if query else ""),
                   self.token)


def place(btok, shop, qty=1, coupon=None):
    body = {"shop_id": shop.id, "items": [{"sku_id": shop.sku, "quantity": qty}],
            "address": ADDRESS}
    if coupon is not None:
        body["coupon_id"] = coupon
    r = call("POST", "/v1/orders", btok, body)
    assert r.status == 201, r
    return r.json["id"]


def paid_order(btok, shop, when, qty=1, coupon=None):
    """An order placed and paid at when; its id."""
    clock(when)
    order = place(btok, shop, qty, coupon)
    r = call("POST", f"/v1/orders/{order}/pay", btok)
    assert r.status == 200, r
    return order


def ship(shop, order, carrier, when):
    clock(when)
    r = call("POST", f"/v1/shops/{shop.id}/orders/{order}/ship", shop.token,
             {"carrier": carrier, "tracking_no": f"{carrier.upper()}{order:010d}"})
    assert r.status == 200, r


def views(token, items, visitor_id=None):
    """Views through POST /v1/events/views, as a buyer (token) or an
    anonymous visitor (visitor_id): items of (shop, product or None, at).
    Returns (stored, duplicates)."""
    body = {"views": [dict({"shop_id": shop, "product_id": product, "at": fmt_time(when)},
                           **({"visitor_id": visitor_id} if visitor_id else {}))
                      for shop, product, when in items]}
    r = call("POST", "/v1/events/views", token, body)
    assert r.status == 200 and r.json["refused"] == [], r
    return r.json["stored"], r.json["duplicates"]


def day_entry(reply, day):
    (entry,) = [d for d in reply["days"] if d["date"] == day.isoformat()]
    return entry


def pick(metrics, *names):
    return {n: metrics[n] for n in names}


# ---------------------------------------------------------------------------
# Routes and errors


def test_every_route_answers_its_shape():
    day = days_of_test()
    clock(at(day, "10:00:30"))
    shop = Shop()
    if sql("SELECT as_of IS NULL FROM stats_fold_state") == "t":
        # Never folded: as_of is null, date and until the clock's.
        o = shop.stats("overview")
        assert (o["as_of"], o["date"], o["until"]) == (None, day.isoformat(), "10:00")
        assert shop.stats("daily")["as_of"] is None
    fold()
    o = shop.stats("overview")
    assert o["shop_id"] == shop.id and o["date"] == day.isoformat() and o["until"] == "10:00"
    assert parse_time(o["as_of"]) <= at(day, "10:00:30")
    for period in ("today", "yesterday", "last_week"):
        assert list(o[period]) == METRICS
        assert o[period]["gmv_cents"] == 0 and o[period]["conversion_rate"] is None
        assert o[period]["avg_order_value_cents"] is None
    assert o["refund_rate_30d"] is None

    d = shop.stats("daily")
    first = day - datetime.timedelta(days=29)
    assert (d["from"], d["to"]) == (first.isoformat(), day.isoformat())
    assert d["metrics"] == METRICS and len(d["days"]) == 30
    assert [x["date"] for x in d["days"]] == [
        (first + datetime.timedelta(days=i)).isoformat() for i in range(30)]
    d = shop.stats("daily", f"to={day}&metrics=visitors,gmv_cents")
    assert d["metrics"] == ["gmv_cents", "visitors"] and len(d["days"]) == 30
    assert d["days"][0] == {"date": first.isoformat(), "gmv_cents": 0, "visitors": 0}
    d = shop.stats("daily", f"from={day - datetime.timedelta(days=2)}")
    assert d["to"] == day.isoformat() and len(d["days"]) == 3
    # 366 days is the widest window.
    far = day - datetime.timedelta(days=365)
    assert len(shop.stats("daily", f"from={far}&to={day}&metrics=orders")["days"]) == 366

    h = shop.stats("hourly")
    assert h["date"] == day.isoformat() and [x["hour"] for x in h["hours"]] == list(range(24))
    assert list(h["hours"][5])[1:] == METRICS
    assert shop.stats("hourly", "date=2031-01-01")["date"] == "2031-01-01"

    p = shop.stats("products", "sort=conversion&limit=3")
    assert p["sort"] == "conversion" and p["items"] == []
    sv = shop.stats("service")
    assert sv["cs_buyers"] == 0 and sv["inquiry_conversion_rate"] is None and len(sv["days"]) == 30
    lg = shop.stats("logistics")
    assert lg["shipped"] == 0 and lg["avg_ship_secs"] is None and lg["carriers"] == []
    assert shop.stats("coupons")["items"] == []

    me = get("/v1/me/stats/overview", shop.token)
    assert [x["shop_id"] for x in me["shops"]] == [shop.id]
    assert me["shops"][0]["name"] == "Tea House" and me["until"] == "10:00"
    lonely, ltoken = new_merchant()
    assert get("/v1/me/stats/overview", ltoken)["shops"] == []

    r = call("GET", f"/v1/shops/{shop.id}/stats/daily.csv?from={day}&metrics=gmv_cents,"
             "conversion_rate,refunds", shop.token)
    assert r.status == 200 and r.headers["content-type"] == "text/csv; charset=utf-8", r
    assert r.headers["content-disposition"] == \
        f'attachment; filename="stats-{shop.id}-{day}-{day}.csv"'
    assert r.raw == f"\ufeff日期,成交金额(元),成交转化率,退款单数\r\n{day},0.00,,0\r\n"


def test_bad_queries_answer_400_naming_the_parameter():
    day = days_of_test()
    clock(at(day, "12:00:00"))
    shop = Shop()
    base = f"/v1/shops/{shop.id}/stats"
    cases = [
        ("daily?from=2031-02-30", 400, "invalid_field", "from"),
        ("daily?to=31-01-01", 400, "invalid_field", "to"),
        ("daily?from=2031-06-10&to=2031-06-09", 400, "invalid_field", "to"),
        (f"daily?from={day - datetime.timedelta(days=366)}&to={day}", 400, "invalid_field",
         "from"),
        (f"daily?from={day + datetime.timedelta(days=1)}", 400, "invalid_field", "from"),
        ("daily?metrics=gmv_cents,nope", 400, "invalid_field", "metrics"),
        ("daily?metrics=gmv_cents,", 400, "invalid_field", "metrics"),
        ("daily.csv?metrics=", 400, "invalid_field", "metrics"),
        ("daily.csv?to=2031-06-01&from=2031-06-02", 400, "invalid_field", "to"),
        ("hourly?date=yesterday", 400, "invalid_field", "date"),
        ("hourly?from=2031-06-01", 400, "unknown_field", "from"),
        ("products?sort=price", 400, "invalid_field", "sort"),
        ("products?limit=0", 400, "invalid_field", "limit"),
        ("products?limit=101", 400, "invalid_field", "limit"),
        ("products?cursor=abc", 400, "unknown_field", "cursor"),
        ("service?from=2031-6-1", 400, "invalid_field", "from"),
        ("logistics?to=2031-02-29", 400, "invalid_field", "to"),
        ("coupons?from=2031-06-05&to=2031-06-01", 400, "invalid_field", "to"),
        ("overview?date=2031-06-01", 400, "unknown_field", "date"),
    ]
    for target, status, code, field in cases:
        r = call("GET", f"{base}/{target}", shop.token)
        assert_problem(r, status, code)
        assert [e["field"] for e in r.json["errors"]] == [field], (target, r.json)
    r = call("GET", "/v1/me/stats/overview?shop_id=1", shop.token)
    assert_problem(r, 400, "unknown_field")


def test_only_the_shops_merchant_reads_its_figures():
    day = days_of_test()
    clock(at(day, "12:00:00"))
    a, b = Shop(), Shop()
    buyer, btok = new_buyer()
    paid_order(btok, a, at(day, "09:00:00"))
    paid_order(btok, b, at(day, "09:30:00"), qty=3)
    clock(at(day, "12:00:30"))
    fold()
    routes = ["overview", "daily", "daily.csv", "hourly", "products", "service", "logistics",
              "coupons"]
    _, staff = new_reviewer()
    for route in routes:
        path = f"/v1/shops/{a.id}/stats/{route}"
        assert call("GET", path, a.token).status == 200
        assert_problem(call("GET", path, b.token), 404, "not_found")
        assert_problem(call("GET", f"/v1/shops/999999999/stats/{route}", a.token), 404,
                       "not_found")
        assert_problem(call("GET", path, btok), 403, "forbidden")
        assert_problem(call("GET", path, staff), 403, "forbidden")
        assert_problem(call("GET", path), 401, "unauthenticated")
        assert_problem(call("POST", path, a.token), 405, "method_not_allowed")
    assert_problem(call("GET", "/v1/me/stats/overview", btok), 403, "forbidden")
    assert_problem(call("GET", "/v1/me/stats/overview", staff), 403, "forbidden")
    # Each shop's figures are its own.
    assert pick(a.stats("overview")["today"], "orders", "gmv_cents") == \
        {"orders": 1, "gmv_cents": 1000}
    assert pick(b.stats("overview")["today"], "orders", "gmv_cents") == \
        {"orders": 1, "gmv_cents": 3000}
    me = get("/v1/me/stats/overview", a.token)
    assert [(x["shop_id"], x["today"]["gmv_cents"]) for x in me["shops"]] == [(a.id, 1000)]


# ---------------------------------------------------------------------------
# Definitions


def test_days_end_at_local_midnight_and_buyers_are_distinct():
    """An order paid 23:59:59 is the day's, one paid 00:00:00 the next's; a
    buyer paying twice a day is one buyer, and one buyer of two days is one
    buyer of the window."""
    day = days_of_test()
    nxt = day + datetime.timedelta(days=1)
    shop = Shop(price=1000)
    (b1, t1), (b2, t2) = new_buyer(), new_buyer()
    paid_order(t1, shop, at(day, "23:59:59"))
    paid_order(t1, shop, at(day, "00:00:00", 1), qty=2)
    paid_order(t2, shop, at(day, "10:00:00", 1))
    paid_order(t1, shop, at(day, "11:20:00", 1))
    clock(at(day, "12:00:30", 1))
    fold()
    d = shop.stats("daily", f"from={day}&to={nxt}&metrics=gmv_cents,orders,buyers,"
                   "avg_order_value_cents")
    assert d["days"] == [
        {"date": day.isoformat(), "gmv_cents": 1000, "orders": 1, "buyers": 1,
         "avg_order_value_cents": 1000},
        {"date": nxt.isoformat(), "gmv_cents": 4000, "orders": 3, "buyers": 2,
         "avg_order_value_cents": 2000}]
    h = shop.stats("hourly", f"date={nxt}")["hours"]
    assert [(x["hour"], x["orders"], x["buyers"]) for x in h if x["orders"]] == \
        [(0, 1, 1), (10, 1, 1), (11, 1, 0)]
    assert shop.stats("hourly", f"date={day}")["hours"][23]["gmv_cents"] == 1000
    p = shop.stats("products", f"from={day}&to={nxt}")["items"]
    assert p == [{"product_id": shop.product, "title": "Longjing", "gmv_cents": 5000,
                  "units": 5, "orders": 4, "buyers": 2, "visitors": 0, "page_views": 0,
                  "conversion_rate": None}]
    # The CSV of the same days, in yuan.
    r = call("GET", f"/v1/shops/{shop.id}/stats/daily.csv?from={day}&to={nxt}"
             "&metrics=gmv_cents,buyers,avg_order_value_cents", shop.token)
    rows = list(csv.reader(io.StringIO(r.raw.removeprefix("\ufeff"))))
    assert rows == [["日期", "成交金额(元)", "成交买家数", "客单价(元)"],
                    [day.isoformat(), "10.00", "1", "10.00"],
                    [nxt.isoformat(), "40.00", "2", "20.00"]]


def test_visitors_are_distinct_and_views_deduplicated():
    day = days_of_test()
    nxt = day + datetime.timedelta(days=1)
    shop = Shop(price=700)
    (b1, t1), (b2, t2) = new_buyer(), new_buyer()
    # a:b1 twice in one minute (one view), again a minute later, and the
    # shop page; an anonymous visitor once; on the next day a:b1 again and b2.
    clock(at(day, "09:02:30"))
    fold()  # the jobs make the day's page_views partition
    prod = shop.product
    assert views(t1, [(shop.id, prod, at(day, "09:00:05")), (shop.id, prod, at(day, "09:00:40")),
                      (shop.id, prod, at(day, "09:01:10")),
                      (shop.id, None, at(day, "09:01:20"))]) == (3, 1)
    assert views(None, [(shop.id, prod, at(day, "09:02:00"))],
                 visitor_id="anon-visitor-1") == (1, 0)
    clock(at(day, "08:30:30", 1))
    fold()
    assert views(t1, [(shop.id, prod, at(day, "08:00:00", 1))]) == (1, 0)
    assert views(t2, [(shop.id, prod, at(day, "08:30:00", 1))]) == (1, 0)
    paid_order(t1, shop, at(day, "09:05:00"))
    paid_order(t1, shop, at(day, "09:00:00", 1))
    clock(at(day, "12:00:30", 1))
    fold()
    d = shop.stats("daily", f"from={day}&to={nxt}&metrics=visitors,page_views,buyers,"
                   "conversion_rate,uv_value_cents")
    assert d["days"] == [
        {"date": day.isoformat(), "buyers": 1, "visitors": 2, "page_views": 4,
         "conversion_rate": 0.5, "uv_value_cents": 350},
        {"date": nxt.isoformat(), "buyers": 1, "visitors": 2, "page_views": 2,
         "conversion_rate": 0.5, "uv_value_cents": 350}]
    # Over both days: b1 once, b2, the anonymous visitor (product page only).
    (p,) = shop.stats("products", f"from={day}&to={nxt}&sort=visitors")["items"]
    assert pick(p, "visitors", "page_views", "buyers", "conversion_rate") == \
        {"visitors": 3, "page_views": 5, "buyers": 1, "conversion_rate": 0.3333}


def test_refund_counts_on_its_day_and_leaves_gmv():
    day = days_of_test()
    shop = Shop(price=2500)
    buyer, btok = new_buyer()
    order = paid_order(btok, shop, at(day, "10:00:00"))
    paid_order(btok, shop, at(day, "10:30:00"))
    clock(at(day, "09:00:00", 2))
    r = call("POST", f"/v1/orders/{order}/after-sales", btok,
             {"type": "refund_only", "reason": "changed my mind", "amount_cents": 1000})
    assert r.status == 201, r
    r = call("POST", f"/v1/shops/{shop.id}/after-sales/{r.json['id']}/approve", shop.token)
    assert r.status == 200, r
    clock(at(day, "09:30:30", 2))
    fold()
    d = shop.stats("daily", f"from={day}&to={day + datetime.timedelta(days=2)}"
                   "&metrics=gmv_cents,orders,refund_cents,refunds")["days"]
    assert [(x["gmv_cents"], x["orders"], x["refund_cents"], x["refunds"]) for x in d] == \
        [(5000, 2, 0, 0), (0, 0, 0, 0), (0, 0, 1000, 1)]
    o = shop.stats("overview")
    assert pick(o["today"], "refund_cents", "refunds", "gmv_cents") == \
        {"refund_cents": 1000, "refunds": 1, "gmv_cents": 0}
    assert o["refund_rate_30d"] == 0.5


def test_overview_compares_the_same_part_of_each_day():
    """Today, yesterday and a week ago, each [00:00, until): an order
    yesterday after until is yesterday's but not in the overview."""
    day = days_of_test() + datetime.timedelta(days=7)
    shop = Shop(price=1000)
    buyer, btok = new_buyer()
    paid_order(btok, shop, at(day, "09:30:00", -7))
    paid_order(btok, shop, at(day, "16:00:00", -7))
    paid_order(btok, shop, at(day, "09:00:00", -1))
    paid_order(btok, shop, at(day, "11:59:30", -1), qty=2)
    paid_order(btok, shop, at(day, "12:00:10", -1), qty=4)
    paid_order(btok, shop, at(day, "15:00:00", -1), qty=8)
    paid_order(btok, shop, at(day, "00:00:00"))
    paid_order(btok, shop, at(day, "11:15:00"), qty=3)
    clock(at(day, "12:00:40"))
    fold()
    o = shop.stats("overview")
    assert (o["date"], o["until"]) == (day.isoformat(), "12:00")
    assert parse_time(o["as_of"]) <= at(day, "12:00:40")
    assert pick(o["today"], "orders", "gmv_cents", "buyers") == \
        {"orders": 2, "gmv_cents": 4000, "buyers": 1}
    assert pick(o["yesterday"], "orders", "gmv_cents", "buyers") == \
        {"orders": 2, "gmv_cents": 3000, "buyers": 1}
    assert pick(o["last_week"], "orders", "gmv_cents", "buyers") == \
        {"orders": 1, "gmv_cents": 1000, "buyers": 1}
    assert o["refund_rate_30d"] == 0
    # Yesterday's whole day has all four orders.
    d = shop.stats("daily", f"from={day - datetime.timedelta(days=1)}&to={day}&metrics=orders")
    assert [x["orders"] for x in d["days"]] == [4, 2]
    me = get("/v1/me/stats/overview", shop.token)
    (mine,) = [x for x in me["shops"] if x["shop_id"] == shop.id]
    assert {k: mine[k] for k in ("today", "yesterday", "last_week")} == \
        {k: o[k] for k in ("today", "yesterday", "last_week")}
    # Ten minutes on, the 12:00:10 order of yesterday is within until.
    clock(at(day, "12:10:30"))
    fold()
    o = shop.stats("overview")
    assert o["until"] == "12:10" and o["yesterday"]["orders"] == 3


def test_customer_service_rounds_and_inquiry_conversion():
    day = days_of_test()
    nxt = day + datetime.timedelta(days=1)
    shop = Shop(price=1000)
    buyers = {name: new_buyer() for name in "ABCD"}
    clock(at(day, "08:30:00"))
    conv = {}
    for name, (_, btok) in buyers.items():
        r = call("POST", f"/v1/shops/{shop.id}/conversations", btok)
        assert r.status in (200, 201), r
        conv[name] = r.json["id"]

    def write(name, when, text="hello"):
        clock(when)
        r = call("POST", f"/v1/conversations/{conv[name]}/messages", buyers[name][1],
                 {"type": "text", "text": text})
        assert r.status == 201, r

    def reply(name, when):
        clock(when)
        r = call("POST", f"/v1/conversations/{conv[name]}/messages", shop.token,
                 {"type": "text", "text": "here to help"})
        assert r.status == 201, r

    # A paid before writing: not a conversion.
    paid_order(buyers["A"][1], shop, at(day, "09:00:00"))
    # C: an auto-reply 5 s in does not stop the clock; answered at 240 s.
    write("C", at(day, "10:00:00"))
    sql(f"INSERT INTO messages (conversation_id, shop_id, buyer_id, sender, type, body,"
        f" created_at) VALUES ({conv['C']}, {shop.id}, {buyers['C'][0]}, 'auto', 'text',"
        f" 'we reply soon', '{at(day, '10:00:05').isoformat()}')")
    reply("C", at(day, "10:04:00"))
    # D: never answered, a 600 s round once 600 s have passed.
    write("D", at(day, "11:00:00"))
    clock(at(day, "11:05:00"))
    fold()
    assert shop.stats("service", f"from={day}&to={day}")["cs_rounds"] == 1
    # C pays within 24 h of writing: converted.
    paid_order(buyers["C"][1], shop, at(day, "15:00:00"))
    # A's round starts 22:59 and counts; B's starts 23:00 and does not.
    write("A", at(day, "22:59:00"))
    write("B", at(day, "23:00:00"))
    reply("B", at(day, "23:00:30"))
    reply("A", at(day, "23:01:00"))
    # D pays 25 h after writing: too late.
    paid_order(buyers["D"][1], shop, at(day, "12:00:00", 1))
    # A writes again the next day, unanswered.
    write("A", at(day, "12:10:00", 1))
    clock(at(day, "12:30:30", 1))
    fold()
    one = shop.stats("service", f"from={day}&to={day}")
    assert {k: v for k, v in one.items() if k not in ("as_of", "days")} == {
        "from": day.isoformat(), "to": day.isoformat(), "cs_buyers": 4, "cs_converted": 1,
        "inquiry_conversion_rate": 0.25, "cs_rounds": 3, "rounds_3min": 1,
        "reply_3min_rate": 0.3333, "avg_response_secs": 320}
    both = shop.stats("service", f"from={day}&to={nxt}")
    assert pick(both, "cs_buyers", "cs_converted", "inquiry_conversion_rate", "cs_rounds",
                "rounds_3min", "reply_3min_rate", "avg_response_secs") == {
        "cs_buyers": 4, "cs_converted": 1, "inquiry_conversion_rate": 0.25, "cs_rounds": 4,
        "rounds_3min": 1, "reply_3min_rate": 0.25, "avg_response_secs": 390}
    assert [pick(x, "date", "cs_buyers", "cs_rounds") for x in both["days"]] == [
        {"date": day.isoformat(), "cs_buyers": 4, "cs_rounds": 3},
        {"date": nxt.isoformat(), "cs_buyers": 1, "cs_rounds": 1}]
    d = day_entry(shop.stats("daily", f"from={day}&to={day}"), day)
    assert pick(d, "cs_buyers", "cs_rounds", "reply_3min_rate", "avg_response_secs",
                "inquiry_conversion_rate") == {
        "cs_buyers": 4, "cs_rounds": 3, "reply_3min_rate": 0.3333, "avg_response_secs": 320,
        "inquiry_conversion_rate": 0.25}


def test_logistics_by_carrier():
    day = days_of_test()
    shop = Shop(price=1000)
    buyer, btok = new_buyer()
    o1 = paid_order(btok, shop, at(day, "10:00:00"))
    o2 = paid_order(btok, shop, at(day, "10:00:00"))
    o3 = paid_order(btok, shop, at(day, "10:00:00"))
    ship(shop, o1, "sf", at(day, "12:00:00"))            # 2 h
    ship(shop, o2, "zto", at(day, "11:00:00", 1))        # 25 h
    ship(shop, o3, "sf", at(day, "12:00:00", 2))         # 50 h
    clock(at(day, "12:00:00", 3))
    r = call("POST", f"/v1/orders/{o1}/confirm-receipt", btok)
    assert r.status == 200, r
    clock(at(day, "12:30:30", 3))
    fold()
    lg = shop.stats("logistics", f"from={day}&to={day + datetime.timedelta(days=3)}")
    assert pick(lg, "shipped", "avg_ship_secs", "shipped_24h_rate", "shipped_48h_rate") == {
        "shipped": 3, "avg_ship_secs": 92400, "shipped_24h_rate": 0.3333,
        "shipped_48h_rate": 0.6667}
    assert lg["carriers"] == [
        {"carrier": "sf", "name": "顺丰速运", "shipped": 2, "avg_ship_secs": 93600,
         "completed": 1, "avg_transit_secs": 259200},
        {"carrier": "zto", "name": "中通快递", "shipped": 1, "avg_ship_secs": 90000,
         "completed": 0, "avg_transit_secs": None}]
    # The default window is the last 30 days, today included.
    assert shop.stats("logistics")["shipped"] == 3
    d = shop.stats("daily", f"from={day}&to={day + datetime.timedelta(days=2)}"
                   "&metrics=shipped,avg_ship_secs")["days"]
    assert [(x["shipped"], x["avg_ship_secs"]) for x in d] == \
        [(1, 7200), (1, 90000), (1, 180000)]


def test_coupons_by_claim_and_payment():
    day = days_of_test()
    shop = Shop(price=1000)
    coupon = int(sql(
        f"INSERT INTO coupons (shop_id, kind, title, discount_cents, min_order_cents,"
        f" total_quantity, per_buyer_limit, claim_start, claim_end, valid_days, channel,"
        f" created_at) VALUES ({shop.id}, 'shop', '3 off', 300, 1000, 100, 1,"
        f" '2031-01-01', '2033-01-01', 30, 'normal', now()) RETURNING id"))
    (b1, t1), (b2, t2) = new_buyer(), new_buyer()
    clock(at(day, "10:00:00"))
    mine = call("POST", f"/v1/coupons/{coupon}/claim", t1)
    assert mine.status == 201, mine
    assert call("POST", f"/v1/coupons/{coupon}/claim", t2).status == 201
    paid_order(t1, shop, at(day, "09:00:00", 1), qty=2, coupon=mine.json["id"])
    paid_order(t2, shop, at(day, "09:30:00", 1))
    clock(at(day, "10:00:30", 1))
    fold()
    c = shop.stats("coupons", f"from={day}&to={day + datetime.timedelta(days=1)}")
    assert c["items"] == [{"coupon_id": coupon, "title": "3 off", "claims": 2, "orders": 1,
                           "gmv_cents": 1700, "discount_cents": 300}]
    assert shop.stats("coupons", f"from={day}&to={day}")["items"][0]["orders"] == 0
    d = shop.stats("daily", f"from={day}&to={day + datetime.timedelta(days=1)}&metrics="
                   "coupon_claims,coupon_orders,coupon_gmv_cents,coupon_discount_cents,gmv_cents")
    assert [[x[k] for k in d["metrics"]] for x in d["days"]] == \
        [[0, 2, 0, 0, 0], [2700, 0, 1, 1700, 300]]


if __name__ == "__main__":
    main([test_every_route_answers_its_shape, test_bad_queries_answer_400_naming_the_parameter,
          test_only_the_shops_merchant_reads_its_figures,
          test_days_end_at_local_midnight_and_buyers_are_distinct,
          test_visitors_are_distinct_and_views_deduplicated,
          test_refund_counts_on_its_day_and_leaves_gmv,
          test_overview_compares_the_same_part_of_each_day,
          test_customer_service_rounds_and_inquiry_conversion, test_logistics_by_carrier,
          test_coupons_by_claim_and_payment])
