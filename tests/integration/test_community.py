"""The merchant community (docs/community.md): staff articles
(POST/GET/PATCH /v1/platform/community/articles[/{id}]), the merchants'
feed (hot and new, categories, pinned, keyset pages, scheduled articles
appearing on time), reads counted once per account and day, likes and
bookmarks (idempotent, exact under a race), comments with one level of
replies and the per-minute throttle (429 with Retry-After), reports, the
moderation queue, hiding (everywhere at once) and dismissing, questions
(问答) answered and accepted by staff, search (Chinese substrings,
newest first and by relevance), stored bodies sanitised, every refusal of
the bodies and queries, and who may call what: merchants, buyers, staff
with and without `community`.

The clock is frozen before anyone signs in and only ever moves forward."""

import datetime
import os
import re
import sys
import urllib.parse
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(__file__))
from harness import *  # noqa: E402,F401,F403

# Jobs run only when a test asks (POST /v1/test/jobs/run).
ENV = {"MERCHANTD_JOB_INTERVAL_SECONDS": "86400", "MERCHANTD_STATS_FOLD_SECONDS": "0",
       "MERCHANTD_COMMUNITY_COMMENTS_PER_MINUTE": "5"}
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = [datetime.datetime(2031, 8, 4, 10, 0, tzinfo=SHANGHAI)]
ARTICLES = "/v1/platform/community/articles"


def server():
    return srv(ENV)


def call(method, path, token=None, body=None, headers=None):
    return server().request(method, path, body, token=token, headers=headers)


def advance(**delta):
    NOW[0] += datetime.timedelta(**delta)
    server().set_clock(fmt_time(NOW[0]))


def run_jobs():
    r = call("POST", "/v1/test/jobs/run")
    assert r.status == 200, r


def merchants(n):
    """n merchants with live sessions: [(id, token)]."""
    return accounts_with_sessions(server(), n, role="merchant")


class World:
    def __init__(self):
        server().set_clock(fmt_time(NOW[0]))
        (self.staff, self.ts), = accounts_with_sessions(server(), 1, "staff", ["community"])
        (self.other_staff, self.tother), = accounts_with_sessions(
            server(), 1, "staff", ["review", "campaigns", "finance", "support", "growth"])
        (self.m, self.tm), (self.m2, self.tm2) = merchants(2)
        self.buyer, self.tb = new_buyer()


world = once(World)


def article(title="经营干货分享", body="**加粗**", category="经营干货", token=None, **extra):
    r = call("POST", ARTICLES, token or world().ts,
             dict({"title": title, "body": body, "category": category}, **extra))
    assert r.status == 201, r
    return r.json


def comment(article_id, token, body="好文", parent=None, status=201):
    b = {"body": body}
    if parent is not None:
        b["parent_id"] = parent
    r = call("POST", f"/v1/community/articles/{article_id}/comments", token, b)
    assert r.status == status, r
    return r


def feed(token, query=""):
    r = call("GET", "/v1/community/articles" + query, token)
    assert r.status == 200, r
    return r.json


def fields(r):
    return sorted(e["field"] for e in r.json.get("errors", []))


TAG_RE = re.compile(r"<(/?)([a-z0-9]+)([^>]*)>")
ALLOWED = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "em", "strong", "code", "pre", "blockquote",
           "ul", "ol", "li", "a", "img", "hr", "br"}


def harmless(html):
    """Every tag allowed, attributes only href/rel/src/alt/start, and no
    href or src with a scheme other than http, https or mailto."""
    for closing, name, attrs in TAG_RE.findall(html):
        assert name in ALLOWED, (name, html)
        for attr, value in re.findall(r'([a-z]+)="([^"]*)"', attrs):
            assert attr in ("href", "rel", "src", "alt", "start"), (attr, html)
            if attr in ("href", "src"):
                v = re.sub(r"[\x00-\x20\x7f]", "", value.replace("&amp;", "&"))
                m = re.match(r"^([^:/?#\\]*):", v)
                assert m is None or m.group(1).lower() in ("http", "https", "mailto"), (v, html)
    assert "<script" not in html.lower() and "javascript:" not in html.lower(), html


