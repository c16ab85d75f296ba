"""Official support chat (官方服务, docs/support.md): a merchant opens a
support conversation for one of their shops, staff with the support
permission see the queue (waiting longest first), claim (of two at once
exactly one wins), reply; messages, read markers and events are chat's
own, so the merchant gets the staff's replies on their event stream and
the claimer the merchant's on theirs. Buyer chat is unchanged: support
conversations are in none of its lists, counts or searches, and no
auto-reply answers them."""

import datetime
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from harness import *  # noqa: E402,F401,F403
from test_events import SSE  # noqa: E402


def support_staff(n=1, permissions=("support",)):
    return accounts_with_sessions(srv(), n, role="staff", permissions=list(permissions))


def merchant_shop():
    m, mt = new_merchant()
    shop, _ = new_shop(m)
    return m, mt, shop


def req(method, path, token, body=None, **kw):
    return srv().request(method, path, body=body, token=token, **kw)


def open_support(mt, shop, status=None):
    r = req("POST", f"/v1/shops/{shop}/support/conversations", mt)
    if status is not None:
        assert r.status == status, r
    else:
        assert r.status in (200, 201), r
    return r.json


def say(token, conv, text, staff=False):
    prefix = "/v1/platform/support" if staff else "/v1"
    r = req("POST", f"{prefix}/conversations/{conv}/messages", token,
            {"type": "text", "text": text})
    assert r.status == 201, r
    return r.json


def queue_ids(token, **params):
    qs = "&".join(f"{k}={v}" for k, v in params.items())
    r = req("GET", "/v1/platform/support/queue" + ("?" + qs if qs else ""), token)
    assert r.status == 200, r
    return [c["id"] for c in r.json["items"]], r.json


def claim(token, conv):
    return req("POST", f"/v1/platform/support/conversations/{conv}/claim", token)


# ---------------------------------------------------------------------------


def test_open_and_list():
    m, mt, shop = merchant_shop()
    c = open_support(mt, shop, 201)
    assert c["kind"] == "support" and c["status"] == "open" and c["staff"] is None
    assert c["shop"]["id"] == shop and c["merchant"]["id"] == m
    assert c["last_message"] is None and c["waiting_since"] is None
    # Opening again is the same conversation (one open per shop).
    again = open_support(mt, shop, 200)
    assert again["id"] == c["id"]
    r = req("GET", f"/v1/shops/{shop}/support/conversations", mt)
    assert r.status == 200 and [x["id"] for x in r.json["items"]] == [c["id"]], r
    assert r.json["next_cursor"] is None
    # Not in the shop's buyer conversations, nor in their counts.
    r = req("GET", f"/v1/shops/{shop}/conversations", mt)
    assert r.status == 200 and r.json["items"] == [], r
    assert r.json["counts"] == {"all": 0, "unread": 0, "unreplied": 0}
    # Concurrent opens of a shop with none: one conversation.
    m2, mt2, shop2 = merchant_shop()
    got = parallel(lambda: req("POST", f"/v1/shops/{shop2}/support/conversations", mt2),
                   [()] * 6)
    assert sorted(g.status for g in got) == [200] * 5 + [201], got
    assert len({g.json["id"] for g in got}) == 1


