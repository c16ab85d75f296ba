"""Platform staff and their permissions: merchantd create-staff (and the
create-reviewer alias), staff grant|revoke|disable, GET /v1/me listing a
staff account's permissions, a staff route refusing staff without its
permission (403 forbidden naming it), grants and revocations taking effect
on the next request, and disabling ending the sessions at once (also an
open event stream) and refusing later logins. The authorisation matrix
covers every route with and without its permission."""

import os
import socket
import sys

sys.path.insert(0, os.path.dirname(__file__))
from harness import *  # noqa: E402,F401,F403

PASSWORD = "staff-password"
PERMISSIONS = ["review", "finance", "campaigns", "community", "support", "growth"]


def create_staff(name, permissions=None, password=PASSWORD):
    args = ["create-staff", name]
    if permissions is not None:
        args += ["--permissions", permissions]
    return run_cli(args, srv().db_url, stdin=password + "\n")


def staff(*args):
    return run_cli(["staff", *args], srv().db_url)


def login(name, password=PASSWORD):
    return srv().request("POST", "/v1/auth/login", {"username": name, "password": password})


def me(token):
    return srv().request("GET", "/v1/me", token=token)


def queue(token):
    return srv().request("GET", "/v1/review/orders", token=token)


def test_create_staff_with_permissions():
    name = uname("st")
    out = create_staff(name, "finance,review")
    assert out.returncode == 0, out.stderr
    assert f"created staff {name}" in out.stdout, out.stdout
    assert "permissions: review, finance" in out.stdout, out.stdout
    r = login(name)
    assert r.status == 200, r
    assert r.json["account"]["role"] == "staff"
    # Listed in one order, whatever order they were given in.
    assert r.json["account"]["permissions"] == ["review", "finance"], r.json
    m = me(r.json["token"])
    assert m.status == 200 and m.json["permissions"] == ["review", "finance"], m
    assert "shops" not in m.json, m
    assert queue(r.json["token"]).status == 200


def test_create_staff_without_permissions():
    name = uname("st")
    out = create_staff(name)
    assert out.returncode == 0, out.stderr
    assert "permissions: none" in out.stdout, out.stdout
    token = login(name).json["token"]
    assert me(token).json["permissions"] == []
    r = queue(token)
    assert_problem(r, 403, "forbidden")
    assert r.json["missing_permission"] == "review", r.json
    assert '"review"' in r.json["detail"], r.json


def test_create_staff_refusals():
    for bad in ("reviw", "review,", ",review", "review,,finance", "", "REVIEW"):
        name = uname("st")
        out = create_staff(name, bad)
        assert out.returncode == 2, (bad, out.returncode, out.stdout, out.stderr)
        assert "unknown permission" in out.stderr, out.stderr
        assert int(sql(f"SELECT count(*) FROM accounts WHERE username = {sql_literal(name)}")) == 0
    name = uname("st")
    assert create_staff(name, "review").returncode == 0
    dup = create_staff(name, "finance", password="another-password")
    assert dup.returncode == 1 and "taken" in dup.stderr, dup.stderr
    out = run_cli(["create-staff", name, "--permissions"], srv().db_url, stdin=PASSWORD + "\n")
    assert out.returncode == 2, out.stderr
    out = run_cli(["create-staff", "Bad Name"], srv().db_url, stdin=PASSWORD + "\n")
    assert out.returncode == 2 and "invalid username" in out.stderr, out.stderr


def test_staff_cannot_register():
    for role in ("staff", "reviewer"):
        r = srv().request("POST", "/v1/auth/register", {
            "role": role, "username": uname("st"), "password": "password-123",
            "display_name": "x"})
        assert_problem(r, 400, "invalid_field")
        assert "created by the platform" in r.raw, r


def test_grant_and_revoke_take_effect_at_once():
    name = uname("st")
    assert create_staff(name, "finance").returncode == 0
    token = login(name).json["token"]
    assert_problem(queue(token), 403, "forbidden")

    out = staff("grant", name, "review,support")
    assert out.returncode == 0, out.stderr
    assert "permissions: review, finance, support" in out.stdout, out.stdout
    # The same session, no new login: permissions are read on every request.
    assert queue(token).status == 200
    assert me(token).json["permissions"] == ["review", "finance", "support"]
    # Granting what is held changes nothing.
    assert staff("grant", name, "review").returncode == 0
    assert me(token).json["permissions"] == ["review", "finance", "support"]

    out = staff("revoke", name, "review")
    assert out.returncode == 0, out.stderr
    r = queue(token)
    assert_problem(r, 403, "forbidden")
    assert r.json["missing_permission"] == "review"
    assert me(token).json["permissions"] == ["finance", "support"]
    assert staff("revoke", name, ",".join(PERMISSIONS)).returncode == 0
    assert me(token).json["permissions"] == []