# ---------------------------------------------------------------------------


def test_staff_write_read_and_refusals():
    w = world()
    a = article("店铺运营入门", "# 标题\n\n[链接](javascript:alert(1)) <b onclick=x>hi</b>",
                tags=["运营", "新手", "运营"])
    assert a["kind"] == "article" and a["status"] == "published" and a["pinned"] is False
    assert a["author"] == {"id": w.staff, "display_name": a["author"]["display_name"],
                           "official": True}
    assert sorted(a["tags"]) == ["新手", "运营"]
    assert a["body_html"] == ("<h1>标题</h1>\n<p>链接 &lt;b onclick=x&gt;hi&lt;/b&gt;</p>\n")
    assert a["body_markdown"].startswith("# 标题")
    got = call("GET", f"{ARTICLES}/{a['id']}", w.ts)
    assert got.status == 200 and got.json == a, got

    # A change re-renders the body; a cover must be an image; null removes it.
    r = call("PATCH", f"{ARTICLES}/{a['id']}", w.ts, {"body": "*新*", "pinned": True})
    assert r.status == 200 and r.json["body_html"] == "<p><em>新</em></p>\n" and r.json["pinned"]
    r = call("PATCH", f"{ARTICLES}/{a['id']}", w.ts, {"cover_image_id": 999999999})
    assert_problem(r, 400, "invalid_field")
    assert fields(r) == ["cover_image_id"]
    r = call("PATCH", f"{ARTICLES}/{a['id']}", w.ts, {"cover_image_id": None, "pinned": False})
    assert r.status == 200 and r.json["cover"] is None
    assert_problem(call("PATCH", f"{ARTICLES}/999999999", w.ts, {"pinned": True}), 404,
                   "not_found")
    assert_problem(call("GET", f"{ARTICLES}/999999999", w.ts), 404, "not_found")

    # Field refusals, all of them at once.
    r = call("POST", ARTICLES, w.ts, {"title": " ", "body": "x" * 20001, "category": "闲聊",
                                      "tags": ["a"] * 11, "pinned": "yes"})
    assert_problem(r, 400, "invalid_field")
    assert fields(r) == ["body", "category", "pinned", "tags", "title"], r.json
    r = call("POST", ARTICLES, w.ts, {"title": "t", "body": "b", "category": "经营干货",
                                      "likes": 100})
    assert_problem(r, 400, "unknown_field")
    assert_problem(call("POST", ARTICLES, w.ts, {"body": "b", "category": "经营干货"}), 400,
                   "invalid_field")
    r = call("POST", ARTICLES, w.ts, {"title": "t", "body": "b", "category": "经营干货",
                                      "publish_at": "tomorrow"})
    assert_problem(r, 400, "invalid_field")
    assert fields(r) == ["publish_at"]
    # The longest body and title pass.
    article("题" * 120, "字" * 20000)


def test_roles_and_permissions():
    w = world()
    a = article()
    merchant_routes = [("GET", "/v1/community/articles", None),
                       ("GET", f"/v1/community/articles/{a['id']}", None),
                       ("PUT", f"/v1/community/articles/{a['id']}/like", None),
                       ("POST", f"/v1/community/articles/{a['id']}/comments", {"body": "x"}),
                       ("POST", "/v1/community/questions", {"title": "t", "body": "b"}),
                       ("GET", "/v1/community/search?q=x", None)]
    for method, path, body in merchant_routes:
        for token in (w.tb, w.ts):
            assert_problem(call(method, path, token, body), 403, "forbidden")
        assert_problem(call(method, path, None, body), 401, "unauthenticated")
    staff_routes = [("GET", ARTICLES, None), ("POST", ARTICLES, {"title": "t", "body": "b",
                                                                 "category": "平台规则"}),
                    ("GET", f"{ARTICLES}/{a['id']}", None),
                    ("PATCH", f"{ARTICLES}/{a['id']}", {"pinned": False}),
                    ("GET", "/v1/platform/community/reports", None)]
    for method, path, body in staff_routes:
        for token in (w.tm, w.tb):
            assert_problem(call(method, path, token, body), 403, "forbidden")
        r = call(method, path, w.tother, body)
        assert_problem(r, 403, "forbidden")
        assert r.json.get("missing_permission") == "community", r.json


