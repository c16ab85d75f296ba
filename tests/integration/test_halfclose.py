"""Half-closed clients: a client that sends its request and then closes its
sending side (shutdown(SHUT_WR), as health checkers and `nc -N` do) gets its
reply and then its connection closed; a client whose body stops partway
before its FIN gets its connection closed. Neither may linger in CLOSE-WAIT
until the idle timeout, where it would count against the per-address limit
and lock its address out (docs/reliability.md, promise 3). A FIN inside the
headers is left to the idle timeout, like any stalled request
(test_faults.py)."""

import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from harness import *  # noqa: E402,F401,F403

LIMIT = 32
# Far longer than any deadline below: a connection closed within them was
# closed because its client had left, not by the idle timeout.
TIMEOUT = 60
DEADLINE = 10


def server():
    return srv(env={"MERCHANTD_PER_IP_CONNECTION_LIMIT": str(LIMIT),
                    "MERCHANTD_CONNECTION_TIMEOUT": str(TIMEOUT)})


def close_wait(port):
    """Connections to the server's port in CLOSE-WAIT: the client has sent its
    FIN, the server has not closed its side."""
    n = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if fields[3] == "08" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                n += 1
    return n


def wait_no_close_wait(port, what):
    deadline = time.monotonic() + DEADLINE
    while True:
        n = close_wait(port)
        if n == 0:
            return
        assert time.monotonic() < deadline, \
            f"{n} connections still in CLOSE-WAIT {DEADLINE} s after {what}"
        time.sleep(0.05)


def read_to_eof(s):
    """Everything the server sends until it closes the connection; fails when
    it is still open after the deadline."""
    s.settimeout(0.2)
    deadline = time.monotonic() + DEADLINE
    data = b""
    while True:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            assert time.monotonic() < deadline, \
                f"connection still open {DEADLINE} s after the client's FIN; got {data[:200]!r}"
            continue
        except ConnectionResetError:
            return data
        if not chunk:
            return data
        data += chunk


def replies(data):
    """The status codes of the HTTP replies in data (each with Content-Length)."""
    codes = []
    while data:
        head, sep, rest = data.partition(b"\r\n\r\n")
        assert sep, f"incomplete reply: {data[:200]!r}"
        lines = head.split(b"\r\n")
        codes.append(int(lines[0].split()[1]))
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        assert len(rest) >= length, f"reply cut short: {data[:200]!r}"
        data = rest[length:]
    return codes


def half_closed(port, payload):
    """Sends payload, closes the sending side, reads until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=DEADLINE) as s:
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        return read_to_eof(s)


GET_LIVEZ = b"GET /livez HTTP/1.1\r\nHost: x\r\n\r\n"
BAD_JSON = (b"POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 9\r\n\r\n{\"user\": ")


def test_half_closed_requests_get_their_reply_and_are_closed():
    port = server().port
    for payload, expected in ((GET_LIVEZ, [200]),
                              (b"GET /readyz HTTP/1.0\r\n\r\n", [200]),
                              (BAD_JSON, [400]),
                              # Pipelined, then the FIN: both answered.
                              (GET_LIVEZ + GET_LIVEZ.replace(b"livez", b"nope"), [200, 404])):
        for _ in range(5):
            codes = replies(half_closed(port, payload))
            assert codes == expected, (payload, codes)
    wait_no_close_wait(port, "20 half-closed requests")


def test_many_half_closed_clients_at_once():
    """Clients that half-close together, and some that close for good without
    reading the reply (a checker that has given up)."""
    port = server().port
    socks = []
    for i in range(3 * LIMIT // 4):
        s = socket.create_connection(("127.0.0.1", port), timeout=DEADLINE)
        s.sendall(GET_LIVEZ)
        s.shutdown(socket.SHUT_WR)
        socks.append(s)
    for s in socks[::2]:
        s.close()
    for s in socks[1::2]:
        assert replies(read_to_eof(s)) == [200]
        s.close()
    wait_no_close_wait(port, f"{len(socks)} half-closed requests at once")


def test_bodies_cut_short_then_fin_are_closed():
    port = server().port
    cut = [
        b"POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000\r\n\r\n",  # no body at all
        b"POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000\r\n\r\n{\"username\": \"" + b"a" * 300,  # body stops partway
        b"POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n200\r\n{\"username\": \"aaaa",  # inside a chunk
        b"POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n4\r\n{\"us\r\n",  # between chunks
    ]
    for payload in cut:
        for _ in range(5):
            data = half_closed(port, payload)
            # Closed with nothing, or with a 4xx; never a success or a 5xx.
            for code in replies(data):
                assert 400 <= code < 500, (payload, data[:200])
    wait_no_close_wait(port, "20 bodies cut short by a FIN")


def reply_then_leave(port, payload):
    """Sends payload, closes the sending side, reads one reply and closes
    the socket without waiting for the server: a health checker's way."""
    with socket.create_connection(("127.0.0.1", port), timeout=DEADLINE) as s:
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        data = b""
        while not replies_prefix(data):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        return data


def test_half_closed_clients_do_not_lock_their_address_out():
    """Three times the per-address limit of half-closed requests, one after
    another from 127.0.0.1, each client leaving once it has its reply; the
    address is served throughout, and nothing stays in CLOSE-WAIT."""
    port = server().port
    for i in range(3 * LIMIT):
        try:
            data = reply_then_leave(port, GET_LIVEZ)
        except OSError as e:
            raise AssertionError(f"request {i + 1} of {3 * LIMIT} refused ({e!r}); "
                                 f"{close_wait(port)} connections in CLOSE-WAIT") from None
        assert replies_prefix(data) == [200], \
            f"request {i + 1} of {3 * LIMIT}: {data[:200]!r}; " \
            f"{close_wait(port)} connections in CLOSE-WAIT"
    wait_no_close_wait(port, f"{3 * LIMIT} half-closed requests")
    r = server().request("GET", "/readyz", timeout=DEADLINE)
    assert r.status == 200, r


def test_keep_alive_without_fin_stays_open():
    """The other side of the fix: a client that has not closed its sending
    side keeps its connection for its next request."""
    port = server().port
    with socket.create_connection(("127.0.0.1", port), timeout=DEADLINE) as s:
        for _ in range(3):
            s.sendall(GET_LIVEZ)
            data = b""
            while b"\r\n\r\n" not in data or len(replies_prefix(data)) == 0:
                chunk = s.recv(65536)
                assert chunk, "the server closed a keep-alive connection"
                data += chunk
            assert replies(data) == [200], data[:200]


def replies_prefix(data):
    """The complete replies at the start of data (none while one is partial)."""
    try:
        return replies(data)
    except AssertionError:
        return []


if __name__ == "__main__":
    main([test_half_closed_requests_get_their_reply_and_are_closed,
          test_many_half_closed_clients_at_once,
          test_bodies_cut_short_then_fin_are_closed,
          test_half_closed_clients_do_not_lock_their_address_out,
          test_keep_alive_without_fin_stays_open])
