"""Chat quick replies (CRUD, the per-shop cap) and auto-replies (settings,
and the greeting, keyword and away replies the database sends)."""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from harness import *  # noqa: E402,F401,F403

GREETING = "您好，欢迎光临！"
THURSDAY_NIGHT = "2026-11-26T14:00:00Z"   # 22:00 Thursday in Asia/Shanghai
THURSDAY_NOON = "2026-11-26T04:00:00Z"    # 12:00 Thursday in Asia/Shanghai


def merchant_shop():
    merchant, token = new_merchant()
    shop, _ = new_shop(merchant)
    return merchant, token, shop


def qr_path(shop, qid=None):
    return f"/v1/shops/{shop}/quick-replies" + (f"/{qid}" if qid else "")


def ar_path(shop):
    return f"/v1/shops/{shop}/auto-reply"


def req(method, path, token, body=None, **kw):
    return srv().request(method, path, body, token=token, **kw)


def assert_fields(r, status, code, fields):
    assert_problem(r, status, code)
    named = sorted(e["field"] for e in r.json["errors"])
    assert named == sorted(fields), (named, r.json)


# ---------------------------------------------------------------------------
# Quick replies


def test_quick_replies_crud():
    _, token, shop = merchant_shop()
    r = req("GET", qr_path(shop), token)
    assert r.status == 200 and r.json == {"items": [], "next_cursor": None}, r

    r = req("POST", qr_path(shop), token, {"text": "稍等，马上为您查询"})
    assert r.status == 201, r
    a = r.json
    assert set(a) == {"id", "text", "group", "position", "created_at", "updated_at"}, a
    assert a["text"] == "稍等，马上为您查询" and a["group"] == "" and a["position"] == 0, a
    parse_time(a["created_at"])
    assert a["created_at"] == a["updated_at"]
    b = req("POST", qr_path(shop), token,
            {"text": "Shipped today", "group": "logistics", "position": 2}).json
    c = req("POST", qr_path(shop), token,
            {"text": "Shipped tomorrow", "group": "logistics", "position": 1}).json
    d = req("POST", qr_path(shop), token, {"text": "Also 1", "group": "logistics",
                                            "position": 1}).json
    assert b["group"] == "logistics" and b["position"] == 2

    r = req("GET", qr_path(shop), token)
    assert r.status == 200, r
    assert [q["id"] for q in r.json["items"]] == [a["id"], c["id"], d["id"], b["id"]], r.json
    assert r.json["items"][0] == a

    srv().set_clock("2026-12-01T00:00:00Z")
    try:
        r = req("PATCH", qr_path(shop, b["id"]), token, {"position": 0})
        assert r.status == 200, r
        assert r.json["position"] == 0 and r.json["text"] == b["text"], r.json
        assert r.json["group"] == "logistics" and r.json["updated_at"] == "2026-12-01T00:00:00Z"
        assert r.json["created_at"] == b["created_at"]
        r = req("PATCH", qr_path(shop, b["id"]), token, {"text": "已发货", "group": ""})
        assert r.status == 200 and r.json["text"] == "已发货" and r.json["group"] == "", r
    finally:
        srv().request("PUT", "/v1/test/clock", {"now": None})
    r = req("GET", qr_path(shop), token)
    assert [q["id"] for q in r.json["items"]] == [a["id"], b["id"], c["id"], d["id"]], r.json

    r = req("DELETE", qr_path(shop, c["id"]), token)
    assert r.status == 204 and r.raw == "", r
    assert sql(f"SELECT deleted_at IS NOT NULL FROM quick_replies WHERE id = {c['id']}") == "t"
    r = req("GET", qr_path(shop), token)
    assert [q["id"] for q in r.json["items"]] == [a["id"], b["id"], d["id"]], r.json
    assert_problem(req("DELETE", qr_path(shop, c["id"]), token), 404, "not_found")
    assert_problem(req("PATCH", qr_path(shop, c["id"]), token, {"text": "x"}), 404, "not_found")


