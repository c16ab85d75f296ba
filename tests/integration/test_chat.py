"""Chat conversations and messages: get-or-create, the lists of either side
with their counts and filters, sending every message type with its
validation, read markers and unread counts, a conversation's orders,
idempotent sends, paging, tenant isolation, concurrent get-or-create."""

import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(__file__))
from harness import *  # noqa: E402,F401,F403

CONV_KEYS = {"id", "shop_id", "buyer", "last_message", "last_activity_at", "unread_count",
             "peer_read_up_to", "awaiting_reply", "created_at"}


def req(method, path, token=None, body=None, headers=None):
    return srv().request(method, path, body, token=token, headers=headers)


def open_conv(buyer_token, shop):
    return req("POST", f"/v1/shops/{shop}/conversations", buyer_token)


def send(token, conv, body, key=None):
    headers = {"Idempotency-Key": key} if key else None
    return req("POST", f"/v1/conversations/{conv}/messages", token, body, headers)


def text(token, conv, t):
    r = send(token, conv, {"type": "text", "text": t})
    assert r.status == 201, r
    return r.json


def messages(token, conv, query=""):
    return req("GET", f"/v1/conversations/{conv}/messages{query}", token)


def mark_read(token, conv, up_to):
    return req("POST", f"/v1/conversations/{conv}/read", token, {"up_to_message_id": up_to})


def shop_list(token, shop, query=""):
    return req("GET", f"/v1/shops/{shop}/conversations{query}", token)


def setup():
    """A merchant with a shop (one product), a buyer with a conversation."""
    mid, mtok = new_merchant()
    shop, sku = new_shop(mid)
    bid, btok = new_buyer(display_name="Buyer " + uname("n"))
    r = open_conv(btok, shop)
    assert r.status == 201, r
    return {"mid": mid, "mtok": mtok, "shop": shop, "sku": sku, "bid": bid, "btok": btok,
            "conv": r.json["id"], "product": product_of(sku)}


def product_of(sku):
    return int(sql(f"SELECT product_id FROM skus WHERE id = {sku}"))


def place_order(btok, shop, sku):
    r = req("POST", "/v1/orders", btok, {"shop_id": shop, "items": [{"sku_id": sku, "quantity": 1}],
                                         "address": ADDRESS})
    assert r.status == 201, r
    return r.json


def shop_unread(mtok, shop):
    r = req("GET", "/v1/shops", mtok)
    assert r.status == 200, r
    return [s for s in r.json["items"] if s["id"] == shop][0]["counts"]["unread_conversations"]


# ---------------------------------------------------------------------------


def test_open_conversation():
    mid, mtok = new_merchant()
    shop, _ = new_shop(mid)
    bid, btok = new_buyer(display_name="张三")
    r = open_conv(btok, shop)
    assert r.status == 201, r
    c = r.json
    assert set(c) == CONV_KEYS, c
    assert c["shop_id"] == shop and c["buyer"] == {"id": bid, "name": "张三"}
    assert c["last_message"] is None and c["unread_count"] == 0 and not c["awaiting_reply"]
    parse_time(c["created_at"]), parse_time(c["last_activity_at"])
    r = open_conv(btok, shop)
    assert r.status == 200 and r.json["id"] == c["id"], r
    assert_problem(open_conv(btok, 999999999), 404, "not_found")
    assert_problem(open_conv(None, shop), 401, "unauthenticated")
    assert_problem(open_conv(mtok, shop), 403, "forbidden")
    assert_problem(req("POST", f"/v1/shops/{shop}/conversations", btok, {"x": 1}), 400,
                   "unexpected_body")


def test_concurrent_open_creates_one():
    mid, _ = new_merchant()
    for _ in range(5):
        shop, _ = new_shop(mid)
        _, btok = new_buyer()
        results = parallel(open_conv, [(btok, shop)] * 8)
        statuses = sorted(r.status for r in results)
        assert statuses == [200] * 7 + [201], results
        assert len({r.json["id"] for r in results}) == 1
        assert sql(f"SELECT count(*) FROM conversations WHERE shop_id = {shop}") == "1"


