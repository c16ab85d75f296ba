"""Accounts and logins: registration rules, login, throttling, the hash pool cap,
reviewer accounts made on the command line, and the Authorization header."""

import base64
import datetime
import itertools
import os
import re
import statistics
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(__file__))
from harness import *  # noqa: E402,F401,F403

PASSWORD = "password-123"
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")
ACCOUNT_KEYS = {"id", "role", "username", "display_name", "created_at"}

def register_raw(s, body):
    return s.request("POST", "/v1/auth/register", body)


def register_body(username, role="merchant", password=PASSWORD, display_name=None):
    return {"role": role, "username": username, "password": password,
            "display_name": display_name if display_name is not None else username}


def login_raw(s, username, password=PASSWORD, device=None, headers=None):
    body = {"username": username, "password": password}
    if device is not None:
        body["device"] = device
    return s.request("POST", "/v1/auth/login", body, headers=headers)


def assert_field_error(r, field, code="invalid_field", contains=None):
    """A 400 problem listing `field` in errors[] (with `contains` in its message)."""
    assert_problem(r, 400, code)
    errors = r.json.get("errors")
    assert isinstance(errors, list) and errors, f"errors[] missing: {r.json}"
    for e in errors:
        assert set(e) == {"field", "message"}, e
        assert isinstance(e["message"], str) and e["message"], e
    hits = [e for e in errors if e["field"] == field]
    assert hits, f"no error for field {field!r}: {r.json}"
    if contains is not None:
        assert any(contains in e["message"] for e in hits), \
            f"no message containing {contains!r} for {field!r}: {r.json}"
    return hits


def assert_account(account, username, role, display_name=None):
    assert set(account) == ACCOUNT_KEYS | ({"permissions"} if role == "staff" else set()), account
    assert isinstance(account["id"], int) and not isinstance(account["id"], bool), account
    assert account["id"] > 0, account
    assert account["role"] == role, account
    assert account["username"] == username, account
    assert account["display_name"] == (display_name if display_name is not None else username)
    created = parse_time(account["created_at"])
    assert abs((created - utcnow()).total_seconds()) < 300, account


def assert_no_secret(r, password):
    text = r.raw
    assert "password" not in text.lower(), f"password mentioned in {text}"
    assert "argon2" not in text.lower(), f"a hash in {text}"
    assert password not in text, f"the password itself in {text}"
    assert "hash" not in text.lower(), f"a hash in {text}"


def account_count(s, username):
    return int(psql(s.db_url, f"SELECT count(*) FROM accounts WHERE username = '{username}'"))


def retry_after(r):
    value = r.headers.get("retry-after")
    assert value is not None, f"no Retry-After on {r} {r.headers}"
    assert re.fullmatch(r"[0-9]+", value), value
    return int(value)


def random_token():
    return base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()


# ---------------------------------------------------------------------------
# Registration


def test_register_merchant_and_buyer():
    for role in ("merchant", "buyer"):
        name = uname(role[0])
        password = f"secret-{uuid.uuid4().hex[:10]}"
        r = register_raw(srv(), register_body(name, role=role, password=password,
                                              display_name=f"Shop {name}"))
        assert r.status == 201, r
        assert r.headers.get("content-type") == "application/json", r.headers
        assert_account(r.json, name, role, display_name=f"Shop {name}")
        assert_no_secret(r, password)
        stored = psql(srv().db_url,
                      f"SELECT role, password_hash FROM accounts WHERE id = {r.json['id']}")
        stored_role, stored_hash = stored.split("|", 1)
        assert stored_role == role
        assert stored_hash.startswith("$argon2id$"), stored_hash
        assert password not in stored_hash


def test_register_ids_are_distinct():
    a = srv().register(uname(), role="buyer")
    b = srv().register(uname(), role="buyer")
    assert a["id"] != b["id"]


def test_register_reviewer_role_refused():
    name = uname()
    r = register_raw(srv(), register_body(name, role="reviewer"))
    hits = assert_field_error(r, "role", contains="created by the platform")
    assert len(r.json["errors"]) == 1, r.json
    assert len(hits) == 1
    assert account_count(srv(), name) == 0


def test_register_bad_role():
    for role in ("admin", "Merchant", "merchant ", "", "x" * 17, "buyers"):
        name = uname()
        r = register_raw(srv(), register_body(name, role=role))
        assert_field_error(r, "role")
        assert [e["field"] for e in r.json["errors"]] == ["role"], r.json
        assert account_count(srv(), name) == 0
    r = register_raw(srv(), register_body(uname(), role="admin"))
    assert_field_error(r, "role", contains='"merchant" or "buyer"')


