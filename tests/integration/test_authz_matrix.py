"""Authorisation matrix, generated from the route table (`merchantd routes`):
every route x {no token, garbage token, malformed token, replaced session,
logged-out session, expired session, a buyer, a merchant of another shop,
platform staff, staff lacking the route's permission, the legitimate
owner} answers the status its access implies (401 with the right code, 403
forbidden, naming the missing permission for staff, 404 not_found for
another tenant's objects, success for the owner), every status seen is documented for that
operation in docs/openapi.yaml, and no body a non-owner sees carries one of
the private markers planted in shop A. Then mass assignment: every route
that takes a JSON body refuses the fields a client may never set (400
unknown_field naming the field) and nothing in the database changes.

Every route needs an entry in ROUTES (how its ids are filled from the
fixture, who owns what it names, a valid body): a route without one fails
the test, so a new route cannot escape the matrix."""

import base64
import datetime
import http.client
import json
import os
import re
import sys
import tempfile
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(__file__))
from harness import *  # noqa: E402,F401,F403
import harness  # noqa: E402  (check_reply: this file has one of its own)
import image_corpus  # noqa: E402

# Jobs run only when the test asks (POST /v1/test/jobs/run), at the frozen
# time it chose; the funds routes need the secrets a deployment has.
ENV = {"MERCHANTD_JOB_INTERVAL_SECONDS": "86400", "MERCHANTD_WITHDRAWAL_DAILY_LIMIT": "100",
       **deployment_secrets()}
# The web console's routes answer from a built console (test_app.py checks
# them in full).
_web = tempfile.mkdtemp(prefix="merchantd-authz-web-")
os.makedirs(os.path.join(_web, "assets"))
for _name, _data in (("index.html", b"<!doctype html><title>console</title>"),
                     ("assets/app-1a2b3c.js", b"console.log(1);")):
    with open(os.path.join(_web, _name), "wb") as _f:
        _f.write(_data)
ENV["MERCHANTD_WEB_DIR"] = _web
# The clock stands still, so every comment of the run is in the last minute.
ENV["MERCHANTD_COMMUNITY_COMMENTS_PER_MINUTE"] = "1000"
SHANGHAI = ZoneInfo("Asia/Shanghai")
# A Tuesday morning in Shanghai: holds now are delivered as a letter at 11:00,
# and the matrix runs at T1, within the unpaid orders' 30 minutes.
T0 = datetime.datetime(2031, 3, 4, 10, 40, tzinfo=SHANGHAI)
T1 = T0 + datetime.timedelta(minutes=22)
OPENAPI = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "openapi.yaml")

# Strings only shop A, its merchant and buyer A may ever see.
TAG = uuid.uuid4().hex[:10]
MARKERS = {name: f"Mk{name}{TAG}" for name in
           ("address", "note", "product", "message", "quickreply", "coupon", "merchantnote",
            "aftersale", "hold", "receiver")}
PLAIN_ADDRESS = {"name": "Han Meimei", "phone": "13900000000", "province": "Jiangsu",
                 "city": "Nanjing", "district": "Gulou", "detail": "2 Zhongshan Road"}
MARKED_ADDRESS = dict(PLAIN_ADDRESS, name=MARKERS["receiver"], detail=MARKERS["address"])

STALE = ("no_token", "garbage_token", "malformed_token", "replaced", "logged_out", "expired")
ROLE_PERSONAS = {"buyer": "buyer", "other_merchant": "merchant", "staff": "staff",
                 "staff_lacking": "staff"}
PERMISSIONS = ("review", "finance", "campaigns", "community", "support", "growth")
SUCCESS = range(200, 300)
CODE_401 = {"no_token": "unauthenticated", "garbage_token": "unauthenticated",
            "malformed_token": "unauthenticated", "replaced": "session_replaced",
            "logged_out": "unauthenticated", "expired": "session_expired"}


def server():
    return srv(ENV)


def rfc(dt):
    return fmt_time(dt)


# ---------------------------------------------------------------------------
# HTTP and the documentation


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.raw = body
        self.json = None
        if "json" in headers.get("content-type", "") and body:
            self.json = json.loads(body)

    def code(self):
        return self.json.get("code") if isinstance(self.json, dict) else None

    def __repr__(self):
        return f"<{self.status} {self.raw[:300]!r}>"


def call(method, path, token=None, body=None, authorization=None, headers=None):
    """One request. An event stream's body is not read (it never ends)."""
    conn = http.client.HTTPConnection("127.0.0.1", server().port, timeout=30)
    headers = dict(headers or {})
    data = None
    if isinstance(body, bytes):
        data = body  # an upload route's file
        headers["Content-Type"] = "image/png"
    elif body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if authorization is not None:
        headers["Authorization"] = authorization
    elif token is not None:
        headers["Authorization"] = f"Bearer {token}"
    try:
        conn.request(method, path, body=data, headers=headers)
        r = conn.getresponse()
        h = {k.lower(): v for k, v in r.getheaders()}
        stream = h.get("content-type") == "text/event-stream"
        text = "" if stream else r.read().decode("utf-8", "replace")
    finally:
        conn.close()
    harness.check_reply(method, path, r.status, h, None if stream else text)
    return Reply(r.status, h, text)


def ok(r, *statuses):
    assert r.status in (statuses or (200, 201)), r
    return r.json


def openapi_operations():
    """{(METHOD, pattern with {id}): {status: documented codes (empty: any)}},
    read line by line from docs/openapi.yaml: paths/<path>/<method>/responses,
    inline or through a $ref to components/responses."""
    lines = open(OPENAPI, encoding="utf-8").read().splitlines()

    def indent(line):
        return len(line) - len(line.lstrip(" "))

    def code_after(i):
        """The codes a "code:" line at i declares (const or a flow enum)."""
        found = set()
        for nxt in lines[i + 1:i + 3]:
            m = re.match(r"\s*const:\s*(\S+)\s*$", nxt)
            if m:
                found.add(m.group(1))
            m = re.match(r"\s*enum:\s*\[(.*)\]\s*$", nxt)
            if m:
                found.update(x.strip() for x in m.group(1).split(","))
        return found

    components = {}  # components/responses/<Name>: its codes
    ops = {}
    section = sub = name = path = method = None
    status = None
    for i, line in enumerate(lines):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        n, text = indent(line), line.strip()
        if n == 0:
            section, sub, name, path, method = line.rstrip(":"), None, None, None, None
        elif section == "components":
            if n == 2:
                sub, name = text.rstrip(":"), None
            elif sub == "responses" and n == 4:
                name = text.rstrip(":")
                components[name] = set()
            elif name is not None and text == "code:":
                components[name] |= code_after(i)
        elif section == "paths":
            if n == 2:
                # Ids are {id} in the route table; a file name stays {file},
                # and so are a payment provider's name and a share link's code.
                path = re.sub(r"\{(?!file\})[a-z_]+\}", "{id}",
                              text.rstrip(":").replace("{provider}", "{file}")
                              .replace("{code}", "{file}"))
                method = None
            elif n == 4:
                method = text.rstrip(":").upper()
                if method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
                    ops[(method, path)] = {}
                else:
                    method = None
            elif method and n == 6:
                status = -1 if text == "responses:" else None
            elif method and status is not None and n == 8:
                status = int(text.strip("'\":"))
                ops[(method, path)][status] = set()
            elif method and status is not None and status > 0:
                m = re.match(r"\$ref: '#/components/responses/(\w+)'", text)
                if m and n == 10:
                    ops[(method, path)][status] = ("ref", m.group(1))
                elif text == "code:" and isinstance(ops[(method, path)][status], set):
                    ops[(method, path)][status] |= code_after(i)
    for op in ops.values():
        for st, codes in op.items():
            if isinstance(codes, tuple):
                op[st] = components[codes[1]]
    return ops


_ops = None


def documented(method, pattern, r):
    """The reply's status (and problem code, where the document lists the
    codes of that response) is documented for the operation."""
    global _ops
    if _ops is None:
        _ops = openapi_operations()
    op = _ops.get((method, pattern))
    assert op is not None, f"{method} {pattern} is not in docs/openapi.yaml"
    assert r.status in op, f"{method} {pattern}: {r.status} is not documented ({sorted(op)}): {r}"
    codes = op[r.status]
    if codes and r.code() is not None:
        assert r.code() in codes, \
            f"{method} {pattern}: {r.status} {r.code()} is not documented ({sorted(codes)})"