def test_feed_new_hot_pinned_scheduled_and_pages():
    w = world()
    cat = "活动解读"
    made = [article(f"活动 {i}", category=cat)["id"] for i in range(5)]
    pinned = article("置顶公告", category=cat, pinned=True)["id"]
    later = article("预告", category=cat,
                    publish_at=fmt_time(NOW[0] + datetime.timedelta(hours=1)))["id"]
    hidden = article("撤下", category=cat, hidden=True)["id"]
    r = call("GET", f"{ARTICLES}?status=scheduled", w.ts)
    assert later in [x["id"] for x in r.json["items"]]
    assert all(x["status"] == "scheduled" for x in r.json["items"])
    r = call("GET", f"{ARTICLES}?status=hidden", w.ts)
    assert [x["id"] for x in r.json["items"]][:1] == [hidden]

    # Newest first, pinned apart on the first page only, keyset pages.
    f = feed(w.tm, "?sort=new&category=" + urllib.parse.quote(cat) + "&limit=3")
    assert [x["id"] for x in f["pinned"]] == [pinned]
    ids = [x["id"] for x in f["items"]]
    page2 = feed(w.tm, "?sort=new&category=" + urllib.parse.quote(cat) + "&limit=3&cursor=" +
                 f["next_cursor"])
    assert "pinned" not in page2 and page2["next_cursor"] is None
    ids += [x["id"] for x in page2["items"]]
    assert ids == sorted(made, reverse=True), ids
    assert "body_html" not in f["items"][0]
    # A cursor of the other ordering is refused.
    assert_problem(call("GET", "/v1/community/articles?sort=hot&cursor=" + f["next_cursor"], w.tm),
                   400, "invalid_field")
    for bad in ("?sort=top", "?category=闲聊", "?limit=0", "?limit=101", "?page=2"):
        r = call("GET", "/v1/community/articles" + urllib.parse.quote(bad, safe="?=&"), w.tm)
        assert r.status == 400, (bad, r)

    # Hot: engagement decides once the job has run.
    likers = merchants(3)
    for _, t in likers:
        assert call("PUT", f"/v1/community/articles/{made[1]}/like", t).status == 200
    assert call("PUT", f"/v1/community/articles/{made[3]}/like", likers[0][1]).status == 200
    run_jobs()
    hot = [x["id"] for x in feed(w.tm, "?sort=hot&category=" + urllib.parse.quote(cat))["items"]]
    assert hot[:2] == [made[1], made[3]], hot
    assert hidden not in hot and later not in hot and pinned not in hot

    # The scheduled article appears at its time; reading it before is 404.
    assert_problem(call("GET", f"/v1/community/articles/{later}", w.tm), 404, "not_found")
    assert_problem(call("GET", f"/v1/community/articles/{hidden}", w.tm), 404, "not_found")
    advance(hours=1)
    new = [x["id"] for x in feed(w.tm, "?sort=new&category=" + urllib.parse.quote(cat))["items"]]
    assert new[0] == later
    assert call("GET", f"/v1/community/articles/{later}", w.tm).status == 200


def test_views_once_per_account_and_day():
    w = world()
    a = article()["id"]
    path = f"/v1/community/articles/{a}"
    rs = parallel(lambda: call("GET", path, w.tm), [()] * 8)
    assert all(r.status == 200 for r in rs), rs
    assert call("GET", path, w.tm).json["views"] == 1
    assert call("GET", path, w.tm2).json["views"] == 2
    # The next Shanghai day counts again.
    advance(days=1)
    assert call("GET", path, w.tm).json["views"] == 3
    assert call("GET", path, w.tm).json["views"] == 3
    # Two days on, the job drops the days before yesterday; counts stay.
    advance(days=2)
    run_jobs()
    assert int(sql(f"SELECT count(*) FROM community_views WHERE article_id = {a}")) == 0
    assert call("GET", path, w.tm).json["views"] == 4


