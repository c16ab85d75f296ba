#!/usr/bin/env python3
"""The flash sale's buyers (tests/bench/campaign.sh), stdlib only.

  campaign_client.py sale URL TOKENS SHOP SKU CONNS
      every buyer of TOKENS (lines "<anything> <token>") sends one
      POST /v1/orders for one unit of SKU, as fast as CONNS keep-alive
      connections allow; prints "orders_per_s p99_ms sold refused other
      seconds_to_sold_out": orders/s and p99 are of the orders placed (201)
      up to the last one, from the moment every connection is open and
      through a first request (the buyers wait on the sale page), sold-out refusals (409 out_of_stock) are counted
      apart, other replies are errors (expected 0)
"""

import asyncio
import json
import sys
import time
import urllib.parse

ADDRESS = {"name": "张三", "phone": "13812345678", "province": "江西", "city": "赣州",
           "district": "章贡区", "detail": "红旗大道 1 号"}


def pct(values, p):
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


async def read_reply(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        if line.lower().startswith("content-length:"):
            length = int(line.split(":", 1)[1])
    body = await reader.readexactly(length) if length else b""
    return status, body


async def sale(url, tokens, shop, sku, conns):
    u = urllib.parse.urlparse(url)
    body = json.dumps({"shop_id": shop, "items": [{"sku_id": sku, "quantity": 1}],
                       "address": ADDRESS}).encode()
    queue = list(reversed(tokens))
    placed, refused, other = [], 0, 0
    ready, go = [0], asyncio.Event()
    start = last_placed = 0.0

    async def worker():
        nonlocal refused, other, last_placed, start
        # The buyers are on the sale page when it opens: connected, and
        # through one request already, before the clock starts.
        reader, writer = await asyncio.open_connection(u.hostname, u.port)
        writer.write(f"GET /readyz HTTP/1.1\r\nHost: {u.hostname}\r\n\r\n".encode())
        await read_reply(reader)
        ready[0] += 1
        if ready[0] == conns:
            start = last_placed = time.monotonic()
            go.set()
        await go.wait()
        while queue:
            token = queue.pop()
            req = (f"POST /v1/orders HTTP/1.1\r\nHost: {u.hostname}\r\n"
                   f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
                   f"Content-Length: {len(body)}\r\n\r\n").encode() + body
            t0 = time.monotonic()
            writer.write(req)
            status, reply = await read_reply(reader)
            t1 = time.monotonic()
            if status == 201:
                placed.append(t1 - t0)
                last_placed = max(last_placed, t1)
            elif status == 409 and b'"out_of_stock"' in reply:
                refused += 1
            else:
                other += 1
        writer.close()

    await asyncio.gather(*(worker() for _ in range(conns)))
    secs = max(last_placed - start, 1e-6)
    print(f"{len(placed) / secs:.0f} {pct(placed, 99) * 1000:.2f} {len(placed)} {refused} {other}"
          f" {secs:.3f}")


def main():
    if sys.argv[1] == "sale":
        url, path, shop, sku, conns = sys.argv[2:7]
        with open(path) as f:
            tokens = [line.split()[1] for line in f if line.strip()]
        asyncio.run(sale(url, tokens, int(shop), int(sku), int(conns)))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