def test_send_every_type():
    t = setup()
    conv, shop = t["conv"], t["shop"]
    m = text(t["btok"], conv, "你好，在吗？")
    assert m == {"id": m["id"], "conversation_id": conv, "sender": "buyer", "sender_id": t["bid"],
                 "type": "text", "text": "你好，在吗？", "created_at": m["created_at"]}, m
    r = send(t["mtok"], conv, {"type": "image", "url": "https://img.example.com/a.jpg"})
    assert r.status == 201 and r.json["url"] == "https://img.example.com/a.jpg", r
    assert r.json["sender"] == "merchant" and r.json["sender_id"] == t["mid"]
    assert "text" not in r.json and "card" not in r.json

    sql(f"UPDATE products SET images = '{{https://img/p1.jpg,https://img/p2.jpg}}'"
        f" WHERE id = {t['product']}")
    sql(f"INSERT INTO skus (product_id, shop_id, spec, price_cents, stock, created_at, updated_at)"
        f" VALUES ({t['product']}, {shop}, '500g', 700, 5, now(), now())")
    r = send(t["mtok"], conv, {"type": "product_card", "product_id": t["product"]})
    assert r.status == 201, r
    card = {"product_id": t["product"], "title": "Longjing", "price_cents": 700,
            "image": "https://img/p1.jpg"}
    assert r.json["card"] == card, r.json
    # The snapshot stays as it was sent.
    sql(f"UPDATE products SET title = 'Renamed' WHERE id = {t['product']}")
    product2 = int(sql(f"INSERT INTO products (shop_id, title, status, created_at, updated_at)"
                       f" VALUES ({shop}, 'Biluochun', 'on_sale', now(), now()) RETURNING id"))
    r = send(t["btok"], conv, {"type": "products_card", "product_ids": [product2, t["product"]]})
    assert r.status == 201, r
    assert r.json["card"] == {"products": [
        {"product_id": product2, "title": "Biluochun", "price_cents": None, "image": None},
        dict(card, title="Renamed")]}, r.json

    order = place_order(t["btok"], shop, t["sku"])
    r = send(t["btok"], conv, {"type": "order_card", "order_id": order["id"]})
    assert r.status == 201, r
    assert r.json["card"] == {"order_id": order["id"], "order_sn": order["order_sn"],
                              "status": "unpaid", "total_cents": 1000, "title": "Renamed",
                              "image": "https://img/p1.jpg"}, r.json

    r = messages(t["mtok"], conv)
    assert r.status == 200, r
    items = r.json["items"]
    assert [i["type"] for i in items] == ["text", "image", "product_card", "products_card",
                                          "order_card"], items
    assert items[2]["card"]["title"] == "Longjing" and r.json["has_more"] is False
    assert messages(t["btok"], conv).json == r.json

    # The conversation shows the last message.
    c = req("GET", "/v1/conversations", t["btok"]).json["items"][0]
    assert c["last_message"]["id"] == items[-1]["id"] and c["last_message"]["type"] == "order_card"
    assert c["last_message"]["sender"] == "buyer" and c["last_message"]["preview"] == "[订单]"