def test_quick_replies_validation():
    _, token, shop = merchant_shop()
    p = qr_path(shop)
    assert_fields(req("POST", p, token, {}), 400, "invalid_field", ["text"])
    assert_fields(req("POST", p, token, {"text": ""}), 400, "invalid_field", ["text"])
    assert_fields(req("POST", p, token, {"text": "  \n"}), 400, "invalid_field", ["text"])
    assert_fields(req("POST", p, token, {"text": "字" * 501}), 400, "invalid_field", ["text"])
    assert req("POST", p, token, {"text": "字" * 500, "group": "组" * 50,
                                  "position": 10000}).status == 201
    assert_fields(req("POST", p, token, {"text": 5}), 400, "invalid_field", ["text"])
    assert_fields(req("POST", p, token, {"text": "a", "group": "g" * 51, "position": 10001}),
                  400, "invalid_field", ["group", "position"])
    assert_fields(req("POST", p, token, {"text": "a", "position": -1}), 400, "invalid_field",
                  ["position"])
    assert_fields(req("POST", p, token, {"text": "a", "group": None}), 400, "invalid_field",
                  ["group"])
    assert_fields(req("POST", p, token, {"text": "a", "title": "b"}), 400, "unknown_field",
                  ["title"])
    r = req("POST", p, token, raw=b"not json", headers={"Content-Type": "application/json"})
    assert_problem(r, 400, "invalid_json")

    q = req("POST", p, token, {"text": "ok"}).json
    assert_fields(req("PATCH", qr_path(shop, q["id"]), token, {}), 400, "invalid_field",
                  ["body"])
    assert_fields(req("PATCH", qr_path(shop, q["id"]), token, {"text": None}), 400,
                  "invalid_field", ["text"])
    assert_fields(req("PATCH", qr_path(shop, q["id"]), token, {"position": 10001}), 400,
                  "invalid_field", ["position"])
    assert_fields(req("PATCH", qr_path(shop, q["id"]), token, {"colour": 1}), 400,
                  "unknown_field", ["colour"])
    r = req("PUT", qr_path(shop, q["id"]), token, {"text": "x"})
    assert_problem(r, 405, "method_not_allowed")
    assert r.headers["allow"] == "PATCH, DELETE", r.headers


def test_quick_replies_access():
    _, token, shop = merchant_shop()
    _, other_token, other_shop = merchant_shop()
    _, buyer_token = new_buyer()
    mine = req("POST", qr_path(shop), token, {"text": "mine"}).json
    theirs = req("POST", qr_path(other_shop), other_token, {"text": "theirs"}).json

    # Another merchant's shop and its quick replies are 404, like none at all.
    for s in (other_shop, 99999999):
        assert_problem(req("GET", qr_path(s), token), 404, "not_found")
        assert_problem(req("POST", qr_path(s), token, {"text": "x"}), 404, "not_found")
        assert_problem(req("PATCH", qr_path(s, theirs["id"]), token, {"text": "x"}), 404,
                       "not_found")
        assert_problem(req("DELETE", qr_path(s, theirs["id"]), token), 404, "not_found")
    # Their quick reply through my shop.
    assert_problem(req("PATCH", qr_path(shop, theirs["id"]), token, {"text": "x"}), 404,
                   "not_found")
    assert_problem(req("DELETE", qr_path(shop, theirs["id"]), token), 404, "not_found")
    assert sql(f"SELECT text || (deleted_at IS NULL) FROM quick_replies"
               f" WHERE id = {theirs['id']}") == "theirstrue"

    # Buyers are refused; no token is 401.
    assert_problem(req("GET", qr_path(shop), buyer_token), 403, "forbidden")
    assert_problem(req("POST", qr_path(shop), buyer_token, {"text": "x"}), 403, "forbidden")
    assert_problem(req("PATCH", qr_path(shop, mine["id"]), buyer_token, {"text": "x"}), 403,
                   "forbidden")
    assert_problem(req("DELETE", qr_path(shop, mine["id"]), buyer_token), 403, "forbidden")
    assert_problem(req("GET", qr_path(shop), None), 401, "unauthenticated")
    assert_problem(req("POST", qr_path(shop), None, {"text": "x"}), 401, "unauthenticated")
    assert_problem(req("PATCH", qr_path(shop, mine["id"]), None, {"text": "x"}), 401,
                   "unauthenticated")
    assert_problem(req("DELETE", qr_path(shop, mine["id"]), None), 401, "unauthenticated")


