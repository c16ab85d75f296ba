"""The rollup worker of the data pages (docs/data.md): folds behind a safe
watermark (a transaction that commits late is folded by the next fold,
never skipped, never twice), an order folded by its marks whatever it went
through between folds, rollups equal to a rebuild from the raw rows after a
random concurrent load with folds running all along, `merchantd stats
rebuild` for one shop from a day on, and `merchantd stats check`."""

import datetime
import os
import random
import sys
import threading
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(__file__))
from harness import *  # noqa: E402,F401,F403

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Folds run when the test asks. Each test's clock starts after the last
# one's: a fold takes a round as final once its 600 s have passed, and the
# clock going back would make it open again.
ENV = {"MERCHANTD_JOB_INTERVAL_SECONDS": "86400", "MERCHANTD_STATS_FOLD_SECONDS": "0"}
START = datetime.datetime(2031, 5, 12, 9, 0, tzinfo=SHANGHAI)


def s():
    return srv(ENV)


def call(method, path, token=None, body=None):
    return s().request(method, path, body, token=token)


def fold():
    fold_stats(s())


def fold_once():
    """One run of the jobs, whatever transactions stay open."""
    r = call("POST", "/v1/test/jobs/run")
    assert r.status == 200, r


def stats_check():
    out = run_cli(["stats", "check"], s().db_url, timeout=300)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
    assert "stats check passed" in out.stdout, out.stdout


def day_figures(shop, *columns):
    """The shop's day buckets, {local date: (columns...)}."""
    rows = sql(f"SELECT stats_day(at), {', '.join(columns)} FROM stats_shop"
               f" WHERE shop_id = {shop} AND grain = 'd' ORDER BY at")
    out = {}
    for line in filter(None, rows.split("\n")):
        day, *values = line.split("|")
        out[day] = tuple(int(v) for v in values)
    return out


def views_partition(day):
    """The page_views partition of a Shanghai day (made here so that this
    file does not depend on the partition job)."""
    name = f"page_views_{day:%Y%m%d}"
    sql(f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF page_views FOR VALUES"
        f" FROM ('{day:%Y-%m-%d} 00:00+08') TO ('{day + datetime.timedelta(days=1):%Y-%m-%d}"
        f" 00:00+08')")


def view(shop, product, visitor, at):
    sql(f"INSERT INTO page_views (shop_id, product_id, visitor, minute, at) VALUES"
        f" ({shop}, {product or 'NULL'}, '{visitor}', date_trunc('minute', '{at.isoformat()}'::"
        f"timestamptz), '{at.isoformat()}') ON CONFLICT DO NOTHING")


class World:
    def __init__(self):
        s().set_clock(fmt_time(START))
        self.merchant, self.token = new_merchant()
        self.buyers = [new_buyer() for _ in range(4)]
        self.shop, self.sku = new_shop(self.merchant, stock=100000, price=500)
        self.product = int(sql(f"SELECT product_id FROM skus WHERE id = {self.sku}"))


world = once(World)


def place(token, shop, sku, qty=1):
    r = call("POST", "/v1/orders", token,
             {"shop_id": shop, "items": [{"sku_id": sku, "quantity": qty}], "address": ADDRESS})
    assert r.status == 201, r
    return r.json["id"]


def pay(token, order):
    r = call("POST", f"/v1/orders/{order}/pay", token)
    assert r.status == 200, r


# ---------------------------------------------------------------------------


def test_first_fold_rebuilds_the_history_day_by_day():
    """Orders paid on three days before the first fold: the first fold sets
    the watermark and starts a rebuild of those days, a day per transaction,
    which the job then runs; as_of is the fold's time."""
    w = world()
    buyer, btok = w.buyers[3]
    for d in range(3):
        s().set_clock(fmt_time(START - datetime.timedelta(days=3 - d)))
        pay(btok, place(btok, w.shop, w.sku, d + 1))
    s().set_clock(fmt_time(START))
    assert sql("SELECT folded_to IS NULL FROM stats_fold_state") == "t"
    fold()
    assert sql(f"SELECT folded_to IS NOT NULL, rebuild_next IS NULL, as_of <= '{START.isoformat()}',"
               f" as_of > '{START.isoformat()}'::timestamptz - interval '1 minute'"
               f" FROM stats_fold_state") == "t|t|t|t"
    assert day_figures(w.shop, "gmv_cents", "orders") == {
        "2031-05-09": (500, 1), "2031-05-10": (1000, 1), "2031-05-11": (1500, 1)}


