#!/usr/bin/env python3
"""Holds N idle connections to a server until stdin closes.

  idle_conns.py PORT N keepalive          one GET /livez each, then silence
  idle_conns.py PORT N sse TOKEN          GET /v1/events each, then only the
                                          heartbeats arrive (and are read)

Connections come from 127.0.1.1, 127.0.1.2, ... at most 100 an address, so
the default per-address limit holds. Prints "ready N" once all are open,
"closed K" for any the server closed meanwhile, and exits when stdin ends.
"""

import selectors
import socket
import sys

PER_ADDRESS = 100


def open_one(port, i, request):
    s = socket.socket()
    s.bind((f"127.0.1.{1 + i // PER_ADDRESS}", 0))
    s.settimeout(30)
    s.connect(("127.0.0.1", port))
    s.sendall(request)
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = s.recv(4096)
        if not chunk:
            raise SystemExit(f"connection {i} closed before its reply: {head[:200]!r}")
        head += chunk
    if not head.startswith(b"HTTP/1.1 200"):
        raise SystemExit(f"connection {i}: {head[:200]!r}")
    s.setblocking(False)
    return s


def main():
    port, n, kind = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    if kind == "sse":
        request = (f"GET /v1/events HTTP/1.1\r\nHost: bench\r\n"
                   f"Authorization: Bearer {sys.argv[4]}\r\n\r\n").encode()
    else:
        request = b"GET /livez HTTP/1.1\r\nHost: bench\r\n\r\n"
    sel = selectors.DefaultSelector()
    for i in range(n):
        sel.register(open_one(port, i, request), selectors.EVENT_READ)
    sel.register(sys.stdin, selectors.EVENT_READ)
    print(f"ready {n}", flush=True)
    closed = 0
    while True:
        for key, _ in sel.select():
            if key.fileobj is sys.stdin:
                if not sys.stdin.readline():
                    print(f"closed {closed}", flush=True)
                    return
                continue
            try:
                data = key.fileobj.recv(65536)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                sel.unregister(key.fileobj)
                key.fileobj.close()
                closed += 1


if __name__ == "__main__":
    main()
