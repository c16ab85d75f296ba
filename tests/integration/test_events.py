"""Real-time chat delivery: GET /v1/events (Server-Sent Events) and
GET /v1/events/poll (long poll): delivery, Last-Event-ID replay, ordering
across concurrent transactions, tenant isolation, two instances on one
database, 2,000 idle streams, session_replaced, heartbeats, the purge job."""

import json
import os
import selectors
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from harness import *  # noqa: E402,F401,F403


# Where docs/openapi.yaml gives the schemas of the stream's messages.
EVENT_DATA = "/paths/~1v1~1events/get/responses/200/content/text~1event-stream/x-event-data/"


class SSE:
    """A raw-socket SSE client: parses chunked transfer coding and SSE
    messages; comments (heartbeats) are kept in self.comments."""

    def __init__(self, server, token=None, last_event_id=None, path="/v1/events"):
        self.sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        h = [f"GET {path} HTTP/1.1", "Host: localhost", "Accept: text/event-stream"]
        if token:
            h.append(f"Authorization: Bearer {token}")
        if last_event_id is not None:
            h.append(f"Last-Event-ID: {last_event_id}")
        self.sock.sendall(("\r\n".join(h) + "\r\n\r\n").encode())
        self.raw = b""
        self.body = b""
        self.status = None
        self.headers = {}
        self.ended = False  # the chunked body ended (last chunk)
        self.closed = False  # the server closed the connection
        self.comments = []
        self._read_head()
        self._check_contract("GET", path)

    def _recv(self, deadline):
        self.sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return False
        if not data:
            self.closed = True
            return False
        self.raw += data
        return True

    def _read_head(self):
        deadline = time.monotonic() + 10
        while b"\r\n\r\n" not in self.raw:
            if not self._recv(deadline) and (self.closed or time.monotonic() > deadline):
                raise AssertionError(f"no response head: {self.raw!r}")
        head, self.raw = self.raw.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        self.status = int(lines[0].split()[1])
        for line in lines[1:]:
            k, v = line.split(":", 1)
            self.headers[k.strip().lower()] = v.strip()

    def _check_contract(self, method, path):
        """A stream's head is checked against docs/openapi.yaml (its events
        one by one in next()); any other reply whole, once read."""
        if self.status == 200:
            check_reply(method, path, self.status, self.headers, None)
            return
        deadline = time.monotonic() + 10
        length = int(self.headers.get("content-length", "0"))
        while len(self.raw) < length and self._recv(deadline):
            pass
        check_reply(method, path, self.status, self.headers,
                    self.raw[:length].decode("utf-8", "replace"))

    def _dechunk(self):
        while not self.ended:
            if b"\r\n" not in self.raw:
                return
            size_line, rest = self.raw.split(b"\r\n", 1)
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                self.ended = True
                return
            if len(rest) < size + 2:
                return
            self.body += rest[:size]
            self.raw = rest[size + 2:]

    def next(self, timeout=10):
        """The next SSE message as a dict (id, event, data), or None at
        the end of the stream or on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            self._dechunk()
            while b"\n\n" in self.body:
                block, self.body = self.body.split(b"\n\n", 1)
                msg = {}
                for line in block.decode().split("\n"):
                    if line.startswith(":"):
                        self.comments.append(line)
                        continue
                    k, _, v = line.partition(":")
                    msg[k] = v[1:] if v.startswith(" ") else v
                if "data" in msg or "event" in msg:
                    if "data" in msg:
                        msg["data"] = json.loads(msg["data"])
                        end = msg.get("event") == "session_replaced"
                        check_value(f"the event {msg.get('event')} of GET /v1/events",
                                    EVENT_DATA + ("session_replaced" if end else "other"),
                                    msg["data"])
                    return msg
            if self.ended or self.closed:
                return None
            if time.monotonic() > deadline or not self._recv(deadline):
                if self.closed or time.monotonic() > deadline:
                    return None

    def next_matching(self, pred, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = self.next(deadline - time.monotonic())
            if m is None:
                return None
            if pred(m):
                return m
        return None

    def close(self):
        self.sock.close()


def db(s):
    return lambda q: psql(s.db_url, q)


def conversation(q, shop, merchant, buyer):
    return int(q(f"INSERT INTO conversations (shop_id, merchant_id, buyer_id, created_at,"
                 f" last_activity_at) VALUES ({shop}, {merchant}, {buyer}, now(), now())"
                 f" RETURNING id"))


def send(q, conv, text="hello", sender="merchant"):
    """Inserts a message as the send function would; returns its id."""
    return int(q(f"INSERT INTO messages (conversation_id, shop_id, buyer_id, sender, sender_id,"
                 f" type, body, created_at) SELECT c.id, c.shop_id, c.buyer_id, '{sender}',"
                 f" CASE '{sender}' WHEN 'buyer' THEN c.buyer_id ELSE c.merchant_id END, 'text',"
                 f" {sql_literal(text)}, now() FROM conversations c WHERE c.id = {conv}"
                 f" RETURNING id"))


def event_id(q, message):
    return int(q(f"SELECT id FROM events WHERE kind = 'message.created'"
                 f" AND (data->>'message_id')::bigint = {message}"))


def settle(event):
    """Waits (up to 15 s) until the event is behind the oldest running
    transaction of the cluster, which readers wait for: tests beside this
    one, in other databases, hold it back too."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and sql(
            f"SELECT {event} >> 20 < pg_snapshot_xmin(pg_current_snapshot())::text::bigint") != "t":
        time.sleep(0.02)


