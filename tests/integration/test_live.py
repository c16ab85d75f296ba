"""The live room: GET /v1/shops/{id}/live, live/start and live/stop with the
room, POST /v1/live/{id}/join and /leave (presence that lapses without a
heartbeat), POST /v1/shops/{id}/live/coupons/{id}/push (live.coupon events
to the buyers in the room, over SSE and long poll, on another instance too;
the late joiner's reply), red packets (POST /v1/shops/{id}/live/red-packets,
GET one, POST /v1/red-packets/{id}/grab), their vouchers at checkout, the
expiry job, and the races: a crowd grabbing a packet of 100, one buyer
grabbing many times at once.

Buyers for the races get accounts and sessions through SQL, as argon2 makes
registering hundreds of them slow."""

import datetime
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from harness import *  # noqa: E402,F401,F403
from test_events import SSE  # noqa: E402

# More workers than the default two: more grabs reach PostgreSQL at once.
# Jobs run only when a test asks (POST /v1/test/jobs/run).
ENV = {"MERCHANTD_THREADS": "8", "MERCHANTD_JOB_INTERVAL_SECONDS": "86400"}
PRESENCE = 300  # MERCHANTD_LIVE_PRESENCE_SECONDS's default
CROWD = 1000


def s():
    return srv(ENV)


def q(query):
    return psql(s().db_url, query)


def make_accounts(n, role="buyer", permissions=None):
    return accounts_with_sessions(s(), n, role, permissions)


def buyer():
    return make_accounts(1)[0]


def merchant_shop(stock=1000, price=1000):
    """A merchant (id, token) and a shop of theirs with one SKU: (mid, token, shop, sku)."""
    (mid, mtoken), = make_accounts(1, "merchant")
    shop = int(q(f"INSERT INTO shops (merchant_id, name, created_at, updated_at) "
                 f"VALUES ({mid}, 'Tea House', now(), now()) RETURNING id"))
    product = int(q(f"INSERT INTO products (shop_id, title, status, created_at, updated_at) "
                    f"VALUES ({shop}, 'Longjing', 'on_sale', now(), now()) RETURNING id"))
    sku = int(q(f"INSERT INTO skus (product_id, shop_id, spec, price_cents, stock, created_at,"
                f" updated_at) VALUES ({product}, {shop}, '250g', {price}, {stock}, now(), now())"
                f" RETURNING id"))
    return mid, mtoken, shop, sku


def new_coupon(shop, channel="live", discount=100, total=100, stopped=False):
    return int(q(
        f"INSERT INTO coupons (shop_id, kind, title, discount_cents, min_order_cents,"
        f" total_quantity, per_buyer_limit, claim_start, claim_end, valid_days, channel,"
        f" stopped_at, created_at) VALUES ({shop}, 'shop', '{discount} off', {discount}, 0,"
        f" {total}, 1, now() - interval '1 day', now() + interval '30 days', 7, '{channel}',"
        f" {'now()' if stopped else 'NULL'}, now()) RETURNING id"))


def call(method, path, token, body=None, headers=None):
    return s().request(method, path, body, token=token, headers=headers)


def live(token, shop, action):
    r = call("POST", f"/v1/shops/{shop}/live/{action}", token)
    assert r.status == 200, r
    return r.json


def state(token, shop, path="live"):
    r = call("GET", f"/v1/shops/{shop}/{path}", token)
    assert r.status == 200, r
    return r.json


def join(token, live_id):
    return call("POST", f"/v1/live/{live_id}/join", token)


def joined(token, live_id):
    r = join(token, live_id)
    assert r.status == 200, r
    return r.json


def packet(token, shop, total, count, kind="lucky", valid_days=None):
    body = {"total_cents": total, "count": count, "kind": kind}
    if valid_days is not None:
        body["valid_days"] = valid_days
    return call("POST", f"/v1/shops/{shop}/live/red-packets", token, body)


def made_packet(token, shop, total, count, kind="lucky", valid_days=None):
    r = packet(token, shop, total, count, kind, valid_days)
    assert r.status == 201, r
    return r.json


