#!/usr/bin/env python3
"""The demo data that only the running server can make, made through the
public API the way the merchant app would (scripts/run.sh runs it after
demo-data.sql): logs in as the demo merchant, uploads the pictures of
scripts/demo-media/ into a folder of each shop, shows them on the products
and as the SKUs' preview images (the server decodes each upload and writes
its files); saves the first shop's bank account (sealed with the server's
data key) and asks for a withdrawal above the approval threshold, which
waits for the finance desk; and logs out.

Usage: demo-api.py BASE_URL   (e.g. http://127.0.0.1:8080)

Each part does nothing when it was done before (the first shop has images;
it has a bank account), so it may run on every start. Exits non-zero,
saying why, on any reply it did not expect."""

import json
import os
import sys
import urllib.error
import urllib.request
import uuid

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "demo-media")

# Product title -> (picture file, picture name, preview image per SKU spec).
PICTURES = {
    "赣南脐橙 5斤装": ("orange.jpg", "脐橙主图", {"中果": "orange.jpg", "大果": "orange-big.jpg"}),
    "阳光玫瑰葡萄 2斤": ("grape.jpg", "葡萄主图", {"标准装": "grape.jpg"}),
    "加厚抽纸 24包": ("tissue.jpg", "抽纸主图", {"24包": "tissue.jpg"}),
    "赣南脐橙 整车批发": ("orange.jpg", "脐橙主图", {"整车 50 箱": "orange-big.jpg"}),
}
SKU_NAMES = {"orange-big.jpg": "脐橙大果"}


class Api:
    def __init__(self, base):
        self.base = base.rstrip("/")
        self.token = None
        self.status = 0

    def call(self, method, path, body=None, raw=None, ctype=None, expect=(200,), headers=None):
        """The reply's JSON (None when empty); self.status is its status."""
        data, headers = None, dict(headers or {})
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        elif raw is not None:
            data, headers["Content-Type"] = raw, ctype
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                status, text = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, text = e.code, e.read()
        self.status = status
        if status not in expect:
            sys.exit(f"demo-api: {method} {path} answered {status}: {text[:300]!r}")
        return json.loads(text) if text else None

    def upload(self, shop, folder, file, name):
        with open(os.path.join(HERE, file), "rb") as f:
            picture = f.read()
        boundary = uuid.uuid4().hex
        parts = []
        for field, value in (("name", name.encode()), ("folder_id", str(folder).encode())):
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"\r\n\r\n'
                         .encode() + value + b"\r\n")
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                     f'filename="{file}"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
                     + picture + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.call("POST", f"/v1/shops/{shop}/images", raw=body,
                         ctype=f"multipart/form-data; boundary={boundary}", expect=(201,))


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    api = Api(sys.argv[1])
    api.token = api.call("POST", "/v1/auth/login",
                         {"username": "demo", "password": "demo-password",
                          "device": "demo-api"})["token"]
    shops = api.call("GET", "/v1/shops")["items"]
    if shops and not api.call("GET", f"/v1/shops/{shops[0]['id']}/images")["items"]:
        pictures(api, shops)
    if shops:
        withdrawal(api, shops[0]["id"])
    api.call("POST", "/v1/auth/logout", expect=(204,))


def withdrawal(api, sid):
    """The bank account, and 55,000 yuan asked for: above the default
    MERCHANTD_WITHDRAWAL_APPROVAL_CENTS, so it waits for staff."""
    api.call("GET", f"/v1/shops/{sid}/funds/bank-account", expect=(200, 404))
    if api.status == 200:
        return
    api.call("PUT", f"/v1/shops/{sid}/funds/bank-account",
             {"holder": "王建国", "bank": "中国工商银行", "account_no": "6222020200112233"})
    api.call("POST", f"/v1/shops/{sid}/funds/withdrawals", {"amount_cents": 5500000},
             headers={"Idempotency-Key": uuid.uuid4().hex}, expect=(201,))


def pictures(api, shops):
    for shop in shops:
        sid = shop["id"]
        folder = api.call("POST", f"/v1/shops/{sid}/image-folders", {"name": "商品图"},
                          expect=(201,))["id"]
        uploaded = {}
        for product in api.call("GET", f"/v1/shops/{sid}/products")["items"]:
            if product["title"] not in PICTURES:
                continue
            main_file, main_name, previews = PICTURES[product["title"]]
            for file in {main_file, *previews.values()}:
                if file not in uploaded:
                    uploaded[file] = api.upload(sid, folder, file,
                                                main_name if file == main_file
                                                else SKU_NAMES.get(file, file))["id"]
            api.call("PATCH", f"/v1/shops/{sid}/products/{product['id']}",
                     {"images": [{"image_id": uploaded[main_file]}]})
            for sku in product["skus"]:
                if sku["spec"] in previews:
                    api.call("PATCH", f"/v1/shops/{sid}/products/{product['id']}/skus/{sku['id']}",
                             {"image_id": uploaded[previews[sku["spec"]]]})


if __name__ == "__main__":
    main()
