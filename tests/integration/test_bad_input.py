"""Hostile bytes against the real server: more than 10,000 malformed requests
over raw sockets (truncated and oversized bodies, wrong, negative, duplicate
and huge Content-Length, chunked abuse, deep and huge JSON, invalid UTF-8
and overlong encodings, NUL bytes, huge and many headers, absurd query
values, and every route of `merchantd routes` with every wrong method and
wrong Content-Type, random ids and a valid token of the route's role).

Promises checked: no reply is a 5xx but 503 (and none is expected), the
server never dies, every API error is application/problem+json with a
status documented for its route in docs/openapi.yaml (a success matches its
schema in full), /readyz answers 200 throughout (a thread polls it), and
the server exits cleanly with no leak or sanitizer report.

Cases come from a seeded generator, one Random per case, so any case can
be replayed alone: BAD_INPUT_SEED=<seed printed> BAD_INPUT_CASE=<n>.
BAD_INPUT_COUNT scales the run (the categories keep their proportions)."""

import base64
import os
import random
import re
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from harness import *  # noqa: E402,F401,F403

SEED = int(os.environ.get("BAD_INPUT_SEED") or random.SystemRandom().randrange(1, 2 ** 31))
ONLY = os.environ.get("BAD_INPUT_CASE")
WORKERS = 4
# A connection that neither answers nor closes within this long is a hang.
REPLY_TIMEOUT = 20
# After abandoning a request half-way, how long to wait for what comes back.
ABANDON_WAIT = 0.3
BODY_LIMIT = 64 * 1024  # MERCHANTD_BODY_LIMIT for this server: cheap to exceed
ENV = {"MERCHANTD_BODY_LIMIT": str(BODY_LIMIT), "MERCHANTD_CONNECTION_TIMEOUT": "5",
       "MERCHANTD_JOB_INTERVAL_SECONDS": "86400"}

# Replies merchantd itself never makes but libmicrohttpd does, for requests
# it refuses before they reach the application (they carry no X-Request-Id).
MHD_STATUSES = {400, 413, 414, 431}
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "PROPFIND",
           "BREW"]
WRONG_TYPES = [None, "text/plain", "application/x-www-form-urlencoded",
               "multipart/form-data; boundary=xyz", "application/jsonx", "application/json-seq",
               "json", "application/xml", "text/json", "application/problem+json",
               "application/javascript", "\x7f/\x01", "application/json\x00x"]
BAD_UTF8 = [b"\xff", b"\xfe", b"\xc3\x28", b"\xa0\xa1", b"\xe2\x28\xa1", b"\xe2\x82\x28",
            b"\xf0\x28\x8c\xbc", b"\xf0\x90\x28\xbc", b"\xf8\xa1\xa1\xa1\xa1",
            b"\xfc\xa1\xa1\xa1\xa1\xa1", b"\xed\xa0\x80", b"\xed\xbf\xbf", b"\xf4\x90\x80\x80",
            # overlong encodings of "/", "." and NUL
            b"\xc0\xaf", b"\xe0\x80\xaf", b"\xf0\x80\x80\xaf", b"\xc0\xae", b"\xc0\x80",
            b"\xe0\x80\x80"]
PERCENT_GARBAGE = ["%", "%%", "%z", "%zz", "%0", "%00", "%ff", "%c0%af", "%e0%80%af", "%ed%a0%80",
                   "%c3%28", "%25", "%2", "%u0041", "%%%%", "%0d%0a", "%20", "+", "%2B", "%3D"]
HUGE_NUMBERS = ["99999999999999999999999999999", "-99999999999999999999", "9223372036854775807",
                "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
                "18446744073709551616", "1e999", "-1e999", "1e-999", "0.5", "-0", "00", "0x10",
                "1_000", "NaN", "Infinity", "-1", "0", "+1", " 1", "1 ", "\t1", "1e2"]


class Reply:
    """What came back on one connection: every status line seen (a reply
    may hold several), and the first reply parsed."""

    def __init__(self, data, timed_out):
        self.data = data
        self.timed_out = timed_out
        self.statuses = [int(m.group(1)) for m in
                         re.finditer(rb"HTTP/1\.[01] (\d{3}) ", data)]
        self.status = None
        self.headers = {}
        self.body = b""
        while re.match(rb"HTTP/1\.[01] 1\d\d ", data):  # interim replies (100 Continue)
            data = data.partition(b"\r\n\r\n")[2]
        head, sep, rest = data.partition(b"\r\n\r\n")
        if not sep or not head.startswith(b"HTTP/1."):
            return
        lines = head.split(b"\r\n")
        self.status = int(lines[0].split(b" ")[1])
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            self.headers[name.strip().lower().decode("latin-1")] = \
                value.strip().decode("latin-1")
        n = self.headers.get("content-length")
        self.body = rest[:int(n)] if n and n.isdigit() else rest

    def __repr__(self):
        return f"<{self.statuses} {self.data[:400]!r}>"


class Case:
    """One request: the bytes, how to send them, and what it must get.
    mode "reply": a well-formed request, a reply must come; "abandon": the
    client stops half-way (half-closes) and anything, or nothing, may come;
    "any": a malformed request, the server may reply or close."""

    def __init__(self, label, data, mode="reply", check=None, route=None):
        self.label, self.data, self.mode, self.check, self.route = label, data, mode, check, route


def request(method, target, headers=(), body=None, version="HTTP/1.1", length=True):
    """Request bytes. headers: (name, value) pairs of str or bytes."""
    def b(x):
        return x if isinstance(x, bytes) else x.encode("utf-8", "surrogateescape")
    out = [b(method) + b" " + b(target) + b" " + b(version), b"Host: 127.0.0.1",
           b"Connection: close"]
    for name, value in headers:
        out.append(b(name) + b": " + b(value))
    if body is not None and length:
        out.append(b"Content-Length: " + str(len(body)).encode())
    return b"\r\n".join(out) + b"\r\n\r\n" + (body or b"")