def grab(token, packet_id, key=None):
    h = {"Idempotency-Key": key} if key else None
    return call("POST", f"/v1/red-packets/{packet_id}/grab", token, headers=h)


def poll(server, token, **params):
    qs = "&".join(f"{k}={v}" for k, v in params.items())
    r = server.request("GET", "/v1/events/poll" + ("?" + qs if qs else ""), token=token,
                       timeout=40)
    assert r.status == 200, r
    return r.json


def live_events(token, after, kind, timeout=5):
    """The caller's events of kind after position after, waiting up to
    timeout for the first."""
    deadline = time.monotonic() + timeout
    out = []
    while True:
        left = max(0, int(deadline - time.monotonic()))
        page = poll(s(), token, after=after, timeout=left)
        out += [e for e in page["items"] if e["kind"] == kind]
        after = page["next_after"]
        if out or left == 0:
            return out


def position(token):
    return poll(s(), token, timeout=0)["next_after"]


def frozen(dt):
    s().set_clock(fmt_time(dt))


def now_utc():
    return utcnow().replace(microsecond=0)


# ---------------------------------------------------------------------------


def test_live_room_lifecycle():
    mid, mt, shop, _ = merchant_shop()
    _, other_mt, other_shop, _ = merchant_shop()
    _, bt = buyer()
    st = state(mt, shop)
    assert st == {"shop_id": shop, "live": False, "live_since": None, "live_id": None,
                  "viewer_count": 0, "coupon": None}, st
    started = live(mt, shop, "start")
    assert started["live"] and started["live_id"] > 0 and started["viewer_count"] == 0
    room = started["live_id"]
    # Starting again keeps the room.
    assert live(mt, shop, "start")["live_id"] == room
    # Any buyer sees any shop's room; another merchant does not.
    assert state(bt, shop, "live-room") == state(mt, shop)
    assert state(bt, shop, "live-room")["live_id"] == room
    assert_problem(call("GET", f"/v1/shops/{shop}/live", other_mt), 404, "not_found")
    assert_problem(call("GET", f"/v1/shops/{shop}/live", bt), 403, "forbidden")
    assert_problem(call("GET", f"/v1/shops/{shop}/live-room", mt), 403, "forbidden")
    assert_problem(call("GET", "/v1/shops/999999999/live-room", bt), 404, "not_found")
    assert_problem(call("POST", f"/v1/shops/{shop}/live/start", other_mt), 404, "not_found")
    assert live(other_mt, other_shop, "stop")["live_id"] is None
    assert state(mt, shop)["live_id"] == room

    stopped = live(mt, shop, "stop")
    assert stopped == {"shop_id": shop, "live": False, "live_since": None, "live_id": None,
                       "viewer_count": 0, "coupon": None}, stopped
    assert live(mt, shop, "stop") == stopped
    assert q(f"SELECT ended_at IS NOT NULL FROM live_rooms WHERE id = {room}") == "t"
    again = live(mt, shop, "start")["live_id"]
    assert again != room
    assert q(f"SELECT count(*) FROM live_rooms WHERE shop_id = {shop} AND ended_at IS NULL") == "1"
    # A shop that went live before rooms existed gets one at its next start.
    live(mt, shop, "stop")
    q(f"UPDATE shops SET live_since = now() WHERE id = {shop}")
    assert state(mt, shop)["live_id"] is None
    assert live(mt, shop, "start")["live_id"] is not None
    # Racing starts open one room.
    for _ in range(3):
        live(mt, shop, "stop")
        results = parallel(lambda: call("POST", f"/v1/shops/{shop}/live/start", mt), [()] * 8)
        assert all(r.status == 200 for r in results), results
        assert len({r.json["live_id"] for r in results}) == 1
    assert_problem(call("POST", f"/v1/shops/{shop}/live/start", mt, {"x": 1}), 400,
                   "unexpected_body")
    assert_problem(call("POST", f"/v1/shops/{shop}/live/start", bt), 403, "forbidden")
    _ = mid