def is_message(message):
    return lambda m: m.get("event") == "message.created" and \
        m["data"]["data"]["message_id"] == message


def chat():
    """A merchant with a shop, a buyer, and their conversation on the shared
    server: dict of ids and tokens."""
    m, mt = new_merchant()
    b, bt = new_buyer()
    shop, _ = new_shop(m)
    conv = conversation(sql, shop, m, b)
    return {"m": m, "mt": mt, "b": b, "bt": bt, "shop": shop, "conv": conv}


def poll(s, token, **params):
    qs = "&".join(f"{k}={v}" for k, v in params.items())
    return s.request("GET", "/v1/events/poll" + ("?" + qs if qs else ""), token=token, timeout=40)


# ---------------------------------------------------------------------------


def test_errors():
    c = chat()
    assert_problem(srv().request("GET", "/v1/events"), 401, "unauthenticated")
    assert_problem(srv().request("GET", "/v1/events/poll"), 401, "unauthenticated")
    s = SSE(srv())
    assert s.status == 401
    s.close()
    r = srv().request("GET", "/v1/events", token=c["mt"], headers={"Last-Event-ID": "abc"})
    assert_problem(r, 400, "invalid_field")
    assert r.json["errors"][0]["field"] == "Last-Event-ID"
    assert_problem(srv().request("GET", "/v1/events?after=-1", token=c["mt"]), 400,
                   "invalid_field")
    for qs, field in (("timeout=31", "timeout"), ("timeout=-1", "timeout"),
                      ("after=x", "after"), ("after=-5", "after")):
        r = srv().request("GET", "/v1/events/poll?" + qs, token=c["mt"])
        assert_problem(r, 400, "invalid_field")
        assert [e["field"] for e in r.json["errors"]] == [field], r.json
    r = srv().request("GET", "/v1/events/poll?bogus=1", token=c["bt"])
    assert_problem(r, 400, "unknown_field")
    assert_problem(srv().request("POST", "/v1/events", token=c["mt"]), 405, "method_not_allowed")


def test_sse_delivery_both_sides():
    c = chat()
    ms, bs = SSE(srv(), c["mt"]), SSE(srv(), c["bt"])
    assert ms.status == 200 and ms.headers["content-type"] == "text/event-stream", ms.headers
    assert ms.headers.get("cache-control") == "no-store"
    msg = send(sql, c["conv"], "你好", sender="buyer")
    eid = event_id(sql, msg)
    for s in (ms, bs):
        m = s.next_matching(is_message(msg))
        assert m is not None, "no event"
        assert m["id"] == str(eid) and m["data"]["id"] == eid
        assert m["data"]["kind"] == "message.created" and m["data"]["shop_id"] == c["shop"]
        assert m["data"]["data"] == {"conversation_id": c["conv"], "message_id": msg,
                                     "sender": "buyer", "type": "text"}
        parse_time(m["data"]["created_at"])
        s.close()


def test_no_replay_without_last_event_id():
    c = chat()
    old = send(sql, c["conv"], "before")
    # A stream without Last-Event-ID starts at the oldest running
    # transaction, so that none committing later is skipped: while a
    # transaction older than the message runs anywhere in the cluster (a
    # test beside this one), the message is still ahead of that start and
    # is delivered, by design. Once it is behind, it is in the past.
    settle(event_id(sql, old))
    s = SSE(srv(), c["mt"])
    new = send(sql, c["conv"], "after")
    m = s.next_matching(lambda m: m.get("event") == "message.created")
    assert m["data"]["data"]["message_id"] == new, (m, old)
    s.close()