def test_likes_and_bookmarks_exact_under_a_race():
    w = world()
    a = article()["id"]
    like = f"/v1/community/articles/{a}/like"
    people = merchants(24)
    rs = parallel(lambda t: call("PUT", like, t), [(t,) for _, t in people])
    assert all(r.status == 200 and r.json["liked"] for r in rs), rs
    # One account liking many times at once counts once.
    rs = parallel(lambda: call("PUT", like, w.tm), [()] * 8)
    assert all(r.status == 200 for r in rs)
    r = call("GET", f"/v1/community/articles/{a}", w.tm)
    assert r.json["likes"] == 25 and r.json["liked"] is True
    assert int(sql(f"SELECT count(*) FROM community_likes WHERE article_id = {a}")) == 25
    rs = parallel(lambda t: call("DELETE", like, t), [(t,) for _, t in people[:10]] * 2)
    assert all(r.status == 200 for r in rs)
    assert call("GET", f"/v1/community/articles/{a}", w.tm2).json["likes"] == 15
    r = call("DELETE", like, w.tm2)
    assert r.status == 200 and r.json == {"liked": False, "likes": 15}

    mark = f"/v1/community/articles/{a}/bookmark"
    assert call("PUT", mark, w.tm).json == {"bookmarked": True, "bookmarks": 1}
    assert call("PUT", mark, w.tm).json == {"bookmarked": True, "bookmarks": 1}
    assert call("GET", f"/v1/community/articles/{a}", w.tm).json["bookmarked"] is True
    assert call("DELETE", mark, w.tm).json == {"bookmarked": False, "bookmarks": 0}
    assert call("DELETE", mark, w.tm).json == {"bookmarked": False, "bookmarks": 0}
    for method in ("PUT", "DELETE"):
        assert_problem(call(method, "/v1/community/articles/999999999/like", w.tm), 404,
                       "not_found")
    hidden = article(hidden=True)["id"]
    assert_problem(call("PUT", f"/v1/community/articles/{hidden}/bookmark", w.tm), 404,
                   "not_found")


def test_comments_replies_and_throttle():
    w = world()
    a = article()["id"]
    (m, t), = merchants(1)
    top = comment(a, t, "第一").json
    assert top["parent_id"] is None and top["author"]["official"] is False
    reply = comment(a, t, "回复", parent=top["id"]).json
    assert reply["parent_id"] == top["id"]
    # One level only; the parent must be of this article.
    r = comment(a, t, "x", parent=reply["id"], status=400)
    assert fields(r) == ["parent_id"]
    other = article()["id"]
    assert fields(comment(other, w.tm2, "x", parent=top["id"], status=400)) == ["parent_id"]
    r = comment(a, w.tm2, "长" * 2001, status=400)
    assert fields(r) == ["body"]
    assert_problem(call("POST", f"/v1/community/articles/{a}/comments", w.tm2, {"body": "  "}), 400,
                   "invalid_field")
    assert_problem(call("POST", "/v1/community/articles/999999999/comments", w.tm2, {"body": "x"}),
                   404, "not_found")
    comment(a, t, "长" * 2000)
    comment(a, t, "四")
    comment(a, t, "五")
    # The sixth in a minute: 429 with Retry-After, nothing stored.
    r = comment(a, t, "六", status=429)
    assert_problem(r, 429, "too_many_comments")
    assert 1 <= int(r.headers["retry-after"]) <= 60
    assert int(sql(f"SELECT count(*) FROM community_comments WHERE author_id = {m}")) == 5
    # Concurrent posts cannot pass the limit together.
    (m2, t2), = merchants(1)
    rs = parallel(lambda: call("POST", f"/v1/community/articles/{a}/comments", t2, {"body": "抢"}),
                  [()] * 9)
    assert sorted(r.status for r in rs) == [201] * 5 + [429] * 4, rs
    advance(seconds=61)
    comment(a, t, "七")
    # Staff are not throttled, and answer officially.
    for i in range(7):
        r = call("POST", f"{ARTICLES}/{a}/comments", w.ts, {"body": f"官方 {i}"})
        assert r.status == 201 and r.json["author"]["official"] is True, r
    page = call("GET", f"/v1/community/articles/{a}/comments?limit=100", w.tm).json
    assert [c["id"] for c in page["items"]] == sorted(c["id"] for c in page["items"])
    assert call("GET", f"/v1/community/articles/{a}", w.tm).json["comments"] == len(page["items"])
    first = call("GET", f"/v1/community/articles/{a}/comments?limit=2", w.tm).json
    rest = call("GET", f"/v1/community/articles/{a}/comments?limit=100&cursor=" +
                first["next_cursor"], w.tm).json
    assert [c["id"] for c in first["items"] + rest["items"]] == [c["id"] for c in page["items"]]


