"""Faults, the quick versions of tests/reliability/ (which share
tests/reliability/faultlib.py with this file): kill -9 under a mixed write
load with picture uploads, PostgreSQL stopped, started and its connections
terminated under load, slow and idle clients from one address, oversized
headers, clients that leave in the middle of an upload or an event stream."""

import os
import socket
import struct
import sys

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "reliability"))
from harness import *  # noqa: E402,F401,F403
import faultlib  # noqa: E402

# What the tests measured, for the one RELIABILITY line at the end.
FIGURES = {"requests": 0, "5xx": 0, "crashes": 0, "lost_writes": 0, "recovery_s": None,
           "notes": []}


def note(requests=0, five_xx=0, crashes=0, lost=0, recovery=None, text=None):
    FIGURES["requests"] += requests
    FIGURES["5xx"] += five_xx
    FIGURES["crashes"] += crashes
    FIGURES["lost_writes"] += lost
    if recovery is not None:
        FIGURES["recovery_s"] = max(FIGURES["recovery_s"] or 0, recovery)
    if text:
        FIGURES["notes"].append(text)
        print("     " + text, flush=True)


def test_kill9_under_write_load():
    r = faultlib.run_kill9(faultlib.new_database("k9"), kills=20, burst=(0.3, 0.8),
                           retry_keys=True)
    rk, gc = r["retried"], r["collected"]
    twice = rk["duplicate_orders"] + rk["duplicate_messages"] + rk["duplicate_uploads"]
    note(r["requests"], r["5xx"], r["crashes"], len(r["lost"]), r["restart_max_s"],
         f"kill -9: {r['kills']} kills, {r['acked']} acknowledged writes ({r['acked_orders']}"
         f" orders, {r['acked_claims']} claims, {r['acked_messages']} messages,"
         f" {r['acked_views']} page views, {r['acked_clicks']} clicks charged of"
         f" {r['clicks_in_db']} in the database,"
         f" {r['acked_uploads']} uploads, {r['cut_uploads']} cut off), "
         f"{len(r['lost'])} lost, {len(r['media'])} row/file problems, {rk['retried']} cut-off"
         f" keyed writes retried, {twice} ran twice; collector run"
         f" {r['collector_runs'].get(200, 0)} times under load, then took"
         f" {gc['unnamed_blobs']} pictures and {gc['temp_files']} temporary files; restart ≤"
         f" {r['restart_max_s']:.2f} s")
    assert r["crashes"] == 0, r["reports"]
    assert r["5xx"] == 0, r["bad_replies"]
    assert not r["lost"], r["lost"][:20]
    assert not r["invariants"], r["invariants"][:20]
    assert not r["media"], r["media"][:20]
    assert not r["replays"], r["replays"][:10]
    assert twice == 0, (rk, rk["duplicate_upload_notes"][:10])
    assert not gc["problems"], gc
    assert set(r["collector_runs"]) <= {200, "no reply"}, r["collector_runs"]
    # The ledger reconciled after every kill and at the end, and the data
    # pages' rollups equalled a rebuild.
    assert not r["funds_check"], r["funds_check"][:5]
    assert not r["stats_check"], r["stats_check"][:5]
    assert r["settled"] > 0 and r["acked_refunds"] > 0, r
    # The load did write, and was cut off in the middle of writes.
    assert r["acked_orders"] > 50 and r["acked_claims"] > 20 and r["acked_messages"] > 50, r
    assert r["acked_views"] > 20, r
    # Clicks were charged (and so ran before the funds checks above), each
    # once, within the budgets, and the sums agree.
    assert not r["promotion"], r["promotion"][:20]
    assert r["acked_clicks"] > 10, r["click_outcomes"]
    assert r["acked_uploads"] > 30 and r["acked_deletes"] > 5, r
    assert r["conn_errors"] > 0, r


def test_database_restarts_under_load():
    r = faultlib.run_db_outage(cycles=2, down_s=1.5, terminations=2)
    rec = ", ".join(f"{what} {full:.2f} s" for what, _, full in r["recoveries"] if full)
    note(r["requests"], r["5xx"], r["crashes"], len(r["lost"]), r["recovery_max_s"],
         f"database: {r['db_503']} x 503 while away, slowest {max(r['max_latency'].values()):.2f} s;"
         f" full recovery {rec}; listener {r['listener_delay']:.2f} s")
    assert not r["problems"], r["problems"]
    assert r["5xx"] == 0, r["bad_replies"]
    assert r["db_503"] > 0, r["by_phase"]
    assert r["restarts_of_merchantd"] == 0 and r["crashes"] == 0, r["reports"]
    assert not r["lost"], r["lost"][:20]
    assert not r["invariants"], r["invariants"][:20]


def test_slowloris_from_one_address():
    r = faultlib.run_slowloris(conns=1000, seconds=12, interval=2.0)
    note(r.get("normal_requests", 0), r.get("5xx", 0), r.get("crashes", 0),
         text=f"slowloris: {r.get('conns')} connections, {r.get('held_after_open')} held"
              f" (limit {r.get('per_ip_limit')}), other client p99"
              f" {r.get('normal_p99_s') or 0:.3f} s max {r.get('normal_max_s') or 0:.3f} s,"
              f" fds max {r.get('max_fds')}, RSS {r.get('rss_start_kb')}-{r.get('rss_max_kb')} kB")
    assert not r["problems"], (r["problems"], r)
    assert r["per_ip_limit"] > 0, "the default per-address limit is off"