def test_errors_and_isolation():
    m, mt, shop = merchant_shop()
    other, ot, other_shop = merchant_shop()
    b, bt = new_buyer()
    conv = open_support(mt, shop)["id"]
    say(mt, conv, "my shop was suspended, why?")
    (s1, st1), = support_staff()
    (nos, nost), = support_staff(permissions=("review",))
    # Another merchant's shop is 404 like a missing one, both routes.
    for method in ("POST", "GET"):
        assert_problem(req(method, f"/v1/shops/{shop}/support/conversations", ot), 404,
                       "not_found")
        assert_problem(req(method, "/v1/shops/999999999/support/conversations", mt), 404,
                       "not_found")
    # ... and their conversation's messages, read marker, orders.
    assert_problem(req("GET", f"/v1/conversations/{conv}/messages", ot), 404, "not_found")
    assert_problem(req("POST", f"/v1/conversations/{conv}/messages", ot,
                       {"type": "text", "text": "hi"}), 404, "not_found")
    assert_problem(req("POST", f"/v1/conversations/{conv}/read", ot, {"up_to_message_id": 1}),
                   404, "not_found")
    assert_problem(req("GET", f"/v1/conversations/{conv}/orders", mt), 404, "not_found")
    # Roles: a buyer and staff may not open; merchants and buyers may not
    # use the staff's routes; staff without support get 403 naming it.
    assert_problem(req("POST", f"/v1/shops/{shop}/support/conversations", bt), 403, "forbidden")
    assert_problem(req("POST", f"/v1/shops/{shop}/support/conversations", st1), 403, "forbidden")
    for token in (mt, bt):
        assert_problem(req("GET", "/v1/platform/support/queue", token), 403, "forbidden")
        assert_problem(claim(token, conv), 403, "forbidden")
    r = req("GET", "/v1/platform/support/queue", nost)
    assert_problem(r, 403, "forbidden")
    assert r.json["missing_permission"] == "support"
    assert_problem(claim(nost, conv), 403, "forbidden")
    # Staff: an unclaimed conversation's messages may be read (the preview
    # before claiming), not written nor marked read: that is the claimer's.
    r = req("GET", f"/v1/platform/support/conversations/{conv}/messages", st1)
    assert r.status == 200 and [x["text"] for x in r.json["items"]] == [
        "my shop was suspended, why?"], r
    assert_problem(req("POST", f"/v1/platform/support/conversations/{conv}/messages", st1,
                       {"type": "text", "text": "hello"}), 404, "not_found")
    # A buyer conversation is not a support conversation.
    bconv = req("POST", f"/v1/shops/{shop}/conversations", bt).json["id"]
    assert_problem(claim(st1, bconv), 404, "not_found")
    assert_problem(claim(st1, 999999999), 404, "not_found")
    assert_problem(req("POST", f"/v1/platform/support/conversations/{bconv}/close", st1), 404,
                   "not_found")
    # Bad input.
    assert_problem(req("GET", "/v1/platform/support/queue?cursor=zzz", st1), 400,
                   "invalid_field")
    assert_problem(req("GET", "/v1/platform/support/queue?limit=0", st1), 400, "invalid_field")
    assert_problem(req("GET", f"/v1/shops/{shop}/support/conversations?bogus=1", mt), 400,
                   "unknown_field")
    assert_problem(req("POST", f"/v1/shops/{shop}/support/conversations", mt, {"x": 1}), 400,
                   "unexpected_body")
    # Claimed: other staff are refused; the claimer has it.
    assert claim(st1, conv).status == 200
    (s2, st2), = support_staff()
    assert_problem(req("GET", f"/v1/platform/support/conversations/{conv}/messages", st2), 404,
                   "not_found")
    assert_problem(req("POST", f"/v1/platform/support/conversations/{conv}/close", st2), 404,
                   "not_found")
    # What support conversations do not take: cards, quick replies, the
    # staff's images from a space they do not have.
    for body, field in (({"type": "product_card", "product_id": 1}, "type"),
                        ({"type": "order_card", "order_id": 1}, "type"),
                        ({"type": "image", "image_id": 1}, "image_id")):
        r = req("POST", f"/v1/platform/support/conversations/{conv}/messages", st1, body)
        assert_problem(r, 400, "invalid_field")
        assert r.json["errors"][0]["field"] == field, r.json
    qr = req("POST", f"/v1/shops/{shop}/quick-replies", mt, {"text": "Thanks!"}).json["id"]
    r = req("POST", f"/v1/conversations/{conv}/messages", mt,
            {"type": "text", "quick_reply_id": qr})
    assert_problem(r, 400, "invalid_field")
    assert r.json["errors"][0]["field"] == "quick_reply_id"


