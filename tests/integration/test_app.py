"""The web console at /app (docs/operations.md MERCHANTD_WEB_DIR): a built
console in a temporary directory, served from memory.

The app shell for /app, /app/ and the console's own routes (with a query),
its assets by name with their content types; every header of the contract
(the Content-Security-Policy, X-Frame-Options, Referrer-Policy, nosniff,
Cache-Control, ETag, Vary) on 200, 304 and 404; the gzip copy against
Accept-Encoding (q=0 refusing it, "*"), 304 for If-None-Match (a list, a
weak tag, the other copy's tag is no match); 404 for missing assets, a
file name where the console has routes, compressed copies by their own
name and path traversal; HEAD; 405; a server without MERCHANTD_WEB_DIR
answering 404 everywhere under /app; and the refusals at start (no
directory, no index.html, a name that is not plain or too long, more than
16 MiB)."""

import atexit
import gzip
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from harness import *  # noqa: E402,F401,F403

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "connect-src 'self'; font-src 'self'; media-src 'self' blob: data:; object-src 'none'; "
       "base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
SECURITY = {"content-security-policy": CSP, "x-frame-options": "DENY",
            "referrer-policy": "no-referrer", "x-content-type-options": "nosniff"}
IMMUTABLE = "public, max-age=31536000, immutable"
ETAG = re.compile(r'^"[0-9a-f]{32}"$')
NOT_INSTALLED = "the web console is not installed (MERCHANTD_WEB_DIR)"

INDEX = b'<!doctype html><html><head><script type="module" src="/app/assets/app-abc123.js">' \
        b'</script><link rel="stylesheet" href="/app/assets/app-abc123.css"></head>' \
        b'<body><div id="app"></div></body></html>\n'
# Large enough that the gzip copy is much smaller, and spans many packets.
JS = b"".join(b"export const line%d = 'the console, line %d';\n" % (i, i) for i in range(6000))
GZ = gzip.compress(JS, mtime=0)
CSS = b"body { margin: 0; font-family: sans-serif; }\n"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"></svg>'


def build(root, files):
    os.makedirs(os.path.join(root, "assets"), exist_ok=True)
    for name, data in files.items():
        with open(os.path.join(root, name), "wb") as f:
            f.write(data)
    return root


WEB = build(tempfile.mkdtemp(prefix="merchantd-web-"), {
    "index.html": INDEX,
    "assets/app-abc123.js": JS,
    "assets/app-abc123.js.gz": GZ,
    "assets/app-abc123.css": CSS,
    "assets/logo-9f8e.svg": SVG,
})
ENV = {"MERCHANTD_WEB_DIR": WEB}
atexit.register(shutil.rmtree, WEB, True)


def server():
    return srv(ENV)


def fetch(path, headers=None, method="GET", s=None):
    """(status, headers with lower-case names, body bytes), the reply
    checked against docs/openapi.yaml."""
    s = s or server()
    conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=30)
    try:
        conn.request(method, path, headers=headers or {})
        r = conn.getresponse()
        body = r.read()
        h = {k.lower(): v for k, v in r.getheaders()}
    finally:
        conn.close()
    text = body.decode("latin-1") if "content-encoding" in h else body.decode("utf-8", "replace")
    check_reply(method, path, r.status, h, text)
    return r.status, h, body


def assert_security(h, what):
    for name, value in SECURITY.items():
        assert h.get(name) == value, f"{what}: {name} is {h.get(name)!r}"


def assert_not_found(status, h, body, what, detail=None):
    assert status == 404, f"{what}: {status} {body[:200]!r}"
    assert h["content-type"] == "application/problem+json", f"{what}: {h}"
    problem = json.loads(body)
    assert problem["code"] == "not_found" and problem["request_id"] == h["x-request-id"], problem
    if detail is not None:
        assert problem["detail"] == detail, f"{what}: {problem}"
    assert_security(h, what)


def test_shell_at_every_console_route():
    etags = set()
    for path in ("/app", "/app/", "/app/orders", "/app/chat?conversation=12&tab=unread",
                 "/app/assets"):
        status, h, body = fetch(path)
        assert status == 200, (path, status, body[:200])
        assert body == INDEX, path
        assert h["content-type"] == "text/html; charset=utf-8", (path, h)
        assert h["cache-control"] == "no-cache", (path, h)
        assert ETAG.match(h["etag"]), (path, h)
        assert h["vary"] == "Accept-Encoding", (path, h)
        assert "content-encoding" not in h, (path, h)  # no index.html.gz in this build
        assert h["content-length"] == str(len(INDEX)), (path, h)
        assert_security(h, path)
        etags.add(h["etag"])
    assert len(etags) == 1, etags
    # Accepting gzip changes nothing without a compressed copy.
    status, h, body = fetch("/app/orders", {"Accept-Encoding": "gzip"})
    assert status == 200 and body == INDEX and "content-encoding" not in h, h