def test_join_leave_presence():
    t0 = now_utc()
    frozen(t0)
    try:
        _, mt, shop, _ = merchant_shop()
        room = live(mt, shop, "start")["live_id"]
        (a, at), (b, bt), (_, ct) = make_accounts(3)
        j = joined(at, room)
        assert j["live_id"] == room and j["shop_id"] == shop and j["viewer_count"] == 1
        assert j["coupon"] is None and j["red_packet_ids"] == []
        assert j["joined_at"] == fmt_time(t0)
        assert j["present_until"] == fmt_time(t0 + datetime.timedelta(seconds=PRESENCE))
        # However many devices (or repeated joins): once.
        results = parallel(lambda: join(at, room), [()] * 10)
        assert all(r.status == 200 and r.json["viewer_count"] == 1 for r in results), results
        assert joined(bt, room)["viewer_count"] == 2
        assert state(mt, shop)["viewer_count"] == 2
        # Leave, and leave again: the same answer.
        r = call("POST", f"/v1/live/{room}/leave", bt)
        assert r.status == 200 and r.json == {"live_id": room, "shop_id": shop, "in_room": False,
                                              "viewer_count": 1}, r
        assert call("POST", f"/v1/live/{room}/leave", bt).json == r.json
        assert call("POST", f"/v1/live/{room}/leave", ct).json == r.json
        # A heartbeat within the window keeps a viewer; without one they lapse.
        frozen(t0 + datetime.timedelta(seconds=PRESENCE - 10))
        j = joined(at, room)
        assert j["joined_at"] == fmt_time(t0), j
        assert j["present_until"] == fmt_time(t0 + datetime.timedelta(seconds=2 * PRESENCE - 10))
        frozen(t0 + datetime.timedelta(seconds=2 * PRESENCE - 10))
        assert state(mt, shop)["viewer_count"] == 0
        # Rejoining after a lapse is a fresh join.
        j = joined(at, room)
        assert j["viewer_count"] == 1
        assert j["joined_at"] == fmt_time(t0 + datetime.timedelta(seconds=2 * PRESENCE - 10))
        # The purge job keeps the table small; the count never needed it.
        frozen(t0 + datetime.timedelta(seconds=4 * PRESENCE))
        assert s().request("POST", "/v1/test/jobs/run").status == 200
        assert q(f"SELECT count(*) FROM live_viewers WHERE live_id = {room}") == "0"
        joined(at, room)
        # Stopping ends the room: no viewers, no joins.
        live(mt, shop, "stop")
        assert q(f"SELECT count(*) FROM live_viewers WHERE live_id = {room}") == "0"
        assert_problem(join(at, room), 409, "not_live")
        assert call("POST", f"/v1/live/{room}/leave", at).status == 200
        assert_problem(join(at, 999999999), 404, "not_found")
        assert_problem(call("POST", "/v1/live/999999999/leave", at), 404, "not_found")
        assert_problem(join(mt, room), 403, "forbidden")
        assert_problem(call("POST", f"/v1/live/{room}/join", at, {"x": 1}), 400,
                       "unexpected_body")
        assert_problem(s().request("POST", f"/v1/live/{room}/join"), 401, "unauthenticated")
        _ = (a, b)
    finally:
        s().request("PUT", "/v1/test/clock", {"now": None})