def test_quick_replies_cap_under_races():
    """A shop keeps at most 500 live quick replies; concurrent adds at 499
    let exactly one through. Deleting one makes room again."""
    for _ in range(4):
        _, token, shop = merchant_shop()
        sql(f"INSERT INTO quick_replies (shop_id, text, created_at, updated_at)"
            f" SELECT {shop}, 'r' || i, now(), now() FROM generate_series(1, 499) i")
        rs = parallel(lambda i: req("POST", qr_path(shop), token, {"text": f"new {i}"}),
                      [(i,) for i in range(6)])
        assert sorted(r.status for r in rs) == [201, 409, 409, 409, 409, 409], rs
        for r in rs:
            if r.status == 409:
                assert_problem(r, 409, "quick_reply_limit")
        assert sql(f"SELECT count(*) FROM quick_replies WHERE shop_id = {shop}") == "500"
        assert len(req("GET", qr_path(shop), token).json["items"]) == 500
    first = req("GET", qr_path(shop), token).json["items"][0]
    assert req("DELETE", qr_path(shop, first["id"]), token).status == 204
    assert req("POST", qr_path(shop), token, {"text": "room again"}).status == 201
    assert_problem(req("POST", qr_path(shop), token, {"text": "full"}), 409, "quick_reply_limit")


# ---------------------------------------------------------------------------
# Auto-reply settings

OFF = {"greeting": None, "keyword_rules": [], "away": None}
HOURS = [{"weekday": 1, "open": "09:00", "close": "18:00"},
         {"weekday": 4, "open": "09:00", "close": "21:30"},
         {"weekday": 7, "open": "00:00", "close": "24:00"}]


def test_auto_reply_settings():
    _, token, shop = merchant_shop()
    r = req("GET", ar_path(shop), token)
    assert r.status == 200 and r.json == OFF, r

    rules = [{"keyword": "退款", "reply": "请在订单页申请退款"},
             {"keyword": "Shipping", "reply": "We ship within 48 hours"}]
    r = req("PUT", ar_path(shop), token, {"greeting": GREETING})
    assert r.status == 200 and r.json == dict(OFF, greeting=GREETING), r
    r = req("PUT", ar_path(shop), token, {"keyword_rules": rules})
    assert r.status == 200 and r.json == dict(OFF, greeting=GREETING, keyword_rules=rules), r
    away = {"message": "客服已下班，明早9点回复", "hours": HOURS}
    r = req("PUT", ar_path(shop), token, {"away": away})
    full = {"greeting": GREETING, "keyword_rules": rules, "away": away}
    assert r.status == 200 and r.json == full, r
    assert req("GET", ar_path(shop), token).json == full

    # Omitted members stay; null turns one off; [] for rules is off too.
    r = req("PUT", ar_path(shop), token, {"greeting": None})
    assert r.json == dict(full, greeting=None), r
    r = req("PUT", ar_path(shop), token, {"away": None, "greeting": "hi"})
    assert r.json == {"greeting": "hi", "keyword_rules": rules, "away": None}, r
    r = req("PUT", ar_path(shop), token, {"keyword_rules": None})
    assert r.json == dict(OFF, greeting="hi"), r
    r = req("PUT", ar_path(shop), token,
            {"greeting": None, "keyword_rules": [], "away": {"message": "away", "hours": []}})
    assert r.json == dict(OFF, away={"message": "away", "hours": []}), r
    assert req("GET", ar_path(shop), token).json == r.json

    # 50 rules and 50 hours of the longest texts are accepted.
    rules = [{"keyword": "k" * 50, "reply": "r" * 500}] * 50
    hours = [{"weekday": 1 + i % 7, "open": "00:00", "close": "00:01"} for i in range(50)]
    r = req("PUT", ar_path(shop), token, {"greeting": "g" * 500, "keyword_rules": rules,
                                          "away": {"message": "m" * 500, "hours": hours}})
    assert r.status == 200 and len(r.json["keyword_rules"]) == 50, r
    assert len(r.json["away"]["hours"]) == 50


