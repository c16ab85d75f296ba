"""Share links: POST/GET /v1/shops/{id}/share-links[/{id}], DELETE (revoke)
and the public GET /s/{code} (docs/data.md "Share links").

Making links (idempotent by target, product and channel, also when two
requests race), every refusal of the body, the list's keyset pages and
the per-day detail, roles (buyers and staff 403, another merchant's shop
or link 404), the redirect and its headers (Location under
MERCHANTD_PUBLIC_URL, the visitor cookie, no-store, no-referrer), HEAD
counting nothing, unknown codes, hits against distinct visitors per day
and ever (the same cookie, a new one, the next Shanghai day on the test
clock), the page view each visit writes (source share_<channel>) and the
data fold counting it, concurrent visits counted exactly, and
MERCHANTD_PUBLIC_URL's https form and its refusal at start.

The clock is frozen before anyone signs in (a frozen clock expires older
sessions) and only ever moves forward."""

import datetime
import http.client
import os
import re
import sys
import uuid
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(__file__))
from harness import *  # noqa: E402,F401,F403

PUBLIC = "http://shop.test:8080"
# Jobs and folds run only when a test asks (POST /v1/test/jobs/run).
ENV = {"MERCHANTD_JOB_INTERVAL_SECONDS": "86400", "MERCHANTD_STATS_FOLD_SECONDS": "0",
       "MERCHANTD_PUBLIC_URL": PUBLIC + "/"}
SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime.datetime(2031, 6, 10, 10, 0, tzinfo=SHANGHAI)
COOKIE = "merchantd_visitor"
CODE = re.compile(r"^[0-9A-Za-z]{10}$")


def server():
    return srv(ENV)


def call(method, path, token=None, body=None, headers=None):
    return server().request(method, path, body, token=token, headers=headers)


def freeze(when):
    server().set_clock(fmt_time(when))


def run_jobs():
    r = call("POST", "/v1/test/jobs/run")
    assert r.status == 200, (r, [line for line in server().log().split("\n")
                                 if "error" in line][-5:])


class World:
    """Merchant A with a shop, a second shop and a product; merchant B with
    a shop; a buyer and a reviewer (staff)."""

    def __init__(self):
        freeze(START)
        self.ma, self.ta = new_merchant()
        self.shop, _ = new_shop(self.ma)
        self.product = int(sql(f"SELECT id FROM products WHERE shop_id = {self.shop}"))
        self.shop2, _ = new_shop(self.ma)
        self.product2 = int(sql(f"SELECT id FROM products WHERE shop_id = {self.shop2}"))
        self.mb, self.tb = new_merchant()
        self.shop_b, _ = new_shop(self.mb)
        self.product_b = int(sql(f"SELECT id FROM products WHERE shop_id = {self.shop_b}"))
        self.buyer, self.tbuyer = new_buyer()
        self.staff, self.tstaff = new_reviewer()


world = once(World)


def make(shop, channel, product=None, token=None, status=None):
    w = world()
    body = {"target": "product" if product else "shop", "channel": channel}
    if product:
        body["product_id"] = product
    r = call("POST", f"/v1/shops/{shop}/share-links", token or w.ta, body)
    if status is not None:
        assert r.status == status, r
    return r


def new_product(shop):
    return int(sql(f"INSERT INTO products (shop_id, title, status, created_at, updated_at)"
                   f" VALUES ({shop}, 'Biluochun', 'on_sale', now(), now()) RETURNING id"))


def visit(code, cookie=None, method="GET"):
    """GET /s/{code} (a browser following the link), checked against the
    contract; returns (reply, the visitor cookie it set or None)."""
    headers = {"Cookie": f"{COOKIE}={cookie}"} if cookie else None
    r = call(method, f"/s/{code}", headers=headers)
    set_cookie = r.headers.get("set-cookie")
    value = None
    if set_cookie:
        m = re.match(COOKIE + r"=([A-Za-z0-9_-]+);", set_cookie)
        assert m, set_cookie
        value = m.group(1)
    return r, value


def link(shop, link_id, days=None, token=None):
    q = f"?days={days}" if days else ""
    r = call("GET", f"/v1/shops/{shop}/share-links/{link_id}{q}", token or world().ta)
    assert r.status == 200, r
    return r.json