def test_order_adds_each_fact_once_however_it_changed():
    """Paid, shipped and completed between two folds, then folded again:
    each fact once, on its own day."""
    w = world()
    shop, sku = new_shop(w.merchant, stock=1000, price=700)
    buyer, btok = w.buyers[0]
    s().set_clock(fmt_time(START))
    order = place(btok, shop, sku, 2)
    pay(btok, order)
    s().set_clock(fmt_time(START + datetime.timedelta(hours=20)))  # the next day, 05:00
    r = call("POST", f"/v1/shops/{shop}/orders/{order}/ship", w.token,
             {"carrier": "zto", "tracking_no": "ZT12345678"})
    assert r.status == 200, r
    s().set_clock(fmt_time(START + datetime.timedelta(days=3)))
    assert call("POST", f"/v1/orders/{order}/confirm-receipt", btok).status == 200
    fold()
    fold()
    assert day_figures(shop, "gmv_cents", "orders", "buyers", "shipped", "ship_secs") == {
        "2031-05-12": (1400, 1, 1, 0, 0), "2031-05-13": (0, 0, 0, 1, 72000)}
    assert sql(f"SELECT day, shipped, ship_secs, completed, transit_secs FROM stats_carrier"
               f" WHERE shop_id = {shop} ORDER BY day") == \
        "2031-05-13|1|72000|0|0\n2031-05-15|0|0|1|187200"
    assert sql(f"SELECT day, gmv_cents, units, orders, buyers FROM stats_product"
               f" WHERE shop_id = {shop}") == "2031-05-12|1400|2|1|1"
    assert sql(f"SELECT marks FROM stats_order_marks WHERE order_id = {order}") == "7"


def test_late_commit_is_folded_by_the_next_fold():
    """A refund and a message written by a transaction that is still open
    while a fold runs are folded once it has committed, exactly once."""
    w = world()
    shop, sku = new_shop(w.merchant, stock=1000, price=900)
    buyer, btok = w.buyers[1]
    s().set_clock(fmt_time(START))
    order = place(btok, shop, sku)
    pay(btok, order)
    conv = call("POST", f"/v1/shops/{shop}/conversations", btok).json["id"]
    fold()
    late = Session()
    late.run("BEGIN")
    late.run(f"INSERT INTO refunds (order_id, amount_cents, reason, created_at)"
             f" VALUES ({order}, 300, 'late', '{START.isoformat()}')")
    # Written after the open transaction began, committed before the fold.
    r = call("POST", f"/v1/conversations/{conv}/messages", btok, {"type": "text", "text": "hi"})
    assert r.status == 201, r
    fold_once()
    # Both are held back: the message's transaction began after the open one.
    assert day_figures(shop, "gmv_cents", "refund_cents", "refunds", "cs_buyers") == {
        "2031-05-12": (900, 0, 0, 0)}
    late.run("COMMIT")
    late.close()
    fold()
    fold()
    assert day_figures(shop, "gmv_cents", "refund_cents", "refunds", "cs_buyers") == {
        "2031-05-12": (900, 300, 1, 1)}