def test_reports_moderation_and_hiding():
    w = world()
    a = article()["id"]
    (_, t1), (r1, t2), (r2, t3) = merchants(3)
    bad = comment(a, t1, "广告加微信").json
    under = comment(a, t2, "楼下", parent=bad["id"]).json
    fine = comment(a, t2, "正常").json
    rep = call("POST", f"/v1/community/comments/{bad['id']}/reports", t2, {"reason": "广告"})
    assert rep.status == 201 and rep.json["status"] == "open", rep
    again = call("POST", f"/v1/community/comments/{bad['id']}/reports", t2, {"reason": "again"})
    assert again.json["id"] == rep.json["id"]
    call("POST", f"/v1/community/comments/{bad['id']}/reports", t3, {"reason": "spam"})
    call("POST", f"/v1/community/comments/{fine['id']}/reports", t3, {"reason": "不喜欢"})
    assert_problem(call("POST", f"/v1/community/comments/{bad['id']}/reports", t3, {}), 400,
                   "invalid_field")
    queue = call("GET", "/v1/platform/community/reports?status=open&limit=100", w.ts)
    mine = [x for x in queue.json["items"] if x["article"]["id"] == a]
    assert [x["comment_id"] for x in mine] == [bad["id"], bad["id"], fine["id"]], mine
    assert mine[0]["comment"]["open_reports"] == 2

    assert call("GET", f"/v1/community/articles/{a}", t1).json["comments"] == 3
    r = call("POST", f"/v1/platform/community/comments/{bad['id']}/hide", w.ts)
    assert r.status == 200 and r.json["hidden_at"] is not None and r.json["open_reports"] == 0
    # Gone everywhere at once: the list, the count, its reply, reporting it.
    ids = [c["id"] for c in call("GET", f"/v1/community/articles/{a}/comments", t1).json["items"]]
    assert ids == [fine["id"]], ids
    assert call("GET", f"/v1/community/articles/{a}", t1).json["comments"] == 1
    assert_problem(call("POST", f"/v1/community/comments/{bad['id']}/reports", t1,
                        {"reason": "x"}), 404, "not_found")
    assert_problem(call("POST", f"/v1/community/comments/{under['id']}/reports", t1,
                        {"reason": "x"}), 404, "not_found")
    comment(a, t1, "再回", parent=bad["id"], status=400)
    staff_view = call("GET", f"{ARTICLES}/{a}/comments", w.ts).json["items"]
    assert {c["id"] for c in staff_view if c["hidden_at"]} == {bad["id"], under["id"]}
    # Hiding again changes nothing; the reports were decided.
    assert call("POST", f"/v1/platform/community/comments/{bad['id']}/hide", w.ts).status == 200
    assert call("GET", f"/v1/community/articles/{a}", t1).json["comments"] == 1
    decided = call("GET", "/v1/platform/community/reports?status=hidden&limit=100", w.ts).json
    assert {x["id"] for x in decided["items"]} >= {rep.json["id"]}
    # Dismissing keeps the comment.
    r = call("POST", f"/v1/platform/community/comments/{fine['id']}/dismiss", w.ts)
    assert r.status == 200 and r.json["hidden_at"] is None and r.json["open_reports"] == 0
    assert_problem(call("POST", "/v1/platform/community/comments/999999999/hide", w.ts), 404,
                   "not_found")
    assert_problem(call("GET", "/v1/platform/community/reports?status=closed", w.ts), 400,
                   "invalid_field")


