"""Paid promotion, first phase (docs/promotion.md): GET /v1/search/products,
POST /v1/promotions/clicks and the shops' plans, POST/GET/PATCH
/v1/shops/{id}/promotions[/{id}] with pause and resume.

Search: Chinese substrings through the grams index, the organic orders and
their keyset pages, every refusal. Plans: every rule of the body, the
status that says why a plan does not serve, roles and tenants. The
auction on hand-made bids and click histories: who wins and what each
pays (GSP on bid x smoothed CTR), impressions counted by the fold from
their log. Billing: one charge per impression (replayed, forged, another
visitor's, expired on the test clock), the fraud guard (10 minutes, across
midnight too, and 3 a day), and 500 concurrent clicks on a plan
whose budget covers 37 (exactly 37 charged) and on one whose balance
covers 13; the ledger's invariants and `merchantd funds check` after."""

import datetime
import os
import sys
import time
import uuid
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(__file__))
from harness import *  # noqa: E402,F401,F403

ENV = {"MERCHANTD_JOB_INTERVAL_SECONDS": "86400", "MERCHANTD_STATS_FOLD_SECONDS": "0",
       "MERCHANTD_PER_IP_CONNECTION_LIMIT": "2000"}
SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime.datetime(2031, 7, 1, 10, 0, tzinfo=SHANGHAI)
RUN = uuid.uuid4().hex[:6]
now = [START]


def server():
    return srv(ENV)


def call(method, path, token=None, body=None, headers=None):
    return server().request(method, path, body, token=token, headers=headers)


def freeze(when):
    now[0] = when
    server().set_clock(fmt_time(when))


def advance(**delta):
    freeze(now[0] + datetime.timedelta(**delta))


def ok(r, status=200):
    assert r.status == status, r
    return r.json


def product(shop, title, price=1000, status="on_sale"):
    p = int(sql(f"INSERT INTO products (shop_id, title, status, created_at, updated_at) VALUES "
                f"({shop}, {sql_literal(title)}, '{status}', now(), now()) RETURNING id"))
    sql(f"INSERT INTO skus (product_id, shop_id, spec, price_cents, stock, created_at, updated_at)"
        f" VALUES ({p}, {shop}, 'std', {price}, 100, now(), now())")
    return p


def sales(p, units, days_ago=1):
    day = (now[0] - datetime.timedelta(days=days_ago)).date()
    sql(f"INSERT INTO stats_product (product_id, shop_id, day, units) SELECT id, shop_id,"
        f" '{day}', {units} FROM products WHERE id = {p}")


def roll_sales():
    """Runs the jobs, product_sales_roll among them: products.sales_30d then
    counts the 30 days ending on the test clock's day."""
    assert call("POST", "/v1/test/jobs/run").status == 200


def topup(shop, amount):
    ledger_fund(shop, amount, kind="promotion", event="topup")


def balance(shop, kind="promotion"):
    return int(sql(f"SELECT balance FROM ledger_accounts WHERE id = ledger_account({shop}, '{kind}')"))


class World:
    def __init__(self):
        freeze(START)
        self.ma, self.ta = new_merchant()
        self.shop, _ = new_shop(self.ma)
        self.mb, self.tb = new_merchant()
        self.shop_b, _ = new_shop(self.mb)
        self.buyer, self.tbuyer = new_buyer()
        self.buyer2, self.tbuyer2 = new_buyer()
        self.p = product(self.shop, f"明前龙井绿茶{RUN}")
        self.p_b = product(self.shop_b, f"碧螺春{RUN}")


world = once(World)


def plan_body(product_id, words, budget=10000, **extra):
    body = {"product_id": product_id, "name": "春茶推广", "daily_budget_cents": budget,
            "starts_at": fmt_time(now[0] - datetime.timedelta(hours=1)),
            "keywords": [{"word": w, "bid_cents": b} for w, b in words]}
    body.update(extra)
    return body


def make_plan(shop, token, product_id, words, budget=10000, **extra):
    return ok(call("POST", f"/v1/shops/{shop}/promotions", token,
                   plan_body(product_id, words, budget, **extra)), 201)


def search(q, token=None, visitor=None, **params):
    from urllib.parse import urlencode
    args = {"q": q, **params}
    if visitor:
        args["visitor_id"] = visitor
    return call("GET", "/v1/search/products?" + urlencode(args), token)


def click(impression, token=None, visitor=None):
    body = {"impression_id": impression}
    if visitor:
        body["visitor_id"] = visitor
    return call("POST", "/v1/promotions/clicks", token, body)


def fold():
    """The rollups hold every write committed before the call (impressions
    are counted by the fold), the rebuild the first fold starts included."""
    fold_stats(server(), timeout=120, rebuilt=True)


def funds_check():
    out = run_cli(["funds", "check"], server().db_url)
    assert out.returncode == 0 and "funds check passed" in out.stdout, out.stdout + out.stderr


# ---------------------------------------------------------------------------
# Search