def test_push_coupon_to_the_room():
    mid, mt, shop, _ = merchant_shop()
    _, other_mt, other_shop, _ = merchant_shop()
    coupon = new_coupon(shop)
    (_, at), (_, bt), (_, ct) = make_accounts(3)
    path = f"/v1/shops/{shop}/live/coupons/{coupon}/push"
    assert_problem(call("POST", path, mt), 409, "not_live")
    room = live(mt, shop, "start")["live_id"]
    joined(at, room)
    pos_a, pos_b, pos_m = position(at), position(bt), position(mt)
    stream = SSE(s(), at)
    try:
        r = call("POST", path, mt)
        assert r.status == 200, r
        assert r.json["live_id"] == room and r.json["notified"] == 1
        c = r.json["coupon"]
        assert c["coupon_id"] == coupon and c["discount_cents"] == 100 and c["kind"] == "shop"
        # Over SSE and the long poll, to the buyer in the room and the merchant.
        m = stream.next_matching(lambda e: e and e.get("event") == "live.coupon", timeout=10)
        assert m is not None
        got = m["data"]
        assert got["data"] == {"live_id": room, "shop_id": shop, "coupon": c}, got
        (ev,) = live_events(at, pos_a, "live.coupon")
        assert ev["data"]["coupon"] == c and ev["shop_id"] == shop
        assert len(live_events(mt, pos_m, "live.coupon")) == 1
        # Not to a buyer outside the room.
        assert live_events(bt, pos_b, "live.coupon", timeout=1) == []
    finally:
        stream.close()
    # A late joiner finds it in the join reply, as does the live state.
    j = joined(ct, room)
    assert j["coupon"] == c
    assert state(mt, shop)["coupon"] == c
    # It claims as any live coupon.
    r = call("POST", f"/v1/coupons/{coupon}/claim", ct)
    assert r.status == 201, r
    # A later push replaces it.
    second = new_coupon(shop, discount=200)
    r = call("POST", f"/v1/shops/{shop}/live/coupons/{second}/push", mt)
    assert r.status == 200 and r.json["notified"] == 2, r
    assert joined(bt, room)["coupon"]["coupon_id"] == second

    # Refusals.
    normal = new_coupon(shop, channel="normal")
    stopped = new_coupon(shop, stopped=True)
    for bad in (normal, stopped):
        assert_problem(call("POST", f"/v1/shops/{shop}/live/coupons/{bad}/push", mt), 409,
                       "not_claimable")
    theirs = new_coupon(other_shop)
    assert_problem(call("POST", f"/v1/shops/{shop}/live/coupons/{theirs}/push", mt), 404,
                   "not_found")
    assert_problem(call("POST", path, other_mt), 404, "not_found")
    assert_problem(call("POST", f"/v1/shops/{other_shop}/live/coupons/{coupon}/push", other_mt),
                   404, "not_found")
    assert_problem(call("POST", path, at), 403, "forbidden")
    assert_problem(call("POST", path, mt, {"x": 1}), 400, "unexpected_body")
    live(mt, shop, "stop")
    assert_problem(call("POST", path, mt), 409, "not_live")
    # The next room starts without a pushed coupon.
    assert live(mt, shop, "start")["coupon"] is None
    _ = mid


def test_push_reaches_another_instance():
    _, mt, shop, _ = merchant_shop()
    coupon = new_coupon(shop)
    _, at = buyer()
    room = live(mt, shop, "start")["live_id"]
    joined(at, room)
    other = start_server(db_url=s().db_url, migrate=False)
    try:
        stream = SSE(other, at)
        pos = poll(other, at, timeout=0)["next_after"]
        out = {}
        th = threading.Thread(target=lambda: out.update(r=poll(other, at, after=pos, timeout=20)))
        th.start()
        time.sleep(0.3)
        assert call("POST", f"/v1/shops/{shop}/live/coupons/{coupon}/push", mt).status == 200
        th.join()
        assert [e["kind"] for e in out["r"]["items"]] == ["live.coupon"], out
        m = stream.next_matching(lambda e: e and e.get("event") == "live.coupon", timeout=10)
        assert m is not None and m["data"]["data"]["coupon"]["coupon_id"] == coupon
        stream.close()
    finally:
        stop_server(other)