def test_send_validation():
    t = setup()
    conv, m, b = t["conv"], t["mtok"], t["btok"]

    def bad(token, body, field, code="invalid_field"):
        r = send(token, conv, body)
        assert_problem(r, 400, code)
        assert field in [e["field"] for e in r.json["errors"]], r.json

    bad(b, {"text": "hi"}, "type")
    bad(b, {"type": "voice", "text": "hi"}, "type")
    bad(b, {"type": "text"}, "text")
    bad(b, {"type": "text", "text": ""}, "text")
    bad(b, {"type": "text", "text": "   "}, "text")
    bad(b, {"type": "text", "text": "x" * 2001}, "text")
    bad(b, {"type": "text", "text": 5}, "text")
    bad(b, {"type": "text", "text": "hi", "url": "https://a/b"}, "url")
    bad(b, {"type": "text", "text": "hi", "color": "red"}, "color", "unknown_field")
    bad(m, {"type": "text", "text": "hi", "quick_reply_id": 1}, "quick_reply_id")
    bad(b, {"type": "image"}, "url")
    for url in ("ftp://a/b", "https://", "javascript:alert(1)", "https://a b/c",
                "https://" + "a" * 2000):
        bad(b, {"type": "image", "url": url}, "url")
    bad(b, {"type": "product_card"}, "product_id")
    bad(b, {"type": "product_card", "product_id": 0}, "product_id")
    bad(b, {"type": "product_card", "product_id": t["product"], "order_id": 1}, "order_id")
    bad(b, {"type": "products_card", "product_ids": [t["product"]]}, "product_ids")
    bad(b, {"type": "products_card", "product_ids": list(range(1, 12))}, "product_ids")
    bad(b, {"type": "products_card", "product_ids": [t["product"], t["product"]]}, "product_ids")
    bad(b, {"type": "products_card", "product_ids": [t["product"], "2"]}, "product_ids")
    bad(b, {"type": "products_card", "product_ids": "1,2"}, "product_ids")
    bad(b, {"type": "products_card", "product_id": t["product"]}, "product_id")
    bad(b, {"type": "order_card"}, "order_id")
    r = send(b, conv, {"type": "text", "text": "x" * 2000})
    assert r.status == 201, r

    # Products and orders of others, deleted products.
    other_mid, other_mtok = new_merchant()
    other_shop, other_sku = new_shop(other_mid)
    bad(b, {"type": "product_card", "product_id": product_of(other_sku)}, "product_id")
    bad(b, {"type": "product_card", "product_id": 999999999}, "product_id")
    bad(b, {"type": "products_card", "product_ids": [t["product"], product_of(other_sku)]},
        "product_ids[1]")
    deleted = int(sql(f"INSERT INTO products (shop_id, title, status, created_at, updated_at,"
                      f" deleted_at) VALUES ({t['shop']}, 'Gone', 'off_sale', now(), now(), now())"
                      f" RETURNING id"))
    bad(m, {"type": "product_card", "product_id": deleted}, "product_id")
    # An off-sale product: the merchant may show it, the buyer cannot see it.
    off_sale = int(sql(f"INSERT INTO products (shop_id, title, status, created_at, updated_at)"
                       f" VALUES ({t['shop']}, 'Not yet', 'off_sale', now(), now()) RETURNING id"))
    bad(b, {"type": "product_card", "product_id": off_sale}, "product_id")
    bad(b, {"type": "products_card", "product_ids": [t["product"], off_sale]}, "product_ids[1]")
    r = send(m, conv, {"type": "product_card", "product_id": off_sale})
    assert r.status == 201 and r.json["card"]["title"] == "Not yet", r
    # An order of this buyer in another shop; another buyer's order here.
    bad(b, {"type": "order_card", "order_id": place_order(b, other_shop, other_sku)["id"]},
        "order_id")
    _, b2 = new_buyer()
    bad(m, {"type": "order_card", "order_id": place_order(b2, t["shop"], t["sku"])["id"]},
        "order_id")
    bad(m, {"type": "order_card", "order_id": 999999999}, "order_id")

    r = srv().request("POST", f"/v1/conversations/{conv}/messages", token=b, raw=b"[1]",
                      headers={"Content-Type": "application/json"})
    assert_problem(r, 400, "invalid_json")
    assert_problem(send(None, conv, {"type": "text", "text": "x"}), 401, "unauthenticated")
    # Nothing of the refused ones was written (the merchant's off-sale card was).
    assert sql(f"SELECT count(*) FROM messages WHERE conversation_id = {conv}") == "2"