def test_search_finds_chinese_substrings_in_order():
    w = world()
    word = f"茗{RUN}"
    a = product(w.shop, f"西湖{word}特级", price=3000)
    b = product(w.shop_b, f"{word}礼盒", price=1000)
    c = product(w.shop, word, price=2000)
    off = product(w.shop, f"{word}下架", status="off_sale")
    nosku = int(sql(f"INSERT INTO products (shop_id, title, status, created_at, updated_at) VALUES"
                    f" ({w.shop}, '{word}无货', 'on_sale', now(), now()) RETURNING id"))
    sales(a, 50)
    sales(b, 5)
    sales(a, 1000, days_ago=40)  # outside the 30 days
    roll_sales()
    ids = [i["product_id"] for i in ok(search(word))["items"]]
    assert ids == [c, a, b], ids  # the title itself, then by 30-day sales
    items = ok(search(word, sort="sales"))["items"]
    assert [i["product_id"] for i in items] == [a, b, c]
    assert [i["sales_30d"] for i in items] == [50, 5, 0]
    assert [i["product_id"] for i in ok(search(word, sort="price"))["items"]] == [b, c, a]
    assert [i["product_id"] for i in ok(search(word, sort="-price"))["items"]] == [a, c, b]
    assert off not in ids and nosku not in ids
    assert all(i["promoted"] is False for i in items)
    # Case-insensitive, literal (no LIKE patterns).
    assert ok(search(f"%{RUN}"))["items"] == []
    # Keyset pages, one product per page, for every order.
    for sort in ("relevance", "sales", "price", "-price"):
        seen, cursor = [], None
        while True:
            r = ok(search(word, sort=sort, limit=1, **({"cursor": cursor} if cursor else {})))
            seen += [i["product_id"] for i in r["items"]]
            cursor = r["next_cursor"]
            if cursor is None:
                break
        assert seen == [i["product_id"] for i in ok(search(word, sort=sort))["items"]], sort
    # The title grams' index serves the query among many products.
    sql(f"INSERT INTO products (shop_id, title, status, created_at, updated_at) SELECT {w.shop_b},"
        f" '填充' || chr(19968 + i % 2000) || chr(19968 + i / 7 % 2000), 'on_sale', now(), now()"
        " FROM generate_series(1, 20000) i;"
        " ANALYZE products")
    plan = sql(f"EXPLAIN SELECT id FROM products p WHERE p.grams @> community_grams('{word}')"
               " AND p.status = 'on_sale' AND p.deleted_at IS NULL")
    assert "products_search_grams" in plan, plan


def index_scans(name):
    return int(sql(f"SELECT pg_stat_get_numscans('{name}'::regclass)"))


def wait_index_stats(name, before):
    """The statistics collector's count of scans of an index, once it has
    moved past before (backends report at the end of a transaction)."""
    for _ in range(2000):
        sql("SELECT pg_stat_clear_snapshot()")
        if index_scans(name) > before:
            return
        time.sleep(0.01)
    raise AssertionError(f"{name} was not scanned")


def every_page(word, sort, limit):
    seen, cursor = [], None
    while True:
        r = ok(search(word, sort=sort, limit=limit, **({"cursor": cursor} if cursor else {})))
        seen += [(i["product_id"], i["sales_30d"], i["price_cents"]) for i in r["items"]]
        cursor = r["next_cursor"]
        if cursor is None:
            return seen


def test_search_of_a_common_word_reads_in_ranking_order():
    """A word in more titles than the cap (sqrt(limit x products)) is read
    from the ordering's index in its order and checked title by title;
    when its matches lie beyond 10 x cap products of the order, the rest
    of the page comes from the grams' index. Every page of every order
    equals the order recounted here."""
    w = world()
    word = f"奶{RUN}"
    rows = sql(f"""
      WITH p AS (
        INSERT INTO products (shop_id, title, status, created_at, updated_at)
        SELECT {w.shop_b}, CASE WHEN i <= 3 THEN '{word}' WHEN i % 3 = 0 THEN '{word}' || i
                                ELSE '纯' || '{word}' || i END,
               CASE WHEN i % 50 = 7 THEN 'off_sale' ELSE 'on_sale' END, now(), now()
          FROM generate_series(1, 1200) i RETURNING id),
      k AS (INSERT INTO skus (product_id, shop_id, spec, price_cents, stock, created_at, updated_at)
            SELECT id, {w.shop_b}, 'std', 100 + (id % 7) * 100, 10, now(), now()
              FROM p WHERE id % 40 <> 5)
      SELECT count(*) FROM p""")
    assert rows == "1200"
    # Sales on some days in the 30, and one outside; most products sell nothing.
    day = now[0].date()
    sql(f"""INSERT INTO stats_product (product_id, shop_id, day, units)
            SELECT id, shop_id, d.day, (id * 7919 + d.n) % 97 + 1
              FROM products, (VALUES ('{day - datetime.timedelta(days=2)}'::date, 1),
                                     ('{day - datetime.timedelta(days=29)}'::date, 2),
                                     ('{day - datetime.timedelta(days=31)}'::date, 3)) d (day, n)
             WHERE title LIKE '%{word}%' AND id % 4 = 1""")
    # Products that match nothing, newer and selling nothing: the matches
    # that sold nothing lie behind them in the sales order.
    sql(f"INSERT INTO products (shop_id, title, status, min_price_cents, created_at, updated_at)"
        f" SELECT {w.shop_b}, '别的' || i, 'on_sale', 100, now(), now()"
        " FROM generate_series(1, 20000) i; ANALYZE products")
    roll_sales()
    want = sql(f"""SELECT string_agg(format('%s:%s:%s:%s', p.id, p.title = '{word}',
                                            coalesce(s.units, 0), m.price), ',')
                     FROM products p
                     JOIN (SELECT product_id, min(price_cents) AS price FROM skus GROUP BY 1) m
                       ON m.product_id = p.id
                     LEFT JOIN (SELECT product_id, sum(units) AS units FROM stats_product
                                 WHERE day > '{day}'::date - 30 GROUP BY 1) s ON s.product_id = p.id
                    WHERE p.title LIKE '%{word}%' AND p.status = 'on_sale'""")
    items = []
    for row in want.split(","):
        pid, exact, units, price = row.split(":")
        items.append((int(pid), exact == "t", int(units), int(price)))
    assert len(items) > 1000
    orders = {
        "relevance": sorted(items, key=lambda i: (i[1], i[2], i[0]), reverse=True),
        "sales": sorted(items, key=lambda i: (i[2], i[0]), reverse=True),
        "price": sorted(items, key=lambda i: (-i[3], i[0]), reverse=True),
        "-price": sorted(items, key=lambda i: (i[3], i[0]), reverse=True),
    }
    index = {"relevance": "products_search_sales", "sales": "products_search_sales",
             "price": "products_search_price", "-price": "products_search_price_desc"}
    for sort, expected in orders.items():
        before = index_scans(index[sort])
        got = every_page(word, sort, 25)
        assert got == [(i[0], i[2], i[3]) for i in expected], sort
        wait_index_stats(index[sort], before)
    # The titles that are the query come first, from their own index.
    assert orders["relevance"][0][1]
    before = index_scans("products_search_title")
    ok(search(word))
    wait_index_stats("products_search_title", before)