def test_red_packet_create_and_read():
    _, mt, shop, _ = merchant_shop()
    _, other_mt, other_shop, _ = merchant_shop()
    _, bt = buyer()
    assert_problem(packet(mt, shop, 1000, 10), 409, "not_live")
    room = live(mt, shop, "start")["live_id"]
    joined(bt, room)
    pos = position(bt)
    p = made_packet(mt, shop, 1000, 10, "equal")
    assert p["live_id"] == room and p["shop_id"] == shop and p["kind"] == "equal"
    assert p["total_cents"] == 1000 and p["count"] == 10 and p["valid_days"] == 7
    assert p["grabbed"] == 0 and p["grabbed_cents"] == 0 and p["status"] == "open"
    assert p["expired_at"] is None and p["unclaimed_cents"] is None
    created = parse_time(p["created_at"])
    assert parse_time(p["expires_at"]) - created == datetime.timedelta(hours=24)
    (ev,) = live_events(bt, pos, "live.red_packet")
    assert ev["data"] == {"live_id": room, "shop_id": shop, "red_packet_id": p["id"],
                          "kind": "equal", "total_cents": 1000, "count": 10,
                          "expires_at": p["expires_at"]}, ev
    assert joined(bt, room)["red_packet_ids"] == [p["id"]]
    r = call("GET", f"/v1/shops/{shop}/live/red-packets/{p['id']}", mt)
    assert r.status == 200 and r.json == p, r
    assert made_packet(mt, shop, 1, 1, "lucky", valid_days=365)["valid_days"] == 365

    # Validation: every problem at once.
    r = call("POST", f"/v1/shops/{shop}/live/red-packets", mt,
             {"total_cents": 0, "count": 0, "kind": "big", "valid_days": 0})
    assert_problem(r, 400, "invalid_field")
    assert {e["field"] for e in r.json["errors"]} == {"total_cents", "count", "kind", "valid_days"}
    r = packet(mt, shop, 9, 10)
    assert_problem(r, 400, "invalid_field")
    assert [e["field"] for e in r.json["errors"]] == ["total_cents"]
    assert_problem(packet(mt, shop, 20000001, 10), 400, "invalid_field")
    assert_problem(packet(mt, shop, 100000, 10001), 400, "invalid_field")
    assert_problem(call("POST", f"/v1/shops/{shop}/live/red-packets", mt,
                        {"total_cents": 10, "count": 1}), 400, "invalid_field")
    assert_problem(call("POST", f"/v1/shops/{shop}/live/red-packets", mt,
                        {"total_cents": 10, "count": 1, "kind": "equal", "x": 1}), 400,
                   "unknown_field")
    # Tenancy and roles.
    assert_problem(packet(other_mt, shop, 1000, 10), 404, "not_found")
    assert_problem(call("GET", f"/v1/shops/{other_shop}/live/red-packets/{p['id']}", other_mt),
                   404, "not_found")
    assert_problem(call("GET", f"/v1/shops/{shop}/live/red-packets/{p['id']}", other_mt), 404,
                   "not_found")
    assert_problem(call("GET", f"/v1/shops/{shop}/live/red-packets/999999999", mt), 404,
                   "not_found")
    assert_problem(packet(bt, shop, 1000, 10), 403, "forbidden")
    # Idempotency-Key: the same key and body give the same packet.
    body = {"total_cents": 500, "count": 5, "kind": "lucky"}
    h = {"Idempotency-Key": uname("k")}
    r1 = call("POST", f"/v1/shops/{shop}/live/red-packets", mt, body, h)
    r2 = call("POST", f"/v1/shops/{shop}/live/red-packets", mt, body, h)
    assert r1.status == 201 and r2.json == r1.json, (r1, r2)


