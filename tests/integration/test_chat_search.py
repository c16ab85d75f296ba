"""Full-history search of a shop's chat:
GET /v1/shops/{id}/messages/search?q=&buyer_id=&from=&to=&limit=&cursor=.
Conversations and messages are written with SQL (their API is tested in
test_chat_messages.py); the search reads them as any writer leaves them."""

import os
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from harness import *  # noqa: E402,F401,F403

T0 = "2026-11-26T08:00:00Z"


def search(shop, token, **params):
    return srv().request("GET", f"/v1/shops/{shop}/messages/search?"
                         + urllib.parse.urlencode(params), token=token)


def conversation(shop, merchant, buyer):
    return int(sql(f"INSERT INTO conversations (shop_id, merchant_id, buyer_id, created_at,"
                   f" last_activity_at) VALUES ({shop}, {merchant}, {buyer}, now(), now())"
                   f" RETURNING id"))


def message(conv, text, sender="buyer", at=T0, kind="text"):
    """A message of the conversation; at is RFC 3339 or an SQL expression."""
    at_sql = sql_literal(at) + "::timestamptz" if at[0].isdigit() else at
    return int(sql(
        f"INSERT INTO messages (conversation_id, shop_id, buyer_id, sender, sender_id, type, body,"
        f" created_at) SELECT c.id, c.shop_id, c.buyer_id, {sql_literal(sender)},"
        f" CASE {sql_literal(sender)} WHEN 'buyer' THEN c.buyer_id WHEN 'merchant'"
        f" THEN c.merchant_id END, {sql_literal(kind)}, {sql_literal(text)}, {at_sql}"
        f" FROM conversations c WHERE c.id = {conv} RETURNING id"))


class Shop:
    """A merchant with a shop and two buyers' conversations in it."""

    def __init__(self):
        self.merchant, self.token = new_merchant()
        self.shop, _ = new_shop(self.merchant)
        self.buyer, _ = new_buyer(display_name="韩梅梅")
        self.buyer2, _ = new_buyer(display_name="Li Lei")
        self.conv = conversation(self.shop, self.merchant, self.buyer)
        self.conv2 = conversation(self.shop, self.merchant, self.buyer2)


def ids(r):
    assert r.status == 200, r
    return [i["message"]["id"] for i in r.json["items"]]


def test_chinese_english_and_literal_characters():
    s = Shop()
    refund = message(s.conv, "我想申请退款可以吗")
    invoice = message(s.conv2, "Can I get an INVOICE for this order?", sender="merchant")
    percent = message(s.conv, "100% 新鲜吗")
    under = message(s.conv, "code abc_def")
    message(s.conv, "code abcXdef and 100 percent")
    message(s.conv, "https://img.example.com/退款.png", kind="image")  # not text: never found
    assert ids(search(s.shop, s.token, q="退款")) == [refund]
    assert ids(search(s.shop, s.token, q="申请退款可")) == [refund]
    assert ids(search(s.shop, s.token, q="invoice")) == [invoice]
    assert ids(search(s.shop, s.token, q="An Invoice")) == [invoice]
    assert ids(search(s.shop, s.token, q="吗")) == [percent, refund]
    assert ids(search(s.shop, s.token, q="%")) == [percent]
    assert ids(search(s.shop, s.token, q="_")) == [under]
    assert ids(search(s.shop, s.token, q="c_d")) == [under]
    assert ids(search(s.shop, s.token, q="0%")) == [percent]
    assert ids(search(s.shop, s.token, q="退货")) == []
    assert ids(search(s.shop, s.token, q="款申")) == []
    # Blank space around the query is trimmed, inside it counts.
    assert ids(search(s.shop, s.token, q=" \u3000退款\t")) == [refund]
    assert ids(search(s.shop, s.token, q="get an")) == [invoice]
    assert ids(search(s.shop, s.token, q="get  an")) == []