def test_queue_claim_reply_close():
    (s1, st1), (s2, st2) = support_staff(2)
    m, mt, shop = merchant_shop()
    m2, mt2, shop2 = merchant_shop()
    c1 = open_support(mt, shop)["id"]
    c2 = open_support(mt2, shop2)["id"]
    # Opened but silent: not in the queue yet.
    assert c1 not in queue_ids(st1, limit=100)[0]
    # The one waiting longest first, whatever the order of ids.
    t0 = utcnow().replace(microsecond=0) + datetime.timedelta(hours=1)
    srv().set_clock(fmt_time(t0))
    try:
        say(mt2, c2, "first question")
        srv().set_clock(fmt_time(t0 + datetime.timedelta(minutes=5)))
        say(mt, c1, "second question")
        say(mt2, c2, "still there?")
    finally:
        srv().set_clock(None)
    ids, page = queue_ids(st1, limit=100)
    assert ids.index(c2) < ids.index(c1), ids
    entry = page["items"][ids.index(c2)]
    assert entry["status"] == "queued" and entry["waiting_since"] == fmt_time(t0)
    assert entry["unread_count"] == 2 and entry["awaiting_reply"] is True
    # Paging: one at a time through the cursor.
    first, p1 = queue_ids(st1, limit=1)
    assert len(first) == 1 and p1["next_cursor"]
    # The claim takes it out of the queue and gives the claimer its history.
    r = claim(st1, c2)
    assert r.status == 200 and r.json["status"] == "claimed" and r.json["staff"]["id"] == s1, r
    assert claim(st1, c2).status == 200  # again: still theirs
    assert_problem(claim(st2, c2), 409, "already_claimed")
    assert c2 not in queue_ids(st1, limit=100)[0]
    r = req("GET", f"/v1/platform/support/conversations/{c2}/messages", st1)
    assert r.status == 200 and [x["text"] for x in r.json["items"]] == [
        "first question", "still there?"], r
    assert all(x["sender"] == "merchant" for x in r.json["items"])
    # The staff reply: sender staff; the merchant no longer waits.
    reply = say(st1, c2, "您好, 我来帮您看看", staff=True)
    assert reply["sender"] == "staff" and reply["sender_id"] == s1
    mine = req("GET", "/v1/platform/support/conversations", st1).json["items"]
    me = next(x for x in mine if x["id"] == c2)
    assert me["awaiting_reply"] is False and me["waiting_since"] is None
    assert me["last_message"]["sender"] == "staff"
    # The merchant sees it in the shop's list, unread, and reads it.
    theirs = req("GET", f"/v1/shops/{shop2}/support/conversations", mt2).json["items"][0]
    assert theirs["unread_count"] == 1 and theirs["status"] == "claimed"
    r = req("POST", f"/v1/conversations/{c2}/read", mt2, {"up_to_message_id": reply["id"]})
    assert r.status == 200 and r.json["kind"] == "support" and r.json["buyer"] is None, r
    assert r.json["unread_count"] == 0
    assert r.json["peer_read_up_to"] == 0, r  # the staff have read nothing yet
    # The staff's read marker: their unread count of merchant messages.
    last = say(mt2, c2, "thanks, and my withdrawal?")
    me = next(x for x in req("GET", "/v1/platform/support/conversations", st1).json["items"]
              if x["id"] == c2)
    assert me["unread_count"] == 3 and me["awaiting_reply"] is True, me  # never read
    r = req("POST", f"/v1/platform/support/conversations/{c2}/read", st1,
            {"up_to_message_id": last["id"]})
    assert r.status == 200 and r.json["unread_count"] == 0, r
    # The merchant's other side is the platform: the staff's marker.
    r = req("POST", f"/v1/conversations/{c2}/read", mt2, {"up_to_message_id": last["id"]})
    assert r.status == 200 and r.json["peer_read_up_to"] == last["id"], r
    # And in the support lists: the merchant's shows the staff's marker,
    # the claimer's the merchant's.
    theirs = req("GET", f"/v1/shops/{shop2}/support/conversations", mt2).json["items"][0]
    assert theirs["id"] == c2 and theirs["peer_read_up_to"] == last["id"], theirs
    me = next(x for x in req("GET", "/v1/platform/support/conversations", st1).json["items"]
              if x["id"] == c2)
    assert me["peer_read_up_to"] == last["id"], me
    # A merchant message after a claim does not put it back in the queue.
    assert c2 not in queue_ids(st1, limit=100)[0]
    # Close: the claimer only; no more messages; the next open is new.
    r = req("POST", f"/v1/platform/support/conversations/{c2}/close", st1)
    assert r.status == 200 and r.json["status"] == "closed" and r.json["closed_at"], r
    assert req("POST", f"/v1/platform/support/conversations/{c2}/close", st1).status == 200
    assert_problem(req("POST", f"/v1/conversations/{c2}/messages", mt2,
                       {"type": "text", "text": "one more"}), 409, "invalid_state")
    assert_problem(req("POST", f"/v1/platform/support/conversations/{c2}/messages", st1,
                       {"type": "text", "text": "one more"}), 409, "invalid_state")
    assert_problem(claim(st2, c2), 409, "invalid_state")
    fresh = open_support(mt2, shop2, 201)
    assert fresh["id"] != c2 and fresh["status"] == "open"
    listed = [x["id"] for x in
              req("GET", f"/v1/shops/{shop2}/support/conversations", mt2).json["items"]]
    assert set(listed) == {c2, fresh["id"]}


