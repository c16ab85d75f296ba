"""Three merchantd instances on one database behind nginx, run with the
shipped configuration (docker/nginx/merchantd.conf, rendered by
docker/nginx/render.py as scripts/cluster.sh renders it): sessions work on
every instance, chat events cross instances and pass nginx unbuffered,
background jobs run once per due item with three instances racing, login
throttling keys on the client address nginx forwards, and an instance
killed with SIGKILL under a write load costs no more than its requests in
flight, applies no keyed write twice, and rejoins once restarted."""

import datetime
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402
from harness import *  # noqa: E402,F401,F403
from test_events import SSE  # noqa: E402

NGINX = os.environ.get("NGINX_BIN", shutil.which("nginx") or "/usr/sbin/nginx")
CONF_DIR = os.path.join(REPO, "docker", "nginx")


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


render = load("nginx_render", os.path.join(CONF_DIR, "render.py"))
keyed_routes = load("nginx_keyed_routes", os.path.join(CONF_DIR, "keyed-routes.py"))
faultlib = load("faultlib", os.path.join(REPO, "tests", "reliability", "faultlib.py"))

ENV = {
    # Jobs run when a test asks (POST /v1/test/jobs/run), not behind its back.
    "MERCHANTD_JOB_INTERVAL_SECONDS": "3600",
    # nginx and these tests' direct requests come from 127.0.0.1; clients
    # with another loopback address (127.0.0.2, ...) are not trusted.
    "MERCHANTD_TRUSTED_PROXIES": "127.0.0.1,::1",
    "MERCHANTD_LOGIN_IP_FAILURES": "3",
    "MERCHANTD_LOGIN_USER_FAILURES": "1000",
}


_fronts = []


