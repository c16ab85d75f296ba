"""The image space: uploads (raw and multipart), the stored files and their
renditions, the library's list, detail, rename, move and delete, folders,
quotas, tenant isolation, /media serving, and a corpus of broken and
hostile files."""

import hashlib
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from harness import *  # noqa: E402,F401,F403
import image_corpus as corpus  # noqa: E402


def merchant_shop():
    merchant, token = new_merchant()
    shop, _ = new_shop(merchant)
    return merchant, token, shop


def images_path(shop, iid=None):
    return f"/v1/shops/{shop}/images" + (f"/{iid}" if iid else "")


def folders_path(shop, fid=None):
    return f"/v1/shops/{shop}/image-folders" + (f"/{fid}" if fid else "")


def upload(shop, token, data, ctype="image/jpeg", headers=None, path=None):
    h = {"Content-Type": ctype}
    h.update(headers or {})
    return srv().request("POST", path or images_path(shop), token=token, raw=data, headers=h)


def multipart(fields, boundary="merchantd-test-boundary"):
    """fields: (name, value bytes, filename or None, content type or None)."""
    out = bytearray()
    for name, value, filename, ctype in fields:
        out += f"--{boundary}\r\n".encode()
        disp = f'Content-Disposition: form-data; name="{name}"'
        if filename:
            disp += f'; filename="{filename}"'
        out += disp.encode() + b"\r\n"
        if ctype:
            out += f"Content-Type: {ctype}\r\n".encode()
        out += b"\r\n" + value + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


def get_media(url, headers=None):
    return srv().request("GET", url, headers=headers)


def media_bytes(url):
    """The raw bytes of a stored file (the harness decodes bodies as text)."""
    import http.client
    conn = http.client.HTTPConnection("127.0.0.1", srv().port, timeout=30)
    try:
        conn.request("GET", url)
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        conn.close()


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


# ---------------------------------------------------------------------------