def test_last_event_id_replay():
    c = chat()
    msgs = [send(sql, c["conv"], f"m{i}") for i in range(4)]
    ids = [event_id(sql, x) for x in msgs]
    s = SSE(srv(), c["mt"], last_event_id=ids[0])
    got = [s.next_matching(lambda m: m.get("event") == "message.created") for _ in range(3)]
    assert [int(m["id"]) for m in got] == ids[1:], got
    live = send(sql, c["conv"], "live")
    assert s.next_matching(is_message(live)) is not None
    s.close()
    # ?after= does the same for clients that cannot set the header
    s = SSE(srv(), c["bt"], path=f"/v1/events?after={ids[2]}")
    m = s.next_matching(lambda m: m.get("event") == "message.created")
    assert int(m["id"]) == ids[3], m
    s.close()


def test_isolation():
    c1, c2 = chat(), chat()
    # a second shop of merchant 1, with buyer 2
    shop2, _ = new_shop(c1["m"])
    conv2 = conversation(sql, shop2, c1["m"], c2["b"])
    streams = {k: SSE(srv(), t) for k, t in
               (("m1", c1["mt"]), ("b1", c1["bt"]), ("m2", c2["mt"]), ("b2", c2["bt"]))}
    a = send(sql, c1["conv"], "to buyer 1")
    b = send(sql, conv2, "to buyer 2 from shop 2")
    c = send(sql, c2["conv"], "merchant 2 to buyer 2")
    expect = {"m1": [a, b], "b1": [a], "m2": [c], "b2": [b, c]}
    # one last message in each first conversation tells a stream is drained
    end1, end2 = send(sql, c1["conv"], "end"), send(sql, c2["conv"], "end")
    for k, s in streams.items():
        last = end1 if k in ("m1", "b1") else end2
        seen = []
        while True:
            m = s.next(10)
            assert m is not None, (k, seen)
            if m.get("event") != "message.created":
                continue
            mid = m["data"]["data"]["message_id"]
            if mid == last:
                break
            seen.append(mid)
        assert seen == expect[k], (k, seen, expect[k])
        s.close()


def test_poll():
    c = chat()
    # no after: starts from now, answers at once with timeout=0
    r = poll(srv(), c["bt"], timeout=0)
    assert r.status == 200 and r.json["items"] == [], r
    start = r.json["next_after"]
    assert isinstance(start, int)
    # immediate: events after the position are there
    msg = send(sql, c["conv"], "one")
    settle(event_id(sql, msg))
    t0 = time.monotonic()
    r = poll(srv(), c["bt"], after=start, timeout=10)
    assert r.status == 200 and time.monotonic() - t0 < 3, r
    items = [e for e in r.json["items"] if e["kind"] == "message.created"]
    assert [e["data"]["message_id"] for e in items] == [msg], r.json
    assert r.json["next_after"] == r.json["items"][-1]["id"] == event_id(sql, msg)
    pos = r.json["next_after"]
    # timeout: nothing comes, [] after about the timeout, position unchanged
    t0 = time.monotonic()
    r = poll(srv(), c["bt"], after=pos, timeout=1)
    took = time.monotonic() - t0
    assert r.status == 200 and r.json == {"items": [], "next_after": pos}, r
    assert 0.9 < took < 4, took
    # wait, then woken by an event
    out = {}
    th = threading.Thread(target=lambda: out.update(r=poll(srv(), c["mt"], after=pos,
                                                           timeout=20)))
    t0 = time.monotonic()
    th.start()
    time.sleep(0.5)
    later = send(sql, c["conv"], "two", sender="buyer")
    th.join()
    took = time.monotonic() - t0
    # Well before the timeout (tests beside this one may hold the
    # cluster's horizon back for a moment).
    assert out["r"].status == 200 and took < 15, (out, took)
    assert [e["data"]["message_id"] for e in out["r"].json["items"]] == [later], out["r"].json