def test_sales_30d_and_lowest_price_follow_the_rows():
    w = world()
    p = product(w.shop, f"账{RUN}", price=500)
    pid = lambda: sql(f"SELECT sales_30d || ':' || coalesce(min_price_cents::text, '-') FROM products WHERE id = {p}")
    roll_sales()
    sales(p, 5, days_ago=29)   # the first day of the 30
    sales(p, 7, days_ago=1)
    sales(p, 100, days_ago=30)  # the day before it
    assert pid() == "12:500"
    sql(f"UPDATE stats_product SET units = units + 3 WHERE product_id = {p}"
        f" AND day = '{(now[0] - datetime.timedelta(days=1)).date()}'")
    assert pid() == "15:500"
    # A day later, the first day leaves the 30; back again, it returns.
    advance(days=1)
    roll_sales()
    assert pid() == "10:500"
    advance(days=-1)
    roll_sales()
    assert pid() == "15:500"
    sql(f"DELETE FROM stats_product WHERE product_id = {p} AND units = 5")
    assert pid() == "10:500"
    # The lowest SKU price, through the API: added, repriced, raised.
    shop = f"/v1/shops/{w.shop}/products/{p}/skus"
    k = ok(call("POST", shop, w.ta, {"spec": "大", "price_cents": 300, "stock": 1}), 201)["id"]
    assert pid() == "10:300"
    ok(call("PATCH", f"{shop}/{k}", w.ta, {"price_cents": 200}))
    assert pid() == "10:200"
    ok(call("PATCH", f"{shop}/{k}", w.ta, {"price_cents": 900}))
    assert pid() == "10:500"
    # Concurrent repricing of every SKU of one product: the lowest is exact.
    ks = [ok(call("POST", shop, w.ta, {"spec": f"s{i}", "price_cents": 1000, "stock": 1}), 201)["id"]
          for i in range(6)] + [k]
    prices = [(ks[i % len(ks)], 100 + (i * 37) % 900) for i in range(60)]
    replies = parallel(lambda kid, price: call("PATCH", f"{shop}/{kid}", w.ta, {"price_cents": price}),
                       prices)
    assert all(r.status == 200 for r in replies), replies[:3]
    assert pid() == "10:" + sql(f"SELECT min(price_cents) FROM skus WHERE product_id = {p}")
    # Should SKUs be deleted, the rest's lowest price.
    sql(f"DELETE FROM skus WHERE id IN (SELECT id FROM skus WHERE product_id = {p}"
        f" ORDER BY price_cents LIMIT 2)")
    assert pid() == "10:" + sql(f"SELECT min(price_cents) FROM skus WHERE product_id = {p}")
    sql(f"DELETE FROM skus WHERE product_id = {p}")
    assert pid() == "10:-"