def test_upload_raw_jpeg_strips_metadata_and_serves_renditions():
    _, token, shop = merchant_shop()
    data = corpus.jpeg_with_metadata(1200, 900, 1)
    assert corpus.SECRET in data
    r = upload(shop, token, data)
    assert r.status == 201, r
    im = r.json
    assert set(im) == {"id", "name", "folder_id", "width", "height", "bytes", "format", "sha256",
                       "urls", "created_at"}, im
    assert im["width"] == 1200 and im["height"] == 900 and im["format"] == "jpeg", im
    assert im["folder_id"] is None and im["name"] == "image", im
    status, headers, original = media_bytes(im["urls"]["original"])
    assert status == 200 and headers["Content-Type"] == "image/jpeg", headers
    assert corpus.SECRET not in original and b"Exif" not in original
    assert hashlib.sha256(original).hexdigest() == im["sha256"] and len(original) == im["bytes"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers["ETag"] == f'"{im["sha256"]}"'
    assert im["urls"]["large"] == f"/media/{im['sha256']}_800.webp"
    assert im["urls"]["thumb"] == f"/media/{im['sha256']}_200.webp"
    for url, side in ((im["urls"]["large"], 800), (im["urls"]["thumb"], 200)):
        status, headers, body = media_bytes(url)
        assert status == 200 and headers["Content-Type"] == "image/webp", headers
        assert body[:4] == b"RIFF" and body[8:12] == b"WEBP"
        assert corpus.SECRET not in body and b"Exif" not in body and b"EXIF" not in body
        with tempfile.NamedTemporaryFile(suffix=".webp") as f:
            f.write(body)
            f.flush()
            size = subprocess.run(["vipsheader", "-f", "width", f.name], check=True,
                                  capture_output=True, text=True).stdout.strip()
        assert int(size) == side, size
        width = int.from_bytes(body[26:28], "little") & 0x3FFF if body[12:16] == b"VP8 " else None
        if width is not None:
            assert width == side, width


def test_upload_formats_and_multipart():
    _, token, shop = merchant_shop()
    webp = corpus.convert(corpus.png(50, 20, 3), ".webp")
    r = upload(shop, token, webp, "image/webp")
    status, _, stored = media_bytes(r.json["urls"]["original"])
    assert status == 200 and b"EXIF" not in stored and b"Exif" not in stored
    for ctype, data, fmt in (("image/png", corpus.png(40, 30, 2), "png"),
                             ("image/webp", corpus.convert(corpus.png(50, 20, 3), ".webp"), "webp"),
                             ("image/gif", corpus.convert(corpus.png(20, 20, 4), ".gif"), "gif")):
        r = upload(shop, token, data, ctype)
        assert r.status == 201 and r.json["format"] == fmt, (ctype, r)
        ext = {"png": "png", "webp": "webp", "gif": "gif"}[fmt]
        assert r.json["urls"]["original"].endswith("." + ext)
    folder = srv().request("POST", folders_path(shop), {"name": "主图"}, token=token).json
    body, ctype = multipart([("file", corpus.jpeg(64, 64, 9), "phone.jpg", "image/jpeg"),
                             ("folder_id", str(folder["id"]).encode(), None, None),
                             ("name", "连衣裙 主图".encode(), None, None)])
    r = upload(shop, token, body, ctype)
    assert r.status == 201, r
    assert r.json["name"] == "连衣裙 主图" and r.json["folder_id"] == folder["id"], r.json
    # The file's own name when no name is given.
    body, ctype = multipart([("file", corpus.jpeg(64, 64, 10), "IMG_0001.jpg", "image/jpeg")])
    assert upload(shop, token, body, ctype).json["name"] == "IMG_0001.jpg"


def test_upload_input_errors():
    _, token, shop = merchant_shop()
    r = upload(shop, token, corpus.png(8, 8), "application/json")
    assert_problem(r, 415, "unsupported_media_type")
    r = upload(shop, token, b"", "image/png")
    assert_problem(r, 400, "invalid_field")
    body, ctype = multipart([("name", b"x", None, None)])
    assert_problem(upload(shop, token, body, ctype), 400, "invalid_field")
    body, ctype = multipart([("file", corpus.png(8, 8), "a.png", "image/png"),
                             ("color", b"red", None, None)])
    assert_problem(upload(shop, token, body, ctype), 400, "unknown_field")
    body, ctype = multipart([("file", corpus.png(8, 8), "a.png", "image/png"),
                             ("file", corpus.png(8, 8), "b.png", "image/png")])
    assert_problem(upload(shop, token, body, ctype), 400, "invalid_field")
    body, ctype = multipart([("file", corpus.png(8, 8), "a.png", "image/png"),
                             ("folder_id", b"abc", None, None)])
    r = upload(shop, token, body, ctype)
    assert_problem(r, 400, "invalid_field")
    assert r.json["errors"][0]["field"] == "folder_id"
    body, ctype = multipart([("file", corpus.png(8, 8), "a.png", "image/png"),
                             ("folder_id", b"999999999", None, None)])
    assert_problem(upload(shop, token, body, ctype), 400, "invalid_field")
    r = upload(shop, token, corpus.png(8, 8), "multipart/form-data")
    assert_problem(r, 400, "invalid_field")


def test_upload_too_large_refused_before_reading():
    _, token, shop = merchant_shop()
    # Only the headers are sent: the 413 comes from Content-Length alone.
    import socket
    s = socket.create_connection(("127.0.0.1", srv().port), timeout=10)
    s.sendall((f"POST {images_path(shop)} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
               f"Content-Type: image/jpeg\r\nContent-Length: {20 * 1024 * 1024}\r\n\r\n").encode())
    reply = s.recv(65536).decode("latin-1")
    s.close()
    assert reply.startswith("HTTP/1.1 413"), reply[:200]
    assert "payload_too_large" in reply
    # A file part over 10 MB inside a multipart body within the body cap.
    big = b"\xff\xd8\xff" + bytes(10 * 1024 * 1024 - 100)
    body, ctype = multipart([("file", big + bytes(200), "big.jpg", "image/jpeg")])
    assert_problem(upload(shop, token, body, ctype), 413, "payload_too_large")


def test_broken_corpus_refused_and_server_stays_small():
    _, token, shop = merchant_shop()
    pid = srv().proc.pid
    cases = corpus.broken_corpus()

    def one_pass():
        for name, data, ctype, status, code in cases:
            r = upload(shop, token, data, ctype)
            assert r.status == status and r.json["code"] == code, (name, r)
            assert srv().request("GET", "/livez").status == 200, name

    # The first pass loads each decoder and fills the allocator's (and an
    # ASan build's quarantine's) pools; RSS after it is the baseline that
    # later passes must come back to: nothing of a refused upload stays.
    one_pass()
    baseline = rss_kb(pid)
    one_pass()
    one_pass()
    r = upload(shop, token, corpus.motion_photo())
    assert r.status == 201, r
    status, headers, stored = media_bytes(r.json["urls"]["original"])
    assert b"ftypmp42" not in stored
    assert headers["Content-Type"] == "image/jpeg" and headers["X-Content-Type-Options"] == "nosniff"
    after = rss_kb(pid)
    # The corpus would take gigabytes decoded; what may move is allocator slack.
    assert after < baseline + 64 * 1024, (baseline, after)
    print(f"corpus RSS: {baseline} kB after one pass, {after} kB after two more", flush=True)
    r = srv().request("GET", images_path(shop), token=token)
    assert len(r.json["items"]) == 1, r.json


def test_same_bytes_concurrently_one_blob():
    _, token, shop = merchant_shop()
    data = corpus.jpeg(640, 480, 77)
    results = parallel(lambda: upload(shop, token, data), [() for _ in range(8)])
    assert all(r.status == 201 for r in results), results
    shas = {r.json["sha256"] for r in results}
    ids = {r.json["id"] for r in results}
    assert len(shas) == 1 and len(ids) == 8
    sha = shas.pop()
    files = sorted(f for _, _, fs in os.walk(srv().media_dir) for f in fs if f.startswith(sha))
    assert files == [f"{sha}.jpg", f"{sha}_200.webp", f"{sha}_800.webp"], files
    leftovers = [f for _, _, fs in os.walk(srv().media_dir) for f in fs if f.startswith(".tmp")]
    assert leftovers == []


def test_list_get_patch_delete_and_paging():
    _, token, shop = merchant_shop()
    ids = []
    for i in range(5):
        body, ctype = multipart([("file", corpus.png(16, 16, i), None, "image/png"),
                                 ("name", f"商品图 {i}".encode(), None, None)])
        ids.append(upload(shop, token, body, ctype).json["id"])
    r = srv().request("GET", images_path(shop) + "?limit=2", token=token)
    assert r.status == 200 and [x["id"] for x in r.json["items"]] == ids[::-1][:2], r
    seen = [x["id"] for x in r.json["items"]]
    cursor = r.json["next_cursor"]
    while cursor:
        r = srv().request("GET", images_path(shop) + f"?limit=2&cursor={cursor}", token=token)
        seen += [x["id"] for x in r.json["items"]]
        cursor = r.json["next_cursor"]
    assert seen == ids[::-1]
    r = srv().request("GET", images_path(shop) + "?q=%E5%9B%BE%203", token=token)
    assert [x["id"] for x in r.json["items"]] == [ids[3]], r.json
    assert_problem(srv().request("GET", images_path(shop) + "?cursor=zzz", token=token),
                   400, "invalid_field")
    assert_problem(srv().request("GET", images_path(shop) + "?colour=red", token=token),
                   400, "unknown_field")

    r = srv().request("GET", images_path(shop, ids[0]), token=token)
    assert r.status == 200 and r.json["name"] == "商品图 0", r
    folder = srv().request("POST", folders_path(shop), {"name": "详情"}, token=token).json
    r = srv().request("PATCH", images_path(shop, ids[0]),
                      {"name": "主图", "folder_id": folder["id"]}, token=token)
    assert r.status == 200 and r.json["name"] == "主图" and r.json["folder_id"] == folder["id"], r
    r = srv().request("GET", images_path(shop) + f"?folder_id={folder['id']}", token=token)
    assert [x["id"] for x in r.json["items"]] == [ids[0]]
    r = srv().request("GET", images_path(shop) + "?folder_id=0", token=token)
    assert ids[0] not in [x["id"] for x in r.json["items"]] and len(r.json["items"]) == 4
    r = srv().request("PATCH", images_path(shop, ids[0]), {"folder_id": None}, token=token)
    assert r.status == 200 and r.json["folder_id"] is None, r
    assert_problem(srv().request("PATCH", images_path(shop, ids[0]), {"folder_id": 99999999},
                                 token=token), 400, "invalid_field")
    assert_problem(srv().request("PATCH", images_path(shop, ids[0]), {}, token=token),
                   400, "invalid_field")
    assert_problem(srv().request("PATCH", images_path(shop, ids[0]), {"size": 1}, token=token),
                   400, "unknown_field")

    r = srv().request("DELETE", images_path(shop, ids[1]), token=token)
    assert r.status == 204, r
    assert_problem(srv().request("GET", images_path(shop, ids[1]), token=token), 404, "not_found")
    assert_problem(srv().request("DELETE", images_path(shop, ids[1]), token=token),
                   404, "not_found")
    used = sql(f"SELECT images_used FROM image_spaces WHERE shop_id = {shop}")
    assert used == "4", used


def test_delete_in_use_needs_force():
    merchant, token, shop = merchant_shop()
    im = upload(shop, token, corpus.jpeg(100, 100, 42)).json
    sku = sql(f"SELECT id FROM skus WHERE shop_id = {shop} LIMIT 1")
    sql(f"UPDATE skus SET image_id = {im['id']} WHERE id = {sku}")
    r = srv().request("DELETE", images_path(shop, im["id"]), token=token)
    assert_problem(r, 409, "image_in_use")
    assert_problem(srv().request("DELETE", images_path(shop, im["id"]) + "?force=yes",
                                 token=token), 400, "invalid_field")
    r = srv().request("DELETE", images_path(shop, im["id"]) + "?force=true", token=token)
    assert r.status == 204, r
    assert sql(f"SELECT image_id IS NULL FROM skus WHERE id = {sku}") == "t"


def test_sku_preview_image():
    merchant, token, shop = merchant_shop()
    _, token_b, shop_b = merchant_shop()
    im = upload(shop, token, corpus.jpeg(400, 300, 31)).json
    other = upload(shop_b, token_b, corpus.jpeg(400, 300, 32)).json
    product = int(sql(f"SELECT product_id FROM skus WHERE shop_id = {shop} LIMIT 1"))
    sku = int(sql(f"SELECT id FROM skus WHERE shop_id = {shop} LIMIT 1"))
    path = f"/v1/shops/{shop}/products/{product}/skus/{sku}"
    r = srv().request("PATCH", path, {"image_id": other["id"]}, token=token)
    assert_problem(r, 400, "invalid_field")
    assert r.json["errors"][0]["field"] == "image_id"
    r = srv().request("PATCH", path, {"image_id": im["id"]}, token=token)
    assert r.status == 200 and r.json["image_id"] == im["id"], r
    assert r.json["image"] == im["urls"]["large"], r.json
    # Another merchant naming their own image on this shop's SKU: 404 first.
    r = srv().request("PATCH", path, {"image_id": other["id"]}, token=token_b)
    assert_problem(r, 404, "not_found")
    detail = srv().request("GET", f"/v1/shops/{shop}/products/{product}").json
    assert detail["skus"][0]["image_id"] == im["id"]
    assert detail["skus"][0]["image"] == im["urls"]["large"]
    # The order line keeps the SKU's preview image.
    _, buyer_token = new_buyer()
    order = srv().request("POST", "/v1/orders", {
        "shop_id": shop, "items": [{"sku_id": sku, "quantity": 1}],
        "address": {"name": "Li Lei", "phone": "13800000000", "province": "Zhejiang",
                    "city": "Hangzhou", "district": "Xihu", "detail": "1 Lingyin Road"}},
        token=buyer_token)
    assert order.status == 201, order
    assert order.json["items"][0]["image"] == im["urls"]["large"], order.json["items"]
    assert_problem(srv().request("DELETE", images_path(shop, im["id"]), token=token),
                   409, "image_in_use")
    r = srv().request("DELETE", images_path(shop, im["id"]) + "?force=true", token=token)
    assert r.status == 204
    detail = srv().request("GET", f"/v1/shops/{shop}/products/{product}").json
    assert detail["skus"][0]["image_id"] is None and detail["skus"][0]["image"] is None
    r = srv().request("PATCH", path, {"image_id": None}, token=token)
    assert r.status == 200 and r.json["image_id"] is None, r


def test_sku_preview_image_on_create():
    _, token, shop = merchant_shop()
    _, token_b, shop_b = merchant_shop()
    im = upload(shop, token, corpus.jpeg(300, 300, 41)).json
    other = upload(shop_b, token_b, corpus.jpeg(300, 300, 42)).json
    body = {"title": "T恤", "skus": [{"spec": "白", "price_cents": 4900, "stock": 3},
                                     {"spec": "黑", "price_cents": 4900, "stock": 3,
                                      "image_id": im["id"]},
                                     {"spec": "红", "price_cents": 4900, "stock": 3,
                                      "image_id": None}]}
    r = srv().request("POST", f"/v1/shops/{shop}/products", body, token=token)
    assert r.status == 201, r
    product = r.json["id"]
    assert [k["image_id"] for k in r.json["skus"]] == [None, im["id"], None], r.json
    assert r.json["skus"][1]["image"] == im["urls"]["large"]
    body["skus"][0]["image_id"] = other["id"]
    r = srv().request("POST", f"/v1/shops/{shop}/products", body, token=token)
    assert_problem(r, 400, "invalid_field")
    assert [e["field"] for e in r.json["errors"]] == ["skus[0].image_id"], r.json
    r = srv().request("POST", f"/v1/shops/{shop}/products", body, token=token_b)
    assert_problem(r, 404, "not_found")
    for bad in (0, -1, "1", 1.5):
        body["skus"][0]["image_id"] = bad
        r = srv().request("POST", f"/v1/shops/{shop}/products", body, token=token)
        assert_problem(r, 400, "invalid_field")
        assert r.json["errors"][0]["field"] == "skus[0].image_id", r.json
    skus = f"/v1/shops/{shop}/products/{product}/skus"
    r = srv().request("POST", skus, {"spec": "蓝", "price_cents": 5900, "stock": 1,
                                     "image_id": im["id"]}, token=token)
    assert r.status == 201 and r.json["image_id"] == im["id"], r
    assert r.json["image"] == im["urls"]["large"], r.json
    r = srv().request("POST", skus, {"spec": "绿", "price_cents": 5900, "stock": 1,
                                     "image_id": other["id"]}, token=token)
    assert_problem(r, 400, "invalid_field")
    assert r.json["errors"][0]["field"] == "image_id", r.json
    r = srv().request("POST", skus, {"spec": "绿", "price_cents": 5900, "stock": 1,
                                     "image_id": im["id"]}, token=token_b)
    assert_problem(r, 404, "not_found")
    r = srv().request("POST", skus, {"spec": "紫", "price_cents": 5900, "stock": 1}, token=token)
    assert r.status == 201 and r.json["image_id"] is None and r.json["image"] is None, r
    detail = srv().request("GET", f"/v1/shops/{shop}/products/{product}").json
    assert [k["image_id"] for k in detail["skus"]] == [None, im["id"], None, im["id"], None]
    # Two SKUs use it: a plain delete is refused, a forced one detaches both.
    assert_problem(srv().request("DELETE", images_path(shop, im["id"]), token=token),
                   409, "image_in_use")
    assert srv().request("DELETE", images_path(shop, im["id"]) + "?force=true",
                         token=token).status == 204
    r = srv().request("POST", skus, {"spec": "灰", "price_cents": 5900, "stock": 1,
                                     "image_id": im["id"]}, token=token)
    assert_problem(r, 400, "invalid_field")


def test_product_images_by_id():
    _, token, shop = merchant_shop()
    _, token_b, shop_b = merchant_shop()
    im = upload(shop, token, corpus.jpeg(500, 500, 61)).json
    other = upload(shop_b, token_b, corpus.jpeg(500, 500, 62)).json
    body = {"title": "连衣裙", "images": ["https://img.example.com/a.jpg", {"image_id": im["id"]}],
            "skus": [{"spec": "S", "price_cents": 9900, "stock": 5}]}
    r = srv().request("POST", f"/v1/shops/{shop}/products", body, token=token)
    assert r.status == 201, r
    product = r.json["id"]
    assert r.json["images"] == ["https://img.example.com/a.jpg", im["urls"]["large"]], r.json
    body["images"] = [{"image_id": other["id"]}]
    r = srv().request("POST", f"/v1/shops/{shop}/products", body, token=token)
    assert_problem(r, 400, "invalid_field")
    assert r.json["errors"][0]["field"] == "images[0]", r.json
    for bad in ({"image_id": 0}, {"image_id": "1"}, {"image_id": 1, "x": 2}, 5):
        r = srv().request("PATCH", f"/v1/shops/{shop}/products/{product}", {"images": [bad]},
                          token=token)
        assert_problem(r, 400, "invalid_field")
    # Another merchant naming their own image on this shop's product: 404.
    r = srv().request("PATCH", f"/v1/shops/{shop}/products/{product}",
                      {"images": [{"image_id": other["id"]}]}, token=token_b)
    assert_problem(r, 404, "not_found")
    assert_problem(srv().request("DELETE", images_path(shop, im["id"]), token=token),
                   409, "image_in_use")
    r = srv().request("DELETE", images_path(shop, im["id"]) + "?force=true", token=token)
    assert r.status == 204, r
    r = srv().request("GET", f"/v1/shops/{shop}/products/{product}", token=token)
    assert r.json["images"] == ["https://img.example.com/a.jpg"], r.json


def test_chat_image_messages():
    _, token, shop = merchant_shop()
    _, buyer_token = new_buyer()
    shop_image = upload(shop, token, corpus.jpeg(300, 300, 51)).json
    own = upload(None, buyer_token, corpus.jpeg(300, 200, 52), path="/v1/me/images").json
    conv = srv().request("POST", f"/v1/shops/{shop}/conversations", token=buyer_token).json["id"]
    path = f"/v1/conversations/{conv}/messages"
    r = srv().request("POST", path, {"type": "image", "image_id": shop_image["id"]}, token=token)
    assert r.status == 201 and r.json["type"] == "image", r
    assert shop_image["urls"]["large"] in json.dumps(r.json), r.json
    r = srv().request("POST", path, {"type": "image", "image_id": own["id"]}, token=buyer_token)
    assert r.status == 201 and own["urls"]["large"] in json.dumps(r.json), r
    # Each side sends from its own space only.
    for who, image in ((buyer_token, shop_image), (token, own)):
        r = srv().request("POST", path, {"type": "image", "image_id": image["id"]}, token=who)
        assert_problem(r, 400, "invalid_field")
        assert r.json["errors"][0]["field"] == "image_id", r.json
    r = srv().request("POST", path, {"type": "image", "image_id": own["id"],
                                     "url": "https://img.example.com/a.jpg"}, token=buyer_token)
    assert_problem(r, 400, "invalid_field")
    r = srv().request("POST", path, {"type": "text", "text": "hi", "image_id": own["id"]},
                      token=buyer_token)
    assert_problem(r, 400, "invalid_field")
    # A sent picture outlives its library entry: the collector spares it.
    assert srv().request("DELETE", images_path(shop, shop_image["id"]), token=token).status == 204
    old = 1_000_000_000
    for root, _, files in os.walk(srv().media_dir):
        for f in files:
            if f.startswith(shop_image["sha256"]):
                os.utime(os.path.join(root, f), (old, old))
    assert srv().request("POST", "/v1/test/jobs/run").status in (200, 204)
    assert get_media(shop_image["urls"]["large"]).status == 200


def test_folders():
    _, token, shop = merchant_shop()
    a = srv().request("POST", folders_path(shop), {"name": "A"}, token=token)
    assert a.status == 201 and a.json["depth"] == 1 and a.json["parent_id"] is None, a
    b = srv().request("POST", folders_path(shop), {"name": "B", "parent_id": a.json["id"]},
                      token=token).json
    c = srv().request("POST", folders_path(shop), {"name": "C", "parent_id": b["id"]},
                      token=token).json
    assert c["depth"] == 3
    r = srv().request("POST", folders_path(shop), {"name": "D", "parent_id": c["id"]}, token=token)
    assert_problem(r, 400, "invalid_field")
    assert_problem(srv().request("POST", folders_path(shop), {"name": ""}, token=token),
                   400, "invalid_field")
    assert_problem(srv().request("POST", folders_path(shop), {"name": "x", "parent_id": 99999999},
                                 token=token), 400, "invalid_field")
    r = srv().request("GET", folders_path(shop), token=token)
    assert [f["name"] for f in r.json["items"]] == ["A", "B", "C"] and r.json["next_cursor"] is None
    r = srv().request("PATCH", folders_path(shop, c["id"]), {"name": "C2"}, token=token)
    assert r.status == 200 and r.json["name"] == "C2", r
    assert_problem(srv().request("DELETE", folders_path(shop, b["id"]), token=token),
                   409, "folder_not_empty")
    assert srv().request("DELETE", folders_path(shop, c["id"]), token=token).status == 204
    assert srv().request("DELETE", folders_path(shop, b["id"]), token=token).status == 204
    assert_problem(srv().request("DELETE", folders_path(shop, b["id"]), token=token),
                   404, "not_found")
    assert_problem(srv().request("PATCH", folders_path(shop, b["id"]), {"name": "x"}, token=token),
                   404, "not_found")


def test_quota_enforced_in_database():
    _, token, shop = merchant_shop()
    assert upload(shop, token, corpus.png(8, 8, 1), "image/png").status == 201
    sql(f"UPDATE image_spaces SET images_max = 2 WHERE shop_id = {shop}")
    assert upload(shop, token, corpus.png(8, 8, 2), "image/png").status == 201
    assert_problem(upload(shop, token, corpus.png(8, 8, 3), "image/png"), 409, "quota_exceeded")
    sql(f"UPDATE image_spaces SET images_max = 100, bytes_max = bytes_used + 10"
        f" WHERE shop_id = {shop}")
    assert_problem(upload(shop, token, corpus.png(8, 8, 4), "image/png"), 409, "quota_exceeded")


def test_tenant_isolation():
    _, token_a, shop_a = merchant_shop()
    _, token_b, shop_b = merchant_shop()
    im = upload(shop_a, token_a, corpus.png(8, 8, 5), "image/png").json
    assert_problem(upload(shop_a, token_b, corpus.png(8, 8, 6), "image/png"), 404, "not_found")
    for method, path, body in (("GET", images_path(shop_a), None),
                               ("GET", images_path(shop_a, im["id"]), None),
                               ("GET", images_path(shop_b, im["id"]), None),
                               ("PATCH", images_path(shop_b, im["id"]), {"name": "x"}),
                               ("DELETE", images_path(shop_b, im["id"]), None),
                               ("GET", folders_path(shop_a), None),
                               ("POST", folders_path(shop_a), {"name": "x"})):
        assert_problem(srv().request(method, path, body, token=token_b), 404, "not_found")
    folder_a = srv().request("POST", folders_path(shop_a), {"name": "A"}, token=token_a).json
    # A folder of another space is no folder here.
    own = upload(shop_b, token_b, corpus.png(8, 8, 7), "image/png").json
    assert_problem(srv().request("PATCH", images_path(shop_b, own["id"]),
                                 {"folder_id": folder_a["id"]}, token=token_b),
                   400, "invalid_field")
    # /media needs no token; names are SHA-256, not ids.
    assert get_media(im["urls"]["thumb"]).status == 200
    assert_problem(get_media("/media/" + "0" * 64 + ".png"), 404, "not_found")


def test_media_conditional_and_ranges():
    _, token, shop = merchant_shop()
    im = upload(shop, token, corpus.png(64, 64, 8), "image/png").json
    url = im["urls"]["original"]
    status, headers, body = media_bytes(url)
    etag = headers["ETag"]
    r = get_media(url, {"If-None-Match": etag})
    assert r.status == 304 and r.headers.get("etag") == etag, r
    r = get_media(url, {"If-None-Match": '"other", ' + etag})
    assert r.status == 304
    r = get_media(url, {"Range": "bytes=0-7"})
    assert r.status == 206 and r.headers["content-range"] == f"bytes 0-7/{len(body)}", r.headers
    r = get_media(url, {"Range": f"bytes={len(body)}-"})
    assert r.status == 416 and r.headers["content-range"] == f"bytes */{len(body)}"
    r = srv().request("HEAD", url)
    assert r.status == 200 and r.raw == ""
    for bad in ("/media/../etc/passwd", "/media/" + "a" * 64 + ".html",
                "/media/" + "A" * 64 + ".png", "/media/" + "a" * 64 + "_300.webp"):
        assert srv().request("GET", bad).status == 404, bad
    assert srv().request("DELETE", url).status == 405


def test_buyer_upload():
    buyer, token = new_buyer()
    r = upload(None, token, corpus.jpeg(200, 100, 3), path="/v1/me/images")
    assert r.status == 201 and r.json["width"] == 200, r
    q = sql(f"SELECT bytes_max FROM image_spaces WHERE buyer_id = {buyer}")
    assert q == str(200 * 1024 * 1024), q
    _, mtoken, shop = merchant_shop()
    assert_problem(upload(None, mtoken, corpus.png(8, 8), "image/png", path="/v1/me/images"),
                   403, "forbidden")


def test_idempotent_upload():
    _, token, shop = merchant_shop()
    data = corpus.png(32, 32, 11)
    h = {"Idempotency-Key": "img-1"}
    a = upload(shop, token, data, "image/png", headers=h)
    b = upload(shop, token, data, "image/png", headers=h)
    assert a.status == 201 and b.status == 201 and a.json == b.json, (a, b)
    assert b.headers.get("idempotent-replayed") == "true"
    c = upload(shop, token, corpus.png(32, 32, 12), "image/png", headers=h)
    assert_problem(c, 422, "idempotency_key_reused")
    assert sql(f"SELECT images_used FROM image_spaces WHERE shop_id = {shop}") == "1"


def test_busy_when_pool_full():
    s = start_server(env={"MERCHANTD_IMAGE_WORKERS": "1", "MERCHANTD_IMAGE_QUEUE": "0"})
    s.register("busy-m", "merchant")
    token = s.login("busy-m")
    shop = s.request("POST", "/v1/shops", {"name": "busy"}, token=token).json["id"]
    data = corpus.jpeg(2400, 1800, 1)  # about 7 MB; its decode takes a while
    results = parallel(lambda: s.request(
        "POST", f"/v1/shops/{shop}/images", token=token, raw=data,
        headers={"Content-Type": "image/jpeg"}), [() for _ in range(6)])
    statuses = sorted(r.status for r in results)
    assert statuses[0] == 201 and set(statuses) <= {201, 503}, statuses
    for r in results:
        if r.status == 503:
            assert r.json["code"] == "server_busy" and r.headers.get("retry-after") == "1"
    s.stop()


def test_garbage_collection():
    _, token, shop = merchant_shop()
    keep = upload(shop, token, corpus.png(8, 8, 21), "image/png").json
    gone = upload(shop, token, corpus.png(8, 8, 22), "image/png").json
    assert srv().request("DELETE", images_path(shop, gone["id"]), token=token).status == 204
    old = 1_000_000_000
    for root, _, files in os.walk(srv().media_dir):
        for f in files:
            os.utime(os.path.join(root, f), (old, old))
    assert srv().request("POST", "/v1/test/jobs/run").status in (200, 204)
    left = {f for _, _, fs in os.walk(srv().media_dir) for f in fs}
    assert any(f.startswith(keep["sha256"]) for f in left)
    assert not any(f.startswith(gone["sha256"]) for f in left), left
    assert get_media(keep["urls"]["original"]).status == 200
    assert get_media(gone["urls"]["original"]).status == 404


def test_order_line_keeps_its_picture():
    _, token, shop = merchant_shop()
    im = upload(shop, token, corpus.jpeg(200, 200, 71)).json
    sku = int(sql(f"SELECT id FROM skus WHERE shop_id = {shop} LIMIT 1"))
    product = int(sql(f"SELECT product_id FROM skus WHERE id = {sku}"))
    r = srv().request("PATCH", f"/v1/shops/{shop}/products/{product}/skus/{sku}",
                      {"image_id": im["id"]}, token=token)
    assert r.status == 200, r
    _, buyer_token = new_buyer()
    order = srv().request("POST", "/v1/orders", {
        "shop_id": shop, "items": [{"sku_id": sku, "quantity": 1}],
        "address": {"name": "Li Lei", "phone": "13800000000", "province": "Zhejiang",
                    "city": "Hangzhou", "district": "Xihu", "detail": "1 Lingyin Road"}},
        token=buyer_token)
    assert order.status == 201, order
    picture = order.json["items"][0]["image"]
    assert picture == im["urls"]["large"], order.json
    r = srv().request("DELETE", images_path(shop, im["id"]) + "?force=true", token=token)
    assert r.status == 204, r
    old = 1_000_000_000
    for root, _, files in os.walk(srv().media_dir):
        for f in files:
            os.utime(os.path.join(root, f), (old, old))
    assert srv().request("POST", "/v1/test/jobs/run").status in (200, 204)
    # The entry is gone, the order still shows its picture.
    assert get_media(picture).status == 200
    r = srv().request("GET", f"/v1/orders/{order.json['id']}", token=buyer_token)
    assert r.json["items"][0]["image"] == picture, r.json


class Blocker:
    """A psql session holding a transaction open: BEGIN and the given
    statement now, COMMIT when told."""

    def __init__(self, statement):
        self.p = subprocess.Popen(["psql", srv().db_url, "-Atq", "-v", "ON_ERROR_STOP=1"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        self.p.stdin.write(f"BEGIN;\n{statement};\n\\echo held\n")
        self.p.stdin.flush()
        line = None
        while line not in ("held", ""):
            line = self.p.stdout.readline().strip("\n")
        if line != "held":
            self.p.kill()
            raise AssertionError(f"blocker failed: {self.p.stderr.read()}")

    def commit(self):
        if self.p.stdin.closed or self.p.poll() is not None:
            return
        self.p.stdin.write("COMMIT;\n")
        self.p.stdin.close()
        assert self.p.wait(timeout=30) == 0, self.p.stderr.read()


def lock_waiters(like="%"):
    """Statements (like the pattern) waiting for a lock."""
    return int(sql(f"SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                   f" AND query LIKE {sql_literal(like)} AND pid <> pg_backend_pid()"))


def wait_for(cond, what, timeout=20):
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, f"waited {timeout} s: {what}"
        time.sleep(0.02)


def age_files(sha):
    """Makes a picture's files two hours old: the collector's hour has passed."""
    old = time.time() - 2 * 3600
    for name in os.listdir(os.path.join(srv().media_dir, sha[:2])):
        if name.startswith(sha):
            os.utime(os.path.join(srv().media_dir, sha[:2], name), (old, old))


def test_collector_meets_an_upload_of_the_same_picture():
    """collect_media finds a picture's files named by no row (its entries
    were deleted an hour ago); meanwhile the same picture is uploaded again:
    its files exist, so storing them only renews their time, and its row
    is written after the collector has removed them. Locks held from psql
    put the steps in that order: the collector's question waits behind a
    lock on images, the upload's row behind one on its space. The row must
    not be left without its files: the upload is answered 201 with its
    files there, or 503 server_busy (send it again) with no row."""
    _, token, shop = merchant_shop()
    data = corpus.png(24, 24, 41)
    first = upload(shop, token, data, "image/png")
    assert first.status == 201, first
    sha = first.json["sha256"]
    assert srv().request("DELETE", images_path(shop, first.json["id"]),
                         token=token).status == 204
    age_files(sha)
    space = sql(f"SELECT id FROM image_spaces WHERE shop_id = {shop}")
    results = {}
    collector = threading.Thread(target=lambda: results.update(
        gc=srv().request("POST", "/v1/test/jobs/run")))
    uploader = threading.Thread(target=lambda: results.update(
        up=upload(shop, token, data, "image/png")))
    images_lock = Blocker("LOCK TABLE images IN ACCESS EXCLUSIVE MODE")
    space_lock = None
    try:
        space_lock = Blocker(f"SELECT id FROM image_spaces WHERE id = {space} FOR UPDATE")
        collector.start()
        wait_for(lambda: lock_waiters("%string_to_array%") == 1, "the collector's question")
        uploader.start()
        wait_for(lambda: lock_waiters("%image_add%") == 1, "the upload's row")
        images_lock.commit()
        # The collector removes the files, or waits for the upload.
        wait_for(lambda: not collector.is_alive() or lock_waiters() > 1, "the collector")
        space_lock.commit()
        collector.join(timeout=30)
        uploader.join(timeout=30)
    finally:
        images_lock.commit()
        if space_lock:
            space_lock.commit()
    assert results["gc"].status == 200, results["gc"]
    up = results["up"]
    rows = int(sql(f"SELECT count(*) FROM images WHERE sha256 = '{sha}'"))
    if up.status != 201:
        assert_problem(up, 503, "server_busy")
        assert up.headers.get("retry-after") == "1", up.headers
        assert rows == 0, rows
        up = upload(shop, token, data, "image/png")
        assert up.status == 201, up
    for url in up.json["urls"].values():
        assert get_media(url).status == 200, (url, "a row without its file")
    assert sql(f"SELECT images_used FROM image_spaces WHERE id = {space}") == "1"


def test_collector_meets_a_message_sending_a_deleted_picture():
    """A picture is sent in chat while its only entry is deleted and the
    collector runs: the message reads the entry's SHA-256, and before it
    commits the entry is deleted and the collector finds the files named by
    no entry and no (committed) message. A lock held from psql on the
    conversation, which the message's trigger updates, keeps the message
    from committing meanwhile. The sent picture must stay in the history:
    the delete waits for the message (or the message is refused), and its
    files are there afterwards."""
    _, token, shop = merchant_shop()
    _, buyer_token = new_buyer()
    image = upload(shop, token, corpus.png(24, 24, 42), "image/png").json
    sha = image["sha256"]
    conv = srv().request("POST", f"/v1/shops/{shop}/conversations", token=buyer_token).json["id"]
    results = {}
    sender = threading.Thread(target=lambda: results.update(msg=srv().request(
        "POST", f"/v1/conversations/{conv}/messages", {"type": "image", "image_id": image["id"]},
        token=token)))
    deleter = threading.Thread(target=lambda: results.update(
        delete=srv().request("DELETE", images_path(shop, image["id"]), token=token)))
    conv_lock = Blocker(f"SELECT id FROM conversations WHERE id = {conv} FOR UPDATE")
    try:
        sender.start()
        wait_for(lambda: lock_waiters("%message_send%") == 1, "the message")
        deleter.start()
        wait_for(lambda: not deleter.is_alive() or lock_waiters("%image_delete%") == 1,
                 "the delete")
        if not deleter.is_alive():
            age_files(sha)
            assert srv().request("POST", "/v1/test/jobs/run").status == 200
    finally:
        conv_lock.commit()
    sender.join(timeout=30)
    deleter.join(timeout=30)
    assert results["delete"].status == 204, results["delete"]
    age_files(sha)
    assert srv().request("POST", "/v1/test/jobs/run").status == 200
    msg = results["msg"]
    if msg.status == 201:
        for url in (image["urls"]["large"], image["urls"]["thumb"]):
            assert get_media(url).status == 200, (url, "a sent picture lost its file")
    else:
        assert_problem(msg, 400, "invalid_field")


if __name__ == "__main__":
    main([test_upload_raw_jpeg_strips_metadata_and_serves_renditions, test_upload_formats_and_multipart, test_upload_input_errors, test_upload_too_large_refused_before_reading, test_broken_corpus_refused_and_server_stays_small, test_same_bytes_concurrently_one_blob, test_list_get_patch_delete_and_paging, test_delete_in_use_needs_force, test_sku_preview_image, test_sku_preview_image_on_create, test_product_images_by_id, test_chat_image_messages, test_folders, test_quota_enforced_in_database, test_tenant_isolation, test_media_conditional_and_ranges, test_buyer_upload, test_idempotent_upload, test_busy_when_pool_full, test_garbage_collection, test_order_line_keeps_its_picture,
          test_collector_meets_an_upload_of_the_same_picture,
          test_collector_meets_a_message_sending_a_deleted_picture])
