"""Sessions: one device at a time, logout, expiry, what the database keeps,
response headers of authenticated calls, and the session purge job."""

import base64
import datetime
import hashlib
import itertools
import os
import re
import sys
import uuid

sys.path.insert(0, os.path.dirname(__file__))
from harness import *  # noqa: E402,F401,F403

PASSWORD = "password-123"
HEX32 = re.compile(r"^[0-9a-f]{32}$")

def login_full(s, username, password=PASSWORD, device=None, headers=None):
    body = {"username": username, "password": password}
    if device is not None:
        body["device"] = device
    r = s.request("POST", "/v1/auth/login", body, headers=headers)
    assert r.status == 200, r
    return r


def me(s, token, headers=None):
    return s.request("GET", "/v1/me", token=token, headers=headers)


def token_bytes(token):
    raw = base64.urlsafe_b64decode(token + "=")
    assert len(raw) == 32
    return raw


def token_hash_hex(token):
    """What the server stores: BLAKE2b-256 of the raw token bytes."""
    return hashlib.blake2b(token_bytes(token), digest_size=32).hexdigest()


def session_rows_with_hash(s, hex_hash):
    return int(psql(s.db_url, f"SELECT count(*) FROM sessions "
                              f"WHERE token_hash = '\\x{hex_hash}'::bytea"))


def live_sessions(s, account_id):
    return int(psql(s.db_url, f"SELECT count(*) FROM sessions "
                              f"WHERE ended_at IS NULL AND account_id = {account_id}"))


def assert_replaced(r, device, near=None):
    assert_problem(r, 401, "session_replaced")
    assert r.json["device"] == device, r.json
    replaced_at = parse_time(r.json["replaced_at"])
    if near is not None:
        assert abs((replaced_at - near).total_seconds()) < 300, (r.json, near)
    assert r.headers.get("www-authenticate", "").startswith("Bearer"), r.headers
    return replaced_at


# ---------------------------------------------------------------------------
# One device at a time


def test_one_device_at_a_time():
    name = uname()
    account = srv().register(name)
    a = login_full(srv(), name, device="phone").json["token"]
    assert me(srv(), a).status == 200
    b = login_full(srv(), name, device="web").json["token"]

    r = me(srv(), a)
    replaced_a = assert_replaced(r, "web", near=utcnow())
    r = me(srv(), b)
    assert r.status == 200 and {k: v for k, v in r.json.items() if k != "shops"} == account, r
    assert live_sessions(srv(), account["id"]) == 1

    c = login_full(srv(), name, device="tablet").json["token"]
    assert_replaced(me(srv(), b), "tablet", near=utcnow())
    assert me(srv(), c).status == 200
    # A still names the login that replaced it, and keeps its time.
    assert assert_replaced(me(srv(), a), "web") == replaced_a

    # Logging in again on A's device starts a new session; A stays dead.
    d = login_full(srv(), name, device="phone").json["token"]
    assert d not in (a, b, c)
    assert_replaced(me(srv(), a), "web")
    assert_replaced(me(srv(), c), "phone")
    assert me(srv(), d).status == 200
    assert live_sessions(srv(), account["id"]) == 1
    # Replaced sessions cannot log out either.
    assert_replaced(srv().request("POST", "/v1/auth/logout", token=a), "web")
    assert me(srv(), d).status == 200


def test_login_without_device_replaces_with_empty_device():
    name = uname()
    srv().register(name)
    a = login_full(srv(), name, device="phone").json["token"]
    login_full(srv(), name)
    assert_replaced(me(srv(), a), "")


def test_sessions_of_other_accounts_are_independent():
    x, y = uname(), uname()
    srv().register(x)
    srv().register(y)
    tx = login_full(srv(), x, device="phone").json["token"]
    ty = login_full(srv(), y, device="phone").json["token"]
    assert me(srv(), tx).json["username"] == x
    assert me(srv(), ty).json["username"] == y


