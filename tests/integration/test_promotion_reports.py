"""Promotion reports (docs/promotion.md "Reports"): GET
/v1/shops/{id}/promotions/reports and reports.csv.

Impressions, clicks and attributed orders are placed across days and weeks
with the test clock, on both sides of midnight and of Monday 00:00 in
MERCHANTD_TZ (Asia/Shanghai, where 00:10 is still the day before in UTC);
every figure of the daily and weekly reports, of the whole shop and of one
plan, once the rollups are folded, equals a recount: impressions as the
searches showed them and as their log (promotion_impressions) holds them,
clicks, spend, attributed orders and GMV from the raw rows
(promotion_clicks, promotion_attributions, orders), ratios rounded half up;
as_of is the fold's. The CSV's headers and rows; every refusal; roles and
tenants. The report letters: yesterday's and last week's, delivered on the
hour (06-22) exactly once while job runs race, only to shops with activity,
and not before the fold has passed the period's end. Searches of one hot
plan's word at once all succeed and, folded, count exactly the impressions
issued; `merchantd stats check` then passes, and finds a wrong count of a
day or of a plan's lifetime, which a rebuild puts right."""

import base64
import csv
import datetime
import io
import os
import struct
import sys
import threading
import time
import uuid
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(__file__))
from harness import *  # noqa: E402,F401,F403

ENV = {"MERCHANTD_JOB_INTERVAL_SECONDS": "86400", "MERCHANTD_STATS_FOLD_SECONDS": "0",
       "MERCHANTD_PER_IP_CONNECTION_LIMIT": "2000"}
SHANGHAI = ZoneInfo("Asia/Shanghai")
SUNDAY = datetime.datetime(2031, 7, 6, 23, 50, tzinfo=SHANGHAI)  # week of Mon 2031-06-30
RUN = uuid.uuid4().hex[:6]
now = [SUNDAY]



def server():
    return srv(ENV)


def call(method, path, token=None, body=None):
    return server().request(method, path, body, token=token)


def freeze(when):
    now[0] = when
    server().set_clock(fmt_time(when))


def ok(r, status=200):
    assert r.status == status, r
    return r.json


def product(shop, title, price=1000):
    p = int(sql(f"INSERT INTO products (shop_id, title, status, created_at, updated_at) VALUES "
                f"({shop}, {sql_literal(title)}, 'on_sale', now(), now()) RETURNING id"))
    sql(f"INSERT INTO skus (product_id, shop_id, spec, price_cents, stock, created_at, updated_at)"
        f" VALUES ({p}, {shop}, 'std', {price}, 100, now(), now())")
    return p


def topup(shop, amount):
    ledger_fund(shop, amount, kind="promotion", event="topup")


def make_plan(shop, token, product_id, word, bid):
    return ok(call("POST", f"/v1/shops/{shop}/promotions", token, {
        "product_id": product_id, "name": "报表测试", "daily_budget_cents": 100000,
        "starts_at": fmt_time(now[0] - datetime.timedelta(hours=1)),
        "keywords": [{"word": word, "bid_cents": bid}]}), 201)


def fold():
    """The rollups hold every write committed before the call (impressions
    are counted by the fold), the rebuild the first fold starts included."""
    fold_stats(server(), timeout=120, rebuilt=True)


def fold_as_of():
    return sql("SELECT to_char(as_of AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
               " FROM stats_fold_state")


def day_of(when):
    return when.astimezone(SHANGHAI).date()