def test_register_bad_username():
    bad = ["ab", "a" * 33, "a" * 65, "a" * 200, "Alice", "ALICE", "al ice", " alice",
           "alice\t", "ünïcode", "名字名字", "al/ice", "al@ice", "al+ice", ""]
    for username in bad:
        r = register_raw(srv(), register_body(username, display_name="Some One"))
        assert_field_error(r, "username")
        assert [e["field"] for e in r.json["errors"]] == ["username"], (username, r.json)
    r = register_raw(srv(), register_body("ab", display_name="x"))
    assert_field_error(r, "username", contains="3 to 32")
    r = register_raw(srv(), register_body("Abc", display_name="x"))
    assert_field_error(r, "username", contains="a-z")
    # The boundaries themselves are fine, as are the other allowed characters.
    suffix = uuid.uuid4().hex
    for good in (suffix[:3], ("z" + suffix)[:32], f"a_b.c-{suffix[:8]}"):
        r = register_raw(srv(), register_body(good, display_name="Some One"))
        assert r.status == 201, (good, r)
        assert r.json["username"] == good


def test_register_password_length():
    name = uname()
    r = register_raw(srv(), register_body(name, password="x" * 7))
    assert_field_error(r, "password", contains="8 to 1024 bytes")
    assert account_count(srv(), name) == 0
    # Bytes, not characters: three 2-byte characters are 6 bytes, refused;
    # four are 8 bytes, accepted.
    r = register_raw(srv(), register_body(name, password="ééé"))
    assert_field_error(r, "password")
    r = register_raw(srv(), register_body(uname(), password="éééé"))
    assert r.status == 201, r
    r = register_raw(srv(), register_body(name, password="x" * 1025))
    assert_field_error(r, "password", contains="8 to 1024 bytes")
    r = register_raw(srv(), register_body(name, password="é" * 513))  # 1026 bytes
    assert_field_error(r, "password")
    assert account_count(srv(), name) == 0

    r = register_raw(srv(), register_body(name, password="y" * 8))
    assert r.status == 201, r
    assert login_raw(srv(), name, "y" * 8).status == 200

    long_name = uname()
    long_password = ("0123456789abcdef" * 64)[:1024]
    r = register_raw(srv(), register_body(long_name, password=long_password))
    assert r.status == 201, r
    assert_no_secret(r, long_password)
    r = login_raw(srv(), long_name, long_password)
    assert r.status == 200, r
    # A password that differs only in its last byte is wrong.
    r = login_raw(srv(), long_name, long_password[:-1] + "X")
    assert_problem(r, 401, "invalid_credentials")


def test_register_display_name_length():
    name = uname()
    r = register_raw(srv(), register_body(name, display_name=""))
    assert_field_error(r, "display_name", contains="1 to 64 characters")
    r = register_raw(srv(), register_body(name, display_name="a\u0000b"))
    assert r.status == 400, r  # jansson refuses NUL before the field rules run
    r = register_raw(srv(), register_body(name, display_name="x" * 65))
    assert_field_error(r, "display_name")
    r = register_raw(srv(), register_body(name, display_name="汉" * 65))
    assert_field_error(r, "display_name", contains="1 to 64 characters")
    assert account_count(srv(), name) == 0

    # 64 characters count, whatever their bytes: 192 bytes of CJK, 256 of emoji.
    for display_name in ("汉" * 64, "😀" * 64, "x" * 64):
        n = uname()
        r = register_raw(srv(), register_body(n, display_name=display_name))
        assert r.status == 201, r
        assert r.json["display_name"] == display_name, r.json
        token = srv().login(n)
        me = srv().request("GET", "/v1/me", token=token)
        assert me.status == 200, me
        assert me.json["display_name"] == display_name, me.json
        stored = psql(srv().db_url, f"SELECT char_length(display_name) FROM accounts "
                                    f"WHERE username = '{n}'")
        assert stored == "64", stored


def test_register_missing_fields():
    r = register_raw(srv(), {})
    assert_problem(r, 400, "invalid_field")
    by_field = {e["field"]: e["message"] for e in r.json["errors"]}
    assert set(by_field) == {"role", "username", "password", "display_name"}, r.json
    for message in by_field.values():
        assert "is required" in message, r.json
    full = register_body(uname())
    for missing in ("role", "username", "password", "display_name"):
        body = {k: v for k, v in full.items() if k != missing}
        r = register_raw(srv(), body)
        hits = assert_field_error(r, missing, contains="is required")
        assert len(r.json["errors"]) == 1 and len(hits) == 1, r.json
    assert account_count(srv(), full["username"]) == 0


