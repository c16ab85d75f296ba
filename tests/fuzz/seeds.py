#!/usr/bin/env python3
"""Writes the hand-made seeds of the fuzz corpora (corpus/<harness>/seed-*).

One request seed per route of server/api/routes.c, sent by a role the route
takes with a body it would accept, plus requests that probe the edges (bad
JSON, deep nesting, duplicate keys, NUL, invalid UTF-8, wrong types, wrong
roles, idempotency, chunked and truncated uploads). The other harnesses get
a few typical inputs each. Long runs (run-long.sh) add what they find next to
these; running this again rewrites only the seed-* files.

Usage: tests/fuzz/seeds.py
"""
import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
ROUTER = os.path.join(HERE, "..", "..", "server", "api", "routes.c")

ADDRESS = {"name": "张三", "phone": "13812345678", "province": "江西", "city": "赣州",
           "district": "章贡区", "detail": "红旗大道 1 号"}
COUPON = {"title": "满100减10", "discount_cents": 1000, "min_order_cents": 10000,
          "total_quantity": 100, "per_buyer_limit": 1,
          "claim_start": "2026-11-26T00:00:00Z", "claim_end": "2026-11-30T00:00:00Z",
          "valid_days": 7, "channel": "normal"}

# The body each route is seeded with (routes without a body take none).
BODIES = {
    ("POST", "/v1/auth/register"): {"role": "buyer", "username": "fuzz_b",
                                    "password": "password1", "display_name": "买家"},
    ("POST", "/v1/auth/login"): {"username": "demo", "password": "demo-password",
                                 "device": "phone"},
    ("POST", "/v1/shops"): {"name": "赣南脐橙小店", "description": "产地直发"},
    ("PATCH", "/v1/shops/{id}"): {"name": "新店名"},
    ("POST", "/v1/shops/{id}/products"): {
        "title": "赣南脐橙 5斤装", "description": "甜", "status": "on_sale",
        "images": ["https://img.example.com/a.jpg"],
        "skus": [{"spec": "5斤", "price_cents": 1990, "stock": 100}]},
    ("PATCH", "/v1/shops/{id}/products/{id}"): {"title": "t", "status": "off_sale"},
    ("POST", "/v1/shops/{id}/products/{id}/skus"): {"spec": "10斤", "price_cents": 3590,
                                                    "stock": 5},
    ("PATCH", "/v1/shops/{id}/products/{id}/skus/{id}"): {"stock": 7},
    ("POST", "/v1/orders"): {"shop_id": 1, "note": "尽快发货", "coupon_id": None,
                             "items": [{"sku_id": 1, "quantity": 2}], "address": ADDRESS},
    ("POST", "/v1/orders/{id}/after-sales"): {"type": "refund_only", "reason": "坏果",
                                              "amount_cents": 100},
    ("PATCH", "/v1/shops/{id}/orders/{id}"): {"merchant_note": "备注", "flag": 2},
    ("POST", "/v1/shops/{id}/orders/{id}/ship"): {"carrier": "sf", "tracking_no": "SF1234567890"},
    ("POST", "/v1/shops/{id}/shipments:batch"): {"items": [
        {"order_id": 1, "carrier": "sf", "tracking_no": "SF1234567890"},
        {"order_id": 2, "carrier": "zto", "tracking_no": "ZT-0000001"}]},
    ("POST", "/v1/shops/{id}/after-sales/{id}/reject"): {"reason": "已发货"},
    ("POST", "/v1/shops/{id}/after-sales/{id}/reship"): {"carrier": "yto",
                                                         "tracking_no": "YT00000001"},
    ("POST", "/v1/conversations/{id}/messages"): {"type": "text", "text": "你好"},
    ("POST", "/v1/conversations/{id}/read"): {"up_to_message_id": 5},
    ("POST", "/v1/shops/{id}/quick-replies"): {"text": "亲，在的", "group": "常用",
                                               "position": 1},
    ("PATCH", "/v1/shops/{id}/quick-replies/{id}"): {"position": 2},
    ("PUT", "/v1/shops/{id}/auto-reply"): {
        "greeting": "欢迎光临",
        "keyword_rules": [{"keyword": "发货", "reply": "48小时内发货"}],
        "away": {"message": "下班了", "hours": [{"weekday": 1, "open": "09:00",
                                                 "close": "18:00"}]}},
    ("POST", "/v1/shops/{id}/coupons"): dict(COUPON, kind="product", product_id=3),
    ("POST", "/v1/shops/{id}/coupons:batch"): dict(COUPON, product_ids=[3, 4, 5]),
    ("POST", "/v1/shops/{id}/coupons/{id}/add-quantity"): {"quantity": 50},
    ("POST", "/v1/shops/{id}/live/red-packets"): {"total_cents": 8888, "count": 20,
                                                  "kind": "lucky", "valid_days": 7},
    ("POST", "/v1/review/orders/{id}/hold"): {"reason": "可疑地址", "note": "复核"},
    ("POST", "/v1/review/orders/{id}/release"): {"note": "正常"},
    ("POST", "/v1/review/orders/{id}/close"): {"reason": "欺诈"},
    ("POST", "/v1/review/orders/{id}/extend"): {"hours": 24, "note": "等待材料"},
    ("PUT", "/v1/test/clock"): {"now": "2026-11-26T08:00:00Z"},
    ("PATCH", "/v1/shops/{id}/images/{id}"): {"name": "主图", "folder_id": 3},
    ("POST", "/v1/shops/{id}/image-folders"): {"name": "详情", "parent_id": 2},
    ("PATCH", "/v1/shops/{id}/image-folders/{id}"): {"name": "主图"},
    ("POST", "/v1/shops/{id}/funds/topups"): {"account": "deposit", "amount_cents": 50000},
    ("POST", "/v1/payments/webhooks/{file}"): {"id": "evt_1", "type": "topup.succeeded",
                                               "reference": "sbx_tp_00", "amount_cents": 50000},
    ("PUT", "/v1/shops/{id}/funds/bank-account"): {"holder": "张三", "bank": "中国工商银行",
                                                   "account_no": "6222020200112233"},
    ("POST", "/v1/shops/{id}/funds/withdrawals"): {"amount_cents": 10000},
    ("POST", "/v1/platform/funds/withdrawals/{id}/reject"): {"reason": "账户异常"},
    ("POST", "/v1/platform/funds/adjustments"): {
        "shop_id": 1, "account": "available", "platform_account": "platform_promotion",
        "direction": "credit", "amount_cents": 500, "reason": "物流赔付"},
    ("POST", "/v1/platform/funds/adjustments/{id}/reject"): {"reason": "材料不全"},
    ("POST", "/v1/platform/campaigns"): {
        "name": "双十二限时秒杀", "kind": "flash_sale", "signup_from": "2026-12-01T00:00:00Z",
        "signup_to": "2026-12-08T00:00:00Z", "starts_at": "2026-12-12T00:00:00+08:00",
        "ends_at": "2026-12-13T00:00:00Z",
        "rules": {"min_discount_percent": 10, "min_campaign_stock": 20, "per_buyer_limit": 2,
                  "max_products_per_shop": 50, "allow_coupons": False, "auto_approve": False}},
    ("PATCH", "/v1/platform/campaigns/{id}"): {"name": "双十二", "rules": {"per_buyer_limit": 1}},
    ("POST", "/v1/platform/campaigns/{id}/entries/{id}/reject"): {"reason": "价格不是近30天最低"},
    ("POST", "/v1/shops/{id}/campaign-entries"): {
        "campaign_id": 1, "product_id": 3,
        "skus": [{"sku_id": 4, "campaign_price_cents": 1590, "campaign_stock": 50},
                 {"sku_id": 5, "campaign_price_cents": 2990, "campaign_stock": 20}]},
    ("POST", "/v1/shops/{id}/campaign-entries:batch"): {
        "campaign_id": 1, "discount_percent": 15, "stock_percent": 30, "product_ids": [3, 4, 5]},
    ("POST", "/v1/events/views"): {"views": [
        {"shop_id": 1, "product_id": 3, "at": "2026-11-26T07:59:30Z", "source": "search"},
        {"shop_id": 1, "product_id": None, "visitor_id": "ignored_for_buyers",
         "at": "2026-11-26T08:00:00+08:00"}]},
    ("POST", "/v1/shops/{id}/promotions"): {
        "product_id": 3, "name": "春茶推广", "daily_budget_cents": 5000,
        "starts_at": "2026-12-01T00:00:00Z", "ends_at": None,
        "keywords": [{"word": "绿茶", "bid_cents": 120}, {"word": "green tea", "bid_cents": 50}]},
    ("PATCH", "/v1/shops/{id}/promotions/{id}"): {
        "daily_budget_cents": 8000, "keywords": [{"word": "龙井", "bid_cents": 90}]},
    ("POST", "/v1/promotions/clicks"): {"impression_id": "AQAAAAAAAAABAAAAAAAAAAE", "visitor_id":
                                        "visitor-0001"},
    ("POST", "/v1/shops/{id}/share-links"): {"target": "product", "product_id": 3,
                                             "channel": "wechat_moments"},
    ("POST", "/v1/feedback"): {"category": "bug", "text": "订单导出的 CSV 打不开",
                               "image_ids": [7, 8], "app_version": "5.2.1", "device": "iPhone 15"},
    ("POST", "/v1/platform/feedback/{id}/replies"): {"text": "已记录, 下个版本修复"},
    ("POST", "/v1/platform/support/conversations/{id}/messages"): {"type": "text",
                                                                   "text": "您好, 请问有什么可以帮您"},
    ("POST", "/v1/platform/support/conversations/{id}/read"): {"up_to_message_id": 12},
}