def test_item_shape_and_highlight():
    s = Shop()
    m = message(s.conv2, "Hello, can I get an Invoice?", sender="merchant",
                at="2026-11-26T09:30:00Z")
    auto = int(sql(f"INSERT INTO messages (conversation_id, shop_id, buyer_id, sender, sender_id,"
                   f" type, body, created_at) VALUES ({s.conv2}, {s.shop}, {s.buyer2}, 'auto',"
                   f" NULL, 'text', 'invoices are sent by email', now()) RETURNING id"))
    r = search(s.shop, s.token, q="INVOICE")
    assert r.status == 200, r
    assert r.headers.get("cache-control") == "no-store"
    assert r.json["next_cursor"] is None
    assert [i["message"]["id"] for i in r.json["items"]] == [auto, m]
    assert r.json["items"][1] == {
        "message": {"id": m, "conversation_id": s.conv2, "sender": "merchant",
                    "sender_id": s.merchant, "type": "text",
                    "text": "Hello, can I get an Invoice?", "created_at": "2026-11-26T09:30:00Z"},
        "conversation": {"id": s.conv2, "buyer": {"id": s.buyer2, "name": "Li Lei"}},
        "highlight": {"text": "Hello, can I get an Invoice?", "start": 20, "length": 7},
    }
    assert r.json["items"][0]["message"]["sender"] == "auto"
    assert r.json["items"][0]["message"]["sender_id"] is None
    assert r.json["items"][0]["highlight"] == {"text": "invoices are sent by email",
                                               "start": 0, "length": 7}


def check_highlight(item, q):
    h = item["highlight"]
    text = item["message"]["text"]
    assert len(h["text"]) <= max(60, len(q)), h
    assert h["text"] in text, h
    assert h["text"][h["start"]:h["start"] + h["length"]].lower() == q.lower(), (h, q)
    # The first match of the text is the one highlighted.
    assert text.lower().index(q.lower()) == text.index(h["text"]) + h["start"], (h, q)


def test_highlight_of_long_texts():
    s = Shop()
    middle = "前" * 500 + "退款" + "后" * 500
    message(s.conv, middle)
    r = search(s.shop, s.token, q="退款")
    h = r.json["items"][0]["highlight"]
    assert h == {"text": "前" * 29 + "退款" + "后" * 29, "start": 29, "length": 2}, h
    texts = ["退款" + "后" * 300, "前" * 300 + "退款", "前退款后", "x" * 200 + "退款" + "退款" * 50,
             "A" * 70 + "Refund"]
    for t in texts:
        message(s.conv2, t)
    for q in ["退款", "refund", "前退", "后"]:
        r = search(s.shop, s.token, q=q, limit=100)
        assert r.json["items"], q
        for item in r.json["items"]:
            check_highlight(item, q)
    # A query longer than the snippet's width is shown whole.
    long_q = "长" * 80
    message(s.conv, "开头" + long_q + "结尾" * 40)
    item = search(s.shop, s.token, q=long_q).json["items"][0]
    check_highlight(item, long_q)
    assert item["highlight"]["text"] == long_q