def test_rollups_equal_a_rebuild_after_concurrent_load():
    """Buyers order, pay, cancel, claim coupons, write and view; the merchant
    ships, replies and refunds; the clock runs across midnight; folds run
    all along. Then the rollups equal a rebuild, and the totals equal the
    raw rows."""
    w = world()
    shop, sku = new_shop(w.merchant, stock=100000, price=300)
    product = int(sql(f"SELECT product_id FROM skus WHERE id = {sku}"))
    coupon = int(sql(
        f"INSERT INTO coupons (shop_id, kind, title, discount_cents, min_order_cents,"
        f" total_quantity, per_buyer_limit, claim_start, claim_end, valid_days, channel,"
        f" created_at) VALUES ({shop}, 'shop', '1 off', 100, 200, 1000, 50,"
        f" '2031-01-01', '2032-01-01', 30, 'normal', now()) RETURNING id"))
    clock = [START + datetime.timedelta(days=5, hours=13)]  # 22:00, after the tests above
    for d in range(3):
        views_partition((clock[0] + datetime.timedelta(days=d)).date())
    s().set_clock(fmt_time(clock[0]))
    convs = {}
    for _, btok in w.buyers:
        convs[btok] = call("POST", f"/v1/shops/{shop}/conversations", btok).json["id"]
    stop = threading.Event()
    errors = []

    def buyer_load(buyer, btok, seed):
        rng = random.Random(seed)
        try:
            for i in range(40):
                op = rng.random()
                if op < 0.35:
                    order = place(btok, shop, sku, rng.randint(1, 3))
                    pay(btok, order)
                elif op < 0.45:
                    order = place(btok, shop, sku)  # left unpaid
                elif op < 0.55:
                    call("POST", f"/v1/coupons/{coupon}/claim", btok)
                elif op < 0.8:
                    r = call("POST", f"/v1/conversations/{convs[btok]}/messages", btok,
                             {"type": "text", "text": f"question {i}"})
                    assert r.status == 201, r
                else:
                    view(shop, product if rng.random() < 0.7 else None, f"a:{buyer}", clock[0])
        except Exception as e:  # the assertion belongs to the test
            errors.append(e)

    def merchant_load():
        rng = random.Random(7)
        try:
            while not stop.is_set():
                rows = sql(f"SELECT id FROM orders WHERE shop_id = {shop} AND status = 'paid'"
                           f" ORDER BY random() LIMIT 2")
                for order in filter(None, rows.split("\n")):
                    call("POST", f"/v1/shops/{shop}/orders/{order}/ship", w.token,
                         {"carrier": rng.choice(["sf", "zto", "yto"]),
                          "tracking_no": "SF1234567"})
                for conv in convs.values():
                    if rng.random() < 0.3:
                        call("POST", f"/v1/conversations/{conv}/messages", w.token,
                             {"type": "text", "text": "answer"})
        except Exception as e:
            errors.append(e)

    def clock_and_folds():
        try:
            while not stop.is_set():
                clock[0] += datetime.timedelta(minutes=random.randint(1, 25))
                s().set_clock(fmt_time(clock[0]))
                fold()
        except Exception as e:
            errors.append(e)

    helpers = [threading.Thread(target=merchant_load), threading.Thread(target=clock_and_folds)]
    for t in helpers:
        t.start()
    parallel(buyer_load, [(b, t, n) for n, (b, t) in enumerate(w.buyers)])
    stop.set()
    for t in helpers:
        t.join()
    assert not errors, errors
    # Some refunds, on later days than their orders.
    for order in sql(f"SELECT id FROM orders WHERE shop_id = {shop} AND paid_at IS NOT NULL"
                     f" ORDER BY id LIMIT 3").split("\n"):
        sql(f"INSERT INTO refunds (order_id, amount_cents, reason, created_at)"
            f" VALUES ({order}, 50, 'partial', '{fmt_time(clock[0])}')")
    fold()
    assert sql(f"SELECT sum(gmv_cents), sum(orders), sum(refund_cents), sum(pv)"
               f" FROM stats_shop WHERE shop_id = {shop} AND grain = 'd'") == sql(
        f"SELECT (SELECT sum(paid_cents) FROM orders WHERE shop_id = {shop} AND paid_at IS NOT NULL)"
        f", (SELECT count(*) FROM orders WHERE shop_id = {shop} AND paid_at IS NOT NULL)"
        f", (SELECT sum(amount_cents) FROM refunds r JOIN orders o ON o.id = r.order_id"
        f"   WHERE o.shop_id = {shop})"
        f", (SELECT count(*) FROM page_views WHERE shop_id = {shop})")
    # Hours add up to days.
    assert sql(f"SELECT count(*) FROM (SELECT stats_day(at), sum(gmv_cents), sum(buyers),"
               f" sum(cs_rounds) FROM stats_shop WHERE shop_id = {shop} AND grain = 'h'"
               f" GROUP BY 1 EXCEPT SELECT stats_day(at), gmv_cents, buyers, cs_rounds"
               f" FROM stats_shop WHERE shop_id = {shop} AND grain = 'd') x") == "0"
    stats_check()
    # Search's 30-day sales follow the product days; the check sees drift.
    sold = sql(f"SELECT product_id FROM stats_product WHERE shop_id = {shop} AND units > 0 LIMIT 1")
    sql(f"UPDATE products SET sales_30d = sales_30d + 1 WHERE id = {sold}")
    out = run_cli(["stats", "check"], s().db_url, timeout=300)
    assert out.returncode == 1 and f"products.sales_30d" in out.stdout and f"product {sold}:" in out.stdout, \
        out.stdout[-2000:]
    sql(f"UPDATE products SET sales_30d = sales_30d - 1 WHERE id = {sold}")
    stats_check()