def not_found_elsewhere(method, link_id):
    """The link through B's shop, through A's other shop, and a link that
    does not exist: each 404."""
    w = world()
    for shop, lid, token in ((w.shop_b, link_id, w.tb), (w.shop2, link_id, w.ta),
                             (w.shop, 999999999, w.ta)):
        assert_problem(call(method, f"/v1/shops/{shop}/share-links/{lid}", token), 404,
                       "not_found")


def day_counts(detail):
    return {d["date"]: (d["hits"], d["visitors"]) for d in detail["days"] if d["hits"]}


# ---------------------------------------------------------------------------


def test_make_shop_and_product_links():
    """201 with a fresh code and its URL under MERCHANTD_PUBLIC_URL (its
    final slash dropped); the same target, product and channel again is the
    same link (200); another channel or product is another link."""
    w = world()
    r = make(w.shop, "wechat", status=201)
    a = r.json
    assert CODE.match(a["code"]), a
    assert a["url"] == f"{PUBLIC}/s/{a['code']}", a
    assert (a["shop_id"], a["target"], a["product_id"], a["channel"]) == (
        w.shop, "shop", None, "wechat"), a
    assert (a["hits"], a["visitors"], a["last_visit_at"]) == (0, 0, None), a
    assert r.headers.get("cache-control") == "no-store"

    again = make(w.shop, "wechat", status=200)
    assert again.json == a, (again.json, a)

    other = make(w.shop, "weibo", status=201).json
    assert other["id"] != a["id"] and other["code"] != a["code"]
    p = make(w.shop, "wechat", product=w.product, status=201).json
    assert (p["target"], p["product_id"], p["channel"]) == ("product", w.product, "wechat"), p
    assert make(w.shop, "wechat", product=w.product, status=200).json["id"] == p["id"]
    for ch in ("wechat_moments", "qq", "qzone", "douyin", "sms", "copy_link", "poster",
               "qr_code"):
        make(w.shop2, ch, status=201)


def test_make_is_idempotent_under_a_race():
    """Twelve requests at once for one new link: one 201, eleven 200, one
    row, every reply the same link."""
    w = world()
    product = new_product(w.shop)
    results = parallel(lambda: make(w.shop, "poster", product=product), [()] * 12)
    for r in results:
        assert not isinstance(r, Exception), r
    statuses = sorted(r.status for r in results)
    assert statuses == [200] * 11 + [201], statuses
    assert len({r.json["code"] for r in results}) == 1
    assert sql(f"SELECT count(*) FROM share_links WHERE product_id = {product}") == "1"


