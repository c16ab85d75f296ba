"""The read replica (docs/operations.md "Read replica"): a private primary
and a hot standby made from it with pg_basebackup -R (scripts/lib.sh
pg_standby_start), a merchantd with MERCHANTD_REPLICA_URL on it. The heavy
reads (order export, letter attachment, chat search, the data pages) are
served by the standby while it is fresh, which a paused replay proves: a
message written after the pause is not found while the standby is within
the bound, and is once the bound is passed and the reads fall back to the
primary. Stopping the standby sends them to the primary at once, starting
it brings them back; without MERCHANTD_REPLICA_URL nothing changes."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from harness import *  # noqa: E402,F401,F403

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MAX_LAG_MS = 2000
PG_SETTINGS = "fsync=off synchronous_commit=off full_page_writes=off max_connections=60"


class Pair:
    """A primary and its standby, in a directory of their own, on the two
    ports TEST_REPLICA_PORTS names ("PRIMARY STANDBY") or on free ones. A
    pair of its own rather than a standby of TEST_PG_URL's cluster: a base
    backup of that would copy every database the suite has made."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="merchantd-replica-")
        os.chmod(self.dir, 0o755)  # the clusters run as postgres when we are root
        ports = os.environ.get("TEST_REPLICA_PORTS", "").split()
        if len(ports) == 2:
            self.primary_port, self.standby_port = int(ports[0]), int(ports[1])
        else:
            self.primary_port, self.standby_port = free_port(), free_port()
            while self.standby_port == self.primary_port:
                self.standby_port = free_port()
        self.lib(f"pg_start {self.dir}/p {self.primary_port} {PG_SETTINGS}")
        self.primary = f"postgresql://postgres@127.0.0.1:{self.primary_port}"
        self.standby = f"postgresql://postgres@127.0.0.1:{self.standby_port}"
        psql(self.primary + "/postgres", "CREATE DATABASE merchantd")
        self.start_standby()

    def lib(self, command):
        out = subprocess.run(["bash", "-c", f". {REPO}/scripts/lib.sh; {command}"],
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr

    def start_standby(self):
        self.lib(f"pg_standby_start {self.dir}/s {self.standby_port} {self.primary_port}"
                 f" {PG_SETTINGS}")

    def stop_standby(self):
        self.lib(f"pg_stop {self.dir}/s")

    def on_standby(self, query):
        return psql(self.standby + "/merchantd", query)

    def destroy(self):
        self.lib(f"pg_stop {self.dir}/s; pg_stop {self.dir}/p")
        shutil.rmtree(self.dir, ignore_errors=True)


_pair = None
_server = None


def pair():
    global _pair
    if _pair is None:
        _pair = Pair()
    return _pair


def server():
    """A merchantd on the pair; the jobs and the rollup folds are off, so
    that the primary writes only when the test does (a paused standby is
    then exactly as far behind as the test's own writes)."""
    global _server
    if _server is None:
        p = pair()
        _server = start_server(db_url=p.primary + "/merchantd", env={
            "MERCHANTD_REPLICA_URL": p.standby + "/merchantd",
            "MERCHANTD_REPLICA_MAX_LAG_MS": str(MAX_LAG_MS),
            "MERCHANTD_STATS_FOLD_SECONDS": "0",
            "MERCHANTD_JOB_INTERVAL_SECONDS": "3600",
        })
    return _server


def metrics(s):
    r = s.request("GET", "/metrics")
    assert r.status == 200, r
    out = {}
    for line in r.raw.splitlines():
        m = re.match(r"^(merchantd_replica_\w+(?:\{[^}]*\})?) (\S+)$", line)
        if m:
            out[m.group(1)] = float(m.group(2))
    return out


def reads(s, read, where):
    return metrics(s).get(f'merchantd_replica_reads_total{{read="{read}",server="{where}"}}', 0)


def fallbacks(s, reason):
    return metrics(s).get(f'merchantd_replica_fallbacks_total{{reason="{reason}"}}', 0)


def wait_for(what, check, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def wait_fresh(s):
    """Until the standby is up and within the bound: the lag gauge exists
    only while the monitor knows how far behind it is."""
    def fresh():
        m = metrics(s)
        lag = m.get("merchantd_replica_lag_seconds")
        return m.get("merchantd_replica_up") == 1 and lag is not None and lag * 1000 < MAX_LAG_MS / 2
    wait_for("a fresh replica", fresh)


class Shop:
    """A merchant with a shop, a buyer and a conversation between them."""

    def __init__(self):
        s = server()
        m = uname("m")
        self.merchant_id = s.register(m)["id"]
        self.token = s.login(m)
        b = uname("b")
        s.register(b, role="buyer")
        self.buyer_token = s.login(b)
        self.shop = int(psql(s.db_url, f"INSERT INTO shops (merchant_id, name, created_at,"
                                       f" updated_at) VALUES ({self.merchant_id}, 'Tea House',"
                                       f" now(), now()) RETURNING id"))
        r = s.request("POST", f"/v1/shops/{self.shop}/conversations", token=self.buyer_token)
        assert r.status in (200, 201), r
        self.conversation = r.json["id"]

    def say(self, text):
        r = server().request("POST", f"/v1/conversations/{self.conversation}/messages",
                             {"type": "text", "text": text}, token=self.buyer_token)
        assert r.status == 201, r
        return r.json["id"]

    def search(self, q):
        r = server().request("GET", f"/v1/shops/{self.shop}/messages/search?"
                             + urllib.parse.urlencode({"q": q}),
                             token=self.token)
        assert r.status == 200, r
        return [h["message"]["id"] for h in r.json["items"]]

    def get(self, path):
        return server().request("GET", f"/v1/shops/{self.shop}{path}", token=self.token)

    def letter(self):
        return int(psql(server().db_url,
                        f"INSERT INTO letters (shop_id, kind, title, summary, body, order_count,"
                        f" delivered_at) VALUES ({self.shop}, 'hold', '订单禁止发货通知', 's',"
                        f" 'b', 0, date_trunc('hour', now())) RETURNING id"))


def replicated(shop):
    return lambda: pair().on_standby(f"SELECT count(*) FROM shops WHERE id = {shop}") == "1"


def test_heavy_reads_served_by_replica():
    s = server()
    w = Shop()
    said = w.say("发票 please")
    letter = w.letter()
    wait_for("the shop on the standby", replicated(w.shop))
    wait_for("the message on the standby",
             lambda: pair().on_standby(f"SELECT count(*) FROM messages WHERE id = {said}") == "1")
    wait_fresh(s)
    before = {k: reads(s, k, "replica") for k in
              ("chat_search", "orders_export", "stats", "letter_attachment")}
    assert w.search("发票") == [said]
    r = w.get("/orders/export.csv")
    assert r.status == 200 and r.headers.get("content-type").startswith("text/csv"), r
    for path in ("/stats/overview", "/stats/daily", "/stats/hourly", "/stats/products",
                 "/stats/service", "/stats/logistics", "/stats/coupons"):
        assert w.get(path).status == 200, path
    r = s.request("GET", "/v1/me/stats/overview", token=w.token)
    assert r.status == 200 and [x["shop_id"] for x in r.json["shops"]] == [w.shop], r
    r = w.get(f"/letters/{letter}/attachment.csv")
    assert r.status == 200, r
    after = {k: reads(s, k, "replica") for k in before}
    assert after["chat_search"] == before["chat_search"] + 1, (before, after)
    assert after["orders_export"] >= before["orders_export"] + 1, (before, after)
    assert after["stats"] >= before["stats"] + 8, (before, after)
    assert after["letter_attachment"] == before["letter_attachment"] + 1, (before, after)
    m = metrics(s)
    assert m["merchantd_replica_connections_open"] >= 1, m
    # Another merchant's shop stays 404 on the replica as on the primary.
    other = Shop()
    r = s.request("GET", f"/v1/shops/{w.shop}/stats/overview", token=other.token)
    assert_problem(r, 404, "not_found")
    r = s.request("GET", f"/v1/shops/{w.shop}/messages/search?q=x", token=other.token)
    assert_problem(r, 404, "not_found")


def test_paused_replay_within_then_past_the_bound():
    s = server()
    w = Shop()
    wait_for("the shop on the standby", replicated(w.shop))
    wait_fresh(s)
    p = pair()
    p.on_standby("SELECT pg_wal_replay_pause()")
    try:
        wait_for("replay paused",
                 lambda: p.on_standby("SELECT pg_get_wal_replay_pause_state()") == "paused")
        assert metrics(s).get("merchantd_replica_replay_paused") is not None
        lag_before = fallbacks(s, "lag")
        served = reads(s, "chat_search", "replica")
        said = w.say("退款 after the pause")
        # Within the bound the standby serves the search, and it has not
        # replayed the message yet: the read really ran there.
        assert w.search("退款") == [], "the search saw a write the paused standby has not replayed"
        assert reads(s, "chat_search", "replica") == served + 1
        # A shop, a letter created now: not on the standby, yet found, the
        # replica's "no such object" asked again of the primary.
        absent = fallbacks(s, "absent")
        letter = w.letter()
        assert w.get(f"/letters/{letter}/attachment.csv").status == 200
        fresh_shop = Shop()
        r = s.request("GET", f"/v1/shops/{fresh_shop.shop}/stats/overview",
                      token=fresh_shop.token)
        assert r.status == 200, r
        # (Later than the bound these go to the primary for lag instead.)
        assert fallbacks(s, "absent") + fallbacks(s, "lag") >= absent + 2
        # A session replaced after the pause is refused at once: sessions
        # are checked on the primary, whatever the standby still holds.
        old = fresh_shop.token
        fresh_shop.token = s.login(psql(s.db_url, f"SELECT username FROM accounts"
                                                  f" WHERE id = {fresh_shop.merchant_id}"))
        r = s.request("GET", f"/v1/shops/{fresh_shop.shop}/messages/search?q=x", token=old)
        assert_problem(r, 401, "session_replaced")
        r = s.request("GET", f"/v1/shops/{fresh_shop.shop}/stats/daily", token=fresh_shop.token)
        assert r.status == 200, r
        # Past the bound the reads go to the primary, and see the message.
        wait_for("a lag fallback", lambda: w.search("退款") == [said])
        assert fallbacks(s, "lag") > lag_before
        assert metrics(s)["merchantd_replica_replay_paused"] == 1
    finally:
        p.on_standby("SELECT pg_wal_replay_resume()")
    # Resumed, the standby catches up and serves again.
    wait_fresh(s)
    served = reads(s, "chat_search", "replica")
    assert w.search("退款") == [said]
    assert reads(s, "chat_search", "replica") == served + 1
    assert metrics(s)["merchantd_replica_replay_paused"] == 0


def test_standby_stopped_then_started():
    s = server()
    w = Shop()
    said = w.say("物流 question")
    wait_for("the message on the standby",
             lambda: pair().on_standby(f"SELECT count(*) FROM messages WHERE id = {said}") == "1")
    wait_fresh(s)
    down = fallbacks(s, "down")
    pair().stop_standby()
    try:
        # At once, before the monitor noticed or after: no 5xx, and fast.
        for _ in range(20):
            t = time.time()
            assert w.search("物流") == [said]
            assert w.get("/stats/daily").status == 200
            assert time.time() - t < 1.5
        wait_for("the replica seen down", lambda: metrics(s).get("merchantd_replica_up") == 0)
        assert fallbacks(s, "down") > down
        primary = reads(s, "chat_search", "primary")
        assert w.search("物流") == [said]
        assert reads(s, "chat_search", "primary") == primary + 1
    finally:
        pair().start_standby()
    wait_fresh(s)

    # The reads come back to it once each thread's reconnect backoff passed.
    def back():
        served = reads(s, "chat_search", "replica")
        assert w.search("物流") == [said]
        return reads(s, "chat_search", "replica") == served + 1
    wait_for("reads back on the replica", back)


def test_without_replica_url_nothing_changes():
    s = srv()
    m = metrics(s)
    assert m == {}, m
    merchant, token = new_merchant()
    shop, _ = new_shop(merchant)
    r = s.request("GET", f"/v1/shops/{shop}/messages/search?q=x", token=token)
    assert r.status == 200 and r.json["items"] == [], r
    assert s.request("GET", f"/v1/shops/{shop}/stats/overview", token=token).status == 200


def test_bad_settings_refused():
    for value in ("0", "99", "60001", "x", "-5"):
        out = run_cli(["serve"], pair().primary + "/merchantd",
                      env={"MERCHANTD_REPLICA_MAX_LAG_MS": value, "PORT": str(free_port())},
                      timeout=30)
        assert out.returncode == 2, (value, out.returncode, out.stderr)
        assert "MERCHANTD_REPLICA_MAX_LAG_MS" in out.stderr, out.stderr


def teardown():
    global _server, _pair
    if _server is not None:
        stop_server(_server)
        _server = None
    if _pair is not None:
        _pair.destroy()
        _pair = None


if __name__ == "__main__":
    try:
        main([test_heavy_reads_served_by_replica, test_paused_replay_within_then_past_the_bound,
              test_standby_stopped_then_started, test_without_replica_url_nothing_changes,
              test_bad_settings_refused, teardown])
    finally:
        if _pair is not None:
            _pair.destroy()
