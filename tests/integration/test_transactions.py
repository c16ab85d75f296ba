"""Transactions on the HTTP threads: a request with an Idempotency-Key runs
its handler and stores its reply in one transaction on the thread's own
connection. That transaction must be over when the handler returns, however
the handler replied, or the requests the thread serves next run inside it;
and when it fails on a serialization conflict the whole request runs again
instead of answering 500."""

import os
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from harness import *  # noqa: E402,F401,F403


def wait_for(what, check, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def merchant(server):
    name = uname("m")
    server.register(name)
    return server.login(name)


def test_streamed_reply_leaves_no_transaction_open():
    # One HTTP thread: every request below is served by the thread that
    # sends the stream.
    s = start_server(env={"MERCHANTD_THREADS": "1"})
    token = merchant(s)
    # A keyed request answered by a content reader, whose client reads the
    # headers and then nothing: the reply stays in progress.
    stream = socket.create_connection(("127.0.0.1", s.port), timeout=30)
    stream.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stream.sendall((f"POST /v1/test/stream?bytes={1 << 28} HTTP/1.1\r\nHost: t\r\n"
                    f"Authorization: Bearer {token}\r\nIdempotency-Key: stream-1\r\n"
                    f"Content-Length: 0\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = stream.recv(4096)
        assert chunk, f"connection closed after {head!r}"
        head += chunk
    assert head.startswith(b"HTTP/1.1 200"), head[:200]
    try:
        # Another client's write, on the same thread, answered 201: it is
        # committed, so everyone sees it at once.
        name = uname("shop")
        r = s.request("POST", "/v1/shops", {"name": name}, token=token)
        assert r.status == 201, r
        seen = psql(s.db_url, f"SELECT count(*) FROM shops WHERE name = {sql_literal(name)}")
        assert seen == "1", "a shop answered 201 is not committed while a keyed stream is sent"
        idle = psql(s.db_url, "SELECT count(*) FROM pg_stat_activity WHERE application_name ="
                              " 'merchantd' AND state LIKE 'idle in transaction%'")
        assert idle == "0", f"{idle} merchantd connections idle in a transaction"
    finally:
        stream.close()
    # The stream wrote nothing, so no reply is stored for its key: once it
    # ends the key is free again.
    wait_for("the stream's key to be forgotten", lambda: psql(
        s.db_url, "SELECT count(*) FROM idempotency_keys WHERE key = 'stream-1'") == "0")
    assert psql(s.db_url, f"SELECT count(*) FROM shops WHERE name = {sql_literal(name)}") == "1"
    assert "POST /v1/test/stream returned with its transaction open; rolled back" in s.log()
    stop_server(s)


class Blocker:
    """A psql session holding a transaction open: BEGIN and the given
    statement now, COMMIT when told."""

    def __init__(self, url, statement):
        self.p = subprocess.Popen(["psql", url, "-Atq", "-v", "ON_ERROR_STOP=1"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        self.p.stdin.write(f"BEGIN;\n{statement};\n\\echo held\n")
        self.p.stdin.flush()
        line = self.p.stdout.readline().strip()
        assert line == "held", f"blocker failed: {line} {self.p.stderr.read()}"

    def commit(self):
        self.p.stdin.write("COMMIT;\n")
        self.p.stdin.close()
        assert self.p.wait(timeout=30) == 0, self.p.stderr.read()


def test_keyed_request_runs_again_after_serialization_failure():
    # Repeatable read everywhere, so that a row another transaction changed
    # since the request's snapshot fails it with 40001 (read committed would
    # quietly take the new row).
    url = new_database("txn")
    psql(url, "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET"
              " default_transaction_isolation = ''repeatable read''', current_database());"
              " END $$")
    s = start_server(db_url=url)
    merchant_id = s.register(uname("m"))["id"]
    buyer = uname("b")
    s.register(buyer, role="buyer")
    token = s.login(buyer)
    shop = int(psql(url, f"INSERT INTO shops (merchant_id, name, created_at, updated_at)"
                         f" VALUES ({merchant_id}, 'Tea House', now(), now()) RETURNING id"))
    product = int(psql(url, f"INSERT INTO products (shop_id, title, status, created_at,"
                            f" updated_at) VALUES ({shop}, 'Longjing', 'on_sale', now(), now())"
                            f" RETURNING id"))
    sku = int(psql(url, f"INSERT INTO skus (product_id, shop_id, spec, price_cents, stock,"
                        f" created_at, updated_at) VALUES ({product}, {shop}, '250g', 1000, 10,"
                        f" now(), now()) RETURNING id"))
    r = s.request("POST", "/v1/orders", {"shop_id": shop, "items": [{"sku_id": sku, "quantity": 1}],
                                         "address": {"name": "Li Lei", "phone": "13800000000",
                                                     "province": "Zhejiang", "city": "Hangzhou",
                                                     "district": "Xihu", "detail": "1 Road"}},
                  token=token)
    assert r.status == 201, r
    order = r.json["id"]

    # Another transaction changes the order and holds it; the keyed payment
    # takes its snapshot, waits for the row, and fails once that commits.
    blocker = Blocker(url, f"UPDATE orders SET merchant_note = 'checked' WHERE id = {order}")
    key = {"Idempotency-Key": f"pay-{order}"}
    result = {}

    def pay():
        result["r"] = s.request("POST", f"/v1/orders/{order}/pay", token=token, headers=key)

    t = threading.Thread(target=pay)
    t.start()
    try:
        wait_for("the payment to wait for the order's row", lambda: psql(
            url, "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'merchantd'"
                 " AND wait_event_type = 'Lock'") == "1")
    finally:
        blocker.commit()
        t.join(timeout=60)
    r = result["r"]
    assert r.status == 200, f"a serialization failure was answered {r}"
    assert r.json["status"] == "paid", r
    assert "sqlstate 40001" in s.log(), "the payment never met a serialization failure"
    assert psql(url, f"SELECT status || ' ' || merchant_note FROM orders WHERE id = {order}") == \
        "paid checked"
    # The stored reply is the successful one.
    again = s.request("POST", f"/v1/orders/{order}/pay", token=token, headers=key)
    assert again.status == 200 and again.headers.get("idempotent-replayed") == "true", again
    assert again.json == r.json
    stop_server(s)


if __name__ == "__main__":
    main([test_streamed_reply_leaves_no_transaction_open,
          test_keyed_request_runs_again_after_serialization_failure])