def test_quick_reply():
    t = setup()
    conv = t["conv"]
    qr = int(sql(f"INSERT INTO quick_replies (shop_id, text, created_at, updated_at)"
                 f" VALUES ({t['shop']}, '亲，今天下单明天发货', now(), now()) RETURNING id"))
    r = send(t["mtok"], conv, {"type": "text", "quick_reply_id": qr})
    assert r.status == 201 and r.json["text"] == "亲，今天下单明天发货", r
    # The buyer cannot; a deleted one or another shop's is refused.
    r = send(t["btok"], conv, {"type": "text", "quick_reply_id": qr})
    assert_problem(r, 400, "invalid_field")
    assert r.json["errors"][0]["field"] == "quick_reply_id"
    other_mid, _ = new_merchant()
    other_shop, _ = new_shop(other_mid)
    other = int(sql(f"INSERT INTO quick_replies (shop_id, text, created_at, updated_at)"
                    f" VALUES ({other_shop}, 'other', now(), now()) RETURNING id"))
    sql(f"UPDATE quick_replies SET deleted_at = now() WHERE id = {qr}")
    for q in (qr, other, 999999999):
        r = send(t["mtok"], conv, {"type": "text", "quick_reply_id": q})
        assert_problem(r, 400, "invalid_field")
        assert r.json["errors"][0]["field"] == "quick_reply_id", r.json


def test_idempotent_send():
    t = setup()
    key = str(uuid.uuid4())
    body = {"type": "text", "text": "only once"}
    r1 = send(t["btok"], t["conv"], body, key)
    r2 = send(t["btok"], t["conv"], body, key)
    assert r1.status == r2.status == 201 and r1.json == r2.json, (r1, r2)
    assert sql(f"SELECT count(*) FROM messages WHERE conversation_id = {t['conv']}") == "1"
    assert_problem(send(t["btok"], t["conv"], {"type": "text", "text": "other"}, key), 422,
                   "idempotency_key_reused")
    # Concurrent retries of one key: one message.
    key = str(uuid.uuid4())
    results = parallel(send, [(t["btok"], t["conv"], body, key)] * 4)
    assert all(r.status in (201, 409) for r in results), results
    assert sql(f"SELECT count(*) FROM messages WHERE conversation_id = {t['conv']}") == "2"


def test_message_paging():
    t = setup()
    conv = t["conv"]
    ids = [text(t["btok"] if i % 2 else t["mtok"], conv, f"m{i}")["id"] for i in range(7)]
    r = messages(t["btok"], conv, "?limit=3")
    assert [m["id"] for m in r.json["items"]] == ids[4:] and r.json["has_more"], r
    r = messages(t["btok"], conv, f"?limit=3&before={ids[4]}")
    assert [m["id"] for m in r.json["items"]] == ids[1:4] and r.json["has_more"], r
    r = messages(t["btok"], conv, f"?limit=3&before={ids[1]}")
    assert [m["id"] for m in r.json["items"]] == ids[:1] and not r.json["has_more"], r
    r = messages(t["btok"], conv, f"?limit=3&after={ids[0]}")
    assert [m["id"] for m in r.json["items"]] == ids[1:4] and r.json["has_more"], r
    r = messages(t["btok"], conv, f"?limit=3&after={ids[3]}")
    assert [m["id"] for m in r.json["items"]] == ids[4:] and not r.json["has_more"], r
    r = messages(t["btok"], conv, f"?after={ids[6]}")
    assert r.json == {"items": [], "has_more": False}, r
    r = messages(t["mtok"], conv)
    assert [m["id"] for m in r.json["items"]] == ids and not r.json["has_more"], r
    r = messages(t["mtok"], conv, f"?before={ids[3]}&after={ids[1]}")
    assert_problem(r, 400, "invalid_field")
    assert {e["field"] for e in r.json["errors"]} == {"before", "after"}
    for q in ("?limit=0", "?limit=101", "?before=abc", "?after=-1"):
        assert_problem(messages(t["mtok"], conv, q), 400, "invalid_field")
    assert_problem(messages(t["mtok"], conv, "?page=2"), 400, "unknown_field")
    # An empty conversation.
    _, b2 = new_buyer()
    c2 = open_conv(b2, t["shop"]).json["id"]
    assert messages(b2, c2).json == {"items": [], "has_more": False}


