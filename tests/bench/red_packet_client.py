#!/usr/bin/env python3
"""The red packet rush of tests/bench/red_packet.sh.

  red_packet_client.py URL PACKET CONNS < TOKENS
      TOKENS: one "<anything> <token>" line per viewer (as chat_client.py
      sessions writes them). Opens CONNS keep-alive connections, then every
      viewer grabs the packet once (POST /v1/red-packets/PACKET/grab), CONNS
      at a time, as fast as the server answers; times each grab from its
      request to its reply. Prints
      "grabs_per_s requests_per_s p50_ms p99_ms won refused other sum_cents"
      (won: 201s; refused: 409s; other: anything else, expected 0).
"""
import asyncio
import json
import sys
import time
import urllib.parse


async def worker(host, port, path, tokens, results):
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while tokens:
            token = tokens.pop()
            req = (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n"
                   f"Content-Length: 0\r\n\r\n").encode()
            start = time.perf_counter()
            writer.write(req)
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode().split("\r\n")
            status = int(lines[0].split()[1])
            length = 0
            for line in lines[1:]:
                if line.lower().startswith("content-length:"):
                    length = int(line.split(":", 1)[1])
            body = await reader.readexactly(length)
            results.append((status, (time.perf_counter() - start) * 1000, body))
    finally:
        writer.close()


async def rush(url, packet, conns, tokens):
    u = urllib.parse.urlparse(url)
    path = f"/v1/red-packets/{packet}/grab"
    results = []
    start = time.perf_counter()
    await asyncio.gather(*(worker(u.hostname, u.port, path, tokens, results)
                           for _ in range(conns)))
    return results, time.perf_counter() - start


def main():
    url, packet, conns = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    tokens = [line.split()[1] for line in sys.stdin if line.strip()]
    n = len(tokens)
    results, secs = asyncio.run(rush(url, packet, conns, tokens))
    times = sorted(t for _, t, _ in results)
    won = [json.loads(b)["amount_cents"] for s, _, b in results if s == 201]
    refused = sum(1 for s, _, _ in results if s == 409)
    print(f"{len(won) / secs:.0f} {n / secs:.0f} {times[len(times) // 2]:.2f}"
          f" {times[min(len(times) - 1, int(len(times) * 0.99))]:.2f} {len(won)} {refused}"
          f" {n - len(won) - refused} {sum(won)}")


if __name__ == "__main__":
    main()
