"""HTTP core: routing, body rules, strict JSON, problem replies, headers, ops endpoints."""

import os
import socket
import sys

sys.path.insert(0, os.path.dirname(__file__))
from harness import *  # noqa: E402,F401,F403


def core():
    """The shared server, with a small body cap to test it cheaply."""
    return srv(env={"MERCHANTD_BODY_LIMIT": "4096"})


def raw_request(data, read_timeout=10):
    """Sends raw bytes; returns the raw reply (up to the connection's end)."""
    with socket.create_connection(("127.0.0.1", core().port), timeout=read_timeout) as s:
        s.sendall(data)
        chunks = []
        try:
            while True:
                b = s.recv(65536)
                if not b:
                    break
                chunks.append(b)
        except socket.timeout:
            pass
        return b"".join(chunks)


def test_unknown_path_is_404():
    for path in ("/nope", "/v1", "/v1/me/", "/v1//me", "/v1/auth/login/x"):
        assert_problem(core().request("GET", path), 404, "not_found")


def test_nul_in_path_matches_no_route():
    # A decoded %00 once cut the path short: /livez%00x answered as /livez,
    # /v1/shops/1%00/orders as /v1/shops/1.
    for path in ("/livez%00", "/livez%00x", "/v1/me%00/coupons", "/v1/shops/1%00/orders"):
        assert_problem(core().request("GET", path), 404, "not_found")


def test_contract_check_catches_drift():
    """Every reply the tests receive is checked against docs/openapi.yaml;
    this makes sure the check runs and sees what it must."""
    r = core().request("GET", "/v1/me", token="x" * 43)
    assert r.status == 401
    headers = dict(r.headers)

    def wrong(*args, **kwargs):
        found = contract_violations(*args, **kwargs)
        assert found, (args, kwargs)
        return "\n".join(found)

    assert contract_violations("GET", "/v1/me", 401, headers, r.raw) == []
    # an undocumented status, a missing header, a body outside its schema
    assert "status 418 is not documented" in wrong("GET", "/v1/me", 418, headers, r.raw)
    del headers["www-authenticate"]
    assert "WWW-Authenticate missing" in wrong("GET", "/v1/me", 401, headers, r.raw)
    headers = dict(r.headers)
    body = json.dumps(dict(r.json, code="no_such_code"))
    assert "/code must be equal to one of the allowed values" in \
        wrong("GET", "/v1/me", 401, headers, body)
    # an undocumented path that answers anything but 404, the wrong Allow
    assert "no documented path" in wrong("GET", "/v2/me", 401, headers, r.raw)
    r = core().request("DELETE", "/v1/me")
    assert "Allow is" in wrong("DELETE", "/v1/me", 405, dict(r.headers, allow="GET, POST"),
                               r.raw)
    # garbage requests: an error needs only a documented status and the
    # Problem shape, a success is checked in full
    assert contract_violations("PATCH", "/v1/me", 405, r.headers,
                               r.raw.replace("this path allows GET", "x"), lenient=True) == []
    assert "body" in wrong("GET", "/livez", 200, {"content-type": "application/json",
                                                  "x-request-id": "a"}, "{}", lenient=True)


def test_wrong_method_is_405_with_allow():
    r = core().request("DELETE", "/v1/me")
    assert_problem(r, 405, "method_not_allowed")
    assert r.headers["allow"] == "GET, HEAD"
    r = core().request("HEAD", "/v1/auth/login")
    assert r.status == 405 and r.headers["allow"] == "POST" and r.raw == "", r
    r = core().request("GET", "/v1/auth/login")
    assert_problem(r, 405, "method_not_allowed")
    assert r.headers["allow"] == "POST"