def test_register_unknown_field():
    name = uname()
    body = register_body(name)
    body["email"] = "someone@example.com"
    r = register_raw(srv(), body)
    assert_field_error(r, "email", code="unknown_field", contains="unknown field")
    body = register_body(name)
    body["Role"] = "buyer"
    assert_field_error(register_raw(srv(), body), "Role", code="unknown_field")
    assert account_count(srv(), name) == 0


def test_register_wrong_types():
    name = uname()
    body = register_body(name)
    body["password"] = 12345678
    hits = assert_field_error(register_raw(srv(), body), "password", contains="must be a string")
    assert len(hits) == 1
    for field, value in (("username", 123), ("role", True), ("display_name", ["x"]),
                         ("password", {"a": 1}), ("username", 1.5)):
        body = register_body(name)
        body[field] = value
        assert_field_error(register_raw(srv(), body), field, contains="must be a string")
    body = register_body(name)
    body["username"] = None
    assert_field_error(register_raw(srv(), body), "username", contains="must not be null")
    assert account_count(srv(), name) == 0


def test_register_username_taken():
    name = uname()
    srv().register(name, role="merchant")
    for role in ("merchant", "buyer"):
        r = register_raw(srv(), register_body(name, role=role, password="another-password",
                                              display_name="Someone Else"))
        assert_problem(r, 409, "username_taken")
    assert account_count(srv(), name) == 1
    # The first account is untouched: its password still logs in.
    assert login_raw(srv(), name).status == 200
    assert_problem(login_raw(srv(), name, "another-password"), 401, "invalid_credentials")


def test_register_same_username_concurrently():
    name = uname()
    results = parallel(lambda i: register_raw(srv(), register_body(
        name, password=f"password-{i}", display_name=f"racer {i}")), [(i,) for i in range(10)])
    for r in results:
        assert not isinstance(r, Exception), r
    created = [r for r in results if r.status == 201]
    taken = [r for r in results if r.status != 201]
    assert len(created) == 1, results
    assert len(taken) == 9, results
    for r in taken:
        assert_problem(r, 409, "username_taken")
    assert account_count(srv(), name) == 1
    winner = int(created[0].json["display_name"].split()[1])
    assert login_raw(srv(), name, f"password-{winner}").status == 200


# ---------------------------------------------------------------------------
# Login


def test_login_returns_token_and_account():
    name = uname()
    account = srv().register(name, role="buyer")
    before = utcnow()
    r = login_raw(srv(), name, device="phone")
    after = utcnow()
    assert r.status == 200, r
    assert r.headers.get("content-type") == "application/json"
    assert set(r.json) == {"token", "expires_at", "account"}, r.json
    assert TOKEN_RE.match(r.json["token"]), r.json["token"]
    assert len(base64.urlsafe_b64decode(r.json["token"] + "=")) == 32
    expires = parse_time(r.json["expires_at"])
    low = before.replace(microsecond=0) + datetime.timedelta(days=30, seconds=-1)
    high = after + datetime.timedelta(days=30, seconds=1)
    assert low <= expires <= high, (before, expires, after)
    assert r.json["account"] == account, (r.json["account"], account)
    assert PASSWORD not in r.raw
    assert "argon2" not in r.raw

    # Every login hands out a different token.
    other = login_raw(srv(), name)
    assert other.status == 200 and other.json["token"] != r.json["token"]


def test_token_works_on_me():
    name = uname()
    account = srv().register(name, role="merchant", display_name="Mia's Shop")
    token = srv().login(name)
    r = srv().request("GET", "/v1/me", token=token)
    assert r.status == 200, r
    assert r.headers.get("content-type") == "application/json"
    # A merchant's /v1/me adds the shops it owns (none yet) to the account.
    assert r.json == dict(account, shops=[]), (r.json, account)