def send(port, case):
    s = socket.create_connection(("127.0.0.1", port), timeout=REPLY_TIMEOUT)
    chunks = []
    timed_out = False
    try:
        try:
            s.sendall(case.data)
            if case.mode == "abandon":
                s.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused early (413 before the body): read what was said
        if case.mode == "abandon":
            s.settimeout(ABANDON_WAIT)
        while True:
            try:
                b = s.recv(65536)
            except socket.timeout:
                timed_out = True
                break
            except ConnectionResetError:
                break
            if not b:
                break
            chunks.append(b)
            # An event stream never ends: its headers are the reply.
            head = b"".join(chunks)
            if b"\r\n\r\n" in head and b"text/event-stream" in head.partition(b"\r\n\r\n")[0]:
                break
    finally:
        s.close()
    return Reply(b"".join(chunks), timed_out)


# ---------------------------------------------------------------------------
# The server's routes, tokens and a few real ids


class Context:
    def __init__(self, server):
        self.server = server
        out = subprocess.run([MERCHANTD, "routes"], capture_output=True, text=True, timeout=30)
        assert out.returncode == 0, out.stderr
        self.routes = [json.loads(line) for line in out.stdout.splitlines()]
        # Upload routes take files, not JSON (their bodies: test_images.py).
        self.json_routes = [r for r in self.routes if r["body"] not in ("none", "upload")]
        # A valid login or register body costs an argon2id hash: fuzzing
        # their fields would load the hash pool, not test the parser. They
        # get the framing, header and encoding cases, with invalid bodies.
        self.fuzz_routes = [r for r in self.json_routes if not r["public"]]
        self.list_routes = [r for r in self.routes if r["method"] == "GET" and r["body"] == "none"
                            and r["pattern"] not in ("/livez", "/readyz", "/metrics")]
        self.tokens = {}
        for role in ("merchant", "buyer"):
            name = uname(role[0])
            server.register(name, role=role)
            self.tokens[role] = server.login(name)
        # Staff holding the permissions of every staff route, so that each
        # route's own checks answer.
        name = uname("r")
        out = run_cli(["create-staff", name, "--permissions",
                       "review,finance,campaigns,support,community,growth"],
                      server.db_url, stdin="reviewer-password\n")
        assert out.returncode == 0, out.stderr
        self.tokens["staff"] = server.login(name, password="reviewer-password")
        me = server.request("GET", "/v1/me", token=self.tokens["merchant"]).json
        merchant_id = me["id"]
        self.shop, self.sku = new_shop_on(server, merchant_id)

    def token_for(self, route):
        roles = route["roles"] or ["merchant"]
        return self.tokens[roles[0]]

    def auth(self, route):
        return [("Authorization", f"Bearer {self.token_for(route)}")]


def new_shop_on(server, merchant_id):
    db = server.db_url
    shop = int(psql(db, f"INSERT INTO shops (merchant_id, name, created_at, updated_at)"
                        f" VALUES ({merchant_id}, 'Fuzz shop', now(), now()) RETURNING id"))
    product = int(psql(db, f"INSERT INTO products (shop_id, title, status, created_at,"
                           f" updated_at) VALUES ({shop}, 'Tea', 'on_sale', now(), now())"
                           f" RETURNING id"))
    sku = int(psql(db, f"INSERT INTO skus (product_id, shop_id, spec, price_cents, stock,"
                       f" created_at, updated_at) VALUES ({product}, {shop}, '1', 100, 1000000,"
                       f" now(), now()) RETURNING id"))
    return shop, sku


def random_id(rng, ctx):
    return rng.choice([rng.randint(1, 40), rng.randint(1, 10 ** 6),
                       rng.randint(10 ** 17, 10 ** 18 - 1), ctx.shop])


def fill(pattern, rng, ctx):
    path = pattern
    while "{id}" in path:
        path = path.replace("{id}", str(random_id(rng, ctx)), 1)
    # A stored file's name: a SHA-256 and an extension.
    path = path.replace("{file}", "%064x.jpg" % rng.getrandbits(256))
    if pattern == "/v1/events/poll":
        path += "?timeout=0"
    return path


def matching_methods(ctx, path):
    """The methods the route table has for a concrete path."""
    segs = path.split("?")[0].split("/")
    out = []
    for r in ctx.routes:
        p = r["pattern"].split("/")
        if len(p) == len(segs) and all(a == b or (a == "{id}" and re.fullmatch(r"[1-9]\d{0,17}", b))
                                       or (a == "{file}" and re.fullmatch(r"[\w.-]{1,100}", b)
                                           and not b.startswith("."))
                                       for a, b in zip(p, segs)):
            out.append(r["method"])
            if r["method"] == "GET":
                out.append("HEAD")  # HEAD is GET without the body
    return out