def test_grab_equal_and_the_voucher_at_checkout():
    _, mt, shop, sku = merchant_shop(price=1000)
    _, _, other_shop, other_sku = merchant_shop(price=1000)
    room = live(mt, shop, "start")["live_id"]
    viewers = make_accounts(10)
    for _, t in viewers:
        joined(t, room)
    p = made_packet(mt, shop, 1003, 10, "equal", valid_days=3)
    amounts = []
    for i, (bid, t) in enumerate(viewers):
        r = grab(t, p["id"])
        assert r.status == 201, r
        g = r.json
        assert g["seq"] == i + 1 and g["red_packet_id"] == p["id"] and g["shop_id"] == shop
        v = g["voucher"]
        assert v["discount_cents"] == g["amount_cents"] and v["min_order_cents"] == 0
        assert v["kind"] == "shop" and v["shop_id"] == shop and v["status"] == "usable"
        assert parse_time(v["valid_to"]) - parse_time(v["valid_from"]) == \
            datetime.timedelta(days=3)
        amounts.append(g["amount_cents"])
    assert amounts == [101, 101, 101] + [100] * 7, amounts
    r = call("GET", f"/v1/shops/{shop}/live/red-packets/{p['id']}", mt)
    assert r.json["status"] == "finished" and r.json["grabbed_cents"] == 1003
    assert r.json["grabbed"] == 10

    # The voucher is the buyer's coupon, used like any shop coupon.
    bid, t = viewers[0]
    v = grab(t, p["id"])
    assert_problem(v, 409, "already_grabbed")
    voucher = q(f"SELECT buyer_coupon_id FROM red_packet_slots WHERE red_packet_id = {p['id']}"
                f" AND buyer_id = {bid}")
    mine = call("GET", "/v1/me/coupons", t).json["items"]
    assert [c["id"] for c in mine] == [int(voucher)], mine
    addr = ADDRESS

    def order(shop_id, sku_id, qty, coupon):
        return call("POST", "/v1/orders", t, {"shop_id": shop_id, "address": addr,
                                              "items": [{"sku_id": sku_id, "quantity": qty}],
                                              "coupon_id": coupon})
    # Not at another shop.
    assert_problem(order(other_shop, other_sku, 1, int(voucher)), 409, "coupon_unavailable")
    r = order(shop, sku, 1, int(voucher))
    assert r.status == 201, r
    assert r.json["amounts"]["discount_cents"] == 101 and r.json["amounts"]["total_cents"] == 899
    assert_problem(order(shop, sku, 1, int(voucher)), 409, "coupon_unavailable")
    # A voucher worth more than the order cannot be used on it.
    small = int(q(f"INSERT INTO skus (product_id, shop_id, spec, price_cents, stock, created_at,"
                  f" updated_at) SELECT product_id, shop_id, 'sample', 50, 100, now(), now()"
                  f" FROM skus WHERE id = {sku} RETURNING id"))
    bid2, t2 = viewers[1]
    voucher2 = int(q(f"SELECT buyer_coupon_id FROM red_packet_slots"
                     f" WHERE red_packet_id = {p['id']} AND buyer_id = {bid2}"))
    r = call("POST", "/v1/orders", t2, {"shop_id": shop, "address": addr,
                                        "items": [{"sku_id": small, "quantity": 1}],
                                        "coupon_id": voucher2})
    assert_problem(r, 409, "coupon_unavailable")
    r = call("POST", "/v1/orders", t2, {"shop_id": shop, "address": addr,
                                        "items": [{"sku_id": small, "quantity": 3}],
                                        "coupon_id": voucher2})
    assert r.status == 201 and r.json["amounts"]["total_cents"] == 49, r
    # The vouchers' coupons stay out of the merchant's coupon list.
    listed = call("GET", f"/v1/shops/{shop}/coupons", mt).json["items"]
    assert listed == [], listed
    coupon_row = q(f"SELECT coupon_id FROM buyer_coupons WHERE id = {voucher2}")
    assert_problem(call("GET", f"/v1/shops/{shop}/coupons/{coupon_row}", mt), 404, "not_found")
    # And can never be claimed.
    assert_problem(call("POST", f"/v1/coupons/{coupon_row}/claim", viewers[5][1]), 409,
                   "not_claimable")