def test_staff_commands_refuse_others():
    merchant = uname("m")
    srv().register(merchant)
    for args in (("grant", merchant, "review"), ("revoke", merchant, "review"),
                 ("disable", merchant), ("grant", uname("nobody"), "review")):
        out = staff(*args)
        assert out.returncode == 1, (args, out.returncode, out.stderr)
        assert "no staff account" in out.stderr, out.stderr
    assert srv().login(merchant)  # the merchant is untouched
    assert int(sql(f"SELECT cardinality(permissions) FROM accounts"
                   f" WHERE username = {sql_literal(merchant)}")) == 0
    for args in (("grant", "x"), ("promote", "x", "review"), ("grant", "x", "root"), ()):
        out = staff(*args)
        assert out.returncode == 2, (args, out.returncode, out.stderr)
    # The database refuses permissions on other roles and unknown names.
    for bad in (f"UPDATE accounts SET permissions = '{{review}}'"
                f" WHERE username = {sql_literal(merchant)}",
                "UPDATE accounts SET permissions = '{root}' WHERE role = 'staff'"):
        out = subprocess.run(["psql", srv().db_url, "-v", "ON_ERROR_STOP=1", "-c", bad],
                             capture_output=True, text=True)
        assert out.returncode != 0 and "violates check constraint" in out.stderr, out.stderr


def open_stream(token):
    """An SSE stream of the token's account: the socket, past the headers."""
    s = socket.create_connection(("127.0.0.1", srv().port), timeout=30)
    s.sendall(f"GET /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
              f"Accept: text/event-stream\r\n\r\n".encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(4096)
        assert chunk, head
        head += chunk
    assert head.startswith(b"HTTP/1.1 200"), head
    return s


def test_disable_ends_sessions_at_once():
    name = uname("st")
    assert create_staff(name, "review").returncode == 0
    token = login(name).json["token"]
    assert queue(token).status == 200
    stream = open_stream(token)
    out = staff("disable", name)
    assert out.returncode == 0, out.stderr
    assert "disabled" in out.stdout
    r = queue(token)
    assert_problem(r, 401, "unauthenticated")
    assert "disabled" in r.json["detail"], r.json
    assert_problem(me(token), 401, "unauthenticated")
    # The open stream ends: it reads to the end of the response.
    data = b""
    while True:
        chunk = stream.recv(4096)
        if not chunk:
            break
        data += chunk
        if data.endswith(b"0\r\n\r\n"):
            break
    stream.close()
    # The right password learns that the account is disabled; a wrong one
    # learns nothing more than for any account.
    assert_problem(login(name), 403, "account_disabled")
    assert_problem(login(name, password="wrong-password"), 401, "invalid_credentials")
    assert int(sql(f"SELECT count(*) FROM sessions s JOIN accounts a ON a.id = s.account_id"
                   f" WHERE a.username = {sql_literal(name)} AND s.ended_at IS NULL")) == 0
    # Disabling twice is fine and keeps the first time.
    first = sql(f"SELECT disabled_at FROM accounts WHERE username = {sql_literal(name)}")
    assert staff("disable", name).returncode == 0
    assert sql(f"SELECT disabled_at FROM accounts WHERE username = {sql_literal(name)}") == first


def test_disabled_account_gets_no_session_from_sql():
    """The SQL function refuses too, whatever the C did before it: a login
    that verified its password while the account was being disabled."""
    name = uname("st")
    assert create_staff(name, "review").returncode == 0
    ident = int(sql(f"SELECT id FROM accounts WHERE username = {sql_literal(name)}"))
    assert staff("disable", name).returncode == 0
    got = sql(f"SELECT auth_login({ident}, '\\x{'00' * 32}'::bytea, 'x', now(),"
              f" now() + interval '1 day') IS NULL")
    assert got == "t", got


def test_reviewer_alias_and_routes_table():
    name = uname("rv")
    out = run_cli(["create-reviewer", name], srv().db_url, stdin=PASSWORD + "\n")
    assert out.returncode == 0, out.stderr
    assert login(name).json["account"]["permissions"] == ["review"]
    routes = [json.loads(line) for line in
              run_cli(["routes"], srv().db_url).stdout.splitlines()]
    staff_routes = [r for r in routes if "staff" in r["roles"] and r["permission"]]
    assert staff_routes
    for r in staff_routes:  # review, finance, campaigns, support, community, growth
        want = ("review" if r["pattern"].startswith("/v1/review/") else
                "finance" if r["pattern"].startswith("/v1/platform/funds/") else
                "campaigns" if r["pattern"].startswith("/v1/platform/campaigns") else
                "support" if r["pattern"].startswith(("/v1/platform/feedback",
                                                      "/v1/platform/support/")) else
                "community" if r["pattern"].startswith("/v1/platform/community/") else
                "growth" if r["pattern"].startswith("/v1/platform/growth/") else None)
        assert r["permission"] == want, r
    assert all(r["permission"] is None for r in routes if "staff" not in r["roles"])


if __name__ == "__main__":
    main([test_create_staff_with_permissions, test_create_staff_without_permissions,
          test_create_staff_refusals, test_staff_cannot_register,
          test_grant_and_revoke_take_effect_at_once, test_staff_commands_refuse_others,
          test_disable_ends_sessions_at_once, test_disabled_account_gets_no_session_from_sql,
          test_reviewer_alias_and_routes_table])