def test_customer_service_rounds_and_conversion():
    """Rounds by the definitions of docs/data.md, on one conversation day:
    an auto-reply (a keyword rule) does not end a round, a round starting
    22:59 counts and one starting 23:00 does not, an unanswered round counts
    600 s once its 600 s have passed, and the buyer who wrote and paid within
    24 h converts."""
    w = world()
    shop, sku = new_shop(w.merchant, stock=100, price=400)
    assert call("PUT", f"/v1/shops/{shop}/auto-reply", w.token,
                {"greeting": None, "keyword_rules": [{"keyword": "price", "reply": "see card"}],
                 "away": None}).status == 200
    buyer, btok = new_buyer()
    day = START.replace(hour=0)

    def at(h, m, sec=0):
        s().set_clock(fmt_time(day + datetime.timedelta(hours=h, minutes=m, seconds=sec)))

    at(7, 0)
    conv = call("POST", f"/v1/shops/{shop}/conversations", btok).json["id"]

    def say(token, text):
        r = call("POST", f"/v1/conversations/{conv}/messages", token, {"type": "text", "text": text})
        assert r.status == 201, r

    at(7, 55)
    say(btok, "early")           # round at 07:55: not counted (before 08:00)
    at(8, 10)
    say(btok, "what price?")     # a new round (07:55 ended unanswered at 08:05); auto-reply
    at(8, 12)
    say(w.token, "100")          # answered in 120 s
    at(9, 0)
    say(btok, "still there?")    # answered in 200 s, across a buyer message
    at(9, 2)
    say(btok, "hello?")
    at(9, 3, 20)
    say(w.token, "yes")
    at(22, 59)
    say(btok, "late")            # counts, answered 23:01 in 120 s
    at(23, 1)
    say(w.token, "ok")
    at(23, 5)
    say(btok, "later")           # starts 23:05: not counted
    at(23, 30)
    fold()
    # The 08:10 and 09:00 and 22:59 rounds: 120 + 200 + 120 s.
    assert day_figures(shop, "cs_buyers", "cs_rounds", "cs_rounds_3min", "cs_response_secs",
                       "cs_converted") == {"2031-05-12": (1, 3, 2, 440, 0)}
    # An unanswered round of the next day: counted once its 600 s have passed.
    at(24 + 10, 0)
    say(btok, "anyone?")
    fold()
    assert day_figures(shop, "cs_rounds")["2031-05-13"] == (0,)
    at(24 + 10, 10)
    fold()
    assert day_figures(shop, "cs_rounds", "cs_response_secs")["2031-05-13"] == (1, 600)
    # Paid within 24 h of the last message of 05-12: that day's writer converts.
    at(24 + 20, 0)
    pay(btok, place(btok, shop, sku))
    fold()
    assert day_figures(shop, "cs_converted") == {"2031-05-12": (1,), "2031-05-13": (1,)}
    stats_check()


def test_rebuild_one_shop_from_a_day():
    """Rollups damaged from a day on are put right by a rebuild of that
    shop from that day; the days before and other shops are not touched."""
    w = world()
    shop = w.shop
    buyer, btok = w.buyers[2]
    for d in range(3):
        s().set_clock(fmt_time(START + datetime.timedelta(days=10 + d, hours=2)))
        pay(btok, place(btok, shop, w.sku, d + 1))
    fold()
    before = day_figures(shop, "gmv_cents", "orders", "buyers")
    sql(f"UPDATE stats_shop SET gmv_cents = gmv_cents + 1 WHERE shop_id = {shop}"
        f" AND at >= '2031-05-23 00:00+08'")
    out = run_cli(["stats", "rebuild", "--shop", str(shop), "--from", "2031-05-23"], s().db_url,
                  timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert day_figures(shop, "gmv_cents", "orders", "buyers") == before
    stats_check()


def test_check_reports_a_difference():
    w = world()
    fold()
    sql(f"UPDATE stats_shop SET orders = orders + 1 WHERE shop_id = {w.shop} AND grain = 'd'")
    out = run_cli(["stats", "check"], s().db_url, timeout=300)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "stats_shop: incremental" in out.stdout and "stats_shop: rebuilt" in out.stdout, \
        out.stdout
    out = run_cli(["stats", "rebuild"], s().db_url, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    stats_check()


def test_cli_usage():
    for args in (["stats"], ["stats", "nope"], ["stats", "rebuild", "--shop", "x"],
                 ["stats", "rebuild", "--from", "2031-13-01x"], ["stats", "check", "extra"]):
        out = run_cli(args, s().db_url)
        assert out.returncode == 2, (args, out.stdout, out.stderr)
        assert "usage: merchantd stats" in out.stderr


if __name__ == "__main__":
    main([test_first_fold_rebuilds_the_history_day_by_day,
          test_order_adds_each_fact_once_however_it_changed,
          test_late_commit_is_folded_by_the_next_fold,
          test_customer_service_rounds_and_conversion,
          test_rollups_equal_a_rebuild_after_concurrent_load,
          test_rebuild_one_shop_from_a_day,
          test_check_reports_a_difference,
          test_cli_usage])
