"""Visitor events: POST /v1/events/views (docs/data.md, "Visitor events").

Buyers and anonymous visitors, duplicates by visitor, shop, product and
minute (in a batch and across batches), the time window at its exact
bounds, unknown shops and products, the batch's size and shape, the roles
that may not report views, and the daily partitions of page_views: their
bounds at local midnights of MERCHANTD_TZ, the ones a fresh server makes,
the job that makes them ahead and drops them after the retention, and a
view at a far-away clock that finds no partition and is stored all the
same.

Every test freezes the clock at a time of its own and signs in after
freezing it (a frozen clock expires older sessions)."""

import datetime
import json
import os
import sys
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(__file__))
from harness import *  # noqa: E402,F401,F403

# Jobs run when a test asks (POST /v1/test/jobs/run), at the time it froze.
ENV = {"MERCHANTD_JOB_INTERVAL_SECONDS": "86400"}
SHANGHAI = ZoneInfo("Asia/Shanghai")
PATH = "/v1/events/views"
VISITOR = "d41d8cd98f00b204"
SECOND = datetime.timedelta(seconds=1)


def server():
    return srv(ENV)


def local(text):
    """'2031-05-10 12:00[:ss]' on Shanghai's wall clock, as an aware UTC time."""
    return datetime.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI).astimezone(
        datetime.timezone.utc)


def freeze(when):
    server().set_clock(fmt_time(when))
    return when


def post(views, token=None, body=None):
    return server().request("POST", PATH, {"views": views} if body is None else body, token=token)


def accepted(r, stored, duplicates, refused=()):
    assert r.status == 200, r
    assert r.json == {"stored": stored, "duplicates": duplicates,
                      "refused": [{"index": i, "code": c} for i, c in refused]}, r.json


def fields(r):
    return sorted(e["field"] for e in r.json.get("errors", []))


class World:
    """Two merchants' shops with a product each, and a deleted product."""

    def __init__(self):
        mid, _ = new_merchant()
        self.shop, _ = new_shop(mid)
        self.product = int(sql(f"SELECT id FROM products WHERE shop_id = {self.shop}"))
        self.deleted = int(sql(f"INSERT INTO products (shop_id, title, status, created_at,"
                               f" updated_at, deleted_at) VALUES ({self.shop}, 'Gone', 'on_sale',"
                               f" now(), now(), now()) RETURNING id"))
        self.off_sale = int(sql(f"INSERT INTO products (shop_id, title, status, created_at,"
                                f" updated_at) VALUES ({self.shop}, 'Later', 'off_sale', now(),"
                                f" now()) RETURNING id"))
        mid_b, _ = new_merchant()
        self.shop_b, _ = new_shop(mid_b)
        self.product_b = int(sql(f"SELECT id FROM products WHERE shop_id = {self.shop_b}"))


_world = None


def world():
    global _world
    if _world is None:
        _world = World()
    return _world


def rows(where):
    return sql(f"SELECT string_agg(visitor || '|' || coalesce(product_id::text, '-') || '|'"
               f" || source || '|' || to_char(at AT TIME ZONE 'UTC', 'HH24:MI:SS'), ','"
               f" ORDER BY at, coalesce(product_id, 0)) FROM page_views WHERE {where}")


def partition_of(where):
    return sql(f"SELECT string_agg(DISTINCT tableoid::regclass::text, ',') FROM page_views"
               f" WHERE {where}")


def local_day(when):
    return when.astimezone(SHANGHAI).strftime("%Y%m%d")


def partition_exists(day):
    return sql(f"SELECT to_regclass('page_views_{day}') IS NOT NULL") == "t"


# ---------------------------------------------------------------------------


def test_fresh_server_has_partitions():
    """At start the server makes the partitions from yesterday to three days
    ahead (real clock: no test has frozen it yet), so views are taken at
    once."""
    server()
    today = datetime.datetime.now(SHANGHAI).date()
    for d in range(-1, 4):
        day = (today + datetime.timedelta(days=d)).strftime("%Y%m%d")
        assert partition_exists(day), f"no partition for {day}"
    # No default partition: a row outside every day fails loudly rather
    # than piling up somewhere nobody drops.
    assert sql("SELECT count(*) FROM pg_partitioned_table t JOIN pg_class c ON c.oid = t.partrelid"
               " WHERE c.relname = 'page_views' AND t.partdefid <> 0") == "0"