def test_claim_race():
    """Eight staff claim one conversation at once: exactly one wins, the
    others get 409 already_claimed, and the row names the winner."""
    staff = support_staff(8)
    for _ in range(3):
        m, mt, shop = merchant_shop()
        conv = open_support(mt, shop)["id"]
        say(mt, conv, "help")
        got = parallel(lambda t: claim(t, conv), [(t,) for _, t in staff])
        wins = [i for i, r in enumerate(got) if r.status == 200]
        assert len(wins) == 1, got
        for r in got:
            if r.status != 200:
                assert_problem(r, 409, "already_claimed")
        assert int(sql(f"SELECT staff_id FROM conversations WHERE id = {conv}")) == \
            staff[wins[0]][0]


def test_live_delivery():
    """Staff replies reach the merchant's existing event stream; merchant
    messages reach the claimer's; the queue's changes reach every support
    staff member; nobody else hears any of it."""
    (s1, st1), (s2, st2) = support_staff(2)
    (n1, nt1), = support_staff(permissions=("review",))
    m, mt, shop = merchant_shop()
    b, bt = new_buyer()
    conv = open_support(mt, shop)["id"]
    merchant_events = SSE(srv(), mt)
    staff1 = SSE(srv(), st1)
    staff2 = SSE(srv(), st2)
    other_staff = SSE(srv(), nt1)
    buyer_events = SSE(srv(), bt)
    try:
        assert merchant_events.status == 200 and staff1.status == 200
        first = say(mt, conv, "where is my deposit refund?")
        # The queue changed: every support staff member hears it.
        for s in (staff1, staff2):
            e = s.next_matching(lambda x: x.get("event") == "support.queue")
            assert e and e["data"]["data"] == {"conversation_id": conv, "queued": True,
                                               "claimed_by": None}, e
        assert claim(st1, conv).status == 200
        e = merchant_events.next_matching(lambda x: x.get("event") == "support.claimed")
        assert e and e["data"]["data"] == {"conversation_id": conv, "staff_id": s1}, e
        e = staff2.next_matching(lambda x: x.get("event") == "support.queue")
        assert e and e["data"]["data"]["queued"] is False and \
            e["data"]["data"]["claimed_by"] == s1, e
        # The staff reply, live on the merchant's stream.
        reply = say(st1, conv, "已收到, 正在处理", staff=True)
        e = merchant_events.next_matching(
            lambda x: x.get("event") == "message.created"
            and x["data"]["data"]["message_id"] == reply["id"])
        assert e and e["data"]["data"]["sender"] == "staff" and \
            e["data"]["data"]["conversation_id"] == conv, e
        assert e["data"]["shop_id"] == shop
        # The merchant's next message, live on the claimer's stream.
        msg = say(mt, conv, "thank you")
        e = staff1.next_matching(
            lambda x: x.get("event") == "message.created"
            and x["data"]["data"]["message_id"] == msg["id"])
        assert e and e["data"]["data"]["sender"] == "merchant", e
        # Read receipts both ways.
        assert req("POST", f"/v1/conversations/{conv}/read", mt,
                   {"up_to_message_id": reply["id"]}).status == 200
        e = staff1.next_matching(lambda x: x.get("event") == "conversation.read")
        assert e and e["data"]["data"]["reader"] == "merchant", e
        assert req("POST", f"/v1/platform/support/conversations/{conv}/read", st1,
                   {"up_to_message_id": msg["id"]}).status == 200
        e = merchant_events.next_matching(lambda x: x.get("event") == "conversation.read"
                                          and x["data"]["data"]["reader"] == "staff")
        assert e and e["data"]["data"] == {"conversation_id": conv, "reader": "staff",
                                           "up_to_message_id": msg["id"]}, e
        # The other staff member heard none of the conversation itself,
        # staff without support and the buyer nothing at all.
        poll_after = 0
        r = req("GET", f"/v1/events/poll?after={poll_after}&timeout=0", st2)
        kinds = {x["kind"] for x in r.json["items"]}
        assert kinds == {"support.queue"}, kinds
        for t in (nt1, bt):
            r = req("GET", "/v1/events/poll?after=0&timeout=0", t)
            assert r.status == 200 and r.json["items"] == [], r
        assert first["id"] < msg["id"]
        # Closing: the merchant hears it.
        assert req("POST", f"/v1/platform/support/conversations/{conv}/close", st1).status == 200
        e = merchant_events.next_matching(lambda x: x.get("event") == "support.closed")
        assert e and e["data"]["data"] == {"conversation_id": conv}, e
    finally:
        for s in (merchant_events, staff1, staff2, other_staff, buyer_events):
            s.close()