def test_search_refusals_and_roles():
    w = world()
    for q in ("/v1/search/products", "/v1/search/products?q=", "/v1/search/products?q=%20%20",
              "/v1/search/products?q=" + "x" * 51, "/v1/search/products?q=tea&sort=best",
              "/v1/search/products?q=tea&limit=0", "/v1/search/products?q=tea&limit=101",
              "/v1/search/products?q=tea&cursor=nonsense",
              "/v1/search/products?q=tea&visitor_id=short",
              "/v1/search/products?q=tea&visitor_id=bad%20visitor%21"):
        assert_problem(call("GET", q), 400, "invalid_field")
    assert_problem(call("GET", "/v1/search/products?q=tea&colour=red"), 400, "unknown_field")
    r = call("GET", "/v1/search/products?q=%20&visitor_id=bad%21visitor")
    assert_problem(r, 400, "invalid_field")
    assert sorted(e["field"] for e in r.json["errors"]) == ["q", "visitor_id"]
    # A cursor of another order is not taken.
    word = f"游标{RUN}"
    product(w.shop, f"{word}甲")
    product(w.shop, f"{word}乙")
    cur = ok(search(word, sort="sales", limit=1))["next_cursor"]
    assert cur is not None
    assert_problem(search(word, sort="price", cursor=cur), 400, "invalid_field")
    assert_problem(search("tea", token=w.ta), 403, "forbidden")
    assert ok(search("tea", token=w.tbuyer))["items"] is not None
    assert_problem(call("POST", "/v1/search/products?q=tea"), 405, "method_not_allowed")


# ---------------------------------------------------------------------------
# Plans


def test_plan_create_read_update_pause_resume():
    w = world()
    word = f"龙井{RUN}"
    plan = make_plan(w.shop, w.ta, w.p, [(word.upper(), 120), ("Green Tea", 50)], budget=5000)
    assert plan["keywords"] == sorted([{"word": word.lower(), "bid_cents": 120},
                                       {"word": "green tea", "bid_cents": 50}],
                                      key=lambda k: k["word"])
    assert plan["status"] == "insufficient_balance" and plan["serving"] is False
    assert plan["today"] == {"impressions": 0, "clicks": 0, "spend_cents": 0}
    assert plan["ends_at"] is None and plan["paused"] is False
    topup(w.shop, 100000)
    got = ok(call("GET", f"/v1/shops/{w.shop}/promotions/{plan['id']}", w.ta))
    assert got["status"] == "serving" and got["serving"] is True
    listed = ok(call("GET", f"/v1/shops/{w.shop}/promotions", w.ta))
    assert plan["id"] in [p["id"] for p in listed["items"]]
    # PATCH: budget, keywords replaced, an end, then the end removed.
    end = fmt_time(now[0] + datetime.timedelta(days=3))
    p2 = ok(call("PATCH", f"/v1/shops/{w.shop}/promotions/{plan['id']}", w.ta,
                 {"daily_budget_cents": 8000, "keywords": [{"word": word, "bid_cents": 90}],
                  "ends_at": end}))
    assert p2["daily_budget_cents"] == 8000 and p2["ends_at"] == end
    assert p2["keywords"] == [{"word": word.lower(), "bid_cents": 90}]
    p3 = ok(call("PATCH", f"/v1/shops/{w.shop}/promotions/{plan['id']}", w.ta, {"ends_at": None}))
    assert p3["ends_at"] is None and p3["keywords"] == p2["keywords"]
    paused = ok(call("POST", f"/v1/shops/{w.shop}/promotions/{plan['id']}/pause", w.ta))
    assert paused["paused"] is True and paused["status"] == "paused"
    assert ok(call("POST", f"/v1/shops/{w.shop}/promotions/{plan['id']}/pause", w.ta))["paused"]
    resumed = ok(call("POST", f"/v1/shops/{w.shop}/promotions/{plan['id']}/resume", w.ta))
    assert resumed["status"] == "serving"
    # Scheduled and ended.
    later = make_plan(w.shop, w.ta, w.p, [("later", 10)],
                      starts_at=fmt_time(now[0] + datetime.timedelta(days=1)))
    assert later["status"] == "scheduled"
    ended = make_plan(w.shop, w.ta, w.p, [("ended", 10)],
                      starts_at=fmt_time(now[0] - datetime.timedelta(days=2)),
                      ends_at=fmt_time(now[0] - datetime.timedelta(days=1)))
    assert ended["status"] == "ended"
    # An off-sale product.
    gone = product(w.shop, f"下架{RUN}")
    gp = make_plan(w.shop, w.ta, gone, [("gone", 10)])
    sql(f"UPDATE products SET status = 'off_sale' WHERE id = {gone}")
    assert ok(call("GET", f"/v1/shops/{w.shop}/promotions/{gp['id']}", w.ta))["status"] == \
        "product_unavailable"


def test_plan_pages():
    w = world()
    m, t = new_merchant()
    shop, _ = new_shop(m)
    p = product(shop, f"页{RUN}")
    made = [make_plan(shop, t, p, [(f"w{i}", 10)])["id"] for i in range(5)]
    seen, cursor = [], None
    while True:
        r = ok(call("GET", f"/v1/shops/{shop}/promotions?limit=2" +
                    (f"&cursor={cursor}" if cursor else ""), t))
        seen += [x["id"] for x in r["items"]]
        cursor = r["next_cursor"]
        if not cursor:
            break
    assert seen == made[::-1]
    assert_problem(call("GET", f"/v1/shops/{shop}/promotions?limit=0", t), 400, "invalid_field")
    assert_problem(call("GET", f"/v1/shops/{shop}/promotions?cursor=x", t), 400, "invalid_field")