def test_buyer_and_anonymous():
    w = world()
    now = freeze(local("2031-05-10 12:00:00"))
    buyer_id, token = new_buyer()
    at = fmt_time(now - 30 * SECOND)
    accepted(post([{"shop_id": w.shop, "at": at},
                   {"shop_id": w.shop, "product_id": w.product, "at": at, "source": "search"},
                   # A buyer's visitor_id is ignored: the visitor is the account.
                   {"shop_id": w.shop, "product_id": w.product, "at": at,
                    "visitor_id": "someone_else_1"}], token), 2, 1)
    assert rows(f"visitor = 'a:{buyer_id}'") == \
        f"a:{buyer_id}|-||03:59:30,a:{buyer_id}|{w.product}|search|03:59:30"
    assert sql("SELECT count(*) FROM page_views WHERE visitor = 'v:someone_else_1'") == "0"

    # Anonymous: visitor_id names the visitor; product_id null is the shop page.
    visitor = "Anon_visitor-01"
    accepted(post([{"shop_id": w.shop, "product_id": None, "visitor_id": visitor, "at": at,
                    "source": "share_wechat"},
                   {"shop_id": w.shop, "product_id": w.off_sale, "visitor_id": visitor,
                    "at": at}]), 2, 0)
    assert rows(f"visitor = 'v:{visitor}'") == \
        f"v:{visitor}|-|share_wechat|03:59:30,v:{visitor}|{w.off_sale}||03:59:30"

    # Anonymous without visitor_id: the whole batch is refused, nothing stored.
    r = post([{"shop_id": w.shop, "at": at, "visitor_id": "no_problem"},
              {"shop_id": w.shop, "product_id": w.product, "at": at}])
    assert_problem(r, 400, "invalid_field")
    assert fields(r) == ["views[1].visitor_id"], r.json
    assert sql("SELECT count(*) FROM page_views WHERE visitor = 'v:no_problem'") == "0"


def test_duplicates():
    w = world()
    now = freeze(local("2031-05-11 09:30:00"))
    v = {"shop_id": w.shop, "product_id": w.product, "visitor_id": "dup_visitor"}
    minute = now - datetime.timedelta(minutes=10)  # 09:20:00 local
    batch = [dict(v, at=fmt_time(minute + 5 * SECOND)),
             dict(v, at=fmt_time(minute + 50 * SECOND), source="search"),  # same minute
             dict(v, at=fmt_time(minute + 60 * SECOND)),  # the next minute
             dict(v, product_id=None, at=fmt_time(minute + 5 * SECOND)),  # the shop page
             dict(v, shop_id=w.shop_b, product_id=w.product_b, at=fmt_time(minute))]
    accepted(post(batch), 4, 1)
    # The first view of a minute is the one kept (without the second's source).
    assert rows("visitor = 'v:dup_visitor'") == (
        f"v:dup_visitor|{w.product_b}||01:20:00,v:dup_visitor|-||01:20:05,"
        f"v:dup_visitor|{w.product}||01:20:05,v:dup_visitor|{w.product}||01:21:00")
    # The same batch again: every view is a duplicate.
    accepted(post(batch), 0, 5)
    # Another second of a stored minute, and another visitor in it.
    accepted(post([dict(v, at=fmt_time(minute + 30 * SECOND)),
                   dict(v, visitor_id="dup_visitor_2", at=fmt_time(minute + 30 * SECOND))]), 1, 1)
    assert sql("SELECT count(*) FROM page_views WHERE visitor LIKE 'v:dup_visitor%'") == "5"


def test_time_window():
    """at from 24 h before the server's time to 5 min after it, bounds
    included; the frozen clock is the server's time."""
    w = world()
    now = freeze(local("2031-05-12 10:00:00"))
    v = {"shop_id": w.shop, "visitor_id": "window_visitor"}
    day = datetime.timedelta(hours=24)
    ahead = datetime.timedelta(minutes=5)
    accepted(post([dict(v, at=fmt_time(now - day - SECOND)),
                   dict(v, at=fmt_time(now - day)),
                   dict(v, at=fmt_time(now + ahead)),
                   dict(v, at=fmt_time(now + ahead + SECOND), product_id=w.product),
                   dict(v, at="2020-01-01T00:00:00Z"),
                   dict(v, at="2099-01-01T00:00:00+08:00")]), 2, 0,
             [(0, "at_out_of_window"), (3, "at_out_of_window"), (4, "at_out_of_window"),
              (5, "at_out_of_window")])
    assert rows("visitor = 'v:window_visitor'") == \
        "v:window_visitor|-||02:00:00,v:window_visitor|-||02:05:00"
    # An offset other than Z is the same instant.
    accepted(post([dict(v, product_id=w.product, at="2031-05-12T09:59:00+08:00")]), 1, 0)