# Headers some routes read. (A withdrawal's seed has no Idempotency-Key: with
# one, the handler runs in a transaction, which the harness's closed
# database never begins; without, it is reached and answers 400.)
HEADERS = {
    ("POST", "/v1/payments/webhooks/{file}"): [
        "Sandbox-Signature: t=1764144000,v1=" + "0" * 64],
    ("GET", "/s/{file}"): ["Cookie: merchantd_visitor=Zm9vYmFyYmF6cXV4cXV1eA"],
    ("GET", "/app/assets/{file}"): ["Accept-Encoding: br;q=1.0, gzip;q=0.8, *;q=0",
                                    'If-None-Match: "0123456789abcdef0123456789abcdef"'],
}
# A file segment for the routes that have one.
FILES = {("POST", "/v1/payments/webhooks/{file}"): "sandbox",
         # A stored file's name, as the media route serves them.
         ("GET", "/media/{file}"):
             "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08_800.webp",
         # A share link's code.
         ("GET", "/s/{file}"): "4fQ9xZr2Lm",
         # The web console: one of its routes, and an asset's hashed name.
         ("GET", "/app/{file}"): "orders",
         ("GET", "/app/assets/{file}"): "app-3f9a1c2b.js"}

# Upload routes take a file: a 1x1 PNG, sent raw.
PNG_1X1 = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d49444154789c6360000002000154a24f5d00000000"
                        "49454e44ae426082")