def test_make_refusals():
    """Each rule of the body is a 400 naming its field; a product of
    another shop or a deleted one is invalid_field; unknown fields,
    non-JSON bodies and wrong types are refused; nothing is stored."""
    w = world()
    before = sql("SELECT count(*) FROM share_links")
    path = f"/v1/shops/{w.shop}/share-links"

    def refused(body, field, code="invalid_field"):
        r = call("POST", path, w.ta, body)
        assert_problem(r, 400, code)
        assert field in [e["field"] for e in r.json.get("errors", [])], r.json

    refused({"target": "shop", "channel": "telegram"}, "channel")
    refused({"target": "shop", "channel": ""}, "channel")
    refused({"target": "shop", "channel": 3}, "channel")
    refused({"target": "page", "channel": "wechat"}, "target")
    refused({"channel": "wechat"}, "target")
    refused({"target": "shop"}, "channel")
    refused({"target": "product", "channel": "wechat"}, "product_id")
    refused({"target": "shop", "product_id": w.product, "channel": "wechat"}, "product_id")
    refused({"target": "product", "product_id": 0, "channel": "wechat"}, "product_id")
    refused({"target": "product", "product_id": "1", "channel": "wechat"}, "product_id")
    refused({"target": "shop", "channel": "wechat", "code": "AAAAAAAAAA"}, "code",
            "unknown_field")
    refused({"target": "shop", "channel": "wechat", "hits": 5}, "hits", "unknown_field")
    # A product of merchant B's shop, of A's other shop, and a deleted one.
    for product in (w.product_b, w.product2, 999999999):
        refused({"target": "product", "product_id": product, "channel": "wechat"}, "product_id")
    gone = new_product(w.shop)
    sql(f"UPDATE products SET deleted_at = now() WHERE id = {gone}")
    refused({"target": "product", "product_id": gone, "channel": "wechat"}, "product_id")

    r = call("POST", path, w.ta, headers={"Content-Type": "text/plain"})
    assert r.status in (400, 415), r
    r = server().request("POST", path, token=w.ta, raw=b'{"target": "shop", "target": "shop"}',
                         headers={"Content-Type": "application/json"})
    assert_problem(r, 400, "invalid_json")
    r = server().request("POST", path, token=w.ta, raw=b"{not json",
                         headers={"Content-Type": "application/json"})
    assert_problem(r, 400, "invalid_json")
    r = server().request("POST", path, token=w.ta, raw=b"target=shop",
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_problem(r, 415, "unsupported_media_type")
    assert sql("SELECT count(*) FROM share_links") == before


def test_roles_and_tenants():
    """No token 401; buyers and staff 403 on every merchant route;
    merchant B gets 404 for A's shop and A's links, also when naming his
    own shop with A's link id; A cannot read a link of shop A through his
    other shop."""
    w = world()
    a = make(w.shop, "qq", status=None).json
    body = {"target": "shop", "channel": "qq"}
    routes = [("POST", f"/v1/shops/{w.shop}/share-links", body),
              ("GET", f"/v1/shops/{w.shop}/share-links", None),
              ("GET", f"/v1/shops/{w.shop}/share-links/{a['id']}", None),
              ("DELETE", f"/v1/shops/{w.shop}/share-links/{a['id']}", None)]
    for method, path, b in routes:
        assert_problem(call(method, path, None, b), 401, "unauthenticated")
        assert_problem(call(method, path, w.tbuyer, b), 403, "forbidden")
        assert_problem(call(method, path, w.tstaff, b), 403, "forbidden")
        r = call(method, path, w.tb, b)
        assert_problem(r, 404, "not_found")
        assert a["code"] not in r.raw
    not_found_elsewhere("GET", a["id"])
    assert_problem(call("GET", "/v1/shops/999999999/share-links", w.ta), 404, "not_found")
    # B's own list never shows A's links.
    mine = make(w.shop_b, "qq", token=w.tb, status=201).json
    r = call("GET", f"/v1/shops/{w.shop_b}/share-links", w.tb)
    assert [x["id"] for x in r.json["items"]] == [mine["id"]], r.json


def test_revoke():
    """DELETE revokes: the code answers 404 to GET and HEAD and counts
    nothing more, the link and its figures stay readable with revoked_at
    (revoking again keeps the first time), and making the same link again
    makes a new one with a new code; another merchant's or another shop's
    link is 404 and stays live."""
    w = world()
    product = new_product(w.shop)
    a = make(w.shop, "douyin", product=product, status=201).json
    assert a["revoked_at"] is None
    r, cookie = visit(a["code"])
    assert r.status == 302, r
    not_found_elsewhere("DELETE", a["id"])
    assert visit(a["code"], cookie)[0].status == 302
    freeze(START + datetime.timedelta(days=13))
    r = call("DELETE", f"/v1/shops/{w.shop}/share-links/{a['id']}", w.ta)
    assert r.status == 200, r
    gone = r.json
    assert gone["revoked_at"] == fmt_time(START + datetime.timedelta(days=13)), gone
    assert (gone["id"], gone["code"], gone["hits"], gone["visitors"]) == (
        a["id"], a["code"], 2, 1), gone
    assert_problem(visit(a["code"], cookie)[0], 404, "not_found")
    assert visit(a["code"], method="HEAD")[0].status == 404
    assert link(w.shop, a["id"])["hits"] == 2
    freeze(START + datetime.timedelta(days=13, minutes=1))
    again = call("DELETE", f"/v1/shops/{w.shop}/share-links/{a['id']}", w.ta)
    assert again.status == 200 and again.json == gone, again
    listed = {x["id"]: x for x in call("GET", f"/v1/shops/{w.shop}/share-links?limit=100",
                                       w.ta).json["items"]}
    assert listed[a["id"]]["revoked_at"] == gone["revoked_at"]
    fresh = make(w.shop, "douyin", product=product, status=201).json
    assert fresh["id"] != a["id"] and fresh["code"] != a["code"] and fresh["revoked_at"] is None
    assert make(w.shop, "douyin", product=product, status=200).json["id"] == fresh["id"]
    assert visit(fresh["code"])[0].status == 302


def test_list_pages():
    """Newest first, keyset pages of limit, next_cursor null on the last;
    bad limit, cursor or parameter 400; a shop without links an empty
    page."""
    world()
    mid, tok = new_merchant()
    shop, _ = new_shop(mid)
    r = call("GET", f"/v1/shops/{shop}/share-links", tok)
    assert r.status == 200 and r.json == {"items": [], "next_cursor": None}, r
    made = [make(shop, ch, token=tok, status=201).json["id"]
            for ch in ("wechat", "qq", "weibo", "sms", "poster")]
    seen, cursor = [], None
    while True:
        q = f"?limit=2" + (f"&cursor={cursor}" if cursor else "")
        r = call("GET", f"/v1/shops/{shop}/share-links{q}", tok)
        assert r.status == 200, r
        assert len(r.json["items"]) <= 2
        seen += [x["id"] for x in r.json["items"]]
        cursor = r.json["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(made, reverse=True), (seen, made)
    for q in ("?limit=0", "?limit=101", "?limit=x", "?cursor=garbage"):
        assert_problem(call("GET", f"/v1/shops/{shop}/share-links{q}", tok), 400, "invalid_field")
    assert_problem(call("GET", f"/v1/shops/{shop}/share-links?channel=qq", tok), 400,
                   "unknown_field")


def test_redirect_and_headers():
    """302 to the shop page or the product page under MERCHANTD_PUBLIC_URL,
    never cached, no Referer onward, the visitor cookie HttpOnly,
    SameSite=Lax, Path=/s/, 400 days, not Secure over http; a valid cookie
    is kept; a malformed one is replaced."""
    w = world()
    s = make(w.shop, "copy_link").json
    p = make(w.shop, "copy_link", product=w.product).json
    r, cookie = visit(s["code"])
    assert r.status == 302, r
    assert r.headers["location"] == f"{PUBLIC}/shops/{w.shop}", r.headers
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.raw == ""
    sc = r.headers["set-cookie"]
    assert re.fullmatch(COOKIE + r"=[A-Za-z0-9_-]{22}; Path=/s/; Max-Age=34560000; HttpOnly;"
                        r" SameSite=Lax", sc), sc
    r2, again = visit(p["code"], cookie)
    assert r2.status == 302
    assert r2.headers["location"] == f"{PUBLIC}/shops/{w.shop}/products/{w.product}"
    assert again == cookie
    for bad in ("short", "x" * 22 + "!", "a" * 40):
        _, fresh = visit(p["code"], bad)
        assert fresh and fresh != bad and len(fresh) == 22


def test_unknown_codes_head_and_methods():
    """Unknown or malformed codes 404 (problem+json); HEAD answers the
    redirect without counting or a cookie; other methods 405; a body
    refused."""
    w = world()
    s = make(w.shop, "sms").json
    for code in ("ZZZZZZZZZZ", "abc", "a" * 11, "aaaaaaaaa-"):
        r, _ = visit(code)
        assert_problem(r, 404, "not_found")
        assert "set-cookie" not in r.headers
    before = link(w.shop, s["id"])
    r = call("HEAD", f"/s/{s['code']}")
    assert r.status == 302 and r.headers["location"] == f"{PUBLIC}/shops/{w.shop}", r
    assert r.headers["cache-control"] == "no-store" and "set-cookie" not in r.headers
    r = call("HEAD", "/s/ZZZZZZZZZZ")
    assert r.status == 404
    after = link(w.shop, s["id"])
    assert (after["hits"], after["visitors"]) == (before["hits"], before["visitors"])
    r = call("POST", f"/s/{s['code']}")
    assert_problem(r, 405, "method_not_allowed")
    assert "GET" in r.headers.get("allow", "")
    r = server().request("GET", f"/s/{s['code']}", raw=b"{}",
                         headers={"Content-Type": "application/json"})
    assert r.status == 400


def test_hits_and_visitors_per_day():
    """The same cookie twice is two hits and one visitor; a new cookie a
    second visitor; the next Shanghai day the first cookie counts again
    for that day but not again ever."""
    w = world()
    mid, tok = new_merchant()
    shop, _ = new_shop(mid)
    s = make(shop, "wechat", token=tok, status=201).json
    day1 = START.date().isoformat()
    _, c1 = visit(s["code"])
    visit(s["code"], c1)
    d = link(shop, s["id"], token=tok)
    assert (d["hits"], d["visitors"]) == (2, 1), d
    assert day_counts(d) == {day1: (2, 1)}, d["days"]
    _, c2 = visit(s["code"])
    assert c2 != c1
    d = link(shop, s["id"], token=tok)
    assert (d["hits"], d["visitors"]) == (3, 2)
    assert d["last_visit_at"] == fmt_time(START)
    # 23:59:59 is still day 1; 00:00 Shanghai is day 2.
    freeze(START.replace(hour=23, minute=59, second=59))
    visit(s["code"], c1)
    freeze(START.replace(hour=0) + datetime.timedelta(days=1))
    visit(s["code"], c1)
    visit(s["code"], c1)
    day2 = (START.date() + datetime.timedelta(days=1)).isoformat()
    d = link(shop, s["id"], days=3, token=tok)
    assert (d["hits"], d["visitors"]) == (6, 2), d
    assert [x["date"] for x in d["days"]] == [
        (START.date() + datetime.timedelta(days=i)).isoformat() for i in (-1, 0, 1)], d["days"]
    assert day_counts(d) == {day1: (4, 2), day2: (2, 1)}, d["days"]
    assert len(link(shop, s["id"], token=tok)["days"]) == 30
    assert len(link(shop, s["id"], days=90, token=tok)["days"]) == 90
    for q in ("?days=0", "?days=91", "?days=x"):
        assert_problem(call("GET", f"/v1/shops/{shop}/share-links/{s['id']}{q}", tok), 400,
                       "invalid_field")
    # The list carries the same totals.
    r = call("GET", f"/v1/shops/{shop}/share-links", tok)
    assert [(x["hits"], x["visitors"]) for x in r.json["items"]] == [(6, 2)]


def test_page_view_and_fold():
    """Each visit is a page view of the page with source share_<channel>
    and the cookie's visitor (one per visitor, page and minute); the data
    fold counts them as the shop's pv and uv of the day."""
    w = world()
    mid, tok = new_merchant()
    shop, _ = new_shop(mid)
    product = int(sql(f"SELECT id FROM products WHERE shop_id = {shop}"))
    s = make(shop, "weibo", token=tok, status=201).json
    p = make(shop, "wechat_moments", product=product, token=tok, status=201).json
    _, c1 = visit(s["code"])
    visit(s["code"], c1)  # the same minute: one page view
    visit(p["code"], c1)
    _, c2 = visit(p["code"])
    rows = sql(f"SELECT string_agg(visitor || '|' || coalesce(product_id::text, '-') || '|'"
               f" || source, ',' ORDER BY visitor, product_id NULLS FIRST) FROM page_views"
               f" WHERE shop_id = {shop}").split(",")
    expect = sorted([f"v:{c1}|-|share_weibo", f"v:{c1}|{product}|share_wechat_moments",
                     f"v:{c2}|{product}|share_wechat_moments"],
                    key=lambda x: (x.split("|")[0], x.split("|")[1] != "-"))
    assert rows == expect, rows
    deadline = time.monotonic() + 30
    while True:
        run_jobs()
        got = sql(f"SELECT coalesce(sum(pv), 0) || '|' || coalesce(sum(uv), 0) FROM stats_shop"
                  f" WHERE shop_id = {shop} AND grain = 'd'")
        if got == "3|2" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert got == "3|2", got


def test_deleted_product_leads_to_the_shop():
    """A product deleted after its link was made: the link leads to the
    shop page and counts a view of the shop page."""
    w = world()
    product = new_product(w.shop)
    p = make(w.shop, "qzone", product=product, status=201).json
    sql(f"UPDATE products SET deleted_at = now() WHERE id = {product}")
    r, c = visit(p["code"])
    assert r.status == 302 and r.headers["location"] == f"{PUBLIC}/shops/{w.shop}", r.headers
    assert sql(f"SELECT count(*) FROM page_views WHERE visitor = 'v:{c}' AND product_id IS NULL"
               f" AND source = 'share_qzone'") == "1"
    assert link(w.shop, p["id"])["hits"] == 1


def test_concurrent_visits_are_exact():
    """60 visits at once: 20 visitors three times each and 20 new ones
    (60 + 20 = 80 hits, 40 visitors), exact on the link and on the day."""
    w = world()
    mid, tok = new_merchant()
    shop, _ = new_shop(mid)
    s = make(shop, "qr_code", token=tok, status=201).json
    cookies = [uuid.uuid4().hex[:22] for _ in range(20)]
    args = [(s["code"], c) for c in cookies for _ in range(3)] + [(s["code"], None)] * 20
    results = parallel(visit, args)
    for r in results:
        assert not isinstance(r, Exception), r
        assert r[0].status == 302, r[0]
    d = link(shop, s["id"], token=tok)
    assert (d["hits"], d["visitors"]) == (80, 40), d
    assert list(day_counts(d).values()) == [(80, 40)], d["days"]
    assert sql(f"SELECT count(*) FROM share_link_visitors v JOIN share_links l"
               f" ON l.id = v.link_id WHERE l.code = '{s['code']}'") == "40"


def test_prune_keeps_the_counts():
    """The job drops who was counted on days more than a week old; the
    counts stay."""
    w = world()
    mid, tok = new_merchant()
    shop, _ = new_shop(mid)
    s = make(shop, "douyin", token=tok, status=201).json
    when = START + datetime.timedelta(days=3)
    freeze(when)
    _, c = visit(s["code"])
    freeze(when + datetime.timedelta(days=9))
    visit(s["code"], c)
    run_jobs()
    left = sql(f"SELECT string_agg(d.day::text, ',') FROM share_link_day_visitors d"
               f" JOIN share_links l ON l.id = d.link_id WHERE l.code = '{s['code']}'")
    assert left == (when + datetime.timedelta(days=9)).astimezone(SHANGHAI).date().isoformat(), \
        left
    d = link(shop, s["id"], days=10, token=tok)
    assert (d["hits"], d["visitors"]) == (2, 1), d
    assert list(day_counts(d).values()) == [(1, 1), (1, 1)], d["days"]


def test_public_url_https_and_refusal():
    """An https MERCHANTD_PUBLIC_URL with a path prefix: links and
    redirects under it, the cookie Secure; a malformed one stops the
    server at start with status 2."""
    s = start_server(env={"MERCHANTD_PUBLIC_URL": "https://m.example.com/buy"})
    name = uname("m")
    mid = s.register(name)["id"]
    tok = s.login(name)
    shop = int(psql(s.db_url, f"INSERT INTO shops (merchant_id, name, created_at, updated_at)"
                              f" VALUES ({mid}, 'Tea', now(), now()) RETURNING id"))
    r = s.request("POST", f"/v1/shops/{shop}/share-links", {"target": "shop", "channel": "sms"},
                  token=tok)
    assert r.status == 201 and r.json["url"] == "https://m.example.com/buy/s/" + r.json["code"], r
    v = s.request("GET", f"/s/{r.json['code']}")
    assert v.headers["location"] == f"https://m.example.com/buy/shops/{shop}"
    assert v.headers["set-cookie"].endswith("; Secure"), v.headers
    stop_server(s)
    for bad in ("ftp://x.example.com", "https://", "shop.example.com", "https://a b.com",
                "https://x.example.com/?q=1", "https://x.example.com/#f"):
        out = subprocess.run([MERCHANTD, "serve"], env=dict(
            os.environ, DATABASE_URL=s.db_url, PORT=str(free_port()),
            MERCHANTD_PUBLIC_URL=bad), capture_output=True, text=True, timeout=30)
        assert out.returncode == 2, (bad, out.returncode, out.stderr)
        assert "invalid MERCHANTD_PUBLIC_URL" in out.stderr, out.stderr


if __name__ == "__main__":
    main([test_make_shop_and_product_links, test_make_is_idempotent_under_a_race,
          test_make_refusals, test_roles_and_tenants, test_list_pages, test_redirect_and_headers,
          test_unknown_codes_head_and_methods, test_hits_and_visitors_per_day,
          test_page_view_and_fold, test_deleted_product_leads_to_the_shop,
          test_concurrent_visits_are_exact, test_prune_keeps_the_counts, test_revoke,
          test_public_url_https_and_refusal])