def test_buyer_chat_untouched():
    """A support conversation is invisible to the shop's customer service:
    no auto-reply, no unread badge, not in the message search."""
    m, mt, shop = merchant_shop()
    assert req("PUT", f"/v1/shops/{shop}/auto-reply", mt,
               {"greeting": "欢迎光临", "keyword_rules": [{"keyword": "refund",
                                                        "reply": "Auto refund answer"}]}
               ).status == 200
    conv = open_support(mt, shop)["id"]
    say(mt, conv, "refund question for the platform")
    msgs = req("GET", f"/v1/conversations/{conv}/messages", mt).json["items"]
    assert [x["sender"] for x in msgs] == ["merchant"], msgs
    r = req("GET", f"/v1/shops/{shop}/messages/search?q=refund", mt)
    assert r.status == 200 and r.json["items"] == [], r
    assert sql(f"SELECT count(*) FROM shop_order_counts WHERE shop_id = {shop}"
               f" AND tab IN ('conversations', 'unread_conversations',"
               f" 'unreplied_conversations') AND n <> 0") == "0"
    # The schema refuses what a support conversation cannot be.
    (s1, st1), = support_staff()
    bad = psql_refused(f"UPDATE conversations SET buyer_id = {m} WHERE id = {conv}")
    assert "conversations_kind_parties" in bad, bad
    bad = psql_refused(f"UPDATE conversations SET claimed_at = now() WHERE id = {conv}")
    assert "conversations_claimed" in bad, bad


def release(token, conv):
    return req("POST", f"/v1/platform/support/conversations/{conv}/release", token)


def poll_all(token):
    """Every event of the caller's, oldest first."""
    items, after = [], 0
    while True:
        r = req("GET", f"/v1/events/poll?after={after}&timeout=0", token)
        assert r.status == 200, r
        if not r.json["items"]:
            return items
        items += r.json["items"]
        after = r.json["next_after"]


