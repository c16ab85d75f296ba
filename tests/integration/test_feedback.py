"""Feedback (意见反馈, docs/support.md): a merchant files feedback in a
fixed category with pictures of their own image space; they list their
own and see replies and status; staff holding support list and filter
everyone's, reply and close. Every route's errors, the roles, tenant
isolation (another merchant's feedback is 404), exact reply counts under
concurrent replies, the merchant's events, and pictures that outlive
their image space entries."""

import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from harness import *  # noqa: E402,F401,F403
import image_corpus  # noqa: E402
from test_events import SSE  # noqa: E402


def req(method, path, token=None, body=None, **kw):
    return srv().request(method, path, body=body, token=token, **kw)


def support_staff(permissions=("support",)):
    (sid, token), = accounts_with_sessions(srv(), 1, role="staff", permissions=list(permissions))
    return sid, token


def upload(shop, token, seed):
    r = srv().request("POST", f"/v1/shops/{shop}/images", token=token,
                      raw=image_corpus.png(16, 16, seed), headers={"Content-Type": "image/png"})
    assert r.status == 201, r
    return r.json["id"]


def file_feedback(token, **body):
    body = dict({"category": "bug", "text": "订单导出打不开"}, **body)
    r = req("POST", "/v1/feedback", token, body)
    assert r.status == 201, r
    return r.json


# ---------------------------------------------------------------------------


def test_create_and_read():
    m, mt = new_merchant()
    shop, _ = new_shop(m)
    shop2, _ = new_shop(m)
    i1, i2 = upload(shop, mt, 1), upload(shop2, mt, 2)
    f = file_feedback(mt, category="suggestion", text="希望增加批量改价功能",
                      image_ids=[i2, i1], app_version="5.2.1", device="iPhone 15")
    assert f["category"] == "suggestion" and f["status"] == "open" and f["reply_count"] == 0
    assert [x["image_id"] for x in f["images"]] == [i2, i1]
    assert all(x["url"].startswith("/media/") and x["url"].endswith("_800.webp")
               for x in f["images"])
    assert f["app_version"] == "5.2.1" and f["device"] == "iPhone 15"
    assert f["closed_at"] is None and "merchant" not in f
    # Optional members absent: null.
    g = file_feedback(mt)
    assert g["images"] == [] and g["app_version"] is None and g["device"] is None
    # The list, newest first, and paging.
    r = req("GET", "/v1/feedback", mt)
    assert r.status == 200 and [x["id"] for x in r.json["items"]] == [g["id"], f["id"]], r
    r = req("GET", "/v1/feedback?limit=1", mt)
    assert [x["id"] for x in r.json["items"]] == [g["id"]] and r.json["next_cursor"]
    r = req("GET", "/v1/feedback?limit=1&cursor=" + r.json["next_cursor"], mt)
    assert [x["id"] for x in r.json["items"]] == [f["id"]] and r.json["next_cursor"] is None
    # The detail, with no replies yet.
    r = req("GET", f"/v1/feedback/{f['id']}", mt)
    assert r.status == 200 and r.json["replies"] == [] and r.json["images"] == f["images"], r
    # Deleting an image entry keeps the feedback's picture (and its files).
    url = f["images"][1]["url"]
    assert req("DELETE", f"/v1/shops/{shop}/images/{i1}", mt).status == 204
    assert req("POST", "/v1/test/jobs/run", None).status == 200
    assert req("GET", f"/v1/feedback/{f['id']}", mt).json["images"][1]["url"] == url
    assert srv().request("GET", url).status == 200