def test_auto_reply_validation():
    _, token, shop = merchant_shop()
    before = req("PUT", ar_path(shop), token, {"greeting": "keep"}).json

    def bad(body, fields, code="invalid_field"):
        assert_fields(req("PUT", ar_path(shop), token, body), 400, code, fields)

    bad({}, ["body"])
    bad({"greeting": ""}, ["greeting"])
    bad({"greeting": " "}, ["greeting"])
    bad({"greeting": "g" * 501}, ["greeting"])
    bad({"greeting": 1}, ["greeting"])
    bad({"keyword_rules": {}}, ["keyword_rules"])
    bad({"keyword_rules": [{"keyword": "a", "reply": "b"}] * 51}, ["keyword_rules"])
    bad({"keyword_rules": [{"keyword": "a", "reply": "b"}, {"reply": "b"}]},
        ["keyword_rules[1].keyword"])
    bad({"keyword_rules": [{"keyword": "k" * 51, "reply": ""}]},
        ["keyword_rules[0].keyword", "keyword_rules[0].reply"])
    bad({"keyword_rules": ["refund"]}, ["keyword_rules[0]"])
    bad({"keyword_rules": [{"keyword": "a", "reply": "b", "exact": True}]},
        ["keyword_rules[0].exact"], "unknown_field")
    bad({"away": "off"}, ["away"])
    bad({"away": {"hours": []}}, ["away.message"])
    bad({"away": {"message": "m"}}, ["away.hours"])
    bad({"away": {"message": "m", "hours": {}}}, ["away.hours"])
    bad({"away": {"message": "m", "hours": [{"weekday": 1, "open": "09:00",
                                             "close": "18:00"}] * 51}}, ["away.hours"])
    bad({"away": {"message": "m", "hours": [
        {"weekday": 0, "open": "9:00", "close": "24:01"},
        {"weekday": 8, "open": "24:00", "close": "00:00"},
        {"weekday": 3, "open": "18:00", "close": "09:00"},
        {"weekday": 3, "open": "09:00", "close": "09:00"},
        {"weekday": 3, "open": "09:60", "close": "9h"},
        {"weekday": "3", "open": 9, "close": None}]}},
        ["away.hours[0].weekday", "away.hours[0].open", "away.hours[0].close",
         "away.hours[1].weekday", "away.hours[1].open", "away.hours[1].close",
         "away.hours[2].close", "away.hours[3].close",
         "away.hours[4].open", "away.hours[4].close",
         "away.hours[5].weekday", "away.hours[5].open", "away.hours[5].close"])
    bad({"away": {"message": "m", "hours": [], "timezone": "UTC"}}, ["away.timezone"],
        "unknown_field")
    bad({"greeting": "x", "welcome": "y"}, ["welcome"], "unknown_field")
    # Problems of several parts come in one reply.
    bad({"greeting": "", "keyword_rules": [{}], "away": {"message": ""}},
        ["greeting", "keyword_rules[0].keyword", "keyword_rules[0].reply", "away.message",
         "away.hours"])
    assert req("GET", ar_path(shop), token).json == before


def test_auto_reply_access():
    _, token, shop = merchant_shop()
    _, other_token, other_shop = merchant_shop()
    _, buyer_token = new_buyer()
    req("PUT", ar_path(other_shop), other_token, {"greeting": "theirs"})
    for s in (other_shop, 99999999):
        assert_problem(req("GET", ar_path(s), token), 404, "not_found")
        assert_problem(req("PUT", ar_path(s), token, {"greeting": "mine"}), 404, "not_found")
    assert req("GET", ar_path(other_shop), other_token).json["greeting"] == "theirs"
    assert sql(f"SELECT count(*) FROM auto_replies WHERE shop_id = 99999999") == "0"
    assert_problem(req("GET", ar_path(shop), buyer_token), 403, "forbidden")
    assert_problem(req("PUT", ar_path(shop), buyer_token, {"greeting": "x"}), 403, "forbidden")
    assert_problem(req("GET", ar_path(shop), None), 401, "unauthenticated")
    assert_problem(req("PUT", ar_path(shop), None, {"greeting": "x"}), 401, "unauthenticated")
    r = req("POST", ar_path(shop), token, {"greeting": "x"})
    assert_problem(r, 405, "method_not_allowed")
    assert r.headers["allow"] == "GET, HEAD, PUT", r.headers


# ---------------------------------------------------------------------------
# The engine. Conversations and messages go through the chat routes when
# this build has them, else straight into the tables.