def test_plan_refusals():
    w = world()
    url = f"/v1/shops/{w.shop}/promotions"

    def refused(body, field, code="invalid_field"):
        r = call("POST", url, w.ta, body)
        assert_problem(r, 400, code)
        assert field in [e["field"] for e in r.json["errors"]], (field, r.json)

    good = plan_body(w.p, [("tea", 100)])
    refused({**good, "product_id": w.p_b}, "product_id")  # another shop's product
    refused({**good, "product_id": 999999999}, "product_id")
    refused({**good, "keywords": []}, "keywords")
    refused({**good, "keywords": [{"word": f"w{i}", "bid_cents": 10} for i in range(201)]},
            "keywords")
    refused({**good, "keywords": [{"word": "tea", "bid_cents": 9}]}, "keywords[0].bid_cents")
    refused({**good, "keywords": [{"word": "tea", "bid_cents": 9901}]}, "keywords[0].bid_cents")
    refused({**good, "keywords": [{"word": " tea", "bid_cents": 10}]}, "keywords[0].word")
    refused({**good, "keywords": [{"word": "", "bid_cents": 10}]}, "keywords[0].word")
    refused({**good, "keywords": [{"word": "x" * 31, "bid_cents": 10}]}, "keywords[0].word")
    refused({**good, "keywords": [{"word": "Tea", "bid_cents": 10},
                                  {"word": "tea", "bid_cents": 20}]}, "keywords")
    refused({**good, "keywords": [{"word": "tea", "bid_cents": 10, "x": 1}]},
            "keywords[0].x", "unknown_field")
    refused({**good, "daily_budget_cents": 99}, "daily_budget_cents")
    refused({**good, "daily_budget_cents": "100"}, "daily_budget_cents")
    refused({**good, "name": "   "}, "name")
    refused({**good, "ends_at": good["starts_at"]}, "ends_at")
    refused({**good, "starts_at": "tomorrow"}, "starts_at")
    refused({k: v for k, v in good.items() if k != "keywords"}, "keywords")
    refused({**good, "colour": "red"}, "colour", "unknown_field")
    plan = make_plan(w.shop, w.ta, w.p, [("tea", 100)])
    r = call("PATCH", f"{url}/{plan['id']}", w.ta,
             {"ends_at": fmt_time(now[0] - datetime.timedelta(days=1))})
    assert_problem(r, 400, "invalid_field")
    assert_problem(call("PATCH", f"{url}/{plan['id']}", w.ta, {"paused": True}), 400,
                   "unknown_field")
    assert_problem(call("POST", f"{url}/{plan['id']}/pause", w.ta, {}), 400, "unexpected_body")


def test_plan_roles_and_tenants():
    w = world()
    plan = make_plan(w.shop, w.ta, w.p, [("tenant", 10)])
    base = f"/v1/shops/{w.shop}/promotions"
    for method, path, body in (("POST", base, plan_body(w.p, [("x", 10)])), ("GET", base, None),
                               ("GET", f"{base}/{plan['id']}", None),
                               ("PATCH", f"{base}/{plan['id']}", {"name": "mine"}),
                               ("POST", f"{base}/{plan['id']}/pause", None),
                               ("POST", f"{base}/{plan['id']}/resume", None)):
        assert_problem(call(method, path, w.tb, body), 404, "not_found")
        assert_problem(call(method, path, w.tbuyer, body), 403, "forbidden")
        assert_problem(call(method, path, None, body), 401, "unauthenticated")
    # Merchant B's own shop does not reach A's plan either.
    other = f"/v1/shops/{w.shop_b}/promotions/{plan['id']}"
    assert_problem(call("GET", other, w.tb), 404, "not_found")
    assert_problem(call("GET", f"{base}/999999999", w.ta), 404, "not_found")
    assert ok(call("GET", f"{base}/{plan['id']}", w.ta))["paused"] is False


# ---------------------------------------------------------------------------
# The auction