def test_login_failures_look_the_same():
    name = uname()
    srv().register(name)
    wrong = login_raw(srv(), name, "not-the-password")
    unknown = login_raw(srv(), uname("ghost"), "not-the-password")
    assert_problem(wrong, 401, "invalid_credentials")
    assert_problem(unknown, 401, "invalid_credentials")
    assert wrong.headers.get("www-authenticate", "").startswith("Bearer"), wrong.headers
    assert unknown.headers.get("www-authenticate") == wrong.headers.get("www-authenticate")
    for member in ("type", "title", "detail", "code", "status"):
        assert wrong.json[member] == unknown.json[member], (member, wrong.json, unknown.json)
    assert set(wrong.json) == set(unknown.json), (wrong.json, unknown.json)
    assert wrong.json["request_id"] != unknown.json["request_id"]
    # Same reply, byte for byte, once the request ids are set aside.
    assert wrong.raw.replace(wrong.json["request_id"], "") == \
        unknown.raw.replace(unknown.json["request_id"], "")


def test_login_timing_does_not_reveal_usernames():
    # Two accounts take the wrong passwords so that neither reaches the
    # per-username limit; every unknown name is fresh.
    accounts = [uname("t"), uname("t")]
    for a in accounts:
        srv().register(a)

    def timed(username):
        start = time.perf_counter()
        r = login_raw(srv(), username, "definitely-wrong")
        elapsed = time.perf_counter() - start
        assert_problem(r, 401, "invalid_credentials")
        return elapsed

    timed(accounts[0])  # warm up both paths
    timed(uname("ghost"))
    wrong, unknown = [], []
    for i in range(5):
        wrong.append(timed(accounts[i % 2]))
        unknown.append(timed(uname("ghost")))
    wrong_median = statistics.median(wrong)
    unknown_median = statistics.median(unknown)
    ratio = unknown_median / wrong_median
    assert 0.5 <= ratio <= 2.0, \
        f"unknown user {unknown_median:.4f}s vs wrong password {wrong_median:.4f}s " \
        f"(ratio {ratio:.2f}); samples {unknown} / {wrong}"


def test_login_malformed_input():
    name = uname()
    srv().register(name)
    for username in ("AB", "ab", "Alice", "al ice", "a" * 33, "a" * 65, "ünï", ""):
        r = login_raw(srv(), username)
        assert_field_error(r, "username")
    r = srv().request("POST", "/v1/auth/login", {"username": name})
    assert_field_error(r, "password", contains="is required")
    r = srv().request("POST", "/v1/auth/login", {"password": PASSWORD})
    assert_field_error(r, "username", contains="is required")
    assert_field_error(login_raw(srv(), name, ""), "password")
    assert_field_error(login_raw(srv(), name, "x" * 1025), "password")
    assert_field_error(login_raw(srv(), name, 12345678), "password", contains="must be a string")
    assert_field_error(login_raw(srv(), name, device="d" * 129), "device")
    assert_field_error(login_raw(srv(), name, device=7), "device")
    r = srv().request("POST", "/v1/auth/login", {"username": name, "password": PASSWORD,
                                                 "remember_me": True})
    assert_field_error(r, "remember_me", code="unknown_field")
    # Refused input counts as no failed login: the account still logs in.
    assert login_raw(srv(), name).status == 200
    # A null device is the same as none; 128 characters are fine.
    assert login_raw(srv(), name, device=None).status == 200
    r = srv().request("POST", "/v1/auth/login",
                      {"username": name, "password": PASSWORD, "device": None})
    assert r.status == 200, r
    assert login_raw(srv(), name, device="设" * 128).status == 200


def test_login_keeps_current_hash():
    name = uname()
    account = srv().register(name)
    sql = f"SELECT password_hash FROM accounts WHERE id = {account['id']}"
    before = psql(srv().db_url, sql)
    assert before.startswith("$argon2id$"), before
    for _ in range(2):
        srv().login(name)
    assert psql(srv().db_url, sql) == before, "a current hash was rehashed"


# ---------------------------------------------------------------------------
# Throttling


def test_rate_limit_per_username():
    s = start_server({"MERCHANTD_LOGIN_USER_FAILURES": "3"})
    try:
        victim, bystander = uname("v"), uname("b")
        s.register(victim)
        s.register(bystander)
        for _ in range(3):
            assert_problem(login_raw(s, victim, "wrong-password"), 401, "invalid_credentials")
        r = login_raw(s, victim)  # the right password, but too late
        assert_problem(r, 429, "too_many_attempts")
        assert 0 < retry_after(r) <= 900, r.headers
        r = login_raw(s, victim, "wrong-password")
        assert_problem(r, 429, "too_many_attempts")
        assert 0 < retry_after(r) <= 900
        # Another username from the same address is not affected.
        r = login_raw(s, bystander)
        assert r.status == 200, r
        # Past the window the right password works again.
        s.set_clock(fmt_time(utcnow() + datetime.timedelta(minutes=16)))
        try:
            r = login_raw(s, victim)
            assert r.status == 200, r
            assert s.request("GET", "/v1/me", token=r.json["token"]).status == 200
        finally:
            s.set_clock(None)
    finally:
        stop_server(s)