def test_grab_refusals_and_expiry():
    t0 = now_utc()
    frozen(t0)
    try:
        _, mt, shop, _ = merchant_shop()
        _, other_mt, _, _ = merchant_shop()
        room = live(mt, shop, "start")["live_id"]
        (_, at), (_, bt), (_, ct) = make_accounts(3)
        p = made_packet(mt, shop, 10, 2, "lucky")
        # Not in the room yet.
        assert_problem(grab(at, p["id"]), 409, "not_in_room")
        joined(at, room)
        joined(bt, room)
        joined(ct, room)
        r = grab(at, p["id"], key="k1")
        assert r.status == 201, r
        # The key replays; another grab is refused.
        assert grab(at, p["id"], key="k1").json == r.json
        assert_problem(grab(at, p["id"]), 409, "already_grabbed")
        assert grab(bt, p["id"]).status == 201
        assert_problem(grab(ct, p["id"]), 409, "red_packet_empty")
        assert_problem(grab(ct, 999999999), 404, "not_found")
        assert_problem(grab(mt, p["id"]), 403, "forbidden")
        assert_problem(grab(other_mt, p["id"]), 403, "forbidden")
        assert_problem(s().request("POST", f"/v1/red-packets/{p['id']}/grab"), 401,
                       "unauthenticated")
        assert_problem(call("POST", f"/v1/red-packets/{p['id']}/grab", ct, {"x": 1}), 400,
                       "unexpected_body")
        # Presence that lapsed: not in the room.
        p2 = made_packet(mt, shop, 300, 3, "lucky")
        frozen(t0 + datetime.timedelta(seconds=PRESENCE + 1))
        assert_problem(grab(ct, p2["id"]), 409, "not_in_room")
        joined(ct, room)
        assert grab(ct, p2["id"]).status == 201
        # After 24 hours: expired, and the job records what was left.
        frozen(t0 + datetime.timedelta(hours=24))
        joined(at, room)
        assert_problem(grab(at, p2["id"]), 409, "red_packet_expired")
        r = call("GET", f"/v1/shops/{shop}/live/red-packets/{p2['id']}", mt)
        assert r.json["status"] == "expired" and r.json["unclaimed_cents"] is None, r
        assert s().request("POST", "/v1/test/jobs/run").status == 200
        r = call("GET", f"/v1/shops/{shop}/live/red-packets/{p2['id']}", mt).json
        assert r["status"] == "expired" and r["expired_at"] == fmt_time(t0 + datetime.timedelta(
            hours=24)), r
        assert r["unclaimed_cents"] == 300 - r["grabbed_cents"] and r["grabbed"] == 1
        assert joined(at, room)["red_packet_ids"] == []
        # A finished packet is closed with nothing left.
        done = call("GET", f"/v1/shops/{shop}/live/red-packets/{p['id']}", mt).json
        assert done["status"] == "finished" and done["unclaimed_cents"] == 0, done
        # A stopped live: the room's packets can no longer be grabbed.
        p3 = made_packet(mt, shop, 300, 3, "lucky")
        live(mt, shop, "stop")
        assert_problem(grab(bt, p3["id"]), 409, "not_live")
    finally:
        s().request("PUT", "/v1/test/clock", {"now": None})


def test_lucky_amounts():
    _, mt, shop, _ = merchant_shop()
    room = live(mt, shop, "start")["live_id"]
    viewers = make_accounts(20)
    q("INSERT INTO live_viewers (live_id, buyer_id, joined_at, seen_at) SELECT "
      f"{room}, unnest(ARRAY[{','.join(str(b) for b, _ in viewers)}]::bigint[]),"
      " now() + interval '1 hour', now() + interval '1 hour'")
    seen = set()
    for total, count in ((20, 20), (21, 20), (10000, 20), (12345, 7)):
        p = made_packet(mt, shop, total, count, "lucky")
        amounts = []
        for _, t in viewers[:count]:
            r = grab(t, p["id"])
            assert r.status == 201, r
            amounts.append(r.json["amount_cents"])
            # Never more than double the mean of what was left.
        assert sum(amounts) == total and min(amounts) >= 1, amounts
        left, rest = count, total
        for a in amounts[:-1]:
            assert 1 <= a <= 2 * rest // left - 1 or left == 1, (a, rest, left)
            rest -= a
            left -= 1
        seen.update(amounts)
    assert len(seen) > 10, seen  # random, not one value


def crowd_in_room(room, n, present="1 hour"):
    viewers = make_accounts(n)
    q("INSERT INTO live_viewers (live_id, buyer_id, joined_at, seen_at) SELECT "
      f"{room}, unnest(ARRAY[{','.join(str(b) for b, _ in viewers)}]::bigint[]),"
      f" now() + interval '{present}', now() + interval '{present}'")
    return viewers