def test_auction_ranks_by_bid_times_quality_and_prices_gsp():
    w = world()
    word = f"拍卖{RUN}"
    shops = []
    for _ in range(4):
        m, t = new_merchant()
        s, _ = new_shop(m)
        topup(s, 100000)
        shops.append((s, t, product(s, f"拍品{RUN}")))
    (sa, ta, pa), (sb, tb, pb), (sc, tc, pc), (sd, td, pd) = shops
    a = make_plan(sa, ta, pa, [(word, 100)])
    b = make_plan(sb, tb, pb, [(word, 60)])
    c = make_plan(sc, tc, pc, [(word, 30)])
    d = make_plan(sd, td, pd, [(word, 20)])
    # b has a click history: quality (4 + 1) / (50 + 50) = 1/20 against the
    # others' 1/50, so 60 x 1/20 = 3 beats 100 x 1/50 = 2. Its 50
    # impressions are in the log an hour ago, counted by the fold.
    sql(f"INSERT INTO promotion_impressions (impression_id, plan_id, shop_id, product_id,"
        f" price_cents, created_at) SELECT nextval('promotion_impression_ids'), {b['id']}, {sb},"
        f" {pb}, 41, '{fmt_time(now[0] - datetime.timedelta(hours=1))}'"
        f" FROM generate_series(1, 50)")
    sql(f"UPDATE promotion_plans SET clicks = 4 WHERE id = {b['id']}")
    fold()
    assert sql(f"SELECT impressions FROM promotion_plans WHERE id = {b['id']}") == "50"
    r = ok(search(word, token=w.tbuyer))
    promoted = [i for i in r["items"] if i["promoted"]]
    assert [i["product_id"] for i in promoted] == [pb, pa, pc]  # d ranks 4th: not shown
    assert all("impression_id" in i for i in promoted)
    assert r["items"][:3] == promoted
    # Each pays the next one's bid x quality ratio + 1 fen:
    # b: 100 x (1/50) / (1/20) + 1 = 41; a: 30 + 1 = 31; c: 20 + 1 = 21.
    paid = [ok(click(i["impression_id"], w.tbuyer))["charged_cents"] for i in promoted]
    assert paid == [41, 31, 21], paid
    assert balance(sb) == 100000 - 41 and balance(sa) == 100000 - 31
    # The search logged one impression per winner and locked no plan row:
    # the plans' counts move with the next fold.
    for p, n in ((a, 1), (b, 1), (c, 1), (d, 0)):
        assert int(sql(f"SELECT count(*) FROM promotion_impressions WHERE plan_id = {p['id']}"
                       f" AND created_at = '{fmt_time(now[0])}'")) == n
    assert int(sql(f"SELECT impressions FROM promotion_plans WHERE id = {a['id']}")) == 0
    fold()
    for p, n in ((a, 1), (b, 51), (c, 1), (d, 0)):
        assert int(sql(f"SELECT impressions FROM promotion_plans WHERE id = {p['id']}")) == n
        got = ok(call("GET", f"/v1/shops/{shops[[a, b, c, d].index(p)][0]}/promotions/{p['id']}",
                      shops[[a, b, c, d].index(p)][1]))
        assert got["today"]["impressions"] == n and got["impressions"] == n, got
    # A single plan pays the reserve, 10 fen; a paused one does not take part.
    solo = f"独{RUN}"
    e = make_plan(sa, ta, pa, [(solo, 500)])
    hits = [i for i in ok(search(solo, token=w.tbuyer2))["items"] if i["promoted"]]
    assert len(hits) == 1
    assert ok(click(hits[0]["impression_id"], w.tbuyer2))["charged_cents"] == 10
    ok(call("POST", f"/v1/shops/{sa}/promotions/{e['id']}/pause", ta))
    assert [i for i in ok(search(solo, token=w.tbuyer2))["items"] if i["promoted"]] == []
    # Later pages and anonymous searches without a visitor id carry none.
    assert not any(i["promoted"] for i in ok(search(word))["items"])
    funds_check()


# ---------------------------------------------------------------------------
# Billing


def promoted_one(word, token=None, visitor=None):
    hits = [i for i in ok(search(word, token=token, visitor=visitor))["items"] if i["promoted"]]
    assert len(hits) == 1, hits
    return hits[0]["impression_id"]


def test_click_charges_once_and_refuses_forgeries():
    w = world()
    m, t = new_merchant()
    shop, _ = new_shop(m)
    topup(shop, 10000)
    word = f"点击{RUN}"
    make_plan(shop, t, product(shop, f"点{RUN}"), [(word, 50)])
    fee_before = balance(shop, "fee_revenue")
    imp = promoted_one(word, token=w.tbuyer)
    first = ok(click(imp, w.tbuyer))
    assert first == {"charged": True, "charged_cents": 10, "outcome": "charged"}
    assert balance(shop) == 10000 - 10
    assert balance(shop, "fee_revenue") == fee_before + 10
    assert sql("SELECT count(*) FROM ledger_transfers WHERE event_key LIKE 'promotion_click:%'"
               f" AND debit_account_id = ledger_account({shop}, 'promotion')") == "1"
    assert ok(click(imp, w.tbuyer)) == {"charged": False, "charged_cents": 0, "outcome": "replayed"}
    # The merchant sees the charge among the promotion account's flows.
    flows = ok(call("GET", f"/v1/shops/{shop}/funds/flows?account=promotion&type=promotion", t))
    assert [(f["type"], f["direction"], f["amount_cents"]) for f in flows["items"]] == [
        ("promotion", "out", 10)], flows
    # Another visitor cannot use it; a tampered token is not one.
    r = click(imp, w.tbuyer2)
    assert_problem(r, 400, "invalid_field")
    assert r.json["errors"][0]["field"] == "impression_id"
    assert_problem(click(imp, visitor="someone-else-123"), 400, "invalid_field")
    forged = imp[:-2] + ("AA" if imp[-2:] != "AA" else "BB")
    assert_problem(click(forged, w.tbuyer), 400, "invalid_field")
    assert_problem(click("not a token", w.tbuyer), 400, "invalid_field")
    assert_problem(click(imp), 400, "invalid_field")  # anonymous without visitor_id
    assert_problem(call("POST", "/v1/promotions/clicks", w.tbuyer, {}), 400, "invalid_field")
    assert_problem(call("POST", "/v1/promotions/clicks", w.tbuyer,
                        {"impression_id": imp, "x": 1}), 400, "unknown_field")
    assert_problem(click(imp, w.ta), 403, "forbidden")
    # Anonymous visitors: bound to their visitor_id.
    anon = promoted_one(word, visitor="visitor-anon-1")
    assert_problem(click(anon, visitor="visitor-anon-2"), 400, "invalid_field")
    assert ok(click(anon, visitor="visitor-anon-1"))["outcome"] == "charged"
    # Expired: 30 minutes after the search.
    late = promoted_one(word, visitor="visitor-late-1")
    advance(minutes=31)
    assert ok(click(late, visitor="visitor-late-1")) == {
        "charged": False, "charged_cents": 0, "outcome": "expired"}
    assert balance(shop) == 10000 - 20
    funds_check()