def test_concurrent_logins_leave_one_session():
    name = uname()
    account = srv().register(name)
    results = parallel(lambda i: login_full(srv(), name, device=f"dev{i}"),
                       [(i,) for i in range(8)])
    for r in results:
        assert not isinstance(r, Exception), r
        assert r.status == 200, r
    tokens = [r.json["token"] for r in results]
    assert len(set(tokens)) == 8
    replies = [me(srv(), t) for t in tokens]
    working = [r for r in replies if r.status == 200]
    assert len(working) == 1, [r.status for r in replies]
    for r in replies:
        if r.status != 200:
            assert_problem(r, 401, "session_replaced")
            assert re.fullmatch(r"dev[0-7]", r.json["device"]), r.json
    assert live_sessions(srv(), account["id"]) == 1
    assert psql(srv().db_url, f"SELECT count(*) FROM sessions "
                              f"WHERE account_id = {account['id']}") == "8"
    # The live session is the one whose token works.
    live_hash = psql(srv().db_url, f"SELECT encode(token_hash, 'hex') FROM sessions "
                                   f"WHERE ended_at IS NULL AND account_id = {account['id']}")
    winner = tokens[replies.index(working[0])]
    assert live_hash == token_hash_hex(winner)


# ---------------------------------------------------------------------------
# Logout


def test_logout():
    name = uname()
    account = srv().register(name)
    token = login_full(srv(), name).json["token"]
    r = srv().request("POST", "/v1/auth/logout", token=token)
    assert r.status == 204, r
    assert r.raw == "", r
    assert "content-type" not in r.headers, r.headers
    assert r.headers.get("cache-control") == "no-store"

    r = me(srv(), token)
    assert_problem(r, 401, "unauthenticated")
    assert r.headers.get("www-authenticate", "").startswith("Bearer")
    assert_problem(srv().request("POST", "/v1/auth/logout", token=token), 401, "unauthenticated")
    assert_problem(srv().request("POST", "/v1/auth/logout"), 401, "unauthenticated")
    assert psql(srv().db_url, f"SELECT end_reason FROM sessions "
                              f"WHERE account_id = {account['id']}") == "logout"
    assert live_sessions(srv(), account["id"]) == 0

    # A logout with a body is refused, and the session stays alive.
    token = login_full(srv(), name).json["token"]
    r = srv().request("POST", "/v1/auth/logout", {"everywhere": True}, token=token)
    assert_problem(r, 400, "unexpected_body")
    r = srv().request("POST", "/v1/auth/logout", {}, token=token)
    assert_problem(r, 400, "unexpected_body")
    assert me(srv(), token).status == 200
    assert srv().request("POST", "/v1/auth/logout", token=token).status == 204
    assert_problem(me(srv(), token), 401, "unauthenticated")
    # The account can log in again afterwards.
    assert me(srv(), srv().login(name)).status == 200


# ---------------------------------------------------------------------------
# Expiry


def test_session_expiry():
    name = uname()
    srv().register(name)
    r = login_full(srv(), name)
    token = r.json["token"]
    expires = parse_time(r.json["expires_at"])
    try:
        srv().set_clock(fmt_time(expires - datetime.timedelta(seconds=5)))
        assert me(srv(), token).status == 200
        future = utcnow() + datetime.timedelta(days=31)
        srv().set_clock(fmt_time(future))
        r = me(srv(), token)
        assert_problem(r, 401, "session_expired")
        assert r.headers.get("www-authenticate", "").startswith("Bearer")
        assert_problem(srv().request("POST", "/v1/auth/logout", token=token), 401,
                       "session_expired")
        # A new login works while the clock stands still.
        r = login_full(srv(), name)
        new_expires = parse_time(r.json["expires_at"])
        assert abs((new_expires - (future + datetime.timedelta(days=30))).total_seconds()) <= 2
        assert me(srv(), r.json["token"]).status == 200
        # The old, expired token is now also replaced; either way it is refused.
        assert me(srv(), token).status == 401
    finally:
        srv().set_clock(None)