def test_questions_answered_and_accepted():
    w = world()
    (_, t), = merchants(1)
    q = call("POST", "/v1/community/questions", t, {"title": "退款多久到账？", "body": "如题",
                                                    "tags": ["退款"]})
    assert q.status == 201 and q.json["kind"] == "question" and q.json["category"] == "问答", q
    qid = q.json["id"]
    assert_problem(call("POST", "/v1/community/questions", t,
                        {"title": "t", "body": "b", "category": "经营干货"}), 400, "unknown_field")
    answer = call("POST", f"{ARTICLES}/{qid}/comments", w.ts, {"body": "一般 1-3 个工作日"}).json
    mine = comment(qid, t, "谢谢").json
    r = call("PUT", f"{ARTICLES}/{qid}/accepted-answer", w.ts, {"comment_id": answer["id"]})
    assert r.status == 200 and r.json["accepted_comment_id"] == answer["id"], r
    items = call("GET", f"/v1/community/articles/{qid}/comments", t).json["items"]
    assert [c["accepted"] for c in items] == [True, False]
    # Only a question has one; only its own visible comment can be it.
    a = article()["id"]
    other = comment(a, w.tm2, "别处").json
    assert_problem(call("PUT", f"{ARTICLES}/{a}/accepted-answer", w.ts, {"comment_id": other["id"]}),
                   409, "invalid_state")
    r = call("PUT", f"{ARTICLES}/{qid}/accepted-answer", w.ts, {"comment_id": other["id"]})
    assert_problem(r, 400, "invalid_field")
    assert fields(r) == ["comment_id"]
    assert_problem(call("PATCH", f"{ARTICLES}/{qid}", w.ts, {"category": "经营干货"}), 409,
                   "invalid_state")
    # Hiding the accepted answer unmarks it.
    call("POST", f"/v1/platform/community/comments/{answer['id']}/hide", w.ts)
    assert call("GET", f"/v1/community/articles/{qid}", t).json["accepted_comment_id"] is None
    assert mine["id"] > 0
    assert qid in [x["id"] for x in feed(t, "?sort=new&category=" +
                                         urllib.parse.quote("问答"))["items"]]


def test_search_chinese_substrings_and_relevance():
    w = world()
    tag = uname("s").replace("_", "")
    a1 = article(f"{tag} 店铺退款流程详解", "退款 退款 退款")["id"]
    a2 = article(f"{tag} 发货指南", "遇到退款怎么办")["id"]
    a3 = article(f"{tag} 无关", "别的内容")["id"]
    hidden = article(f"{tag} 退款隐藏", "退款", hidden=True)["id"]
    q = urllib.parse.quote(f"{tag}")

    def search(query, sort="new", extra=""):
        r = call("GET", f"/v1/community/search?q={query}&sort={sort}{extra}", w.tm)
        assert r.status == 200, r
        return r.json

    assert [x["id"] for x in search(q)["items"]] == [a3, a2, a1]
    tui = urllib.parse.quote("退款")
    new = [x["id"] for x in search(tui, extra="&limit=100")["items"]]
    assert a1 in new and a2 in new and a3 not in new and hidden not in new
    assert new.index(a2) < new.index(a1)
    rel = [x["id"] for x in search(tui, "relevance", "&limit=100")["items"]]
    assert rel.index(a1) < rel.index(a2)
    # Substrings inside words, case folded.
    assert a2 in [x["id"] for x in search(urllib.parse.quote("货指"))["items"]]
    # Pages by relevance.
    p1 = search(q, "relevance", "&limit=2")
    p2 = search(q, "relevance", "&limit=2&cursor=" + p1["next_cursor"])
    assert len({x["id"] for x in p1["items"] + p2["items"]}) == 3
    for bad in ("", "?q=", "?q=%20%20", "?q=" + "x" * 101, "?q=a&sort=hot"):
        r = call("GET", "/v1/community/search" + bad, w.tm)
        assert_problem(r, 400, "invalid_field")