def test_head_is_get_without_a_body():
    """HEAD answers as GET would, headers and all, with no body."""
    name = uname("h")
    core().register(name)
    token = core().login(name)
    for path, tok in (("/livez", None), ("/readyz", None), ("/v1/me", token),
                      ("/v1/carriers", None), ("/v1/shops", token)):
        get = core().request("GET", path, token=tok)
        head = core().request("HEAD", path, token=tok)
        assert get.status == 200 and head.status == 200, (path, get, head)
        assert head.raw == "", (path, head.raw)
        for h in ("content-type", "content-length", "cache-control"):
            assert head.headers.get(h) == get.headers.get(h), (path, h, head.headers)
    # A stream's HEAD is its headers, at once: no event is waited for.
    r = core().request("HEAD", "/v1/events", token=token, timeout=10)
    assert r.status == 200 and r.raw == "", r
    assert r.headers["content-type"].startswith("text/event-stream"), r.headers
    # Authentication and errors as GET has them.
    assert core().request("HEAD", "/v1/me").status == 401
    assert core().request("HEAD", "/v1/shops/999999999").status in (401, 404)
    r = core().request("HEAD", "/v1/shops/999999999", token=token)
    assert r.status == 404 and r.raw == "", r
    # The connection stays usable after a HEAD reply.
    with socket.create_connection(("127.0.0.1", core().port), timeout=10) as c:
        c.sendall(b"HEAD /livez HTTP/1.1\r\nHost: x\r\n\r\nGET /livez HTTP/1.1\r\nHost: x\r\n"
                  b"Connection: close\r\n\r\n")
        data = b""
        while True:
            chunk = c.recv(65536)
            if not chunk:
                break
            data += chunk
    assert data.count(b"HTTP/1.1 200") == 2 and data.endswith(b'{"status":"ok"}'), data


def test_declared_body_over_cap_is_413():
    r = core().request("POST", "/v1/auth/login", raw=b"{" + b" " * 5000 + b"}",
                      headers={"Content-Type": "application/json"})
    assert_problem(r, 413, "payload_too_large")