def route_table():
    out = subprocess.run([MERCHANTD, "routes"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    routes = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(routes) > 50, routes
    return routes


# ---------------------------------------------------------------------------
# The fixture: shop A with one of everything, shop B, a buyer, staff


class Account:
    def __init__(self, role, username, password="password-123"):
        self.role, self.username, self.password = role, username, password
        self.id = None
        self.token = None

    def login(self, device="phone"):
        self.token = server().login(self.username, password=self.password, device=device)
        return self.token


def account(role, permissions=PERMISSIONS):
    """An account of the role, logged in; staff hold the given permissions
    (by default every one)."""
    a = Account(role, uname(role[0]))
    if role == "staff":
        a.password = "staff-password"
        args = ["create-staff", a.username]
        if permissions:
            args += ["--permissions", ",".join(permissions)]
        out = run_cli(args, server().db_url, stdin=a.password + "\n")
        assert out.returncode == 0, out.stderr
    else:
        server().register(a.username, role=role)
    a.id = int(sql(f"SELECT id FROM accounts WHERE username = {sql_literal(a.username)}"))
    a.login()
    return a


def with_stale_tokens(a):
    """Leaves the account with a replaced token, a logged-out token and a
    live one (a.token); the live one is expired for the expired pass."""
    a.replaced = a.token
    second = a.login(device="tablet")
    r = call("POST", "/v1/auth/logout", second)
    assert r.status == 204, r
    a.logged_out = second
    a.login(device="laptop")
    return a


class Fixture:
    def __init__(self):
        s = server()
        s.set_clock(rfc(T0))
        self.ma = with_stale_tokens(account("merchant"))
        self.ba = with_stale_tokens(account("buyer"))
        self.rv = with_stale_tokens(account("staff"))
        self.lacking = {}
        self.mb = account("merchant")
        self.bb = account("buyer")
        self.login_target = account("buyer")
        self.counter = 0

        self.shop = ok(self.post(self.ma, "/v1/shops", {"name": "Shop A"}))["id"]
        self.shop_b = ok(self.post(self.mb, "/v1/shops", {"name": "Shop B"}))["id"]
        p1 = self.product("Oolong", "on_sale")
        self.p1, self.s1 = p1["id"], p1["skus"][0]["id"]
        p2 = self.product(MARKERS["product"], "off_sale")
        self.p2, self.s2 = p2["id"], p2["skus"][0]["id"]
        self.p3 = self.product("To delete", "on_sale")["id"]
        self.product_b = self.product("Shop B tea", "on_sale", self.mb, self.shop_b)["id"]
        share = ok(self.post(self.ma, f"/v1/shops/{self.shop}/share-links",
                             {"target": "product", "product_id": self.p1, "channel": "wechat"}))
        self.share_link, self.share_code = share["id"], share["code"]
        self.share_revoke = ok(self.post(self.ma, f"/v1/shops/{self.shop}/share-links",
                                         {"target": "shop", "channel": "sms"}))["id"]
        # Promotion: shop A's promotion account funded, a plan that serves
        # on "oolong" (never paused: the clicks' impressions come from it)
        # and one for the changes.
        assert psql(s.db_url, f"SELECT ledger_post('authz-topup:{self.shop}', 'topup', 1,"
                              f" ARRAY[ledger_account({self.shop}, 'provider_clearing')],"
                              f" ARRAY[ledger_account({self.shop}, 'promotion')],"
                              f" ARRAY[1000000]::bigint[], ARRAY['topup'], now())") == "ok"
        self.plan = ok(self.post(self.ma, f"/v1/shops/{self.shop}/promotions",
                                 self.plan_body("oolong")))["id"]
        self.plan_edit = ok(self.post(self.ma, f"/v1/shops/{self.shop}/promotions",
                                      self.plan_body("black tea")))["id"]
        self.impressions = {}
        for who in (self.ba, self.bb, None):
            self.impression(who)

        # Buyer A's orders, one per operation that changes one.
        self.o_main = self.order(paid=True)
        ok(call("PATCH", f"/v1/shops/{self.shop}/orders/{self.o_main}",
                self.ma.token, {"merchant_note": MARKERS["merchantnote"]}))
        self.o_pay = self.order()
        self.o_cancel = self.order()
        self.o_confirm = self.order(paid=True, shipped=True)
        self.o_after_sale = self.order(paid=True)
        self.o_ship = self.order(paid=True)
        self.o_batch = self.order(paid=True)
        self.as_approve = self.after_sale(self.order(paid=True), "refund_only")
        self.as_reject = self.after_sale(self.order(paid=True), "refund_only")
        self.as_reship = self.after_sale(self.order(paid=True, shipped=True), "reship")
        ok(call("POST", f"/v1/shops/{self.shop}/after-sales/{self.as_reship}/approve",
                self.ma.token))
        self.o_hold = self.order(paid=True)
        self.o_release = self.held(self.order(paid=True))
        self.o_close = self.held(self.order(paid=True))
        self.o_extend = self.held(self.order(paid=True))

        # Chat: buyer A and shop A.
        self.conv = ok(call("POST", f"/v1/shops/{self.shop}/conversations", self.ba.token))["id"]
        self.message = ok(call("POST", f"/v1/conversations/{self.conv}/messages", self.ba.token,
                               {"type": "text", "text": MARKERS["message"]}))["id"]
        ok(call("POST", f"/v1/conversations/{self.conv}/messages", self.ma.token,
                {"type": "text", "text": "hello"}))
        self.qr1 = ok(call("POST", f"/v1/shops/{self.shop}/quick-replies", self.ma.token,
                           {"text": MARKERS["quickreply"]}))["id"]
        self.qr2 = ok(call("POST", f"/v1/shops/{self.shop}/quick-replies", self.ma.token,
                           {"text": "to delete"}))["id"]

        # Coupons: one to claim, one to stop, one nobody else may see yet.
        self.coupon = ok(call("POST", f"/v1/shops/{self.shop}/coupons", self.ma.token,
                              self.coupon_body("Shop coupon")))["id"]
        self.coupon_stop = ok(call("POST", f"/v1/shops/{self.shop}/coupons", self.ma.token,
                                   self.coupon_body("To stop")))["id"]
        ok(call("POST", f"/v1/shops/{self.shop}/coupons", self.ma.token,
                self.coupon_body(MARKERS["coupon"], start_days=2)))
        ok(call("POST", f"/v1/coupons/{self.coupon}/claim", self.ba.token))

        # The holds above become a letter at 11:00; keep the clock at T1.
        s.set_clock(rfc(T1))
        ok(call("POST", "/v1/test/jobs/run"))
        letters = ok(call("GET", f"/v1/shops/{self.shop}/letters", self.ma.token))["items"]
        assert letters, "no letter was delivered"
        self.letter = letters[0]["id"]

        # The live room of shop A: live, a live coupon to push, a red packet
        # with grabs enough for buyer B and buyer A, buyer A in the room.
        self.live_coupon = ok(call("POST", f"/v1/shops/{self.shop}/coupons", self.ma.token,
                                   dict(self.coupon_body("Live coupon"), channel="live")))["id"]
        self.live_id = ok(self.post(self.ma, f"/v1/shops/{self.shop}/live/start"))["live_id"]
        ok(self.post(self.ba, f"/v1/live/{self.live_id}/join"))
        self.red_packet = ok(self.post(self.ma, f"/v1/shops/{self.shop}/live/red-packets",
                                       {"total_cents": 1000, "count": 10, "kind": "lucky"}))["id"]

        # The image space of shop A: an image, one to delete, two folders.
        self.image = ok(call("POST", f"/v1/shops/{self.shop}/images", self.ma.token,
                             image_corpus.png(8, 8, 1)))["id"]
        self.image_del = ok(call("POST", f"/v1/shops/{self.shop}/images", self.ma.token,
                                 image_corpus.png(8, 8, 2)))["id"]
        self.folder = ok(call("POST", f"/v1/shops/{self.shop}/image-folders", self.ma.token,
                              {"name": "主图"}))["id"]
        self.folder_del = ok(call("POST", f"/v1/shops/{self.shop}/image-folders", self.ma.token,
                                  {"name": "to delete"}))["id"]

        # Funds: shop A's bank account and money, a top-up, a withdrawal to
        # read (canceled) and one to cancel; two shops of merchant A with a
        # withdrawal awaiting approval each; two adjustments another staff
        # member asked for (the owner, f.rv, is the second pair of eyes).
        ok(call("PUT", f"/v1/shops/{self.shop}/funds/bank-account", self.ma.token,
                {"holder": "Li Lei", "bank": "ICBC", "account_no": "6222020200112233"}))
        self.fund(self.shop, 10000000)
        self.topup = ok(call("POST", f"/v1/shops/{self.shop}/funds/topups", self.ma.token,
                             {"account": "deposit", "amount_cents": 1000}))["id"]
        self.withdrawal = self.withdraw(self.shop, 100)
        ok(call("POST", f"/v1/shops/{self.shop}/funds/withdrawals/{self.withdrawal}/cancel",
                self.ma.token))
        # Above the approval threshold: the payout job (the jobs route runs
        # in the matrix) leaves it requested until the owner cancels it.
        self.w_cancel = self.withdraw(self.shop, 6000000)
        self.w_approve = self.withdraw(self.funded_shop(), 6000000)
        self.w_reject = self.withdraw(self.funded_shop(), 6000000)
        second = account("staff", ["finance"])
        self.adj_approve, self.adj_reject = (ok(call(
            "POST", "/v1/platform/funds/adjustments", second.token,
            {"shop_id": self.shop, "account": "deposit", "platform_account": "platform_promotion",
             "direction": "credit", "amount_cents": 200000, "reason": "compensation"}))["id"]
            for _ in range(2))

        # Campaigns, at T1: one in sign-up with shop A's entries (to
        # approve, to reject, to withdraw, one approved for the stats), one
        # to cancel, and products of shop A for the entry routes' bodies.
        self.campaign = ok(call("POST", "/v1/platform/campaigns", self.rv.token,
                                self.campaign_body("Flash sale")))["id"]
        self.campaign_cancel = ok(call("POST", "/v1/platform/campaigns", self.rv.token,
                                       self.campaign_body("To cancel")))["id"]
        self.ce_approve, self.ce_reject, self.ce_withdraw, approved = (
            self.campaign_entry(self.product(f"Campaign tea {i}", "on_sale")) for i in range(4))
        ok(call("POST", f"/v1/platform/campaigns/{self.campaign}/entries/{approved}/approve",
                self.rv.token))
        new = self.product("Campaign tea new", "on_sale")
        self.pe_new, self.se_new = new["id"], new["skus"][0]["id"]
        self.pe_batch = self.product("Campaign tea batch", "on_sale")["id"]

        # Feedback of merchant A (one to reply to, one to close) and support
        # conversations of three shops of merchant A (one open per shop):
        # one claimed by the owner staff, one in the queue, one to close.
        self.feedback = ok(self.post(self.ma, "/v1/feedback",
                                     {"category": "bug", "text": "the export breaks"}))["id"]
        self.feedback_close = ok(self.post(self.ma, "/v1/feedback",
                                           {"category": "other", "text": "to be closed"}))["id"]
        self.support_conv = self.support(self.shop, claim=True)
        self.support_message = ok(self.post(
            self.ma, f"/v1/conversations/{self.support_conv}/messages",
            {"type": "text", "text": "and my deposit?"}))["id"]
        self.support_queued = self.support(self.plain_shop(), claim=False)
        self.support_close = self.support(self.plain_shop(), claim=True)
        self.support_release = self.support(self.plain_shop(), claim=True)

        # The community: a staff article with merchant A's comments (one to
        # hide, one whose report is dismissed), a question with an answer.
        self.article = ok(call("POST", "/v1/platform/community/articles", self.rv.token, {
            "title": "经营干货", "body": "**正文**", "category": "经营干货"}))["id"]
        self.question = ok(call("POST", "/v1/community/questions", self.ma.token,
                                {"title": "怎么发货？", "body": "请问"}))["id"]
        self.answer = ok(call("POST", f"/v1/platform/community/articles/{self.question}/comments",
                              self.rv.token, {"body": "这样发货"}))["id"]
        self.comment, self.c_hide, self.c_dismiss = (ok(call(
            "POST", f"/v1/community/articles/{self.article}/comments", self.ma.token,
            {"body": f"评论 {i}"}))["id"] for i in range(3))
        ok(call("POST", f"/v1/community/comments/{self.c_dismiss}/reports", self.mb.token,
                {"reason": "spam"}))
        # Merchant A's own: a bookmark, a comment to delete, a question to
        # change and answer (merchant B's answer), one to delete.
        ok(call("PUT", f"/v1/community/articles/{self.article}/bookmark", self.ma.token))
        self.c_delete = ok(call("POST", f"/v1/community/articles/{self.article}/comments",
                                self.ma.token, {"body": "删掉"}))["id"]
        self.my_question = ok(call("POST", "/v1/community/questions", self.ma.token,
                                   {"title": "怎么退款？", "body": "请问"}))["id"]
        self.my_answer = ok(call("POST", f"/v1/community/articles/{self.my_question}/comments",
                                 self.mb.token, {"body": "这样退款"}))["id"]
        self.q_delete = ok(call("POST", "/v1/community/questions", self.ma.token,
                                {"title": "删掉的问题", "body": "请问"}))["id"]

    def plain_shop(self):
        return ok(self.post(self.ma, "/v1/shops", {"name": f"Shop A{self.next()}"}))["id"]

    def support(self, shop, claim):
        conv = ok(self.post(self.ma, f"/v1/shops/{shop}/support/conversations"))["id"]
        ok(self.post(self.ma, f"/v1/conversations/{conv}/messages",
                     {"type": "text", "text": "my shop needs help"}))
        if claim:
            ok(self.post(self.rv, f"/v1/platform/support/conversations/{conv}/claim"))
        return conv

    def campaign_body(self, name):
        hour = datetime.timedelta(hours=1)
        return {"name": name, "kind": "flash_sale", "signup_from": rfc(T1 - hour),
                "signup_to": rfc(T1 + hour), "starts_at": rfc(T1 + 2 * hour),
                "ends_at": rfc(T1 + 24 * hour),
                "rules": {"min_discount_percent": 10, "min_campaign_stock": 5,
                          "per_buyer_limit": 2, "max_products_per_shop": 20,
                          "allow_coupons": True, "auto_approve": False}}

    def campaign_entry(self, product):
        return ok(self.post(self.ma, f"/v1/shops/{self.shop}/campaign-entries", {
            "campaign_id": self.campaign, "product_id": product["id"],
            "skus": [{"sku_id": product["skus"][0]["id"], "campaign_price_cents": 800,
                      "campaign_stock": 10}]}))["id"]

    def fund(self, shop, amount):
        assert sql(f"SELECT ledger_post('authz-fund:{shop}', 'adjustment', 1,"
                   f" ARRAY[ledger_account({shop}, 'provider_clearing')],"
                   f" ARRAY[ledger_account({shop}, 'available')], ARRAY[{amount}]::bigint[],"
                   f" ARRAY['adjustment'], now())") == "ok"

    def funded_shop(self):
        shop = ok(self.post(self.ma, "/v1/shops", {"name": f"Shop A{self.next()}"}))["id"]
        ok(call("PUT", f"/v1/shops/{shop}/funds/bank-account", self.ma.token,
                {"holder": "Li Lei", "bank": "ICBC", "account_no": "6222020200112233"}))
        self.fund(shop, 10000000)
        return shop

    def withdraw(self, shop, amount):
        return ok(call("POST", f"/v1/shops/{shop}/funds/withdrawals", self.ma.token,
                       {"amount_cents": amount}, headers=idempotency_key()))["id"]

    def plan_body(self, word):
        return {"product_id": self.p1, "name": "Oolong promotion", "daily_budget_cents": 1000000,
                "starts_at": rfc(T0 - datetime.timedelta(days=1)),
                "keywords": [{"word": word, "bid_cents": 10}]}

    def impression(self, who):
        """A promoted impression of "oolong" shown to who (None: an anonymous
        visitor), for the click route, made once per caller when the fixture
        is (a search counts an impression: made later, it would be a write of
        the test itself); a placeholder for roles that cannot search (they
        are refused before it is read)."""
        key = who.username if who is not None else None
        if key not in self.impressions:
            self.impressions[key] = self.shown(who)
        return dict(self.impressions[key])

    def shown(self, who):
        token = who.token if who is not None else None
        r = call("GET", "/v1/search/products?q=oolong&visitor_id=authz-visitor-1", token)
        if r.status != 200:
            return {"impression_id": "not-shown"}
        hits = [i for i in r.json["items"] if i["promoted"]]
        assert hits, r
        body = {"impression_id": hits[0]["impression_id"]}
        if who is None:
            body["visitor_id"] = "authz-visitor-1"
        return body

    def post(self, who, path, body=None):
        return call("POST", path, who.token, body)

    def next(self):
        self.counter += 1
        return self.counter

    def product(self, title, status, who=None, shop=None):
        return ok(self.post(who or self.ma, f"/v1/shops/{shop or self.shop}/products", {
            "title": title, "status": status,
            "skus": [{"spec": "100 g", "price_cents": 1000, "stock": 100000}]}))

    def order(self, paid=False, shipped=False):
        o = ok(self.post(self.ba, "/v1/orders", {
            "shop_id": self.shop, "items": [{"sku_id": self.s1, "quantity": 1}],
            "address": MARKED_ADDRESS, "note": MARKERS["note"]}))["id"]
        if paid:
            ok(self.post(self.ba, f"/v1/orders/{o}/pay"))
        if shipped:
            ok(self.post(self.ma, f"/v1/shops/{self.shop}/orders/{o}/ship",
                         {"carrier": "sf", "tracking_no": f"SF{o:010d}"}))
        return o

    def after_sale(self, order, kind):
        return ok(self.post(self.ba, f"/v1/orders/{order}/after-sales",
                            {"type": kind, "reason": MARKERS["aftersale"]}))["id"]

    def held(self, order):
        ok(self.post(self.rv, f"/v1/review/orders/{order}/hold", {"reason": MARKERS["hold"]}))
        return order

    def coupon_body(self, title, start_days=0, kind="shop"):
        start = T0 + datetime.timedelta(days=start_days, hours=-1)
        body = {"title": title, "discount_cents": 100, "min_order_cents": 0,
                "total_quantity": 1000, "per_buyer_limit": 100, "claim_start": rfc(start),
                "claim_end": rfc(start + datetime.timedelta(days=30)), "valid_days": 7,
                "channel": "normal"}
        if kind:
            body["kind"] = kind
        return body


# ---------------------------------------------------------------------------
# The route table's entries: path (ids from the fixture), whose objects the
# route names, and a body that is valid for it.
#
# scope: "public"  no authentication;
#        "open"    any caller whose role the route admits (their own data);
#        "shop"    shop A's objects: its merchant; other merchants get 404;
#        "buyer"   buyer A's objects: buyer A; other buyers get 404;
#        "conv"    the conversation of buyer A and shop A: both; others 404;
#        "session" ends the caller's session: every caller uses a throwaway one.


def fresh_register(f, who):
    return {"role": "buyer", "username": uname("reg"), "password": "password-123",
            "display_name": "New buyer"}


def E(path, scope, body=None, owner_ok=None, headers=None, signed=False):
    """headers: a function giving the request's extra headers. signed: the
    route takes a provider's signed body, refused on its signature (401)
    before anything of the body is read, whoever calls."""
    return {"path": path, "scope": scope, "body": body, "owner_ok": owner_ok,
            "headers": headers, "signed": signed}


def idempotency_key():
    return {"Idempotency-Key": uuid.uuid4().hex}


ROUTES = {
    ("GET", "/livez"): E(lambda f: "/livez", "public"),
    ("GET", "/readyz"): E(lambda f: "/readyz", "public"),
    ("GET", "/metrics"): E(lambda f: "/metrics", "public"),
    ("POST", "/v1/auth/register"): E(lambda f: "/v1/auth/register", "public", fresh_register),
    ("POST", "/v1/auth/login"): E(lambda f: "/v1/auth/login", "public", lambda f, w: {
        "username": f.login_target.username, "password": "password-123"}),
    ("POST", "/v1/auth/logout"): E(lambda f: "/v1/auth/logout", "session"),
    ("GET", "/v1/me"): E(lambda f: "/v1/me", "open"),
    ("GET", "/v1/carriers"): E(lambda f: "/v1/carriers", "public"),

    ("POST", "/v1/shops"): E(lambda f: "/v1/shops", "open", lambda f, w: {"name": "New shop"}),
    ("GET", "/v1/shops"): E(lambda f: "/v1/shops", "open"),
    ("GET", "/v1/shops/{id}"): E(lambda f: f"/v1/shops/{f.shop}", "shop"),
    ("PATCH", "/v1/shops/{id}"): E(lambda f: f"/v1/shops/{f.shop}", "shop",
                                   lambda f, w: {"description": "Loose-leaf teas"}),
    ("GET", "/v1/shops/{id}/products"): E(lambda f: f"/v1/shops/{f.shop}/products", "open"),
    ("POST", "/v1/shops/{id}/products"): E(
        lambda f: f"/v1/shops/{f.shop}/products", "shop", lambda f, w: {
            "title": "Green tea", "skus": [{"spec": "50 g", "price_cents": 500, "stock": 5}]}),
    ("GET", "/v1/shops/{id}/products/{id}"): E(
        lambda f: f"/v1/shops/{f.shop}/products/{f.p2}", "shop"),
    ("PATCH", "/v1/shops/{id}/products/{id}"): E(
        lambda f: f"/v1/shops/{f.shop}/products/{f.p2}", "shop",
        lambda f, w: {"description": "Spring harvest"}),
    ("DELETE", "/v1/shops/{id}/products/{id}"): E(
        lambda f: f"/v1/shops/{f.shop}/products/{f.p3}", "shop"),
    ("POST", "/v1/shops/{id}/products/{id}/skus"): E(
        lambda f: f"/v1/shops/{f.shop}/products/{f.p2}/skus", "shop",
        lambda f, w: {"spec": f"{f.next()} g", "price_cents": 700, "stock": 3}),
    ("PATCH", "/v1/shops/{id}/products/{id}/skus/{id}"): E(
        lambda f: f"/v1/shops/{f.shop}/products/{f.p2}/skus/{f.s2}", "shop",
        lambda f, w: {"stock": 7}),

    ("POST", "/v1/orders"): E(lambda f: "/v1/orders", "open", lambda f, w: {
        "shop_id": f.shop, "items": [{"sku_id": f.s1, "quantity": 1}],
        "address": PLAIN_ADDRESS}),
    ("GET", "/v1/orders"): E(lambda f: "/v1/orders", "open"),
    ("GET", "/v1/orders/{id}"): E(lambda f: f"/v1/orders/{f.o_main}", "buyer"),
    ("POST", "/v1/orders/{id}/pay"): E(lambda f: f"/v1/orders/{f.o_pay}/pay", "buyer"),
    ("POST", "/v1/orders/{id}/cancel"): E(lambda f: f"/v1/orders/{f.o_cancel}/cancel", "buyer"),
    ("POST", "/v1/orders/{id}/confirm-receipt"): E(
        lambda f: f"/v1/orders/{f.o_confirm}/confirm-receipt", "buyer"),
    ("POST", "/v1/orders/{id}/after-sales"): E(
        lambda f: f"/v1/orders/{f.o_after_sale}/after-sales", "buyer",
        lambda f, w: {"type": "refund_only", "reason": "changed my mind"}),

    ("GET", "/v1/shops/{id}/orders"): E(lambda f: f"/v1/shops/{f.shop}/orders", "shop"),
    ("GET", "/v1/shops/{id}/orders/export.csv"): E(
        lambda f: f"/v1/shops/{f.shop}/orders/export.csv", "shop"),
    ("GET", "/v1/shops/{id}/orders/{id}"): E(
        lambda f: f"/v1/shops/{f.shop}/orders/{f.o_main}", "shop"),
    ("PATCH", "/v1/shops/{id}/orders/{id}"): E(
        lambda f: f"/v1/shops/{f.shop}/orders/{f.o_main}", "shop", lambda f, w: {"flag": 2}),
    ("POST", "/v1/shops/{id}/orders/{id}/ship"): E(
        lambda f: f"/v1/shops/{f.shop}/orders/{f.o_ship}/ship", "shop",
        lambda f, w: {"carrier": "sf", "tracking_no": "SF1234567890"}),
    ("POST", "/v1/shops/{id}/shipments:batch"): E(
        lambda f: f"/v1/shops/{f.shop}/shipments:batch", "shop", lambda f, w: {
            "items": [{"order_id": f.o_batch, "carrier": "sf", "tracking_no": "SF1234567891"}]}),
    ("GET", "/v1/shops/{id}/after-sales"): E(lambda f: f"/v1/shops/{f.shop}/after-sales", "shop"),
    ("POST", "/v1/shops/{id}/after-sales/{id}/approve"): E(
        lambda f: f"/v1/shops/{f.shop}/after-sales/{f.as_approve}/approve", "shop"),
    ("POST", "/v1/shops/{id}/after-sales/{id}/reject"): E(
        lambda f: f"/v1/shops/{f.shop}/after-sales/{f.as_reject}/reject", "shop",
        lambda f, w: {"reason": "the seal is intact"}),
    ("POST", "/v1/shops/{id}/after-sales/{id}/reship"): E(
        lambda f: f"/v1/shops/{f.shop}/after-sales/{f.as_reship}/reship", "shop",
        lambda f, w: {"carrier": "zto", "tracking_no": "ZT778899001"}),
    ("GET", "/v1/shops/{id}/erp/orders"): E(lambda f: f"/v1/shops/{f.shop}/erp/orders", "shop"),
    ("GET", "/v1/shops/{id}/funds/flows"): E(lambda f: f"/v1/shops/{f.shop}/funds/flows", "shop"),
    ("GET", "/v1/shops/{id}/funds/statement.csv"): E(
        lambda f: f"/v1/shops/{f.shop}/funds/statement.csv", "shop"),
    ("GET", "/v1/platform/statement-key"): E(lambda f: "/v1/platform/statement-key", "public"),
    ("GET", "/v1/shops/{id}/letters"): E(lambda f: f"/v1/shops/{f.shop}/letters", "shop"),
    ("GET", "/v1/shops/{id}/letters/{id}"): E(
        lambda f: f"/v1/shops/{f.shop}/letters/{f.letter}", "shop"),
    ("POST", "/v1/shops/{id}/letters/{id}/read"): E(
        lambda f: f"/v1/shops/{f.shop}/letters/{f.letter}/read", "shop"),
    ("GET", "/v1/shops/{id}/letters/{id}/attachment.csv"): E(
        lambda f: f"/v1/shops/{f.shop}/letters/{f.letter}/attachment.csv", "shop"),

    ("POST", "/v1/shops/{id}/conversations"): E(
        lambda f: f"/v1/shops/{f.shop}/conversations", "open"),
    ("GET", "/v1/shops/{id}/conversations"): E(
        lambda f: f"/v1/shops/{f.shop}/conversations", "shop"),
    ("GET", "/v1/conversations"): E(lambda f: "/v1/conversations", "open"),
    ("GET", "/v1/conversations/{id}/messages"): E(
        lambda f: f"/v1/conversations/{f.conv}/messages", "conv"),
    ("POST", "/v1/conversations/{id}/messages"): E(
        lambda f: f"/v1/conversations/{f.conv}/messages", "conv",
        lambda f, w: {"type": "text", "text": "are you there?"}),
    ("POST", "/v1/conversations/{id}/read"): E(
        lambda f: f"/v1/conversations/{f.conv}/read", "conv",
        lambda f, w: {"up_to_message_id": f.message}),
    ("GET", "/v1/conversations/{id}/orders"): E(
        lambda f: f"/v1/conversations/{f.conv}/orders", "conv"),

    ("POST", "/v1/shops/{id}/images"): E(
        lambda f: f"/v1/shops/{f.shop}/images", "shop", lambda f, w: image_corpus.png(8, 8, 3)),
    ("GET", "/v1/shops/{id}/images"): E(lambda f: f"/v1/shops/{f.shop}/images", "shop"),
    ("GET", "/v1/shops/{id}/images/{id}"): E(
        lambda f: f"/v1/shops/{f.shop}/images/{f.image}", "shop"),
    ("PATCH", "/v1/shops/{id}/images/{id}"): E(
        lambda f: f"/v1/shops/{f.shop}/images/{f.image}", "shop", lambda f, w: {"name": "主图"}),
    ("DELETE", "/v1/shops/{id}/images/{id}"): E(
        lambda f: f"/v1/shops/{f.shop}/images/{f.image_del}", "shop"),
    ("POST", "/v1/shops/{id}/image-folders"): E(
        lambda f: f"/v1/shops/{f.shop}/image-folders", "shop", lambda f, w: {"name": "详情"}),
    ("GET", "/v1/shops/{id}/image-folders"): E(
        lambda f: f"/v1/shops/{f.shop}/image-folders", "shop"),
    ("PATCH", "/v1/shops/{id}/image-folders/{id}"): E(
        lambda f: f"/v1/shops/{f.shop}/image-folders/{f.folder}", "shop",
        lambda f, w: {"name": "主图 2"}),
    ("DELETE", "/v1/shops/{id}/image-folders/{id}"): E(
        lambda f: f"/v1/shops/{f.shop}/image-folders/{f.folder_del}", "shop"),
    ("POST", "/v1/me/images"): E(
        lambda f: "/v1/me/images", "open", lambda f, w: image_corpus.png(8, 8, 4)),
    ("GET", "/media/{file}"): E(
        lambda f: "/media/" + sql(f"SELECT sha256 FROM images WHERE id = {f.image}")
        + "_200.webp", "public"),
    ("GET", "/app"): E(lambda f: "/app", "public"),
    ("GET", "/app/"): E(lambda f: "/app/", "public"),
    ("GET", "/app/assets/{file}"): E(lambda f: "/app/assets/app-1a2b3c.js", "public"),
    ("GET", "/app/{file}"): E(lambda f: "/app/orders?tab=unpaid", "public"),

    ("GET", "/v1/shops/{id}/quick-replies"): E(
        lambda f: f"/v1/shops/{f.shop}/quick-replies", "shop"),
    ("POST", "/v1/shops/{id}/quick-replies"): E(
        lambda f: f"/v1/shops/{f.shop}/quick-replies", "shop", lambda f, w: {"text": "Thanks!"}),
    ("PATCH", "/v1/shops/{id}/quick-replies/{id}"): E(
        lambda f: f"/v1/shops/{f.shop}/quick-replies/{f.qr1}", "shop",
        lambda f, w: {"position": 3}),
    ("DELETE", "/v1/shops/{id}/quick-replies/{id}"): E(
        lambda f: f"/v1/shops/{f.shop}/quick-replies/{f.qr2}", "shop"),
    ("GET", "/v1/shops/{id}/auto-reply"): E(lambda f: f"/v1/shops/{f.shop}/auto-reply", "shop"),
    ("PUT", "/v1/shops/{id}/auto-reply"): E(
        lambda f: f"/v1/shops/{f.shop}/auto-reply", "shop", lambda f, w: {"greeting": "Welcome"}),

    ("GET", "/v1/shops/{id}/messages/search"): E(
        lambda f: f"/v1/shops/{f.shop}/messages/search?q=hello", "shop"),

    ("POST", "/v1/shops/{id}/coupons"): E(
        lambda f: f"/v1/shops/{f.shop}/coupons", "shop", lambda f, w: f.coupon_body("New")),
    ("POST", "/v1/shops/{id}/coupons:batch"): E(
        lambda f: f"/v1/shops/{f.shop}/coupons:batch", "shop",
        lambda f, w: dict(f.coupon_body("Per product", kind=None), product_ids=[f.p1])),
    ("GET", "/v1/shops/{id}/coupons"): E(lambda f: f"/v1/shops/{f.shop}/coupons", "shop"),
    ("GET", "/v1/shops/{id}/coupons/{id}"): E(
        lambda f: f"/v1/shops/{f.shop}/coupons/{f.coupon}", "shop"),
    ("POST", "/v1/shops/{id}/coupons/{id}/stop"): E(
        lambda f: f"/v1/shops/{f.shop}/coupons/{f.coupon_stop}/stop", "shop"),
    ("POST", "/v1/shops/{id}/coupons/{id}/add-quantity"): E(
        lambda f: f"/v1/shops/{f.shop}/coupons/{f.coupon}/add-quantity", "shop",
        lambda f, w: {"quantity": 1}),
    ("GET", "/v1/shops/{id}/live"): E(lambda f: f"/v1/shops/{f.shop}/live", "shop"),
    ("POST", "/v1/shops/{id}/live/start"): E(lambda f: f"/v1/shops/{f.shop}/live/start", "shop"),
    ("POST", "/v1/shops/{id}/live/coupons/{id}/push"): E(
        lambda f: f"/v1/shops/{f.shop}/live/coupons/{f.live_coupon}/push", "shop"),
    ("POST", "/v1/shops/{id}/live/red-packets"): E(
        lambda f: f"/v1/shops/{f.shop}/live/red-packets", "shop",
        lambda f, w: {"total_cents": 500, "count": 5, "kind": "equal", "valid_days": 3}),
    ("GET", "/v1/shops/{id}/live/red-packets/{id}"): E(
        lambda f: f"/v1/shops/{f.shop}/live/red-packets/{f.red_packet}", "shop"),
    ("GET", "/v1/shops/{id}/live-room"): E(lambda f: f"/v1/shops/{f.shop}/live-room", "open"),
    ("POST", "/v1/live/{id}/join"): E(lambda f: f"/v1/live/{f.live_id}/join", "open"),
    ("POST", "/v1/red-packets/{id}/grab"): E(lambda f: f"/v1/red-packets/{f.red_packet}/grab",
                                             "open"),
    ("POST", "/v1/live/{id}/leave"): E(lambda f: f"/v1/live/{f.live_id}/leave", "open"),
    ("POST", "/v1/shops/{id}/live/stop"): E(lambda f: f"/v1/shops/{f.shop}/live/stop", "shop"),

    ("GET", "/v1/shops/{id}/coupons/claimable"): E(
        lambda f: f"/v1/shops/{f.shop}/coupons/claimable", "open"),
    ("POST", "/v1/coupons/{id}/claim"): E(lambda f: f"/v1/coupons/{f.coupon}/claim", "open"),
    ("GET", "/v1/me/coupons"): E(lambda f: "/v1/me/coupons", "open"),

    ("GET", "/v1/shops/{id}/funds"): E(lambda f: f"/v1/shops/{f.shop}/funds", "shop"),

    ("POST", "/v1/shops/{id}/funds/topups"): E(
        lambda f: f"/v1/shops/{f.shop}/funds/topups", "shop",
        lambda f, w: {"account": "promotion", "amount_cents": 500}),
    ("GET", "/v1/shops/{id}/funds/topups"): E(lambda f: f"/v1/shops/{f.shop}/funds/topups", "shop"),
    ("GET", "/v1/shops/{id}/funds/topups/{id}"): E(
        lambda f: f"/v1/shops/{f.shop}/funds/topups/{f.topup}", "shop"),
    ("POST", "/v1/shops/{id}/funds/topups/{id}/sandbox-pay"): E(
        lambda f: f"/v1/shops/{f.shop}/funds/topups/{f.topup}/sandbox-pay", "shop"),
    ("POST", "/v1/payments/webhooks/{file}"): E(
        lambda f: "/v1/payments/webhooks/sandbox", "public",
        lambda f, w: {"id": "evt_authz", "type": "topup.succeeded", "reference": "sbx_tp_x",
                      "amount_cents": 1}, owner_ok=(401,), signed=True),
    ("PUT", "/v1/shops/{id}/funds/bank-account"): E(
        lambda f: f"/v1/shops/{f.shop}/funds/bank-account", "shop",
        lambda f, w: {"holder": "Li Lei", "bank": "ICBC", "account_no": "6222020200119876"}),
    ("GET", "/v1/shops/{id}/funds/bank-account"): E(
        lambda f: f"/v1/shops/{f.shop}/funds/bank-account", "shop"),
    ("POST", "/v1/shops/{id}/funds/withdrawals/{id}/cancel"): E(
        lambda f: f"/v1/shops/{f.shop}/funds/withdrawals/{f.w_cancel}/cancel", "shop"),
    ("POST", "/v1/shops/{id}/funds/withdrawals"): E(
        lambda f: f"/v1/shops/{f.shop}/funds/withdrawals", "shop",
        lambda f, w: {"amount_cents": 1000}, headers=idempotency_key),
    ("GET", "/v1/shops/{id}/funds/withdrawals"): E(
        lambda f: f"/v1/shops/{f.shop}/funds/withdrawals", "shop"),
    ("GET", "/v1/shops/{id}/funds/withdrawals/{id}"): E(
        lambda f: f"/v1/shops/{f.shop}/funds/withdrawals/{f.withdrawal}", "shop"),
    ("GET", "/v1/platform/funds/withdrawals/pending"): E(
        lambda f: "/v1/platform/funds/withdrawals/pending", "open"),
    ("POST", "/v1/platform/funds/withdrawals/{id}/approve"): E(
        lambda f: f"/v1/platform/funds/withdrawals/{f.w_approve}/approve", "open"),
    ("POST", "/v1/platform/funds/withdrawals/{id}/reject"): E(
        lambda f: f"/v1/platform/funds/withdrawals/{f.w_reject}/reject", "open",
        lambda f, w: {"reason": "documents missing"}),
    ("POST", "/v1/platform/funds/adjustments"): E(
        lambda f: "/v1/platform/funds/adjustments", "open",
        lambda f, w: {"shop_id": f.shop, "account": "available",
                      "platform_account": "platform_promotion", "direction": "credit",
                      "amount_cents": 100, "reason": "goodwill"}),
    ("GET", "/v1/platform/funds/adjustments"): E(
        lambda f: "/v1/platform/funds/adjustments", "open"),
    ("POST", "/v1/platform/funds/adjustments/{id}/approve"): E(
        lambda f: f"/v1/platform/funds/adjustments/{f.adj_approve}/approve", "open"),
    ("POST", "/v1/platform/funds/adjustments/{id}/reject"): E(
        lambda f: f"/v1/platform/funds/adjustments/{f.adj_reject}/reject", "open",
        lambda f, w: {"reason": "not documented"}),

    ("GET", "/v1/platform/funds/audit"): E(
        lambda f: f"/v1/platform/funds/audit?shop_id={f.shop}", "open"),
    ("POST", "/v1/platform/campaigns"): E(
        lambda f: "/v1/platform/campaigns", "open", lambda f, w: f.campaign_body("New")),
    ("GET", "/v1/platform/campaigns"): E(lambda f: "/v1/platform/campaigns", "open"),
    ("GET", "/v1/platform/campaigns/{id}"): E(
        lambda f: f"/v1/platform/campaigns/{f.campaign}", "open"),
    ("PATCH", "/v1/platform/campaigns/{id}"): E(
        lambda f: f"/v1/platform/campaigns/{f.campaign}", "open",
        lambda f, w: {"name": "Flash sale tonight"}),
    ("POST", "/v1/platform/campaigns/{id}/cancel"): E(
        lambda f: f"/v1/platform/campaigns/{f.campaign_cancel}/cancel", "open"),
    ("GET", "/v1/platform/campaigns/{id}/entries"): E(
        lambda f: f"/v1/platform/campaigns/{f.campaign}/entries?status=pending", "open"),
    ("POST", "/v1/platform/campaigns/{id}/entries/{id}/approve"): E(
        lambda f: f"/v1/platform/campaigns/{f.campaign}/entries/{f.ce_approve}/approve", "open"),
    ("POST", "/v1/platform/campaigns/{id}/entries/{id}/reject"): E(
        lambda f: f"/v1/platform/campaigns/{f.campaign}/entries/{f.ce_reject}/reject", "open",
        lambda f, w: {"reason": "price not low enough"}),
    ("GET", "/v1/campaigns"): E(lambda f: "/v1/campaigns", "open"),
    ("POST", "/v1/shops/{id}/campaign-entries"): E(
        lambda f: f"/v1/shops/{f.shop}/campaign-entries", "shop",
        lambda f, w: {"campaign_id": f.campaign, "product_id": f.pe_new,
                      "skus": [{"sku_id": f.se_new, "campaign_price_cents": 900,
                                "campaign_stock": 10}]}),
    ("POST", "/v1/shops/{id}/campaign-entries:batch"): E(
        lambda f: f"/v1/shops/{f.shop}/campaign-entries:batch", "shop",
        lambda f, w: {"campaign_id": f.campaign, "discount_percent": 20, "stock_percent": 10,
                      "product_ids": [f.pe_batch]}),
    ("GET", "/v1/shops/{id}/campaign-entries"): E(
        lambda f: f"/v1/shops/{f.shop}/campaign-entries", "shop"),
    ("POST", "/v1/shops/{id}/campaign-entries/{id}/withdraw"): E(
        lambda f: f"/v1/shops/{f.shop}/campaign-entries/{f.ce_withdraw}/withdraw", "shop"),
    ("GET", "/v1/shops/{id}/campaigns/{id}/stats"): E(
        lambda f: f"/v1/shops/{f.shop}/campaigns/{f.campaign}/stats", "shop"),

    ("GET", "/v1/review/orders"): E(lambda f: "/v1/review/orders", "open"),
    ("GET", "/v1/review/orders/{id}/history"): E(
        lambda f: f"/v1/review/orders/{f.o_release}/history", "open"),
    ("POST", "/v1/review/orders/{id}/hold"): E(
        lambda f: f"/v1/review/orders/{f.o_hold}/hold", "open",
        lambda f, w: {"reason": "address reported as fake"}),
    ("POST", "/v1/review/orders/{id}/release"): E(
        lambda f: f"/v1/review/orders/{f.o_release}/release", "open",
        lambda f, w: {"note": "address confirmed"}),
    ("POST", "/v1/review/orders/{id}/close"): E(
        lambda f: f"/v1/review/orders/{f.o_close}/close", "open",
        lambda f, w: {"reason": "counterfeit goods"}),
    ("POST", "/v1/review/orders/{id}/extend"): E(
        lambda f: f"/v1/review/orders/{f.o_extend}/extend", "open",
        lambda f, w: {"hours": 24, "note": "lab test pending"}),

    ("GET", "/v1/events"): E(lambda f: "/v1/events", "open"),
    ("GET", "/v1/events/poll"): E(lambda f: "/v1/events/poll?timeout=0", "open"),
    ("POST", "/v1/events/views"): E(lambda f: "/v1/events/views", "open", lambda f, w: {
        "views": [{"shop_id": f.shop, "product_id": f.p1, "visitor_id": "authz_visitor",
                   "at": rfc(T1)}]}),

    ("POST", "/v1/shops/{id}/share-links"): E(
        lambda f: f"/v1/shops/{f.shop}/share-links", "shop",
        lambda f, w: {"target": "shop", "channel": "poster"}),
    ("GET", "/v1/shops/{id}/share-links"): E(lambda f: f"/v1/shops/{f.shop}/share-links", "shop"),
    ("GET", "/v1/shops/{id}/share-links/{id}"): E(
        lambda f: f"/v1/shops/{f.shop}/share-links/{f.share_link}", "shop"),
    ("DELETE", "/v1/shops/{id}/share-links/{id}"): E(
        lambda f: f"/v1/shops/{f.shop}/share-links/{f.share_revoke}", "shop"),
    # Promotion (docs/promotion.md): search and clicks are any buyer's or an
    # anonymous visitor's; plans are shop A's.
    ("GET", "/v1/search/products"): E(
        lambda f: "/v1/search/products?q=oolong&visitor_id=authz-visitor-1", "open"),
    ("POST", "/v1/promotions/clicks"): E(lambda f: "/v1/promotions/clicks", "open",
                                         lambda f, w: f.impression(w)),
    ("POST", "/v1/shops/{id}/promotions"): E(
        lambda f: f"/v1/shops/{f.shop}/promotions", "shop", lambda f, w: f.plan_body("green")),
    ("GET", "/v1/shops/{id}/promotions"): E(lambda f: f"/v1/shops/{f.shop}/promotions", "shop"),
    ("GET", "/v1/shops/{id}/promotions/{id}"): E(
        lambda f: f"/v1/shops/{f.shop}/promotions/{f.plan}", "shop"),
    ("GET", "/v1/shops/{id}/promotions/reports"): E(
        lambda f: f"/v1/shops/{f.shop}/promotions/reports?period=week&plan_id={f.plan}", "shop"),
    ("GET", "/v1/shops/{id}/promotions/reports.csv"): E(
        lambda f: f"/v1/shops/{f.shop}/promotions/reports.csv", "shop"),
    ("PATCH", "/v1/shops/{id}/promotions/{id}"): E(
        lambda f: f"/v1/shops/{f.shop}/promotions/{f.plan_edit}", "shop",
        lambda f, w: {"daily_budget_cents": 50000}),
    ("POST", "/v1/shops/{id}/promotions/{id}/pause"): E(
        lambda f: f"/v1/shops/{f.shop}/promotions/{f.plan_edit}/pause", "shop"),
    ("POST", "/v1/shops/{id}/promotions/{id}/resume"): E(
        lambda f: f"/v1/shops/{f.shop}/promotions/{f.plan_edit}/resume", "shop"),
    # Public: the redirect (302) whoever follows it, a token or none.
    ("GET", "/s/{file}"): E(lambda f: f"/s/{f.share_code}", "public", owner_ok=(302,)),

    ("PUT", "/v1/test/clock"): E(lambda f: "/v1/test/clock", "public",
                                 lambda f, w: {"now": rfc(T1)}),
    ("POST", "/v1/test/jobs/run"): E(lambda f: "/v1/test/jobs/run", "public"),
    ("POST", "/v1/test/stream"): E(lambda f: "/v1/test/stream", "open"),

    ("GET", "/v1/shops/{id}/stats/overview"): E(
        lambda f: f"/v1/shops/{f.shop}/stats/overview", "shop"),
    ("GET", "/v1/shops/{id}/stats/daily"): E(
        lambda f: f"/v1/shops/{f.shop}/stats/daily?metrics=gmv_cents,buyers", "shop"),
    ("GET", "/v1/shops/{id}/stats/daily.csv"): E(
        lambda f: f"/v1/shops/{f.shop}/stats/daily.csv", "shop"),
    ("GET", "/v1/shops/{id}/stats/hourly"): E(
        lambda f: f"/v1/shops/{f.shop}/stats/hourly", "shop"),
    ("GET", "/v1/shops/{id}/stats/products"): E(
        lambda f: f"/v1/shops/{f.shop}/stats/products?sort=units&limit=5", "shop"),
    ("GET", "/v1/shops/{id}/stats/service"): E(
        lambda f: f"/v1/shops/{f.shop}/stats/service", "shop"),
    ("GET", "/v1/shops/{id}/stats/logistics"): E(
        lambda f: f"/v1/shops/{f.shop}/stats/logistics", "shop"),
    ("GET", "/v1/shops/{id}/stats/coupons"): E(
        lambda f: f"/v1/shops/{f.shop}/stats/coupons", "shop"),
    ("GET", "/v1/me/stats/overview"): E(lambda f: "/v1/me/stats/overview", "open"),

    # Feedback and official support chat (docs/support.md).
    ("POST", "/v1/feedback"): E(lambda f: "/v1/feedback", "open",
                                lambda f, w: {"category": "suggestion", "text": "more filters"}),
    ("GET", "/v1/feedback"): E(lambda f: "/v1/feedback", "open"),
    ("GET", "/v1/feedback/{id}"): E(lambda f: f"/v1/feedback/{f.feedback}", "shop"),
    ("GET", "/v1/platform/feedback"): E(lambda f: "/v1/platform/feedback?status=open", "open"),
    ("GET", "/v1/platform/feedback/{id}"): E(
        lambda f: f"/v1/platform/feedback/{f.feedback}", "open"),
    ("POST", "/v1/platform/feedback/{id}/replies"): E(
        lambda f: f"/v1/platform/feedback/{f.feedback}/replies", "open",
        lambda f, w: {"text": "fixed in the next release"}),
    ("POST", "/v1/platform/feedback/{id}/close"): E(
        lambda f: f"/v1/platform/feedback/{f.feedback_close}/close", "open"),
    ("POST", "/v1/shops/{id}/support/conversations"): E(
        lambda f: f"/v1/shops/{f.shop}/support/conversations", "shop"),
    ("GET", "/v1/shops/{id}/support/conversations"): E(
        lambda f: f"/v1/shops/{f.shop}/support/conversations", "shop"),
    ("GET", "/v1/platform/support/queue"): E(lambda f: "/v1/platform/support/queue", "open"),
    ("GET", "/v1/platform/support/conversations"): E(
        lambda f: "/v1/platform/support/conversations", "open"),
    ("POST", "/v1/platform/support/conversations/{id}/claim"): E(
        lambda f: f"/v1/platform/support/conversations/{f.support_queued}/claim", "open"),
    ("GET", "/v1/platform/support/conversations/{id}/messages"): E(
        lambda f: f"/v1/platform/support/conversations/{f.support_conv}/messages", "open"),
    ("POST", "/v1/platform/support/conversations/{id}/messages"): E(
        lambda f: f"/v1/platform/support/conversations/{f.support_conv}/messages", "open",
        lambda f, w: {"type": "text", "text": "we are on it"}),
    ("POST", "/v1/platform/support/conversations/{id}/read"): E(
        lambda f: f"/v1/platform/support/conversations/{f.support_conv}/read", "open",
        lambda f, w: {"up_to_message_id": f.support_message}),
    ("POST", "/v1/platform/support/conversations/{id}/close"): E(
        lambda f: f"/v1/platform/support/conversations/{f.support_close}/close", "open"),
    ("POST", "/v1/platform/support/conversations/{id}/release"): E(
        lambda f: f"/v1/platform/support/conversations/{f.support_release}/release", "open"),
    ("GET", "/v1/community/articles"): E(lambda f: "/v1/community/articles?sort=new", "open"),
    ("GET", "/v1/community/articles/{id}"): E(
        lambda f: f"/v1/community/articles/{f.article}", "open"),
    ("PUT", "/v1/community/articles/{id}/like"): E(
        lambda f: f"/v1/community/articles/{f.article}/like", "open"),
    ("DELETE", "/v1/community/articles/{id}/like"): E(
        lambda f: f"/v1/community/articles/{f.article}/like", "open"),
    ("PUT", "/v1/community/articles/{id}/bookmark"): E(
        lambda f: f"/v1/community/articles/{f.article}/bookmark", "open"),
    ("DELETE", "/v1/community/articles/{id}/bookmark"): E(
        lambda f: f"/v1/community/articles/{f.article}/bookmark", "open"),
    ("GET", "/v1/community/articles/{id}/comments"): E(
        lambda f: f"/v1/community/articles/{f.article}/comments", "open"),
    ("POST", "/v1/community/articles/{id}/comments"): E(
        lambda f: f"/v1/community/articles/{f.article}/comments", "open",
        lambda f, w: {"body": "回复", "parent_id": f.comment}),
    ("POST", "/v1/community/comments/{id}/reports"): E(
        lambda f: f"/v1/community/comments/{f.comment}/reports", "open",
        lambda f, w: {"reason": "advertising"}),
    ("POST", "/v1/community/questions"): E(
        lambda f: "/v1/community/questions", "open",
        lambda f, w: {"title": "退款多久到账？", "body": "如题", "tags": ["退款"]}),
    ("GET", "/v1/community/search"): E(lambda f: "/v1/community/search?q=%E7%BB%8F%E8%90%A5",
                                       "open"),
    ("GET", "/v1/community/bookmarks"): E(lambda f: "/v1/community/bookmarks", "open"),
    ("DELETE", "/v1/community/comments/{id}"): E(
        lambda f: f"/v1/community/comments/{f.c_delete}", "shop"),
    ("PATCH", "/v1/community/questions/{id}"): E(
        lambda f: f"/v1/community/questions/{f.my_question}", "shop",
        lambda f, w: {"title": "怎么退款才快？", "tags": ["退款"]}),
    ("DELETE", "/v1/community/questions/{id}"): E(
        lambda f: f"/v1/community/questions/{f.q_delete}", "shop"),
    ("PUT", "/v1/community/questions/{id}/accepted-answer"): E(
        lambda f: f"/v1/community/questions/{f.my_question}/accepted-answer", "shop",
        lambda f, w: {"comment_id": f.my_answer}),
    ("POST", "/v1/platform/community/articles"): E(
        lambda f: "/v1/platform/community/articles", "open",
        lambda f, w: {"title": "平台规则", "body": "- 一\n- 二", "category": "平台规则",
                      "pinned": True}),
    ("GET", "/v1/platform/community/articles"): E(
        lambda f: "/v1/platform/community/articles?status=published", "open"),
    ("GET", "/v1/platform/community/articles/{id}"): E(
        lambda f: f"/v1/platform/community/articles/{f.article}", "open"),
    ("PATCH", "/v1/platform/community/articles/{id}"): E(
        lambda f: f"/v1/platform/community/articles/{f.article}", "open",
        lambda f, w: {"tags": ["运营"]}),
    ("GET", "/v1/platform/community/articles/{id}/comments"): E(
        lambda f: f"/v1/platform/community/articles/{f.article}/comments", "open"),
    ("POST", "/v1/platform/community/articles/{id}/comments"): E(
        lambda f: f"/v1/platform/community/articles/{f.question}/comments", "open",
        lambda f, w: {"body": "官方解答"}),
    ("PUT", "/v1/platform/community/articles/{id}/accepted-answer"): E(
        lambda f: f"/v1/platform/community/articles/{f.question}/accepted-answer", "open",
        lambda f, w: {"comment_id": f.answer}),
    ("GET", "/v1/platform/community/reports"): E(
        lambda f: "/v1/platform/community/reports?status=open", "open"),
    ("POST", "/v1/platform/community/comments/{id}/hide"): E(
        lambda f: f"/v1/platform/community/comments/{f.c_hide}/hide", "open"),
    ("POST", "/v1/platform/community/comments/{id}/dismiss"): E(
        lambda f: f"/v1/platform/community/comments/{f.c_dismiss}/dismiss", "open"),
    # Growth (docs/growth.md): the seeded task and medal are the staff's.
    ("POST", "/v1/platform/growth/tasks"): E(
        lambda f: "/v1/platform/growth/tasks", "open",
        lambda f, w: {"key": "authz_" + uuid.uuid4().hex[:12], "title": "Ship 5 orders",
                      "group": "fulfilment", "condition": {"kind": "orders_shipped", "count": 5}}),
    ("GET", "/v1/platform/growth/tasks"): E(lambda f: "/v1/platform/growth/tasks", "open"),
    ("GET", "/v1/platform/growth/tasks/{id}"): E(
        lambda f: f"/v1/platform/growth/tasks/{growth_seed('growth_tasks', 'first_product')}",
        "open"),
    ("PATCH", "/v1/platform/growth/tasks/{id}"): E(
        lambda f: f"/v1/platform/growth/tasks/{growth_seed('growth_tasks', 'first_product')}",
        "open", lambda f, w: {"position": 1}),
    ("POST", "/v1/platform/growth/medals"): E(
        lambda f: "/v1/platform/growth/medals", "open",
        lambda f, w: {"key": "authz_" + uuid.uuid4().hex[:12], "name": "Shipping star",
                      "task_keys": ["shipped_20"]}),
    ("GET", "/v1/platform/growth/medals"): E(lambda f: "/v1/platform/growth/medals", "open"),
    ("GET", "/v1/platform/growth/medals/{id}"): E(
        lambda f: f"/v1/platform/growth/medals/{growth_seed('growth_medals', 'marketing_starter')}",
        "open"),
    ("PATCH", "/v1/platform/growth/medals/{id}"): E(
        lambda f: f"/v1/platform/growth/medals/{growth_seed('growth_medals', 'marketing_starter')}",
        "open", lambda f, w: {"description": "the first coupon and the first live push"}),
    ("GET", "/v1/shops/{id}/growth"): E(lambda f: f"/v1/shops/{f.shop}/growth", "shop"),
    ("GET", "/v1/shops/{id}/medals"): E(lambda f: f"/v1/shops/{f.shop}/medals", "shop"),
}


def growth_seed(table, key):
    """The id of a task or medal the migration seeds."""
    return int(psql(server().db_url, f"SELECT id FROM {table} WHERE key = '{key}'"))


# ---------------------------------------------------------------------------
# Who is who for a route, and what each must get


def owners(f, route, scope):
    """The accounts that legitimately use the route."""
    if scope == "shop":
        return [f.ma]
    if scope == "buyer":
        return [f.ba]
    if scope == "conv":
        return [a for a in (f.ma, f.ba) if a.role in route["roles"]]
    by_role = {"merchant": f.ma, "buyer": f.ba, "staff": f.rv}
    if scope == "public" or not route["roles"]:
        return [f.ma]
    return [by_role[route["roles"][0]]]


def lacking(f, permission):
    """Staff holding every permission but this one."""
    if permission not in f.lacking:
        f.lacking[permission] = account("staff", [p for p in PERMISSIONS if p != permission])
    return f.lacking[permission]


def role_accounts(f, route):
    if route["permission"] is not None:
        staff_lacking = lacking(f, route["permission"])
    else:
        staff_lacking = f.rv
    return {"buyer": f.bb, "other_merchant": f.mb, "staff": f.rv, "staff_lacking": staff_lacking}


def expectation(route, scope, persona, role):
    """(statuses allowed, code) for a persona that is not the owner."""
    if ROUTES[(route["method"], route["pattern"])]["signed"]:
        return (401,), "invalid_signature"
    if route["public"] and not route["optional_auth"]:
        return ROUTES[(route["method"], route["pattern"])]["owner_ok"] or SUCCESS, None
    if persona in STALE:
        if route["optional_auth"] and persona == "no_token":
            return ((404,), "not_found") if scope == "shop" else (SUCCESS, None)
        return (401,), CODE_401[persona]
    if route["roles"] and role not in route["roles"]:
        return (403,), "forbidden"
    if persona == "staff_lacking" and route["permission"] is not None:
        return (403,), "forbidden"
    if scope in ("shop", "buyer", "conv"):
        return (404,), "not_found"
    return SUCCESS, None


def persona_auth(f, route, scope, persona):
    """The Authorization header value for a stale persona on this route:
    the owner's own stale tokens, so a 401 cannot come from a wrong account."""
    owner = owners(f, route, scope)[0] if scope != "public" else f.ma
    if route["roles"] and owner.role not in route["roles"]:
        owner = {"merchant": f.ma, "buyer": f.ba, "staff": f.rv}[route["roles"][0]]
    if persona == "no_token":
        return None
    if persona == "garbage_token":
        return "Bearer " + base64url(os.urandom(32))
    if persona == "malformed_token":
        return "Bearer not-a-token%%"
    if persona == "replaced":
        return f"Bearer {owner.replaced}"
    if persona == "logged_out":
        return f"Bearer {owner.logged_out}"
    if persona == "expired":
        return f"Bearer {owner.token}"
    raise AssertionError(persona)


def base64url(b):
    return base64.urlsafe_b64encode(b).decode().rstrip("=")


def check_markers(label, r):
    for name, marker in MARKERS.items():
        assert marker not in r.raw, f"{label}: a non-owner sees shop A's {name}: {r}"
        for k, v in r.headers.items():
            assert marker not in v, f"{label}: header {k} carries shop A's {name}"


def check_reply(label, method, pattern, r, statuses, code):
    shown = "2xx" if statuses == SUCCESS else "/".join(map(str, statuses))
    assert r.status in statuses, f"{label}: expected {shown} {code or ''}, got {r}"
    if code is not None:
        assert r.headers.get("content-type") == "application/problem+json", f"{label}: {r.headers}"
        assert r.code() == code, f"{label}: expected code {code}, got {r}"
    documented(method, pattern, r)


# ---------------------------------------------------------------------------
# The tests

_fixture = None


def fixture():
    global _fixture
    if _fixture is None:
        _fixture = Fixture()
    return _fixture


def entries():
    """Every route of the table with its entry; a route without one fails."""
    routes = route_table()
    missing = [f"{r['method']} {r['pattern']}" for r in routes
               if (r["method"], r["pattern"]) not in ROUTES]
    assert not missing, f"routes without an entry in the authorisation matrix: {missing}"
    stale = [k for k in ROUTES if k not in {(r["method"], r["pattern"]) for r in routes}]
    assert not stale, f"entries for routes the table no longer has: {stale}"
    return [(r, ROUTES[(r["method"], r["pattern"])]) for r in routes]


def body_of(entry, f, who):
    return entry["body"](f, who) if entry["body"] else None


def set_expired(f, expired):
    """Moves the owners' live sessions just past their expiry, or back. Just
    past: the jobs route runs in the pass, and the purge deletes sessions
    that expired a week ago."""
    ids = ",".join(str(a.id) for a in (f.ma, f.ba, f.rv))
    if expired:
        f.saved_expiry = sql(f"SELECT string_agg(id || ':' || ts_to_us(expires_at), ' ')"
                             f" FROM sessions WHERE account_id IN ({ids}) AND ended_at IS NULL")
        sql(f"UPDATE sessions SET expires_at = timestamptz {sql_literal(rfc(T1))}"
            f" - interval '1 minute' WHERE account_id IN ({ids}) AND ended_at IS NULL")
    else:
        for pair in f.saved_expiry.split():
            sid, us = pair.split(":")
            sql(f"UPDATE sessions SET expires_at = us_to_ts({us}) WHERE id = {sid}")


def test_matrix():
    f = fixture()
    table = entries()
    results = []

    def run(route, entry, persona, label_who, token=None, authorization=None, who=None):
        method, pattern = route["method"], route["pattern"]
        path = entry["path"](f)
        body = body_of(entry, f, who)
        headers = entry["headers"]() if entry["headers"] else None
        r = call(method, path, token=token, body=body, authorization=authorization,
                 headers=headers)
        return r, f"{persona} ({label_who}) {method} {path}"

    # 1. Stale and missing credentials, the owners' own where a token is sent.
    for persona in STALE:
        if persona == "expired":
            set_expired(f, True)
        try:
            for route, entry in table:
                scope = entry["scope"]
                if scope == "session":
                    scope = "open"
                auth = persona_auth(f, route, scope, persona)
                r, label = run(route, entry, persona, "stale", authorization=auth)
                statuses, code = expectation(route, scope, persona, None)
                check_reply(label, route["method"], route["pattern"], r, statuses, code)
                if code == "session_replaced":
                    assert r.json.get("device") == "tablet" and r.json.get("replaced_at"), r
                check_markers(label, r)
                results.append((route["pattern"], persona, r.status))
        finally:
            if persona == "expired":
                set_expired(f, False)

    # 2. Authenticated non-owners: wrong role is 403, another tenant's object 404.
    for persona, role in ROLE_PERSONAS.items():
        for route, entry in table:
            scope = entry["scope"]
            if persona == "staff_lacking" and route["permission"] is None:
                continue  # the staff pass covers it
            if route["public"] and not route["optional_auth"]:
                who = role_accounts(f, route)[persona]
            elif scope == "session" and persona != "staff_lacking":
                who = account(role) if role in route["roles"] else role_accounts(f, route)[persona]
            else:
                who = role_accounts(f, route)[persona]
                if who in owners(f, route, scope):
                    continue  # staff on the staff routes: the owner pass
            r, label = run(route, entry, persona, who.username, token=who.token, who=who)
            statuses, code = expectation(route, "open" if scope == "session" else scope,
                                         persona, role)
            check_reply(label, route["method"], route["pattern"], r, statuses, code)
            if persona == "staff_lacking":
                assert r.json.get("missing_permission") == route["permission"], f"{label}: {r}"
                assert route["permission"] in r.json.get("detail", ""), f"{label}: {r}"
            check_markers(label, r)
            results.append((route["pattern"], persona, r.status))

    # 2b. Another merchant naming his own shop (and product) with shop A's
    # objects below it: the object must belong to the shop, not only the
    # shop to the caller.
    for route, entry in table:
        if entry["scope"] != "shop" or route["pattern"].count("{id}") < 2:
            continue
        variants = [Mixed(f, shop=f.shop_b)]
        if route["pattern"].count("{id}") >= 3 and "/products/" in route["pattern"]:
            variants.append(Mixed(f, shop=f.shop_b, p2=f.product_b))
        for view in variants:
            path = entry["path"](view)
            r = call(route["method"], path, f.mb.token, body_of(entry, view, f.mb),
                     headers=entry["headers"]() if entry["headers"] else None)
            label = f"mixed ids ({f.mb.username}) {route['method']} {path}"
            check_reply(label, route["method"], route["pattern"], r, (404,), "not_found")
            check_markers(label, r)
            results.append((route["pattern"], "mixed_ids", r.status))

    # 3. The owners, last (their writes change the fixture), in table order.
    for route, entry in table:
        scope = entry["scope"]
        if scope == "session":
            team = [account(route["roles"][0])]
        else:
            team = owners(f, route, scope)
        for who in team:
            r, label = run(route, entry, "owner", who.username, token=who.token, who=who)
            allowed = entry["owner_ok"] or SUCCESS
            check_reply(label, route["method"], route["pattern"], r, allowed, None)
            results.append((route["pattern"], "owner", r.status))
    summary = {}
    for _, persona, status in results:
        summary.setdefault(persona, {}).setdefault(status, 0)
        summary[persona][status] += 1
    print(f"authorisation matrix: {len(table)} routes, {len(results)} requests")
    for persona, counts in summary.items():
        print(f"  {persona:16} " + " ".join(f"{st}x{n}" for st, n in sorted(counts.items())))
    print("RELIABILITY " + json.dumps({
        "part": "authz", "requests": len(results),
        "5xx": sum(1 for _, _, status in results if status >= 500), "crashes": 0,
        "lost_writes": None, "recovery_s": None, "rss_start_kb": None, "rss_end_kb": None,
        "notes": f"{len(table)} routes x {len(summary)} callers; every status as its access"
                 f" implies and documented; no marker of shop A seen by another"}), flush=True)


class Mixed:
    """The fixture with some ids swapped for another tenant's."""

    def __init__(self, f, **swap):
        self._f = f
        self.__dict__.update(swap)

    def __getattr__(self, name):
        return getattr(self._f, name)


def test_cross_tenant_references():
    """Another tenant's ids inside a body: refused, and nothing of theirs
    changes hands."""
    f = fixture()
    paid = f.order(paid=True)

    def refused(r, what):
        assert 400 <= r.status < 500 and r.status not in (401, 403), f"{what}: {r}"
        assert r.headers.get("content-type") == "application/problem+json", f"{what}: {r}"
        check_markers(what, r)

    # Merchant B's coupons on shop A's products.
    body = dict(f.coupon_body("Theirs", kind=None), product_ids=[f.p1])
    refused(call("POST", f"/v1/shops/{f.shop_b}/coupons:batch", f.mb.token, body),
            "coupon batch on another shop's product")
    body = dict(f.coupon_body("Theirs", kind="product"), product_id=f.p1)
    refused(call("POST", f"/v1/shops/{f.shop_b}/coupons", f.mb.token, body),
            "product coupon on another shop's product")
    assert sql(f"SELECT count(*) FROM coupons WHERE shop_id = {f.shop_b}") == "0"

    # Merchant B shipping shop A's order through his own shop's batch.
    r = call("POST", f"/v1/shops/{f.shop_b}/shipments:batch", f.mb.token,
             {"items": [{"order_id": paid, "carrier": "sf", "tracking_no": "SF5555555555"}]})
    assert r.status in (200, 207, 400, 404, 409, 422), r
    check_markers("batch with another shop's order", r)
    assert sql(f"SELECT status FROM orders WHERE id = {paid}") == "paid"

    # Buyer B: shop B with shop A's SKU; buyer A's coupon.
    refused(call("POST", "/v1/orders", f.bb.token, {
        "shop_id": f.shop_b, "items": [{"sku_id": f.s1, "quantity": 1}],
        "address": PLAIN_ADDRESS}), "order at one shop with another shop's SKU")
    theirs = int(sql(f"SELECT id FROM buyer_coupons WHERE buyer_id = {f.ba.id} LIMIT 1"))
    refused(call("POST", "/v1/orders", f.bb.token, {
        "shop_id": f.shop, "items": [{"sku_id": f.s1, "quantity": 1}],
        "address": PLAIN_ADDRESS, "coupon_id": theirs}), "order with another buyer's coupon")
    assert sql(f"SELECT buyer_id = {f.ba.id} AND used_order_id IS NULL FROM buyer_coupons"
               f" WHERE id = {theirs}") == "t"

    # Chat: buyer B's card of buyer A's order; merchant B's quick reply of shop A.
    conv_b = ok(call("POST", f"/v1/shops/{f.shop}/conversations", f.bb.token))["id"]
    refused(call("POST", f"/v1/conversations/{conv_b}/messages", f.bb.token,
                 {"type": "order_card", "order_id": f.o_main}), "card of another buyer's order")
    conv_shop_b = ok(call("POST", f"/v1/shops/{f.shop_b}/conversations", f.bb.token))["id"]
    refused(call("POST", f"/v1/conversations/{conv_shop_b}/messages", f.mb.token,
                 {"type": "text", "quick_reply_id": f.qr1}), "another shop's quick reply")
    refused(call("POST", f"/v1/conversations/{conv_shop_b}/messages", f.mb.token,
                 {"type": "product_card", "product_id": f.p1}), "card of another shop's product")
    refused(call("POST", f"/v1/conversations/{conv_shop_b}/read", f.mb.token,
                 {"up_to_message_id": f.message}), "read marker at another conversation's message")

    # Merchant B's feedback about shop A.
    n = sql("SELECT count(*) FROM feedback")
    refused(call("POST", "/v1/feedback", f.mb.token,
                 {"category": "bug", "text": "about their shop", "shop_id": f.shop}),
            "feedback about another merchant's shop")
    assert sql("SELECT count(*) FROM feedback") == n


def test_marker_coverage():
    """The owners do see the markers, so their absence elsewhere means
    something: each marker is in at least one owner reply of the fixture."""
    f = fixture()
    seen = ""
    for path, who in ((f"/v1/shops/{f.shop}/orders/{f.o_main}", f.ma),
                      (f"/v1/orders/{f.o_main}", f.ba),
                      (f"/v1/shops/{f.shop}/products/{f.p2}", f.ma),
                      (f"/v1/conversations/{f.conv}/messages", f.ma),
                      (f"/v1/shops/{f.shop}/quick-replies", f.ma),
                      (f"/v1/shops/{f.shop}/coupons", f.ma),
                      (f"/v1/shops/{f.shop}/after-sales", f.ma),
                      (f"/v1/review/orders/{f.o_extend}/history", f.rv)):
        r = call("GET", path, who.token)
        assert r.status == 200, (path, r)
        seen += r.raw
    missing = [name for name, m in MARKERS.items() if m not in seen]
    assert not missing, f"markers no owner reply shows: {missing}"


# ---------------------------------------------------------------------------
# Mass assignment

FORBIDDEN = {"id": 1, "shop_id": 1, "status": "paid", "buyer_id": 1, "merchant_id": 1,
             "account_id": 1, "total_cents": 1, "paid_cents": 1, "refunded_cents": 1,
             "claimed": 1, "used": 1, "remaining": 1, "created_at": "2031-01-01T00:00:00Z",
             "updated_at": "2031-01-01T00:00:00Z", "paid_at": "2031-01-01T00:00:00Z",
             "shipped_at": "2031-01-01T00:00:00Z"}

# Routes that take one of those names as an ordinary input, and why.
ACCEPTED = {
    ("POST", "/v1/orders", "shop_id"): "the shop the buyer orders from",
    ("POST", "/v1/shops/{id}/products", "status"): "a new product may start on or off sale",
    ("PATCH", "/v1/shops/{id}/products/{id}", "status"): "the merchant puts it on or off sale",
    ("POST", "/v1/platform/funds/adjustments", "shop_id"): "the shop staff adjust",
    ("POST", "/v1/shops/{id}/live/red-packets", "total_cents"): "what the red packet shares out",
    ("POST", "/v1/feedback", "shop_id"): "the caller's shop the feedback is about (checked theirs)",
}

# Tables the requests of this test could write to; hashed before and after.
SNAPSHOT_SKIP = {"schema_migrations", "job_schedule"}


def snapshot():
    tables = sql("SELECT string_agg(tablename, ' ' ORDER BY tablename) FROM pg_tables"
                 " WHERE schemaname = 'public'").split()
    parts = [f"(SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
             f" FROM {t} t)" for t in tables if t not in SNAPSHOT_SKIP]
    return dict(zip([t for t in tables if t not in SNAPSHOT_SKIP],
                    sql("SELECT " + " || ' ' || ".join(parts)).split()))


def test_mass_assignment():
    f = fixture()
    table = entries()
    before = snapshot()
    tried = 0
    for route, entry in table:
        if route["body"] in ("none", "upload"):
            continue  # an upload's form fields: test_images.py
        if entry["signed"]:
            continue  # refused on its signature first: test_funds_payouts.py
        assert entry["body"], f"{route['method']} {route['pattern']} takes a body; give one"
        who = owners(f, route, entry["scope"])[0]
        token = None if route["public"] and not route["optional_auth"] else who.token
        for field, value in FORBIDDEN.items():
            key = (route["method"], route["pattern"], field)
            if key in ACCEPTED:
                continue
            body = body_of(entry, f, who)
            assert field not in body, f"{key}: the valid body has {field}; list it in ACCEPTED"
            body[field] = value
            r = call(route["method"], entry["path"](f), token=token, body=body)
            tried += 1
            label = f"{route['method']} {route['pattern']} with {field}"
            assert r.status == 400 and r.code() == "unknown_field", f"{label}: {r}"
            assert field in [e["field"] for e in r.json.get("errors", [])], f"{label}: {r}"
            documented(route["method"], route["pattern"], r)
    after = snapshot()
    changed = [t for t in before if before[t] != after.get(t)]
    assert not changed, f"refused writes changed tables: {changed}"
    print(f"mass assignment: {tried} refused writes")


if __name__ == "__main__":
    main([test_mass_assignment, test_matrix, test_cross_tenant_references, test_marker_coverage])
