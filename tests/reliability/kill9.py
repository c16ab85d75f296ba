#!/usr/bin/env python3
"""kill -9 of merchantd under a mixed write load, again and again.

Buyers order, pay, cancel, confirm receipt, claim coupons (limited quantity,
per-buyer limit), ask for refunds and chat; merchants ship, approve refunds,
chat, upload pictures (raw JPEG bodies, some with an Idempotency-Key, some
the same bytes from three threads at once, some deleted at once) and delete
some; the platform reviewer holds, releases and closes orders with refunds.
Paying, settling (confirmation) and refunding post to the funds ledger.
Every write answered 2xx is recorded with the ids it returned. Meanwhile the
collector runs again and again, every file made two hours old first (test
mode). merchantd is killed with SIGKILL at random moments and started again
on the same database and media directory. After every kill, while nothing
runs, `merchantd funds check` and `merchantd stats check` must pass, and the
media directory is checked against the images table: every row's original
and renditions are there,
whole, under their final names, nothing but final names and temporary files
the collector removes, space counters equal to their entries, no row beyond
what acknowledged and cut-off uploads explain. At the end merchantd is
stopped cleanly and the database is checked: every acknowledged write is
there (orders in the acknowledged status or later, shipments, claims,
messages, read markers, uploads and deletes), stored Idempotency-Key replies
replay, cut-off keyed writes sent again ran once, and stock, coupon counts,
refunds, counter tabs, unread counters and space counters add up; the funds
check passes; then the files no row names are seen collected after a
restart.

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
    ap.add_argument("--no-uploads", action="store_true", help="a load without picture uploads")
    a = ap.parse_args()
    faultlib.say(f"kill -9: {a.kills} kills, bursts of {a.burst_min}-{a.burst_max} s, "
                 f"{a.threads} client threads")
    r = faultlib.run_kill9(faultlib.new_database("kill9"), kills=a.kills,
                           burst=(a.burst_min, a.burst_max), threads=a.threads, seed=a.seed,
                           retry_keys=not a.no_retry_keys, uploads=not a.no_uploads)
    failures = []
    for key, what in (("lost", "lost writes"), ("invariants", "invariants broken"),
                      ("media", "image rows and files disagreeing"),
                      ("replays", "replays differing"), ("bad_replies", "5xx replies"),
                      ("reports", "crashes"), ("funds_check", "funds checks failed"),
                      ("stats_check", "rollup checks failed"),
                      ("promotion", "click billing problems")):
        if r[key]:
            failures.append(what)
            faultlib.say(f"{what}:\n  " + "\n  ".join(str(x) for x in r[key][:30]))
    faultlib.say(f"{r['kills']} kills in {r['seconds']:.0f} s; {r['requests']} requests"
                 f" ({r['conn_errors']} cut off or refused), statuses {r['by_status']}")
    faultlib.say(f"acknowledged writes: {r['acked']} ({r['acked_orders']} orders,"
                 f" {r['acked_claims']} claims, {r['acked_messages']} messages, {r['acked_views']} page"
                 f" views, {r['keyed']}"
                 f" with an Idempotency-Key); lost: {len(r['lost'])}; invariants broken:"
                 f" {len(r['invariants'])}")
    faultlib.say(f"funds: {r['settled']} orders settled, {r['acked_refunds']} refunds"
                 f" acknowledged; funds check failed after {len(r['funds_check'])} of"
                 f" {r['kills']} kills; the rollups differed from a rebuild after"
                 f" {len(r['stats_check'])}")
    faultlib.say(f"promotion: {r['acked_clicks']} clicks charged ({r['clicks_in_db']} in the"
                 f" database), outcomes {r['click_outcomes']}; {len(r['promotion'])} billing"
                 f" problems")
    faultlib.say(f"restart to /livez: mean {r['restart_mean_s']:.2f} s, max"
                 f" {r['restart_max_s']:.2f} s")
    upload_note = ""
    if not a.no_uploads:
        mf, gc = r["media_figures"], r["collected"]
        faultlib.say(f"uploads: {r['acked_uploads']} acknowledged ({r['keyed_uploads']} with an"
                     f" Idempotency-Key), {r['cut_uploads']} cut off, {r['acked_deletes']} deletes"
                     f" acknowledged, {r['busy_503']} answered 503 server_busy {r['busy_why']};"
                     f" after the kills"
                     f" {len(r['media'])} problems of rows and files; {mf['temp_files_seen']}"
                     f" temporary files seen after kills, at most {mf['unnamed_blobs']} pictures"
                     f" no row named")
        faultlib.say(f"collector after a restart: {gc['unnamed_blobs']} pictures no row names and"
                     f" {gc['temp_files']} temporary files ({gc['natural_temp_files']} left by"
                     f" kills), {gc['left']} left after {gc['seconds']:.2f} s")
        runs = r["collector_runs"]
        if runs is not None:
            faultlib.say(f"collector run during the load (files made old first): {runs}")
            if set(runs) - {200, "no reply"}:
                gc["problems"].append(f"a collector run during the load failed: {runs}")
        if gc["problems"]:
            failures.append("collector")
            faultlib.say("collector:\n  " + "\n  ".join(gc["problems"]))
        upload_note = (f", {r['acked_uploads']} uploads acknowledged,"
                       f" {len(r['media'])} row/file problems")
    rk, dup_note = r["retried"], ""
    if rk:
        # A keyed write and its stored reply commit together, so a retry of
        # one cut off by the kill either replays it or runs it for the
        # first time: never twice.
        twice = rk["duplicate_orders"] + rk["duplicate_messages"] + rk["duplicate_uploads"]
        if twice > 0:
            failures.append("keyed writes run twice")
            faultlib.say("uploads run twice:\n  " + "\n  ".join(rk["duplicate_upload_notes"]))
        faultlib.say(f"cut-off writes sent again with their Idempotency-Key: {rk['retried']}"
                     f" ({rk['uploads_retried']} uploads); at once {rk['at_once']}, after 60 s"
                     f" {rk['after_60s']}; then twice in the database: {rk['duplicate_orders']}"
                     f" orders, {rk['duplicate_messages']} messages, {rk['duplicate_uploads']}"
                     f" uploads")
        dup_note = (f"; {rk['retried']} cut-off keyed writes retried"
                    f" ({rk['uploads_retried']} uploads): {twice} ran twice")
    faultlib.reliability_line(
        "kill9", r["requests"], r["5xx"], r["crashes"], len(r["lost"]), r["restart_max_s"],
        notes=f"{r['kills']} kills, {r['acked']} acknowledged writes{upload_note}, "
              f"{len(r['invariants'])} invariants broken, {r['acked_clicks']} clicks charged"
              + dup_note
              + (f"; FAILED: {', '.join(failures)}" if failures else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