def test_chunked_body_over_cap_is_413():
    body = b'{"username": "' + b"a" * 6000 + b'"}'
    chunked = b""
    for i in range(0, len(body), 1000):
        part = body[i:i + 1000]
        chunked += b"%x\r\n" % len(part) + part + b"\r\n"
    chunked += b"0\r\n\r\n"
    reply = raw_request(b"POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                        b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + chunked)
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
    assert b"payload_too_large" in reply
    check_raw_reply("POST", "/v1/auth/login", reply)


def test_ambiguous_body_length_is_refused():
    """Two lengths (or a length beside chunked encoding) would let a proxy
    and merchantd split the stream differently: refused, body unread."""
    body = b'{"username": "a", "password": "b"}'
    for framing in (b"Content-Length: %d\r\nContent-Length: 5\r\n" % len(body),
                    b"Content-Length: %d\r\nContent-Length: %d\r\n" % (len(body), len(body)),
                    b"Content-Length: %d\r\nTransfer-Encoding: chunked\r\n" % len(body)):
        reply = raw_request(b"POST /v1/auth/login HTTP/1.1\r\nHost: x\r\n"
                            b"Content-Type: application/json\r\n" + framing + b"\r\n" + body
                            + b"GET /livez HTTP/1.1\r\nHost: x\r\n\r\n")
        assert reply.startswith(b"HTTP/1.1 400"), reply[:200]
        assert b'"field":"Content-Length"' in reply, reply
        # The connection closes: what follows is never read as a request.
        assert b"\r\nConnection: close\r\n" in reply, reply
        assert reply.count(b"HTTP/1.1 ") == 1, reply
        check_raw_reply("POST", "/v1/auth/login", reply)


def test_non_json_content_type_is_415():
    for ctype in ("text/plain", "application/x-www-form-urlencoded", "application/jsonx", None):
        headers = {"Content-Type": ctype} if ctype else {}
        r = core().request("POST", "/v1/auth/login", raw=b'{"username": "a"}', headers=headers)
        assert_problem(r, 415, "unsupported_media_type")
    r = core().request("POST", "/v1/auth/login", raw=b'{"username":"nobody-here","password":"x"}',
                      headers={"Content-Type": "application/json; charset=utf-8"})
    assert_problem(r, 401, "invalid_credentials")


def test_malformed_json_is_400():
    bodies = [b"", b"{", b"[]", b'"text"', b"null", b"{'a': 1}", b'{"a": 1,}', b"\xff\xfe{}",
              b'{"a": "\xc3\x28"}', b"[" * 100 + b"]" * 100, b'{"a":' * 40 + b"1" + b"}" * 40]
    for b in bodies:
        r = core().request("POST", "/v1/auth/login", raw=b,
                          headers={"Content-Type": "application/json"})
        assert_problem(r, 400, "invalid_json")
        assert isinstance(r.json.get("errors"), list) and r.json["errors"], r.json


def test_duplicate_keys_are_refused():
    r = core().request("POST", "/v1/auth/login",
                      raw=b'{"username": "abc", "username": "def", "password": "x"}',
                      headers={"Content-Type": "application/json"})
    assert_problem(r, 400, "invalid_json")
    assert "duplicate" in r.json["detail"]


def test_unknown_and_invalid_fields_are_listed():
    r = core().request("POST", "/v1/auth/register",
                      {"role": "merchant", "username": "okname", "password": 12345678,
                       "display_name": "x", "is_admin": True})
    assert_problem(r, 400, "unknown_field")
    fields = {e["field"]: e["message"] for e in r.json["errors"]}
    assert "is_admin" in fields and "password" in fields, fields
    r = core().request("POST", "/v1/auth/register", {"role": "merchant"})
    assert_problem(r, 400, "invalid_field")
    fields = {e["field"] for e in r.json["errors"]}
    assert fields == {"username", "password", "display_name"}, fields


def test_nul_in_string_is_refused():
    r = core().request("POST", "/v1/auth/login", raw=b'{"username": "ab\\u0000c", "password": "x"}',
                      headers={"Content-Type": "application/json"})
    assert_problem(r, 400, "invalid_json")


def test_body_on_bodyless_route_is_400():
    token = login_new_user()
    r = core().request("POST", "/v1/auth/logout", raw=b"{}", token=token,
                      headers={"Content-Type": "application/json"})
    assert_problem(r, 400, "unexpected_body")


def login_new_user():
    name = "core" + uuid.uuid4().hex[:10]
    core().register(name)
    return core().login(name)


def test_request_id_echoed_or_made():
    r = core().request("GET", "/livez", headers={"X-Request-Id": "req-42.a:b_c"})
    assert r.headers["x-request-id"] == "req-42.a:b_c"
    r = core().request("GET", "/livez", headers={"X-Request-Id": "bad id with spaces"})
    assert re.fullmatch(r"[0-9a-f]{32}", r.headers["x-request-id"]), r.headers
    r = core().request("GET", "/nope")
    assert re.fullmatch(r"[0-9a-f]{32}", r.headers["x-request-id"])
    assert r.json["request_id"] == r.headers["x-request-id"]


def test_api_replies_are_not_cached():
    token = login_new_user()
    r = core().request("GET", "/v1/me", token=token)
    assert r.status == 200 and r.headers["cache-control"] == "no-store"
    assert core().request("GET", "/v1/me").headers["cache-control"] == "no-store"


def test_livez_readyz_metrics():
    r = core().request("GET", "/livez")
    assert r.status == 200 and r.json == {"status": "ok"}
    r = core().request("GET", "/readyz")
    assert r.status == 200 and r.json == {"status": "ready"}
    r = core().request("GET", "/metrics")
    assert r.status == 200 and r.headers["content-type"].startswith("text/plain")
    text = r.raw
    assert 'merchantd_http_requests_total{method="GET",route="/livez",status="200"}' in text
    assert 'merchantd_http_request_duration_seconds_bucket{method="GET",route="/livez",le="+Inf"}' \
        in text
    for name in ("merchantd_db_connections_open", "merchantd_sessions_active",
                 "merchantd_http_requests_in_flight", "merchantd_db_queries_total"):
        assert re.search(rf"^{name} \d+", text, re.M), name
    # Every sample line is "name{labels} value" or "name value"; label
    # values are quoted and may hold braces (route="/v1/shops/{id}").
    label = r'[a-z_]+="(?:[^"\\]|\\.)*"'
    for line in text.splitlines():
        if line and not line.startswith("#"):
            assert re.fullmatch(rf'[a-z_]+(\{{{label}(,{label})*\}})? [0-9.e+-]+', line), line


def test_test_routes_absent_without_test_mode():
    plain = start_server(test_mode=False)
    assert_problem(plain.request("PUT", "/v1/test/clock", {"now": None}), 404, "not_found")
    assert_problem(plain.request("POST", "/v1/test/jobs/run"), 404, "not_found")
    stop_server(plain)


def test_clock_route_validates():
    r = core().request("PUT", "/v1/test/clock", {"now": "yesterday"})
    assert_problem(r, 400, "invalid_field")
    r = core().request("PUT", "/v1/test/clock", {})
    assert_problem(r, 400, "invalid_field")
    r = core().request("PUT", "/v1/test/clock", {"now": "2030-01-01T00:00:00+08:00"})
    assert r.status == 200 and r.json == {"now": "2029-12-31T16:00:00Z", "frozen": True}
    r = core().request("PUT", "/v1/test/clock", {"now": None})
    assert r.status == 200 and r.json["frozen"] is False


def test_keep_alive_survives_errors():
    conn = http.client.HTTPConnection("127.0.0.1", core().port, timeout=10)
    try:
        for path in ("/livez", "/nope", "/v1/me", "/livez"):
            conn.request("GET", path)
            r = conn.getresponse()
            r.read()
            assert r.status in (200, 401, 404)
            assert not r.will_close, path
    finally:
        conn.close()


def test_one_json_log_line_per_request():
    out = tempfile.TemporaryFile(mode="w+b")
    s = start_server(env={"MERCHANTD_LOG_LEVEL": "info"}, stdout=out)
    s.register("logline1")
    token = s.login("logline1")
    s.request("GET", "/v1/me", token=token, headers={"X-Request-Id": "log-me-1"})
    # A merchant on a buyer route: refused before it is authenticated.
    s.request("GET", "/v1/orders", token=token, headers={"X-Request-Id": "log-403-1"})
    s.request("GET", '/v1/"quoted"\\path%FF%C3%A9', headers={"X-Request-Id": "log-odd-1"})
    stop_server(s)
    out.seek(0)
    lines = [json.loads(line) for line in out.read().decode("utf-8").splitlines()]
    by_id = {line["request_id"]: line for line in lines}
    me = by_id["log-me-1"]
    assert me["method"] == "GET" and me["path"] == "/v1/me" and me["status"] == 200
    assert me["account"] is not None and isinstance(me["duration_us"], int)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", me["time"])
    refused = by_id["log-403-1"]
    assert refused["status"] == 403 and refused["account"] is None, refused
    odd = by_id["log-odd-1"]
    assert odd["status"] == 404 and odd["account"] is None
    assert odd["path"].startswith('/v1/"quoted"\\path') and odd["path"].endswith("?é"), odd


def test_garbage_requests_do_not_hurt():
    for data in (b"\x00\x01\x02\r\n\r\n", b"GET\r\n\r\n", b"GET /livez HTTP/9.9\r\n\r\n",
                 b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
                 b"POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{",
                 b"POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n"):
        reply = raw_request(data, read_timeout=2)
        # 505 is the protocol's own answer to an unknown HTTP version.
        assert not reply.startswith(b"HTTP/1.1 5") or reply.startswith(b"HTTP/1.1 505"), reply[:100]
        check_garbage_reply(data, reply)
    assert core().request("GET", "/readyz").status == 200


if __name__ == "__main__":
    main([test_contract_check_catches_drift, test_unknown_path_is_404,
          test_nul_in_path_matches_no_route,
          test_wrong_method_is_405_with_allow, test_head_is_get_without_a_body,
          test_declared_body_over_cap_is_413, test_chunked_body_over_cap_is_413,
          test_ambiguous_body_length_is_refused,
          test_non_json_content_type_is_415, test_malformed_json_is_400,
          test_duplicate_keys_are_refused, test_unknown_and_invalid_fields_are_listed,
          test_nul_in_string_is_refused, test_body_on_bodyless_route_is_400,
          test_request_id_echoed_or_made, test_api_replies_are_not_cached,
          test_livez_readyz_metrics, test_test_routes_absent_without_test_mode,
          test_clock_route_validates, test_keep_alive_survives_errors,
          test_one_json_log_line_per_request, test_garbage_requests_do_not_hurt])