def test_rate_limit_reset_by_success():
    s = start_server({"MERCHANTD_LOGIN_USER_FAILURES": "3"})
    try:
        name = uname()
        s.register(name)
        for _ in range(2):
            assert_problem(login_raw(s, name, "wrong-password"), 401, "invalid_credentials")
        assert login_raw(s, name).status == 200  # clears the two failures
        for _ in range(2):
            assert_problem(login_raw(s, name, "wrong-password"), 401, "invalid_credentials")
        assert login_raw(s, name).status == 200
        # Without a success in between, three failures do lock.
        for _ in range(3):
            assert_problem(login_raw(s, name, "wrong-password"), 401, "invalid_credentials")
        assert_problem(login_raw(s, name), 429, "too_many_attempts")
    finally:
        stop_server(s)


def test_rate_limit_per_address():
    s = start_server({"MERCHANTD_LOGIN_IP_FAILURES": "5",
                      "MERCHANTD_LOGIN_USER_FAILURES": "1000"})
    try:
        good = uname("g")
        s.register(good)
        others = [uname("o") for _ in range(2)]
        for o in others:
            s.register(o)
        # Five failures spread over different usernames, known and unknown.
        for target in others + [uname("ghost") for _ in range(3)]:
            assert_problem(login_raw(s, target, "wrong-password"), 401, "invalid_credentials")
        for target in (good, uname("ghost")):
            r = login_raw(s, target)
            assert_problem(r, 429, "too_many_attempts")
            assert 0 < retry_after(r) <= 900, r.headers
        s.set_clock(fmt_time(utcnow() + datetime.timedelta(minutes=16)))
        try:
            assert login_raw(s, good).status == 200
        finally:
            s.set_clock(None)
    finally:
        stop_server(s)


# ---------------------------------------------------------------------------
# The hash pool


def test_hash_pool_cap_answers_busy():
    s = start_server({"MERCHANTD_HASH_WORKERS": "1", "MERCHANTD_HASH_QUEUE": "0"})
    try:
        name = uname()
        s.register(name)
        statuses = {}
        busy = []
        livez_times = []
        for attempt in range(3):
            results = []
            worker = threading.Thread(target=lambda: results.extend(
                parallel(lambda: login_raw(s, name), [()] * 12)))
            worker.start()
            time.sleep(0.01)
            while True:
                start = time.perf_counter()
                r = s.request("GET", "/livez", timeout=10)
                livez_times.append(time.perf_counter() - start)
                assert r.status == 200, r
                if not worker.is_alive():
                    break
                time.sleep(0.005)
            worker.join()
            for r in results:
                assert not isinstance(r, Exception), r
                statuses[r.status] = statuses.get(r.status, 0) + 1
                if r.status == 503:
                    busy.append(r)
                else:
                    assert r.status == 200, r
            if statuses.get(503) and statuses.get(200):
                break
        assert statuses.get(200), statuses
        assert statuses.get(503), f"no login was refused: {statuses}"
        for r in busy:
            assert_problem(r, 503, "server_busy")
            assert retry_after(r) == 1, r.headers
        assert max(livez_times) < 0.5, f"/livez took {max(livez_times):.3f}s: {livez_times}"
        # The pool drains: a login afterwards goes through, and refusals did
        # not count as failed logins.
        assert login_raw(s, name).status == 200
        assert psql(s.db_url, "SELECT count(*) FROM login_throttle") == "0"
    finally:
        stop_server(s)


# ---------------------------------------------------------------------------
# Reviewers (staff with the permission review), made on the command line


