"""The merchant community, what a merchant does with their own
(docs/community.md, migrations/0038_community_own.sql): their bookmarks
(GET /v1/community/bookmarks: newest bookmark first, keyset pages, hidden
and deleted articles left out), deleting their comment (its replies with
it, the article's counter exact, an accepted answer cleared, deleting again
204), editing and deleting their question (re-rendered through the
sanitiser; deleted: gone from feed, search, reads and comments) and marking
its accepted answer (last of two concurrent ones wins). Another merchant's
comment or question is 404 like a missing one; buyers and staff are 403;
every refusal of the bodies and queries.

The clock is frozen and only ever moves forward."""

import datetime
import os
import sys
import urllib.parse
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(__file__))
from harness import *  # noqa: E402,F401,F403

ENV = {"MERCHANTD_JOB_INTERVAL_SECONDS": "86400", "MERCHANTD_STATS_FOLD_SECONDS": "0",
       "MERCHANTD_COMMUNITY_COMMENTS_PER_MINUTE": "1000"}
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = [datetime.datetime(2031, 9, 1, 10, 0, tzinfo=SHANGHAI)]
ARTICLES = "/v1/platform/community/articles"
QUESTIONS = "/v1/community/questions"
BOOKMARKS = "/v1/community/bookmarks"


def server():
    return srv(ENV)


def call(method, path, token=None, body=None, headers=None):
    return server().request(method, path, body, token=token, headers=headers)


def advance(**delta):
    NOW[0] += datetime.timedelta(**delta)
    server().set_clock(fmt_time(NOW[0]))


def merchants(n):
    return accounts_with_sessions(server(), n, role="merchant")


class World:
    def __init__(self):
        server().set_clock(fmt_time(NOW[0]))
        (self.staff, self.ts), = accounts_with_sessions(server(), 1, "staff", ["community"])
        (self.m, self.tm), (self.m2, self.tm2) = merchants(2)
        self.buyer, self.tb = new_buyer()


world = once(World)


def article(title="经营干货分享", body="**加粗**", category="经营干货", **extra):
    r = call("POST", ARTICLES, world().ts,
             dict({"title": title, "body": body, "category": category}, **extra))
    assert r.status == 201, r
    return r.json["id"]


def question(token, title="退款多久到账？", body="如题", **extra):
    r = call("POST", QUESTIONS, token, dict({"title": title, "body": body}, **extra))
    assert r.status == 201, r
    return r.json["id"]


def comment(article_id, token, body="好文", parent=None):
    b = {"body": body}
    if parent is not None:
        b["parent_id"] = parent
    r = call("POST", f"/v1/community/articles/{article_id}/comments", token, b)
    assert r.status == 201, r
    return r.json["id"]


def fields(r):
    return sorted(e["field"] for e in r.json.get("errors", []))


def bookmarks(token, query=""):
    r = call("GET", BOOKMARKS + query, token)
    assert r.status == 200, r
    return r.json


def read(article_id, token):
    return call("GET", f"/v1/community/articles/{article_id}", token)


def counter(article_id):
    return int(sql(f"SELECT comments FROM community_articles WHERE id = {article_id}"))


def visible_comments(article_id):
    return int(sql(f"SELECT count(*) FROM community_comments"
                   f" WHERE article_id = {article_id} AND hidden_at IS NULL"))