class Front:
    """nginx in front of the instances, as a subprocess in a directory of
    its own; requests go through Server.request (checked against the
    contract like any other reply)."""

    def __init__(self, instances):
        self.dir = tempfile.mkdtemp(prefix="merchantd-nginx-")
        self.port = free_port()
        self.upstreams = [f"127.0.0.1:{s.port}" for s in instances]
        render.render(self.dir, f"127.0.0.1:{self.port}", self.upstreams)
        _fronts.append(self)
        self.proc = subprocess.Popen([NGINX, "-p", self.dir, "-c", "nginx.conf"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while True:
            assert self.proc.poll() is None, self.proc.stderr.read().decode()
            try:
                if self.request("GET", "/livez", timeout=2).status == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "nginx did not come up"
            time.sleep(0.05)

    request = Server.request
    login = Server.login
    register = Server.register

    def access_log(self):
        """[(client, status, request id, upstream statuses, upstream addresses)]:
        the addresses nginx tried, in order, joined by ", "."""
        out = []
        with open(os.path.join(self.dir, "logs", "access.log")) as f:
            for line in f:
                client, status, rid, ustatus, uaddr, _ = line.split("|", 5)
                out.append((client, status, rid, ustatus, uaddr))
        return out

    def stop(self):
        self.proc.send_signal(signal.SIGQUIT)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def make_cluster():
    first = start_server(env=ENV)
    others = [start_server(env=ENV, db_url=first.db_url, migrate=False) for _ in range(2)]
    # The harness's helpers (sql, new_merchant, ...) work on the first.
    harness._shared = first
    return [first] + others


instances = once(make_cluster)
front = once(lambda: Front(instances()))


def wait_for(pred, what, timeout=20):
    deadline = time.monotonic() + timeout
    while not pred():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


# ---------------------------------------------------------------------------


def test_keyed_routes_map_matches_route_table():
    """The map of routes nginx may retry a keyed write on is the route
    table's idempotent column (regenerate with docker/nginx/keyed-routes.py)."""
    with open(os.path.join(CONF_DIR, "merchantd.conf")) as f:
        conf = f.read()
    want = keyed_routes.block()
    assert want in conf, ("docker/nginx/merchantd.conf's keyed routes differ from"
                          " server/api/routes.c: run docker/nginx/keyed-routes.py")
    assert len(want.splitlines()) > 10


def test_bad_trusted_proxies_stop_the_start():
    db = instances()[0].db_url
    for bad in ("10.0.0.0/33", "localhost", "127.0.0.1,", "127.0.0.1:80", "[::1]", "1.2.3"):
        out = run_cli(["serve"], db, env={"MERCHANTD_TRUSTED_PROXIES": bad, "PORT": "1"})
        assert out.returncode == 2, (bad, out.returncode, out.stderr)
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(
            "merchantd: invalid MERCHANTD_TRUSTED_PROXIES"), lines


def test_session_on_every_instance():
    s = instances()
    f = front()
    name = uname("m")
    f.register(name)
    # Logged in on the first, used on the others directly and through nginx.
    token = s[0].login(name)
    for x in s[1:] + [f]:
        r = x.request("GET", "/v1/me", token=token)
        assert r.status == 200 and r.json["username"] == name, r
    # Logged in through nginx, used on every instance directly.
    token2 = f.login(name, device="web")
    for x in s:
        assert x.request("GET", "/v1/me", token=token2).status == 200
    # nginx spreads requests over all three.
    marker = uuid.uuid4().hex[:12]
    for i in range(30):
        r = f.request("GET", "/v1/me", token=token2, headers={"X-Request-Id": f"{marker}-{i}"})
        assert r.status == 200 and r.headers["x-request-id"] == f"{marker}-{i}", r
    used = {e[4] for e in f.access_log() if e[2].startswith(marker)}
    assert used == set(f.upstreams), used
    # Without one, nginx makes the request id, merchantd sends it back.
    r = f.request("GET", "/livez")
    rid = r.headers["x-request-id"]
    assert len(rid) == 32 and all(c in "0123456789abcdef" for c in rid), rid
    wait_for(lambda: any(e[2] == rid for e in f.access_log()), "the id in nginx's log")


def test_sse_crosses_instances_and_nginx():
    s = instances()
    f = front()
    m, mt = new_merchant()
    b, bt = new_buyer()
    shop, _ = new_shop(m)
    r = s[0].request("POST", f"/v1/shops/{shop}/conversations", token=bt)
    assert r.status in (200, 201), r
    conv = r.json["id"]
    held_by_third = SSE(s[2], token=mt)
    through_nginx = SSE(f, token=mt)
    assert held_by_third.status == 200 and through_nginx.status == 200
    try:
        r = s[0].request("POST", f"/v1/conversations/{conv}/messages",
                         {"type": "text", "text": "from the first instance"}, token=bt)
        assert r.status == 201, r
        message = r.json["id"]

        def is_it(m):
            return m.get("event") == "message.created" and \
                m["data"]["data"]["message_id"] == message
        ev = held_by_third.next_matching(is_it, timeout=15)
        assert ev is not None and "id" in ev, ev
        # Unbuffered: the one small event comes through at once.
        assert through_nginx.next_matching(is_it, timeout=15) is not None
        # A long poll through nginx, from the first event on, gets the next
        # one, sent to the second instance while it waits (or before).
        done = []
        t = threading.Thread(target=lambda: done.append(
            f.request("GET", f"/v1/events/poll?timeout=20&after={ev['id']}", token=mt,
                      timeout=40)))
        t.start()
        r = s[1].request("POST", f"/v1/conversations/{conv}/messages",
                         {"type": "text", "text": "from the second"}, token=bt)
        assert r.status == 201, r
        second = r.json["id"]
        t.join(40)
        assert done and done[0].status == 200, done
        got = [e["data"]["message_id"] for e in done[0].json["items"]
               if e["kind"] == "message.created"]
        assert got == [second], done[0].json
    finally:
        held_by_third.close()
        through_nginx.close()


def test_body_limit_through_nginx():
    f = front()
    m, mt = new_merchant()
    shop, _ = new_shop(m)
    big = b"\0" * (10 * 1024 * 1024 + 65 * 1024)
    r = f.request("POST", f"/v1/shops/{shop}/images", raw=big, token=mt,
                  headers={"Content-Type": "image/png"})
    assert_problem(r, 413, "payload_too_large")
    # merchantd's own JSON cap answers through nginx as merchantd wrote it.
    r = f.request("POST", "/v1/auth/login", raw=b"{" + b" " * (1024 * 1024 + 10) + b"}",
                  headers={"Content-Type": "application/json"})
    assert_problem(r, 413, "payload_too_large")


def run_jobs_racing(when):
    """Each instance runs the jobs twice at `when`, all six at once."""
    s = instances()
    for x in s:
        x.set_clock(when)
    results = parallel(lambda x: x.request("POST", "/v1/test/jobs/run"), [(x,) for x in s * 2])
    assert all(r.status == 200 for r in results), results


def test_jobs_run_once_with_three_instances():
    s = instances()
    m, mt = new_merchant()
    b, bt = new_buyer()
    shop, sku = new_shop(m, stock=1000)
    reviewer, _ = new_reviewer()
    items = json.dumps([{"sku_id": sku, "quantity": 1}])
    try:
        # Order expiry: 300 unpaid orders placed at T, expiring at T + 30 min.
        t0 = "2001-03-05T02:00:00Z"
        t = f"timestamptz {sql_literal(t0)}"
        unpaid = [int(x) for x in sql(
            f"SELECT o.order_id FROM generate_series(1, 300) g, LATERAL order_create({b}, {shop},"
            f" {sql_literal(items)}::jsonb, {sql_literal(ADDRESS_JSON)}::jsonb, '',"
            f" {t} + g * interval '0 s', {t} + interval '30 minutes') o").splitlines()]
        assert len(unpaid) == 300
        assert sql(f"SELECT stock FROM skus WHERE id = {sku}") == "700"
        run_jobs_racing("2001-03-05T02:31:00Z")
        assert sql(f"SELECT count(*) FROM orders WHERE id IN ({','.join(map(str, unpaid))})"
                   f" AND status = 'closed' AND close_reason = 'expired'") == "300"
        # The stock came back once per order, not once per instance.
        assert sql(f"SELECT stock FROM skus WHERE id = {sku}") == "1000"

        # Review auto-release and the letters on the hour: 200 paid orders held
        # at T (a hold letter each hour), released 24 h later.
        t1 = "2001-03-06T02:10:00Z"
        t = f"timestamptz {sql_literal(t1)}"
        paid = [int(x) for x in sql(
            f"SELECT o.order_id FROM generate_series(1, 200) g, LATERAL order_create({b}, {shop},"
            f" {sql_literal(items)}::jsonb, {sql_literal(ADDRESS_JSON)}::jsonb, '',"
            f" {t} + g * interval '0 s', {t} + interval '3650 days') o").splitlines()]
        ids = ",".join(map(str, paid))
        assert sql(f"SELECT count(*) FROM unnest(ARRAY[{ids}]) id"
                   f" WHERE order_pay({b}, id, {t}) = 'ok'") == "200"
        sql(f"SELECT review_hold({reviewer}, id, 'bulk', NULL, {t}) FROM unnest(ARRAY[{ids}]) id")
        # The hold letter goes out on the next hour (Asia/Shanghai 11:00).
        run_jobs_racing("2001-03-06T03:00:00Z")
        assert sql(f"SELECT count(*), sum(order_count) FROM letters WHERE shop_id = {shop}"
                   f" AND kind = 'hold'") == "1|200"
        run_jobs_racing("2001-03-07T03:10:00Z")
        assert sql(f"SELECT count(*), count(DISTINCT order_id) FROM review_actions"
                   f" WHERE action = 'auto_release' AND order_id IN ({ids})") == "200|200"
        run_jobs_racing("2001-03-07T04:00:00Z")
        assert sql(f"SELECT count(*), sum(order_count) FROM letters WHERE shop_id = {shop}"
                   f" AND kind = 'result'") == "1|200"
        assert sql(f"SELECT count(*) FROM letters WHERE shop_id = {shop}") == "2"
    finally:
        for x in s:
            x.set_clock(None)


def test_login_throttling_keys_on_the_forwarded_client():
    s = instances()
    f = front()

    def fail(via, source="127.0.0.1", xff=None):
        headers = {"X-Forwarded-For": xff} if xff else {}
        return via.request("POST", "/v1/auth/login",
                           {"username": uname("nobody"), "password": "wrong-password"},
                           headers=headers, source=source)

    # A trusted peer (127.0.0.1) names two clients: two buckets.
    a, b = "198.51.100.7", "2001:db8::7"
    for _ in range(3):
        assert fail(s[0], xff=a).status == 401
    assert_problem(fail(s[1], xff=a), 429, "too_many_attempts")
    assert fail(s[2], xff=b).status == 401
    # Entries a client put on the left change nothing: the rightmost counts.
    assert_problem(fail(s[0], xff=f"203.0.113.1, {a}"), 429, "too_many_attempts")
    assert fail(s[0], xff=f"{a}, {b}").status == 401

    # An untrusted peer's X-Forwarded-For is ignored: one bucket whatever it says.
    for i in range(3):
        assert fail(s[0], source="127.0.0.2", xff=f"203.0.113.{10 + i}").status == 401
    assert_problem(fail(s[1], source="127.0.0.2", xff="203.0.113.99"), 429, "too_many_attempts")

    # Through nginx: the client's address as nginx saw it, whatever the
    # client wrote in X-Forwarded-For itself.
    for i in range(3):
        assert fail(f, source="127.0.0.3", xff=f"192.0.2.{i}").status == 401
    assert_problem(fail(f, source="127.0.0.3", xff="192.0.2.200"), 429,
                   "too_many_attempts")
    assert fail(f, source="127.0.0.4").status == 401
    assert sql("SELECT count(*) FROM login_throttle WHERE key = 'ip:127.0.0.3'") == "1"


def raw_request(port, method, path, body=None, token=None, headers=None):
    """A request whose reply is not held to the contract: under a kill,
    nginx itself may answer (502, in HTML). (status, headers, json or None);
    status 0 when the connection failed."""
    try:
        status, doc, hdrs = faultlib.request(port, method, path, body, token, headers, timeout=30,
                                             contract=False)
    except faultlib.CONN_ERRORS:
        return 0, {}, None
    return status, hdrs, doc


def test_kill_one_instance_under_write_load():
    s = instances()
    f = front()
    m, mt = new_merchant()
    shop, sku = new_shop(m, stock=100000)
    buyers = [new_buyer() for _ in range(6)]
    victim = s[1]
    victim_addr = f"127.0.0.1:{victim.port}"
    stop = threading.Event()
    lock = threading.Lock()
    writes = []  # (key, buyer token, body, request id, status)
    reads = []   # (request id, status)
    unkeyed = []  # (request id, status): writes without a key
    errors = []

    def worker(n):
        _, bt = buyers[n]
        i = 0
        try:
            while not stop.is_set():
                i += 1
                key = f"w{n}-{i}-{uuid.uuid4().hex[:8]}"
                body = {"shop_id": shop, "items": [{"sku_id": sku, "quantity": 1}],
                        "address": ADDRESS}
                if i % 4 == 0:
                    # One write in four without a key: nginx never sends it twice.
                    status, _, doc = raw_request(f.port, "POST", "/v1/orders", body, bt,
                                                 {"X-Request-Id": f"u-{key}"})
                    with lock:
                        unkeyed.append((f"u-{key}", status))
                else:
                    status, _, doc = raw_request(f.port, "POST", "/v1/orders", body, bt,
                                                 {"Idempotency-Key": key,
                                                  "X-Request-Id": f"w-{key}"})
                    with lock:
                        writes.append((key, bt, body, f"w-{key}", status))
                if status == 201:
                    st, _, _ = raw_request(f.port, "GET", f"/v1/orders/{doc['id']}", None, bt,
                                           {"X-Request-Id": f"r-{key}"})
                    with lock:
                        reads.append((f"r-{key}", st))
        except Exception as e:  # the assertion belongs to the test
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(len(buyers))]
    for t in threads:
        t.start()
    try:
        wait_for(lambda: len(writes) >= 60 or errors, "the load to run", timeout=60)
        victim.proc.kill()
        victim.proc.wait()
        at_kill = len(writes)
        wait_for(lambda: len(writes) >= at_kill + 120 or errors, "the load to go on without it",
                 timeout=60)
    finally:
        stop.set()
        for t in threads:
            t.join(60)
    harness._live.remove(victim)
    assert not errors, errors

    log = {e[2]: e for e in f.access_log()}
    # Every 5xx a client saw was a request nginx had sent to the killed
    # instance; reads and keyed writes are sent on to another, so none at all.
    failed = [x for x in writes if x[4] >= 500 or x[4] == 0] + \
             [x for x in reads + unkeyed if x[1] >= 500 or x[1] == 0]
    for x in failed:
        entry = log.get(x[-2] if len(x) == 5 else x[0])
        assert entry is not None and victim_addr in entry[4], (x, entry)
    # Only an unkeyed write in flight on it may have failed (502, sent once).
    cut_off = [x for x in unkeyed if x[1] != 201]
    assert all(x[1] == 502 and log[x[0]][4] == victim_addr for x in cut_off), cut_off
    assert not [x for x in failed if x not in cut_off], failed
    assert all(st == 200 for _, st in reads), [x for x in reads if x[1] != 200]
    killed_mid_request = [e for e in log.values() if e[4].startswith(victim_addr + ",")]
    # A keyed write cut off inside its transaction answers 409 while the dead
    # process's claim stands (60 s); sent again once it is stale, it runs.
    pending = [x for x in writes if x[4] != 201]
    assert all(x[4] == 409 for x in pending), pending
    later = fmt_time(utcnow() + datetime.timedelta(minutes=2))
    for x in (s[0], s[2]):
        x.set_clock(later)
    try:
        for key, bt, body, rid, _ in pending:
            r = f.request("POST", "/v1/orders", body, token=bt, headers={"Idempotency-Key": key})
            assert r.status == 201, r
        # Acknowledged keyed writes sent again get their stored reply.
        for key, bt, body, rid, _ in writes[:20]:
            r = f.request("POST", "/v1/orders", body, token=bt, headers={"Idempotency-Key": key})
            assert r.status == 201 and r.headers.get("idempotent-replayed") == "true", r
    finally:
        for x in (s[0], s[2]):
            x.set_clock(None)
    # One order per key: nothing was applied twice.
    ids = ",".join(str(bid) for bid, _ in buyers)
    # (an unkeyed write cut off may or may not have committed).
    orders = int(sql(f"SELECT count(*) FROM orders WHERE buyer_id IN ({ids})"))
    placed = len(writes) + len([x for x in unkeyed if x[1] == 201])
    assert placed <= orders <= placed + len(cut_off), (orders, placed, cut_off)
    assert sql(f"SELECT stock + (SELECT count(*) FROM orders WHERE buyer_id IN ({ids})"
               f" AND status <> 'closed') FROM skus WHERE id = {sku}") == "100000"
    out = run_cli(["funds", "check"], s[0].db_url)
    assert out.returncode == 0, out.stdout + out.stderr
    print(f"     {len(writes)} keyed writes, {len(unkeyed)} unkeyed ({len(cut_off)} cut off:"
          f" 502) and {len(reads)} reads, {len(killed_mid_request)}"
          f" sent on by nginx after the kill, {len(pending)} answered 409 until the claim"
          f" went stale", flush=True)

    # Restarted on its port, it gets traffic again.
    pick = harness.free_port
    harness.free_port = lambda: victim.port
    try:
        back = start_server(env=ENV, db_url=s[0].db_url, migrate=False)
    finally:
        harness.free_port = pick
    assert back.port == victim.port
    instances()[1] = back
    marker = uuid.uuid4().hex[:10]
    n = [0]

    def reached():
        n[0] += 1
        r = f.request("GET", "/livez", headers={"X-Request-Id": f"{marker}-{n[0]}"})
        assert r.status == 200, r
        return any(e[2].startswith(marker) and e[4] == victim_addr and e[1] == "200"
                   for e in f.access_log())
    wait_for(reached, "nginx to send the restarted instance traffic", timeout=30)


def stop_front():
    while _fronts:
        _fronts.pop().stop()


if __name__ == "__main__":
    try:
        main([test_keyed_routes_map_matches_route_table, test_bad_trusted_proxies_stop_the_start,
              test_session_on_every_instance,
              test_sse_crosses_instances_and_nginx, test_body_limit_through_nginx,
              test_jobs_run_once_with_three_instances,
              test_login_throttling_keys_on_the_forwarded_client,
              test_kill_one_instance_under_write_load])
    finally:
        stop_front()