def test_create_reviewer_cli():
    name = uname("rev")
    out = run_cli(["create-reviewer", name], srv().db_url, stdin="reviewer-password\n")
    assert out.returncode == 0, (out.returncode, out.stdout, out.stderr)
    assert f"created staff {name}" in out.stdout and "permissions: review" in out.stdout, out.stdout
    r = login_raw(srv(), name, "reviewer-password")
    assert r.status == 200, r
    assert r.json["account"]["role"] == "staff"
    assert r.json["account"]["permissions"] == ["review"]
    me = srv().request("GET", "/v1/me", token=r.json["token"])
    assert me.status == 200, me
    assert_account(me.json, name, "staff", display_name=name)
    assert me.json == r.json["account"]

    dup = run_cli(["create-reviewer", name], srv().db_url, stdin="another-password\n")
    assert dup.returncode == 1, (dup.returncode, dup.stdout, dup.stderr)
    assert "taken" in dup.stderr, dup.stderr
    # The original password still works; the duplicate changed nothing.
    assert login_raw(srv(), name, "reviewer-password").status == 200
    assert_problem(login_raw(srv(), name, "another-password"), 401, "invalid_credentials")

    for bad in ("Bad Name", "ab", "UPPER", "x" * 33):
        out = run_cli(["create-reviewer", bad], srv().db_url, stdin="reviewer-password\n")
        assert out.returncode == 2, (bad, out.returncode, out.stdout, out.stderr)
        assert "invalid username" in out.stderr, out.stderr

    short = uname("rev")
    for stdin in ("short\n", "1234567\n", "\n", ""):
        out = run_cli(["create-reviewer", short], srv().db_url, stdin=stdin)
        assert out.returncode == 2, (stdin, out.returncode, out.stdout, out.stderr)
    assert account_count(srv(), short) == 0
    # Exactly eight bytes are enough.
    out = run_cli(["create-reviewer", short], srv().db_url, stdin="12345678\n")
    assert out.returncode == 0, (out.returncode, out.stderr)
    assert login_raw(srv(), short, "12345678").json["account"]["role"] == "staff"


def test_create_reviewer_password_limits():
    # The command states "must be 8 to 1024 bytes", and the API takes 1024
    # bytes, so a 1024-byte password on stdin must be accepted too.
    name = uname("rev")
    password = ("abcdefghijklmnop" * 64)[:1024]
    out = run_cli(["create-reviewer", name], srv().db_url, stdin=password + "\n")
    assert out.returncode == 0, \
        f"1024-byte password refused: exit {out.returncode}: {out.stderr.strip()}"
    r = login_raw(srv(), name, password)
    assert r.status == 200, r
    assert r.json["account"]["role"] == "staff"
    other = uname("rev")
    out = run_cli(["create-reviewer", other], srv().db_url, stdin=password + "x\n")
    assert out.returncode == 2, (out.returncode, out.stderr)
    assert account_count(srv(), other) == 0


# ---------------------------------------------------------------------------
# The Authorization header


def test_authorization_header_forms():
    name = uname()
    account = srv().register(name)
    token = srv().login(name)

    def me(authorization):
        headers = {} if authorization is None else {"Authorization": authorization}
        return srv().request("GET", "/v1/me", headers=headers)

    unknown = random_token()
    assert len(unknown) == 43 and unknown != token
    refused = [None, "", "Bearer", "Bearer ", "Bearer garbage", "Basic dXNlcjpwYXNzd29yZA==",
               f"Basic {token}", f"Token {token}", f"Bearer {unknown}", f"Bearer {token}x",
               f"Bearer {token[:-1]}", f"Bearer {token}=", f"Bearer {token[:-1]}+",
               f"Bearer{token}", token]
    for authorization in refused:
        r = me(authorization)
        assert_problem(r, 401, "unauthenticated")
        assert r.headers.get("www-authenticate", "").startswith("Bearer"), \
            (authorization, r.headers)
        assert "account" not in r.json and "username" not in r.json
    for authorization in (f"Bearer {token}", f"bearer {token}", f"BEARER {token}"):
        r = me(authorization)
        assert r.status == 200, (authorization, r)
        assert {k: v for k, v in r.json.items() if k != "shops"} == account
        assert "www-authenticate" not in r.headers


if __name__ == "__main__":
    main([test_register_merchant_and_buyer, test_register_ids_are_distinct,
          test_register_reviewer_role_refused, test_register_bad_role,
          test_register_bad_username, test_register_password_length,
          test_register_display_name_length, test_register_missing_fields,
          test_register_unknown_field, test_register_wrong_types,
          test_register_username_taken, test_register_same_username_concurrently,
          test_login_returns_token_and_account, test_token_works_on_me,
          test_login_failures_look_the_same, test_login_timing_does_not_reveal_usernames,
          test_login_malformed_input, test_login_keeps_current_hash,
          test_rate_limit_per_username, test_rate_limit_reset_by_success,
          test_rate_limit_per_address, test_hash_pool_cap_answers_busy,
          test_create_reviewer_cli, test_create_reviewer_password_limits,
          test_authorization_header_forms])