class World:
    """Two plans of shop A, shown, clicked and ordered over Sunday night,
    Monday just after midnight and Tuesday; shop B with a plan of its own."""

    def __init__(self):
        freeze(SUNDAY - datetime.timedelta(hours=2))
        self.ma, self.ta = new_merchant()
        self.shop, _ = new_shop(self.ma)
        self.mb, self.tb = new_merchant()
        self.shop_b, _ = new_shop(self.mb)
        topup(self.shop, 100000)
        topup(self.shop_b, 100000)
        self.p1 = product(self.shop, f"报表龙井{RUN}", price=2500)
        self.p2 = product(self.shop, f"报表碧螺{RUN}", price=1200)
        self.w1, self.w2 = f"龙井报{RUN}", f"碧螺报{RUN}"
        self.plan1 = make_plan(self.shop, self.ta, self.p1, self.w1, 60)
        self.plan2 = make_plan(self.shop, self.ta, self.p2, self.w2, 30)
        self.plan_b = make_plan(self.shop_b, self.tb, product(self.shop_b, f"乙{RUN}"),
                                f"乙报{RUN}", 40)
        self.buyers = [new_buyer() for _ in range(3)]
        self.shown = {}  # (plan id, day) -> impressions the searches showed

        # Sunday 23:50 (15:50 UTC): two buyers see plan 1, one clicks; a
        # visitor sees it too.
        freeze(SUNDAY)
        i1 = self.see(self.w1, self.buyers[0][1])
        self.see(self.w1, None, "visitor-report-1")
        self.see(self.w1, self.buyers[1][1])
        assert ok(self.click(i1, self.buyers[0][1]))["charged"]
        # Monday 00:10 (Sunday 16:10 UTC): a new day and a new week.
        freeze(SUNDAY + datetime.timedelta(minutes=20))
        i2 = self.see(self.w1, self.buyers[1][1])
        assert ok(self.click(i2, self.buyers[1][1]))["charged"]
        i3 = self.see(self.w2, self.buyers[2][1])
        assert ok(self.click(i3, self.buyers[2][1]))["charged"]
        self.paid = self.order(self.buyers[0][1], self.p1, pay=True)  # plan 1, Monday
        self.order(self.buyers[2][1], self.p2, pay=True)  # plan 2, Monday
        # Tuesday: an unpaid order (0 GMV), a repeated click that charges
        # nothing, a shown impression.
        freeze(SUNDAY + datetime.timedelta(days=1, hours=12))
        self.order(self.buyers[1][1], self.p1)
        i4 = self.see(self.w1, self.buyers[1][1])
        assert ok(self.click(i4, self.buyers[1][1]))["charged"]
        i5 = self.see(self.w1, self.buyers[1][1])
        assert ok(self.click(i5, self.buyers[1][1]))["outcome"] == "repeat_click"
        self.see(self.w2, self.buyers[0][1])
        # Shop B, Monday: not in shop A's reports.
        freeze(SUNDAY + datetime.timedelta(days=1, hours=13))
        ib = self.see(f"乙报{RUN}", self.buyers[0][1])
        assert ok(self.click(ib, self.buyers[0][1]))["charged"]
        # The searches locked no plan row and counted nothing yet: the log
        # holds the impressions, and the fold counts them.
        assert sql(f"SELECT coalesce(sum(impressions), 0) FROM promotion_plan_days"
                   f" WHERE plan_id = {self.plan1['id']}") == "0"
        fold()

    def see(self, word, token, visitor=None):
        args = {"q": word}
        if visitor:
            args["visitor_id"] = visitor
        hits = [i for i in ok(call("GET", "/v1/search/products?" + urlencode(args), token))["items"]
                if i["promoted"]]
        assert len(hits) == 1, hits
        plan = {self.w1: self.plan1["id"], self.w2: self.plan2["id"]}.get(word, 0)
        key = (plan, day_of(now[0]))
        self.shown[key] = self.shown.get(key, 0) + 1
        return hits[0]["impression_id"]

    def click(self, impression, token):
        return call("POST", "/v1/promotions/clicks", token, {"impression_id": impression})

    def order(self, token, product_id, pay=False):
        sku = int(sql(f"SELECT id FROM skus WHERE product_id = {product_id}"))
        o = ok(call("POST", "/v1/orders", token, {"shop_id": self.shop, "items": [
            {"sku_id": sku, "quantity": 1}], "address": ADDRESS}), 201)["id"]
        if pay:
            ok(call("POST", f"/v1/orders/{o}/pay", token))
        return o


world = once(World)


def report(token, shop, **params):
    return call("GET", f"/v1/shops/{shop}/promotions/reports?" + urlencode(params), token)


