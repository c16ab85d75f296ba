#!/usr/bin/env python3
"""PostgreSQL stopped and started, and merchantd's connections terminated,
under a mixed read and write load, on a private cluster.

While PostgreSQL is away every request must answer 503 database_unavailable
with Retry-After, quickly (no request waits more than 3.5 s); /livez stays
200 and /readyz 503. After it is back, recovery is measured from the moment
PostgreSQL accepts connections: the first 2xx, then full recovery (a round of
concurrent requests all 2xx, /readyz 200, a connection per HTTP thread and
the events listener's back in pg_stat_activity), which must take at most
5 s, with no restart of merchantd. Then pg_terminate_backend of all
merchantd's connections, measured the same way. At the end: no
acknowledged write lost, invariants hold, clean exit.

    tests/reliability/db_outage.py [--cycles 5] [--down 5] [--terminations 5]

Environment: MERCHANTD_BIN, PG_BIN. Prints a RELIABILITY line; exits 1
when a promise does not hold."""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cycles", type=int, default=5, help="stops and starts of PostgreSQL")
    ap.add_argument("--down", type=float, default=5.0, help="seconds PostgreSQL stays down")
    ap.add_argument("--terminations", type=int, default=5)
    ap.add_argument("--http-threads", type=int, default=4)
    ap.add_argument("--seed", type=int, default=None)
    a = ap.parse_args()
    faultlib.say(f"database: {a.cycles} stops of {a.down} s, {a.terminations} terminations")
    r = faultlib.run_db_outage(cycles=a.cycles, down_s=a.down, terminations=a.terminations,
                               http_threads=a.http_threads, seed=a.seed)
    failures = list(r["problems"])
    for key in ("lost", "invariants", "bad_replies", "reports"):
        if r[key]:
            failures.append(f"{key}: {r[key][:10]}")
    if r["restarts_of_merchantd"]:
        failures.append("merchantd had to be started again")
    for what, first, full in r["recoveries"]:
        first_s = "none" if first is None else f"{first:.2f} s"
        full_s = "none" if full is None else f"{full:.2f} s"
        faultlib.say(f"{what}: first 2xx after {first_s}, full recovery after {full_s}")
    faultlib.say(f"requests {r['requests']}: {r['db_503']} x 503 database_unavailable,"
                 f" other 5xx {r['5xx']}; by phase {r['by_phase']}")
    faultlib.say(f"slowest request: {r['max_latency']}; events listener delivered"
                 f" {r['listener_delay']:.2f} s after a send")
    faultlib.say(f"acknowledged writes {r['acked']}, lost {len(r['lost'])}, invariants broken"
                 f" {len(r['invariants'])}")
    for f in failures:
        faultlib.say("FAILED: " + str(f))
    slowest = max(r["max_latency"].values()) if r["max_latency"] else 0
    faultlib.reliability_line(
        "database", r["requests"], r["5xx"], r["crashes"], len(r["lost"]), r["recovery_max_s"],
        notes=f"{a.cycles} restarts, {a.terminations} terminations; {r['db_503']} x 503 while"
              f" away, slowest request {slowest:.2f} s"
              + (f"; FAILED: {len(failures)} problems" if failures else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