UPLOADS = {("POST", "/v1/shops/{id}/images"), ("POST", "/v1/me/images")}

# A query string for the routes that read one.
QUERIES = {
    ("GET", "/v1/shops/{id}/products"): "limit=5&status=on_sale",
    ("GET", "/v1/orders"): "status=paid&limit=20",
    ("GET", "/v1/shops/{id}/orders"): "status=to_ship&sort=-paid_at&q=%E5%BC%A0&limit=10"
                                      "&created_from=2026-11-01T00:00:00Z&review=under_review",
    ("GET", "/v1/shops/{id}/orders/export.csv"): "lang=zh-CN&created_to=2026-12-01T00:00:00%2B08:00",
    ("GET", "/v1/shops/{id}/after-sales"): "status=requested&cursor=YToxOjI",
    ("GET", "/v1/shops/{id}/erp/orders"): "after=0&limit=100",
    ("GET", "/v1/shops/{id}/funds/flows"): "account=available&type=order_income"
                                           "&from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z"
                                           "&limit=50&cursor=ZjoxMDAwOjE",
    ("GET", "/v1/shops/{id}/funds/statement.csv"): "from=2026-11-01T00:00:00Z&lang=zh-CN",
    ("GET", "/v1/shops/{id}/letters"): "unread=true",
    ("GET", "/v1/shops/{id}/conversations"): "filter=unreplied",
    ("GET", "/v1/conversations/{id}/messages"): "before=10&limit=50",
    ("GET", "/v1/shops/{id}/messages/search"): "q=%E5%8F%91%E8%B4%A7&buyer_id=2"
                                               "&from=2026-01-01T00:00:00Z",
    ("GET", "/v1/shops/{id}/coupons"): "status=claiming",
    ("GET", "/v1/me/coupons"): "status=usable",
    ("GET", "/v1/review/orders"): "status=under_review&overdue=false",
    ("GET", "/v1/events"): "after=0",
    ("GET", "/v1/events/poll"): "after=3&timeout=0",
    ("POST", "/v1/test/stream"): "bytes=64",
    ("GET", "/v1/shops/{id}/images"): "folder_id=0&q=%E4%B8%BB&limit=10",
    ("DELETE", "/v1/shops/{id}/images/{id}"): "force=true",
    ("GET", "/v1/platform/funds/adjustments"): "status=pending_approval&limit=10",
    ("GET", "/v1/platform/campaigns"): "status=signup_open&limit=10",
    ("GET", "/v1/platform/campaigns/{id}/entries"): "status=pending&limit=50",
    ("GET", "/v1/campaigns"): "status=running",
    ("GET", "/v1/shops/{id}/campaign-entries"): "campaign_id=1&status=approved",
    ("GET", "/v1/platform/funds/audit"): "shop_id=1&object=withdrawal&object_id=2&limit=50",
    ("GET", "/v1/shops/{id}/stats/daily"): "from=2026-11-01&to=2026-11-30"
                                           "&metrics=gmv_cents,conversion_rate",
    ("GET", "/v1/shops/{id}/stats/daily.csv"): "from=2026-11-01&metrics=refund_cents",
    ("GET", "/v1/shops/{id}/stats/hourly"): "date=2026-11-26",
    ("GET", "/v1/shops/{id}/stats/products"): "from=2026-11-01&to=2026-11-30&sort=conversion"
                                              "&limit=10",
    ("GET", "/v1/shops/{id}/stats/service"): "to=2026-11-30",
    ("GET", "/v1/shops/{id}/stats/logistics"): "from=2026-02-29",
    ("GET", "/v1/shops/{id}/stats/coupons"): "from=2026-11-30&to=2026-11-01",
    ("GET", "/v1/search/products"): "q=%E7%BB%BF%E8%8C%B6&sort=-price&limit=5"
                                    "&visitor_id=visitor-0001",
    ("GET", "/v1/shops/{id}/promotions"): "limit=10",
    ("GET", "/v1/shops/{id}/share-links"): "limit=10&cursor=aDowOjc",
    ("GET", "/v1/shops/{id}/share-links/{id}"): "days=7",
    ("GET", "/v1/feedback"): "limit=10&cursor=RjowOjk",
    ("GET", "/v1/platform/feedback"): "status=open&category=funds&limit=50",
    ("GET", "/v1/platform/support/queue"): "limit=10",
    ("GET", "/v1/platform/support/conversations/{id}/messages"): "after=3&limit=50",
}