def test_read_markers_and_counts():
    t = setup()
    conv, shop, m, b = t["conv"], t["shop"], t["mtok"], t["btok"]
    assert shop_unread(m, shop) == 0
    ids = [text(b, conv, f"q{i}")["id"] for i in range(3)]
    r = shop_list(m, shop)
    assert r.status == 200, r
    c = r.json["items"][0]
    assert c["id"] == conv and c["unread_count"] == 3 and c["awaiting_reply"], c
    assert r.json["counts"] == {"all": 1, "unread": 1, "unreplied": 1}, r.json
    assert shop_unread(m, shop) == 1
    assert [x["id"] for x in shop_list(m, shop, "?filter=unread").json["items"]] == [conv]
    assert [x["id"] for x in shop_list(m, shop, "?filter=unreplied").json["items"]] == [conv]

    r = mark_read(m, conv, ids[1])
    assert r.status == 200 and r.json["unread_count"] == 1 and set(r.json) == CONV_KEYS, r
    # Never back.
    r = mark_read(m, conv, ids[0])
    assert r.status == 200 and r.json["unread_count"] == 1, r
    r = mark_read(m, conv, ids[2])
    assert r.json["unread_count"] == 0, r
    assert shop_unread(m, shop) == 0
    assert shop_list(m, shop, "?filter=unread").json["items"] == []
    assert shop_list(m, shop).json["counts"] == {"all": 1, "unread": 0, "unreplied": 1}
    assert sql(f"SELECT count(*) FROM events WHERE kind = 'conversation.read'"
               f" AND (data->>'conversation_id')::bigint = {conv}") == "2"

    # The merchant replies: no longer unreplied; the buyer has unread.
    reply = text(m, conv, "在的")
    assert shop_list(m, shop, "?filter=unreplied").json["items"] == []
    assert shop_list(m, shop).json["counts"] == {"all": 1, "unread": 0, "unreplied": 0}
    mine = req("GET", "/v1/conversations", b).json["items"][0]
    assert mine["unread_count"] == 1 and not mine["awaiting_reply"], mine
    r = mark_read(b, conv, reply["id"])
    assert r.json["unread_count"] == 0, r
    # An auto-reply counts as unread for the buyer, never as a reply.
    sql(f"INSERT INTO messages (conversation_id, shop_id, buyer_id, sender, type, body,"
        f" created_at) VALUES ({conv}, {shop}, {t['bid']}, 'auto', 'text', 'auto', now())")
    text(b, conv, "again")
    mine = req("GET", "/v1/conversations", b).json["items"][0]
    assert mine["unread_count"] == 1, mine
    assert shop_list(m, shop).json["counts"] == {"all": 1, "unread": 1, "unreplied": 1}

    # A message of another conversation, bad bodies.
    t2 = setup()
    other = text(t2["btok"], t2["conv"], "x")["id"]
    r = mark_read(m, conv, other)
    assert_problem(r, 400, "invalid_field")
    assert r.json["errors"][0]["field"] == "up_to_message_id"
    assert_problem(mark_read(m, conv, 0), 400, "invalid_field")
    assert_problem(req("POST", f"/v1/conversations/{conv}/read", m, {}), 400, "invalid_field")
    assert_problem(req("POST", f"/v1/conversations/{conv}/read", m,
                       {"up_to_message_id": ids[0], "x": 1}), 400, "unknown_field")
    assert_problem(mark_read(None, conv, ids[0]), 401, "unauthenticated")

    # The read event is dated by the server's clock.
    srv().set_clock("2026-11-21T10:00:00Z")
    try:
        last = text(b, conv, "late")["id"]
        assert mark_read(m, conv, last).status == 200
        assert sql(f"SELECT created_at = '2026-11-21T10:00:00Z' FROM events"
                   f" WHERE kind = 'conversation.read'"
                   f" AND (data->>'up_to_message_id')::bigint = {last}") == "t"
    finally:
        srv().request("PUT", "/v1/test/clock", {"now": None})