def test_idle_and_stalled_connections_time_out():
    db = faultlib.new_database("idle")
    (bid, btok), = faultlib.make_accounts(db, "buyer", 1, uname("ib") + "_")
    (mid, _), = faultlib.make_accounts(db, "merchant", 1, uname("im") + "_")
    shop = int(psql(db, f"INSERT INTO shops (merchant_id, name, created_at, updated_at)"
                        f" VALUES ({mid}, 'Idle', now(), now()) RETURNING id"))
    conv = int(psql(db, f"SELECT conversation_id FROM conversation_open({bid}, {shop}, now())"))
    srv = faultlib.Merchantd(db, env={"MERCHANTD_CONNECTION_TIMEOUT": "2"})
    srv.start()
    try:
        faultlib.warm(srv, btok)
        base = srv.fds()
        # Nothing sent; headers begun; a body begun: then silence.
        slow = faultlib.SlowClients(srv.port, 150, btok, conv)
        t0 = time.monotonic()
        while slow.open_count() and time.monotonic() - t0 < 10:
            slow.watch(0.5)
        kept = slow.open_count()
        early = sum(1 for c in slow.socks.values() if c["closed"] and c["closed"] - t0 < 0.5)
        slow.close()
        assert kept == 0, f"{kept} silent connections outlived the 2 s timeout"
        assert early == 0, f"{early} connections closed before their timeout"
        assert faultlib.wait_for_fds(srv, base) <= base
        assert faultlib.request(srv.port, "GET", "/v1/me", token=btok)[0] == 200
    finally:
        srv.stop()
    assert srv.crashes == 0, srv.reports
    note(150, text="timeouts: 150 silent connections closed after the 2 s timeout")


def abort(s, reset):
    """Closes a client socket: with a FIN, or with a RST when reset."""
    if reset:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def test_abandoned_uploads_and_streams_leak_nothing():
    db = faultlib.new_database("gone")
    (bid, btok), = faultlib.make_accounts(db, "buyer", 1, uname("gb") + "_")
    (mid, mtok), = faultlib.make_accounts(db, "merchant", 1, uname("gm") + "_")
    shop = int(psql(db, f"INSERT INTO shops (merchant_id, name, created_at, updated_at)"
                        f" VALUES ({mid}, 'Gone', now(), now()) RETURNING id"))
    conv = int(psql(db, f"SELECT conversation_id FROM conversation_open({bid}, {shop}, now())"))
    # Streams that lost their client are noticed at their next heartbeat.
    srv = faultlib.Merchantd(db, env={"MERCHANTD_EVENTS_HEARTBEAT_SECONDS": "1"})
    srv.start()
    try:
        faultlib.warm(srv, btok)
        base = srv.fds()

        def upload(i):
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
            body = b'{"type": "text", "text": "' + b"x" * 30000
            s.sendall((f"POST /v1/conversations/{conv}/messages HTTP/1.1\r\nHost: x\r\n"
                       f"Authorization: Bearer {btok}\r\nContent-Type: application/json\r\n"
                       f"Content-Length: {len(body) * 2}\r\n\r\n").encode() + body)
            time.sleep(0.05)
            abort(s, i % 2)

        def stream(i):
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
            path = "/v1/events" if i % 3 else "/v1/events/poll?timeout=5"
            tok = btok if i % 2 else mtok
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {tok}\r\n\r\n"
                      .encode())
            if path == "/v1/events":
                head = b""
                while b"\r\n\r\n" not in head:
                    chunk = s.recv(4096)
                    assert chunk, head
                    head += chunk
                assert head.startswith(b"HTTP/1.1 200"), head[:100]
            else:
                time.sleep(0.2)  # the poll is waiting
            abort(s, i % 2)

        for fn, n in ((upload, 200), (stream, 150)):
            for k in range(0, n, 25):
                results = parallel(fn, [(i,) for i in range(k, min(n, k + 25))])
                assert not [e for e in results if isinstance(e, Exception)], results
        # A message wakes whatever still waits; then every stream is gone.
        assert faultlib.request(srv.port, "POST", f"/v1/conversations/{conv}/messages",
                                {"type": "text", "text": "anyone?"}, token=mtok)[0] == 201
        deadline = time.monotonic() + 15
        while srv.metric("merchantd_event_streams_open") != 0:
            assert time.monotonic() < deadline, "event streams still open"
            time.sleep(0.2)
        fds = faultlib.wait_for_fds(srv, base, timeout=15)
        assert fds <= base, f"{fds} descriptors, {base} before"
        assert faultlib.request(srv.port, "GET", "/v1/me", token=btok)[0] == 200
    finally:
        srv.stop()  # exit status 0, no sanitizer report: nothing leaked
    assert srv.crashes == 0, srv.reports
    note(360, text="abandoned: 200 half uploads, 150 streams and polls left; descriptors back to"
                   f" {base}, no leak at exit")


def report():
    """The RELIABILITY line of the quick parts."""
    faultlib.reliability_line("faults-quick", FIGURES["requests"], FIGURES["5xx"],
                              FIGURES["crashes"], FIGURES["lost_writes"], FIGURES["recovery_s"],
                              notes="; ".join(FIGURES["notes"])[:400])


if __name__ == "__main__":
    main([test_kill9_under_write_load, test_database_restarts_under_load,
          test_slowloris_from_one_address, test_idle_and_stalled_connections_time_out,
          test_abandoned_uploads_and_streams_leak_nothing, report])