def rate(num, den, places=4):
    if den == 0:
        return None
    q = Decimal(1).scaleb(-places)
    return float((Decimal(num) / Decimal(den)).quantize(q, rounding=ROUND_HALF_UP))


def money(num, den):
    if den == 0:
        return None
    return int((Decimal(num) / Decimal(den)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def recount(w, plans, first, last):
    """The figures of days first..last (Shanghai) of the plans, from raw
    rows: impressions as the searches showed them."""
    ids = ",".join(str(p) for p in plans)
    zone = "'Asia/Shanghai'"
    impressions = sum(n for (p, d), n in w.shown.items() if p in plans and first <= d <= last)
    logged = int(sql(f"SELECT count(*) FROM promotion_impressions WHERE plan_id IN ({ids})"
                     f" AND (created_at AT TIME ZONE {zone})::date BETWEEN '{first}' AND '{last}'"))
    assert logged == impressions, (plans, first, last, logged, impressions)
    clicks, spend = (int(x) for x in sql(
        f"SELECT count(*), coalesce(sum(price_cents), 0) FROM promotion_clicks WHERE charged"
        f" AND plan_id IN ({ids}) AND (created_at AT TIME ZONE {zone})::date"
        f" BETWEEN '{first}' AND '{last}'").split("|"))
    orders, gmv = (int(x) for x in sql(
        f"SELECT count(*), coalesce(sum(o.paid_cents), 0) FROM promotion_attributions a"
        f" JOIN orders o ON o.id = a.order_id WHERE a.plan_id IN ({ids})"
        f" AND (a.created_at AT TIME ZONE {zone})::date BETWEEN '{first}' AND '{last}'").split("|"))
    return {"impressions": impressions, "clicks": clicks, "ctr": rate(clicks, impressions),
            "spend_cents": spend, "cpc_cents": money(spend, clicks),
            "cpm_cents": money(spend * 1000, impressions), "attributed_orders": orders,
            "gmv_cents": gmv, "click_conversion": rate(orders, clicks), "roi": rate(gmv, spend)}


def figures(row):
    return {k: v for k, v in row.items() if k not in ("from", "to")}


def test_daily_report_equals_a_recount():
    w = world()
    plans = [w.plan1["id"], w.plan2["id"]]
    r = ok(report(w.ta, w.shop, period="day", **{"from": "2031-07-05", "to": "2031-07-09"}))
    assert (r["period"], r["from"], r["to"], r["plan_id"]) == ("day", "2031-07-05", "2031-07-09",
                                                                None)
    # as_of is the fold's: the instant the impressions are complete to.
    assert r["as_of"] == fold_as_of() and parse_time(r["as_of"]) <= now[0], r["as_of"]
    days = [datetime.date(2031, 7, 5) + datetime.timedelta(days=i) for i in range(5)]
    assert [x["from"] for x in r["rows"]] == [str(d) for d in days]
    assert all(x["from"] == x["to"] for x in r["rows"])
    for row, d in zip(r["rows"], days):
        assert figures(row) == recount(w, plans, d, d), (d, row)
    assert r["total"] == recount(w, plans, days[0], days[-1])
    # The day boundary is Shanghai's: Sunday 23:50 and Monday 00:10 are
    # different days although both are Sunday in UTC.
    sun, mon, tue = r["rows"][1], r["rows"][2], r["rows"][3]
    assert (sun["impressions"], sun["clicks"], sun["spend_cents"]) == (3, 1, 10), r["rows"]  # the reserve price
    assert (mon["impressions"], mon["clicks"], mon["attributed_orders"]) == (2, 2, 2)
    assert mon["gmv_cents"] == 2500 + 1200 and mon["roi"] is not None
    assert (tue["clicks"], tue["attributed_orders"], tue["gmv_cents"]) == (1, 1, 0)
    empty = r["rows"][0]
    assert (empty["impressions"], empty["ctr"], empty["cpc_cents"], empty["roi"]) == (0, None,
                                                                                       None, None)
    # One plan.
    r = ok(report(w.ta, w.shop, plan_id=w.plan2["id"], **{"from": "2031-07-05",
                                                          "to": "2031-07-09"}))
    assert r["plan_id"] == w.plan2["id"]
    for row, d in zip(r["rows"], days):
        assert figures(row) == recount(w, [w.plan2["id"]], d, d), (d, row)
    # Shop B sees only its own plan.
    r = ok(report(w.tb, w.shop_b, **{"from": "2031-07-05", "to": "2031-07-09"}))
    assert r["total"]["clicks"] == 1 and r["total"]["impressions"] == 1


def test_weekly_report_runs_monday_to_sunday():
    w = world()
    plans = [w.plan1["id"], w.plan2["id"]]
    r = ok(report(w.ta, w.shop, period="week", **{"from": "2031-07-02", "to": "2031-07-08"}))
    assert (r["period"], r["from"], r["to"]) == ("week", "2031-06-30", "2031-07-13")
    assert [(x["from"], x["to"]) for x in r["rows"]] == [("2031-06-30", "2031-07-06"),
                                                          ("2031-07-07", "2031-07-13")]
    weeks = [(datetime.date(2031, 6, 30), datetime.date(2031, 7, 6)),
             (datetime.date(2031, 7, 7), datetime.date(2031, 7, 13))]
    for row, (a, b) in zip(r["rows"], weeks):
        assert figures(row) == recount(w, plans, a, b), (a, row)
    assert r["rows"][0]["clicks"] == 1 and r["rows"][1]["clicks"] == 3
    assert r["total"] == recount(w, plans, weeks[0][0], weeks[1][1])
    # Defaults: 12 weeks up to this week; 30 days up to today.
    r = ok(report(w.ta, w.shop, period="week"))
    assert len(r["rows"]) == 12 and r["to"] == "2031-07-13", r
    r = ok(report(w.ta, w.shop))
    assert len(r["rows"]) == 30 and r["to"] == str(day_of(now[0]))


def test_csv_headers_and_rows():
    w = world()
    r = call("GET", f"/v1/shops/{w.shop}/promotions/reports.csv?from=2031-07-06&to=2031-07-08",
             w.ta)
    assert r.status == 200 and r.headers["content-type"] == "text/csv; charset=utf-8", r
    assert (r.headers["content-disposition"]
            == f'attachment; filename="promotion-report-{w.shop}-day-2031-07-06-2031-07-08.csv"')
    text = r.raw
    assert text.startswith("\ufeff") and "\r\n" in text
    rows = list(csv.reader(io.StringIO(text[1:], newline="")))
    assert rows[0] == ["开始日期", "结束日期", "曝光量", "点击量", "点击率(%)", "花费(元)",
                       "平均点击花费(元)", "千次曝光花费(元)", "成交订单数", "成交金额(元)",
                       "点击转化率(%)", "投入产出比"]
    j = ok(report(w.ta, w.shop, **{"from": "2031-07-06", "to": "2031-07-08"}))
    assert len(rows) == 1 + 3 + 1
    assert rows[-1][0] == "合计" and rows[-1][1] == "2031-07-08"

    def pct(x):
        return "" if x is None else f"{Decimal(str(x)) * 100:.2f}"

    def yuan(c):
        return "" if c is None else f"{Decimal(c) / 100:.2f}"

    for cells, x in zip(rows[1:], j["rows"] + [dict(j["total"], **{"from": "合计",
                                                                   "to": "2031-07-08"})]):
        assert cells == [x["from"], x["to"], str(x["impressions"]), str(x["clicks"]),
                         pct(x["ctr"]), yuan(x["spend_cents"]), yuan(x["cpc_cents"]),
                         yuan(x["cpm_cents"]), str(x["attributed_orders"]), yuan(x["gmv_cents"]),
                         pct(x["click_conversion"]),
                         "" if x["roi"] is None else f"{Decimal(str(x['roi'])):.4f}"], cells
    r = call("GET", f"/v1/shops/{w.shop}/promotions/reports.csv?from=2031-07-06&to=2031-07-08"
             "&lang=en", w.ta)
    en = list(csv.reader(io.StringIO(r.raw[1:], newline="")))
    assert en[0] == ["from", "to", "impressions", "clicks", "ctr_percent", "spend_yuan", "cpc_yuan",
                     "cpm_yuan", "attributed_orders", "gmv_yuan", "click_conversion_percent", "roi"]
    assert en[1:-1] == rows[1:-1] and en[-1] == ["total"] + rows[-1][1:]
    r = call("GET", f"/v1/shops/{w.shop}/promotions/reports.csv?period=week&from=2031-07-06"
             f"&to=2031-07-08&plan_id={w.plan1['id']}", w.ta)
    rows = list(csv.reader(io.StringIO(r.raw[1:], newline="")))
    assert [c[:2] for c in rows[1:]] == [["2031-06-30", "2031-07-06"], ["2031-07-07", "2031-07-13"],
                                         ["合计", "2031-07-13"]]


def test_refusals_roles_and_tenants():
    w = world()
    for path in ("reports", "reports.csv"):
        base = f"/v1/shops/{w.shop}/promotions/{path}"
        for q, field in (("period=month", "period"), ("from=2031-07-09&to=2031-07-08", "to"),
                         ("from=2030-07-01&to=2031-07-08", "from"), ("from=2031-02-30", "from"),
                         ("from=2099-01-01", "from"), ("plan_id=0", "plan_id"),
                         ("plan_id=x", "plan_id")):
            r = call("GET", f"{base}?{q}", w.ta)
            assert_problem(r, 400, "invalid_field")
            assert [e["field"] for e in r.json["errors"]] == [field], (q, r.json)
        assert_problem(call("GET", f"{base}?bogus=1", w.ta), 400, "unknown_field")
        r = call("GET", f"{base}?lang=fr", w.ta)
        if path == "reports.csv":
            assert_problem(r, 400, "invalid_field")
            assert r.json["errors"][0]["field"] == "lang"
        else:
            assert_problem(r, 400, "unknown_field")
        # 366 days is the widest window.
        assert call("GET", f"{base}?from=2030-07-08&to=2031-07-08", w.ta).status == 200
        # Another shop's plan, a missing plan, another merchant's shop: 404.
        assert_problem(call("GET", f"{base}?plan_id={w.plan_b['id']}", w.ta), 404, "not_found")
        assert_problem(call("GET", f"{base}?plan_id=999999999", w.ta), 404, "not_found")
        assert_problem(call("GET", f"/v1/shops/{w.shop_b}/promotions/{path}", w.ta), 404,
                       "not_found")
        assert_problem(call("GET", f"/v1/shops/999999999/promotions/{path}", w.ta), 404,
                       "not_found")
        assert_problem(call("GET", base, w.buyers[0][1]), 403, "forbidden")
        assert_problem(call("GET", base), 401, "unauthenticated")


def promotion_letters(shop):
    rows = sql(f"SELECT kind, report_from, delivered_at AT TIME ZONE 'Asia/Shanghai', summary"
               f" FROM letters WHERE shop_id = {shop} AND report_from IS NOT NULL"
               f" ORDER BY kind, report_from")
    return [tuple(r.split("|")) for r in rows.split("\n")] if rows else []


def run_jobs_racing(n=4):
    replies = parallel(lambda: server().request("POST", "/v1/test/jobs/run"), [()] * n)
    assert all(r.status == 200 for r in replies), replies


def test_report_letters_on_the_hour_once():
    w = world()
    quiet, _ = new_shop(w.ma)  # no promotion activity: no letters
    # Wednesday 05:30: before the first delivery hour, nothing.
    freeze(datetime.datetime(2031, 7, 9, 5, 30, tzinfo=SHANGHAI))
    run_jobs_racing()
    assert promotion_letters(w.shop) == [] and promotion_letters(w.shop_b) == []
    # 06:20, the fold behind, as_of still Tuesday 23:59 (a long
    # transaction holds it back): Tuesday's impressions may be incomplete,
    # so no daily letter yet; last week's, complete, goes. The same run's
    # fold (after the letters' job) catches up.
    freeze(datetime.datetime(2031, 7, 9, 6, 20, tzinfo=SHANGHAI))
    sql("UPDATE stats_fold_state SET as_of = '2031-07-08 23:59:00+08'")
    ok(call("POST", "/v1/test/jobs/run"))
    assert [g[:2] for g in promotion_letters(w.shop)] == [("promotion_weekly", "2031-06-30")]
    assert promotion_letters(w.shop_b) == []
    assert parse_time(fold_as_of()) >= datetime.datetime(2031, 7, 9, tzinfo=SHANGHAI)
    # Then yesterday's (Tuesday's) daily report and last week's weekly
    # report, delivered at 06:00, once although four runs race.
    run_jobs_racing()
    run_jobs_racing()
    tue = ok(report(w.ta, w.shop, **{"from": "2031-07-08", "to": "2031-07-08"}))["total"]
    got = promotion_letters(w.shop)
    assert [g[:3] for g in got] == [("promotion_daily", "2031-07-08", "2031-07-09 06:00:00"),
                                    ("promotion_weekly", "2031-06-30", "2031-07-09 06:00:00")], got
    assert got[0][3] == (f"2031-07-08 推广日报：曝光 {tue['impressions']}，点击 {tue['clicks']}，"
                         f"花费 {Decimal(tue['spend_cents']) / 100:.2f} 元"), got
    week = ok(report(w.ta, w.shop, period="week", **{"from": "2031-06-30", "to": "2031-06-30"}))
    assert f"点击 {week['total']['clicks']}，" in got[1][3], got
    # Shop B: Tuesday only (its week is this one); a quiet shop: nothing.
    assert [g[:2] for g in promotion_letters(w.shop_b)] == [("promotion_daily", "2031-07-08")]
    assert promotion_letters(quiet) == []
    # The shop's letter list shows them.
    kinds = [x["kind"] for x in ok(call("GET", f"/v1/shops/{w.shop}/letters", w.ta))["items"]]
    assert "promotion_daily" in kinds and "promotion_weekly" in kinds, kinds
    # Later the same day, and at 23:00 the next day (outside the hours):
    # nothing new; the next day at 06:00, Wednesday's report has no activity.
    freeze(datetime.datetime(2031, 7, 9, 15, 0, tzinfo=SHANGHAI))
    run_jobs_racing()
    freeze(datetime.datetime(2031, 7, 10, 23, 0, tzinfo=SHANGHAI))
    run_jobs_racing()
    assert len(promotion_letters(w.shop)) == 2


def impression_of(token):
    """The impression id of an impression_id token: base64url of the
    payload (version, impression id, ... big-endian) and its tag."""
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    return struct.unpack(">Q", raw[1:9])[0]


def stats_check_output():
    return run_cli(["stats", "check"], server().db_url, timeout=300)


def assert_stats_check():
    out = stats_check_output()
    assert out.returncode == 0 and "stats check passed" in out.stdout, \
        out.stdout[-4000:] + out.stderr[-2000:]


def test_hot_plan_searches_fold_to_exact_impressions():
    w = world()
    freeze(datetime.datetime(2031, 7, 11, 12, 0, tzinfo=SHANGHAI))
    m, t = new_merchant()
    shop, _ = new_shop(m)
    topup(shop, 100000)
    word = f"热词{RUN}"
    plan = make_plan(shop, t, product(shop, f"热卖{RUN}"), word, 50)
    visitors = [f"hot-{RUN}-{i:04d}" for i in range(300)]

    def see(v):
        r = call("GET", "/v1/search/products?" + urlencode({"q": word, "visitor_id": v}))
        assert r.status == 200, r
        return [i["impression_id"] for i in r.json["items"] if i["promoted"]]

    shown = parallel(see, [(v,) for v in visitors])
    assert all(isinstance(x, list) and len(x) == 1 for x in shown), \
        [x for x in shown if not isinstance(x, list) or len(x) != 1][:3]
    issued = sorted(impression_of(x[0]) for x in shown)
    assert len(set(issued)) == 300
    logged = sql(f"SELECT impression_id FROM promotion_impressions WHERE plan_id = {plan['id']}"
                 f" ORDER BY 1")
    assert [int(x) for x in logged.split()] == issued
    fold()
    got = ok(call("GET", f"/v1/shops/{shop}/promotions/{plan['id']}", t))
    assert got["impressions"] == 300 and got["today"]["impressions"] == 300, got
    r = ok(report(t, shop, **{"from": "2031-07-11", "to": "2031-07-11"}))
    assert r["total"]["impressions"] == 300 and r["as_of"] == fold_as_of(), r
    # The rollups equal a rebuild from the log; a wrong count of a day, or
    # of the plan's lifetime, is found, and a rebuild puts it right.
    assert_stats_check()
    sql(f"UPDATE promotion_plan_days SET impressions = impressions + 1"
        f" WHERE plan_id = {plan['id']}")
    out = stats_check_output()
    assert out.returncode == 1 and "promotion_plan_days: incremental" in out.stdout, \
        out.stdout + out.stderr
    out = run_cli(["stats", "rebuild", "--shop", str(shop), "--from", "2031-07-11"],
                  server().db_url, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert sql(f"SELECT impressions FROM promotion_plan_days WHERE plan_id = {plan['id']}") == "300"
    sql(f"UPDATE promotion_plans SET impressions = impressions + 7 WHERE id = {plan['id']}")
    out = stats_check_output()
    assert out.returncode == 1 and "promotion_plans: incremental" in out.stdout, \
        out.stdout + out.stderr
    out = run_cli(["stats", "rebuild", "--shop", str(shop)], server().db_url, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert sql(f"SELECT impressions FROM promotion_plans WHERE id = {plan['id']}") == "300"
    # Clicks of the hot plan (its day row, then its plan row), new searches,
    # folds and a rebuild of its day all at once: none waits for another in
    # a cycle (every one takes day rows before plan rows), every click
    # answers, and the counts stay exact.
    more = [f"hot2-{RUN}-{i:04d}" for i in range(120)]
    tokens = [x[0] for x in parallel(see, [(v,) for v in more])]
    rebuild = ["stats", "rebuild", "--shop", str(shop), "--from", "2031-07-11"]

    def work(kind, arg):
        if kind == "click":
            i = int(arg)
            return call("POST", "/v1/promotions/clicks", None,
                        {"impression_id": tokens[i], "visitor_id": more[i]}).status
        if kind == "search":
            return 200 if len(see(arg)) == 1 else 0
        if kind == "fold":
            return call("POST", "/v1/test/jobs/run").status
        return 200 if run_cli(rebuild, server().db_url, timeout=300).returncode == 0 else 0

    jobs = ([("click", str(i)) for i in range(120)]
            + [("search", f"hot3-{RUN}-{i:04d}") for i in range(60)]
            + [("fold", "")] * 4 + [("rebuild", "")] * 2)
    assert set(parallel(work, jobs)) == {200}
    fold()
    n = int(sql(f"SELECT count(*) FROM promotion_impressions WHERE plan_id = {plan['id']}"))
    assert n == 300 + 120 + 60
    assert sql(f"SELECT impressions FROM promotion_plans WHERE id = {plan['id']}") == str(n)
    clicks = int(sql(f"SELECT count(*) FROM promotion_clicks WHERE plan_id = {plan['id']}"
                     f" AND charged"))
    assert clicks == 120 and sql(f"SELECT impressions || ':' || clicks FROM promotion_plan_days"
                                 f" WHERE plan_id = {plan['id']}") == f"{n}:{clicks}"
    assert_stats_check()
    # A click holding the plan's day row (of 07-12) while stats check folds
    # an impression of the plan that committed late (of 07-11, before
    # midnight) and then forgets every day: the check takes the day rows
    # before the fold takes the plan row, so the click's next step, the
    # plan row, does not wait for it (no deadlock); the check, whose
    # snapshot the click's commit outdates, tries again and passes.
    freeze(datetime.datetime(2031, 7, 12, 0, 30, tzinfo=SHANGHAI))
    v = f"hot5-{RUN}"
    assert ok(call("POST", "/v1/promotions/clicks", None,
                   {"impression_id": see(v)[0], "visitor_id": v}))["charged"]
    fold()
    sql(f"INSERT INTO promotion_impressions (impression_id, plan_id, shop_id, product_id,"
        f" price_cents, created_at) VALUES (nextval('promotion_impression_ids'), {plan['id']},"
        f" {shop}, {plan['product_id']}, 10, '2031-07-11 23:59:00+08')")
    deadlocks = "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"
    before = int(sql(deadlocks))
    click = Session()
    click.run("BEGIN")
    click.run(f"UPDATE promotion_plan_days SET clicks = clicks WHERE plan_id = {plan['id']}"
              f" AND day = '2031-07-12'")
    checked = []
    t = threading.Thread(target=lambda: checked.append(stats_check_output()))
    t.start()
    deadline = time.monotonic() + 20
    while sql("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
              " AND wait_event_type = 'Lock'") == "0":
        assert time.monotonic() < deadline, "stats check did not wait for the day row"
        time.sleep(0.02)
    click.run(f"UPDATE promotion_plans SET clicks = clicks WHERE id = {plan['id']}")
    click.run("COMMIT")
    click.close()
    t.join()
    assert checked[0].returncode == 0 and "stats check passed" in checked[0].stdout, \
        checked[0].stdout + checked[0].stderr
    # A deadlock would have cost one of them its transaction (the check
    # tries again; a click would fail): none happened. The count is flushed
    # when the check's connection ends.
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline:
        assert int(sql(deadlocks)) == before, "a deadlock between the check and the click"
        time.sleep(0.1)
    fold()
    assert sql(f"SELECT impressions FROM promotion_plan_days WHERE plan_id = {plan['id']}"
               f" AND day = '2031-07-11'") == str(n + 1)
    # Shop A's figures were not touched by shop B's rebuild, and still
    # equal the recount.
    assert figures(ok(report(w.ta, w.shop, **{"from": "2031-07-06", "to": "2031-07-06"}))
                   ["rows"][0]) == recount(w, [w.plan1["id"], w.plan2["id"]],
                                           datetime.date(2031, 7, 6), datetime.date(2031, 7, 6))
    assert_stats_check()


def test_impressions_log_kept_400_days():
    """The log goes after 400 days (prune_stats); the day rows stay, and a
    rebuild leaves the impressions of the days the log no longer holds as
    they were."""
    w = world()
    window = {"from": "2031-07-06", "to": "2031-07-08"}
    before = ok(report(w.ta, w.shop, **window))["rows"]
    assert sum(r["impressions"] for r in before) > 0
    freeze(datetime.datetime(2032, 8, 20, 10, 0, tzinfo=SHANGHAI))
    ok(call("POST", "/v1/test/jobs/run"))
    assert sql(f"SELECT count(*) FROM promotion_impressions WHERE shop_id = {w.shop}"
               f" AND created_at < '2031-07-12 00:00+08'") == "0"
    assert sql("SELECT impressions_from FROM stats_fold_state") == str(datetime.date(2032, 8, 20)
                                                                       - datetime.timedelta(400))
    out = run_cli(["stats", "rebuild", "--shop", str(w.shop), "--from", "2031-07-01"],
                  server().db_url, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    token = server().login(sql(f"SELECT username FROM accounts WHERE id = {w.ma}"))  # a year on
    assert ok(report(token, w.shop, **window))["rows"] == before
    assert_stats_check()


if __name__ == "__main__":
    main([test_daily_report_equals_a_recount, test_weekly_report_runs_monday_to_sunday,
          test_csv_headers_and_rows, test_refusals_roles_and_tenants,
          test_report_letters_on_the_hour_once, test_hot_plan_searches_fold_to_exact_impressions,
          test_impressions_log_kept_400_days])
