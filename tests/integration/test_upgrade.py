"""Upgrading a database of the previous release: restore the dump the
release before SQL functions moved to db/sql made (tests/integration/
upgrade/), run this build's merchantd migrate, and check that the data
survived, every function now has this build's text, and the server works
on it: log in, read orders, letters and chats, place an order with a
claimed coupon, claim, send a message, deliver letters; the reviewer
is staff with the permission review; the funds ledger opens with every
shop's accounts and the orders not settled yet in pending, which then
settle through it."""

import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from harness import *  # noqa: E402,F401,F403

DUMP = os.path.join(os.path.dirname(__file__), "upgrade", "prev_release.sql")
COUNTS = {"accounts": 3, "shops": 2, "orders": 11, "order_items": 11, "coupons": 2,
          "buyer_coupons": 3, "letters": 3, "letter_notices": 6, "messages": 5, "refunds": 1,
          "review_actions": 6, "conversations": 1, "schema_migrations": 18}


def counts(db):
    return {t: int(psql(db, f"SELECT count(*) FROM {t}")) for t in COUNTS}


def test_upgrade_from_previous_release():
    db = new_database("upgrade")
    out = subprocess.run(["psql", db, "-v", "ON_ERROR_STOP=1", "-q", "-f", DUMP],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert counts(db) == COUNTS, counts(db)
    before = psql(db, "SELECT string_agg(t::text, '|' ORDER BY t::text) FROM orders t")

    out = run_cli(["migrate", "status"], db)
    assert out.returncode == 0 and re.search(r"^pending +0019_", out.stdout, re.M), out.stdout
    assert re.search(r"^missing +db/sql/coupon_claim\.sql$", out.stdout, re.M), out.stdout
    s = run_cli(["serve"], db, env={"PORT": str(free_port())})
    assert s.returncode == 2 and "pending" in s.stderr, s.stderr

    out = run_cli(["migrate"], db)
    assert out.returncode == 0, out.stderr
    assert "applied 0019_" in out.stdout and "applied db/sql/order_create.sql" in out.stdout
    out = run_cli(["migrate", "status"], db)
    assert out.returncode == 0 and out.stdout.strip().endswith("\n0 pending"), out.stdout
    assert "changed" not in out.stdout and "missing" not in out.stdout, out.stdout
    assert run_cli(["migrate"], db).stdout.startswith("nothing to apply")

    # The data is as it was, and the functions are this build's.
    after = counts(db)
    assert after == dict(COUNTS, schema_migrations=after["schema_migrations"]), after
    assert psql(db, "SELECT string_agg(t::text, '|' ORDER BY t::text) FROM orders t") == before
    assert psql(db, "SELECT count(*) FROM pg_proc WHERE proname = 'auto_reply_zone'") == "0"
    assert "platform_zone()" in psql(db, "SELECT prosrc FROM pg_proc WHERE proname = 'order_create'")

    # The funds ledger opened: five accounts per shop, and the orders paid but
    # not settled entered pending for what was not refunded, as if paid then.
    assert psql(db, "SELECT count(*) FROM ledger_accounts WHERE shop_id IS NOT NULL") == \
        str(5 * COUNTS["shops"])
    assert psql(db, "SELECT count(*) FROM shop_funds") == str(COUNTS["shops"])
    unsettled = ("FROM orders WHERE status IN ('paid', 'shipped')"
                 " OR (status = 'completed' AND after_sales_open)")
    assert int(psql(db, f"SELECT count(*) {unsettled}")) > 0
    assert psql(db, "SELECT count(*) FROM order_funds") == psql(db, f"SELECT count(*) {unsettled}")
    assert psql(db, "SELECT sum(balance) FROM ledger_accounts") == "0"
    assert psql(db, "SELECT string_agg(a.shop_id || ':' || a.balance || ':' || f.pending_orders,"
                    " ',' ORDER BY a.shop_id) FROM ledger_accounts a"
                    " JOIN shop_funds f ON f.shop_id = a.shop_id WHERE a.kind = 'pending'") == \
        psql(db, f"SELECT string_agg(shop_id || ':' || cents || ':' || n, ',' ORDER BY shop_id)"
                 f" FROM (SELECT s.id AS shop_id, coalesce(sum(o.paid_cents - o.refunded_cents), 0)"
                 f" AS cents, count(o.id) AS n FROM shops s LEFT JOIN (SELECT * {unsettled}) o"
                 f" ON o.shop_id = s.id GROUP BY s.id) t")

    # The reviewer is staff with the permission review.
    assert psql(db, "SELECT role || ' ' || array_to_string(permissions, ',') FROM accounts"
                    " WHERE username = 'demo-reviewer'") == "staff review"

    s = start_server(db_url=db, migrate=False)
    assert s.request("GET", "/readyz").status == 200
    staff = s.login("demo-reviewer", password="demo-password")
    r = s.request("GET", "/v1/review/orders", token=staff)
    assert r.status == 200 and r.json["items"], r
    token = s.login("demo", password="demo-password")
    buyer = s.login("demo-buyer", password="demo-password")
    shops = s.request("GET", "/v1/me", token=token).json["shops"]
    fruit = next(x["id"] for x in shops if x["name"] == "果园直供")
    home = next(x["id"] for x in shops if x["name"] == "居家好物")
    r = s.request("GET", f"/v1/shops/{fruit}/orders", token=token)
    assert r.status == 200 and len(r.json["items"]) == 7, r
    r = s.request("GET", f"/v1/shops/{home}/letters", token=token)
    assert r.status == 200 and sorted(i["order_count"] for i in r.json["items"]) == [1, 2, 3], r
    hold = next(i["id"] for i in r.json["items"] if i["order_count"] == 3)
    r = s.request("GET", f"/v1/shops/{home}/letters/{hold}/attachment.csv", token=token)
    assert r.status == 200 and len(r.raw.strip().splitlines()) == 4, r.raw

    # Writes through the functions of this build on the old rows.
    s.set_clock("2030-05-10T02:00:00Z")
    token = s.login("demo", password="demo-password")
    buyer = s.login("demo-buyer", password="demo-password")
    coupon = int(psql(db, "SELECT min(id) FROM buyer_coupons WHERE used_order_id IS NULL"))
    sku = int(psql(db, "SELECT k.id FROM skus k JOIN shops s ON s.id = k.shop_id"
                       " WHERE s.name = '果园直供' AND k.spec = '大果'"))
    r = s.request("POST", "/v1/orders", {
        "shop_id": fruit, "items": [{"sku_id": sku, "quantity": 2}], "coupon_id": coupon,
        "address": {"name": "王小明", "phone": "13812345678", "province": "广东省",
                    "city": "深圳市", "district": "南山区", "detail": "科技园路 1 号"}},
        token=buyer)
    assert r.status == 201 and r.json["order_sn"].startswith("300510-"), r
    assert r.json["amounts"]["discount_cents"] == 300, r.json  # the live coupon
    normal = int(psql(db, "SELECT id FROM coupons WHERE channel = 'normal'"))
    r = s.request("POST", f"/v1/coupons/{normal}/claim", token=buyer)
    assert_problem(r, 409, "claim_limit_reached")
    conv = int(psql(db, "SELECT id FROM conversations"))
    r = s.request("POST", f"/v1/conversations/{conv}/messages",
                  {"type": "text", "text": "请问发货了吗"}, token=buyer)
    assert r.status == 201, r
    assert psql(db, f"SELECT count(*) FROM messages WHERE conversation_id = {conv}") == "8"
    held = int(psql(db, "SELECT id FROM orders WHERE review_status = 'under_review'"))
    assert psql(db, f"SELECT review_release((SELECT id FROM accounts WHERE username = 'demo-reviewer'), {held}, NULL, '2030-05-10 02:00Z')"
                    f" IS NOT NULL") == "t"
    r = s.request("POST", "/v1/test/jobs/run")
    assert r.status == 200, r
    # Orders shipped before the ledger completed and settled through it.
    assert int(psql(db, "SELECT count(*) FROM order_funds WHERE state = 'settled'")) > 0
    assert psql(db, "SELECT sum(balance) FROM ledger_accounts") == "0"
    stop_server(s)


if __name__ == "__main__":
    main([test_upgrade_from_previous_release])