_routes = None


def chat_routes():
    global _routes
    if _routes is None:
        _, buyer_token = new_buyer()
        _routes = req("GET", "/v1/conversations", buyer_token).status == 200
    return _routes


class Chat:
    """A shop with auto-replies and a buyer talking to it."""

    def __init__(self, settings):
        self.merchant, self.token, self.shop = merchant_shop()
        self.buyer, self.buyer_token = new_buyer()
        r = req("PUT", ar_path(self.shop), self.token, settings)
        assert r.status == 200, r
        self.conv = None

    def open(self, at):
        if chat_routes():
            srv().set_clock(at)
            r = req("POST", f"/v1/shops/{self.shop}/conversations", self.buyer_token)
            assert r.status in (200, 201), r
            self.conv = r.json["id"]
        else:
            self.conv = int(sql(
                f"INSERT INTO conversations (shop_id, merchant_id, buyer_id, created_at,"
                f" last_activity_at) VALUES ({self.shop}, {self.merchant}, {self.buyer},"
                f" '{at}', '{at}') RETURNING id"))
        return self.conv

    def send(self, sender, text, at, type_="text"):
        if self.conv is None:
            self.open(at)
        if chat_routes():
            srv().set_clock(at)
            token = self.buyer_token if sender == "buyer" else self.token
            body = {"type": type_, ("text" if type_ == "text" else "url"): text}
            r = req("POST", f"/v1/conversations/{self.conv}/messages", token, body)
            assert r.status == 201, r
        else:
            who = self.buyer if sender == "buyer" else self.merchant
            sql(f"INSERT INTO messages (conversation_id, shop_id, buyer_id, sender, sender_id,"
                f" type, body, created_at) VALUES ({self.conv}, {self.shop}, {self.buyer},"
                f" '{sender}', {who}, '{type_}', {sql_literal(text)}, '{at}')")

    def messages(self):
        """[(sender, body, created_at in microseconds)] in order."""
        rows = sql(f"SELECT json_agg(json_build_array(sender, body, ts_to_us(created_at))"
                   f" ORDER BY id) FROM messages WHERE conversation_id = {self.conv}")
        return [tuple(m) for m in json.loads(rows or "[]")]

    def texts(self):
        return [(m[0], m[1]) for m in self.messages()]

    def summary(self):
        return sql(f"SELECT last_message_id = (SELECT max(id) FROM messages"
                   f" WHERE conversation_id = c.id), awaiting_reply, merchant_unread,"
                   f" buyer_unread FROM conversations c WHERE id = {self.conv}")


def unfreeze():
    srv().request("PUT", "/v1/test/clock", {"now": None})


def test_greeting_on_open_and_after_silence():
    try:
        c = Chat({"greeting": GREETING})
        c.open("2026-11-20T01:00:00Z")
        assert c.texts() == [("auto", GREETING)]
        c.send("buyer", "在吗", "2026-11-20T01:01:00Z")
        c.send("merchant", "在的", "2026-11-20T02:00:00Z")
        c.send("buyer", "好的", "2026-11-21T01:59:59Z")  # 23:59:59 after the merchant
        assert c.texts() == [("auto", GREETING), ("buyer", "在吗"), ("merchant", "在的"),
                             ("buyer", "好的")], c.texts()
        c.send("buyer", "还在吗", "2026-11-22T02:00:00Z")  # 24 h after the last message
        got = c.messages()
        assert [(m[0], m[1]) for m in got[-2:]] == [("buyer", "还在吗"), ("auto", GREETING)], got
        assert got[-1][2] == got[-2][2], got  # at the buyer message's time
        assert c.summary() == "t|t|3|3", c.summary()

        # A conversation opened while the greeting was off greets the first message.
        c = Chat({"keyword_rules": [{"keyword": "x", "reply": "y"}]})
        c.open("2026-11-20T01:00:00Z")
        req("PUT", ar_path(c.shop), c.token, {"greeting": "hello"})
        assert c.texts() == []
        c.send("buyer", "hi", "2026-11-20T01:00:00Z")
        assert c.texts() == [("buyer", "hi"), ("auto", "hello")], c.texts()
        c.send("buyer", "hi again", "2026-11-20T01:00:00Z")
        assert len(c.texts()) == 3

        # Off: nothing.
        c = Chat({"greeting": None})
        c.open("2026-11-20T01:00:00Z")
        c.send("buyer", "hi", "2026-11-25T01:00:00Z")
        assert c.texts() == [("buyer", "hi")]
    finally:
        unfreeze()