def sample_body(route, rng, ctx):
    """A body of the right shape for the route (the fuzzers mutate it)."""
    p = route["pattern"]
    samples = {
        "/v1/shops": {"name": "Fuzz", "description": "d"},
        "/v1/shops/{id}": {"name": "Fuzz"},
        "/v1/shops/{id}/products": {"title": "T", "skus": [{"spec": "s", "price_cents": 1,
                                                            "stock": 1}], "images": ["x"]},
        "/v1/shops/{id}/products/{id}": {"title": "T", "status": "on_sale"},
        "/v1/shops/{id}/products/{id}/skus": {"spec": "s", "price_cents": 1, "stock": 1},
        "/v1/shops/{id}/products/{id}/skus/{id}": {"stock": 1},
        "/v1/orders": {"shop_id": ctx.shop, "items": [{"sku_id": ctx.sku, "quantity": 1}],
                       "address": {"name": "n", "phone": "13800000000", "province": "p",
                                   "city": "c", "district": "d", "detail": "x"}},
        "/v1/orders/{id}/after-sales": {"type": "refund_only", "reason": "r"},
        "/v1/shops/{id}/orders/{id}": {"merchant_note": "n", "flag": 1},
        "/v1/shops/{id}/orders/{id}/ship": {"carrier": "sf", "tracking_no": "SF1"},
        "/v1/shops/{id}/shipments:batch": {"items": [{"order_id": 1, "carrier": "sf",
                                                      "tracking_no": "SF1"}]},
        "/v1/shops/{id}/after-sales/{id}/reject": {"reason": "r"},
        "/v1/shops/{id}/after-sales/{id}/reship": {"carrier": "sf", "tracking_no": "SF1"},
        "/v1/conversations/{id}/messages": {"type": "text", "text": "hi"},
        "/v1/conversations/{id}/read": {"up_to_message_id": 1},
        "/v1/shops/{id}/quick-replies": {"text": "t", "group": "g", "position": 1},
        "/v1/shops/{id}/quick-replies/{id}": {"text": "t"},
        "/v1/shops/{id}/auto-reply": {"greeting": "g", "keywords": [{"keyword": "k",
                                                                     "reply": "r"}],
                                      "away": {"message": "m", "hours": [
                                          {"weekday": 1, "open": "09:00", "close": "18:00"}]}},
        "/v1/shops/{id}/coupons": {"kind": "shop", "title": "t", "discount_cents": 1,
                                   "total_quantity": 1, "per_buyer_limit": 1,
                                   "claim_start": "2026-01-01T00:00:00Z",
                                   "claim_end": "2027-01-01T00:00:00Z", "valid_days": 1,
                                   "channel": "normal"},
        "/v1/shops/{id}/coupons:batch": {"product_ids": [1], "title": "t", "discount_cents": 1,
                                         "total_quantity": 1, "per_buyer_limit": 1,
                                         "claim_start": "2026-01-01T00:00:00Z",
                                         "claim_end": "2027-01-01T00:00:00Z", "valid_days": 1,
                                         "channel": "normal"},
        "/v1/shops/{id}/coupons/{id}/add-quantity": {"quantity": 1},
        "/v1/review/orders/{id}/hold": {"reason": "r", "note": "n"},
        "/v1/review/orders/{id}/release": {"note": "n"},
        "/v1/review/orders/{id}/close": {"reason": "r"},
        "/v1/review/orders/{id}/extend": {"hours": 1, "note": "n"},
        "/v1/auth/register": {"role": "buyer", "username": "x", "password": "short",
                              "display_name": "d", "unknown": 1},
        "/v1/auth/login": {"username": "", "password": "", "device": "d"},
        "/v1/events/views": {"views": [{"shop_id": ctx.shop, "product_id": 1,
                                        "visitor_id": "fuzz_visitor", "at": "2026-01-01T00:00:00Z",
                                        "source": "search"}]},
        "/v1/test/clock": {"now": "yesterday"},
    }
    return json.loads(json.dumps(samples.get(p, {"field": "value"})))


# ---------------------------------------------------------------------------
# JSON mutations