def test_unknown_shop_and_product():
    w = world()
    now = freeze(local("2031-05-13 15:00:00"))
    at = fmt_time(now)
    v = {"visitor_id": "unknown_visitor", "at": at}
    accepted(post([dict(v, shop_id=999999999),
                   dict(v, shop_id=w.shop, product_id=999999999),
                   dict(v, shop_id=w.shop, product_id=w.product_b),  # shop B's product
                   dict(v, shop_id=w.shop, product_id=w.deleted),
                   dict(v, shop_id=w.shop, product_id=w.product),
                   dict(v, shop_id=999999999, at=fmt_time(now - datetime.timedelta(days=2)))]),
             1, 0, [(0, "unknown_shop"), (1, "unknown_product"), (2, "unknown_product"),
                    (3, "unknown_product"), (5, "at_out_of_window")])
    assert rows("visitor = 'v:unknown_visitor'") == f"v:unknown_visitor|{w.product}||07:00:00"


def test_batch_size():
    w = world()
    now = freeze(local("2031-05-14 08:00:00"))
    views = [{"shop_id": w.shop, "visitor_id": f"batch_{i:04d}", "at": fmt_time(now)}
             for i in range(101)]
    r = post(views)
    assert_problem(r, 400, "invalid_field")
    assert fields(r) == ["views"], r.json
    r = post([])
    assert_problem(r, 400, "invalid_field")
    assert fields(r) == ["views"], r.json
    assert sql("SELECT count(*) FROM page_views WHERE visitor LIKE 'v:batch_%'") == "0"
    accepted(post(views[:100]), 100, 0)
    # A body over MERCHANTD_BODY_LIMIT (1 MiB) is 413 before anything is read.
    big = [{"shop_id": w.shop, "visitor_id": "x" * 64, "at": fmt_time(now),
            "source": "s" * 32}] * 100
    r = server().request("POST", PATH, raw=json.dumps({"views": big, "pad": "p" * (1 << 20)})
                         .encode(), headers={"Content-Type": "application/json"})
    assert_problem(r, 413, "payload_too_large")


def test_bad_fields():
    w = world()
    now = freeze(local("2031-05-15 08:00:00"))
    at = fmt_time(now)
    good = {"shop_id": w.shop, "visitor_id": "bad_fields_1", "at": at}
    r = post(None, body={"views": [good], "color": "red"})
    assert_problem(r, 400, "unknown_field")
    assert fields(r) == ["color"], r.json
    r = post([good, dict(good, referrer="x")])
    assert_problem(r, 400, "unknown_field")
    assert "views[1].referrer" in fields(r), r.json
    r = post([dict(good, at=1234567890),
              dict(good, at="yesterday"),
              dict(good, shop_id="12"),
              dict(good, shop_id=0),
              dict(good, product_id=-1),
              dict(good, visitor_id="short"),
              dict(good, visitor_id="has space 123"),
              dict(good, visitor_id="v" * 65),
              dict(good, source="Search"),
              dict(good, source=""),
              dict(good, source="s" * 33),
              {"visitor_id": "bad_fields_1"},
              "not an object"])
    assert_problem(r, 400, "invalid_field")
    assert fields(r) == sorted(["views[0].at", "views[1].at", "views[2].shop_id",
                                "views[3].shop_id", "views[4].product_id",
                                "views[5].visitor_id", "views[6].visitor_id",
                                "views[7].visitor_id", "views[8].source", "views[9].source",
                                "views[10].source", "views[11].at", "views[11].shop_id",
                                "views[12]"]), r.json
    r = post(None, body={"views": {"shop_id": w.shop}})
    assert_problem(r, 400, "invalid_field")
    assert fields(r) == ["views"], r.json
    r = post(None, body={})
    assert_problem(r, 400, "invalid_field")
    assert sql("SELECT count(*) FROM page_views WHERE visitor = 'v:bad_fields_1'") == "0"


def test_roles():
    """Merchants and staff may not report views; a token that is sent must
    be good, as on every route."""
    w = world()
    now = freeze(local("2031-05-16 08:00:00"))
    views = [{"shop_id": w.shop, "visitor_id": "roles_visitor", "at": fmt_time(now)}]
    _, merchant = new_merchant()
    assert_problem(post(views, merchant), 403, "forbidden")
    _, staff = new_reviewer()
    assert_problem(post(views, staff), 403, "forbidden")
    assert_problem(post(views, "A" * 43), 401, "unauthenticated")
    assert sql("SELECT count(*) FROM page_views WHERE visitor = 'v:roles_visitor'") == "0"
    r = server().request("GET", PATH)
    assert r.status == 405 and "POST" in r.headers.get("allow", ""), r