def test_keyword_first_match_wins():
    try:
        c = Chat({"keyword_rules": [{"keyword": "退款", "reply": "refund help"},
                                    {"keyword": "REFUND", "reply": "english refund"},
                                    {"keyword": "ship", "reply": "shipping help"}]})
        c.send("buyer", "How do I get a Refund or shipping?", "2026-11-20T01:00:00Z")
        c.send("buyer", "我想申请退款 refund", "2026-11-20T01:01:00Z")
        c.send("buyer", "Hello", "2026-11-20T01:02:00Z")
        c.send("buyer", "http://img.example/ship.png", "2026-11-20T01:03:00Z", type_="image")
        assert c.texts() == [
            ("buyer", "How do I get a Refund or shipping?"), ("auto", "english refund"),
            ("buyer", "我想申请退款 refund"), ("auto", "refund help"),
            ("buyer", "Hello"), ("buyer", "http://img.example/ship.png")], c.texts()
        # The merchant's own words never trigger anything.
        c.send("merchant", "refund approved", "2026-11-20T01:04:00Z")
        assert c.texts()[-1] == ("merchant", "refund approved")
    finally:
        unfreeze()


def test_away_outside_hours():
    try:
        hours = [{"weekday": 4, "open": "09:00", "close": "21:00"}]  # Thursdays
        c = Chat({"away": {"message": "下班了", "hours": hours}})
        c.send("buyer", "noon", THURSDAY_NOON)  # 12:00 Thursday: open
        assert c.texts() == [("buyer", "noon")]
        c.send("buyer", "night", THURSDAY_NIGHT)  # 22:00 Thursday: closed
        assert c.texts()[-1] == ("auto", "下班了"), c.texts()
        # Once while it stands unanswered, again after the merchant wrote.
        c.send("buyer", "night 2", "2026-11-26T14:05:00Z")
        assert c.texts()[-1] == ("buyer", "night 2"), c.texts()
        c.send("merchant", "tomorrow", "2026-11-26T14:06:00Z")
        c.send("buyer", "ok", "2026-11-26T14:07:00Z")
        assert c.texts()[-2:] == [("buyer", "ok"), ("auto", "下班了")], c.texts()
        # 20:59 Thursday is open, 21:00 closed (close is exclusive), Friday closed.
        c2 = Chat({"away": {"message": "away", "hours": hours}})
        c2.send("buyer", "a", "2026-11-26T12:59:00Z")
        c2.send("buyer", "b", "2026-11-26T13:00:00Z")
        c2.send("merchant", "m", "2026-11-26T13:01:00Z")
        c2.send("buyer", "c", "2026-11-27T04:00:00Z")
        assert c2.texts() == [("buyer", "a"), ("buyer", "b"), ("auto", "away"),
                              ("merchant", "m"), ("buyer", "c"), ("auto", "away")], c2.texts()
        # No hours configured: never away.
        c3 = Chat({"away": {"message": "away", "hours": []}})
        c3.send("buyer", "late", THURSDAY_NIGHT)
        assert c3.texts() == [("buyer", "late")]
    finally:
        unfreeze()