def leaves(doc, path=()):
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from leaves(v, path + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from leaves(v, path + (i,))
    yield path


def replace_at(doc, path, value):
    if not path:
        return value
    node = doc
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value
    return doc


class UnknownMember(bytes):
    """A body with a member no route takes: it must never succeed."""


def mutate_json(rng, base):
    """Raw body bytes: the sample body, broken one way or another."""
    text = json.dumps(base, ensure_ascii=False).encode()
    kind = rng.randrange(22)
    if kind == 0:  # truncated
        return text[:rng.randrange(len(text))]
    if kind == 1:  # deep nesting
        depth = rng.choice([33, 64, 1000, 20000])
        opener, closer = rng.choice([(b"[", b"]"), (b'{"a":', b"}"), (b'[{"a":', b"}]")])
        inner = opener * depth + b"1" + closer * (depth if rng.random() < 0.7 else depth // 2)
        return b'{"x":' + inner + b"}" if rng.random() < 0.5 else inner
    if kind == 2:  # huge string, near or over the cap
        n = rng.choice([BODY_LIMIT - 200, BODY_LIMIT - 20, BODY_LIMIT + 10, 20000])
        path = rng.choice(list(leaves(base)))
        return json.dumps(replace_at(json.loads(text), path, "x" * n)).encode()
    if kind == 3:  # many members
        n = rng.choice([500, 3000])
        return json.dumps({f"k{i}": i for i in range(n)}).encode()
    if kind == 4:  # long array
        return json.dumps(dict(base, items=list(range(rng.choice([1000, 8000]))))).encode()
    if kind == 5:  # invalid UTF-8 or overlong encoding inside a string
        i = text.find(b'"', rng.randrange(len(text)))
        i = i + 1 if i >= 0 else len(text) // 2
        return text[:i] + rng.choice(BAD_UTF8) + text[i:]
    if kind == 6:  # invalid UTF-8 outside strings
        i = rng.randrange(len(text) + 1)
        return text[:i] + rng.choice(BAD_UTF8) + text[i:]
    if kind == 7:  # NUL bytes, raw or escaped
        i = rng.randrange(len(text) + 1)
        return text[:i] + rng.choice([b"\x00", b"\\u0000", b'"\\u0000"', b"\x00" * 50]) + text[i:]
    if kind == 8:  # lone surrogates and odd escapes
        path = rng.choice(list(leaves(base)))
        esc = rng.choice(["\\ud800", "\\udc00", "\\ud800\\ud800", "\\uD83D\\uDE00", "\\uffff",
                          "\\u", "\\x41", "\\", "\\u00zz"])
        marker = "@@ESC@@"
        return json.dumps(replace_at(json.loads(text), path, marker)).encode().replace(
            b"@@ESC@@", esc.encode())
    if kind == 9:  # absurd numbers
        path = rng.choice(list(leaves(base)))
        marker = "@@NUM@@"
        num = rng.choice(HUGE_NUMBERS + ["1" * 400, "-" + "9" * 30 + ".5e-400", "1E+2", "01"])
        return json.dumps(replace_at(json.loads(text), path, marker)).encode().replace(
            b'"@@NUM@@"', num.encode())
    if kind == 10:  # wrong types
        path = rng.choice(list(leaves(base)))
        value = rng.choice([None, True, False, [], {}, "", "text", 0, -1, 1.5, [1, 2],
                            {"a": {"b": {}}}, 2 ** 63, -2 ** 63 - 1, "\u202e\ufeff"])
        return json.dumps(replace_at(json.loads(text), path, value)).encode()
    if kind == 11:  # duplicate keys
        if not isinstance(base, dict) or not base:
            return b'{"a":1,"a":2}'
        k = rng.choice(list(base))
        return text[:-1] + b", " + json.dumps(k).encode() + b": " + json.dumps(base[k]).encode() \
            + b"}"
    if kind == 12:  # not an object
        return rng.choice([b"[]", b"null", b"true", b"1", b'"s"', b"", b" ", b"\n\n", b"{}{}",
                           text + b"[]", b"[" + text + b"]", b"\xef\xbb\xbf" + text])
    if kind == 13:  # random bytes
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300)))
    if kind == 14:  # random printable junk
        return "".join(rng.choice('{}[]":,0123456789abcdeftrunl\\ ') for _ in
                       range(rng.randrange(1, 200))).encode()
    if kind == 15:  # unknown members, nested too
        doc = json.loads(text)
        doc[rng.choice(["id", "buyer_id", "__proto__", "", " ", "a" * 300, "界" * 200,
                        "e\u0301" * 150, "\U0001f600" * 100, "constructor"])] = \
            rng.choice([1, "x", None, {"y": 1}])
        return UnknownMember(json.dumps(doc).encode())
    if kind == 16:  # huge or negative integers everywhere
        doc = json.loads(text)
        for path in list(leaves(doc)):
            if path and rng.random() < 0.5:
                try:
                    replace_at(doc, path, rng.choice([-1, 0, 2 ** 62, -2 ** 62, 10 ** 18]))
                except (KeyError, IndexError, TypeError):
                    pass
        return json.dumps(doc).encode()
    if kind == 17:  # very long strings in every member
        doc = json.loads(text)
        for path in list(leaves(doc)):
            if path and rng.random() < 0.5:
                try:
                    replace_at(doc, path, rng.choice(["x" * 5000, "界" * 1500, " " * 600]))
                except (KeyError, IndexError, TypeError):
                    pass
        return json.dumps(doc).encode()[:BODY_LIMIT - 1]
    if kind == 18:  # whitespace and comments
        return rng.choice([b"/* c */" + text, text + b"// c", text.replace(b":", b" :\t\r\n "),
                           b"\x0b" + text, text.replace(b'"', b"'")])
    if kind == 19:  # control characters in strings
        path = rng.choice(list(leaves(base)))
        marker = "@@CTL@@"
        return json.dumps(replace_at(json.loads(text), path, marker)).encode().replace(
            b"@@CTL@@", bytes([rng.randrange(0, 32)]) * rng.randrange(1, 4))
    if kind == 20:  # the sample itself, valid or nearly so
        return text
    # many small nested objects within the depth limit
    return json.dumps({"a": [[{"b": [[[[{"c": [[[1]]]}]]]]}]] * 200}).encode()


# ---------------------------------------------------------------------------
# The categories


def problem_check(expect_status=None, expect_code=None, allow=None):
    def check(r):
        if expect_status is not None and r.status != expect_status:
            return f"expected {expect_status}"
        if expect_code is not None:
            try:
                if json.loads(r.body).get("code") != expect_code:
                    return f"expected code {expect_code}"
            except ValueError:
                return "body is not JSON"
        if allow is not None and r.headers.get("allow") != allow:
            return f"expected Allow: {allow}"
        return None
    return check