def events_when(token, ok, timeout=30):
    """The caller's events, polled again until ok(events) or timeout
    seconds have passed: an event reaches pollers once the transactions
    that began before it have ended, which other tests' can delay."""
    deadline = time.monotonic() + timeout
    while True:
        ev = poll_all(token)
        if ok(ev) or time.monotonic() > deadline:
            return ev
        time.sleep(0.05)


def last_queued(token, conv, want):
    """Whether the last support.queue event of conv the caller has says
    queued (False without one), once it says want (or the wait is over)."""
    def queued(evs):
        ev = [x for x in evs if x["kind"] == "support.queue"
              and x["data"]["conversation_id"] == conv]
        return bool(ev) and ev[-1]["data"]["queued"]
    return queued(events_when(token, lambda evs: queued(evs) == want))


def test_release():
    """The claimer hands a conversation back: it is queued where it waited
    (waiting_since kept), staff hear it, another staff member claims it;
    only the claimer may release, and not once closed."""
    (s1, st1), (s2, st2), (s3, st3) = support_staff(3)
    (n1, nt1), = support_staff(permissions=("review",))
    m, mt, shop = merchant_shop()
    m2, mt2, shop2 = merchant_shop()
    b, bt = new_buyer()
    c1 = open_support(mt, shop)["id"]
    c2 = open_support(mt2, shop2)["id"]
    t0 = utcnow().replace(microsecond=0) + datetime.timedelta(hours=2)
    srv().set_clock(fmt_time(t0))
    try:
        say(mt, c1, "waiting the longest")
        srv().set_clock(fmt_time(t0 + datetime.timedelta(minutes=3)))
        say(mt2, c2, "waiting since later")
    finally:
        srv().set_clock(None)
    assert claim(st1, c1).status == 200
    ids = queue_ids(st2, limit=100)[0]
    assert c1 not in ids and c2 in ids
    # Errors: roles and permission; not the caller's (another's, queued,
    # missing, a buyer conversation) is 404 like close.
    for token in (mt, bt):
        assert_problem(release(token, c1), 403, "forbidden")
    r = release(nt1, c1)
    assert_problem(r, 403, "forbidden")
    assert r.json["missing_permission"] == "support"
    assert_problem(release(st2, c1), 404, "not_found")
    assert_problem(release(st1, c2), 404, "not_found")
    assert_problem(release(st1, 999999999), 404, "not_found")
    bconv = req("POST", f"/v1/shops/{shop}/conversations", bt).json["id"]
    assert_problem(release(st1, bconv), 404, "not_found")
    assert_problem(req("POST", f"/v1/platform/support/conversations/{c1}/release", st1,
                       {"x": 1}), 400, "unexpected_body")
    # The release: queued again, first in line (it waited longest).
    r = release(st1, c1)
    assert r.status == 200, r
    assert r.json["status"] == "queued" and r.json["staff"] is None, r.json
    assert r.json["claimed_at"] is None and r.json["waiting_since"] == fmt_time(t0)
    assert r.json["awaiting_reply"] is True
    ids = queue_ids(st2, limit=100)[0]
    assert c1 in ids and ids.index(c1) < ids.index(c2), ids
    assert_problem(release(st1, c1), 404, "not_found")  # not theirs any more
    # The former claimer is no longer a side; everyone with support may
    # still preview it.
    assert_problem(req("POST", f"/v1/platform/support/conversations/{c1}/messages", st1,
                       {"type": "text", "text": "still here"}), 404, "not_found")
    assert_problem(req("POST", f"/v1/platform/support/conversations/{c1}/read", st1,
                       {"up_to_message_id": 1}), 404, "not_found")
    assert req("GET", f"/v1/platform/support/conversations/{c1}/messages", st1).status == 200
    assert c1 not in [x["id"] for x in
                      req("GET", "/v1/platform/support/conversations", st1).json["items"]]
    # Events: every support staff member hears it queued, the merchant and
    # the releaser that it was released; nobody else hears anything.
    for token in (st1, st2, st3):
        assert last_queued(token, c1, True), token
        ev = [x for x in poll_all(token) if x["kind"] == "support.queue"
              and x["data"]["conversation_id"] == c1]
        assert ev[-1]["data"] == {"conversation_id": c1, "queued": True, "claimed_by": None}, ev
    for token in (mt, st1):
        ev = events_when(token, lambda evs: any(x["kind"] == "support.released" for x in evs))
        ev = [x for x in ev if x["kind"] == "support.released"]
        assert [x["data"] for x in ev] == [{"conversation_id": c1, "staff_id": s1}], ev
    assert not [x for x in poll_all(st2) if x["kind"] == "support.released"]
    assert poll_all(nt1) == [] and poll_all(bt) == []
    # Another staff member claims it and has the history.
    r = claim(st2, c1)
    assert r.status == 200 and r.json["staff"]["id"] == s2, r
    assert_problem(claim(st1, c1), 409, "already_claimed")
    r = req("GET", f"/v1/platform/support/conversations/{c1}/messages", st2)
    assert [x["text"] for x in r.json["items"]] == ["waiting the longest"], r
    # Answered, then released: unclaimed but not queued until the
    # merchant writes again.
    say(st2, c1, "我们看一下", staff=True)
    r = release(st2, c1)
    assert r.status == 200 and r.json["status"] == "open" and r.json["waiting_since"] is None, r
    assert c1 not in queue_ids(st3, limit=100)[0]
    say(mt, c1, "any news?")
    assert c1 in queue_ids(st3, limit=100)[0]
    # Closed: the claimer's release is 409, anyone else's 404.
    assert claim(st3, c1).status == 200
    assert req("POST", f"/v1/platform/support/conversations/{c1}/close", st3).status == 200
    assert_problem(release(st3, c1), 409, "invalid_state")
    assert_problem(release(st1, c1), 404, "not_found")
    assert sql(f"SELECT staff_id FROM conversations WHERE id = {c1}") == str(s3)