def test_order_with_concurrent_transactions():
    """An event of a transaction that commits later but began earlier (a
    smaller id) is never skipped: the stream holds the later one back."""
    c = chat()
    # another buyer's conversation: the two transactions lock no common row
    b2, _ = new_buyer()
    conv2 = conversation(sql, c["shop"], c["m"], b2)
    for _ in range(3):
        s = SSE(srv(), c["mt"])
        slow = subprocess.Popen(["psql", srv().db_url, "-v", "ON_ERROR_STOP=1", "-Atq"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        slow.stdin.write("BEGIN;\n")
        slow.stdin.write(
            f"INSERT INTO messages (conversation_id, shop_id, buyer_id, sender, sender_id, type,"
            f" body, created_at) VALUES ({c['conv']}, {c['shop']}, {c['b']}, 'merchant',"
            f" {c['m']}, 'text', 'slow', now()) RETURNING id;\n")
        slow.stdin.flush()
        try:
            slow_msg = int(slow.stdout.readline())
            fast = send(sql, conv2, "fast")
            # the later transaction's event waits for the earlier one
            time.sleep(0.3)
            slow.stdin.write("COMMIT;\n")
            slow.stdin.close()
            slow.wait(10)
        finally:
            if slow.poll() is None:
                slow.kill()
                slow.wait()
        got = []
        while len(got) < 2:
            m = s.next_matching(lambda m: m.get("event") == "message.created")
            assert m is not None, got
            got.append(m["data"]["data"]["message_id"])
        assert got == [slow_msg, fast], (got, slow_msg, fast)
        s.close()


def test_cross_instance():
    c = chat()
    other = start_server(db_url=srv().db_url, migrate=False)
    try:
        s = SSE(other, c["bt"])
        msg = send(sql, c["conv"], "from instance A's database")
        assert s.next_matching(is_message(msg), timeout=10) is not None
        # Sent through instance A's API, received on a stream instance B holds.
        r = srv().request("POST", f"/v1/conversations/{c['conv']}/messages",
                          {"type": "text", "text": "through instance A"}, token=c["mt"])
        assert r.status == 201, r
        assert s.next_matching(is_message(r.json["id"]), timeout=10) is not None
        s.close()
        # long poll on B, woken through the database
        pos = poll(other, c["mt"], timeout=0).json["next_after"]
        out = {}
        th = threading.Thread(target=lambda: out.update(r=poll(other, c["mt"], after=pos,
                                                               timeout=20)))
        th.start()
        time.sleep(0.3)
        later = send(sql, c["conv"], "again")
        th.join()
        assert [e["data"]["message_id"] for e in out["r"].json["items"]] == [later]
    finally:
        stop_server(other)


def test_listener_reconnects():
    c = chat()
    s = SSE(srv(), c["mt"])
    killed = sql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                 " WHERE application_name = 'merchantd-listener'"
                 " AND datname = current_database()")
    assert killed == "1", killed
    # sent while no instance listens: the reconnect wakes every stream once
    msg = send(sql, c["conv"], "while the listener was away")
    assert s.next_matching(is_message(msg), timeout=10) is not None
    deadline = time.monotonic() + 10
    while sql("SELECT count(*) FROM pg_stat_activity WHERE application_name ="
              " 'merchantd-listener' AND datname = current_database()") != "1":
        assert time.monotonic() < deadline, "the listener did not come back"
        time.sleep(0.1)
    later = send(sql, c["conv"], "after the reconnect")
    assert s.next_matching(is_message(later), timeout=15) is not None
    s.close()


def test_session_replaced_ends_stream():
    name = uname("b")
    srv().register(name, role="buyer")
    token = srv().login(name, device="phone")
    s = SSE(srv(), token)
    srv().login(name, device="web")
    m = s.next(10)
    assert m is not None and m["event"] == "session_replaced", m
    assert m["data"] == {"reason": "replaced"}
    assert s.next(5) is None and (s.ended or s.closed)
    s.close()
    # logged out: the same; and a long poll in progress answers 401
    token = srv().login(name, device="tablet")
    s = SSE(srv(), token)
    out = {}
    th = threading.Thread(target=lambda: out.update(r=poll(srv(), token, timeout=20)))
    th.start()
    time.sleep(0.3)
    assert srv().request("POST", "/v1/auth/logout", token=token).status == 204
    m = s.next(10)
    assert m is not None and m["event"] == "session_replaced" and m["data"]["reason"] == "logout"
    th.join()
    assert_problem(out["r"], 401, "unauthenticated")
    s.close()
    assert SSE(srv(), token).status == 401


def test_heartbeat_and_purge():
    s2 = start_server(env={"MERCHANTD_EVENTS_HEARTBEAT_SECONDS": "1"})
    try:
        name = uname("m")
        s2.register(name)
        token = s2.login(name)
        s = SSE(s2, token)
        assert s.next(2.5) is None and not s.closed
        assert ": heartbeat" in s.comments, s.comments
        # a session replaced while no notification reaches the stream
        # (the trigger is dropped) ends at the next heartbeat
        q = db(s2)
        q("DROP TRIGGER sessions_end_notify ON sessions")
        s2.login(name, device="other")
        m = s.next(5)
        assert m is not None and m["event"] == "session_replaced", m
        s.close()
        # events older than a week are purged by the job
        acc = int(q(f"SELECT id FROM accounts WHERE username = {sql_literal(name)}"))
        q(f"INSERT INTO events (kind, merchant_id, data, created_at) VALUES"
          f" ('test.old', {acc}, '{{}}', now() - interval '8 days'),"
          f" ('test.new', {acc}, '{{}}', now() - interval '6 days')")
        assert s2.request("POST", "/v1/test/jobs/run").status in (200, 204)
        assert q(f"SELECT string_agg(kind, ',') FROM events WHERE merchant_id = {acc}") == \
            "test.new"
    finally:
        stop_server(s2)


def test_two_thousand_idle_streams():
    n = 2000
    big = start_server(env={"MERCHANTD_CONNECTION_LIMIT": "5000"})
    try:
        q = db(big)
        mname, bname = uname("m"), uname("b")
        m = big.register(mname)["id"]
        b = big.register(bname, role="buyer")["id"]
        mt = big.login(mname)
        shop = int(q(f"INSERT INTO shops (merchant_id, name, created_at, updated_at)"
                     f" VALUES ({m}, 'Tea', now(), now()) RETURNING id"))
        conv = conversation(q, shop, m, b)
        me = lambda: big.request("GET", "/v1/me", token=mt)  # noqa: E731

        def latency(k=40):
            times = []
            for _ in range(k):
                t0 = time.monotonic()
                assert me().status == 200
                times.append(time.monotonic() - t0)
            times.sort()
            return times[len(times) // 2], times[-1]

        base_p50, _ = latency()
        sel = selectors.DefaultSelector()
        socks = []
        req = (f"GET /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {mt}\r\n"
               f"Accept: text/event-stream\r\n\r\n").encode()
        for i in range(n):
            so = socket.create_connection(("127.0.0.1", big.port), timeout=10)
            so.sendall(req)
            so.setblocking(False)
            socks.append(so)
            sel.register(so, selectors.EVENT_READ, i)
        bufs = [b""] * n

        def read_until(token, timeout):
            pending = {i for i in range(n) if token not in bufs[i]}
            deadline = time.monotonic() + timeout
            while pending and time.monotonic() < deadline:
                for key, _ in sel.select(0.2):
                    i = key.data
                    try:
                        data = key.fileobj.recv(65536)
                    except BlockingIOError:
                        continue
                    assert data, f"stream {i} closed: {bufs[i][-200:]!r}"
                    bufs[i] += data
                    if token in bufs[i]:
                        pending.discard(i)
            return pending

        left = read_until(b"retry: 2000", 30)
        assert not left, f"{len(left)} streams did not start"
        assert all(x.startswith(b"HTTP/1.1 200") for x in bufs)
        p50, worst = latency()
        metrics = big.request("GET", "/metrics").raw
        assert f"merchantd_event_streams_open {n}\n" in metrics, metrics[-600:]
        assert p50 < max(0.05, base_p50 * 5) and worst < 1.0, (base_p50, p50, worst)
        msg = send(q, conv, "to everyone")
        t0 = time.monotonic()
        left = read_until(f'"message_id": {msg}'.encode(), 30)  # the only message
        assert not left, f"{len(left)} streams did not get the event"
        took = time.monotonic() - t0
        assert took < 20, took
        print(f"     /v1/me p50 {base_p50 * 1000:.1f} ms idle, {p50 * 1000:.1f} ms (max"
              f" {worst * 1000:.1f} ms) beside {n} streams; event to all in {took:.2f} s")
        # a long poll in progress too; SIGTERM ends both promptly and cleanly
        th = threading.Thread(target=lambda: poll(big, mt, timeout=30))
        th.start()
        time.sleep(0.3)
        t0 = time.monotonic()
        stop_server(big)
        assert time.monotonic() - t0 < 5, time.monotonic() - t0
        th.join()
        for so in socks:
            so.close()
    finally:
        stop_server(big)


if __name__ == "__main__":
    main([test_errors, test_sse_delivery_both_sides, test_no_replay_without_last_event_id,
          test_last_event_id_replay, test_isolation, test_poll,
          test_order_with_concurrent_transactions, test_cross_instance, test_listener_reconnects,
          test_session_replaced_ends_stream, test_heartbeat_and_purge,
          test_two_thousand_idle_streams])
