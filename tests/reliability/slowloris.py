#!/usr/bin/env python3
"""Slow and idle clients: many connections from 127.0.0.1 that send their
request a byte every few seconds (headers never finished, or a body never
finished) or nothing at all, plus a burst of oversized headers from another
address, while a normal client on 127.0.0.2 keeps ordering its requests.

merchantd runs with its default limits. Checked: connections past the
per-address limit are closed within 2 s; idle ones are closed at the
connection timeout (when the run is longer than it); the normal client gets
every answer, with bounded latency (p99, max); oversized headers get 431
or 414; descriptors and RSS stay bounded and come back when the clients
leave; the server exits cleanly.

    tests/reliability/slowloris.py [--conns 1000] [--seconds 90] [--interval 3]

Environment: MERCHANTD_BIN, TEST_PG_URL, PG_BIN. Prints a RELIABILITY
line; exits 1 when a promise does not hold."""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--conns", type=int, default=1000)
    ap.add_argument("--seconds", type=float, default=90.0)
    ap.add_argument("--interval", type=float, default=3.0, help="seconds between bytes")
    ap.add_argument("--floods", type=int, default=100, help="oversized-header connections")
    a = ap.parse_args()
    faultlib.say(f"slowloris: {a.conns} connections for {a.seconds} s, a byte every"
                 f" {a.interval} s")
    r = faultlib.run_slowloris(conns=a.conns, seconds=a.seconds, interval=a.interval,
                               flood_conns=a.floods)
    faultlib.say(json.dumps({k: v for k, v in r.items() if k != "problems"}, indent=1))
    for p in r["problems"]:
        faultlib.say("FAILED: " + p)
    faultlib.reliability_line(
        "slowloris", r.get("normal_requests", 0) + a.conns + a.floods, r.get("5xx", 0),
        r.get("crashes", 0), None, None, r.get("rss_start_kb"), r.get("rss_end_kb"),
        notes=f"{a.conns} slow conns, {r.get('held_after_open')} held (limit"
              f" {r.get('per_ip_limit')}); other client p99 {r.get('normal_p99_s') or 0:.3f} s,"
              f" max {r.get('normal_max_s') or 0:.3f} s; fds max {r.get('max_fds')}, RSS max"
              f" {r.get('rss_max_kb')} kB"
              + (f"; FAILED: {len(r['problems'])} problems" if r["problems"] else ""))
    return 1 if r["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