# The community (docs/community.md).
BODIES.update({
    ("POST", "/v1/community/articles/{id}/comments"): {"body": "好文", "parent_id": 3},
    ("POST", "/v1/community/comments/{id}/reports"): {"reason": "广告"},
    ("POST", "/v1/community/questions"): {"title": "退款多久到账？", "body": "如题 **急**",
                                          "tags": ["退款"]},
    ("POST", "/v1/platform/community/articles"): {
        "title": "经营干货", "body": "# 标题\n\n[链接](https://example.com) <script>x</script>",
        "category": "经营干货", "tags": ["运营"], "cover_image_id": 2,
        "publish_at": "2026-11-26T08:00:00Z", "pinned": True},
    ("PATCH", "/v1/platform/community/articles/{id}"): {"hidden": True, "cover_image_id": None},
    ("POST", "/v1/platform/community/articles/{id}/comments"): {"body": "官方解答"},
    ("PUT", "/v1/platform/community/articles/{id}/accepted-answer"): {"comment_id": 4},
})
QUERIES.update({
    ("GET", "/v1/community/articles"): "sort=hot&category=%E9%97%AE%E7%AD%94&limit=5",
    ("GET", "/v1/community/search"): "q=%E9%80%80%E6%AC%BE&sort=relevance",
    ("GET", "/v1/platform/community/reports"): "status=open",
})

