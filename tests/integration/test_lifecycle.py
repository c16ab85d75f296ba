"""The program's life: commands, configuration, migrations, shutdown, database outages."""

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from harness import *  # noqa: E402,F401,F403


MIGRATION_COUNT = len([f for f in os.listdir(os.path.join(os.path.dirname(__file__), "..", "..",
                                                         "migrations")) if f.endswith(".sql")])


def test_help_and_version():
    out = subprocess.run([MERCHANTD, "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "create-reviewer" in out.stdout and "migrate status" in out.stdout
    out = subprocess.run([MERCHANTD, "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and re.fullmatch(r"merchantd \d+\.\d+\.\d+\n", out.stdout)
    out = subprocess.run([MERCHANTD, "frobnicate"], capture_output=True, text=True)
    assert out.returncode == 2 and "unknown command" in out.stderr


def test_bad_configuration_exits_2_with_one_line():
    cases = [{"PORT": "0"}, {"PORT": "http"}, {"PORT": "70000"}, {"MERCHANTD_THREADS": "-1"},
             {"MERCHANTD_LOG_LEVEL": "loud"}, {"MERCHANTD_BODY_LIMIT": "12k"},
             {"MERCHANTD_TEST_MODE": "yes"}, {"MERCHANTD_AUTO_MIGRATE": "2"}]
    for env in cases:
        out = run_cli(["serve"], "dbname=unused", env=env)
        assert out.returncode == 2, (env, out)
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("merchantd: invalid "), (env, out.stderr)
        assert list(env)[0] in lines[0]


def test_migrate_and_status():
    db = new_database()
    out = run_cli(["migrate", "status"], db)
    assert out.returncode == 0 and "pending" in out.stdout and "0001_" in out.stdout
    assert out.stdout.strip().endswith("pending")
    out = run_cli(["migrate"], db)
    assert out.returncode == 0 and "applied 0001_" in out.stdout, out
    out = run_cli(["migrate"], db)
    assert out.returncode == 0 and "nothing to apply" in out.stdout
    out = run_cli(["migrate", "status"], db)
    assert out.returncode == 0 and out.stdout.strip().endswith("0 pending"), out.stdout
    assert re.search(r"^applied  \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ  0001_", out.stdout, re.M)
    cols = psql(db, "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) "
                    "FROM information_schema.columns WHERE table_name = 'schema_migrations'")
    assert cols == "version,name,checksum,applied_at", cols



def test_function_files_checked_and_reapplied():
    """Function files are recorded with their checksum; one whose text the
    database does not hold makes the server not ready until migrate
    applies it again; one the build does not know is refused."""
    s = Server()
    try:
        out = run_cli(["migrate", "status"], s.db_url)
        assert out.returncode == 0 and out.stdout.strip().endswith("0 pending"), out.stdout
        assert re.search(r"^current  \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ  db/sql/order_create\.sql$",
                         out.stdout, re.M), out.stdout
        psql(s.db_url, "CREATE OR REPLACE FUNCTION order_pay(p_buyer bigint, p_order bigint,"
                       " p_now timestamptz) RETURNS text LANGUAGE sql AS $$ SELECT 'ok' $$;"
                       " UPDATE schema_functions SET checksum = 'x' WHERE name = 'order_pay.sql'")
        out = run_cli(["migrate", "status"], s.db_url)
        assert re.search(r"^changed  .*  db/sql/order_pay\.sql$", out.stdout, re.M), out.stdout
        assert out.stdout.strip().endswith("1 pending"), out.stdout
        r = s.request("GET", "/readyz")
        assert_problem(r, 503, "not_ready")
        out = run_cli(["migrate"], s.db_url)
        assert out.returncode == 0 and out.stdout == "applied db/sql/order_pay.sql\n", out
        assert "order_close_unpaid" in psql(s.db_url, "SELECT prosrc FROM pg_proc"
                                                      " WHERE proname = 'order_pay'")
        assert s.request("GET", "/readyz").status == 200
        psql(s.db_url, "INSERT INTO schema_functions (name, checksum) VALUES ('later.sql', 'x')")
        assert_problem(s.request("GET", "/readyz"), 503, "not_ready")
        out = run_cli(["migrate"], s.db_url)
        assert out.returncode == 1 and "later.sql" in out.stderr, out
        out = run_cli(["migrate", "status"], s.db_url)
        assert out.returncode == 1 and re.search(r"^unknown  .*  db/sql/later\.sql$", out.stdout,
                                                 re.M), out.stdout
        psql(s.db_url, "DELETE FROM schema_functions WHERE name = 'later.sql'")
        assert s.request("GET", "/readyz").status == 200
    finally:
        s.stop()


def test_time_conversions_are_inlined():
    # us_to_ts and ts_to_us sit in almost every statement; a SQL function
    # the planner does not inline is parsed and planned again on each call.
    db = new_database()
    assert run_cli(["migrate"], db).returncode == 0
    plan = psql(db, "PREPARE t(bigint, timestamptz) AS SELECT us_to_ts($1), ts_to_us($2);"
                    " SET plan_cache_mode = force_generic_plan;"
                    " EXPLAIN (VERBOSE, COSTS OFF) EXECUTE t(1, now());")
    assert "Output:" in plan, plan
    assert "us_to_ts" not in plan and "ts_to_us" not in plan, plan


def test_concurrent_migrate_is_safe():
    db = new_database()
    results = parallel(lambda: run_cli(["migrate"], db), [() for _ in range(4)])
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    applied = sum(r.stdout.count("applied 0001_") for r in results)
    assert applied == 1, [r.stdout for r in results]
    assert psql(db, "SELECT count(*) FROM schema_migrations WHERE version = 1") == "1"


def test_edited_migration_is_refused():
    db = new_database()
    assert run_cli(["migrate"], db).returncode == 0
    psql(db, "UPDATE schema_migrations SET checksum = 'deadbeef' WHERE version = 1")
    out = run_cli(["migrate"], db)
    assert out.returncode == 1 and "changed after it was applied" in out.stderr, out
    out = run_cli(["serve"], db, env={"PORT": str(free_port())})
    assert out.returncode == 2 and "does not match" in out.stderr, out


def test_serve_refuses_pending_migrations():
    db = new_database()
    out = run_cli(["serve"], db, env={"PORT": str(free_port())})
    assert out.returncode == 2 and "pending" in out.stderr and "merchantd migrate" in out.stderr


def test_auto_migrate_serves():
    db = new_database()
    s = Server(db_url=db, migrate=False, env={"MERCHANTD_AUTO_MIGRATE": "1"})
    try:
        assert s.request("GET", "/readyz").status == 200
        assert psql(db, "SELECT count(*) FROM schema_migrations") == str(MIGRATION_COUNT)
    finally:
        s.stop()


def test_readyz_503_when_schema_behind():
    s = Server()
    try:
        psql(s.db_url, "DELETE FROM schema_migrations")
        r = s.request("GET", "/readyz")
        assert_problem(r, 503, "not_ready")
        assert "pending" in r.json["detail"]
        assert s.request("GET", "/livez").status == 200
    finally:
        s.stop()


def requests_in_flight(s):
    """The in-flight gauge, less the /metrics request that reads it."""
    text = s.request("GET", "/metrics", timeout=5).raw
    return int(re.search(r"^merchantd_http_requests_in_flight (\d+)$", text, re.M).group(1)) - 1


def test_graceful_shutdown_finishes_in_flight_requests():
    s = Server(env={"MERCHANTD_HASH_WORKERS": "1"})
    s.register("shutdown1")
    logins, done = 4, []

    def login():
        # Each login costs an argon2id verification on the single hash worker.
        try:
            done.append(s.request("POST", "/v1/auth/login", {
                "username": "shutdown1", "password": "password-123"}))
        except OSError as e:  # a login cut off; the assertions below report it
            done.append(e)

    threads = [threading.Thread(target=login) for _ in range(logins)]
    for t in threads:
        t.start()
    # SIGTERM only once every login has arrived: each is in flight or answered.
    deadline = time.monotonic() + 10
    while len(done) + requests_in_flight(s) < logins:
        assert time.monotonic() < deadline, "the logins did not all arrive"
        time.sleep(0.005)
    s.proc.send_signal(signal.SIGTERM)
    # While the logins already in flight are answered, a request that
    # arrives is turned away at once, and its connection closes.
    time.sleep(0.05)
    r = s.request("GET", "/v1/me", timeout=5)
    assert_problem(r, 503, "shutting_down")
    assert r.headers.get("retry-after") == "1", r.headers
    assert r.headers.get("connection", "").lower() == "close", r.headers
    assert len(done) < logins, "the in-flight logins ended before the late request was answered"
    for t in threads:
        t.join()
    s.stop()  # asserts exit code 0 and no sanitizer report
    # Requests that arrived before the signal are answered; none is cut off.
    statuses = [r.status if isinstance(r, Response) else repr(r) for r in done]
    assert statuses == [200] * logins, statuses
    try:
        s.request("GET", "/livez", timeout=2)
        raise AssertionError("server still answers after shutdown")
    except OSError:
        pass


def test_shutdown_while_clients_connect():
    # Stopping while connections keep arriving must end in a clean exit
    # every time, whichever thread is accepting or serving at that moment.
    db = new_database()
    for _ in range(8):
        s = Server(db_url=db)
        done = threading.Event()

        def connect_repeatedly():
            while not done.is_set():
                try:
                    with socket.create_connection(("127.0.0.1", s.port), timeout=2) as c:
                        c.sendall(b"GET /livez HTTP/1.1\r\nHost: t\r\n\r\n")
                        c.recv(4096)
                except OSError:
                    pass

        clients = [threading.Thread(target=connect_repeatedly) for _ in range(4)]
        for c in clients:
            c.start()
        time.sleep(0.2)
        try:
            s.stop()  # asserts exit code 0 and no sanitizer report
        finally:
            done.set()
            for c in clients:
                c.join()


def test_database_outage_503_and_recovery():
    cluster = Cluster()
    s = None
    try:
        s = Server(db_url=new_database(base_url=cluster.url))
        s.register("outage1")
        token = s.login("outage1")
        assert s.request("GET", "/v1/me", token=token).status == 200

        cluster.stop()
        start = time.time()
        for path, tok in (("/v1/me", token), ("/readyz", None), ("/v1/me", token)):
            r = s.request("GET", path, token=tok, timeout=10)
            assert_problem(r, 503, "database_unavailable")
            assert r.headers.get("retry-after") == "1"
        r = s.request("POST", "/v1/auth/login", {"username": "outage1", "password": "x"})
        assert_problem(r, 503, "database_unavailable")
        assert time.time() - start < 5, "requests did not fail fast"
        assert s.request("GET", "/livez").status == 200

        cluster.start()
        restarted = time.time()
        # Every HTTP thread has its own connection, each reconnecting on its
        # next request after a 100 ms back-off: all must be back within 5 s.
        for path, tok in (("/v1/me", token), ("/readyz", None)):
            while True:
                r = s.request("GET", path, token=tok)
                if r.status == 200:
                    break
                assert time.time() - restarted < 5, f"no recovery within 5 s: {r}"
                time.sleep(0.1)

        # A terminated backend is replaced too.
        psql(s.db_url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE application_name = 'merchantd'")
        deadline = time.time() + 5
        while s.request("GET", "/v1/me", token=token).status != 200:
            assert time.time() < deadline, "no recovery after pg_terminate_backend"
            time.sleep(0.1)
    finally:
        if s is not None:
            s.stop()
        cluster.destroy()


if __name__ == "__main__":
    main([test_help_and_version, test_bad_configuration_exits_2_with_one_line,
          test_migrate_and_status, test_function_files_checked_and_reapplied,
          test_time_conversions_are_inlined,
          test_concurrent_migrate_is_safe, test_edited_migration_is_refused,
          test_serve_refuses_pending_migrations, test_auto_migrate_serves,
          test_readyz_503_when_schema_behind, test_graceful_shutdown_finishes_in_flight_requests,
          test_shutdown_while_clients_connect, test_database_outage_503_and_recovery])
