#!/usr/bin/env python3
"""kill -9 of merchantd under a mixed write load, again and again.

Buyers order, pay, cancel, confirm receipt, claim coupons (limited quantity,
per-buyer limit), ask for refunds and chat; merchants ship, approve refunds
and chat; the platform reviewer holds, releases and closes orders with
refunds. Paying, settling (confirmation) and refunding post to the funds
ledger, and `merchantd funds check` must pass after every kill. Every write answered 2xx is
recorded with the ids it returned. merchantd is killed with SIGKILL at
random moments and started again on the same database; at the end it is
stopped cleanly and the database is checked: every acknowledged write is
there (orders in the acknowledged status or later, shipments, claims,
messages, read markers), stored Idempotency-Key replies replay, and stock,
coupon counts, refunds, counter tabs and unread counters add up.

    tests/reliability/kill9.py [--kills 20] [--burst-min 0.5] [--burst-max 3]

Environment: MERCHANTD_BIN, TEST_PG_URL (a running cluster), PG_BIN.
Prints a RELIABILITY line; exits 1 when a promise does not hold."""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import faultlib  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--burst-min", type=float, default=0.5, help="seconds of load before a kill")
    ap.add_argument("--burst-max", type=float, default=3.0)
    ap.add_argument("--threads", type=int, default=8, help="client threads")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--no-retry-keys", action="store_true",
                    help="skip sending the cut-off keyed writes again")
    a = ap.parse_args()
    faultlib.say(f"kill -9: {a.kills} kills, bursts of {a.burst_min}-{a.burst_max} s, "
                 f"{a.threads} client threads")
    r = faultlib.run_kill9(faultlib.new_database("kill9"), kills=a.kills,
                           burst=(a.burst_min, a.burst_max), threads=a.threads, seed=a.seed,
                           retry_keys=not a.no_retry_keys)
    failures = []
    for key, what in (("lost", "lost writes"), ("invariants", "invariants broken"),
                      ("replays", "replays differing"), ("bad_replies", "5xx replies"),
                      ("reports", "crashes"), ("funds_check", "funds checks failed")):
        if r[key]:
            failures.append(what)
            faultlib.say(f"{what}:\n  " + "\n  ".join(str(x) for x in r[key][:30]))
    faultlib.say(f"{r['kills']} kills in {r['seconds']:.0f} s; {r['requests']} requests"
                 f" ({r['conn_errors']} cut off or refused), statuses {r['by_status']}")
    faultlib.say(f"acknowledged writes: {r['acked']} ({r['acked_orders']} orders,"
                 f" {r['acked_claims']} claims, {r['acked_messages']} messages, {r['keyed']}"
                 f" with an Idempotency-Key); lost: {len(r['lost'])}; invariants broken:"
                 f" {len(r['invariants'])}")
    faultlib.say(f"funds: {r['settled']} orders settled, {r['acked_refunds']} refunds"
                 f" acknowledged; funds check failed after {len(r['funds_check'])} of"
                 f" {r['kills']} kills")
    faultlib.say(f"restart to /livez: mean {r['restart_mean_s']:.2f} s, max"
                 f" {r['restart_max_s']:.2f} s")
    rk, dup_note = r["retried"], ""
    if rk:
        # A keyed write and its stored reply commit together, so a retry of
        # one cut off by the kill either replays it or runs it for the
        # first time: never twice.
        if rk["duplicate_orders"] + rk["duplicate_messages"] > 0:
            failures.append("keyed writes run twice")
        faultlib.say(f"cut-off writes sent again with their Idempotency-Key: {rk['retried']};"
                     f" at once {rk['at_once']}, after 60 s {rk['after_60s']}; then twice in the"
                     f" database: {rk['duplicate_orders']} orders,"
                     f" {rk['duplicate_messages']} messages")
        dup_note = (f"; {rk['retried']} cut-off keyed writes retried: "
                    f"{rk['duplicate_orders'] + rk['duplicate_messages']} ran twice")
    faultlib.reliability_line(
        "kill9", r["requests"], r["5xx"], r["crashes"], len(r["lost"]), r["restart_max_s"],
        notes=f"{r['kills']} kills, {r['acked']} acknowledged writes, "
              f"{len(r['invariants'])} invariants broken" + dup_note
              + (f"; FAILED: {', '.join(failures)}" if failures else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