def test_all_three_in_order_and_no_loops():
    """Greeting, keyword and away answer one message in that order; auto
    messages answer nothing and leave the buyer waiting for the merchant."""
    try:
        c = Chat({"greeting": "hello", "keyword_rules": [{"keyword": "price", "reply": "¥99"}],
                  "away": {"message": "away", "hours": [{"weekday": 1, "open": "09:00",
                                                         "close": "18:00"}]}})
        c.open(THURSDAY_NIGHT)
        c.send("buyer", "price?", "2026-11-28T14:00:00Z")  # two days later
        got = c.messages()
        assert [(m[0], m[1]) for m in got] == [
            ("auto", "hello"), ("buyer", "price?"), ("auto", "hello"), ("auto", "¥99"),
            ("auto", "away")], got
        assert len({m[2] for m in got[1:]}) == 1, got
        assert c.summary() == "t|t|1|4", c.summary()
        assert sql(f"SELECT string_agg(data->>'sender', ',' ORDER BY id) FROM events"
                   f" WHERE kind = 'message.created'"
                   f" AND (data->>'conversation_id')::bigint = {c.conv}") == \
            "auto,buyer,auto,auto,auto"
        # A greeting whose text matches a keyword does not answer itself.
        c2 = Chat({"greeting": "price list",
                   "keyword_rules": [{"keyword": "price", "reply": "price again"}]})
        c2.send("buyer", "price", THURSDAY_NOON)
        assert c2.texts() == [("auto", "price list"), ("buyer", "price"),
                              ("auto", "price again")], c2.texts()
        assert c2.summary() == "t|t|1|2", c2.summary()
        # The merchant replying clears awaiting_reply; auto-replies after it don't set it.
        c2.send("merchant", "sure", "2026-11-26T04:01:00Z")
        assert c2.summary().split("|")[1] == "f"
    finally:
        unfreeze()


def test_concurrent_buyer_messages_greet_once():
    """Two buyer messages racing after a long silence: one greeting."""
    try:
        for _ in range(3):
            c = Chat({"greeting": "hello"})
            c.open("2026-11-01T00:00:00Z")
            at = "2026-11-10T00:00:00Z"
            srv().set_clock(at)
            parallel(lambda t: c.send("buyer", t, at), [("one",), ("two",), ("three",)])
            texts = c.texts()
            assert texts.count(("auto", "hello")) == 2, texts  # on open, once after silence
    finally:
        unfreeze()


def test_time_zone_setting():
    """The away hours follow the platform time zone, which merchantd sets on
    its connections (merchantd.tz from MERCHANTD_TZ): 14:00Z Thursday is
    09:00 in New York, open there, and 22:00 in Shanghai (the default)."""
    hours = [{"weekday": 4, "open": "09:00", "close": "17:00"}]
    c = Chat({"away": {"message": "away", "hours": hours}})
    c.open(THURSDAY_NOON)
    # Outside merchantd, SQL uses the default zone unless told otherwise.
    insert = (f"INSERT INTO messages (conversation_id, shop_id, buyer_id, sender, sender_id,"
              f" type, body, created_at) VALUES ({c.conv}, {c.shop}, {c.buyer}, 'buyer',"
              f" {c.buyer}, 'text', 'hi', '{THURSDAY_NIGHT}')")
    sql(f"SET merchantd.tz = 'America/New_York'; {insert}")
    assert c.texts() == [("buyer", "hi")], c.texts()
    sql(insert)
    assert c.texts() == [("buyer", "hi"), ("buyer", "hi"), ("auto", "away")], c.texts()
    if not chat_routes():
        return  # without the chat routes merchantd writes no messages
    ny = start_server(env={"MERCHANTD_TZ": "America/New_York"}, db_url=srv().db_url,
                      migrate=False)
    try:
        c = Chat({"away": {"message": "away", "hours": hours}})
        ny.request("PUT", "/v1/test/clock", {"now": THURSDAY_NIGHT})
        r = ny.request("POST", f"/v1/shops/{c.shop}/conversations", token=c.buyer_token)
        assert r.status in (200, 201), r
        c.conv = r.json["id"]
        r = ny.request("POST", f"/v1/conversations/{c.conv}/messages",
                       {"type": "text", "text": "hi"}, token=c.buyer_token)
        assert r.status == 201, r
        assert c.texts() == [("buyer", "hi")], c.texts()
        c.send("buyer", "hi", THURSDAY_NIGHT)  # through the Shanghai server
        assert c.texts()[-1] == ("auto", "away"), c.texts()
    finally:
        stop_server(ny)
        unfreeze()


if __name__ == "__main__":
    main([test_quick_replies_crud, test_quick_replies_validation, test_quick_replies_access,
          test_quick_replies_cap_under_races, test_auto_reply_settings,
          test_auto_reply_validation, test_auto_reply_access,
          test_greeting_on_open_and_after_silence, test_keyword_first_match_wins,
          test_away_outside_hours, test_all_three_in_order_and_no_loops,
          test_concurrent_buyer_messages_greet_once, test_time_zone_setting])