def test_peer_read_marker():
    """Each side sees how far the other has read: in the lists, on open and
    in the read reply; never its own marker."""
    t = setup()
    conv, shop, m, b = t["conv"], t["shop"], t["mtok"], t["btok"]

    def merchant_view():
        return next(c for c in shop_list(m, shop).json["items"] if c["id"] == conv)

    def buyer_view():
        return next(c for c in req("GET", "/v1/conversations", b).json["items"]
                    if c["id"] == conv)

    assert merchant_view()["peer_read_up_to"] == 0
    assert buyer_view()["peer_read_up_to"] == 0
    mine = [text(m, conv, f"r{i}")["id"] for i in range(2)]
    q = text(b, conv, "q")["id"]
    # The buyer reads the first reply: the merchant sees it, the buyer not.
    r = mark_read(b, conv, mine[0])
    assert r.status == 200 and r.json["peer_read_up_to"] == 0, r
    assert merchant_view()["peer_read_up_to"] == mine[0]
    assert buyer_view()["peer_read_up_to"] == 0
    r = mark_read(b, conv, q)
    assert merchant_view()["peer_read_up_to"] == q
    # The merchant reads: the buyer sees it on the list and on open.
    r = mark_read(m, conv, q)
    assert r.status == 200 and r.json["peer_read_up_to"] == q, r
    assert buyer_view()["peer_read_up_to"] == q
    r = open_conv(b, shop)
    assert r.status == 200 and r.json["peer_read_up_to"] == q, r
    # Never back.
    assert mark_read(b, conv, mine[0]).status == 200
    assert merchant_view()["peer_read_up_to"] == q
    # Another merchant's conversation is not found, as ever.
    _, other = new_merchant()
    assert_problem(mark_read(other, conv, q), 404, "not_found")


def test_conversation_lists_paging():
    mid, mtok = new_merchant()
    shop, _ = new_shop(mid)
    srv().set_clock("2026-11-20T08:00:00Z")
    try:
        convs = []
        buyers = [new_buyer() for _ in range(5)]
        for i, (_, btok) in enumerate(buyers):
            srv().set_clock(f"2026-11-20T08:0{i}:00Z")
            convs.append(open_conv(btok, shop).json["id"])
        # Activity moves the second one to the top.
        srv().set_clock("2026-11-20T09:00:00Z")
        text(buyers[1][1], convs[1], "hi")
        expect = [convs[1], convs[4], convs[3], convs[2], convs[0]]
        seen, cursor = [], None
        while True:
            r = shop_list(mtok, shop, "?limit=2" + (f"&cursor={cursor}" if cursor else ""))
            assert r.status == 200, r
            seen += [c["id"] for c in r.json["items"]]
            cursor = r.json["next_cursor"]
            if cursor is None:
                break
        assert seen == expect, (seen, expect)
        assert shop_list(mtok, shop).json["counts"] == {"all": 5, "unread": 1, "unreplied": 1}
        assert_problem(shop_list(mtok, shop, "?cursor=garbage"), 400, "invalid_field")
        assert_problem(shop_list(mtok, shop, "?filter=starred"), 400, "invalid_field")
        assert_problem(shop_list(mtok, shop, "?limit=500"), 400, "invalid_field")

        # The buyer's list, across shops.
        _, btok = buyers[0]
        mid2, _ = new_merchant()
        shops2 = [new_shop(mid2)[0] for _ in range(3)]
        mine = [convs[0]] + [open_conv(btok, s2).json["id"] for s2 in shops2]
        seen, cursor = [], None
        while True:
            r = req("GET", "/v1/conversations?limit=3" + (f"&cursor={cursor}" if cursor else ""),
                    btok)
            assert r.status == 200, r
            seen += [c["id"] for c in r.json["items"]]
            cursor = r.json["next_cursor"]
            if cursor is None:
                break
        assert seen == list(reversed(mine)), (seen, mine)
        assert_problem(req("GET", "/v1/conversations?cursor=x", btok), 400, "invalid_field")
        # A cursor of the shop list is not one of the buyer's.
        r = shop_list(mtok, shop, "?limit=1")
        assert_problem(req("GET", f"/v1/conversations?cursor={r.json['next_cursor']}", btok), 400,
                       "invalid_field")
        assert_problem(req("GET", "/v1/conversations", mtok), 403, "forbidden")
        assert_problem(req("GET", "/v1/conversations"), 401, "unauthenticated")
        assert_problem(shop_list(btok, shop), 403, "forbidden")
    finally:
        srv().request("PUT", "/v1/test/clock", {"now": None})