# Growth (docs/growth.md) and a merchant's own questions (docs/community.md).
BODIES.update({
    ("POST", "/v1/platform/growth/tasks"): {
        "key": "ship_5", "title": "发货 5 单", "group": "fulfilment",
        "condition": {"kind": "orders_shipped", "count": 5}},
    ("PATCH", "/v1/platform/growth/tasks/{id}"): {
        "position": 1, "condition": {"kind": "reply_rate_3min", "percent": 90}},
    ("POST", "/v1/platform/growth/medals"): {
        "key": "ship_star", "name": "发货之星", "task_keys": ["shipped_20"],
        "privileges": {"quick_replies": 100}},
    ("PATCH", "/v1/platform/growth/medals/{id}"): {"name": "营销入门", "active": True},
    ("PATCH", "/v1/community/questions/{id}"): {"title": "怎么退款才快？", "tags": ["退款"]},
    ("PUT", "/v1/community/questions/{id}/accepted-answer"): {"comment_id": 4},
})

# The harness's "reviewer" is staff holding the permissions review, finance,
# campaigns, support, community and growth.
ROLE_OF = {"M": "merchant", "B": "buyer", "STAFF": "reviewer"}


def routes():
    text = open(ROUTER, encoding="utf-8").read()
    start = text.index("routes[] = {")
    table = text[start:text.index("\n};", start)]
    for m in re.finditer(r'\{"([A-Z]+)", "([^"]+)", \w+,\s*([^,]+),', table):
        yield m.group(1), m.group(2), m.group(3).strip()


def request(role, method, target, headers=(), body=b""):
    head = f"{role} {method} {target}\n".encode()
    for h in headers:
        head += h.encode() + b"\n"
    if isinstance(body, (dict, list)):
        body = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    return head + b"\n" + body if body else head