def test_partitions_across_local_midnight():
    """Rows land in the partition of their local day, whose bounds are the
    local midnights of MERCHANTD_TZ (Asia/Shanghai here)."""
    w = world()
    now = freeze(local("2031-05-18 00:02:00"))
    before = local("2031-05-17 23:59:59")
    after = local("2031-05-18 00:00:00")
    v = {"shop_id": w.shop, "visitor_id": "midnight_visitor"}
    accepted(post([dict(v, at=fmt_time(before)), dict(v, at=fmt_time(after)),
                   dict(v, at=fmt_time(now))]), 3, 0)
    assert partition_of(f"visitor = 'v:midnight_visitor' AND at = '{fmt_time(before)}'") == \
        "page_views_20310517"
    assert partition_of(f"visitor = 'v:midnight_visitor' AND at >= '{fmt_time(after)}'") == \
        "page_views_20310518"
    bounds = sql("SELECT lo || ' ' || hi FROM page_views_partition_list()"
                 " WHERE name = 'page_views_20310518'")
    assert bounds == "2031-05-17 16:00:00+00 2031-05-18 16:00:00+00", bounds
    assert sql("SELECT minute = date_trunc('minute', at) FROM page_views"
               " WHERE visitor = 'v:midnight_visitor' GROUP BY 1") == "t"


def test_partition_job():
    """The hourly job makes the partitions from yesterday to three days
    ahead and drops the days that ended more than
    MERCHANTD_VIEWS_RETENTION_DAYS (90) ago."""
    w = world()
    start = freeze(local("2031-06-01 10:00:00"))
    accepted(post([{"shop_id": w.shop, "visitor_id": "retention_1", "at": fmt_time(start)}]),
             1, 0)
    assert partition_exists("20310601")
    r = server().request("POST", "/v1/test/jobs/run")
    assert r.status == 200, r
    for day in ("20310531", "20310601", "20310602", "20310603", "20310604"):
        assert partition_exists(day), day
    assert not partition_exists("20310605")

    # The day 2031-06-01 ends at 06-02 00:00 local: its partition is kept
    # until 90 days after that, and dropped then.
    end = local("2031-06-02 00:00:00") + datetime.timedelta(days=90)
    freeze(end - datetime.timedelta(minutes=1))
    assert server().request("POST", "/v1/test/jobs/run").status == 200
    assert partition_exists("20310601")
    assert not partition_exists("20310531")  # ended a day earlier
    freeze(end)
    assert server().request("POST", "/v1/test/jobs/run").status == 200
    assert not partition_exists("20310601")
    assert partition_exists("20310602")
    assert sql("SELECT count(*) FROM page_views WHERE visitor = 'v:retention_1'") == "0"
    for d in range(-1, 4):
        day = local_day(end + datetime.timedelta(days=d))
        assert partition_exists(day), day
    # Whatever is left is within the retention and without gaps.
    assert sql("SELECT count(*) FROM page_views_partition_list()"
               f" WHERE hi <= timestamptz '{fmt_time(end)}' - interval '90 days'") == "0"
    # Running it again changes nothing.
    before = sql("SELECT string_agg(name, ',' ORDER BY lo) FROM page_views_partition_list()")
    assert server().request("POST", "/v1/test/jobs/run").status == 200
    assert sql("SELECT string_agg(name, ',' ORDER BY lo) FROM page_views_partition_list()") == \
        before


def test_far_future_clock():
    """A clock far ahead of every partition: the views still land, in a
    partition made for their day on the spot."""
    w = world()
    now = freeze(local("2040-02-29 12:00:00"))
    assert not partition_exists("20400229")
    buyer_id, token = new_buyer()
    accepted(post([{"shop_id": w.shop, "product_id": w.product, "at": fmt_time(now)},
                   {"shop_id": w.shop, "at": fmt_time(local("2040-02-28 23:30:00"))}], token),
             2, 0)
    assert partition_of(f"visitor = 'a:{buyer_id}' AND product_id IS NOT NULL") == \
        "page_views_20400229"
    assert partition_of(f"visitor = 'a:{buyer_id}' AND product_id IS NULL") == \
        "page_views_20400228"
    assert not partition_exists("20400301")


if __name__ == "__main__":
    main([test_fresh_server_has_partitions, test_buyer_and_anonymous, test_duplicates,
          test_time_window, test_unknown_shop_and_product, test_batch_size, test_bad_fields,
          test_roles, test_partitions_across_local_midnight, test_partition_job,
          test_far_future_clock])