def test_bookmarks_newest_first_pages_and_hidden_left_out():
    w = world()
    (_, t), (_, other) = merchants(2)
    assert bookmarks(t) == {"items": [], "next_cursor": None}
    ids = [article(title=f"收藏 {i}") for i in range(5)]
    # Bookmarked in the order 2, 0, 4, 1, 3 (the clock moving between).
    for i in (2, 0, 4, 1, 3):
        r = call("PUT", f"/v1/community/articles/{ids[i]}/bookmark", t)
        assert r.status == 200, r
        advance(seconds=1)
    call("PUT", f"/v1/community/articles/{ids[0]}/bookmark", other)
    page = bookmarks(t)
    assert [x["id"] for x in page["items"]] == [ids[i] for i in (3, 1, 4, 0, 2)]
    first = page["items"][0]
    assert first["title"] == "收藏 3" and "body_html" not in first
    assert parse_time(first["bookmarked_at"]) == NOW[0] - datetime.timedelta(seconds=1)
    # Bookmarking again keeps the first time.
    call("PUT", f"/v1/community/articles/{ids[2]}/bookmark", t)
    # Keyset pages of 2.
    seen, cursor = [], None
    while True:
        q = "?limit=2" + (f"&cursor={urllib.parse.quote(cursor)}" if cursor else "")
        page = bookmarks(t, q)
        assert len(page["items"]) <= 2
        seen += [x["id"] for x in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [ids[i] for i in (3, 1, 4, 0, 2)]
    # Another merchant's list is their own.
    assert [x["id"] for x in bookmarks(other)["items"]] == [ids[0]]
    # A hidden article leaves the list, and comes back when shown again;
    # an unbookmarked one leaves it.
    assert call("PATCH", f"{ARTICLES}/{ids[4]}", w.ts, {"hidden": True}).status == 200
    call("DELETE", f"/v1/community/articles/{ids[1]}/bookmark", t)
    assert [x["id"] for x in bookmarks(t)["items"]] == [ids[i] for i in (3, 0, 2)]
    assert call("PATCH", f"{ARTICLES}/{ids[4]}", w.ts, {"hidden": False}).status == 200
    assert [x["id"] for x in bookmarks(t)["items"]] == [ids[i] for i in (3, 4, 0, 2)]
    # A deleted question leaves it too.
    q = question(other)
    call("PUT", f"/v1/community/articles/{q}/bookmark", t)
    assert bookmarks(t)["items"][0]["id"] == q
    assert call("DELETE", f"{QUESTIONS}/{q}", other).status == 204
    assert q not in [x["id"] for x in bookmarks(t)["items"]]
    # The walk is the index's: (account_id, created_at DESC, article_id DESC).
    plan = sql("SET enable_bitmapscan = off; SET enable_seqscan = off; EXPLAIN SELECT b.article_id FROM community_bookmarks b"
               " WHERE b.account_id = 1 AND (b.created_at, b.article_id) < (now(), 5)"
               " ORDER BY b.created_at DESC, b.article_id DESC LIMIT 21")
    assert "community_bookmarks_account" in plan and "Sort" not in plan, plan
    # Refusals.
    assert_problem(call("GET", BOOKMARKS + "?limit=0", t), 400, "invalid_field")
    assert_problem(call("GET", BOOKMARKS + "?limit=101", t), 400, "invalid_field")
    r = call("GET", BOOKMARKS + "?cursor=garbage", t)
    assert_problem(r, 400, "invalid_field")
    assert fields(r) == ["cursor"]
    # The feed's cursor is not this list's.
    feed_cursor = call("GET", "/v1/community/articles?sort=new&limit=1", t).json["next_cursor"]
    r = call("GET", BOOKMARKS + "?cursor=" + urllib.parse.quote(feed_cursor), t)
    assert_problem(r, 400, "invalid_field")
    assert fields(r) == ["cursor"]
    assert_problem(call("GET", BOOKMARKS + "?sort=new", t), 400, "unknown_field")
    assert_problem(call("GET", BOOKMARKS, w.tb), 403, "forbidden")
    assert_problem(call("GET", BOOKMARKS, w.ts), 403, "forbidden")
    assert_problem(call("GET", BOOKMARKS), 401, "unauthenticated")


def test_delete_own_comment():
    w = world()
    (_, t), (_, other) = merchants(2)
    a = article()
    top = comment(a, t, "我的评论")
    replies = [comment(a, other, f"回复 {i}", parent=top) for i in range(2)]
    keep = comment(a, other, "别人的")
    mine_reply = comment(a, t, "我的回复", parent=keep)
    report = call("POST", f"/v1/community/comments/{top}/reports", other, {"reason": "spam"})
    assert report.status == 201, report
    assert counter(a) == 5
    # Another merchant's comment is 404, as is a missing one; staff and
    # buyers may not.
    assert_problem(call("DELETE", f"/v1/community/comments/{top}", other), 404, "not_found")
    assert_problem(call("DELETE", "/v1/community/comments/999999999", t), 404, "not_found")
    assert_problem(call("DELETE", f"/v1/community/comments/{top}", w.ts), 403, "forbidden")
    assert_problem(call("DELETE", f"/v1/community/comments/{top}", w.tb), 403, "forbidden")
    assert_problem(call("DELETE", f"/v1/community/comments/{top}"), 401, "unauthenticated")
    assert_problem(call("DELETE", f"/v1/community/comments/{top}", t, {"x": 1}), 400,
                   "unexpected_body")
    assert counter(a) == 5
    # A reply alone: the counter drops by one.
    r = call("DELETE", f"/v1/community/comments/{mine_reply}", t)
    assert r.status == 204 and not r.raw, r
    assert counter(a) == 4 == visible_comments(a)
    # A top-level comment: its replies go with it, at once everywhere.
    assert call("DELETE", f"/v1/community/comments/{top}", t).status == 204
    assert counter(a) == 1 == visible_comments(a)
    items = call("GET", f"/v1/community/articles/{a}/comments", other).json["items"]
    assert [c["id"] for c in items] == [keep]
    assert read(a, t).json["comments"] == 1
    # Its open report is decided; staff still see it, hidden.
    assert sql(f"SELECT status FROM community_reports WHERE comment_id = {top}") == "hidden"
    staff = call("GET", f"{ARTICLES}/{a}/comments", w.ts).json["items"]
    assert {c["id"] for c in staff if c["hidden_at"]} == {top, mine_reply, *replies}
    assert {c["id"] for c in staff if c["deleted_at"]} == {top, mine_reply}
    # Gone for replying, reporting, and the replies' authors deleting theirs.
    assert_problem(call("POST", f"/v1/community/articles/{a}/comments", other,
                        {"body": "回复", "parent_id": top}), 400, "invalid_field")
    assert_problem(call("POST", f"/v1/community/comments/{top}/reports", other,
                        {"reason": "spam"}), 404, "not_found")
    assert_problem(call("DELETE", f"/v1/community/comments/{replies[0]}", other), 404,
                   "not_found")
    # Deleting again is 204 and changes nothing; concurrent deletions
    # count once.
    assert call("DELETE", f"/v1/community/comments/{top}", t).status == 204
    assert counter(a) == 1
    c = comment(a, t, "并发删除")
    kids = [comment(a, other, "子", parent=c) for _ in range(3)]
    assert counter(a) == 5
    rs = parallel(lambda: call("DELETE", f"/v1/community/comments/{c}", t), [()] * 8)
    assert all(r.status == 204 for r in rs), rs
    assert counter(a) == 1 == visible_comments(a) and len(kids) == 3
    # Deleting a comment while others reply to it, delete their replies
    # and staff hide it: the counter stays the visible rows, and no visible
    # reply is left under a hidden comment.
    for round_ in range(8):
        c = comment(a, t, f"轮 {round_}")
        kids = [comment(a, other, "子", parent=c) for _ in range(3)]
        jobs = [("DELETE", f"/v1/community/comments/{c}", t, None),
                ("DELETE", f"/v1/community/comments/{kids[0]}", other, None),
                ("POST", f"/v1/platform/community/comments/{c}/hide", w.ts, None)]
        jobs += [("POST", f"/v1/community/articles/{a}/comments", other,
                  {"body": "抢答", "parent_id": c})] * 4
        rs = parallel(lambda m, p, tok, b: call(m, p, tok, b), jobs)
        assert all(r.status in (200, 201, 204, 400, 404) for r in rs), rs
        assert counter(a) == 1 == visible_comments(a), (round_, counter(a), visible_comments(a), rs)
        assert sql(f"SELECT count(*) FROM community_comments x JOIN community_comments p"
                   f" ON p.id = x.parent_id WHERE x.hidden_at IS NULL"
                   f" AND p.hidden_at IS NOT NULL") == "0"
    # A comment staff hid is 404 to its author; so is one of a hidden article.
    hid = comment(a, t, "违规")
    call("POST", f"/v1/platform/community/comments/{hid}/hide", w.ts)
    assert_problem(call("DELETE", f"/v1/community/comments/{hid}", t), 404, "not_found")
    b = article()
    gone = comment(b, t)
    call("PATCH", f"{ARTICLES}/{b}", w.ts, {"hidden": True})
    assert_problem(call("DELETE", f"/v1/community/comments/{gone}", t), 404, "not_found")
    assert counter(b) == 1


def test_delete_accepted_answer_clears_it():
    w = world()
    (_, asker), (_, answerer) = merchants(2)
    q = question(asker)
    ans = comment(q, answerer, "这样做")
    r = call("PUT", f"{QUESTIONS}/{q}/accepted-answer", asker, {"comment_id": ans})
    assert r.status == 200 and r.json["accepted_comment_id"] == ans, r
    assert call("DELETE", f"/v1/community/comments/{ans}", answerer).status == 204
    assert read(q, asker).json["accepted_comment_id"] is None
    assert call("GET", f"{ARTICLES}/{q}", w.ts).json["accepted_comment_id"] is None
    # A reply accepted goes with its deleted parent the same way.
    top = comment(q, asker, "补充")
    reply = comment(q, answerer, "回复里的答案", parent=top)
    call("PUT", f"{QUESTIONS}/{q}/accepted-answer", asker, {"comment_id": reply})
    assert call("DELETE", f"/v1/community/comments/{top}", asker).status == 204
    assert read(q, asker).json["accepted_comment_id"] is None
    assert counter(q) == 0


def test_edit_own_question():
    w = world()
    (_, t), (_, other) = merchants(2)
    q = question(t, tags=["退款"])
    r = call("PATCH", f"{QUESTIONS}/{q}", t,
             {"title": "退款要几天？", "body": "[x](javascript:alert(1)) <script>x</script> **急**",
              "tags": ["退款", "到账", "退款"]})
    assert r.status == 200, r
    assert r.json["title"] == "退款要几天？" and sorted(r.json["tags"]) == ["到账", "退款"]
    html = r.json["body_html"]
    assert "<strong>急</strong>" in html and "<script>" not in html and "javascript" not in html
    assert r.json["kind"] == "question" and r.json["category"] == "问答"
    assert "liked" in r.json and "bookmarked" in r.json
    # Search follows the new text; the old is gone.
    found = call("GET", "/v1/community/search?q=" + urllib.parse.quote("几天"), other).json
    assert q in [x["id"] for x in found["items"]]
    found = call("GET", "/v1/community/search?q=" + urllib.parse.quote("多久到账"), other).json
    assert q not in [x["id"] for x in found["items"]]
    # One field alone; the rest stays.
    r = call("PATCH", f"{QUESTIONS}/{q}", t, {"tags": []})
    assert r.status == 200 and r.json["tags"] == [] and r.json["title"] == "退款要几天？", r
    assert read(q, other).json["body_html"] == html
    # Refusals: another's question, an article, missing; fields.
    assert_problem(call("PATCH", f"{QUESTIONS}/{q}", other, {"title": "改"}), 404, "not_found")
    a = article()
    assert_problem(call("PATCH", f"{QUESTIONS}/{a}", t, {"title": "改"}), 404, "not_found")
    assert_problem(call("PATCH", f"{QUESTIONS}/999999999", t, {"title": "改"}), 404, "not_found")
    assert_problem(call("PATCH", f"{QUESTIONS}/{q}", w.ts, {"title": "改"}), 403, "forbidden")
    assert_problem(call("PATCH", f"{QUESTIONS}/{q}", w.tb, {"title": "改"}), 403, "forbidden")
    for body, field in (({"title": ""}, "title"), ({"title": "  "}, "title"),
                        ({"title": "长" * 121}, "title"), ({"body": ""}, "body"),
                        ({"body": "x" * 20001}, "body"), ({"tags": ["x"] * 11}, "tags"),
                        ({"tags": [""]}, "tags[0]"), ({"title": 1}, "title"),
                        ({"title": None}, "title")):
        r = call("PATCH", f"{QUESTIONS}/{q}", t, body)
        assert_problem(r, 400, "invalid_field")
        assert fields(r) == [field], (body, r.json)
    assert_problem(call("PATCH", f"{QUESTIONS}/{q}", t, {"category": "经营干货"}), 400,
                   "unknown_field")
    assert_problem(call("PATCH", f"{QUESTIONS}/{q}", t, {"hidden": True}), 400, "unknown_field")
    assert_problem(call("PATCH", f"{QUESTIONS}/{q}", t), 415, "unsupported_media_type")
    # A question staff hid cannot be changed by its asker.
    call("PATCH", f"{ARTICLES}/{q}", w.ts, {"hidden": True})
    assert_problem(call("PATCH", f"{QUESTIONS}/{q}", t, {"title": "改"}), 404, "not_found")


def test_delete_own_question():
    w = world()
    (_, t), (_, other) = merchants(2)
    q = question(t, title="独特的问题标题甲乙", body="正文内容")
    ans = comment(q, other, "回答")
    wenda = "?sort=new&category=" + urllib.parse.quote("问答")
    assert q in [x["id"] for x in call("GET", "/v1/community/articles" + wenda, other).json["items"]]
    assert_problem(call("DELETE", f"{QUESTIONS}/{q}", other), 404, "not_found")
    assert_problem(call("DELETE", f"{QUESTIONS}/{article()}", t), 404, "not_found")
    assert_problem(call("DELETE", f"{QUESTIONS}/999999999", t), 404, "not_found")
    assert_problem(call("DELETE", f"{QUESTIONS}/{q}", w.ts), 403, "forbidden")
    assert_problem(call("DELETE", f"{QUESTIONS}/{q}", w.tb), 403, "forbidden")
    assert read(q, other).status == 200
    r = call("DELETE", f"{QUESTIONS}/{q}", t)
    assert r.status == 204, r
    # Gone everywhere merchants look.
    for who in (t, other):
        assert_problem(read(q, who), 404, "not_found")
        assert_problem(call("GET", f"/v1/community/articles/{q}/comments", who), 404, "not_found")
        for sort in ("new", "hot"):
            items = call("GET", f"/v1/community/articles?sort={sort}", who).json["items"]
            assert q not in [x["id"] for x in items]
        found = call("GET", "/v1/community/search?q=" + urllib.parse.quote("甲乙"), who).json
        assert found["items"] == []
    assert_problem(call("POST", f"/v1/community/articles/{q}/comments", other, {"body": "还在吗"}),
                   404, "not_found")
    assert_problem(call("PUT", f"/v1/community/articles/{q}/like", other), 404, "not_found")
    assert_problem(call("PATCH", f"{QUESTIONS}/{q}", t, {"title": "改"}), 404, "not_found")
    assert_problem(call("PUT", f"{QUESTIONS}/{q}/accepted-answer", t, {"comment_id": ans}), 404,
                   "not_found")
    assert_problem(call("DELETE", f"/v1/community/comments/{ans}", other), 404, "not_found")
    # Deleting again is 204; staff see it hidden and cannot show it again.
    assert call("DELETE", f"{QUESTIONS}/{q}", t).status == 204
    s = call("GET", f"{ARTICLES}/{q}", w.ts).json
    assert s["status"] == "hidden" and s["deleted_at"] == s["hidden_at"] is not None, s
    assert call("PATCH", f"{ARTICLES}/{q}", w.ts, {"hidden": False}).json["status"] == "hidden"
    assert_problem(read(q, other), 404, "not_found")
    # A question staff hid is 404 to its asker's deletion.
    q2 = question(t)
    call("PATCH", f"{ARTICLES}/{q2}", w.ts, {"hidden": True})
    assert_problem(call("DELETE", f"{QUESTIONS}/{q2}", t), 404, "not_found")
    assert call("PATCH", f"{ARTICLES}/{q2}", w.ts, {"hidden": False}).json["status"] == "published"


def test_asker_accepts_and_the_race():
    w = world()
    (_, asker), (_, other) = merchants(2)
    q = question(asker)
    answers = [comment(q, other, f"回答 {i}") for i in range(6)]
    official = call("POST", f"{ARTICLES}/{q}/comments", w.ts, {"body": "官方"}).json["id"]
    r = call("PUT", f"{QUESTIONS}/{q}/accepted-answer", asker, {"comment_id": answers[0]})
    assert r.status == 200 and r.json["accepted_comment_id"] == answers[0], r
    assert "body_html" in r.json and "body_markdown" not in r.json
    # Again: the same; another answer replaces it (staff's too).
    r = call("PUT", f"{QUESTIONS}/{q}/accepted-answer", asker, {"comment_id": answers[0]})
    assert r.status == 200 and r.json["accepted_comment_id"] == answers[0]
    r = call("PUT", f"{QUESTIONS}/{q}/accepted-answer", asker, {"comment_id": official})
    assert r.json["accepted_comment_id"] == official
    items = call("GET", f"/v1/community/articles/{q}/comments", other).json["items"]
    assert [c["id"] for c in items if c["accepted"]] == [official]
    # Staff keep theirs.
    r = call("PUT", f"{ARTICLES}/{q}/accepted-answer", w.ts, {"comment_id": answers[1]})
    assert r.status == 200 and r.json["accepted_comment_id"] == answers[1], r
    # Two (and more) at once: each 200, the last one wins, one accepted.
    rs = parallel(lambda c: call("PUT", f"{QUESTIONS}/{q}/accepted-answer", asker,
                                 {"comment_id": c}), [(c,) for c in answers[2:]])
    assert all(r.status == 200 for r in rs), rs
    final = read(q, asker).json["accepted_comment_id"]
    assert final in answers[2:]
    items = call("GET", f"/v1/community/articles/{q}/comments", other).json["items"]
    assert [c["id"] for c in items if c["accepted"]] == [final]
    # Accepting a comment while its author deletes it: never a deleted
    # comment accepted.
    for _ in range(6):
        c = comment(q, other, "将被删除")
        rs = parallel(lambda m, p, tok, b: call(m, p, tok, b),
                      [("PUT", f"{QUESTIONS}/{q}/accepted-answer", asker, {"comment_id": c}),
                       ("DELETE", f"/v1/community/comments/{c}", other, None)])
        assert rs[1].status == 204 and rs[0].status in (200, 400), rs
        assert read(q, asker).json["accepted_comment_id"] != c
        assert sql(f"SELECT count(*) FROM community_articles a JOIN community_comments x"
                   f" ON x.id = a.accepted_comment_id WHERE x.hidden_at IS NOT NULL") == "0"
        r = call("PUT", f"{QUESTIONS}/{q}/accepted-answer", asker, {"comment_id": final})
        assert r.status == 200, r
    # Refusals: another's question, an article, a missing one; a comment
    # of elsewhere, hidden, deleted or missing; the body.
    assert_problem(call("PUT", f"{QUESTIONS}/{q}/accepted-answer", other,
                        {"comment_id": answers[0]}), 404, "not_found")
    a = article()
    ca = comment(a, asker)
    assert_problem(call("PUT", f"{QUESTIONS}/{a}/accepted-answer", asker, {"comment_id": ca}),
                   404, "not_found")
    assert_problem(call("PUT", f"{QUESTIONS}/999999999/accepted-answer", asker,
                        {"comment_id": ca}), 404, "not_found")
    hidden = comment(q, other, "违规")
    call("POST", f"/v1/platform/community/comments/{hidden}/hide", w.ts)
    deleted = comment(q, other, "删了")
    call("DELETE", f"/v1/community/comments/{deleted}", other)
    for c in (ca, hidden, deleted, 999999999):
        r = call("PUT", f"{QUESTIONS}/{q}/accepted-answer", asker, {"comment_id": c})
        assert_problem(r, 400, "invalid_field")
        assert fields(r) == ["comment_id"]
    for body, code in (({}, "invalid_field"), ({"comment_id": 0}, "invalid_field"),
                       ({"comment_id": "1"}, "invalid_field"),
                       ({"comment_id": 1, "x": 1}, "unknown_field")):
        assert_problem(call("PUT", f"{QUESTIONS}/{q}/accepted-answer", asker, body), 400, code)
    assert_problem(call("PUT", f"{QUESTIONS}/{q}/accepted-answer", w.ts,
                        {"comment_id": answers[0]}), 403, "forbidden")
    assert_problem(call("PUT", f"{QUESTIONS}/{q}/accepted-answer", w.tb,
                        {"comment_id": answers[0]}), 403, "forbidden")
    assert read(q, asker).json["accepted_comment_id"] == final


if __name__ == "__main__":
    main([test_bookmarks_newest_first_pages_and_hidden_left_out, test_delete_own_comment,
          test_delete_accepted_answer_clears_it, test_edit_own_question, test_delete_own_question,
          test_asker_accepts_and_the_race])