def test_release_race():
    """The claimer releases while the merchant writes, the claimer writes
    and another staff member claims, all at once: whatever the order, the
    row is consistent (claimed by the winner or queued), every message is
    stored by a side, and the queue's last event says where it is."""
    (s1, st1), (s2, st2), (s3, st3) = support_staff(3)
    for i in range(6):
        m, mt, shop = merchant_shop()
        conv = open_support(mt, shop)["id"]
        say(mt, conv, "help")
        assert claim(st1, conv).status == 200
        if i % 2:
            say(st1, conv, "looking", staff=True)  # the merchant no longer waits

        def act(k):
            if k == 0:
                return release(st1, conv)
            if k == 1:
                return req("POST", f"/v1/conversations/{conv}/messages", mt,
                           {"type": "text", "text": f"more {i}"})
            if k == 2:
                return req("POST", f"/v1/platform/support/conversations/{conv}/messages", st1,
                           {"type": "text", "text": f"reply {i}"})
            return claim(st2, conv)
        rel, msg, own, cl = parallel(act, [(k,) for k in range(4)])
        assert rel.status == 200, rel
        assert msg.status == 201, msg
        assert own.status in (201, 404), own
        assert cl.status in (200, 409), cl
        if cl.status == 409:
            assert_problem(cl, 409, "already_claimed")
        row = sql(f"SELECT coalesce(staff_id, 0), claimed_at IS NOT NULL, waiting_since IS NOT NULL,"
                  f" awaiting_reply, last_message_id, staff_unread FROM conversations"
                  f" WHERE id = {conv}").split("|")
        staff, claimed, waiting = int(row[0]), row[1] == "t", row[2] == "t"
        assert staff == (s2 if cl.status == 200 else 0) and claimed == (staff != 0), row
        last = sql(f"SELECT id || '|' || sender FROM messages WHERE conversation_id = {conv}"
                   f" ORDER BY id DESC LIMIT 1").split("|")
        assert int(row[4]) == int(last[0]) and (row[3] == "t") == (last[1] == "merchant"), row
        assert waiting == (last[1] == "merchant"), (row, last)
        # Every staff message is by the claimer of its time: st1 only.
        assert sql(f"SELECT count(*) FROM messages WHERE conversation_id = {conv}"
                   f" AND sender = 'staff' AND sender_id <> {s1}") == "0"
        n_own = int(sql(f"SELECT count(*) FROM messages WHERE conversation_id = {conv}"
                        f" AND sender = 'staff' AND body = 'reply {i}'"))
        assert n_own == (1 if own.status == 201 else 0)
        # The bystander's last queue event comes to match the row (events
        # reach pollers once the transactions before them have ended).
        queued = staff == 0 and waiting
        assert last_queued(st3, conv, queued) == queued, row
        assert (conv in queue_ids(st3, limit=100)[0]) == queued