def test_session_days_setting():
    s = start_server({"MERCHANTD_SESSION_DAYS": "1"})
    try:
        name = uname()
        s.register(name)
        before = utcnow()
        r = login_full(s, name)
        after = utcnow()
        expires = parse_time(r.json["expires_at"])
        low = before.replace(microsecond=0) + datetime.timedelta(days=1, seconds=-1)
        high = after + datetime.timedelta(days=1, seconds=1)
        assert low <= expires <= high, (before, expires, after)
        token = r.json["token"]
        try:
            s.set_clock(fmt_time(utcnow() + datetime.timedelta(hours=23)))
            assert me(s, token).status == 200
            s.set_clock(fmt_time(utcnow() + datetime.timedelta(hours=25)))
            assert_problem(me(s, token), 401, "session_expired")
        finally:
            s.set_clock(None)
    finally:
        stop_server(s)


# ---------------------------------------------------------------------------
# What the database keeps


def test_database_stores_only_a_token_hash():
    name = uname()
    account = srv().register(name)
    token = srv().login(name)
    raw_hex = token_bytes(token).hex()
    assert psql(srv().db_url, f"SELECT count(*) FROM sessions "
                              f"WHERE encode(token_hash, 'hex') = '{raw_hex}'") == "0"
    # No column of any session row holds the token, in any spelling.
    b64 = base64.b64encode(token_bytes(token)).decode()
    for needle in (token, raw_hex, b64.rstrip("=")):
        assert psql(srv().db_url, f"SELECT count(*) FROM sessions s "
                                  f"WHERE strpos(s::text, '{needle}') > 0") == "0", needle
        assert psql(srv().db_url, f"SELECT count(*) FROM sessions s "
                                  f"WHERE strpos(encode(s.token_hash, 'base64'), "
                                  f"'{needle}') > 0") == "0", needle
    # What is there is the BLAKE2b-256 of the token's bytes.
    assert session_rows_with_hash(srv(), token_hash_hex(token)) == 1
    assert psql(srv().db_url, f"SELECT octet_length(token_hash) FROM sessions "
                              f"WHERE account_id = {account['id']}") == "32"
    # And the account row keeps no plain password.
    assert psql(srv().db_url, f"SELECT count(*) FROM accounts a "
                              f"WHERE strpos(a::text, '{PASSWORD}') > 0") == "0"


# ---------------------------------------------------------------------------
# Headers


def test_cache_control_no_store():
    name = uname()
    r = srv().request("POST", "/v1/auth/register", {
        "role": "buyer", "username": name, "password": PASSWORD, "display_name": name})
    assert r.status == 201 and r.headers.get("cache-control") == "no-store", r.headers
    r = login_full(srv(), name)
    assert r.headers.get("cache-control") == "no-store", r.headers
    token = r.json["token"]
    r = me(srv(), token)
    assert r.status == 200 and r.headers.get("cache-control") == "no-store", r.headers
    r = me(srv(), None)
    assert r.status == 401 and r.headers.get("cache-control") == "no-store", r.headers
    r = srv().request("POST", "/v1/auth/login", {"username": name, "password": "wrong-pass"})
    assert r.status == 401 and r.headers.get("cache-control") == "no-store", r.headers
    r = srv().request("POST", "/v1/auth/logout", token=token)
    assert r.status == 204 and r.headers.get("cache-control") == "no-store", r.headers