def test_race_crowd_grabs_packet_of_hundred():
    _, mt, shop, _ = merchant_shop()
    room = live(mt, shop, "start")["live_id"]
    viewers = crowd_in_room(room, CROWD)
    for kind, total in (("lucky", 88888), ("equal", 10050)):
        p = made_packet(mt, shop, total, 100, kind)
        results = parallel(lambda t: grab(t, p["id"]), [(t,) for _, t in viewers])
        statuses = {}
        for r in results:
            assert not isinstance(r, Exception), r
            key = r.status if r.status == 201 else (r.status, r.json["code"])
            statuses[key] = statuses.get(key, 0) + 1
        assert statuses == {201: 100, (409, "red_packet_empty"): CROWD - 100}, statuses
        won = [r.json for r in results if r.status == 201]
        assert sum(w["amount_cents"] for w in won) == total
        assert min(w["amount_cents"] for w in won) >= 1
        assert sorted(w["seq"] for w in won) == list(range(1, 101))
        assert q(f"SELECT count(DISTINCT buyer_id), sum(amount_cents) FROM red_packet_slots"
                 f" WHERE red_packet_id = {p['id']} AND buyer_id IS NOT NULL") == f"100|{total}"
        assert q(f"SELECT sum(c.discount_cents) FROM red_packet_slots g JOIN buyer_coupons b"
                 f" ON b.id = g.buyer_coupon_id JOIN coupons c ON c.id = b.coupon_id"
                 f" WHERE g.red_packet_id = {p['id']}") == str(total)


def test_race_one_buyer_grabs_many_times():
    _, mt, shop, _ = merchant_shop()
    room = live(mt, shop, "start")["live_id"]
    for _ in range(5):
        _, t = buyer()
        joined(t, room)
        p = made_packet(mt, shop, 1000, 10)
        results = parallel(lambda: grab(t, p["id"]), [()] * 20)
        ok = [r for r in results if not isinstance(r, Exception) and r.status == 201]
        assert len(ok) == 1, results
        for r in results:
            assert r in ok or (r.status == 409 and r.json["code"] == "already_grabbed"), r
        assert q(f"SELECT count(*) FROM red_packet_slots WHERE red_packet_id = {p['id']}"
                 f" AND buyer_id IS NOT NULL") == "1"


def test_race_grabs_and_expiry():
    """Grabs on one instance a second before the packet's 24 hours, the
    expiry job on another whose clock is at them: what was grabbed and
    what the job records as unclaimed add up to the total."""
    t0 = now_utc()
    other = start_server(db_url=s().db_url, migrate=False)
    try:
        for _ in range(3):
            frozen(t0)
            _, mt, shop, _ = merchant_shop()
            room = live(mt, shop, "start")["live_id"]
            viewers = crowd_in_room(room, 300, present="2 days")
            p = made_packet(mt, shop, 50000, 200, "lucky")
            frozen(t0 + datetime.timedelta(hours=24, seconds=-1))
            other.set_clock(fmt_time(t0 + datetime.timedelta(hours=24)))
            calls = [lambda t=t: grab(t, p["id"]) for _, t in viewers] + \
                [lambda: other.request("POST", "/v1/test/jobs/run")] * 3
            results = parallel(lambda f: f(), [(f,) for f in calls])
            for r in results:
                assert not isinstance(r, Exception), r
                assert r.status in (200, 201) or r.json["code"] in (
                    "red_packet_expired", "red_packet_empty"), r
            won = sum(r.json["amount_cents"] for r in results if r.status == 201)
            got = call("GET", f"/v1/shops/{shop}/live/red-packets/{p['id']}", mt).json
            assert got["expired_at"] is not None, got
            assert got["grabbed_cents"] == won, (got, won)
            assert got["unclaimed_cents"] + won == 50000, (got, won)
    finally:
        stop_server(other)
        s().request("PUT", "/v1/test/clock", {"now": None})


if __name__ == "__main__":
    main([test_live_room_lifecycle, test_join_leave_presence, test_push_coupon_to_the_room,
          test_push_reaches_another_instance, test_red_packet_create_and_read,
          test_grab_equal_and_the_voucher_at_checkout, test_grab_refusals_and_expiry,
          test_lucky_amounts, test_race_crowd_grabs_packet_of_hundred,
          test_race_one_buyer_grabs_many_times, test_race_grabs_and_expiry])