def test_preview():
    """Staff with support read a queued conversation before claiming it,
    without writing, marking read or changing its unread count; claimed by
    someone else it is theirs alone again."""
    (s1, st1), (s2, st2) = support_staff(2)
    (n1, nt1), = support_staff(permissions=("finance",))
    m, mt, shop = merchant_shop()
    other, ot, other_shop = merchant_shop()
    b, bt = new_buyer()
    conv = open_support(mt, shop)["id"]
    first = say(mt, conv, "question one")
    say(mt, conv, "question two")
    path = f"/v1/platform/support/conversations/{conv}/messages"
    r = req("GET", path, st2)
    assert r.status == 200 and [x["text"] for x in r.json["items"]] == [
        "question one", "question two"], r
    assert all(x["sender"] == "merchant" for x in r.json["items"])
    r = req("GET", path + f"?after={first['id']}&limit=1", st2)
    assert r.status == 200 and [x["text"] for x in r.json["items"]] == ["question two"], r
    assert_problem(req("GET", path + "?before=1&after=2", st2), 400, "invalid_field")
    # Reading is not marking read: still two unread in the queue.
    entry = next(x for x in queue_ids(st2, limit=100)[1]["items"] if x["id"] == conv)
    assert entry["unread_count"] == 2
    assert_problem(req("POST", f"/v1/platform/support/conversations/{conv}/read", st2,
                       {"up_to_message_id": first["id"]}), 404, "not_found")
    assert_problem(req("POST", path, st2, {"type": "text", "text": "hi"}), 404, "not_found")
    # Roles: other staff, merchants (even the owner: theirs is /v1/...), buyers.
    r = req("GET", path, nt1)
    assert_problem(r, 403, "forbidden")
    assert r.json["missing_permission"] == "support"
    for token in (mt, ot, bt):
        assert_problem(req("GET", path, token), 403, "forbidden")
    # Another merchant still cannot read it through chat's own routes.
    assert_problem(req("GET", f"/v1/conversations/{conv}/messages", ot), 404, "not_found")
    # A buyer conversation is no support conversation, claimed or not.
    bconv = req("POST", f"/v1/shops/{shop}/conversations", bt).json["id"]
    assert_problem(req("GET", f"/v1/platform/support/conversations/{bconv}/messages", st2), 404,
                   "not_found")
    assert_problem(req("GET", "/v1/platform/support/conversations/999999999/messages", st2),
                   404, "not_found")
    # Claimed by st1: st2 no longer reads it; st1 does.
    assert claim(st1, conv).status == 200
    assert_problem(req("GET", path, st2), 404, "not_found")
    assert req("GET", path, st1).status == 200
    # Released: readable by all with support again.
    assert release(st1, conv).status == 200
    assert req("GET", path, st2).status == 200


def psql_refused(statement):
    out = subprocess.run(["psql", srv().db_url, "-v", "ON_ERROR_STOP=1", "-Atqc", statement],
                         text=True, capture_output=True, timeout=30)
    assert out.returncode != 0, out.stdout
    return out.stderr


if __name__ == "__main__":
    main([test_open_and_list, test_errors_and_isolation, test_queue_claim_reply_close,
          test_claim_race, test_live_delivery, test_buyer_chat_untouched, test_release,
          test_release_race, test_preview])