def test_conversation_orders():
    t = setup()
    conv, shop = t["conv"], t["shop"]
    orders = [place_order(t["btok"], shop, t["sku"])["id"] for _ in range(3)]
    # Neither another buyer's order here nor this buyer's elsewhere.
    _, b2 = new_buyer()
    place_order(b2, shop, t["sku"])
    mid2, _ = new_merchant()
    shop2, sku2 = new_shop(mid2)
    place_order(t["btok"], shop2, sku2)
    r = req("GET", f"/v1/conversations/{conv}/orders?limit=2", t["mtok"])
    assert r.status == 200, r
    assert [o["id"] for o in r.json["items"]] == orders[::-1][:2], r.json
    assert "merchant_note" in r.json["items"][0] and "flag" in r.json["items"][0]
    r = req("GET", f"/v1/conversations/{conv}/orders?limit=2&cursor={r.json['next_cursor']}",
            t["mtok"])
    assert [o["id"] for o in r.json["items"]] == orders[:1] and r.json["next_cursor"] is None
    assert_problem(req("GET", f"/v1/conversations/{conv}/orders?cursor=zz", t["mtok"]), 400,
                   "invalid_field")
    assert_problem(req("GET", f"/v1/conversations/{conv}/orders", t["btok"]), 403, "forbidden")
    _, b3 = new_buyer()
    c3 = open_conv(b3, shop).json["id"]
    assert req("GET", f"/v1/conversations/{c3}/orders", t["mtok"]).json == {
        "items": [], "next_cursor": None}


def test_tenant_isolation():
    t = setup()
    conv, shop = t["conv"], t["shop"]
    mid = text(t["btok"], conv, "secret")["id"]
    _, other_m = new_merchant()
    _, other_b = new_buyer()
    for token in (other_m, other_b):
        assert_problem(messages(token, conv), 404, "not_found")
        assert_problem(send(token, conv, {"type": "text", "text": "x"}), 404, "not_found")
        assert_problem(mark_read(token, conv, mid), 404, "not_found")
    assert_problem(req("GET", f"/v1/conversations/{conv}/orders", other_m), 404, "not_found")
    assert_problem(shop_list(other_m, shop), 404, "not_found")
    assert_problem(shop_list(t["mtok"], 999999999), 404, "not_found")
    assert_problem(messages(t["mtok"], 999999999), 404, "not_found")
    assert req("GET", "/v1/conversations", other_b).json["items"] == []
    assert sql(f"SELECT count(*) FROM messages WHERE conversation_id = {conv}") == "1"