def gen_method(rng, j, ctx):
    """Every route with every method it does not take."""
    route = ctx.routes[j % len(ctx.routes)]
    wrong = [m for m in METHODS if m != route["method"]]
    method = wrong[(j // len(ctx.routes)) % len(wrong)]
    path = fill(route["pattern"], rng, ctx)
    methods = matching_methods(ctx, path)
    data = request(method, path, ctx.auth(route))
    label = f"wrong method {method} {route['method']} {route['pattern']}"
    if method in methods:
        return Case(label, data, route=route)  # another route: whatever it says, not a 5xx
    code = None if method == "HEAD" else "method_not_allowed"  # HEAD replies have no body
    return Case(label, data, check=problem_check(405, code, ", ".join(methods)), route=route)


def gen_content_type(rng, j, ctx):
    """Every route with a wrong Content-Type, or a body it does not take."""
    route = ctx.routes[j % len(ctx.routes)]
    path = fill(route["pattern"], rng, ctx)
    body = json.dumps(sample_body(route, rng, ctx)).encode()
    ctype = WRONG_TYPES[(j // len(ctx.routes)) % len(WRONG_TYPES)]
    headers = ctx.auth(route) + ([("Content-Type", ctype)] if ctype else [])
    label = f"content type {ctype!r} {route['method']} {route['pattern']}"
    if route["body"] == "none":
        if rng.random() < 0.5:
            headers = ctx.auth(route) + [("Content-Type", "application/json")]
        return Case(label, request(route["method"], path, headers, body),
                    check=problem_check(400, "unexpected_body"), route=route)
    if ctype is not None and "\x00" in ctype:
        return Case(label, request(route["method"], path, headers, body), mode="any", route=route)
    if route["body"] == "upload" and ctype is not None and \
            ctype.lower().startswith(("multipart/form-data", "image/")):
        # A form or image type an upload takes: the body is no such form.
        return Case(label, request(route["method"], path, headers, body),
                    check=problem_check(400, "invalid_field"), route=route)
    return Case(label, request(route["method"], path, headers, body),
                check=problem_check(415, "unsupported_media_type"), route=route)


def gen_json(rng, j, ctx):
    """Broken JSON bodies on every route that takes one, with a valid token."""
    route = ctx.fuzz_routes[j % len(ctx.fuzz_routes)]
    path = fill(route["pattern"], rng, ctx)
    body = mutate_json(rng, sample_body(route, rng, ctx))
    headers = ctx.auth(route) + [("Content-Type", rng.choice(
        ["application/json", "application/json; charset=utf-8", "Application/JSON"]))]
    check = None
    if isinstance(body, UnknownMember):
        def check(r):
            return "a body with an unknown member succeeded" if 200 <= r.status < 300 else None
    return Case(f"json {route['method']} {route['pattern']} ({len(body)} bytes)",
                request(route["method"], path, headers, bytes(body)), check=check, route=route)


def gen_framing(rng, j, ctx):
    """Content-Length and chunked encoding abuse."""
    route = rng.choice(ctx.json_routes)
    path = fill(route["pattern"], rng, ctx)
    body = json.dumps({"unknown_member": rng.randrange(10 ** 6)}).encode()
    base = ctx.auth(route) + [("Content-Type", "application/json")]
    m = route["method"]
    kind = j % 24
    label = f"framing {kind} {m} {route['pattern']}"

    def chunked(parts, end=b"0\r\n\r\n", ext=b""):
        return b"".join(b"%x" % len(p) + ext + b"\r\n" + p + b"\r\n" for p in parts) + end

    te = [("Transfer-Encoding", "chunked")]
    if kind == 0:  # truncated body, then the client goes away
        cut = rng.randrange(len(body))
        return Case(label, request(m, path, base + [("Content-Length", str(len(body)))],
                                   body[:cut], length=False), mode="abandon")
    if kind == 1:  # Content-Length shorter than the body: the rest is garbage
        n = rng.randrange(len(body))
        return Case(label, request(m, path, base + [("Content-Length", str(n))], body,
                                   length=False), mode="any")
    if kind == 2:  # negative, signed, spaced, hex, exponent, empty
        value = rng.choice(["-1", "-5", "+5", "5 5", "0x10", "1e3", "", " ", "five", "1.5",
                            "\x00", "12\x0012", "-0", "٣"])
        return Case(label, request(m, path, base + [("Content-Length", value)], body,
                                   length=False), mode="abandon")
    if kind == 3:  # huge, never sent: refused before the body
        value = rng.choice([str(BODY_LIMIT + 1), "999999999999", "18446744073709551615",
                            "18446744073709551616", "9" * 40, "0" * 30 + "1"])
        return Case(label, request(m, path, base + [("Content-Length", value)], body,
                                   length=False), mode="abandon")
    if kind == 4:  # duplicate Content-Length, equal or not
        a, b2 = len(body), rng.choice([len(body), len(body) + 3, 0, 1])
        return Case(label, request(m, path, base + [("Content-Length", str(a)),
                                                    ("Content-Length", str(b2))], body,
                                   length=False), mode="abandon")
    if kind == 5:  # Content-Length and chunked together
        return Case(label, request(m, path, base + te + [("Content-Length", str(len(body)))],
                                   chunked([body]), length=False), mode="abandon")
    if kind == 6:  # bad chunk sizes
        size = rng.choice([b"zz", b"-1", b"", b" ", b"0x5", b"+5", b"5 5", b"\x00", b"g"])
        return Case(label, request(m, path, base + te, size + b"\r\n" + body + b"\r\n0\r\n\r\n",
                                   length=False), mode="abandon")
    if kind == 7:  # huge chunk sizes with little data
        size = rng.choice([b"7fffffff", b"ffffffffffffffff", b"10000000000000000",
                           b"fffffffffffffffffffff", b"%x" % (BODY_LIMIT + 1)])
        return Case(label, request(m, path, base + te, size + b"\r\n" + body, length=False),
                    mode="abandon")
    if kind == 8:  # no final chunk
        return Case(label, request(m, path, base + te, chunked([body], end=b""), length=False),
                    mode="abandon")
    if kind == 9:  # chunk extensions and trailers (valid HTTP)
        ext = rng.choice([b";a=b", b"; name=\"v\"", b";x", b";" + b"e" * 200])
        end = rng.choice([b"0\r\n\r\n", b"0\r\nX-Trailer: 1\r\n\r\n", b"0;ext\r\n\r\n"])
        return Case(label, request(m, path, base + te, chunked([body], end=end, ext=ext),
                                   length=False), mode="any")
    if kind == 10:  # many one-byte chunks
        return Case(label, request(m, path, base + te,
                                   chunked([body[i:i + 1] for i in range(len(body))]),
                                   length=False))
    if kind == 11:  # chunk data longer than its size
        return Case(label, request(m, path, base + te, b"2\r\n" + body + b"\r\n0\r\n\r\n",
                                   length=False), mode="any")
    if kind == 12:  # chunked over the cap
        parts = [b" " * 4096] * (BODY_LIMIT // 4096 + 2)
        return Case(label, request(m, path, base + te, chunked(parts), length=False),
                    check=problem_check(413, "payload_too_large"))
    if kind == 13:  # declared over the cap and sent
        big = b'{"a":"' + b"x" * (BODY_LIMIT + rng.randrange(1, 5000)) + b'"}'
        return Case(label, request(m, path, base, big), mode="any")
    if kind == 14:  # odd transfer codings
        coding = rng.choice(["gzip, chunked", "chunked, identity", "CHUNKED", "identity",
                             "chunked, chunked", "gzip", "x-unknown"])
        return Case(label, request(m, path, base + [("Transfer-Encoding", coding)],
                                   chunked([body]), length=False), mode="abandon")
    if kind == 15:  # a body without Content-Length or chunked: the next request's bytes
        return Case(label, request(m, path, base, body, length=False), mode="any")
    if kind == 16:  # HTTP/1.0 with a body and no length
        return Case(label, request(m, path, base, body, version="HTTP/1.0", length=False),
                    mode="abandon")
    if kind == 17:  # Content-Length longer than sent, client stays: abandoned after a wait
        return Case(label, request(m, path, base + [("Content-Length", str(len(body) + 100))],
                                   body, length=False), mode="abandon")
    if kind == 18:  # pipelined requests after a broken one
        good = request("GET", "/livez")
        return Case(label, request(m, path, base + [("Content-Length", "3")], b"{\"a", length=False)
                    .replace(b"Connection: close\r\n", b"") + good, mode="any")
    if kind == 19:  # body on a GET
        return Case(label, request("GET", "/livez", [("Content-Type", "application/json")],
                                   body), check=problem_check(400, "unexpected_body"))
    if kind == 20:  # zero length on a JSON route
        return Case(label, request(m, path, base + [("Content-Length", "0")], None,
                                   length=False))
    if kind == 21:  # Expect: 100-continue, then the body
        return Case(label, request(m, path, base + [("Expect", "100-continue")], body))
    if kind == 22:  # Expect with something else
        return Case(label, request(m, path, base + [("Expect", rng.choice(
            ["200-ok", "100-continue, x", ""]))], body), mode="any")
    # the whole body in a chunk with CRLF missing
    return Case(label, request(m, path, base + te, b"%x\r\n" % len(body) + body + b"0\r\n\r\n",
                               length=False), mode="abandon")


def gen_headers(rng, j, ctx):
    """NUL bytes, huge and many headers, odd Authorization, request ids, keys."""
    # Not the event stream (it never ends) nor logout (the token must live).
    route = rng.choice([r for r in ctx.routes
                        if r["pattern"] not in ("/v1/events", "/v1/auth/logout")])
    path = fill(route["pattern"], rng, ctx)
    m = route["method"]
    body = None
    extra = []
    if route["body"] != "none":
        body = json.dumps(sample_body(route, rng, ctx)).encode()
        extra.append(("Content-Type", "application/json"))
    auth = ctx.auth(route)
    kind = j % 16
    label = f"headers {kind} {m} {route['pattern']}"
    mode = "reply"
    if kind == 0:  # NUL and control bytes in a header value
        extra.append(("X-Custom", b"a\x00b" + bytes([rng.randrange(1, 32)]) + b"c"))
        mode = "any"
    elif kind == 1:  # NUL in a header name, or no colon at all
        extra.append((rng.choice([b"X-\x00Bad", b"Bad Header", b"\x01"]), b"v"))
        mode = "any"
    elif kind == 2:  # one huge header
        extra.append(("X-Huge", "h" * rng.choice([4000, 30000, 70000, 300000])))
        mode = "any"
    elif kind == 3:  # many headers
        extra.extend((f"X-H{i}", "v" * rng.randrange(1, 20)) for i in range(rng.choice(
            [100, 1000, 8000])))
        mode = "any"
    elif kind == 4:  # garbage Authorization
        auth = [("Authorization", rng.choice([
            "Bearer", "Bearer ", "Bearer  ", "Basic dXNlcjpwYXNz", "Bearer " + "A" * 43,
            "Bearer " + "=" * 43, "Bearer " + "a" * 42 + "!", "Bearer " + "a" * 44,
            "Bearer " + "x" * 5000, "bearer " + ctx.token_for(route), "Bearer\t" + "a" * 43,
            "Bearer " + base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("="),
            "Bearer " + base64.b64encode(os.urandom(32)).decode(), "Token abc", "",
            "Bearer " + ctx.token_for(route) + "x", "Bearer \u00e9" * 3]))]
    elif kind == 5:  # two Authorization headers
        auth = auth + [("Authorization", "Bearer " + "B" * 43)]
    elif kind == 6:  # Authorization with NUL and invalid UTF-8
        auth = [("Authorization", b"Bearer " + bytes(rng.randrange(256) for _ in range(43)))]
        mode = "any"
    elif kind == 7:  # X-Request-Id garbage
        extra.append(("X-Request-Id", rng.choice(["", " ", "x" * 64, "x" * 65, "x" * 5000,
                                                   "a b", "\u00e9", "<script>", "%00", "a\tb"])))
    elif kind == 8:  # Idempotency-Key garbage
        extra.append(("Idempotency-Key", rng.choice(["", " ", "k" * 255, "k" * 256, "k" * 4000,
                                                      "\u00e9", "a b", "a\tb", "\x7f", "ok-key"])))
    elif kind == 9:  # Content-Type oddities with a JSON body
        extra = [("Content-Type", rng.choice(["application/json; charset=\"utf-8\"",
                                              "application/json;;;", "application/json ;x=y",
                                              "application/json" + " " * 3000,
                                              "application/json; charset=latin-1"]))]
    elif kind == 10:  # folded header lines (obsolete)
        extra.append(("X-Folded", "a\r\n b\r\n\tc"))
        mode = "any"
    elif kind == 11:  # Last-Event-ID garbage on the long poll, and elsewhere
        extra.append(("Last-Event-ID", rng.choice(["-1", "x", "9" * 40, "", "\u00e9"])))
    elif kind == 12:  # Host oddities
        extra.append(("Host", rng.choice(["", "a" * 3000, "[::1", "x:99999", "\x00"])))
        mode = "any"
    elif kind == 13:  # Connection and Upgrade games
        extra.extend([("Upgrade", "websocket"), ("Connection", "Upgrade")])
        mode = "any"
    elif kind == 14:  # very long request target
        path = path + "?" + "a=" + "b" * rng.choice([2000, 20000, 100000])
        mode = "any"
    else:  # header names in odd case, duplicated
        extra.extend([("content-type", "application/json"), ("CONTENT-TYPE", "text/plain")])
        mode = "any"
    return Case(label, request(m, path, auth + extra, body), mode=mode, route=route)


def gen_query(rng, j, ctx):
    """Absurd query strings on every list and read route; odd paths."""
    route = ctx.list_routes[j % len(ctx.list_routes)]
    path = fill(route["pattern"], rng, ctx)
    sep = "&" if "?" in path else "?"
    kind = (j // len(ctx.list_routes)) % 12
    names = ["limit", "cursor", "after", "status", "q", "sort", "unread", "from", "to",
             "created_from", "created_to", "buyer_id", "lang", "review", "timeout"]
    if kind == 0:  # absurd numbers
        q = f"{rng.choice(names)}={rng.choice(HUGE_NUMBERS)}"
    elif kind == 1:  # repeated parameters
        n = rng.choice(names)
        q = "&".join(f"{n}={rng.choice(HUGE_NUMBERS + ['1', 'x', ''])}" for _ in range(
            rng.randrange(2, 30)))
    elif kind == 2:  # cursors that were never given
        q = "cursor=" + rng.choice([
            base64.urlsafe_b64encode(os.urandom(rng.randrange(1, 60))).decode().rstrip("="),
            base64.urlsafe_b64encode(b"c:1:1").decode(), base64.urlsafe_b64encode(
                b"z:1:1").decode().rstrip("="),
            base64.urlsafe_b64encode(b"c:" + b"9" * 30 + b":1").decode().rstrip("="),
            base64.urlsafe_b64encode(b"c:1:-5").decode().rstrip("="),
            base64.urlsafe_b64encode(b"c:1:0").decode().rstrip("="),
            base64.urlsafe_b64encode(b"c:1:1:1").decode().rstrip("="),
            base64.urlsafe_b64encode(b"c:%n%n%s:1").decode().rstrip("="),
            "!!!", "x" * 1000, "", "====", "%00", "a+b/c="])
    elif kind == 3:  # percent-encoding garbage in names and values
        q = f"{rng.choice(PERCENT_GARBAGE)}{rng.choice(names)}={rng.choice(PERCENT_GARBAGE)}" \
            f"{rng.choice(PERCENT_GARBAGE)}"
    elif kind == 4:  # unknown parameters, many of them
        q = "&".join(f"p{i}={i}" for i in range(rng.choice([1, 50, 500])))
    elif kind == 5:  # empty names and values, stray separators
        q = rng.choice(["", "&", "&&&&", "=", "==", "=&=&=", "limit", "limit=", "&limit=5&",
                        "?", "??limit=1", "limit=1#frag", ";limit=1", "limit=1;cursor=x"])
    elif kind == 6:  # invalid UTF-8 (percent-encoded)
        q = f"{rng.choice(names)}=" + "".join(f"%{b:02x}" for b in rng.choice(BAD_UTF8))
    elif kind == 7:  # huge values
        q = f"{rng.choice(names)}=" + rng.choice(["9", "a", "%41", "界"]) * rng.choice(
            [300, 3000, 20000])
    elif kind == 8:  # times and enums that are nearly right
        q = f"{rng.choice(['from', 'to', 'created_from', 'created_to'])}=" + rng.choice([
            "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "0000-01-01T00:00:00Z",
            "9999-12-31T23:59:60Z", "2026-01-01", "2026-01-01T00:00:00", "2026-01-01T25:00:00Z",
            "2026-01-01T00:00:00%2B99:99", "-2026-01-01T00:00:00Z", "1" * 40])
    elif kind == 9:  # raw NUL, spaces and control bytes in the target
        q = rng.choice(["limit=1\x00", "li\x00mit=1", "limit=1 2", "limit=\x7f", "q=\x01"])
        return Case(f"query {kind} {route['pattern']}", request(
            "GET", path + sep + q, ctx.auth(route)), mode="any", route=route)
    elif kind == 10:  # odd paths for the same route
        bad = rng.choice(["0", "-1", "01", "1e3", "9" * 19, "1.0", "+1", "0x1", "%31", "1%00",
                          "%00", "", "..", "%2e%2e", "\u00e9", "1 ", "１"])
        segs = path.split("?")[0].split("/")
        ids = [i for i, s in enumerate(segs) if s.isdigit()]
        if ids:
            segs[rng.choice(ids)] = bad
        else:
            segs.append(bad)
        target = "/".join(segs)
        return Case(f"query {kind} {route['pattern']}", request(
            "GET", target.encode("utf-8"), ctx.auth(route)), mode="any", route=route)
    else:  # path garbage: traversal, doubled slashes, percent junk, long
        target = rng.choice([
            path + "/", "/" + path, path.replace("/", "//"), path + "/..", "/v1/../" + path,
            path + "%2f", "/v1/%2e%2e/livez", path + rng.choice(PERCENT_GARBAGE),
            path + "/" + "a" * rng.choice([300, 5000, 60000]), "*", "http://x" + path])
        return Case(f"query {kind} {route['pattern']}", request("GET", target, ctx.auth(route)),
                    mode="any", route=route)
    return Case(f"query {kind} {route['pattern']}", request("GET", path + sep + q,
                                                            ctx.auth(route)), route=route)


CATEGORIES = [  # name, generator, share of the run
    ("method", gen_method, 0.15),
    ("content_type", gen_content_type, 0.12),
    ("json", gen_json, 0.30),
    ("framing", gen_framing, 0.14),
    ("headers", gen_headers, 0.11),
    ("query", gen_query, 0.18),
]


def plan(count):
    """[(category, generator, index within the category)] for case numbers."""
    out = []
    for name, gen, share in CATEGORIES:
        out.extend((name, gen, j) for j in range(int(count * share)))
    return out


def build(ctx, cases, n):
    name, gen, j = cases[n]
    rng = random.Random(f"{SEED}:{n}")
    return name, gen(rng, j, ctx)


def judge(case, r):
    """What is wrong with the reply, or None."""
    for st in r.statuses:
        if st >= 500 and st != 503:
            return f"a {st} reply"
    if r.timed_out and case.mode != "abandon":
        return f"no reply and no close within {REPLY_TIMEOUT} s"
    if case.mode == "reply" and r.status is None:
        return "the connection closed without a reply"
    if r.status is None:
        return None
    if "x-request-id" not in r.headers:
        # libmicrohttpd's own refusal, before merchantd saw the request
        if r.status not in MHD_STATUSES:
            return f"a {r.status} without X-Request-Id"
        return None
    if r.status >= 400 and not case.data.startswith(b"HEAD "):
        if r.headers.get("content-type") != "application/problem+json":
            return "an error that is not application/problem+json"
        try:
            doc = json.loads(r.body)
        except ValueError:
            return "a problem body that is not JSON"
        if doc.get("status") != r.status or not doc.get("code") \
                or doc.get("request_id") != r.headers["x-request-id"]:
            return "a problem without its status, code or request_id"
    if case.check is not None:
        why = case.check(r)
        if why is not None:
            return why
    try:
        check_garbage_reply(case.data, r.data)
    except ContractViolation as e:
        return str(e)
    return None


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


def test_bad_input():
    count = int(os.environ.get("BAD_INPUT_COUNT", "10800"))
    print(f"seed {SEED} (replay: BAD_INPUT_SEED={SEED} BAD_INPUT_CASE=<n>)", flush=True)
    s = start_server(env=ENV)
    ctx = Context(s)
    cases = plan(count)
    todo = [int(ONLY)] if ONLY is not None else list(range(len(cases)))
    rss_start = rss_kb(s.proc.pid)

    failures = []
    statuses = {}
    five = [0]
    lock = threading.Lock()
    stop = threading.Event()
    ready = {"polls": 0, "bad": []}

    def poll_ready():
        while not stop.is_set():
            try:
                r = s.request("GET", "/readyz", timeout=5)
                ok = r.status == 200
                what = r.status
            except OSError as e:
                ok, what = False, repr(e)
            ready["polls"] += 1
            if not ok:
                ready["bad"].append(what)
            stop.wait(0.05)

    def worker(mine):
        for n in mine:
            if s.proc.poll() is not None or len(failures) > 20:
                return
            name, case = build(ctx, cases, n)
            try:
                r = send(s.port, case)
                why = judge(case, r)
            except OSError as e:
                r, why = None, f"could not talk to the server: {e!r}"
            with lock:
                for st in (r.statuses if r else []):
                    statuses[st] = statuses.get(st, 0) + 1
                    if st >= 500:
                        five[0] += 1
                if why is not None:
                    failures.append(f"case {n} [{name}] {case.label}: {why}: {r!r}")

    poller = threading.Thread(target=poll_ready)
    poller.start()
    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(todo[i::WORKERS],)) for i in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    stop.set()
    poller.join()
    alive = s.proc.poll() is None
    # The cases went past authentication only while the tokens lived.
    for role, token in ctx.tokens.items():
        if alive and s.request("GET", "/v1/me", token=token).status != 200:
            failures.append(f"the {role} token no longer works after the run")
    rss_end = rss_kb(s.proc.pid) if alive else None
    crash = None
    try:
        stop_server(s)
    except AssertionError as e:
        crash = str(e)[-3000:]

    print(f"{len(todo)} requests in {elapsed:.1f} s, statuses "
          + " ".join(f"{k}x{v}" for k, v in sorted(statuses.items())), flush=True)
    print(f"/readyz polled {ready['polls']} times, {len(ready['bad'])} not 200", flush=True)
    notes = f"seed {SEED}; {len(failures)} failed checks; readyz {ready['polls']} polls, " \
            f"{len(ready['bad'])} not 200; RSS of an ASan build (its quarantine included)"
    print("RELIABILITY " + json.dumps({
        "part": "bad_input", "requests": len(todo), "5xx": five[0],
        "crashes": 0 if alive and crash is None else 1, "lost_writes": None, "recovery_s": None,
        "rss_start_kb": rss_start, "rss_end_kb": rss_end, "notes": notes}), flush=True)
    assert alive, "merchantd died during the run"
    assert crash is None, crash
    assert not failures, "\n".join(failures[:20])
    assert not ready["bad"], f"/readyz was not 200: {ready['bad'][:10]}"
    assert ready["polls"] > 0


if __name__ == "__main__":
    main([test_bad_input])