def test_fraud_guard_repeat_and_daily_cap():
    w = world()
    m, t = new_merchant()
    shop, _ = new_shop(m)
    topup(shop, 10000)
    word = f"刷单{RUN}"
    plan = make_plan(shop, t, product(shop, f"刷{RUN}"), [(word, 10)])
    b, tb = new_buyer()
    outcomes = []
    for step in range(6):
        outcomes.append(ok(click(promoted_one(word, token=tb), tb))["outcome"])
        outcomes.append(ok(click(promoted_one(word, token=tb), tb))["outcome"])
        advance(minutes=11)
    # Within 10 minutes of a charge: repeat_click; once 3 were charged today:
    # daily_click_cap, whenever the click comes.
    assert outcomes == ["charged", "repeat_click"] * 2 + ["charged"] + ["daily_click_cap"] * 7, \
        outcomes
    got = ok(call("GET", f"/v1/shops/{shop}/promotions/{plan['id']}", t))
    assert got["clicks"] == 3 and got["spend_cents"] == 30
    assert balance(shop) == 10000 - 30
    # A new day (MERCHANTD_TZ) starts a new count.
    freeze(now[0].replace(hour=0, minute=30) + datetime.timedelta(days=1))
    assert ok(click(promoted_one(word, token=tb), tb))["outcome"] == "charged"
    funds_check()


def concurrent_clicks(word, n, prefix):
    visitors = [f"{prefix}-{RUN}-{i:04d}" for i in range(n)]
    imps = parallel(lambda v: promoted_one(word, visitor=v), [(v,) for v in visitors])
    assert all(isinstance(i, str) for i in imps), [i for i in imps if not isinstance(i, str)][:3]
    replies = parallel(lambda i, v: click(i, visitor=v), list(zip(imps, visitors)))
    bad = [r for r in replies if not hasattr(r, "status") or r.status != 200]
    assert not bad, bad[:3]
    return [r.json for r in replies]


def test_500_concurrent_clicks_spend_exactly_the_budget():
    world()  # the frozen clock
    m, t = new_merchant()
    shop, _ = new_shop(m)
    topup(shop, 100000)
    word = f"并发{RUN}"
    # One plan alone pays the reserve, 10 fen: a budget of 375 covers 37 clicks.
    plan = make_plan(shop, t, product(shop, f"并{RUN}"), [(word, 10)], budget=375)
    replies = concurrent_clicks(word, 500, "budget")
    charged = [r for r in replies if r["charged"]]
    assert len(charged) == 37, len(charged)
    assert {r["outcome"] for r in replies if not r["charged"]} == {"budget_exhausted"}
    got = ok(call("GET", f"/v1/shops/{shop}/promotions/{plan['id']}", t))
    assert got["today"]["spend_cents"] == 370 and got["today"]["clicks"] == 37
    assert got["status"] == "budget_exhausted"
    assert balance(shop) == 100000 - 370
    assert sql(f"SELECT count(*) FROM promotion_clicks WHERE plan_id = {plan['id']} AND charged")\
        == "37"
    # Stopped serving at once: the next search has no promoted product.
    assert not any(i["promoted"] for i in ok(search(word, visitor="after-budget-1"))["items"])
    # A higher budget serves again today; a lower one caps today at what it
    # spent.
    raised = ok(call("PATCH", f"/v1/shops/{shop}/promotions/{plan['id']}", t,
                     {"daily_budget_cents": 395}))
    assert raised["status"] == "serving"
    more = concurrent_clicks(word, 20, "raised")
    assert len([r for r in more if r["charged"]]) == 2
    lowered = ok(call("PATCH", f"/v1/shops/{shop}/promotions/{plan['id']}", t,
                      {"daily_budget_cents": 100}))
    assert lowered["status"] == "budget_exhausted" and lowered["today"]["spend_cents"] == 390
    assert sql(f"SELECT budget_cents FROM promotion_plan_days WHERE plan_id = {plan['id']}") == "390"
    funds_check()


def test_concurrent_clicks_never_overdraw_the_balance():
    world()  # the frozen clock
    m, t = new_merchant()
    shop, _ = new_shop(m)
    topup(shop, 135)
    word = f"余额{RUN}"
    plan = make_plan(shop, t, product(shop, f"余{RUN}"), [(word, 10)], budget=100000)
    replies = concurrent_clicks(word, 100, "balance")
    charged = [r for r in replies if r["charged"]]
    assert len(charged) == 13, len(charged)
    assert {r["outcome"] for r in replies if not r["charged"]} == {"insufficient_funds"}
    assert balance(shop) == 5
    got = ok(call("GET", f"/v1/shops/{shop}/promotions/{plan['id']}", t))
    assert got["status"] == "insufficient_balance" and got["spend_cents"] == 130
    funds_check()


# ---------------------------------------------------------------------------
# Attribution