def test_stored_bodies_are_sanitised():
    w = world()
    vectors = ["<script>alert(1)</script>", "[x](javascript:alert(1))",
               "[x](java&#x09;script:alert(1))", "[x](JaVaScRiPt:alert(1))",
               "![x](data:image/svg+xml;base64,PHN2Zz4=)", "<img src=x onerror=alert(1)>",
               "[x](%6A%61vascript:alert(1))", "<a href=\"javascript&colon;x\">y</a>",
               "> - **[x](vbscript:msgbox)**", "<svg/onload=alert(1)>",
               "[ok](https://example.com/a?b=1&c=2) ![p](/media/x.webp)"]
    a = article("XSS", "\n\n".join(vectors))
    harmless(a["body_html"])
    assert '<a href="https://example.com/a?b=1&amp;c=2"' in a["body_html"]
    assert '<img src="/media/x.webp" alt="p" />' in a["body_html"]
    (_, t), = merchants(1)
    q = call("POST", "/v1/community/questions", t, {"title": "x", "body": "\n".join(vectors)})
    harmless(q.json["body_html"])
    # Comments are plain text, never rendered.
    c = comment(a["id"], t, "<script>alert(1)</script>").json
    assert c["body"] == "<script>alert(1)</script>"


def test_other_error_paths_and_idempotency():
    w = world()
    a = article()["id"]
    hidden = article(hidden=True)["id"]
    missing = 999999999
    for method, path, body, token in (
            ("GET", f"/v1/community/articles/{hidden}/comments", None, w.tm),
            ("GET", f"/v1/community/articles/{missing}/comments", None, w.tm),
            ("POST", f"/v1/community/articles/{hidden}/comments", {"body": "x"}, w.tm),
            ("POST", f"/v1/community/comments/{missing}/reports", {"reason": "x"}, w.tm),
            ("GET", f"{ARTICLES}/{missing}/comments", None, w.ts),
            ("POST", f"{ARTICLES}/{missing}/comments", {"body": "x"}, w.ts),
            ("PUT", f"{ARTICLES}/{missing}/accepted-answer", {"comment_id": 1}, w.ts),
            ("POST", f"/v1/platform/community/comments/{missing}/dismiss", None, w.ts)):
        assert_problem(call(method, path, token, body), 404, "not_found")
    # Staff see a hidden article's comments and may answer there.
    assert call("GET", f"{ARTICLES}/{hidden}/comments", w.ts).status == 200
    assert call("POST", f"{ARTICLES}/{hidden}/comments", w.ts, {"body": "内部"}).status == 201
    # Wrong methods: 405 with Allow.
    r = call("DELETE", f"/v1/community/articles/{a}", w.tm)
    assert_problem(r, 405, "method_not_allowed")
    assert "GET" in r.headers["allow"], r.headers
    # A body where none is taken; a missing one where one is.
    assert_problem(call("PUT", f"/v1/community/articles/{a}/like", w.tm, {"x": 1}), 400,
                   "unexpected_body")
    assert_problem(call("PUT", f"{ARTICLES}/{a}/accepted-answer", w.ts, {}), 400,
                   "invalid_field")
    # Idempotency-Key: the same comment again, not a second one.
    (_, t), = merchants(1)
    key = {"Idempotency-Key": uname("k")}
    r1 = call("POST", f"/v1/community/articles/{a}/comments", t, {"body": "一次"}, key)
    r2 = call("POST", f"/v1/community/articles/{a}/comments", t, {"body": "一次"}, key)
    assert r1.status == r2.status == 201 and r1.json["id"] == r2.json["id"], (r1, r2)
    assert r2.headers.get("idempotent-replayed") == "true", r2.headers
    assert_problem(call("POST", f"/v1/community/articles/{a}/comments", t, {"body": "二次"}, key),
                   422, "idempotency_key_reused")
    page = call("GET", f"/v1/community/articles/{a}/comments", t).json["items"]
    assert [c["body"] for c in page] == ["一次"]


if __name__ == "__main__":
    main([test_staff_write_read_and_refusals, test_roles_and_permissions,
          test_feed_new_hot_pinned_scheduled_and_pages, test_views_once_per_account_and_day,
          test_likes_and_bookmarks_exact_under_a_race, test_comments_replies_and_throttle,
          test_reports_moderation_and_hiding, test_questions_answered_and_accepted,
          test_search_chinese_substrings_and_relevance, test_stored_bodies_are_sanitised,
          test_other_error_paths_and_idempotency])