def test_request_id_echoed_or_generated():
    name = uname()
    srv().register(name)
    token = srv().login(name)
    calls = [
        ("GET", "/livez", None, None),
        ("GET", "/v1/me", None, token),
        ("GET", "/v1/me", None, None),
        ("POST", "/v1/auth/login", {"username": name, "password": "wrong-pass"}, None),
        ("POST", "/v1/auth/login", {"username": "X"}, None),
        ("GET", "/v1/nowhere", None, None),
        ("DELETE", "/v1/me", None, token),
        ("POST", "/v1/test/jobs/run", None, None),
    ]
    for method, path, body, tok in calls:
        r = srv().request(method, path, body, token=tok, headers={"X-Request-Id": "abc-123"})
        assert r.headers.get("x-request-id") == "abc-123", (method, path, r.headers)
        if r.json is not None and r.status >= 400:
            assert r.json["request_id"] == "abc-123", r.json
        r = srv().request(method, path, body, token=tok)
        rid = r.headers.get("x-request-id")
        assert rid is not None and HEX32.match(rid), (method, path, r.headers)
        if r.json is not None and r.status >= 400:
            assert r.json["request_id"] == rid
    # Ids differ from request to request.
    ids = {srv().request("GET", "/livez").headers["x-request-id"] for _ in range(5)}
    assert len(ids) == 5
    # Login, register and logout replies carry it too.
    r = login_full(srv(), name, headers={"X-Request-Id": "login-7"})
    assert r.headers.get("x-request-id") == "login-7"
    r = srv().request("POST", "/v1/auth/logout", token=r.json["token"],
                      headers={"X-Request-Id": "bye.1"})
    assert r.status == 204 and r.headers.get("x-request-id") == "bye.1", r.headers
    r = login_full(srv(), name)
    assert HEX32.match(r.headers.get("x-request-id", "")), r.headers
    # An id that is not short and plain is replaced by a generated one.
    for given in ("has space", "a" * 65, "semi;colon"):
        r = srv().request("GET", "/livez", headers={"X-Request-Id": given})
        assert HEX32.match(r.headers.get("x-request-id", "")), (given, r.headers)


# ---------------------------------------------------------------------------
# The purge job


def test_jobs_purge_old_replaced_sessions():
    name = uname()
    account = srv().register(name)
    old = srv().login(name, device="phone")
    new = srv().login(name, device="web")
    old_hash, new_hash = token_hash_hex(old), token_hash_hex(new)
    replaced_at = assert_replaced(me(srv(), old), "web")

    r = srv().request("POST", "/v1/test/jobs/run")
    assert r.status == 200, r
    assert r.json == {"status": "done"}, r.json
    assert session_rows_with_hash(srv(), old_hash) == 1, "purged too early"
    assert_problem(srv().request("POST", "/v1/test/jobs/run", {}), 400, "unexpected_body")

    try:
        # Six days on, the replaced session is still kept (and still explains itself).
        srv().set_clock(fmt_time(replaced_at + datetime.timedelta(days=6)))
        assert srv().request("POST", "/v1/test/jobs/run").json == {"status": "done"}
        assert session_rows_with_hash(srv(), old_hash) == 1, "purged before a week"
        assert_replaced(me(srv(), old), "web")
        # Past eight days it goes; the live session stays.
        srv().set_clock(fmt_time(replaced_at + datetime.timedelta(days=8, minutes=1)))
        r = srv().request("POST", "/v1/test/jobs/run")
        assert r.status == 200 and r.json == {"status": "done"}, r
        assert session_rows_with_hash(srv(), old_hash) == 0, "replaced session not purged"
        assert session_rows_with_hash(srv(), new_hash) == 1
        assert me(srv(), new).status == 200
        assert_problem(me(srv(), old), 401, "unauthenticated")
        assert live_sessions(srv(), account["id"]) == 1
    finally:
        srv().set_clock(None)


if __name__ == "__main__":
    main([test_one_device_at_a_time, test_login_without_device_replaces_with_empty_device,
          test_sessions_of_other_accounts_are_independent,
          test_concurrent_logins_leave_one_session, test_logout, test_session_expiry,
          test_session_days_setting, test_database_stores_only_a_token_hash,
          test_cache_control_no_store, test_request_id_echoed_or_generated,
          test_jobs_purge_old_replaced_sessions])