def order(token, shop, product_id):
    sku = int(sql(f"SELECT id FROM skus WHERE product_id = {product_id}"))
    r = call("POST", "/v1/orders", token, {"shop_id": shop, "items": [{"sku_id": sku, "quantity": 1}],
                                           "address": ADDRESS})
    assert r.status == 201, r
    return r.json["id"]


def attributed(order_id):
    return sql(f"SELECT plan_id FROM promotion_attributions WHERE order_id = {order_id}")


def test_attribution_to_the_last_click_within_7_days():
    world()  # the frozen clock
    m, t = new_merchant()
    shop, _ = new_shop(m)
    topup(shop, 10000)
    p = product(shop, f"归因{RUN}")
    w1, w2 = f"归一{RUN}", f"归二{RUN}"
    plan1 = make_plan(shop, t, p, [(w1, 20)])
    plan2 = make_plan(shop, t, p, [(w2, 20)])
    b, tb = new_buyer()
    other, tother = new_buyer()
    assert ok(click(promoted_one(w1, token=tb), tb))["charged"]
    advance(hours=1)
    assert ok(click(promoted_one(w2, token=tb), tb))["charged"]
    advance(days=1)
    first = order(tb, shop, p)
    assert attributed(first) == str(plan2["id"])  # the last click's plan
    assert attributed(order(tother, shop, p)) == ""  # never clicked
    assert ok(call("GET", f"/v1/shops/{shop}/promotions/{plan2['id']}", t))["attributed_orders"] == 1
    assert ok(call("GET", f"/v1/shops/{shop}/promotions/{plan1['id']}", t))["attributed_orders"] == 0
    advance(days=6, hours=-2)  # 6 days 22 hours after the last click: still in
    assert attributed(order(tb, shop, p)) == str(plan2["id"])
    advance(hours=2)  # past 7 days
    assert attributed(order(tb, shop, p)) == ""
    # Another product of the shop is not the clicked one.
    assert attributed(order(tb, shop, product(shop, f"别的{RUN}"))) == ""


def test_repeat_click_window_runs_across_midnight():
    """A charge at 23:55 and a click at 00:01 (MERCHANTD_TZ): the second is a
    repeat click, although it is a new day; the daily cap counts afresh. A
    click of 23:59 handled after a charge of 00:01 is the repeat too; two
    clicks at once on a new day charge once."""
    world()
    freeze(datetime.datetime(2031, 8, 1, 23, 55, tzinfo=SHANGHAI))
    m, t = new_merchant()
    shop, _ = new_shop(m)
    topup(shop, 10000)
    word = f"午夜{RUN}"
    make_plan(shop, t, product(shop, f"夜{RUN}"), [(word, 10)])
    b, tb = new_buyer()

    def at(hour, minute, second=0, day=2):
        freeze(datetime.datetime(2031, 8, day, hour, minute, second, tzinfo=SHANGHAI))
        return ok(click(promoted_one(word, token=tb), tb))["outcome"]

    assert at(23, 55, day=1) == "charged"
    assert at(0, 1) == "repeat_click"
    assert at(0, 4, 59) == "repeat_click"
    # 10 minutes after 23:55; then the day's three.
    assert [at(0, 5), at(0, 16), at(0, 27), at(0, 38)] == ["charged"] * 3 + ["daily_click_cap"]
    assert sql(f"SELECT string_agg(day || ':' || charged, ',' ORDER BY day) FROM"
               f" promotion_visitor_days WHERE visitor = 'a:{b}'") == "2031-08-01:1,2031-08-02:3"
    # A click of 23:59 handled after the same visitor's charge of 00:01 (a
    # request from before midnight that came late): the repeat.
    d, td = new_buyer()
    freeze(datetime.datetime(2031, 8, 3, 0, 1, tzinfo=SHANGHAI))
    assert ok(click(promoted_one(word, token=td), td))["outcome"] == "charged"
    freeze(datetime.datetime(2031, 8, 2, 23, 59, tzinfo=SHANGHAI))
    assert ok(click(promoted_one(word, token=td), td))["outcome"] == "repeat_click"
    # Two clicks of one visitor at once on a new day: one charge.
    c, tc = new_buyer()
    freeze(datetime.datetime(2031, 8, 4, 0, 2, tzinfo=SHANGHAI))
    imps = [promoted_one(word, token=tc) for _ in range(6)]
    outcomes = sorted(r.json["outcome"] for r in parallel(lambda i: click(i, tc),
                                                             [(i,) for i in imps]))
    assert outcomes == ["charged"] + ["repeat_click"] * 5, outcomes
    funds_check()


if __name__ == "__main__":
    main([test_search_finds_chinese_substrings_in_order, test_search_refusals_and_roles,
          test_plan_create_read_update_pause_resume, test_plan_pages, test_plan_refusals,
          test_plan_roles_and_tenants, test_auction_ranks_by_bid_times_quality_and_prices_gsp,
          test_click_charges_once_and_refuses_forgeries, test_fraud_guard_repeat_and_daily_cap,
          test_500_concurrent_clicks_spend_exactly_the_budget,
          test_concurrent_clicks_never_overdraw_the_balance,
          test_attribution_to_the_last_click_within_7_days,
          test_repeat_click_window_runs_across_midnight])