def test_assets_and_their_types():
    for name, data, ctype in (("app-abc123.js", JS, "text/javascript; charset=utf-8"),
                              ("app-abc123.css", CSS, "text/css; charset=utf-8"),
                              ("logo-9f8e.svg", SVG, "image/svg+xml")):
        path = "/app/assets/" + name
        status, h, body = fetch(path)
        assert status == 200 and body == data, (path, status, body[:200])
        assert h["content-type"] == ctype, (path, h)
        assert h["cache-control"] == IMMUTABLE, (path, h)
        assert ETAG.match(h["etag"]) and h["vary"] == "Accept-Encoding", (path, h)
        assert "content-encoding" not in h, (path, h)
        assert_security(h, path)
    # Each file its own tag, and the shell's differs.
    tags = {fetch(p)[1]["etag"] for p in ("/app", "/app/assets/app-abc123.js",
                                          "/app/assets/app-abc123.css")}
    assert len(tags) == 3, tags


def test_gzip_by_accept_encoding():
    path = "/app/assets/app-abc123.js"
    identity = fetch(path)[1]["etag"]
    zipped = None
    for accept in ("gzip", "gzip, deflate, br", "br;q=1.0, gzip;q=0.8", "x-gzip", "*",
                   "br, *;q=0.5", "GZIP;Q=0.1"):
        status, h, body = fetch(path, {"Accept-Encoding": accept})
        assert status == 200, (accept, status)
        assert h.get("content-encoding") == "gzip", (accept, h)
        assert body == GZ and gzip.decompress(body) == JS, accept
        assert h["content-type"] == "text/javascript; charset=utf-8", (accept, h)
        assert h["vary"] == "Accept-Encoding" and h["cache-control"] == IMMUTABLE, (accept, h)
        assert ETAG.match(h["etag"]) and h["etag"] != identity, (accept, h)
        assert_security(h, accept)
        zipped = zipped or h["etag"]
        assert h["etag"] == zipped, (accept, h)
    for accept in ("gzip;q=0", "gzip; q=0.000", "identity", "br", "gzip;q=0, *", "*;q=0",
                   "br, *;q=0", "gzip;q=2", "gzip;q=", "gzipx"):
        status, h, body = fetch(path, {"Accept-Encoding": accept})
        assert status == 200 and body == JS, (accept, status)
        assert "content-encoding" not in h and h["etag"] == identity, (accept, h)
        assert h["vary"] == "Accept-Encoding", (accept, h)


def test_not_modified():
    for path in ("/app", "/app/orders", "/app/assets/app-abc123.js", "/app/assets/app-abc123.css"):
        status, h, _ = fetch(path)
        tag, cache = h["etag"], h["cache-control"]
        for inm in (tag, f'"0123", {tag}', f"W/{tag}", "*"):
            status, h, body = fetch(path, {"If-None-Match": inm})
            assert status == 304 and body == b"", (path, inm, status)
            assert h["etag"] == tag and h["cache-control"] == cache, (path, inm, h)
            assert h["vary"] == "Accept-Encoding", (path, inm, h)
            assert_security(h, path)
        status, h, body = fetch(path, {"If-None-Match": '"0123456789abcdef0123456789abcdef"'})
        assert status == 200 and body, (path, status)
    # The gzip copy's tag answers 304 to a request for it, not for identity.
    path = "/app/assets/app-abc123.js"
    ztag = fetch(path, {"Accept-Encoding": "gzip"})[1]["etag"]
    status, h, _ = fetch(path, {"Accept-Encoding": "gzip", "If-None-Match": ztag})
    assert status == 304 and h["etag"] == ztag, (status, h)
    status, h, body = fetch(path, {"If-None-Match": ztag})
    assert status == 200 and body == JS and h["etag"] != ztag, (status, h)


def test_missing_files_and_traversal():
    for path in ("/app/assets/nope-1234.js", "/app/assets/app-abc123.js.gz",
                 "/app/assets/APP-ABC123.JS", "/app/assets/app-abc123.js.map",
                 "/app/x.js", "/app/index.html", "/app/favicon.ico", "/app/assets/..%2Findex.html",
                 "/app/assets/%2e%2e%2fapp-abc123.js", "/app/assets/.hidden",
                 "/app/assets/..", "/app/assets/", "/app/orders/12", "/app/../v1/me",
                 "/app/assets/app-abc123.js/", "/app//orders", "/app/%00", "/app/assets/a%00.js",
                 "/appx", "/app.html"):
        status, h, body = fetch(path)
        assert status == 404, (path, status, body[:200])
        assert json.loads(body)["code"] == "not_found", (path, body)
        if path.startswith("/app/"):
            assert_security(h, path)
    assert_not_found(*fetch("/app/x.js"), "/app/x.js", "no such file")
    assert_not_found(*fetch("/app/assets/nope-1234.js"), "missing asset", "no such file")