def write(harness, name, data):
    d = os.path.join(HERE, "corpus", harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def request_seeds():
    ids = iter(range(1, 1000))
    for method, pattern, access in routes():
        words = [w.strip() for w in access.split("|")]
        letters = [w for w in words if w in ROLE_OF]
        role = ROLE_OF[letters[0]] if letters else "buyer" if "ANY" in words else "anon"
        target = re.sub(r"\{id\}", lambda _: str(next(ids)), pattern)
        if (method, pattern) in FILES:
            target = target.replace("{file}", FILES[(method, pattern)])
        q = QUERIES.get((method, pattern))
        if q:
            target += "?" + q
        body = BODIES.get((method, pattern))
        headers = ["Content-Type: application/json"] if body is not None else []
        headers += HEADERS.get((method, pattern), [])
        if (method, pattern) in UPLOADS:
            body, headers = PNG_1X1, ["Content-Type: image/png"]
        name = (method + pattern).lower().replace("/", "_").replace("{id}", "n")
        name = re.sub(r"[^a-z0-9_.-]", "-", name)
        write("request", name, request(role, method, target, headers, body or b""))

    j = ["Content-Type: application/json"]
    shop = {"name": "店"}
    edges = {
        "wrong-role": request("buyer", "POST", "/v1/shops", j, shop),
        "expired": request("expired", "GET", "/v1/shops"),
        "replaced": request("replaced", "GET", "/v1/orders"),
        "logged-out": request("loggedout", "POST", "/v1/auth/logout"),
        "unknown-token": request("unknown", "GET", "/v1/shops/1"),
        "db-down": request("dbdown", "GET", "/v1/shops"),
        "bad-token": request("anon", "GET", "/v1/shops", ["Authorization: Bearer abc"]),
        "method-405": request("merchant", "DELETE", "/v1/shops"),
        "not-found": request("merchant", "GET", "/v1/shops/01"),
        "unsupported-type": request("merchant", "POST", "/v1/shops",
                                    ["Content-Type: text/plain"], b"name=x"),
        "unexpected-body": request("merchant", "GET", "/v1/shops", j, b"{}"),
        "invalid-json": request("merchant", "POST", "/v1/shops", j, b'{"name": "x",}'),
        "not-object": request("merchant", "POST", "/v1/shops", j, b'["x"]'),
        "duplicate-key": request("merchant", "POST", "/v1/shops", j,
                                 b'{"name":"a","name":"b"}'),
        "nul-escape": request("merchant", "POST", "/v1/shops", j, b'{"name":"a\\u0000b"}'),
        "nul-byte": request("merchant", "POST", "/v1/shops", j, b'{"name":"a\x00b"}'),
        "bad-utf8": request("merchant", "POST", "/v1/shops", j, b'{"name":"\xc3\x28"}'),
        "deep": request("merchant", "POST", "/v1/shops", j, b"[" * 40 + b"]" * 40),
        "deep-object": request("buyer", "POST", "/v1/orders", j,
                               b'{"items":' + b'{"a":' * 33 + b"1" + b"}" * 34),
        "unknown-field": request("merchant", "POST", "/v1/shops", j,
                                 {"name": "x", "shop_id": 9, "id": 1}),
        "long-key": request("merchant", "POST", "/v1/shops/1/products", j,
                            {"title": "t", "skus": [{"spec": "s", "price_cents": 1, "stock": 1,
                                                     "x" * 39 + "价格": 1}]}),
        "long-top-key": request("merchant", "POST", "/v1/shops", j,
                                {"name": "x", "x" * 254 + "价": 1}),
        "wrong-types": request("buyer", "POST", "/v1/orders", j,
                               {"shop_id": "1", "items": [{"sku_id": 1.5, "quantity": -1}],
                                "address": []}),
        "big-int": request("merchant", "PATCH", "/v1/shops/1/products/2/skus/3", j,
                           b'{"price_cents": 99999999999999999999, "stock": -9223372036854775808}'),
        "idem-replay": request("buyer", "POST", "/v1/orders/5/pay",
                               ["Idempotency-Key: k1", "X-Fuzz-Idem: replay"]),
        "idem-running": request("merchant", "POST", "/v1/shops", j + ["Idempotency-Key: k2",
                                "X-Fuzz-Idem: running"], shop),
        "idem-mismatch": request("merchant", "POST", "/v1/shops/1/coupons/2/stop",
                                 ["Idempotency-Key: k3", "X-Fuzz-Idem: mismatch"]),
        "idem-bad-key": request("merchant", "POST", "/v1/shops", j + ["Idempotency-Key: a b"],
                                shop),
        "chunked-upload": request("merchant", "POST", "/v1/shops", j + ["X-Fuzz-Chunk: 3"], shop),
        "truncated-upload": request("merchant", "POST", "/v1/shops", j + ["Content-Length: 99"],
                                    shop),
        "declared-too-large": request("merchant", "POST", "/v1/shops",
                                      j + ["Content-Length: 100000"], shop),
        "body-too-large": request("merchant", "POST", "/v1/shops", j,
                                  {"name": "x", "description": "y" * 4200}),
        "hash-busy": request("anon", "POST", "/v1/auth/register", j + ["X-Fuzz-Hash: busy"],
                             BODIES[("POST", "/v1/auth/register")]),
        "request-id": request("anon", "GET", "/livez", ["X-Request-Id: abc-123_x.y:z"]),
        "last-event-id": request("merchant", "GET", "/v1/events", ["Last-Event-ID: 42"]),
        "query-junk": request("merchant", "GET",
                              "/v1/shops/1/orders?limit=1e3&limit=5&cursor=%ff%fe&x&sort="),
        "percent-path": request("merchant", "GET", "/v1/shops/%31/orders/%32"),
        "batch-500": request("merchant", "POST", "/v1/shops/1/shipments:batch", j,
                             b'{"items":[' + b",".join([b"{}"] * 501) + b"]}"),
        "review-optional-body": request("reviewer", "POST", "/v1/review/orders/7/release"),
        "views-anonymous": request("anon", "POST", "/v1/events/views", j, {"views": [
            {"shop_id": 1, "visitor_id": "d41d8cd98f00b204", "at": "2026-11-26T08:00:00Z",
             "source": "share_wechat"}, {"shop_id": 2, "product_id": 9, "at": "x"}]}),
        "views-merchant": request("merchant", "POST", "/v1/events/views", j, {"views": [
            {"shop_id": 1, "visitor_id": "d41d8cd98f00b204", "at": "2026-11-26T08:00:00Z"}]}),
        "share-link-shop-with-product": request("merchant", "POST", "/v1/shops/1/share-links", j,
                                                {"target": "shop", "product_id": 3,
                                                 "channel": "telegram"}),
        "share-visit-bad-cookie": request("anon", "GET", "/s/4fQ9xZr2Lm",
                                          ["Cookie: merchantd_visitor=%00; merchantd_visitor=x"]),
        "share-visit-head": request("anon", "HEAD", "/s/4fQ9xZr2Lm"),
        "views-101": request("anon", "POST", "/v1/events/views", j,
                             b'{"views":[' + b",".join([b'{"shop_id":1}'] * 101) + b"]}"),
    }
    for name, data in edges.items():
        write("request", name, data)


def other_seeds():
    for name, text in {
        "page": "YzoxNzY0MTQ0MDAwMDAwMDAwOjQy",  # c:1764144000000000:42
        "id-only": "azowOjc",  # k:0:7
        "negative": "Yzo3Oi0x",  # c:7:-1
        "spaces": "YzogKzE6ICsy",  # c: +1: +2
        "padded": "azowOjc=",
        "garbage": "!!!",
    }.items():
        write("cursor", name, text)
    for name, text in {
        "valid": "Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "lower": "bearer _-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-A",
        "spaces": "Bearer    AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB",
        "short": "Bearer abc",
        "basic": "Basic dXNlcjpwYXNz",
        "padding": "Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    }.items():
        write("auth", name, text)
    for name, data in {
        "plain": b"a\x1fb c\x1e1\x1fx",
        "formula": b"=SUM(A1)\x1f+1\x1f-2\x1f@x\x1f\tz\x1e\rr",
        "quotes": b'say "hi"\x1fx,y\x1fline1\nline2',
        "utf8": "张三\x1f赣南脐橙 5斤装 x2\x1e".encode(),
        "ints": b"\x01" + (12345).to_bytes(8, "little") + b"\x1f\x01" + b"\xff" * 8,
        "empty": b"\x1f\x1f\x1e\x1e",
    }.items():
        write("csv", name, data)
    for name, text in {
        "utc": "2026-11-26T08:00:00Z",
        "fraction": "2026-11-26T08:00:00.123456789Z",
        "offset": "2026-11-26T08:00:00+08:00",
        "lower": "2026-02-28t23:59:59z",
        "leap": "2028-02-29T00:00:00-00:30",
        "bad-day": "2026-02-31T00:00:00Z",
        "edge-high": "9999-12-31T23:59:59-23:59",
        "edge-low": "1970-01-01T00:00:00+23:59",
    }.items():
        write("time", name, text)
    for name, text in {
        "ascii": "hello \"world\"\\ \x01\x1f",
        "chinese": "欧阳娜娜",
        "phone": "13812345678",
        "emoji": "😀 \u2028\u2029",
        "one": "张",
        "short-phone": "123",
    }.items():
        write("text", name, text)


def dict_token(t):
    out = ""
    for b in t if isinstance(t, bytes) else t.encode():
        c = chr(b)
        out += "\\" + c if c in '"\\' else c if 0x20 <= b < 0x7F else "\\x%02X" % b
    return '"' + out + '"'


def request_dict():
    """request.dict: roles, methods, headers, path segments and the field,
    parameter and enum names of the handlers, JSON syntax."""
    toks = ["merchant ", "buyer ", "reviewer ", "anon ", "expired ", "replaced ", "loggedout ",
            "unknown ", "dbdown ", "GET ", "POST ", "PATCH ", "PUT ", "DELETE ", "HEAD ",
            "\n", "\n\n", "?", "&", "=", "%00", "%FF", "%2F", "+",
            "Content-Type: application/json", "Content-Type: application/json; charset=utf-8",
            "Authorization: Bearer ", "Authorization: Basic ", "Idempotency-Key: ",
            "X-Request-Id: ", "Last-Event-ID: ", "Content-Length: ", "Transfer-Encoding: chunked",
            "X-Fuzz-Idem: replay", "X-Fuzz-Idem: running", "X-Fuzz-Idem: mismatch",
            "X-Fuzz-Idem: down", "X-Fuzz-Chunk: ", "X-Fuzz-Hash: busy",
            "{", "}", "[", "]", ":", ",", "null", "true", "false", "0", "-1", "1e400", "1.5",
            "9223372036854775807", "-9223372036854775808", "\\u0000", "\\ud800", '\\"', '""',
            "2026-11-26T08:00:00Z", "2026-11-26T08:00:00.123+08:00", "https://", "http://",
            "价", b"\xc3(", "😀"]
    seen = set(toks)
    text = open(ROUTER, encoding="utf-8").read()
    for pattern in re.findall(r'"(/[^"]*)"', text):
        for seg in pattern.split("/"):
            if seg and "/" + seg not in seen:
                seen.add("/" + seg)
                toks.append("/" + seg)
    server = os.path.join(HERE, "..", "..", "server")
    for name in sorted(os.path.relpath(os.path.join(d, f), server)
                       for d, _, files in os.walk(server) for f in files):
        if not name.endswith(".c"):
            continue
        src = open(os.path.join(server, name), encoding="utf-8").read()
        found = ['"%s":' % m for m in re.findall(r'JSONIN_[A-Z]+\(\s*"([a-z_]+)"', src)]
        found += ["%s=" % m for m in re.findall(r'QUERY_[A-Z]+\(\s*"([a-z_]+)"', src)]
        for values in re.findall(r'static const char \*const \w+\[\]\s*=\s*\{([^}]*)\}', src):
            found += re.findall(r'"([^"]+)"', values)
        for t in found:
            if t not in seen:
                seen.add(t)
                toks.append(t)
    with open(os.path.join(HERE, "request.dict"), "w", encoding="ascii") as f:
        f.write("# Written by seeds.py: roles, methods, headers, path segments, the handlers'\n"
                "# field, parameter and enum names, JSON syntax.\n")
        for t in toks:
            f.write(dict_token(t) + "\n")


if __name__ == "__main__":
    request_seeds()
    other_seeds()
    request_dict()
