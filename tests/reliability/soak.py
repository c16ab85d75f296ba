#!/usr/bin/env python3
"""Soak: minutes of mixed load against one merchantd (a release build),
with its RSS (/proc/PID/status VmRSS) and open descriptors (/proc/PID/fd)
sampled every 10 s.

The load: buyers order, pay, cancel, confirm, claim coupons and chat;
merchants ship, chat and read; the reviewer holds, releases and closes with
refunds; reads of every list; event streams and long polls that come and go
(half of them cut off with a RST); a login every 2 s (argon2id); a CSV
export every 5 s. Flat means the last sample exceeds the highest of the
first minute by at most 8 MiB of RSS and 4 descriptors; no 5xx, no lost
acknowledged write, no broken invariant, a clean exit.

    MERCHANTD_BIN=build-rel/merchantd tests/reliability/soak.py [--minutes 10]

Environment: MERCHANTD_BIN, TEST_PG_URL, PG_BIN. Prints a RELIABILITY
line; exits 1 on growth or any other failure."""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=float(os.environ.get("SOAK_MINUTES", 10)))
    ap.add_argument("--every", type=float, default=10.0, help="seconds between samples")
    ap.add_argument("--threads", type=int, default=6, help="client threads of the write load")
    ap.add_argument("--rss-growth-mb", type=float, default=8.0)
    a = ap.parse_args()
    faultlib.say(f"soak: {a.minutes} min of mixed load against {faultlib.harness.MERCHANTD},"
                 f" samples every {a.every} s")
    r = faultlib.run_soak(minutes=a.minutes, every=a.every, threads=a.threads,
                          rss_growth_kb=int(a.rss_growth_mb * 1024))
    slope = "n/a" if r["slope_kb_per_min"] is None else f"{r['slope_kb_per_min']:.0f} kB/min"
    faultlib.say(f"RSS: start {r['rss_start_kb']} kB, highest of warm-up {r['rss_warm_kb']} kB,"
                 f" end {r['rss_end_kb']} kB, max {r['rss_max_kb']} kB; trend after warm-up"
                 f" {slope}")
    faultlib.say(f"descriptors: start {r['fds_start']}, warm-up {r['fds_warm']}, end"
                 f" {r['fds_end']}, max {r['fds_max']}, idle after the load {r['fds_idle_after']}")
    faultlib.say(f"requests {r['requests']} ({r['conn_errors']} connection errors), 5xx"
                 f" {r['5xx']}, acknowledged writes {r['acked']}, lost {len(r['lost'])},"
                 f" invariants broken {len(r['invariants'])}")
    for p in r["problems"]:
        faultlib.say("FAILED: " + p)
    faultlib.reliability_line(
        "soak", r["requests"], r["5xx"], r["crashes"], len(r["lost"]), None, r["rss_start_kb"],
        r["rss_end_kb"],
        notes=f"{a.minutes:g} min; RSS warm-up {r['rss_warm_kb']} kB -> end {r['rss_end_kb']} kB"
              f" (max {r['rss_max_kb']}, trend {slope}); fds {r['fds_start']} -> {r['fds_end']}"
              f" (max {r['fds_max']})"
              + (f"; FAILED: {len(r['problems'])} problems" if r["problems"] else ""))
    return 1 if r["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