def test_concurrent_sends_and_reads_keep_counts():
    """Buyer messages racing the merchant's reads: the unread count always
    equals the buyer messages after the marker, and the shop's counters
    match the conversations."""
    t = setup()
    conv, shop = t["conv"], t["shop"]
    _, b2 = new_buyer()
    conv2 = open_conv(b2, shop).json["id"]
    text(t["btok"], conv, "start")
    for round_ in range(3):
        calls = [(lambda i=i: text(t["btok"], conv, f"r{round_}-{i}")) for i in range(6)]
        calls += [(lambda i=i: text(b2, conv2, f"s{round_}-{i}")) for i in range(3)]
        calls += [(lambda: mark_read(t["mtok"], conv, int(sql(
            f"SELECT max(id) FROM messages WHERE conversation_id = {conv}")))) for _ in range(3)]
        calls += [(lambda: text(t["mtok"], conv2, "reply"))]
        results = parallel(lambda f: f(), [(f,) for f in calls])
        assert not [r for r in results if isinstance(r, Exception)], results
        row = sql(f"SELECT merchant_unread, (SELECT count(*) FROM messages m WHERE"
                  f" m.conversation_id = c.id AND m.sender = 'buyer'"
                  f" AND m.id > c.merchant_read_up_to) FROM conversations c WHERE c.id = {conv}")
        kept, counted = row.split("|")
        assert kept == counted, row
        counts = shop_list(t["mtok"], shop).json["counts"]
        expect = sql(f"SELECT count(*), count(*) FILTER (WHERE merchant_unread > 0),"
                     f" count(*) FILTER (WHERE awaiting_reply) FROM conversations"
                     f" WHERE shop_id = {shop}").split("|")
        assert [counts["all"], counts["unread"], counts["unreplied"]] == \
            [int(x) for x in expect], (counts, expect)
        assert shop_unread(t["mtok"], shop) == counts["unread"]


def test_summary_follows_the_newest_message_whatever_the_order():
    """Of two messages sent at the same moment the newer one's trigger may
    update the conversation first. Played here in that order with SQL: the
    summary stays the newer message's, and an older buyer message behind a
    read marker moved past it is not counted unread."""
    t = setup()
    conv, shop = t["conv"], t["shop"]
    text(t["btok"], conv, "hello")
    older, newer = (int(x) for x in sql(
        "SELECT nextval(pg_get_serial_sequence('messages', 'id'))"
        " FROM generate_series(1, 2)").split())

    def insert(ident, sender, sender_id, body):
        sql(f"INSERT INTO messages (id, conversation_id, shop_id, buyer_id, sender, sender_id,"
            f" type, body, created_at) OVERRIDING SYSTEM VALUE VALUES ({ident}, {conv}, {shop},"
            f" {t['bid']}, '{sender}', {sender_id}, 'text', '{body}', now())")

    insert(newer, "merchant", t["mid"], "the newer reply")
    assert mark_read(t["mtok"], conv, newer).status == 200
    insert(older, "buyer", t["bid"], "the older question")
    row = sql(f"SELECT last_message_id, last_preview, awaiting_reply, merchant_unread"
              f" FROM conversations WHERE id = {conv}").split("|")
    assert row == [str(newer), "the newer reply", "f", "0"], row
    item = [c for c in shop_list(t["mtok"], shop).json["items"] if c["id"] == conv][0]
    assert item["last_message"]["id"] == newer and item["unread_count"] == 0, item


if __name__ == "__main__":
    main([test_open_conversation, test_concurrent_open_creates_one, test_send_every_type,
          test_send_validation, test_quick_reply, test_idempotent_send, test_message_paging,
          test_read_markers_and_counts, test_conversation_lists_paging, test_conversation_orders,
          test_tenant_isolation, test_concurrent_sends_and_reads_keep_counts,
          test_summary_follows_the_newest_message_whatever_the_order])