def test_head():
    for path, data in (("/app", INDEX), ("/app/orders", INDEX),
                       ("/app/assets/app-abc123.css", CSS), ("/app/assets/app-abc123.js", JS)):
        _, get_h, _ = fetch(path)
        status, h, body = fetch(path, method="HEAD")
        assert status == 200 and body == b"", (path, status)
        assert h["content-length"] == str(len(data)), (path, h)
        for name in ("content-type", "etag", "cache-control", "vary"):
            assert h[name] == get_h[name], (path, name, h)
        assert_security(h, path)
    status, h, body = fetch("/app/assets/app-abc123.js", {"Accept-Encoding": "gzip"}, "HEAD")
    assert status == 200 and body == b"" and h["content-encoding"] == "gzip", h
    assert h["content-length"] == str(len(GZ)), h
    status, h, body = fetch("/app/assets/nope-1234.js", method="HEAD")
    assert status == 404 and body == b"", status


def test_other_methods():
    for method, path in (("POST", "/app"), ("POST", "/app/"), ("PUT", "/app/orders"),
                         ("DELETE", "/app/assets/app-abc123.js"), ("PATCH", "/app/x.js")):
        status, h, body = fetch(path, method=method)
        assert status == 405, (method, path, status)
        assert json.loads(body)["code"] == "method_not_allowed"
        assert h["allow"] == "GET, HEAD", (method, path, h)
        assert_security(h, f"{method} {path}")


def test_not_installed():
    s = start_server()  # no MERCHANTD_WEB_DIR
    try:
        for path in ("/app", "/app/", "/app/orders", "/app/assets/app-abc123.js", "/app/x.js"):
            assert_not_found(*fetch(path, s=s), path, NOT_INSTALLED)
        status, _, body = fetch("/app", method="HEAD", s=s)
        assert status == 404 and body == b""
    finally:
        stop_server(s)


def serve_refused(web_dir):
    out = subprocess.run([MERCHANTD, "serve"], env=dict(
        os.environ, DATABASE_URL=server().db_url, PORT=str(free_port()),
        MERCHANTD_WEB_DIR=web_dir), capture_output=True, text=True, timeout=60)
    assert out.returncode == 2, (web_dir, out.returncode, out.stderr[-2000:])
    for marker in SANITIZER_MARKERS:
        assert marker not in out.stderr, out.stderr[-4000:]
    return out.stderr


def test_refusals_at_start():
    root = tempfile.mkdtemp(prefix="merchantd-web-bad-")
    atexit.register(shutil.rmtree, root, True)
    missing = os.path.join(root, "missing")
    err = serve_refused(missing)
    assert "MERCHANTD_WEB_DIR" in err and "could not open the directory" in err \
        and missing in err, err
    no_index = build(os.path.join(root, "no-index"), {"assets/app-1.js": b"1"})
    err = serve_refused(no_index)
    assert "has no index.html" in err and no_index in err, err
    for i, bad in enumerate(("assets/.hidden", "assets/app 1.js", "assets/app?1.js")):
        d = build(os.path.join(root, f"bad-{i}"),
                  {"index.html": INDEX, bad: b"x"})
        err = serve_refused(d)
        assert "is not a plain file name" in err and bad in err, (bad, err)
    long_name = "assets/" + "a" * 98 + ".js"
    err = serve_refused(build(os.path.join(root, "long"), {"index.html": INDEX, long_name: b"x"}))
    assert "longer than 100 characters" in err, err
    big = build(os.path.join(root, "big"), {"index.html": INDEX})
    with open(os.path.join(big, "assets", "big-1.js"), "wb") as f:
        f.truncate(16 * 1024 * 1024 - len(INDEX) + 1)
    err = serve_refused(big)
    assert "exceed 16777216 bytes" in err, err
    # What it refused does not stop a good build from serving.
    assert fetch("/app")[0] == 200


if __name__ == "__main__":
    main([test_shell_at_every_console_route, test_assets_and_their_types,
          test_gzip_by_accept_encoding, test_not_modified, test_missing_files_and_traversal,
          test_head, test_other_methods, test_not_installed, test_refusals_at_start])