def test_validation():
    m, mt = new_merchant()
    shop, _ = new_shop(m)
    other, ot = new_merchant()
    other_shop, _ = new_shop(other)
    mine = upload(shop, mt, 3)
    theirs = upload(other_shop, ot, 4)
    b, bt = new_buyer()
    buyer_image = srv().request("POST", "/v1/me/images", token=bt,
                                raw=image_corpus.png(16, 16, 5),
                                headers={"Content-Type": "image/png"}).json["id"]

    def refused(body, field, code="invalid_field"):
        r = req("POST", "/v1/feedback", mt, body)
        assert_problem(r, 400, code)
        assert field in [e["field"] for e in r.json["errors"]], r.json

    ok = {"category": "bug", "text": "something broke"}
    refused({"text": "something broke"}, "category")
    refused(dict(ok, category="praise"), "category")
    refused(dict(ok, category=3), "category")
    refused({"category": "bug"}, "text")
    refused(dict(ok, text="four"), "text")
    refused(dict(ok, text=" " * 10), "text")
    refused(dict(ok, text="长" * 2001), "text")
    refused(dict(ok, image_ids=[mine] * 2), "image_ids")  # "[1] must not repeat an image"
    refused(dict(ok, image_ids=[mine, 0]), "image_ids")
    refused(dict(ok, image_ids=list(range(1, 8))), "image_ids")
    refused(dict(ok, image_ids="1"), "image_ids")
    refused(dict(ok, app_version=""), "app_version")
    refused(dict(ok, app_version="v" * 33), "app_version")
    refused(dict(ok, device="d" * 129), "device")
    refused(dict(ok, shop_id=0), "shop_id")  # test_feedback_per_shop has the rest
    refused(dict(ok, shop=shop), "shop", "unknown_field")
    refused(dict(ok, status="closed"), "status", "unknown_field")
    # Images that are not the merchant's: another merchant's, a buyer's,
    # none at all; the first one at fault is named.
    for bad in (theirs, buyer_image, 999999999):
        refused(dict(ok, image_ids=[mine, bad]), "image_ids[1]")
    assert req("GET", "/v1/feedback", mt).json["items"] == []
    # Exactly at the limits.
    assert req("POST", "/v1/feedback", mt, dict(ok, text="长" * 2000, app_version="v" * 32,
                                                  device="d" * 128)).status == 201
    assert req("POST", "/v1/feedback", mt, dict(ok, text="12345")).status == 201
    # Not JSON, bad lists.
    r = srv().request("POST", "/v1/feedback", token=mt, raw=b"category=bug",
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_problem(r, 415, "unsupported_media_type")
    assert_problem(req("GET", "/v1/feedback?cursor=nope", mt), 400, "invalid_field")
    assert_problem(req("GET", "/v1/feedback?status=open", mt), 400, "unknown_field")
    assert_problem(req("GET", "/v1/feedback/abc", mt), 404, "not_found")


def test_roles_and_isolation():
    m, mt = new_merchant()
    other, ot = new_merchant()
    b, bt = new_buyer()
    s, st = support_staff()
    n, nt = support_staff(("review", "finance"))
    f = file_feedback(mt, text="私密反馈内容 marker")
    # A buyer and staff may not file or list merchants' own feedback.
    for token in (bt, st):
        assert_problem(req("POST", "/v1/feedback", token, {"category": "bug",
                                                          "text": "hello there"}), 403,
                       "forbidden")
        assert_problem(req("GET", "/v1/feedback", token), 403, "forbidden")
        assert_problem(req("GET", f"/v1/feedback/{f['id']}", token), 403, "forbidden")
    # Another merchant: 404, and not in their list.
    assert_problem(req("GET", f"/v1/feedback/{f['id']}", ot), 404, "not_found")
    assert_problem(req("GET", "/v1/feedback/999999999", mt), 404, "not_found")
    assert req("GET", "/v1/feedback", ot).json["items"] == []
    # Staff routes: merchants and buyers 403, staff without support 403
    # naming it.
    for path, method, body in (("/v1/platform/feedback", "GET", None),
                               (f"/v1/platform/feedback/{f['id']}", "GET", None),
                               (f"/v1/platform/feedback/{f['id']}/replies", "POST",
                                {"text": "hi"}),
                               (f"/v1/platform/feedback/{f['id']}/close", "POST", None)):
        for token in (mt, bt):
            assert_problem(req(method, path, token, body), 403, "forbidden")
        r = req(method, path, nt, body)
        assert_problem(r, 403, "forbidden")
        assert r.json["missing_permission"] == "support"
    assert_problem(req("GET", "/v1/feedback"), 401, "unauthenticated")
    assert_problem(req("GET", "/v1/platform/feedback"), 401, "unauthenticated")
    # Staff see who filed it.
    r = req("GET", f"/v1/platform/feedback/{f['id']}", st)
    assert r.status == 200 and r.json["merchant"]["id"] == m, r
    assert_problem(req("GET", "/v1/platform/feedback/999999999", st), 404, "not_found")


def test_feedback_per_shop():
    """Feedback may name one of the merchant's shops: shown to the merchant
    and the staff, filterable by shop; another merchant's shop, or none, is
    400 invalid_field on shop_id."""
    m, mt = new_merchant()
    shop, _ = new_shop(m)
    shop2, _ = new_shop(m)
    other, ot = new_merchant()
    other_shop, _ = new_shop(other)
    s, st = support_staff()
    f = file_feedback(mt, shop_id=shop, category="orders", text="这个店铺的订单同步慢")
    g = file_feedback(mt, shop_id=shop2, category="bug", text="另一个店铺的导出报错")
    h = file_feedback(mt, text="账号层面的建议")
    name = sql(f"SELECT name FROM shops WHERE id = {shop}")
    assert f["shop"] == {"id": shop, "name": name} and h["shop"] is None, (f, h)
    # The merchant's list and detail show it.
    r = req("GET", "/v1/feedback", mt)
    assert [x["shop"] and x["shop"]["id"] for x in r.json["items"]] == [None, shop2, shop], r
    assert req("GET", f"/v1/feedback/{f['id']}", mt).json["shop"]["id"] == shop
    # Staff: shown, and filtered by shop, alone or with status and category.
    r = req("GET", f"/v1/platform/feedback/{f['id']}", st)
    assert r.json["shop"] == {"id": shop, "name": name} and r.json["merchant"]["id"] == m, r

    def ids(qs):
        r = req("GET", "/v1/platform/feedback?limit=100&" + qs, st)
        assert r.status == 200, r
        return [x["id"] for x in r.json["items"]]
    assert ids(f"shop_id={shop}") == [f["id"]]
    assert ids(f"shop_id={shop2}") == [g["id"]]
    assert ids(f"shop_id={shop}&category=orders&status=open") == [f["id"]]
    assert ids(f"shop_id={shop}&category=bug") == []
    assert ids(f"shop_id={shop}&status=closed") == []
    assert ids(f"shop_id={other_shop}") == []
    r = req("GET", f"/v1/platform/feedback?limit=100&shop_id={shop}", st)
    assert r.json["items"][0]["shop"]["id"] == shop
    # Paging through the shop filter.
    f2 = file_feedback(mt, shop_id=shop, text="同一个店铺的第二条")
    r = req("GET", f"/v1/platform/feedback?limit=1&shop_id={shop}", st)
    assert [x["id"] for x in r.json["items"]] == [f2["id"]] and r.json["next_cursor"], r
    r = req("GET", f"/v1/platform/feedback?limit=1&shop_id={shop}&cursor="
            + r.json["next_cursor"], st)
    assert [x["id"] for x in r.json["items"]] == [f["id"]] and r.json["next_cursor"] is None
    # Another merchant's shop, or none: the same 400, nothing stored.
    before = sql("SELECT count(*) FROM feedback")
    for bad in (other_shop, 999999999):
        r = req("POST", "/v1/feedback", mt, {"category": "bug", "text": "hello there",
                                              "shop_id": bad})
        assert_problem(r, 400, "invalid_field")
        assert [e["field"] for e in r.json["errors"]] == ["shop_id"], r.json
    r = req("POST", "/v1/feedback", ot, {"category": "bug", "text": "hello there",
                                          "shop_id": shop})
    assert_problem(r, 400, "invalid_field")
    assert sql("SELECT count(*) FROM feedback") == before
    # Bad values, in the body and the staff's filter.
    for bad in (0, -1, "1", 1.5, None, True):
        r = req("POST", "/v1/feedback", mt, {"category": "bug", "text": "hello there",
                                              "shop_id": bad})
        assert_problem(r, 400, "invalid_field")
        assert r.json["errors"][0]["field"] == "shop_id", (bad, r.json)
    for bad in ("0", "-1", "abc", "1.5", ""):
        r = req("GET", f"/v1/platform/feedback?shop_id={bad}", st)
        assert_problem(r, 400, "invalid_field")
    # The merchant's own list takes no shop filter.
    assert_problem(req("GET", f"/v1/feedback?shop_id={shop}", mt), 400, "unknown_field")


def test_staff_list_filter_reply_close():
    m, mt = new_merchant()
    s, st = support_staff()
    s2, st2 = support_staff()
    bug = file_feedback(mt, category="bug", text="导出报错 bug one")
    funds = file_feedback(mt, category="funds", text="提现到账慢 funds one")
    events = SSE(srv(), mt)
    try:
        # Filters: category, status, both; the newest first.
        def ids(qs):
            r = req("GET", "/v1/platform/feedback?limit=100&" + qs, st)
            assert r.status == 200, r
            return [x["id"] for x in r.json["items"]]
        assert ids("category=funds")[0] == funds["id"] and bug["id"] not in ids("category=funds")
        assert bug["id"] in ids("status=open") and bug["id"] in ids("category=bug&status=open")
        allids = ids("")
        assert allids.index(funds["id"]) < allids.index(bug["id"])
        assert_problem(req("GET", "/v1/platform/feedback?status=pending", st), 400,
                       "invalid_field")
        assert_problem(req("GET", "/v1/platform/feedback?category=praise", st), 400,
                       "invalid_field")
        assert_problem(req("GET", "/v1/platform/feedback?cursor=x", st), 400, "invalid_field")
        # Paging through a filter.
        r = req("GET", "/v1/platform/feedback?limit=1&status=open", st)
        nxt = req("GET", "/v1/platform/feedback?limit=1&status=open&cursor="
                  + r.json["next_cursor"], st)
        assert nxt.status == 200 and nxt.json["items"][0]["id"] < r.json["items"][0]["id"]
        # A reply: replied, the merchant sees it, live.
        r = req("POST", f"/v1/platform/feedback/{bug['id']}/replies", st,
                {"text": "已记录, 下个版本修复"})
        assert r.status == 201 and r.json["status"] == "replied" and r.json["reply_count"] == 1
        assert r.json["replies"][0]["staff_id"] == s
        e = events.next_matching(lambda x: x.get("event") == "feedback.replied")
        assert e and e["data"]["data"]["feedback_id"] == bug["id"], e
        mine = req("GET", f"/v1/feedback/{bug['id']}", mt).json
        assert mine["status"] == "replied" and [x["text"] for x in mine["replies"]] == [
            "已记录, 下个版本修复"]
        assert "staff_id" not in mine["replies"][0]
        assert bug["id"] in ids("status=replied") and bug["id"] not in ids("status=open")
        # Replies from many staff at once: each counted exactly once.
        got = parallel(lambda t, i: req("POST", f"/v1/platform/feedback/{bug['id']}/replies",
                                        t, {"text": f"reply {i}"}),
                       [(st if i % 2 else st2, i) for i in range(10)])
        assert all(g.status == 201 for g in got), got
        detail = req("GET", f"/v1/platform/feedback/{bug['id']}", st).json
        assert detail["reply_count"] == 11 == len(detail["replies"])
        # Bad replies.
        for body, field in (({}, "text"), ({"text": ""}, "text"), ({"text": "  "}, "text"),
                            ({"text": "x" * 2001}, "text")):
            r = req("POST", f"/v1/platform/feedback/{bug['id']}/replies", st, body)
            assert_problem(r, 400, "invalid_field")
            assert r.json["errors"][0]["field"] == field
        assert_problem(req("POST", f"/v1/platform/feedback/{bug['id']}/replies", st,
                           {"text": "x", "status": "closed"}), 400, "unknown_field")
        assert_problem(req("POST", "/v1/platform/feedback/999999999/replies", st,
                           {"text": "x"}), 404, "not_found")
        # Close: closed, then no more replies; closing again is harmless.
        r = req("POST", f"/v1/platform/feedback/{bug['id']}/close", st2)
        assert r.status == 200 and r.json["status"] == "closed" and r.json["closed_at"], r
        e = events.next_matching(lambda x: x.get("event") == "feedback.closed")
        assert e and e["data"]["data"]["feedback_id"] == bug["id"], e
        again = req("POST", f"/v1/platform/feedback/{bug['id']}/close", st)
        assert again.status == 200 and again.json["closed_at"] == r.json["closed_at"]
        assert_problem(req("POST", f"/v1/platform/feedback/{bug['id']}/replies", st,
                           {"text": "too late"}), 409, "invalid_state")
        assert_problem(req("POST", "/v1/platform/feedback/999999999/close", st), 404,
                       "not_found")
        assert_problem(req("POST", f"/v1/platform/feedback/{bug['id']}/close", st, {"x": 1}),
                       400, "unexpected_body")
        assert req("GET", f"/v1/feedback/{bug['id']}", mt).json["status"] == "closed"
        assert bug["id"] in ids("status=closed")
    finally:
        events.close()


def test_reply_close_race():
    """Replies racing a close: every reply is either counted or refused
    409, never lost or counted on a closed feedback."""
    m, mt = new_merchant()
    s, st = support_staff()
    for _ in range(3):
        f = file_feedback(mt)
        calls = [("reply", i) for i in range(6)] + [("close", 0)]
        got = parallel(lambda what, i: req(
            "POST", f"/v1/platform/feedback/{f['id']}/"
            + ("replies" if what == "reply" else "close"), st,
            {"text": f"r{i}"} if what == "reply" else None), calls)
        replied = sum(1 for (what, _), g in zip(calls, got) if what == "reply" and g.status == 201)
        for (what, _), g in zip(calls, got):
            assert g.status in ((201, 409) if what == "reply" else (200,)), g
        d = req("GET", f"/v1/feedback/{f['id']}", mt).json
        assert d["status"] == "closed" and d["reply_count"] == replied == len(d["replies"])


if __name__ == "__main__":
    main([test_create_and_read, test_validation, test_roles_and_isolation, test_feedback_per_shop,
          test_staff_list_filter_reply_close, test_reply_close_race])
