#!/usr/bin/env python3
"""Measuring clients of the chat benchmark (tests/bench/chat.sh), stdlib only.

  chat_client.py sessions FILE < "conversation_id buyer_id" lines
      writes "conversation_id token" lines to FILE and prints the SQL that
      makes those buyers' sessions (a login per buyer would spend a second
      of Argon2id each; the token's BLAKE2b hash is what the table keeps)
  chat_client.py search URL TOKEN SHOP ROUNDS Q...
      GET /v1/shops/SHOP/messages/search?q=Q ROUNDS times per query over one
      keep-alive connection; prints "Q p50_ms p99_ms hits" per query
  chat_client.py sse URL_A URL_B MERCHANT_TOKEN FILE RATE SECONDS
      opens one SSE stream per buyer of FILE (/v1/events, alternately on
      instance A and B), then sends RATE messages a second for SECONDS
      through POST /v1/conversations/{id}/messages (alternately to A and B,
      to random conversations) and measures from just before each POST to
      the message.created event on the buyer's stream; prints
      "p50_ms p99_ms received sent streams"
"""

import asyncio
import base64
import hashlib
import json
import os
import random
import statistics
import sys
import time
import urllib.parse
import http.client


def pct(values, p):
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def cmd_sessions(path):
    sql = ["INSERT INTO sessions (account_id, role, token_hash, created_at, expires_at) VALUES"]
    rows = []
    with open(path, "w") as out:
        for line in sys.stdin:
            if not line.strip():
                continue
            conv, buyer = line.split()
            raw = os.urandom(32)
            token = base64.urlsafe_b64encode(raw).decode().rstrip("=")
            digest = hashlib.blake2b(raw, digest_size=32).hexdigest()
            rows.append(f"({buyer}, 'buyer', '\\x{digest}', now(), now() + interval '1 day')")
            out.write(f"{conv} {token}\n")
    print(sql[0] + ",\n".join(rows) + ";")


def cmd_search(url, token, shop, rounds, queries):
    u = urllib.parse.urlparse(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    headers = {"Authorization": "Bearer " + token}
    for q in queries:
        path = f"/v1/shops/{shop}/messages/search?" + urllib.parse.urlencode({"q": q})
        times, hits = [], 0
        for _ in range(rounds + 2):  # the first two warm the statement caches
            start = time.perf_counter()
            conn.request("GET", path, headers=headers)
            r = conn.getresponse()
            body = r.read()
            times.append((time.perf_counter() - start) * 1000)
            if r.status != 200:
                sys.exit(f"search {q!r}: {r.status} {body[:200]!r}")
            hits = len(json.loads(body)["items"])
        times = times[2:]
        print(f"{q} {statistics.median(times):.2f} {pct(times, 99):.2f} {hits}")


class Stream:
    """One SSE client: reads events and records when each message arrived."""

    def __init__(self, host, port, token, arrived):
        self.host, self.port, self.token, self.arrived = host, port, token, arrived
        self.ready = asyncio.Event()

    async def run(self):
        reader, writer = await asyncio.open_connection(self.host, self.port)
        writer.write((f"GET /v1/events HTTP/1.1\r\nHost: {self.host}\r\n"
                      f"Authorization: Bearer {self.token}\r\nAccept: text/event-stream\r\n\r\n"
                      ).encode())
        await writer.drain()
        status = await reader.readline()
        if b" 200 " not in status:
            raise RuntimeError(f"events: {status!r}")
        chunked = False
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b""):
                break
            if line.lower().startswith(b"transfer-encoding:") and b"chunked" in line.lower():
                chunked = True
        buf = b""
        while True:
            if chunked:
                size = int((await reader.readline()).split(b";")[0], 16)
                if size == 0:
                    return
                data = await reader.readexactly(size + 2)
                buf += data[:-2]
            else:
                data = await reader.read(65536)
                if not data:
                    return
                buf += data
            now = time.perf_counter()
            while b"\n\n" in buf:
                block, buf = buf.split(b"\n\n", 1)
                self.ready.set()  # the "retry:" preamble: the stream is open
                self.event(block, now)

    def event(self, block, now):
        kind, data = None, None
        for line in block.split(b"\n"):
            if line.startswith(b"event:"):
                kind = line[6:].strip().decode()
            elif line.startswith(b"data:"):
                data = line[5:].strip()
        if kind == "message.created" and data:
            ev = json.loads(data)
            mid = (ev.get("data") or {}).get("message_id") or ev.get("message_id")
            if mid is not None:
                self.arrived.setdefault(int(mid), now)


async def post(conn_pool, path, body, token):
    reader, writer = await conn_pool.get()
    try:
        data = json.dumps(body).encode()
        writer.write((f"POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
                      f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n"
                      ).encode() + data)
        await writer.drain()
        status = await reader.readline()
        length = 0
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b""):
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        payload = await reader.readexactly(length)
        return int(status.split()[1]), payload
    finally:
        conn_pool.put_nowait((reader, writer))


async def cmd_sse(url_a, url_b, token, path, rate, seconds):
    convs = [line.split() for line in open(path) if line.strip()]
    hosts = [urllib.parse.urlparse(u) for u in (url_a, url_b)]
    arrived = {}
    streams = [Stream(hosts[i % 2].hostname, hosts[i % 2].port, t, arrived)
               for i, (_, t) in enumerate(convs)]
    tasks = []
    for i in range(0, len(streams), 100):  # open them in batches
        tasks += [asyncio.create_task(s.run()) for s in streams[i:i + 100]]
        await asyncio.wait_for(asyncio.gather(*(s.ready.wait() for s in streams[i:i + 100])), 30)
    await asyncio.sleep(1)
    pools = []
    for h in hosts:
        q = asyncio.Queue()
        for _ in range(8):
            q.put_nowait(await asyncio.open_connection(h.hostname, h.port))
        pools.append(q)
    sent = {}
    failures = 0

    async def send(n):
        nonlocal failures
        conv = random.choice(convs)[0]
        start = time.perf_counter()
        status, payload = await post(pools[n % 2], f"/v1/conversations/{conv}/messages",
                                     {"type": "text", "text": f"已发货，单号 SF{n:010d}"}, token)
        if status != 201 and status != 200:
            failures += 1
            if failures <= 3:
                print(f"send: {status} {payload[:200]!r}", file=sys.stderr)
            return
        sent[int(json.loads(payload)["id"])] = start

    total = int(rate * seconds)
    begin = time.perf_counter()
    senders = []
    for n in range(total):
        delay = begin + n / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        senders.append(asyncio.create_task(send(n)))
    await asyncio.gather(*senders)
    await asyncio.sleep(2)  # the last deliveries
    lat = [(arrived[m] - t) * 1000 for m, t in sent.items() if m in arrived]
    print(f"{statistics.median(lat) if lat else float('nan'):.2f} {pct(lat, 99):.2f}"
          f" {len(lat)} {len(sent)} {sum(1 for t in tasks if not t.done())}")
    for t in tasks:
        t.cancel()


def main():
    cmd = sys.argv[1]
    if cmd == "sessions":
        cmd_sessions(sys.argv[2])
    elif cmd == "search":
        cmd_search(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6:])
    elif cmd == "sse":
        asyncio.run(cmd_sse(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5],
                            float(sys.argv[6]), float(sys.argv[7])))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
