"""Integration test harness: a real merchantd against a real PostgreSQL.

Environment (set by scripts/test.sh through ctest):
  MERCHANTD_BIN     the merchantd binary under test
  TEST_PG_URL       postgresql://postgres@127.0.0.1:PORT of the throwaway cluster
  PG_BIN            PostgreSQL's bin directory (for tests that run their own cluster)

Each test file gets databases of its own, so files can run in parallel.

Every reply a test receives through Server.request (and the raw replies that
tests hand to check_reply) is checked against docs/openapi.yaml by
tools/contract-check.mjs (Ajv, installed by `npm ci` in tools/, as
scripts/test.sh does): an undocumented route, status, content type or
header, or a body outside its schema, fails the test that received it.
"""

import base64
import datetime
import errno
import hashlib
import http.client
import itertools
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
import uuid

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MERCHANTD = os.environ.get("MERCHANTD_BIN", "build/merchantd")
PG_URL = os.environ.get("TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432")
PG_BIN = os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin")

SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")


def free_port():
    """A port that is free now, below the kernel's ephemeral range. A port
    from that range (what binding port 0 gives) can be taken at any moment
    as the source port of a client's outgoing connection, and once that
    client closes, its TIME_WAIT keeps the port from servers for a minute:
    after a test's thousand connections, a server kept failing to listen."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            ephemeral_low = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        ephemeral_low = 32768
    picks = random.Random()
    for _ in range(100 if ephemeral_low > 11000 else 0):
        port = picks.randrange(10000, ephemeral_low)
        if port_free(port):
            return port
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_free(port):
    """Whether port can be bound as merchantd binds it: IPv6 and IPv4 at
    once where the machine has IPv6, IPv4 alone otherwise."""
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            s.bind(("::", port))
            return True
    except OSError as e:
        if e.errno == errno.EADDRINUSE:
            return False
    try:
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))
            return True
    except OSError:
        return False


def startup_report(pid, port, last_error):
    """Why a running merchantd may not answer: what its threads wait in,
    whether anything listens on its port, and the last client error."""
    threads = []
    for tid in sorted(os.listdir(f"/proc/{pid}/task")) if os.path.isdir(f"/proc/{pid}") else []:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                stat = f.read()
            with open(f"/proc/{pid}/task/{tid}/wchan") as f:
                wchan = f.read().strip()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        threads.append(f"{comm}:{stat[stat.rindex(')') + 2]}:{wchan}")
    listening = []
    for table in ("tcp", "tcp6"):
        try:
            with open(f"/proc/net/{table}") as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            local, state = row.split()[1], row.split()[3]
            if int(local.rsplit(":", 1)[1], 16) == port and state == "0A":
                listening.append(f"{table} {local}")
    try:
        fds = len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        fds = None
    return (f"threads (name:state:wait) {' '.join(threads) or 'none'}; listening on {port}:"
            f" {', '.join(listening) or 'nothing'}; {fds} fds;"
            f" this client's fds {len(os.listdir('/proc/self/fd'))}; last error {last_error!r}")


def psql(url, sql):
    """Runs SQL with psql; returns stdout (unaligned, tuples only)."""
    out = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-Atqc", sql],
                         capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise AssertionError(f"psql failed: {out.stderr.strip()}")
    return out.stdout.strip()


def new_database(prefix="t", base_url=None):
    """Creates an empty database; returns its URL."""
    base = base_url or PG_URL
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    psql(base + "/postgres", f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


def deployment_secrets():
    """The secrets a deployment has (docs/operations.md, Secrets), made for
    this run as an operator makes them, owner-only: the data key sealing
    bank accounts and the statement key (32 random bytes each), and the
    sandbox payment provider's webhook secret (64 hex digits). Returns the
    environment naming them."""
    d = tempfile.mkdtemp(prefix="merchantd-secrets-")
    env = {}
    for var, name, data in (("MERCHANTD_DATA_KEY_FILE", "data.key", os.urandom(32)),
                            ("MERCHANTD_WEBHOOK_SECRET_FILE", "webhook.secret",
                             os.urandom(32).hex().encode()),
                            ("MERCHANTD_STATEMENT_KEY_FILE", "statement.key", os.urandom(32))):
        path = os.path.join(d, name)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.write(fd, data)
        os.close(fd)
        env[var] = path
    return env


def statement_key_file():
    """A statement signing key as an operator makes one (docs/operations.md):
    32 random bytes in a file only its owner may access. Returns its path."""
    fd, path = tempfile.mkstemp(prefix="merchantd-statement-", suffix=".key")
    os.write(fd, os.urandom(32))
    os.close(fd)  # mkstemp makes it 0600
    return path


def run_cli(args, db_url, env=None, stdin=None, timeout=60):
    e = dict(os.environ)
    e["DATABASE_URL"] = db_url
    e.update(env or {})
    return subprocess.run([MERCHANTD] + args, env=e, input=stdin, capture_output=True,
                          text=True, timeout=timeout)


class ContractViolation(AssertionError):
    """A reply outside docs/openapi.yaml."""


class Contract:
    """The contract checker: one node process per test file, started on
    first use, asked one reply at a time (tests send from many threads)."""

    SCRIPT = os.path.join(REPO, "tools", "contract-check.mjs")
    SPEC = os.path.join(REPO, "docs", "openapi.yaml")

    def __init__(self):
        self.lock = threading.Lock()
        self.proc = None
        self.errors = None

    def start(self):
        self.errors = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen(["node", self.SCRIPT, self.SPEC], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.errors, text=True,
                                     encoding="utf-8")

    def violations(self, reply):
        """What is wrong with the reply (a dict of method, target, status,
        headers, body and lenient), as a list of texts."""
        line = json.dumps(reply) + "\n"
        with self.lock:
            if self.proc is None:
                self.start()
            try:
                self.proc.stdin.write(line)
                self.proc.stdin.flush()
                answer = self.proc.stdout.readline()
            except OSError:
                answer = ""
            if not answer:
                self.proc.wait()
                self.errors.seek(0)
                raise AssertionError(
                    f"the contract checker {self.SCRIPT} stopped (exit {self.proc.returncode});"
                    f" its dependencies come from `npm ci` in tools/ (scripts/test.sh runs it):\n"
                    f"{self.errors.read()[-3000:]}")
        return json.loads(answer)["violations"]


_contract = Contract()
# Violations seen while the current test ran: main() fails the test with
# them even when the test swallowed the exception (in a thread, say).
_violations = []


def contract_violations(method, target, status, headers, body, lenient=False):
    """What puts one reply outside docs/openapi.yaml (a list of texts, empty
    when nothing does). headers: lower-case names. lenient: the request was
    garbage on purpose, so an error reply only needs a status documented
    for the route and the Problem shape (a success is checked in full)."""
    return _contract.violations({"method": method, "target": target, "status": status,
                                 "headers": headers, "body": body, "lenient": lenient})


def check_reply(method, target, status, headers, body, lenient=False):
    """Checks one reply against docs/openapi.yaml (see contract_violations);
    raises ContractViolation, and records it for main(), when it is outside."""
    found = contract_violations(method, target, status, headers, body, lenient)
    if found:
        text = (f"{method} {target[:200]} -> {status}: the reply is outside docs/openapi.yaml:\n  "
                + "\n  ".join(found) + f"\n  body: {(body or '')[:500]!r}")
        _violations.append(text)
        raise ContractViolation(text)


def check_value(what, schema, value):
    """Checks a value carried inside a reply (what names it in the message)
    against the schema at a JSON pointer of docs/openapi.yaml, such as
    "/components/schemas/ChatEvent"."""
    found = _contract.violations({"schema": schema, "value": value})
    if found:
        text = (f"{what} is outside docs/openapi.yaml (#{schema}):\n  " + "\n  ".join(found)
                + f"\n  value: {json.dumps(value)[:500]}")
        _violations.append(text)
        raise ContractViolation(text)


def parse_raw_reply(data):
    """(status, headers with lower-case names, body text) of the first HTTP
    reply in raw bytes (after any 1xx), the body cut by Content-Length or
    decoded from chunks; None when no whole head arrived."""
    while re.match(rb"HTTP/1\.[01] 1\d\d ", data):
        data = data.partition(b"\r\n\r\n")[2]
    head, sep, rest = data.partition(b"\r\n\r\n")
    if not sep or not head.startswith(b"HTTP/1."):
        return None
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ")[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().lower().decode("latin-1")] = value.strip().decode("latin-1")
    n = headers.get("content-length")
    if n is not None and n.isdigit():
        body = rest[:int(n)]
    elif "chunked" in headers.get("transfer-encoding", ""):
        body = b""
        while True:
            size, sep, rest = rest.partition(b"\r\n")
            try:
                size = int(size.split(b";")[0], 16)
            except ValueError:
                break
            if not sep or size == 0:
                break
            body, rest = body + rest[:size], rest[size + 2:]
    else:
        body = rest
    return status, headers, body.decode("utf-8", "replace")


def check_raw_reply(method, target, data, lenient=False):
    """check_reply for the first reply in raw bytes; returns what
    parse_raw_reply found."""
    parsed = parse_raw_reply(data)
    assert parsed is not None, f"no HTTP reply to {method} {target}: {data[:300]!r}"
    check_reply(method, target, *parsed, lenient=lenient)
    return parsed


def check_garbage_reply(request, data):
    """For requests that are garbage on purpose, sent as raw bytes: checks
    merchantd's reply to them leniently (see check_reply). Replies without
    X-Request-Id are libmicrohttpd's own refusals of requests merchantd
    never saw, and no reply at all may be right for garbage: both pass."""
    parsed = parse_raw_reply(data)
    if parsed is None or "x-request-id" not in parsed[1]:
        return
    line = request.split(b"\r\n", 1)[0].split(b" ")
    method = line[0].decode("latin-1")
    target = line[1].decode("latin-1") if len(line) > 1 else ""
    check_reply(method, target, *parsed, lenient=True)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = {k.lower(): v for k, v in headers}
        self.raw = body
        self.json = None
        ctype = self.headers.get("content-type", "")
        if body and "json" in ctype:
            self.json = json.loads(body)

    def __repr__(self):
        return f"<{self.status} {self.raw[:300]!r}>"


class Server:
    """A merchantd process on a free port with a database of its own."""

    def __init__(self, env=None, db_url=None, migrate=True, test_mode=True, stdout=None):
        self.db_url = db_url or new_database()
        if migrate:
            out = run_cli(["migrate"], self.db_url)
            assert out.returncode == 0, out.stderr
        self.port = free_port()
        self.env = dict(os.environ)
        self.env.update({
            "DATABASE_URL": self.db_url,
            "PORT": str(self.port),
            "MERCHANTD_LOG_LEVEL": "warn",
            "MERCHANTD_THREADS": "2",
            "MERCHANTD_TEST_MODE": "1" if test_mode else "0",
            # Tests open hundreds of connections at once, all from 127.0.0.1;
            # test_faults.py checks the default limit.
            "MERCHANTD_PER_IP_CONNECTION_LIMIT": "0",
        })
        # Image files go to a directory of this server's own.
        self.media_dir = tempfile.mkdtemp(prefix="merchantd-media-")
        self.env["MERCHANTD_MEDIA_DIR"] = self.media_dir
        self.env.update(env or {})
        # The free port may be taken before merchantd binds it (by a client's
        # ephemeral port, under load): then try another.
        for attempt in range(5):
            self.stderr = tempfile.TemporaryFile(mode="w+")
            self.proc = subprocess.Popen([MERCHANTD, "serve"], env=self.env,
                                         stdout=stdout or subprocess.DEVNULL, stderr=self.stderr)
            try:
                self.wait_ready()
                return
            except AssertionError:
                if attempt == 4 or "could not listen" not in self.log() or "PORT" in (env or {}):
                    raise
            self.port = free_port()
            self.env["PORT"] = str(self.port)

    def wait_ready(self, timeout=30):
        deadline = time.time() + timeout
        last_error = None
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"merchantd exited with {self.proc.returncode}: {self.log()}")
            try:
                r = self.request("GET", "/livez", timeout=5)
                if r.status == 200:
                    return
                last_error = r
            except OSError as e:
                last_error = e
            time.sleep(0.05)
        raise AssertionError("merchantd did not come up: "
                             + startup_report(self.proc.pid, self.port, last_error))

    def log(self):
        self.stderr.seek(0)
        return self.stderr.read()

    def request(self, method, path, body=None, token=None, headers=None, raw=None, timeout=30,
                lenient=False, source=None):
        """One request on a new connection, from the loopback address source
        when given (another client); the reply is checked against
        docs/openapi.yaml (see check_reply for lenient)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout,
                                          source_address=(source, 0) if source else None)
        h = dict(headers or {})
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        if token:
            h["Authorization"] = f"Bearer {token}"
        try:
            conn.request(method, path, body=data, headers=h)
            r = conn.getresponse()
            reply = Response(r.status, r.getheaders(), r.read().decode("utf-8", "replace"))
        finally:
            conn.close()
        check_reply(method, path, reply.status, reply.headers, reply.raw, lenient)
        return reply

    # Shorthands for the common API steps.
    def register(self, username, role="merchant", password="password-123", display_name=None):
        r = self.request("POST", "/v1/auth/register", {
            "role": role, "username": username, "password": password,
            "display_name": display_name or username})
        assert r.status == 201, r
        return r.json

    def login(self, username, password="password-123", device=None):
        body = {"username": username, "password": password}
        if device is not None:
            body["device"] = device
        r = self.request("POST", "/v1/auth/login", body)
        assert r.status == 200, r
        return r.json["token"]

    def set_clock(self, now):
        r = self.request("PUT", "/v1/test/clock", {"now": now})
        assert r.status == 200, r

    def stop(self, sig=signal.SIGTERM, expect_code=0, timeout=30):
        """Stops the server and checks it exited cleanly with no sanitizer report."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=timeout)
        log = self.log()
        for marker in SANITIZER_MARKERS:
            assert marker not in log, f"sanitizer report:\n{log[-4000:]}"
        if expect_code is not None:
            assert self.proc.returncode == expect_code, \
                f"merchantd exited with {self.proc.returncode}:\n{log[-4000:]}"
        shutil.rmtree(self.media_dir, ignore_errors=True)
        return log


class Cluster:
    """A private PostgreSQL cluster, for tests that stop and start it."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="merchantd-pg-")
        self.port = free_port()
        self.as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        subprocess.run(self.as_pg + [f"{PG_BIN}/initdb", "-D", self.dir, "-A", "trust",
                                     "-U", "postgres"], check=True, capture_output=True)
        self.start()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}"

    def start(self):
        subprocess.run(self.as_pg + [
            f"{PG_BIN}/pg_ctl", "-D", self.dir, "-l", f"{self.dir}/log", "-w", "-o",
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories= "
            f"-c fsync=off", "start"], check=True, capture_output=True)

    def stop(self):
        subprocess.run(self.as_pg + [f"{PG_BIN}/pg_ctl", "-D", self.dir, "-m", "fast", "-w",
                                     "stop"], capture_output=True)

    def destroy(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


# Servers a test file started; main() stops (and checks) whatever still runs.
_live = []
_shared = None


def start_server(env=None, **kwargs):
    s = Server(env=env, **kwargs)
    _live.append(s)
    return s


def stop_server(s):
    if s in _live:
        _live.remove(s)
        s.stop()


def srv(env=None):
    """The file's shared server, started on first use (with env, if given)."""
    global _shared
    if _shared is None:
        _shared = start_server(env=env)
    return _shared


def stop_all():
    global _shared
    _shared = None
    errors = []
    while _live:
        s = _live.pop()
        try:
            s.stop()
        except Exception as e:  # keep stopping the others
            errors.append(e)
    if errors:
        raise errors[0]


def sql(query):
    """Runs SQL on the shared server's database."""
    return psql(srv().db_url, query)


def settle_feed(shop):
    """Waits (up to 15 s) until every committed change of the shop's orders
    is behind the oldest running transaction of the cluster. Until then the
    ERP feed holds those changes back, and tests running beside this one
    (other databases of the same cluster) hold transactions open too."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if sql(f"SELECT coalesce(max(change_xid::text::bigint), 0)"
               f" < pg_snapshot_xmin(pg_current_snapshot())::text::bigint"
               f" FROM orders WHERE shop_id = {shop}") == "t":
            return
        time.sleep(0.02)


def accounts_with_sessions(server, n, role="buyer", permissions=None):
    """n accounts of the role (staff: holding permissions), each with a live
    session, made with SQL rather than by n logins: [(id, token)]."""
    prefix = uname("a")
    perms = "'{" + ",".join(permissions or []) + "}'"
    ids = [int(x) for x in psql(server.db_url, (
        f"INSERT INTO accounts (role, username, display_name, password_hash, created_at,"
        f" permissions) SELECT '{role}', '{prefix}_' || g, 'Account ' || g,"
        f" '$argon2id$v=19$none', now(), {perms} FROM generate_series(1, {n}) g"
        f" RETURNING id")).splitlines()]
    out, rows = [], []
    for ident in ids:
        raw = os.urandom(32)
        out.append((ident, base64.urlsafe_b64encode(raw).decode().rstrip("=")))
        digest = hashlib.blake2b(raw, digest_size=32).hexdigest()
        rows.append(f"({ident}, '{role}', '\\x{digest}', now() - interval '1 day',"
                    f" now() + interval '3650 days')")
    # Through stdin: a thousand rows pass the limit of one argument.
    ins = subprocess.run(["psql", server.db_url, "-v", "ON_ERROR_STOP=1", "-Atq"], text=True,
                         capture_output=True, timeout=60,
                         input="INSERT INTO sessions (account_id, role, token_hash, created_at,"
                               " expires_at) VALUES " + ",".join(rows) + ";")
    assert ins.returncode == 0, ins.stderr
    return out


def fold_stats(server=None, timeout=60, rebuilt=False):
    """Runs the jobs (POST /v1/test/jobs/run) until the data pages' rollups
    hold every write committed before the call (and, with rebuilt, until
    the rebuild the first fold starts is done). A fold takes only the
    transactions below the cluster's oldest running one, and tests running
    beside this one (other databases of the same cluster) hold transactions
    open too: a fold may have to wait for them."""
    server = server or srv()
    mark = int(psql(server.db_url, "SELECT pg_current_xact_id()::text"))
    deadline = time.monotonic() + timeout
    while True:
        r = server.request("POST", "/v1/test/jobs/run")
        assert r.status == 200, (r, [line for line in server.log().split("\n")
                                     if "error" in line][-5:])
        if int(psql(server.db_url, "SELECT coalesce(folded_to::text, '0') FROM stats_fold_state")) > mark:
            break
        assert time.monotonic() < deadline, "the rollups' watermark did not pass the writes"
        time.sleep(0.05)
    while rebuilt and psql(server.db_url, "SELECT rebuild_next IS NULL FROM stats_fold_state") != "t":
        r = server.request("POST", "/v1/test/jobs/run")
        assert r.status == 200, r
        assert time.monotonic() < deadline, "the rebuild did not finish"


class Session:
    """A psql session driven statement by statement, to hold a transaction
    open while other things happen."""

    def __init__(self):
        self.app = f"erp_{uuid.uuid4().hex[:10]}"
        self.steps = 0
        self.proc = subprocess.Popen(["psql", srv().db_url, "-X", "-q", "-At", "-v",
                                      "ON_ERROR_STOP=1"], stdin=subprocess.PIPE,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     text=True, env=dict(os.environ, PGAPPNAME=self.app))

    def run(self, statement):
        """Sends the statement and waits until the session has run it."""
        self.steps += 1
        marker = f"{self.app}_{self.steps}"
        self.proc.stdin.write(f"{statement};\nSELECT '{marker}';\n")
        self.proc.stdin.flush()
        deadline = time.time() + 20
        while time.time() < deadline:
            assert self.proc.poll() is None, self.proc.stderr.read()
            if sql(f"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{self.app}'"
                   f" AND state LIKE 'idle%' AND query LIKE '%{marker}%'") == "1":
                return
            time.sleep(0.02)
        raise AssertionError(f"psql session did not run: {statement}")

    def close(self):
        self.proc.stdin.close()
        assert self.proc.wait(timeout=20) == 0, self.proc.stderr.read()


def once(make):
    """A test file's shared fixture: a function that calls make() the first
    time it is called and returns that same value every time after."""
    made = []

    def get():
        if not made:
            made.append(make())
        return made[0]
    return get


def sql_literal(text):
    return "'" + text.replace("'", "''") + "'"


def new_merchant():
    """A merchant account on the shared server: (id, token)."""
    name = uname("m")
    account = srv().register(name)
    return account["id"], srv().login(name)


def new_buyer(display_name=None):
    """A buyer account on the shared server: (id, token)."""
    name = uname("b")
    account = srv().register(name, role="buyer", display_name=display_name)
    return account["id"], srv().login(name)


def new_reviewer():
    """A platform reviewer on the shared server (made with the CLI, as
    reviewers cannot register): (id, token)."""
    name = uname("r")
    out = run_cli(["create-reviewer", name], srv().db_url, stdin="reviewer-password\n")
    assert out.returncode == 0, out.stderr
    token = srv().login(name, password="reviewer-password")
    return int(sql(f"SELECT id FROM accounts WHERE username = {sql_literal(name)}")), token


ADDRESS = {"name": "Li Lei", "phone": "13800000000", "province": "Zhejiang", "city": "Hangzhou",
           "district": "Xihu", "detail": "1 West Lake Road"}
ADDRESS_JSON = json.dumps(ADDRESS)


def ledger_fund(shop, amount, kind="available", event="adjustment"):
    """Money into one of a shop's accounts straight through the ledger
    primitive, from its provider clearing account: an adjustment, or with
    event "topup" what a top-up posts."""
    key = f"test-{event}:{shop}:{uuid.uuid4().hex}"
    assert sql(f"SELECT ledger_post({sql_literal(key)}, {sql_literal(event)}, 1, "
               f"ARRAY[ledger_account({shop}, 'provider_clearing')], "
               f"ARRAY[ledger_account({shop}, {sql_literal(kind)})], ARRAY[{amount}]::bigint[], "
               f"ARRAY[{sql_literal(event)}], now())") == "ok"


def new_shop(merchant_id, stock=100, price=1000):
    """Through SQL: a shop of the merchant with one product on sale and one
    SKU; returns (shop, sku)."""
    shop = int(sql(f"INSERT INTO shops (merchant_id, name, created_at, updated_at) "
                   f"VALUES ({merchant_id}, 'Tea House', now(), now()) RETURNING id"))
    product = int(sql(f"INSERT INTO products (shop_id, title, status, created_at, updated_at) "
                      f"VALUES ({shop}, 'Longjing', 'on_sale', now(), now()) RETURNING id"))
    sku = int(sql(f"INSERT INTO skus (product_id, shop_id, spec, price_cents, stock, created_at,"
                  f" updated_at) VALUES ({product}, {shop}, '250g', {price}, {stock}, now(), now())"
                  f" RETURNING id"))
    return shop, sku


_counter = itertools.count(1)
_run = uuid.uuid4().hex[:6]


def uname(prefix="u"):
    """A fresh, valid username (lowercase, well under 32 characters)."""
    return f"{prefix}{next(_counter)}_{_run}"


RFC3339_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def parse_time(text):
    assert RFC3339_Z.match(text), f"not an RFC 3339 UTC time: {text!r}"
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc)


def fmt_time(dt):
    return dt.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parallel(fn, args_list, workers=None):
    """Runs fn(*args) for each args in threads started together; returns results."""
    results = [None] * len(args_list)
    barrier = threading.Barrier(len(args_list))

    def run(i, args):
        barrier.wait()
        try:
            results[i] = fn(*args)
        except Exception as e:  # the assertion belongs to the caller
            results[i] = e

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(args_list)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def assert_problem(r, status, code):
    """Checks a problem+json reply: status, code and the RFC 9457 members."""
    assert r.status == status, f"expected {status} {code}, got {r}"
    assert r.headers.get("content-type") == "application/problem+json", r.headers
    for member in ("type", "title", "status", "detail", "code", "request_id"):
        assert member in r.json, f"{member} missing in {r.json}"
    assert r.json["code"] == code, f"expected code {code}, got {r.json}"
    assert r.json["status"] == status
    assert r.json["request_id"] == r.headers.get("x-request-id")


def main(tests):
    """Runs the given test functions in order, then stops every server the
    file started and checks that each exited cleanly (that counts as one
    more test); prints 'N passed, M failed'."""
    only = sys.argv[1:]
    passed = failed = 0
    for t in [t for t in tests if not only or t.__name__ in only] + [stop_all]:
        start = time.time()
        del _violations[:]
        try:
            t()
            if _violations:
                raise ContractViolation("replies outside docs/openapi.yaml (the test caught"
                                        " the error):\n" + "\n".join(_violations[:10]))
            passed += 1
            print(f"ok   {t.__name__} ({time.time() - start:.2f}s)", flush=True)
        except Exception:
            failed += 1
            print(f"FAIL {t.__name__}", flush=True)
            traceback.print_exc()
            if _violations and not isinstance(sys.exc_info()[1], ContractViolation):
                print("and replies outside docs/openapi.yaml:\n" + "\n".join(_violations[:10]),
                      flush=True)
    print(f"{passed} passed, {failed} failed", flush=True)
    sys.exit(1 if failed else 0)
