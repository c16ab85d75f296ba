"""The demo data scripts/run.sh loads: demo-data.sql, then demo-api.py
through the API. Every list a merchant opens first shows something, the
pictures are served, and running the loader again changes nothing."""

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from harness import *  # noqa: E402,F401,F403

SCRIPTS = os.path.join(os.path.dirname(__file__), "..", "..", "scripts")


def load_media(s):
    out = subprocess.run([sys.executable, os.path.join(SCRIPTS, "demo-api.py"),
                          f"http://127.0.0.1:{s.port}"], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr


def test_demo_data_fills_every_first_list():
    db = new_database("demo")
    assert run_cli(["migrate"], db).returncode == 0
    out = subprocess.run(["psql", db, "-v", "ON_ERROR_STOP=1", "-q", "-f",
                          os.path.join(SCRIPTS, "demo-data.sql")],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    # The secrets scripts/run.sh makes: the bank account is sealed with
    # the data key.
    s = start_server(db_url=db, migrate=False, env=deployment_secrets())
    load_media(s)

    token = s.login("demo", "demo-password")
    shops = s.request("GET", "/v1/shops", token=token).json["items"]
    assert len(shops) == 2, shops
    for shop in shops:
        images = s.request("GET", f"/v1/shops/{shop['id']}/images", token=token).json["items"]
        assert images, shop
        assert s.request("GET", f"/v1/shops/{shop['id']}/image-folders",
                         token=token).json["items"], shop
        products = s.request("GET", f"/v1/shops/{shop['id']}/products").json["items"]
        assert products, shop
        for p in products:
            assert p["images"] and p["images"][0].startswith("/media/"), p
            assert all(k["image_id"] is not None for k in p["skus"]), p
            r = s.request("GET", p["images"][0])
            assert r.status == 200 and r.headers["content-type"] == "image/webp", r
        orders = s.request("GET", f"/v1/shops/{shop['id']}/orders", token=token)
        assert orders.status == 200, orders
    first = shops[0]["id"] if shops[0]["name"] == "果园直供" else shops[1]["id"]
    assert s.request("GET", f"/v1/shops/{first}/orders", token=token).json["items"]
    # Promotion: two plans, one serving with a billed click, one paused.
    plans = s.request("GET", f"/v1/shops/{first}/promotions", token=token).json["items"]
    assert sorted(p["status"] for p in plans) == ["paused", "serving"], plans
    assert sum(p["clicks"] for p in plans) == 1, plans
    # Growth: the first shop's checklist is under way and it holds the
    # marketing starter medal, announced by a letter.
    growth = s.request("GET", f"/v1/shops/{first}/growth", token=token).json
    done = {t["key"] for t in growth["items"] if t["done"]}
    assert {"first_product", "auto_reply", "first_fast_shipment", "first_coupon",
            "first_live_coupon"} <= done, growth
    medals = s.request("GET", f"/v1/shops/{first}/medals", token=token).json["items"]
    assert [m["key"] for m in medals if m["earned"]] == ["marketing_starter"], medals
    letters = s.request("GET", f"/v1/shops/{first}/letters", token=token).json["items"]
    assert [x for x in letters if x["kind"] == "medal"], letters

    # Once loaded, the loader leaves the shops alone.
    before = psql(db, "SELECT count(*) FROM images")
    load_media(s)
    assert psql(db, "SELECT count(*) FROM images") == before
    # Three pictures in the first shop, one in the second.
    assert before == "4", before

    staff = s.login("demo-staff", "demo-password")
    assert s.request("GET", "/v1/me", token=staff).json["role"] == "staff"
    # The platform's desks: a held order with its letters, a withdrawal
    # waiting for the finance desk, a campaign with entries.
    held = s.request("GET", "/v1/review/orders", token=staff).json["items"]
    assert held, held
    pending = s.request("GET", "/v1/platform/funds/withdrawals/pending", token=staff).json
    assert pending["items"] and pending["items"][0]["amount_cents"] == 5500000, pending
    kinds = {x["kind"] for x in s.request("GET", f"/v1/shops/{first}/letters",
                                          token=s.login("demo", "demo-password")).json["items"]}
    assert {"hold", "result", "medal"} <= kinds, kinds
    campaigns = s.request("GET", "/v1/platform/campaigns", token=staff).json["items"]
    assert campaigns and s.request("GET", f"/v1/platform/campaigns/{campaigns[0]['id']}/entries",
                                   token=staff).json["items"]
    buyer = s.login("demo-buyer", "demo-password")
    assert s.request("GET", "/v1/orders", token=buyer).json["items"]

    # Feedback and official support: every list has something to show.
    token = s.login("demo", "demo-password")  # the media loader logged in since
    assert s.request("GET", "/v1/feedback", token=token).json["items"]
    assert s.request("GET", "/v1/platform/feedback?status=replied", token=staff).json["items"]
    assert s.request("GET", f"/v1/platform/feedback?shop_id={first}", token=staff).json["items"]
    queued = s.request("GET", "/v1/platform/support/queue", token=staff).json["items"]
    assert queued
    assert s.request("GET", f"/v1/platform/support/conversations/{queued[0]['id']}/messages",
                     token=staff).json["items"]  # the preview before claiming
    assert s.request("GET", "/v1/platform/support/conversations", token=staff).json["items"]
    assert s.request("GET", f"/v1/shops/{first}/support/conversations",
                     token=token).json["items"]


if __name__ == "__main__":
    main([test_demo_data_fills_every_first_list])