def test_paging_newest_first():
    s = Shop()
    made = [message(s.conv if i % 2 else s.conv2, f"第{i}次问：退款到账了吗") for i in range(45)]
    message(s.conv, "unrelated")
    seen, cursor, pages = [], None, 0
    while True:
        params = {"q": "退款", "limit": 20}
        if cursor:
            params["cursor"] = cursor
        r = search(s.shop, s.token, **params)
        assert r.status == 200, r
        seen += ids(r)
        pages += 1
        cursor = r.json["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == sorted(made, reverse=True)
    assert ids(search(s.shop, s.token, q="退款")) == seen[:20]  # default limit 20
    assert ids(search(s.shop, s.token, q="退款", limit=100)) == seen
    r = search(s.shop, s.token, q="退款", limit=45)
    assert len(ids(r)) == 45 and r.json["next_cursor"] is None
    r = search(s.shop, s.token, q="退款", limit=44)
    assert len(ids(r)) == 44 and r.json["next_cursor"] is not None
    for bad in ["nope", "bDoxOjE", r.json["next_cursor"] + "x"]:
        r = search(s.shop, s.token, q="退款", cursor=bad)
        assert_problem(r, 400, "invalid_field")
        assert [e["field"] for e in r.json["errors"]] == ["cursor"]


def test_time_range_and_buyer_filter():
    s = Shop()
    a = message(s.conv, "发货了吗 1", at="2026-11-01T00:00:00Z")
    b = message(s.conv2, "发货了吗 2", at="2026-11-10T00:00:00Z")
    c = message(s.conv, "发货了吗 3", at="2026-11-20T00:00:00Z")
    assert ids(search(s.shop, s.token, q="发货")) == [c, b, a]
    assert ids(search(s.shop, s.token, q="发货", **{"from": "2026-11-10T00:00:00Z"})) == [c, b]
    assert ids(search(s.shop, s.token, q="发货", to="2026-11-10T00:00:00Z")) == [a]
    assert ids(search(s.shop, s.token, q="发货", to="2026-11-20T00:00:01Z",
                      **{"from": "2026-11-01T00:00:01Z"})) == [c, b]
    assert ids(search(s.shop, s.token, q="发货", buyer_id=s.buyer)) == [c, a]
    assert ids(search(s.shop, s.token, q="发货", buyer_id=s.buyer2)) == [b]
    assert ids(search(s.shop, s.token, q="发货", buyer_id=s.buyer,
                      **{"from": "2026-11-05T00:00:00Z"})) == [c]
    # A buyer without a conversation in this shop (or any account) finds nothing.
    other, _ = new_buyer()
    assert ids(search(s.shop, s.token, q="发货", buyer_id=other)) == []
    assert ids(search(s.shop, s.token, q="发货", buyer_id=s.merchant)) == []
    # The buyer filter pages too.
    first = search(s.shop, s.token, q="发货", buyer_id=s.buyer, limit=1)
    assert ids(first) == [c]
    assert ids(search(s.shop, s.token, q="发货", buyer_id=s.buyer, limit=1,
                      cursor=first.json["next_cursor"])) == [a]


def test_validation():
    s = Shop()
    message(s.conv, "x" * 100)
    cases = [
        ({}, "invalid_field", ["q"]),
        ({"q": ""}, "invalid_field", ["q"]),
        ({"q": "   "}, "invalid_field", ["q"]),
        ({"q": "\u3000\t"}, "invalid_field", ["q"]),
        ({"q": "x" * 101}, "invalid_field", ["q"]),
        ({"q": "退" * 101}, "invalid_field", ["q"]),
        ({"q": " " * 2000 + "x"}, "invalid_field", ["q"]),
        ({"q": "x", "limit": 0}, "invalid_field", ["limit"]),
        ({"q": "x", "limit": 101}, "invalid_field", ["limit"]),
        ({"q": "x", "buyer_id": "abc"}, "invalid_field", ["buyer_id"]),
        ({"q": "x", "buyer_id": 0}, "invalid_field", ["buyer_id"]),
        ({"q": "x", "from": "yesterday"}, "invalid_field", ["from"]),
        ({"q": "x", "to": "2026-13-01T00:00:00Z"}, "invalid_field", ["to"]),
        ({"q": "x", "from": T0, "to": T0}, "invalid_field", ["to"]),
        ({"q": "x", "from": "2026-11-27T00:00:00Z", "to": T0}, "invalid_field", ["to"]),
        ({"q": "x", "sort": "asc"}, "unknown_field", ["sort"]),
    ]
    for params, code, fields in cases:
        r = search(s.shop, s.token, **params)
        assert_problem(r, 400, code)
        assert [e["field"] for e in r.json["errors"]] == fields, (params, r.json)
    r = srv().request("GET", f"/v1/shops/{s.shop}/messages/search?q=%FF%FE", token=s.token)
    assert_problem(r, 400, "invalid_field")
    assert len(ids(search(s.shop, s.token, q="x" * 100))) == 1
    assert len(ids(search(s.shop, s.token, q=" " + "x" * 100 + " "))) == 1


def test_auth_tenancy():
    s = Shop()
    message(s.conv, "我想申请退款可以吗")
    r = search(s.shop, None, q="退款")
    assert_problem(r, 401, "unauthenticated")
    _, buyer_token = new_buyer()
    assert_problem(search(s.shop, buyer_token, q="退款"), 403, "forbidden")
    other = Shop()
    assert_problem(search(s.shop, other.token, q="退款"), 404, "not_found")
    assert_problem(search(999999999, s.token, q="退款"), 404, "not_found")
    # The other merchant's own shop does not show this shop's messages.
    assert ids(search(other.shop, other.token, q="退款")) == []
    r = srv().request("POST", f"/v1/shops/{s.shop}/messages/search?q=x", token=s.token)
    assert r.status == 405 and "GET" in r.headers.get("allow", ""), r


def idx_scans(index):
    return int(sql(f"SELECT idx_scan FROM pg_stat_user_indexes WHERE indexrelname = '{index}'"))


def test_long_history_uses_grams_index():
    """Past the recent window (chat_search_window(), 4,000 messages) a rare
    query is answered from the grams index; a common one from the window."""
    s = Shop()
    window = int(sql("SELECT chat_search_window()"))
    rare = message(s.conv2, "订单号 DD000000042 什么时候发货", at="2026-01-01T00:00:00Z")
    # Enough history that the planner prefers the index to reading the
    # table; the triggers (summaries, events) are off for the bulk load.
    sql(f"SET session_replication_role = replica;"
        f" INSERT INTO messages (conversation_id, shop_id, buyer_id, sender, sender_id, type, body,"
        f" created_at) SELECT {s.conv}, {s.shop}, {s.buyer}, 'buyer', {s.buyer}, 'text',"
        f" '第' || g || '条：退款进度怎么样', '2026-02-01'::timestamptz + g * interval '1 minute'"
        f" FROM generate_series(1, {window + 21000}) g")
    sql("ANALYZE messages")
    plan = sql(f"EXPLAIN SELECT m.id FROM messages m WHERE m.shop_id = {s.shop} AND m.type = 'text'"
               " AND m.grams @> chat_grams('dd000000042')"
               " AND position('dd000000042' IN lower(m.body)) > 0 ORDER BY m.id + 0 DESC LIMIT 21")
    assert "messages_grams" in plan, plan
    # A backend reports its counters when idle, at most once a second
    # (else after 10 s): requests a second later make the server's
    # connections report theirs.
    before = idx_scans("messages_grams")
    assert ids(search(s.shop, s.token, q="dd000000042")) == [rare]
    deadline = time.time() + 15
    while idx_scans("messages_grams") <= before:
        assert time.time() < deadline, "the search did not scan messages_grams"
        time.sleep(1.1)
        for _ in range(4):
            srv().request("GET", f"/v1/shops/{s.shop}", token=s.token)
    # The same through the buyer's conversation, and with a time range.
    assert ids(search(s.shop, s.token, q="DD000000042", buyer_id=s.buyer2)) == [rare]
    assert ids(search(s.shop, s.token, q="DD000000042", buyer_id=s.buyer)) == []
    assert ids(search(s.shop, s.token, q="DD000000042", to="2026-01-01T00:00:01Z")) == [rare]
    assert ids(search(s.shop, s.token, q="DD000000042", to="2026-01-01T00:00:00Z")) == []
    # A common query: the newest first, and paging goes on past the window
    # into the index-backed part of the history.
    newest = ids(search(s.shop, s.token, q="退款", limit=100))
    assert len(newest) == 100 and newest == sorted(newest, reverse=True)
    all_ids = [int(x) for x in sql(
        f"SELECT id FROM messages WHERE shop_id = {s.shop} AND body LIKE '%退款%'"
        f" ORDER BY id DESC").split()]
    assert newest == all_ids[:100]
    deep = search(s.shop, s.token, q="条：退", limit=5,
                  cursor=cursor_after(s, all_ids[window + 500]))
    assert ids(deep) == all_ids[window + 501:window + 506]
    last = search(s.shop, s.token, q="怎么样", limit=100, cursor=cursor_after(s, all_ids[-3]))
    assert ids(last) == all_ids[-2:] and last.json["next_cursor"] is None
    # Matching what only a few old messages have, past the window.
    sql(f"UPDATE messages SET body = body || ' 坏果' WHERE id IN"
        f" ({all_ids[-1]}, {all_ids[-7]})")
    assert ids(search(s.shop, s.token, q="坏果")) == [all_ids[-7], all_ids[-1]]
    assert ids(search(s.shop, s.token, q="坏果", buyer_id=s.buyer, limit=1,
                      cursor=cursor_after(s, all_ids[-7]))) == [all_ids[-1]]


def cursor_after(s, message_id):
    """The cursor of a page that ended with message_id (cursors are opaque
    to clients; the test makes one to start deep in the history)."""
    import base64
    return base64.urlsafe_b64encode(f"q:0:{message_id}".encode()).decode().rstrip("=")


if __name__ == "__main__":
    main([test_chinese_english_and_literal_characters, test_item_shape_and_highlight,
          test_highlight_of_long_texts, test_paging_newest_first, test_time_range_and_buyer_filter,
          test_validation, test_auth_tenancy, test_long_history_uses_grams_index])
