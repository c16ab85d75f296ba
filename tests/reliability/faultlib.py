"""What the fault scripts (tests/reliability/) and tests/integration/test_faults.py
share: a merchantd process that can be killed and started again on the same
port, accounts and shops made with SQL, a mixed write load that records every
write acknowledged with 2xx, the SQL checks that those writes are in the
database and that the invariants hold, and the RELIABILITY report line.

Environment (as for the integration tests): MERCHANTD_BIN, TEST_PG_URL, PG_BIN."""

import atexit
import base64
import collections
import hashlib
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness  # noqa: E402

SANITIZER_MARKERS = harness.SANITIZER_MARKERS

# Instances still running when this process ends (an exception, Ctrl-C,
# SIGTERM from a timeout) are killed rather than left behind; SIGTERM is
# turned into SystemExit so that finally blocks (a private cluster's
# removal) run too.
_running = set()


@atexit.register
def _kill_leftovers():
    for proc in list(_running):
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _exit_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)


if threading.current_thread() is threading.main_thread():
    signal.signal(signal.SIGTERM, _exit_on_sigterm)


# ---------------------------------------------------------------------------
# Reporting


def reliability_line(part, requests=0, five_xx=0, crashes=0, lost_writes=None, recovery_s=None,
                     rss_start_kb=None, rss_end_kb=None, notes=""):
    """Prints the one line tests/reliability/run.sh collects."""
    line = {"part": part, "requests": requests, "5xx": five_xx, "crashes": crashes,
            "lost_writes": lost_writes,
            "recovery_s": None if recovery_s is None else round(recovery_s, 3),
            "rss_start_kb": rss_start_kb, "rss_end_kb": rss_end_kb, "notes": notes}
    print("RELIABILITY " + json.dumps(line, ensure_ascii=False), flush=True)


def say(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# The process


def proc_rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def proc_fds(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


class Merchantd:
    """merchantd on a fixed port: kill -9 and start again keep the port, so
    clients need not follow it. Every instance's stderr is kept apart and
    read for sanitizer reports; an instance that exits without being told
    to counts as a crash."""

    def __init__(self, db_url, env=None, binary=None, port=None):
        self.db_url = db_url
        self.binary = binary or harness.MERCHANTD
        self.port = port or harness.free_port()
        self.port_given = port is not None
        self.env = dict(os.environ)
        self.env.update({"DATABASE_URL": db_url, "PORT": str(self.port),
                         "MERCHANTD_LOG_LEVEL": "warn", "MERCHANTD_THREADS": "2",
                         "MERCHANTD_TEST_MODE": "0"})
        # The image space's files: one directory for every start of this
        # instance, gone when the run ends.
        media_dir = tempfile.mkdtemp(prefix="merchantd-media-")
        atexit.register(shutil.rmtree, media_dir, ignore_errors=True)
        self.env["MERCHANTD_MEDIA_DIR"] = media_dir
        self.env.update(env or {})
        self.media_dir = self.env["MERCHANTD_MEDIA_DIR"]
        self.proc = None
        self.stderr = None
        self.crashes = 0
        self.reports = []  # sanitizer reports of instances already gone
        self.starts = 0

    @property
    def pid(self):
        return self.proc.pid

    def start(self, timeout=30):
        """Starts an instance; returns the seconds until /livez answered."""
        t0 = time.monotonic()
        deadline = t0 + timeout
        attempts = 0
        while True:
            attempts += 1
            self.stderr = tempfile.TemporaryFile(mode="w+")
            self.proc = subprocess.Popen([self.binary, "serve"], env=self.env,
                                         stdout=subprocess.DEVNULL, stderr=self.stderr)
            _running.add(self.proc)
            self.starts += 1
            last_error = None
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    break
                try:
                    status = request(self.port, "GET", "/livez", timeout=2)[0]
                    if status == 200:
                        self.port_given = True  # restarts keep it, for the clients
                        return time.monotonic() - t0
                    last_error = status
                except CONN_ERRORS as e:
                    last_error = e
                time.sleep(0.02)
            log = self._log()
            _running.discard(self.proc)
            if self.proc.poll() is None:
                report = harness.startup_report(self.proc.pid, self.port, last_error)
                self.proc.kill()
                self.proc.wait()
                raise AssertionError(f"merchantd did not come up (attempt {attempts}): {report};"
                                     f" log: {log[-2000:]}")
            # After a kill the port may still be held a moment: try again.
            # A first start takes another port.
            if "could not listen" in log and time.monotonic() < deadline:
                if self.port_given:
                    time.sleep(0.2)
                else:
                    self.port = harness.free_port()
                    self.env["PORT"] = str(self.port)
                self.stderr.close()
                continue
            raise AssertionError(f"merchantd exited with {self.proc.returncode}: {log[-2000:]}")

    def _log(self):
        self.stderr.seek(0)
        return self.stderr.read()

    def _judge(self, expected):
        """After an instance ended: a crash unless it ended as expected."""
        _running.discard(self.proc)
        log = self._log()
        if any(m in log for m in SANITIZER_MARKERS):
            self.reports.append(log[-6000:])
            self.crashes += 1
        elif self.proc.returncode not in expected:
            self.crashes += 1
            self.reports.append(f"exit status {self.proc.returncode}: {log[-3000:]}")
        self.stderr.close()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def kill9(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self._judge((-signal.SIGKILL,))

    def check_running(self):
        """Counts a crash (and starts again) when the instance died by itself."""
        if self.proc.poll() is not None:
            self._judge(())
            self.start()
            return False
        return True

    def stop(self, timeout=60):
        """Stops cleanly; the exit status must be 0 with no sanitizer report."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._judge((0,))
        self.proc = None

    def rss_kb(self):
        return proc_rss_kb(self.pid)

    def fds(self):
        return proc_fds(self.pid)

    def metric(self, name):
        status, _, _, raw = request(self.port, "GET", "/metrics", raw_reply=True)
        assert status == 200
        for line in raw.decode().splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
        return None


# ---------------------------------------------------------------------------
# HTTP


class Upload:
    """A picture sent raw (Content-Type: image/jpeg) as a request body: which
    of the load's pictures, to which shop (indexes into World.shops and
    pictures())."""

    __slots__ = ("data", "shop", "picture")

    def __init__(self, data, shop, picture):
        self.data, self.shop, self.picture = data, shop, picture

    def __repr__(self):
        return f"<picture {self.picture} to shop {self.shop}, {len(self.data)} bytes>"


def request(port, method, path, body=None, token=None, headers=None, timeout=10, source=None,
            raw=None, raw_reply=False, contract=True):
    """One request on a connection of its own: (status, json or None, headers).
    body is JSON, or an Upload sent raw. Raises OSError (and http.client's
    errors, which are OSError or HTTPException) when the connection fails.
    The reply is held to docs/openapi.yaml unless contract is false (a proxy
    in front may answer for itself)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout,
                                      source_address=(source, 0) if source else None)
    h = dict(headers or {})
    data = raw
    if isinstance(body, Upload):
        data = body.data
        h["Content-Type"] = "image/jpeg"
    elif body is not None:
        data = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    if token:
        h["Authorization"] = f"Bearer {token}"
    try:
        conn.request(method, path, body=data, headers=h)
        r = conn.getresponse()
        payload = r.read()
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        doc = None
        if payload and "json" in hdrs.get("content-type", ""):
            try:
                doc = json.loads(payload)
            except ValueError:
                doc = None
    finally:
        conn.close()
    if contract:
        harness.check_reply(method, path, r.status, hdrs, payload.decode("utf-8", "replace"))
    if raw_reply:
        return r.status, doc, hdrs, payload
    return r.status, doc, hdrs


CONN_ERRORS = (OSError, http.client.HTTPException)


# ---------------------------------------------------------------------------
# A world made with SQL: argon2 would make registering accounts slow.


def psql_input(url, text, timeout=120):
    out = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-Atq"], input=text, text=True,
                         capture_output=True, timeout=timeout)
    if out.returncode != 0:
        raise AssertionError(f"psql failed: {out.stderr.strip()}")
    return out.stdout.strip()


def make_accounts(url, role, n, prefix):
    """n accounts of the role with a live session each: [(id, token)]. Staff
    hold every permission."""
    permissions = ("'{review,finance,campaigns,community,support,growth}'" if role == "staff"
                   else "'{}'")
    ids = [int(x) for x in harness.psql(url, (
        f"INSERT INTO accounts (role, username, display_name, password_hash, created_at,"
        f" permissions)"
        f" SELECT '{role}', '{prefix}' || g, '{role} ' || g, '$argon2id$v=19$none', now(),"
        f" {permissions} FROM generate_series(1, {n}) g RETURNING id")).splitlines()]
    out, rows = [], []
    for ident in ids:
        raw = os.urandom(32)
        out.append((ident, base64.urlsafe_b64encode(raw).decode().rstrip("=")))
        digest = hashlib.blake2b(raw, digest_size=32).hexdigest()
        rows.append(f"({ident}, '{role}', '\\x{digest}', now() - interval '1 day',"
                    f" now() + interval '3650 days')")
    psql_input(url, "INSERT INTO sessions (account_id, role, token_hash, created_at, expires_at)"
                    " VALUES " + ",".join(rows) + ";")
    return out


def new_database(prefix="rel", base_url=None, binary=None):
    """A fresh database with every migration applied; returns its URL."""
    url = harness.new_database(prefix, base_url)
    out = subprocess.run([binary or harness.MERCHANTD, "migrate"], capture_output=True, text=True,
                         env=dict(os.environ, DATABASE_URL=url), timeout=120)
    assert out.returncode == 0, out.stderr
    return url


ADDRESS = json.loads(harness.ADDRESS_JSON)


class World:
    """Merchants with a shop each (SKUs, coupons, a promotion balance and a
    plan promoting its product on PROMO_WORD), buyers with a conversation
    with every shop, and a platform reviewer; all with live sessions. The
    last shop's plan has a small daily budget (promo_small_budget), so the
    budget runs out under load."""

    def __init__(self, url, merchants=2, buyers=8, limited_stock=40, stock=1000000,
                 coupon_total=25, coupon_per_buyer=3, promo_balance=1000000,
                 promo_budget=500000, promo_small_budget=600):
        self.url = url
        tag = uuid.uuid4().hex[:6]
        self.merchants = make_accounts(url, "merchant", merchants, f"fm{tag}_")
        self.buyers = make_accounts(url, "buyer", buyers, f"fb{tag}_")
        self.reviewer = make_accounts(url, "staff", 1, f"fr{tag}_")[0]
        self.shops = []      # [{"id", "merchant": index, "skus": [(id, price)], "coupons": [...]}]
        self.initial_stock = {}
        self.coupons = {}    # id -> (shop index, total, per_buyer)
        for mi, (mid, _) in enumerate(self.merchants):
            shop = int(harness.psql(url, f"INSERT INTO shops (merchant_id, name, created_at,"
                                         f" updated_at) VALUES ({mid}, 'Shop {mi}', now(), now())"
                                         f" RETURNING id"))
            product = int(harness.psql(url, f"INSERT INTO products (shop_id, title, status,"
                                            f" created_at, updated_at) VALUES ({shop}, 'Tea',"
                                            f" 'on_sale', now(), now()) RETURNING id"))
            skus = []
            for k, (qty, price) in enumerate(((limited_stock, 1500), (stock, 1000),
                                              (stock, 2300))):
                sku = int(harness.psql(url, f"INSERT INTO skus (product_id, shop_id, spec,"
                                            f" price_cents, stock, created_at, updated_at) VALUES"
                                            f" ({product}, {shop}, 'spec {k}', {price}, {qty},"
                                            f" now(), now()) RETURNING id"))
                skus.append((sku, price))
                self.initial_stock[sku] = qty
            coupons = []
            for total, per_buyer in ((coupon_total, coupon_per_buyer), (100000, 100)):
                cid = int(harness.psql(url, (
                    f"INSERT INTO coupons (shop_id, kind, title, discount_cents, min_order_cents,"
                    f" total_quantity, per_buyer_limit, claim_start, claim_end, valid_days,"
                    f" channel, created_at) VALUES ({shop}, 'shop', '1 off', 100, 0, {total},"
                    f" {per_buyer}, now() - interval '1 day', now() + interval '30 days', 7,"
                    f" 'normal', now()) RETURNING id")))
                coupons.append(cid)
                self.coupons[cid] = (len(self.shops), total, per_buyer)
            plan = self.promote(shop, mid, product, promo_balance,
                                promo_small_budget if mi == merchants - 1 else promo_budget,
                                30 + 10 * mi)
            self.shops.append({"id": shop, "merchant": mi, "skus": skus, "coupons": coupons,
                               "plan": plan})
        # conversation_open is what POST /v1/shops/{id}/conversations runs.
        self.convs = {}  # (buyer index, shop index) -> conversation id
        for bi, (bid, _) in enumerate(self.buyers):
            for si, shop in enumerate(self.shops):
                self.convs[(bi, si)] = int(harness.psql(
                    url, f"SELECT conversation_id FROM conversation_open({bid}, {shop['id']},"
                         f" now())"))

    def promote(self, shop, merchant, product, balance, budget, bid):
        """Tops the shop's promotion account up (a ledger posting from
        provider clearing, as a payment provider's top-up) and makes a plan
        serving from an hour ago; returns the plan's id."""
        assert harness.psql(self.url, (
            f"SELECT ledger_post('fault-topup:{shop}', 'topup', 1,"
            f" ARRAY[ledger_account({shop}, 'provider_clearing')],"
            f" ARRAY[ledger_account({shop}, 'promotion')], ARRAY[{balance}]::bigint[],"
            f" ARRAY['topup'], now())")) == "ok"
        words = json.dumps([{"word": PROMO_WORD, "bid_cents": bid}])
        code, body = harness.psql(self.url, (
            f"SELECT code, body FROM promotion_plan_write({merchant}, {shop}, NULL, {product},"
            f" 'fault plan', {budget}, now() - interval '1 hour', NULL, false,"
            f" '{words}'::jsonb, now())")).split("|", 1)
        assert code == "ok", (code, body)
        return json.loads(body)["id"]

    def shop_ids(self):
        return [s["id"] for s in self.shops]

    def plan_ids(self):
        return [s["plan"] for s in self.shops]


PROMO_WORD = "tea"


def impression_parts(token):
    """(impression id, plan id, price) of an impression_id token: base64url
    of the payload (version, impression, plan, price, expiry; big-endian)
    and its tag (docs/promotion.md "Impressions")."""
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    return (int.from_bytes(raw[1:9], "big"), int.from_bytes(raw[9:17], "big"),
            int.from_bytes(raw[17:21], "big"))


# ---------------------------------------------------------------------------
# What was acknowledged


STATUS_AFTER = {
    "unpaid": {"unpaid", "paid", "shipped", "completed", "closed"},
    "paid": {"paid", "shipped", "completed", "closed"},
    "shipped": {"shipped", "completed", "closed"},
    "completed": {"completed", "closed"},
    "closed": {"closed"},
}


class Acked:
    """Every write answered 2xx, and the sets the load picks its next steps
    from. Guarded by one lock."""

    def __init__(self):
        self.lock = threading.Lock()
        self.orders = {}      # id -> {"buyer", "shop", "events": set, "tracking"}
        self.by_state = collections.defaultdict(set)  # "unpaid"/"paid"/"held"/"shipped" -> ids
        self.claims = {}      # buyer coupon id -> (buyer index, coupon id)
        self.unused = collections.defaultdict(set)  # (buyer, shop) -> buyer coupon ids
        self.messages = {}    # id -> (conversation, text)
        self.conv_msgs = collections.defaultdict(list)  # conversation -> acked message ids
        self.reads = {}       # (conversation, side) -> highest acknowledged marker
        self.keyed = []       # (method, path, body, token, key, status, id) sent with a key
        self.cut_keyed = []   # (method, path, body, token, key) sent with a key, no reply
        # Uploads. A row of the images table is explained by an upload
        # answered 201 (its id is here), or by one that may have committed
        # without its client hearing: cut off, or still waiting for its
        # reply. Pictures are sent by (shop, picture) pairs.
        self.uploads = {}     # image id -> {"shop": index, "shop_id", "picture", "sha256", "bytes"}
        self.live_images = collections.defaultdict(set)  # shop index -> ids a delete may pick
        self.deleted = set()  # image ids whose delete was acknowledged
        self.maybe_deleted = set()  # image ids whose delete was cut off
        # Image ids whose delete was sent and not answered yet: a look at
        # the database meanwhile may find them gone or still there (after a
        # kill, the reply is on its way, or the thread is still recording
        # a cut-off delete).
        self.deleting = collections.Counter()
        self.cut_uploads = collections.Counter()  # (shop, picture) -> sent, no reply
        self.uploading = collections.Counter()    # (shop, picture) -> waiting for their reply
        self.unresolved = collections.Counter()   # (shop, picture) -> keyed, cut off, and
        #                                           their retry got no reply either
        self.shas = {}        # picture -> the SHA-256 of its stored original
        self.sha_conflicts = []  # one picture stored under two names
        self.files_missing = []  # entries whose files were not served while they existed
        self.views = set()    # (visitor, shop) of page views answered as stored
        # Promotion: impression id -> (plan id, price) of clicks answered
        # charged; the outcomes of every answered click; replays (a second
        # click of an impression) answered charged.
        self.clicks = {}
        self.click_outcomes = collections.Counter()
        self.charged_twice = []

    def count(self):
        with self.lock:
            n = len(self.orders) + len(self.claims) + len(self.messages) + len(self.reads)
            n += sum(len(o["events"]) - 1 for o in self.orders.values())
            return n + len(self.uploads) + len(self.deleted) + len(self.clicks)

    def add_upload(self, doc, shop, shop_id, picture):
        """An upload answered 201 (the lock held)."""
        iid = doc["id"]
        if iid not in self.uploads:
            self.live_images[shop].add(iid)
        self.uploads[iid] = {"shop": shop, "shop_id": shop_id, "picture": picture,
                             "sha256": doc["sha256"], "bytes": doc["bytes"]}
        known = self.shas.setdefault(picture, doc["sha256"])
        if known != doc["sha256"] and len(self.sha_conflicts) < 10:
            self.sha_conflicts.append(f"picture {picture} stored as {known} and {doc['sha256']}")

    def pick(self, state, rng, pred=None):
        with self.lock:
            ids = self.by_state[state]
            if not ids:
                return None
            cands = [i for i in rng.sample(sorted(ids), min(len(ids), 12))
                     if pred is None or pred(self.orders[i])]
            return cands[0] if cands else None

    def move(self, order, event, frm=(), to=None, **extra):
        with self.lock:
            o = self.orders[order]
            o["events"].add(event)
            o.update(extra)
            for s in frm:
                self.by_state[s].discard(order)
            if to:
                self.by_state[to].add(order)


class Stats:
    """Replies counted by kind. A 503 database_unavailable with Retry-After
    is what a client should get while PostgreSQL is away: it counts apart
    (db_503) where the test allows it, as a 5xx otherwise."""

    def __init__(self, allow_db_503=False):
        self.lock = threading.Lock()
        self.allow_db_503 = allow_db_503
        self.phase = "up"
        self.requests = 0
        self.five_xx = 0
        self.db_503 = 0
        self.busy_503 = 0
        self.busy_why = collections.Counter()  # the details of those 503s
        self.conn_errors = 0
        self.by_status = collections.Counter()
        self.by_phase = collections.defaultdict(collections.Counter)
        self.bad = []   # unexpected replies (5xx), a few kept for the report
        self.max_latency = collections.defaultdict(float)

    def note(self, status, what, doc, hdrs, latency):
        with self.lock:
            self.requests += 1
            self.by_status[status] += 1
            self.by_phase[self.phase][status] += 1
            self.max_latency[self.phase] = max(self.max_latency[self.phase], latency)
            if status < 500:
                return
            if (self.allow_db_503 and status == 503 and "retry-after" in hdrs
                    and (doc or {}).get("code") == "database_unavailable"):
                self.db_503 += 1
                return
            # Past the image workers and their queue: what promise 7 says.
            if (status == 503 and "retry-after" in hdrs
                    and (doc or {}).get("code") == "server_busy"):
                self.busy_503 += 1
                self.busy_why[doc.get("detail")] += 1
                return
            self.five_xx += 1
            if len(self.bad) < 20:
                self.bad.append((status, what, doc))

    def error(self):
        with self.lock:
            self.requests += 1
            self.conn_errors += 1
            self.by_phase[self.phase]["conn_error"] += 1


_pictures = []


PICTURES = 6       # sent again and again, each always named by some entry
RARE_PICTURES = 3  # uploaded and deleted at once: often named by no entry


def pictures(n=PICTURES + RARE_PICTURES):
    """n small distinct JPEGs (56x42 to 120x74), made once per process with the
    vips command as tests/integration/image_corpus.py makes its good files.
    The load sends these few again and again: its time goes to the server,
    not to Python encoding pictures, and uploads of the same bytes meet."""
    if len(_pictures) < n:
        import image_corpus
        _pictures[:] = [image_corpus.jpeg(56 + 8 * k, 42 + 4 * k, seed=100 + k)
                        for k in range(n)]
    return _pictures[:n]


def upload_keyed(shop, picture):
    """Whether uploads of this pair carry an Idempotency-Key: always or never,
    so that after the cut-off keyed uploads are sent again a keyed pair must
    have no row that no reply named (any would be a keyed upload run twice),
    while an unkeyed pair may have one per upload cut off."""
    return (shop + picture) % 2 == 0


class Load:
    """A mixed write load: buyers order, pay, cancel, confirm receipt, claim
    coupons and chat; merchants ship, chat and read, and with uploads=True
    upload pictures (some with an Idempotency-Key, some the same bytes from
    three threads at once) and delete some; the reviewer holds, releases and
    closes with refund. Every 2xx is recorded in self.acked. Threads pick a
    port from self.port, which a test may change."""

    WEIGHTS = (("order", 20), ("pay", 15), ("cancel", 2), ("confirm", 4), ("claim", 10),
               ("buyer_msg", 10), ("merchant_msg", 6), ("read", 5), ("ship", 12), ("hold", 6),
               ("close", 4), ("release", 3), ("reads", 0), ("refund", 4), ("upload", 0),
               ("upload_same", 0), ("delete_image", 0), ("upload_rare", 0), ("views", 6),
               ("click", 0))
    UPLOAD_WEIGHTS = {"upload": 5, "upload_same": 1, "delete_image": 2, "upload_rare": 2}

    def __init__(self, world, port, seed=None, keyed_share=0.2, reads_weight=0,
                 allow_db_503=False, source=None, uploads=False, clicks_weight=0):
        self.w = world
        self.port = port
        self.acked = Acked()
        self.stats = Stats(allow_db_503)
        self.stop_flag = threading.Event()
        self.threads = []
        self.local = threading.local()
        self.seed = seed if seed is not None else random.randrange(1 << 30)
        self.keyed_share = keyed_share
        self.source = source
        self.ops = [op for op, _ in self.WEIGHTS]
        self.weights = [reads_weight if op == "reads" else clicks_weight if op == "click" else
                        self.UPLOAD_WEIGHTS.get(op, 0) if uploads and op in self.UPLOAD_WEIGHTS
                        else wt for op, wt in self.WEIGHTS]
        self.pictures = pictures() if uploads else []

    # -- plumbing

    def call(self, method, path, body=None, token=None, key=None, what=""):
        """(status, document), or (None, None) when the connection failed;
        self.local.cut then tells whether the request may have been sent."""
        headers = {"Idempotency-Key": key} if key else None
        t0 = time.monotonic()
        self.local.cut = False
        try:
            status, doc, hdrs = request(self.port, method, path, body=body, token=token,
                                        headers=headers, timeout=15, source=self.source)
        except CONN_ERRORS as e:
            self.stats.error()
            self.local.cut = not isinstance(e, ConnectionRefusedError)
            if key and self.local.cut:  # sent, then cut off
                with self.acked.lock:
                    self.acked.cut_keyed.append((method, path, body, token, key))
            time.sleep(0.01)
            return None, None
        self.stats.note(status, what or path, doc, hdrs, time.monotonic() - t0)
        if status == 503:
            time.sleep(0.01)
        if 200 <= status < 300 and key:
            with self.acked.lock:
                self.acked.keyed.append((method, path, body, token, key, status,
                                         (doc or {}).get("id")))
        return status, doc

    def key(self, rng):
        return uuid.uuid4().hex if rng.random() < self.keyed_share else None

    # -- the steps

    def op_order(self, rng):
        bi = rng.randrange(len(self.w.buyers))
        si = rng.randrange(len(self.w.shops))
        shop = self.w.shops[si]
        sku, _ = rng.choice(shop["skus"])
        # The note makes every order body unique, so a duplicate can be told.
        body = {"shop_id": shop["id"], "items": [{"sku_id": sku, "quantity": rng.randint(1, 3)}],
                "address": ADDRESS, "note": uuid.uuid4().hex}
        coupon = None
        with self.acked.lock:
            unused = self.acked.unused[(bi, si)]
            if unused and rng.random() < 0.4:
                coupon = unused.pop()
        if coupon is not None:
            body["coupon_id"] = coupon
        status, doc = self.call("POST", "/v1/orders", body, self.w.buyers[bi][1], self.key(rng),
                                "order")
        if status == 201:
            with self.acked.lock:
                self.acked.orders[doc["id"]] = {"buyer": bi, "shop": si, "events": {"unpaid"},
                                                "tracking": None, "coupon": coupon}
                self.acked.by_state["unpaid"].add(doc["id"])
        elif status is not None and coupon is not None:
            with self.acked.lock:
                self.acked.unused[(bi, si)].add(coupon)

    def op_pay(self, rng):
        o = self.acked.pick("unpaid", rng)
        if o is None:
            return
        tok = self.w.buyers[self.acked.orders[o]["buyer"]][1]
        status, _ = self.call("POST", f"/v1/orders/{o}/pay", None, tok, self.key(rng), "pay")
        if status == 200:
            self.acked.move(o, "paid", frm=("unpaid",), to="paid")

    def op_cancel(self, rng):
        o = self.acked.pick("unpaid", rng)
        if o is None:
            return
        tok = self.w.buyers[self.acked.orders[o]["buyer"]][1]
        status, _ = self.call("POST", f"/v1/orders/{o}/cancel", None, tok, self.key(rng),
                              "cancel")
        if status == 200:
            self.acked.move(o, "closed", frm=("unpaid",))

    def op_confirm(self, rng):
        o = self.acked.pick("shipped", rng)
        if o is None:
            return
        tok = self.w.buyers[self.acked.orders[o]["buyer"]][1]
        status, _ = self.call("POST", f"/v1/orders/{o}/confirm-receipt", None, tok,
                              self.key(rng), "confirm")
        if status == 200:
            self.acked.move(o, "completed", frm=("shipped",))

    def op_claim(self, rng):
        bi = rng.randrange(len(self.w.buyers))
        si = rng.randrange(len(self.w.shops))
        cid = rng.choice(self.w.shops[si]["coupons"])
        status, doc = self.call("POST", f"/v1/coupons/{cid}/claim", None, self.w.buyers[bi][1],
                                self.key(rng), "claim")
        if status == 201:
            with self.acked.lock:
                self.acked.claims[doc["id"]] = (bi, cid)
                self.acked.unused[(bi, si)].add(doc["id"])

    def my_conversation(self, rng):
        """Any conversation: threads write the same ones at once, so messages
        and read markers of one conversation race each other too."""
        mine = self.local.convs
        return rng.choice(mine) if mine else (None, None)

    def op_views(self, rng):
        """A batch of shop page views from an anonymous visitor of its own
        (so each view is a row of its own, the minute whatever it is)."""
        visitor = uuid.uuid4().hex
        shops = [s["id"] for s in rng.sample(self.w.shops, min(3, len(self.w.shops)))]
        at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        views = [{"shop_id": sid, "visitor_id": visitor, "at": at, "source": "search"}
                 for sid in shops]
        status, doc = self.call("POST", "/v1/events/views", {"views": views}, None, None, "views")
        if status == 200 and doc.get("stored") == len(views):
            with self.acked.lock:
                self.acked.views.update((f"v:{visitor}", sid) for sid in shops)

    def op_click(self, rng):
        """A search of PROMO_WORD, mostly by an anonymous visitor of its own
        (so the fraud guard lets each charge), else by a buyer (whose repeat
        clicks the guard refuses), then a click of one promoted result; now
        and then the same impression clicked again, which must charge
        nothing. The click takes no Idempotency-Key: the impression is its
        key."""
        if rng.random() < 0.8:
            visitor, tok = uuid.uuid4().hex, None
        else:
            visitor, tok = None, rng.choice(self.w.buyers)[1]
        path = f"/v1/search/products?q={PROMO_WORD}&limit=5"
        status, doc = self.call("GET", path + (f"&visitor_id={visitor}" if visitor else ""),
                                None, tok, None, "search")
        if status != 200:
            return
        imps = [i["impression_id"] for i in doc["items"] if i.get("promoted")]
        if not imps:
            return
        imp = rng.choice(imps)
        body = {"impression_id": imp}
        if visitor:
            body["visitor_id"] = visitor
        again = rng.random() < 0.15
        for n in range(2 if again else 1):
            status, doc = self.call("POST", "/v1/promotions/clicks", body, tok, None, "click")
            if status != 200:
                return
            iid, plan, price = impression_parts(imp)
            with self.acked.lock:
                self.acked.click_outcomes[doc["outcome"] if n == 0 else "again:" + doc["outcome"]] += 1
                if doc["charged"]:
                    if n > 0 or iid in self.acked.clicks:
                        self.acked.charged_twice.append(f"impression {iid} charged again: {doc}")
                    elif doc["charged_cents"] != price:
                        self.acked.charged_twice.append(f"impression {iid} charged"
                                                        f" {doc['charged_cents']}, signed {price}")
                    self.acked.clicks[iid] = (plan, price)

    def op_msg(self, rng, side):
        bi, si = self.my_conversation(rng)
        if bi is None:
            return
        conv = self.w.convs[(bi, si)]
        tok = (self.w.buyers[bi][1] if side == "buyer"
               else self.w.merchants[self.w.shops[si]["merchant"]][1])
        text = f"{side} {uuid.uuid4().hex[:12]} 你好"
        status, doc = self.call("POST", f"/v1/conversations/{conv}/messages",
                                {"type": "text", "text": text}, tok, self.key(rng), "message")
        if status == 201:
            with self.acked.lock:
                self.acked.messages[doc["id"]] = (conv, text)
                self.acked.conv_msgs[conv].append(doc["id"])

    def op_read(self, rng):
        bi, si = self.my_conversation(rng)
        if bi is None:
            return
        conv = self.w.convs[(bi, si)]
        with self.acked.lock:
            ids = self.acked.conv_msgs[conv]
            up_to = rng.choice(ids) if ids else None
        if up_to is None:
            return
        side = rng.choice(("buyer", "merchant"))
        tok = (self.w.buyers[bi][1] if side == "buyer"
               else self.w.merchants[self.w.shops[si]["merchant"]][1])
        status, _ = self.call("POST", f"/v1/conversations/{conv}/read",
                              {"up_to_message_id": up_to}, tok, None, "read")
        if status == 200:
            with self.acked.lock:
                k = (conv, side)
                self.acked.reads[k] = max(self.acked.reads.get(k, 0), up_to)

    def op_ship(self, rng):
        o = self.acked.pick("paid", rng)
        if o is None:
            return
        si = self.acked.orders[o]["shop"]
        shop = self.w.shops[si]
        tracking = f"SF{o:010d}"
        status, _ = self.call("POST", f"/v1/shops/{shop['id']}/orders/{o}/ship",
                              {"carrier": "sf", "tracking_no": tracking},
                              self.w.merchants[shop["merchant"]][1], self.key(rng), "ship")
        if status == 200:
            self.acked.move(o, "shipped", frm=("paid",), to="shipped", tracking=tracking)

    def op_hold(self, rng):
        o = self.acked.pick("paid", rng)
        if o is None:
            return
        status, _ = self.call("POST", f"/v1/review/orders/{o}/hold", {"reason": "fraud check"},
                              self.w.reviewer[1], self.key(rng), "hold")
        if status == 200:
            self.acked.move(o, "held", frm=("paid",), to="held")

    def op_close(self, rng):
        o = self.acked.pick("held", rng)
        if o is None:
            return
        status, _ = self.call("POST", f"/v1/review/orders/{o}/close", {"reason": "fraud"},
                              self.w.reviewer[1], self.key(rng), "review close")
        if status == 200:
            self.acked.move(o, "closed_by_review", frm=("held",))

    def op_release(self, rng):
        o = self.acked.pick("held", rng)
        if o is None:
            return
        status, _ = self.call("POST", f"/v1/review/orders/{o}/release", None,
                              self.w.reviewer[1], self.key(rng), "release")
        if status == 200:
            self.acked.move(o, "released", frm=("held",), to="paid")

    def send_upload(self, si, picture, key):
        """One upload, accounted for: waiting, then answered 201, cut off, or
        refused (which commits nothing)."""
        shop = self.w.shops[si]
        pair = (si, picture)
        with self.acked.lock:
            self.acked.uploading[pair] += 1
        try:
            status, doc = self.call("POST", f"/v1/shops/{shop['id']}/images",
                                    Upload(self.pictures[picture], si, picture),
                                    self.w.merchants[shop["merchant"]][1], key, "upload")
        except BaseException:
            with self.acked.lock:  # a broken reply: it may have committed
                self.acked.uploading[pair] -= 1
                self.acked.cut_uploads[pair] += 1
            raise
        with self.acked.lock:
            self.acked.uploading[pair] -= 1
            if status == 201:
                self.acked.add_upload(doc, si, shop["id"], picture)
                self.local.last_image, self.local.last_urls = doc["id"], doc["urls"]
            elif status is None and self.local.cut:
                self.acked.cut_uploads[pair] += 1
        return status

    def op_upload(self, rng):
        si, k = rng.randrange(len(self.w.shops)), rng.randrange(PICTURES)
        self.send_upload(si, k, uuid.uuid4().hex if upload_keyed(si, k) else None)

    def op_upload_rare(self, rng):
        """A rare picture uploaded, its file read, and its entry deleted at
        once: its files are often named by no entry, so the collector
        (CollectorRacer) takes them while other threads upload the same
        bytes. While the entry exists its files must be served: a 404 is a
        row without its files, seen before another upload stores them again."""
        si, k = rng.randrange(len(self.w.shops)), PICTURES + rng.randrange(RARE_PICTURES)
        if self.send_upload(si, k, uuid.uuid4().hex if upload_keyed(si, k) else None) != 201:
            return
        iid = self.local.last_image
        try:
            status = request(self.port, "GET", self.local.last_urls["original"], timeout=15,
                             source=self.source)[0]
        except CONN_ERRORS:
            status = None
        if status == 404:
            with self.acked.lock:
                self.acked.files_missing.append(f"image {iid}: {self.local.last_urls['original']}"
                                                f" answered 404 after its upload's 201")
        self.op_delete_image(rng, si, iid)

    def op_upload_same(self, rng):
        """The same bytes from three threads at once; for a keyed pair, with
        one Idempotency-Key for all three half the time (one row, and every
        201 names it)."""
        si, k = rng.randrange(len(self.w.shops)), rng.randrange(PICTURES)
        keys = [None] * 3
        if upload_keyed(si, k):
            one = uuid.uuid4().hex if rng.random() < 0.5 else None
            keys = [one or uuid.uuid4().hex for _ in keys]
        for r in harness.parallel(self.send_upload, [(si, k, key) for key in keys]):
            if isinstance(r, BaseException):
                raise r

    def op_delete_image(self, rng, si=None, iid=None):
        """Deletes an acknowledged entry: the one given, or any of a shop."""
        si = rng.randrange(len(self.w.shops)) if si is None else si
        shop = self.w.shops[si]
        with self.acked.lock:
            live = self.acked.live_images[si]
            if iid is None and live:
                iid = rng.choice(sorted(live))
            if iid not in live:
                return
            live.discard(iid)
            self.acked.deleting[iid] += 1
        try:
            status, _ = self.call("DELETE", f"/v1/shops/{shop['id']}/images/{iid}", None,
                                  self.w.merchants[shop["merchant"]][1], None, "delete image")
        except BaseException:
            with self.acked.lock:  # a broken reply: it may have committed
                self.acked.deleting[iid] -= 1
                self.acked.maybe_deleted.add(iid)
            raise
        with self.acked.lock:
            self.acked.deleting[iid] -= 1
            if status == 204:
                self.acked.deleted.add(iid)
            elif status is None and self.local.cut:
                self.acked.maybe_deleted.add(iid)
            elif status != 404:  # a 404 is an acknowledged entry gone: lost_uploads says so
                self.acked.live_images[si].add(iid)

    def seed_pictures(self):
        """Uploads each picture once, before the faults: the names of their
        stored originals are known from then on, so every row can be told
        by picture. The rare ones' entries are deleted again."""
        rng = random.Random(self.seed)
        for k in range(len(self.pictures)):
            si = k % len(self.w.shops)
            assert self.send_upload(si, k, None) == 201
            if k >= PICTURES:
                self.op_delete_image(rng, si, self.local.last_image)
                assert self.local.last_image in self.acked.deleted

    def op_refund(self, rng):
        """Funds traffic beyond payment and settlement (which pay and confirm
        post): a small after-sales refund of a shipped order (out of the
        shop's pending) or of a completed one (clawed back after settlement),
        asked by the buyer and approved at once by the merchant."""
        o = self.acked.pick(rng.choice(("shipped", "completed")), rng)
        if o is None:
            return
        order = self.acked.orders[o]
        shop = self.w.shops[order["shop"]]
        tok = self.w.buyers[order["buyer"]][1]
        status, doc = self.call("POST", f"/v1/orders/{o}/after-sales",
                                {"type": "refund_only", "reason": "fault test refund",
                                 "amount_cents": rng.randint(1, 50)}, tok, self.key(rng),
                                "after-sales")
        if status != 201:
            return
        status, _ = self.call("POST", f"/v1/shops/{shop['id']}/after-sales/{doc['id']}/approve",
                              None, self.w.merchants[shop["merchant"]][1], self.key(rng),
                              "approve refund")
        if status == 200:
            self.acked.move(o, "refunded", refunds=order.get("refunds", 0) + 1)

    def op_reads(self, rng):
        """Read-only requests, for the soak."""
        bi = rng.randrange(len(self.w.buyers))
        si = rng.randrange(len(self.w.shops))
        shop = self.w.shops[si]
        mtok = self.w.merchants[shop["merchant"]][1]
        btok = self.w.buyers[bi][1]
        conv = self.w.convs[(bi, si)]
        path, tok = rng.choice((
            ("/v1/me", btok), ("/v1/orders?limit=20", btok), ("/v1/me/coupons", btok),
            (f"/v1/shops/{shop['id']}/orders?limit=50", mtok),
            (f"/v1/shops/{shop['id']}/orders?status=to_ship&limit=20", mtok),
            (f"/v1/conversations/{conv}/messages?limit=50", btok),
            (f"/v1/shops/{shop['id']}/conversations", mtok),
            (f"/v1/shops/{shop['id']}/coupons/claimable", btok),
            (f"/v1/shops/{shop['id']}/erp/orders?limit=100", mtok),
            ("/v1/review/orders?limit=20", self.w.reviewer[1])))
        self.call("GET", path, None, tok, None, path.split("?")[0])

    def step(self, rng):
        op = rng.choices(self.ops, self.weights)[0]
        if op in ("buyer_msg", "merchant_msg"):
            self.op_msg(rng, op.split("_")[0])
        else:
            getattr(self, "op_" + op)(rng)

    def run_thread(self, n, of):
        rng = random.Random(self.seed * 1000 + n)
        self.local.convs = sorted(self.w.convs)
        while not self.stop_flag.is_set():
            self.step(rng)

    def start(self, threads=6):
        for n in range(threads):
            t = threading.Thread(target=self.run_thread, args=(n, threads), daemon=True)
            t.start()
            self.threads.append(t)

    def stop(self):
        self.stop_flag.set()
        for t in self.threads:
            t.join(timeout=60)
        self.threads = []


# ---------------------------------------------------------------------------
# The checks


def q(url, sql):
    """Runs SQL (through stdin: the id lists of a long run pass the limit
    of one argument); returns the output, unaligned, tuples only."""
    return psql_input(url, sql + ";")


def rows(url, sql):
    text = q(url, sql)
    return [line.split("|") for line in text.splitlines()] if text else []


def lost_writes(url, acked):
    """The acknowledged writes the database does not have (a list of what
    is missing, empty when nothing is)."""
    lost = []
    with acked.lock:
        orders = dict(acked.orders)
        claims = dict(acked.claims)
        messages = dict(acked.messages)
        reads = dict(acked.reads)
        views = set(acked.views)
    if orders:
        ids = ",".join(str(i) for i in orders)
        found = {int(r[0]): r for r in rows(url, (
            f"SELECT id, status, coalesce(carrier, ''), coalesce(tracking_no, ''),"
            f" coalesce(review_status, ''), paid_cents, refunded_cents, coalesce(close_reason, '')"
            f" FROM orders WHERE id IN ({ids})"))}
        for oid, o in orders.items():
            r = found.get(oid)
            if r is None:
                lost.append(f"order {oid} missing")
                continue
            _, status, carrier, tracking, review, paid, refunded, reason = r
            for ev in o["events"]:
                base = {"held": "paid", "released": "paid", "refunded": "shipped",
                        "closed_by_review": "closed"}.get(ev, ev)
                if status not in STATUS_AFTER[base]:
                    lost.append(f"order {oid}: acknowledged {ev}, database has {status}")
            if "shipped" in o["events"] and (carrier, tracking) != ("sf", o["tracking"]):
                lost.append(f"order {oid}: shipment {o['tracking']} not recorded")
            if "held" in o["events"] and review == "":
                lost.append(f"order {oid}: acknowledged hold not recorded")
            if "released" in o["events"] and review not in ("released", "under_review",
                                                            "closed"):
                lost.append(f"order {oid}: acknowledged release, review {review}")
            if "closed_by_review" in o["events"] and (
                    review != "closed" or reason != "refunded" or refunded != paid):
                lost.append(f"order {oid}: acknowledged refund, has {status} {review} "
                            f"{refunded}/{paid}")
            if "paid" in o["events"] and int(paid) == 0:
                lost.append(f"order {oid}: acknowledged payment not recorded")
            if "refunded" in o["events"] and int(refunded) < o["refunds"]:
                lost.append(f"order {oid}: {o['refunds']} refunds acknowledged, database has"
                            f" {refunded} cents refunded")
    if claims:
        ids = ",".join(str(i) for i in claims)
        found = {int(r[0]): (int(r[1]), int(r[2])) for r in rows(
            url, f"SELECT b.id, b.buyer_id, b.coupon_id FROM buyer_coupons b WHERE id IN ({ids})")}
        for bc, (bi, cid) in claims.items():
            if bc not in found:
                lost.append(f"claim {bc} missing")
            elif found[bc][1] != cid:
                lost.append(f"claim {bc} of coupon {found[bc][1]}, acknowledged {cid}")
    if messages:
        found = {}
        idlist = list(messages)
        for k in range(0, len(idlist), 5000):
            part = ",".join(str(i) for i in idlist[k:k + 5000])
            for r in rows(url, f"SELECT id, conversation_id, body FROM messages WHERE id IN"
                               f" ({part})"):
                found[int(r[0])] = (int(r[1]), r[2])
        for mid, (conv, text) in messages.items():
            if found.get(mid) != (conv, text):
                lost.append(f"message {mid} missing")
    for (conv, side), up_to in reads.items():
        have = int(q(url, f"SELECT {side}_read_up_to FROM conversations WHERE id = {conv}"))
        if have < up_to:
            lost.append(f"conversation {conv}: {side} read up to {up_to}, database has {have}")
    if views:
        have = {(r[0], int(r[1])) for r in rows(url, "SELECT visitor, shop_id FROM page_views")}
        lost += [f"page view of shop {shop} by {visitor} missing"
                 for visitor, shop in sorted(views - have)]
    return lost + lost_uploads(acked, ImageRows(url))


class ImageRows:
    """The image space as the database has it, read by one psql run (it is
    read after every kill): every entry, the pictures chat messages name,
    and the spaces whose counters differ from their entries."""

    def __init__(self, url):
        out = psql_input(url, (
            "SELECT 'i', i.id, coalesce(sp.shop_id, 0), i.sha256, i.bytes, i.format"
            " FROM images i JOIN image_spaces sp ON sp.id = i.space_id;"
            " SELECT 'm', image_sha256 FROM messages WHERE image_sha256 IS NOT NULL GROUP BY 2;"
            " SELECT 's', sp.id, coalesce(sp.shop_id, 0), coalesce(sp.buyer_id, 0),"
            " sp.bytes_used, sp.images_used, coalesce(sum(i.bytes), 0), count(i.id)"
            " FROM image_spaces sp LEFT JOIN images i ON i.space_id = sp.id GROUP BY sp.id"
            " HAVING sp.bytes_used <> coalesce(sum(i.bytes), 0) OR sp.images_used <> count(i.id);"))
        self.images = {}  # id -> (shop id or 0, sha256, bytes, format)
        self.message_shas = set()
        self.spaces_off = []
        for line in out.splitlines():
            f = line.split("|")
            if f[0] == "i":
                self.images[int(f[1])] = (int(f[2]), f[3], int(f[4]), f[5])
            elif f[0] == "m":
                self.message_shas.add(f[1])
            elif f[0] == "s":
                self.spaces_off.append(f[1:])

    def named(self):
        """{sha256: its original's extension, or None when only a message
        names it}: what the collector must spare."""
        named = dict.fromkeys(self.message_shas)
        for _, sha, _, fmt in self.images.values():
            named[sha] = MEDIA_EXT[fmt]
        return named


def lost_uploads(acked, have):
    """Uploads answered 201 that are not in the database (ImageRows) as
    answered (shop, SHA-256, bytes), and acknowledged deletes whose row is
    still there."""
    with acked.lock:
        uploads = dict(acked.uploads)
        deleted = set(acked.deleted)
        maybe = set(acked.maybe_deleted) | {i for i, n in acked.deleting.items() if n > 0}
    lost = []
    for iid, u in uploads.items():
        row = have.images.get(iid)
        if iid in deleted:
            if row is not None:
                lost.append(f"image {iid}: delete acknowledged, the row is still there")
        elif row is None:
            if iid not in maybe:
                lost.append(f"image {iid} (picture {u['picture']}, shop {u['shop_id']}) missing")
        elif row[:3] != (u["shop_id"], u["sha256"], u["bytes"]):
            lost.append(f"image {iid}: acknowledged {u['shop_id']} {u['sha256']} {u['bytes']},"
                        f" database has {row}")
    return lost


def invariant_violations(url, world):
    """What does not add up: stock + sold = initial, coupon counts, refunds
    within what was paid, counter tabs and unread counters against a
    recount."""
    bad = []
    skus = ",".join(str(s) for s in world.initial_stock)
    for sku, stock, sold in rows(url, (
            f"SELECT s.id, s.stock, coalesce(sum(i.quantity) FILTER (WHERE o.status <> 'closed'),"
            f" 0) FROM skus s LEFT JOIN order_items i ON i.sku_id = s.id"
            f" LEFT JOIN orders o ON o.id = i.order_id WHERE s.id IN ({skus}) GROUP BY s.id")):
        if int(stock) + int(sold) != world.initial_stock[int(sku)]:
            bad.append(f"sku {sku}: stock {stock} + sold {sold} != "
                       f"{world.initial_stock[int(sku)]}")
    shops = ",".join(str(s) for s in world.shop_ids())
    for r in rows(url, (
            f"SELECT c.id, c.total_quantity, c.claimed, c.used,"
            f" (SELECT count(*) FROM buyer_coupons b WHERE b.coupon_id = c.id),"
            f" (SELECT count(*) FROM buyer_coupons b WHERE b.coupon_id = c.id"
            f"   AND b.used_order_id IS NOT NULL),"
            f" (SELECT count(*) FROM (SELECT b.buyer_id FROM buyer_coupons b"
            f"   WHERE b.coupon_id = c.id GROUP BY b.buyer_id"
            f"   HAVING count(*) > c.per_buyer_limit) x)"
            f" FROM coupons c WHERE c.shop_id IN ({shops})")):
        cid, total, claimed, used, n_rows, n_used, over = map(int, r)
        if not (claimed == n_rows and used == n_used and 0 <= used <= claimed <= total
                and over == 0):
            bad.append(f"coupon {cid}: total {total} claimed {claimed} used {used}; recount "
                       f"{n_rows} claimed, {n_used} used, {over} buyers past their limit")
    # Where the schema keeps a per-buyer claim counter, it must agree too.
    if q(url, "SELECT to_regclass('coupon_buyer_claims') IS NOT NULL") == "t":
        for r in rows(url, (
                f"SELECT k.coupon_id, k.buyer_id, k.n, (SELECT count(*) FROM buyer_coupons b"
                f"   WHERE b.coupon_id = k.coupon_id AND b.buyer_id = k.buyer_id) AS m"
                f" FROM coupon_buyer_claims k JOIN coupons c ON c.id = k.coupon_id"
                f" WHERE c.shop_id IN ({shops})")):
            if r[2] != r[3]:
                bad.append(f"coupon {r[0]} buyer {r[1]}: counter {r[2]}, recount {r[3]}")
    for r in rows(url, (
            f"SELECT b.id, b.used_order_id, coalesce(o.coupon_id, 0), o.status FROM buyer_coupons b"
            f" JOIN orders o ON o.id = b.used_order_id WHERE b.shop_id IN ({shops})"
            f" AND (o.coupon_id IS DISTINCT FROM b.id OR o.status = 'closed')")):
        bad.append(f"buyer coupon {r[0]} used by order {r[1]} (coupon {r[2]}, {r[3]})")
    for r in rows(url, (
            f"SELECT o.id, o.coupon_id FROM orders o LEFT JOIN buyer_coupons b ON b.id ="
            f" o.coupon_id WHERE o.shop_id IN ({shops}) AND o.coupon_id IS NOT NULL"
            f" AND o.status <> 'closed' AND b.used_order_id IS DISTINCT FROM o.id")):
        bad.append(f"order {r[0]} uses buyer coupon {r[1]}, which does not name it")
    for r in rows(url, (
            f"SELECT o.id, o.paid_cents, o.refunded_cents, coalesce(sum(f.amount_cents), 0)"
            f" FROM orders o LEFT JOIN refunds f ON f.order_id = o.id WHERE o.shop_id IN ({shops})"
            f" GROUP BY o.id HAVING o.refunded_cents > o.paid_cents"
            f" OR coalesce(sum(f.amount_cents), 0) <> o.refunded_cents"
            f" OR (o.review_status = 'closed' AND o.refunded_cents <> o.paid_cents)")):
        bad.append(f"order {r[0]}: paid {r[1]}, refunded {r[2]}, refund rows {r[3]}")
    for r in rows(url, (
            f"WITH expect AS ("
            f" SELECT shop_id, status AS tab, count(*) AS n FROM orders GROUP BY 1, 2"
            f" UNION ALL SELECT shop_id, 'after_sales', count(*) FROM orders"
            f"   WHERE after_sales_open GROUP BY 1"
            f" UNION ALL SELECT shop_id, 'under_review', count(*) FROM orders"
            f"   WHERE review_status = 'under_review' GROUP BY 1"
            f" UNION ALL SELECT shop_id, 'conversations', count(*) FROM conversations GROUP BY 1"
            f" UNION ALL SELECT shop_id, 'unread_conversations', count(*) FROM conversations"
            f"   WHERE merchant_unread > 0 GROUP BY 1"
            f" UNION ALL SELECT shop_id, 'unreplied_conversations', count(*) FROM conversations"
            f"   WHERE awaiting_reply GROUP BY 1"
            f" UNION ALL SELECT shop_id, 'unread_letters', count(*) FROM letters"
            f"   WHERE read_at IS NULL GROUP BY 1)"
            f" SELECT coalesce(e.shop_id, c.shop_id), coalesce(e.tab, c.tab), coalesce(e.n, 0),"
            f" coalesce(c.n, 0) FROM expect e FULL JOIN shop_order_counts c"
            f" ON c.shop_id = e.shop_id AND c.tab = e.tab"
            f" WHERE coalesce(e.n, 0) <> coalesce(c.n, 0)"
            f" AND coalesce(e.shop_id, c.shop_id) IN ({shops})")):
        bad.append(f"shop {r[0]} tab {r[1]}: counter {r[3]}, recount {r[2]}")
    for r in rows(url, (
            f"SELECT c.id, c.merchant_unread, c.buyer_unread, c.awaiting_reply,"
            f" (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id"
            f"   AND m.sender = 'buyer' AND m.id > c.merchant_read_up_to),"
            f" (SELECT count(*) FROM messages m WHERE m.conversation_id = c.id"
            f"   AND m.sender <> 'buyer' AND m.id > c.buyer_read_up_to),"
            f" coalesce((SELECT m.sender = 'buyer' FROM messages m WHERE m.conversation_id = c.id"
            f"   AND m.sender <> 'auto' ORDER BY m.id DESC LIMIT 1), false),"
            f" c.last_message_id IS NOT DISTINCT FROM (SELECT max(id) FROM messages m"
            f"   WHERE m.conversation_id = c.id)"
            f" FROM conversations c WHERE c.shop_id IN ({shops})")):
        cid, mu, bu, aw, mu2, bu2, aw2, last_ok = r
        if (mu, bu, aw) != (mu2, bu2, aw2) or last_ok != "t":
            bad.append(f"conversation {cid}: unread {mu}/{bu} awaiting {aw} last ok {last_ok};"
                       f" recount {mu2}/{bu2} awaiting {aw2}")
    return bad + space_violations(ImageRows(url))


def space_violations(have):
    """Image spaces whose usage counters (what the quota counts) differ from
    the sum of their entries (ImageRows)."""
    return [f"image space {r[0]} (shop {r[1] or '-'}, buyer {r[2] or '-'}): counters"
            f" {r[3]} bytes, {r[4]} images; entries {r[5]} bytes, {r[6]} images"
            for r in have.spaces_off]


def unexplained_uploads(world, acked, have, retried=False):
    """Rows of the load's shops that no 201 named, beyond what uploads that
    may have committed unheard explain, by (shop, picture): those cut off
    or still waiting for their reply. Once the cut-off keyed uploads were
    sent again (retried), a keyed pair may keep only as many such rows as
    keyed uploads whose retry got no reply either: one more is a keyed
    upload stored twice."""
    shops = {s["id"]: i for i, s in enumerate(world.shops)}
    with acked.lock:
        known = set(acked.uploads)
        by_sha = {sha: k for k, sha in acked.shas.items()}
        slack = collections.Counter(acked.cut_uploads)
        slack.update(acked.uploading)
        if retried:
            for pair in list(slack):
                if upload_keyed(*pair):
                    slack[pair] = acked.unresolved[pair]
    extra = collections.Counter()
    for iid, (shop_id, sha, _, _) in have.images.items():
        if iid not in known and shop_id in shops:
            extra[(shops[shop_id], by_sha.get(sha))] += 1
    bad = []
    for (si, k), n in sorted(extra.items(), key=str):
        if n > slack[(si, k)]:
            what = ("keyed uploads stored twice" if retried and k is not None
                    and upload_keyed(si, k) else "uploads that no cut-off request explains")
            bad.append(f"shop {world.shops[si]['id']} picture {k}: {n} rows no reply named,"
                       f" {slack[(si, k)]} uploads that may have committed unheard ({what})")
    return bad


# The media directory as mediastore.c writes it: files under a directory
# named by their first two hex digits, final names, and the temporary
# names of files being written (.tmp-<8 hex>-<final name>), which a crash
# leaves behind and collect_media removes once they are an hour old.
MEDIA_FINAL = re.compile(r"^([0-9a-f]{64})(\.jpg|\.png|\.webp|\.gif|_800\.webp|_200\.webp)$")
MEDIA_TEMP = re.compile(r"^\.tmp-[0-9a-f]{8}-([0-9a-f]{64}(?:\.jpg|\.png|\.webp|\.gif|_800\.webp"
                        r"|_200\.webp))$")
MEDIA_EXT = {"jpeg": ".jpg", "png": ".png", "webp": ".webp", "gif": ".gif"}


def media_listing(media_dir):
    """{final name: path}, [temporary files], [anything else: what the
    collector would never remove]."""
    final, temp, stray = {}, [], []
    for top in sorted(os.listdir(media_dir)):
        sub = os.path.join(media_dir, top)
        if not (len(top) == 2 and all(c in "0123456789abcdef" for c in top)
                and os.path.isdir(sub)):
            stray.append(sub)
            continue
        for name in os.listdir(sub):
            path = os.path.join(sub, name)
            m, t = MEDIA_FINAL.match(name), MEDIA_TEMP.match(name)
            if m and name.startswith(top) and os.path.isfile(path):
                final[name] = path
            elif t and os.path.isfile(path):
                temp.append(path)
            else:
                stray.append(path)
    return final, temp, stray


def media_file_problem(name, path):
    """Why a file under a final name is not whole, or None: an original must
    hash to its name, a WebP rendition must be as long as its RIFF header
    says."""
    with open(path, "rb") as f:
        data = f.read()
    if name.endswith(("_800.webp", "_200.webp")):
        if (len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WEBP"
                or struct.unpack("<I", data[4:8])[0] + 8 != len(data)):
            return f"{name}: not a whole WebP file ({len(data)} bytes)"
        return None
    if hashlib.sha256(data).hexdigest() != name[:64]:
        return f"{name}: its {len(data)} bytes do not hash to its name"
    return None


def media_violations(media_dir, have):
    """The files against the rows (ImageRows), while no instance runs: every
    image row's original and its two renditions exist under their final
    names, whole (the original hashes to the SHA-256 the row names), and so
    do the renditions of a picture a message names; no file under a final
    name is partial; nothing is there but final names and temporary files
    the collector removes. Returns (problems, figures)."""
    final, temp, stray = media_listing(media_dir)
    named = have.named()
    bad = [f"{p}: a file the collector would never remove" for p in stray[:10]]
    for name, path in sorted(final.items()):
        problem = media_file_problem(name, path)
        if problem:
            bad.append(problem)
    for sha, ext in sorted(named.items()):
        for tail in ((ext,) if ext else ()) + ("_800.webp", "_200.webp"):
            if sha + tail not in final:
                bad.append(f"{sha + tail}: named by a row, missing")
    blobs = {name[:64] for name in final}
    return bad, {"files": len(final), "blobs": len(blobs), "temp_files": len(temp),
                 "unnamed_blobs": len(blobs - set(named)), "stray": len(stray)}


def replay_mismatches(port, acked, limit=60, rng=None):
    """Acknowledged writes sent with an Idempotency-Key, sent again: each must
    get the stored reply (same status, same id)."""
    rng = rng or random.Random(1)
    with acked.lock:
        keyed = list(acked.keyed)
    bad = []
    for method, path, body, token, key, status, ident in rng.sample(keyed,
                                                                    min(limit, len(keyed))):
        s2, doc, hdrs = request(port, method, path, body=body, token=token,
                                headers={"Idempotency-Key": key})
        if s2 != status or (ident is not None and (doc or {}).get("id") != ident):
            bad.append(f"{method} {path} key {key}: first {status} id {ident}, replay {s2} "
                       f"{doc}")
    return bad


# ---------------------------------------------------------------------------
# kill -9 under a mixed write load


def retry_cut_keyed(port, world, acked, limit=300):
    """Sends again, with the same Idempotency-Key, writes whose first try
    got no reply (the process was killed): at once, then with the server's
    clock (test mode) past the 60 s after which a claim left by a dead
    process is taken over. Returns what they got and how many orders,
    messages and uploads then exist twice (the first try had committed).
    An upload's retry answered 201 is acknowledged from then on; one that
    got no reply stays unresolved."""
    with acked.lock:
        everything = list(acked.cut_keyed)
    cut = everything[:limit]
    first, later = collections.Counter(), collections.Counter()
    first_ids = {}  # an upload's key -> the id its first retry got
    twice = []      # upload keys whose two retries named two images
    for method, path, body, token, key in cut:
        st, doc, _ = request(port, method, path, body=body, token=token,
                             headers={"Idempotency-Key": key})
        first[st if st != 409 else (doc or {}).get("code", "409")] += 1
        if isinstance(body, Upload) and st == 201:
            first_ids[key] = doc["id"]
    ahead = time.time() + 61
    status = request(port, "PUT", "/v1/test/clock",
                     {"now": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ahead))})[0]
    assert status == 200, status
    try:
        for method, path, body, token, key in cut:
            try:
                st, doc, _ = request(port, method, path, body=body, token=token,
                                     headers={"Idempotency-Key": key})
            except CONN_ERRORS:
                if not isinstance(body, Upload):
                    raise
                st, doc = None, None
            later[st if st != 409 else (doc or {}).get("code", "409")] += 1
            if not isinstance(body, Upload):
                continue
            shop = world.shops[body.shop]
            with acked.lock:
                if st == 201:
                    acked.add_upload(doc, body.shop, shop["id"], body.picture)
                    if first_ids.get(key, doc["id"]) != doc["id"]:
                        twice.append(key)
                elif st is None or st == 409:
                    acked.unresolved[(body.shop, body.picture)] += 1
    finally:
        request(port, "PUT", "/v1/test/clock", {"now": None})
    with acked.lock:
        for _, _, body, _, _ in everything[limit:]:
            if isinstance(body, Upload):
                acked.unresolved[(body.shop, body.picture)] += 1
    shops = ",".join(str(x) for x in world.shop_ids())
    dup_orders = int(q(world.url, f"SELECT count(*) FROM (SELECT note FROM orders WHERE shop_id"
                                  f" IN ({shops}) AND note <> '' GROUP BY note"
                                  f" HAVING count(*) > 1) d"))
    dup_messages = int(q(world.url, f"SELECT count(*) FROM (SELECT body FROM messages WHERE"
                                    f" shop_id IN ({shops}) AND sender <> 'auto' GROUP BY"
                                    f" conversation_id, body HAVING count(*) > 1) d"))
    dup_uploads = unexplained_uploads(world, acked, ImageRows(world.url), retried=True)
    return {"retried": len(cut), "at_once": dict(first), "after_60s": dict(later),
            "uploads_retried": sum(1 for c in cut if isinstance(c[2], Upload)),
            "duplicate_orders": dup_orders, "duplicate_messages": dup_messages,
            "duplicate_uploads": len(twice) + len(dup_uploads),
            "duplicate_upload_notes": [f"key {k}: two retries named two images"
                                       for k in twice[:10]] + dup_uploads}


def after_kill_violations(url, world, acked, media_dir):
    """What must hold of uploads whenever no instance runs, a kill just
    done included: the files of every row, whole (media_violations); the
    spaces' counters; no row beyond what acknowledged and possibly
    committed uploads explain; every acknowledged upload and delete.
    Returns (problems, the media directory's figures)."""
    have = ImageRows(url)
    bad, figures = media_violations(media_dir, have)
    bad += space_violations(have)
    bad += unexplained_uploads(world, acked, have)
    bad += lost_uploads(acked, have)
    return bad, figures


def promotion_violations(url, world, acked):
    """What does not add up in the billing of clicks: an acknowledged
    charged click without exactly one charged row of its price and one
    ledger transfer of its event key, or whose impression is not in the
    impressions' log (promotion_impressions) with its plan and price (the
    search that issued the token committed it); a plan's day spending past its
    budget; a plan-day's spend and clicks, or a plan's lifetime ones, other
    than its charged clicks' sum; the charged clicks other than the
    promotion accounts' promotion_click debits; a charge acknowledged twice.
    Returns (problems, charged clicks in the database)."""
    bad = []
    plans = ",".join(str(p) for p in world.plan_ids())
    shops = ",".join(str(s) for s in world.shop_ids())
    with acked.lock:
        clicks = dict(acked.clicks)
        bad += acked.charged_twice[:10]
    if clicks:
        ids = ",".join(str(i) for i in clicks)
        have = {int(r[0]): r[1:] for r in rows(url, (
            f"SELECT c.impression_id, c.plan_id, c.price_cents, c.charged,"
            f" (SELECT count(*) FROM ledger_transfers t"
            f"   WHERE t.event_key = 'promotion_click:' || c.impression_id),"
            f" (SELECT coalesce(sum(t.amount_cents), 0) FROM ledger_transfers t"
            f"   WHERE t.event_key = 'promotion_click:' || c.impression_id"
            f"   AND t.debit_account_id = ledger_account(c.shop_id, 'promotion')),"
            f" (SELECT l.plan_id || ':' || l.price_cents FROM promotion_impressions l"
            f"   WHERE l.impression_id = c.impression_id)"
            f" FROM promotion_clicks c WHERE c.impression_id IN ({ids})"))}
        for iid, (plan, price) in clicks.items():
            r = have.get(iid)
            want = [str(plan), str(price), "t", "1", str(price), f"{plan}:{price}"]
            if r != want:
                bad.append(f"charged click {iid} (plan {plan}, {price}): database has"
                           f" {r or 'no row'} (plan, price, charged, transfers, debited,"
                           f" logged impression)")
    for r in rows(url, (
            f"SELECT d.plan_id, d.day, d.budget_cents, d.spend_cents, d.clicks,"
            f" coalesce(c.spend, 0), coalesce(c.n, 0) FROM promotion_plan_days d"
            f" LEFT JOIN (SELECT plan_id, (created_at AT TIME ZONE platform_zone())::date AS day,"
            f"   sum(price_cents) AS spend, count(*) AS n FROM promotion_clicks WHERE charged"
            f"   GROUP BY 1, 2) c ON c.plan_id = d.plan_id AND c.day = d.day"
            f" WHERE d.plan_id IN ({plans})"
            f" AND (d.spend_cents > d.budget_cents OR d.spend_cents <> coalesce(c.spend, 0)"
            f"   OR d.clicks <> coalesce(c.n, 0))")):
        bad.append(f"plan {r[0]} day {r[1]}: budget {r[2]}, spend {r[3]} in {r[4]} clicks;"
                   f" charged clicks {r[5]} in {r[6]}")
    for r in rows(url, (
            f"SELECT p.id, p.spend_cents, p.clicks, coalesce(sum(c.price_cents), 0), count(c.*)"
            f" FROM promotion_plans p LEFT JOIN promotion_clicks c ON c.plan_id = p.id"
            f" AND c.charged WHERE p.id IN ({plans}) GROUP BY p.id"
            f" HAVING p.spend_cents <> coalesce(sum(c.price_cents), 0)"
            f" OR p.clicks <> count(c.*)")):
        bad.append(f"plan {r[0]}: spend {r[1]} in {r[2]} clicks; charged clicks {r[3]} in {r[4]}")
    for r in rows(url, (
            f"SELECT s.id, coalesce((SELECT sum(c.price_cents) FROM promotion_clicks c"
            f"   WHERE c.shop_id = s.id AND c.charged), 0),"
            f" coalesce((SELECT sum(t.amount_cents) FROM ledger_transfers t"
            f"   WHERE t.kind = 'promotion_click'"
            f"   AND t.debit_account_id = ledger_account(s.id, 'promotion')), 0),"
            f" (SELECT count(*) FROM promotion_clicks c WHERE c.shop_id = s.id AND c.charged),"
            f" (SELECT count(*) FROM ledger_transfers t WHERE t.kind = 'promotion_click'"
            f"   AND t.debit_account_id = ledger_account(s.id, 'promotion'))"
            f" FROM shops s WHERE s.id IN ({shops})")):
        if r[1] != r[2] or r[3] != r[4]:
            bad.append(f"shop {r[0]}: charged clicks {r[1]} in {r[3]}, promotion account"
                       f" debited {r[2]} in {r[4]} transfers")
    charged = int(q(url, f"SELECT count(*) FROM promotion_clicks WHERE charged"
                         f" AND plan_id IN ({plans})"))
    return bad, charged


def wait_until(cond, timeout, every=0.1):
    """Polls cond until it is true or timeout seconds passed; returns its
    last value."""
    deadline = time.monotonic() + timeout
    while True:
        v = cond()
        if v or time.monotonic() >= deadline:
            return v
        time.sleep(every)


class CollectorRacer:
    """collect_media run again and again during the load (test mode's POST
    /v1/test/jobs/run), every file under a final name made two hours old
    first, as if each picture had been left unused for the collector's
    hour. The files of pictures whose entries are all deleted are then
    collected while uploads of the same bytes run: such an upload must be
    seen by the collector, or find its files gone and answer 503
    server_busy, never commit a row without files. Temporary files are left
    young: a file being written is never an hour old."""

    def __init__(self, srv, seed, every=(0.05, 0.2)):
        self.srv, self.every = srv, every
        self.rng = random.Random(seed)
        self.runs = collections.Counter()
        self.stop_flag = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop_flag.wait(self.rng.uniform(*self.every)):
            old = time.time() - 2 * 3600
            for path in media_listing(self.srv.media_dir)[0].values():
                try:
                    os.utime(path, (old, old))
                except FileNotFoundError:
                    pass  # collected meanwhile
            try:
                status = request(self.srv.port, "POST", "/v1/test/jobs/run", timeout=30)[0]
            except CONN_ERRORS:
                status = "no reply"
            self.runs[status] += 1

    def start(self):
        self.thread.start()

    def stop(self):
        self.stop_flag.set()
        self.thread.join(timeout=60)


def media_collected(srv, world, acked, timeout=30):
    """collect_media after a restart. The merchants delete every entry of
    picture 0 (its files now belong to no row), a temporary file is left
    as a crash between create and rename leaves one, every file is made two
    hours old, as if the hour the collector spares new files had passed, and
    the job is made due; merchantd is started again. Waits until no file
    is left that no row names, nor any temporary file, then stops it.
    Returns the figures; "problems" lists what broke."""
    url, media_dir = world.url, srv.media_dir
    problems = []
    sha = acked.shas.get(0)
    shops = {s["id"]: (i, s) for i, s in enumerate(world.shops)}
    for iid, shop_id in rows(url, f"SELECT i.id, sp.shop_id FROM images i JOIN image_spaces sp"
                                  f" ON sp.id = i.space_id WHERE i.sha256 = '{sha}'"):
        si, shop = shops[int(shop_id)]
        status = request(srv.port, "DELETE", f"/v1/shops/{shop_id}/images/{iid}",
                         token=world.merchants[shop["merchant"]][1])[0]
        if status != 204:
            problems.append(f"deleting image {iid}: {status}")
        with acked.lock:
            acked.deleted.add(int(iid))
            acked.live_images[si].discard(int(iid))
    srv.stop()
    final, temp, _ = media_listing(media_dir)
    natural_temp = len(temp)
    some = sorted(final)[0]
    planted = os.path.join(media_dir, some[:2], f".tmp-0badc0de-{some}")
    with open(planted, "wb") as f:
        f.write(b"RIFF")
    old = time.time() - 2 * 3600
    for path in list(final.values()) + temp + [planted]:
        os.utime(path, (old, old))
    named = set(ImageRows(url).named())
    unnamed = {name[:64] for name in final} - named
    q(url, "UPDATE job_schedule SET next_run_at = now() - interval '1 second'"
           " WHERE name = 'collect_media'")

    def left():
        f, t, _ = media_listing(media_dir)
        return [n for n in f if n[:64] not in named] + t

    srv.start()
    t0 = time.monotonic()
    wait_until(lambda: not left(), timeout)
    took = time.monotonic() - t0
    remaining = left()
    srv.stop()
    if sha is None or sha not in unnamed:
        problems.append("picture 0's files were not left without a row")
    if remaining:
        problems.append(f"{len(remaining)} files no row names, or temporary, still there"
                        f" {timeout} s after a restart: {remaining[:5]}")
    return {"unnamed_blobs": len(unnamed), "temp_files": natural_temp + 1,
            "natural_temp_files": natural_temp, "seconds": took, "left": len(remaining),
            "problems": problems}


def cli_check(db_url, what, binary=None):
    """`merchantd funds check` or `merchantd stats check` (what) on the
    database: its differences (the output lines), empty when it passes."""
    out = subprocess.run([binary or harness.MERCHANTD, what, "check"], capture_output=True,
                         text=True, timeout=300, env=dict(os.environ, DATABASE_URL=db_url))
    if out.returncode == 0:
        return []
    return (out.stdout + out.stderr).strip().splitlines() or [f"exit {out.returncode}"]


def funds_check(db_url, binary=None):
    return cli_check(db_url, "funds", binary)


def run_kill9(db_url, kills=20, burst=(0.5, 1.5), down=(0.0, 0.3), threads=6, env=None,
              binary=None, seed=None, world_kw=None, retry_keys=False, uploads=True,
              collector=None, clicks_weight=6):
    """Runs the load, kills merchantd with SIGKILL `kills` times at random
    moments and starts it again on the same database; then stops it cleanly
    and checks every acknowledged write and the invariants. With uploads,
    the load uploads and deletes pictures too, the uploads' invariants
    (after_kill_violations) are checked after every kill and at the end,
    and the collector is seen to remove what no row names after a restart
    (media_collected); with collector (the default when retry_keys puts
    merchantd in test mode), it also runs again and again during the load
    (CollectorRacer). Returns the figures (see the keys)."""
    rng = random.Random(seed)
    world = World(db_url, **(world_kw or {}))
    collector = uploads and (retry_keys if collector is None else collector)
    if retry_keys or collector:
        env = dict(env or {}, MERCHANTD_TEST_MODE="1")
    srv = Merchantd(db_url, env=env, binary=binary)
    srv.start()
    load = Load(world, srv.port, seed=rng.randrange(1 << 30), uploads=uploads,
                clicks_weight=clicks_weight)
    if uploads:
        load.seed_pictures()
    racer = CollectorRacer(srv, rng.randrange(1 << 30)) if collector else None
    if racer:
        racer.start()
    load.start(threads)
    restarts = []
    after_kills = []  # (kill, problem)
    media = collections.Counter()  # the largest figures seen after a kill
    funds = []  # the funds check after each kill: (kill, differences)
    stats = []  # the data pages' rollups against a rebuild after each kill
    promo = []  # the billing of clicks after each kill: (kill, problem)
    t0 = time.monotonic()
    try:
        for n in range(kills):
            time.sleep(rng.uniform(*burst))
            srv.check_running()
            srv.kill9()
            if uploads:
                found, figures = after_kill_violations(db_url, world, load.acked, srv.media_dir)
                after_kills += [(n + 1, x) for x in found]
                media["temp_files_seen"] += figures["temp_files"]
                for k in ("blobs", "unnamed_blobs"):
                    media[k] = max(media[k], figures[k])
            # Every acknowledged charge is there once, and no day spent
            # past its budget, whatever the kill cut off.
            promo += [(n + 1, x) for x in promotion_violations(db_url, world, load.acked)[0]]
            # Whatever the kill cut off, the ledger reconciles: every
            # posting committed whole or not at all.
            found = funds_check(db_url, binary)
            if found:
                funds.append((n + 1, found[:10]))
            # A fold cut off left nothing behind: the rollups equal a rebuild.
            found = cli_check(db_url, "stats", binary)
            if found:
                stats.append((n + 1, found[:10]))
            time.sleep(rng.uniform(*down))
            restarts.append(srv.start())
        time.sleep(rng.uniform(*burst))
    finally:
        load.stop()
        if racer:
            racer.stop()
    elapsed = time.monotonic() - t0
    replays = replay_mismatches(srv.port, load.acked)
    retried = retry_cut_keyed(srv.port, world, load.acked) if retry_keys else None
    if uploads:
        collected = media_collected(srv, world, load.acked)
        found, figures = after_kill_violations(db_url, world, load.acked, srv.media_dir)
        after_kills += [("end", x) for x in found]
    else:
        srv.stop()
        collected, figures = None, {}
    lost = lost_writes(db_url, load.acked)
    bad = invariant_violations(db_url, world)
    found, clicks_in_db = promotion_violations(db_url, world, load.acked)
    promo += [("end", x) for x in found]
    final = funds_check(db_url, binary)
    if final:
        funds.append(("end", final[:10]))
    final = cli_check(db_url, "stats", binary)
    if final:
        stats.append(("end", final[:10]))
    a = load.acked
    return {"kills": kills, "seconds": elapsed, "requests": load.stats.requests,
            "funds_check": funds, "stats_check": stats,
            "acked_refunds": sum(o.get("refunds", 0) for o in a.orders.values()),
            "settled": int(q(db_url, "SELECT count(*) FROM order_funds WHERE state = 'settled'")),
            "conn_errors": load.stats.conn_errors, "5xx": load.stats.five_xx,
            "busy_503": load.stats.busy_503, "busy_why": dict(load.stats.busy_why),
            "bad_replies": load.stats.bad, "by_status": dict(load.stats.by_status),
            "acked": a.count(), "acked_orders": len(a.orders),
            "acked_claims": len(a.claims), "acked_messages": len(a.messages),
            "acked_views": len(a.views),
            "acked_clicks": len(a.clicks), "clicks_in_db": clicks_in_db,
            "click_outcomes": dict(a.click_outcomes),
            "promotion": [f"after kill {k}: {x}" for k, x in promo],
            "acked_uploads": len(a.uploads), "acked_deletes": len(a.deleted),
            "cut_uploads": sum(a.cut_uploads.values()),
            "keyed_uploads": sum(1 for k in a.keyed if isinstance(k[2], Upload)),
            "keyed": len(a.keyed), "lost": lost, "invariants": bad + a.sha_conflicts,
            "media": [f"after kill {k}: {x}" for k, x in after_kills] + a.files_missing,
            "media_figures": dict(media, end=figures), "collected": collected,
            "collector_runs": dict(racer.runs) if racer else None,
            "replays": replays, "retried": retried, "crashes": srv.crashes,
            "reports": srv.reports,
            "restart_max_s": max(restarts) if restarts else None,
            "restart_mean_s": sum(restarts) / len(restarts) if restarts else None}


# ---------------------------------------------------------------------------
# PostgreSQL stopped and started, and merchantd's connections terminated


def timed(fn, *args, **kwargs):
    t0 = time.monotonic()
    out = fn(*args, **kwargs)
    return out, time.monotonic() - t0


def outage_problems(port, token):
    """While PostgreSQL is away: /livez 200, /readyz 503, an API request 503
    database_unavailable with Retry-After. Returns (problems, slowest)."""
    problems, slowest = [], 0.0
    for path, tok, want in (("/livez", None, 200), ("/readyz", None, 503),
                            ("/v1/me", token, 503), ("/v1/orders", token, 503)):
        try:
            (status, doc, hdrs), took = timed(request, port, "GET", path, token=tok, timeout=10)
        except CONN_ERRORS as e:
            problems.append(f"{path}: {e!r}")
            continue
        slowest = max(slowest, took)
        if status != want:
            problems.append(f"{path}: {status} {doc}")
        elif want == 503 and ((doc or {}).get("code") != "database_unavailable"
                              or "retry-after" not in hdrs):
            problems.append(f"{path}: 503 without database_unavailable and Retry-After: {doc}")
    return problems, slowest


def merchantd_backends(url):
    """(HTTP, job and hash connections, listener connections) of merchantd."""
    try:
        r = q(url, "SELECT count(*) FILTER (WHERE application_name = 'merchantd'),"
                   " count(*) FILTER (WHERE application_name = 'merchantd-listener')"
                   " FROM pg_stat_activity")
    except AssertionError:
        return 0, 0
    a, b = r.split("|")
    return int(a), int(b)


def wait_recovered(port, token, db_url, threads, bound=15.0):
    """After PostgreSQL is back: (seconds to the first 2xx, seconds until
    every thread is back: a round of 2 x threads concurrent requests all 2xx,
    /readyz 200, a connection per HTTP thread and the listener's in
    pg_stat_activity). None for what did not happen within bound."""
    t0 = time.monotonic()
    first = None
    while time.monotonic() - t0 < bound:
        statuses = harness.parallel(
            lambda: request(port, "GET", "/v1/me", token=token, timeout=10)[0],
            [()] * (2 * threads))
        now = time.monotonic() - t0
        if first is None and any(st == 200 for st in statuses):
            first = now
        if all(st == 200 for st in statuses):
            try:
                ready = request(port, "GET", "/readyz", timeout=10)[0] == 200
            except CONN_ERRORS:
                ready = False
            conns, listener = merchantd_backends(db_url)
            if ready and conns >= threads and listener >= 1:
                return first, time.monotonic() - t0
        time.sleep(0.05)
    return first, None


def listener_delay(port, world, timeout=8):
    """Seconds from a message being sent to a waiting long poll returning
    with it: the LISTEN connection is what wakes the poll."""
    btok = world.buyers[0][1]
    conv = world.convs[(0, 0)]
    mtok = world.merchants[world.shops[0]["merchant"]][1]
    status, doc, _ = request(port, "GET", "/v1/events/poll?timeout=0", token=btok)
    assert status == 200, (status, doc)
    after = doc["next_after"]
    result = {}

    def poll():
        t = time.monotonic()
        result["reply"] = request(port, "GET", f"/v1/events/poll?after={after}&timeout={timeout}",
                                  token=btok, timeout=timeout + 10)
        result["at"] = time.monotonic()
        result["took"] = result["at"] - t

    th = threading.Thread(target=poll)
    th.start()
    time.sleep(0.3)  # the poll is waiting
    sent = time.monotonic()
    status, doc, _ = request(port, "POST", f"/v1/conversations/{conv}/messages",
                             {"type": "text", "text": "still there?"}, token=mtok)
    assert status == 201, (status, doc)
    th.join()
    status, doc, _ = result["reply"]
    assert status == 200 and doc["items"], (status, doc)
    return result["at"] - sent


def run_db_outage(cycles=2, down_s=2.0, terminations=2, http_threads=4, load_threads=6,
                  binary=None, env=None, seed=None, bound=5.0):
    """Under a mixed load: PostgreSQL stopped for down_s and started again,
    `cycles` times, then merchantd's connections (the listener's too)
    terminated with pg_terminate_backend, `terminations` times. Returns the
    figures; "problems" lists what broke a promise."""
    rng = random.Random(seed)
    cluster = harness.Cluster()
    problems = []
    recoveries = []   # (what, first 2xx, full)
    down_slowest = 0.0
    try:
        db = new_database("outage", base_url=cluster.url, binary=binary)
        world = World(db)
        srv = Merchantd(db, env=dict({"MERCHANTD_THREADS": str(http_threads)}, **(env or {})),
                        binary=binary)
        srv.start()
        token = world.buyers[1][1]
        load = Load(world, srv.port, seed=rng.randrange(1 << 30), reads_weight=25,
                    allow_db_503=True)
        load.start(load_threads)
        try:
            time.sleep(1.0)
            for c in range(cycles):
                cluster.stop()
                load.stats.phase = "down"
                t_down = time.monotonic()
                while time.monotonic() - t_down < down_s:
                    p, slow = outage_problems(srv.port, token)
                    problems += [f"outage {c + 1}: {x}" for x in p]
                    down_slowest = max(down_slowest, slow)
                    time.sleep(0.2)
                cluster.start()
                load.stats.phase = "recovering"
                first, full = wait_recovered(srv.port, token, db, http_threads)
                load.stats.phase = "up"
                recoveries.append((f"restart {c + 1}", first, full))
                time.sleep(1.0)
            for t in range(terminations):
                psql_input(db, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                               " WHERE application_name LIKE 'merchantd%';")
                load.stats.phase = "recovering"
                first, full = wait_recovered(srv.port, token, db, http_threads)
                load.stats.phase = "up"
                recoveries.append((f"terminate {t + 1}", first, full))
                time.sleep(1.0)
        finally:
            load.stop()
        delay = listener_delay(srv.port, world)
        if not srv.check_running():
            problems.append("merchantd died")
        srv.stop()
        lost = lost_writes(db, load.acked)
        bad = invariant_violations(db, world)
    finally:
        cluster.destroy()
    for what, first, full in recoveries:
        if full is None or full > bound:
            problems.append(f"{what}: no full recovery within {bound} s (first 2xx {first})")
    if down_slowest > 3.5 or load.stats.max_latency["down"] > 3.5:
        problems.append(f"a request took {max(down_slowest, load.stats.max_latency['down']):.2f} s"
                        f" while PostgreSQL was down")
    if delay > 2.5:
        problems.append(f"the events listener took {delay:.2f} s to deliver after recovery")
    return {"requests": load.stats.requests, "5xx": load.stats.five_xx,
            "db_503": load.stats.db_503, "bad_replies": load.stats.bad,
            "by_phase": {k: dict(v) for k, v in load.stats.by_phase.items()},
            "max_latency": dict(load.stats.max_latency), "down_probe_slowest": down_slowest,
            "recoveries": recoveries, "listener_delay": delay, "acked": load.acked.count(),
            "lost": lost, "invariants": bad, "crashes": srv.crashes, "reports": srv.reports,
            "restarts_of_merchantd": srv.starts - 1, "problems": problems,
            "recovery_max_s": max((f for _, _, f in recoveries if f is not None), default=None)}


# ---------------------------------------------------------------------------
# Slow and idle clients


class SlowClients:
    """Many connections from one address that send their request a byte at a
    time: headers never finished, or a body never finished. Tracks when
    the server closed each one and what it answered, if anything."""

    def __init__(self, port, n, token, conv, source="127.0.0.1", body_share=0.3):
        import selectors
        self.sel = selectors.DefaultSelector()
        self.socks = {}  # fd -> dict(sock, kind, opened, closed, reply)
        self.refused = 0
        for i in range(n):
            kind = ("body" if (i % 10) < body_share * 10 else
                    "idle" if i % 10 == 9 else "headers")
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind((source, 0))
            opened = time.monotonic()
            try:
                s.connect(("127.0.0.1", port))
                s.setblocking(False)
                if kind == "headers":
                    s.send(b"GET /v1/me HTTP/1.1\r\nHost: slow\r\nX-Slow: ")
                elif kind == "body":
                    s.send((f"POST /v1/conversations/{conv}/messages HTTP/1.1\r\nHost: slow\r\n"
                            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
                            f"Content-Length: 60000\r\n\r\n{{\"type\": \"text\", \"text\": \"")
                           .encode())
            except OSError:
                self.refused += 1
                s.close()
                continue
            self.socks[s.fileno()] = {"sock": s, "kind": kind, "opened": opened, "closed": None,
                                      "reply": b""}
            self.sel.register(s, selectors.EVENT_READ)
        self.watch(0.2)

    def watch(self, seconds):
        """Reads what the server sends; notes the connections it closed."""
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            for key, _ in self.sel.select(timeout=max(0.0, left)):
                c = self.socks[key.fd]
                try:
                    data = c["sock"].recv(4096)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    data = b""
                if data:
                    c["reply"] += data[:200]
                    continue
                c["closed"] = time.monotonic()
                self.sel.unregister(c["sock"])
            if left <= 0:
                return

    def trickle(self):
        """One more byte on every connection still open."""
        for c in self.socks.values():
            if c["closed"] is not None or c["kind"] == "idle":
                continue
            try:
                c["sock"].send(b"a" if c["kind"] == "headers" else b" ")
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                c["closed"] = time.monotonic()
                try:
                    self.sel.unregister(c["sock"])
                except (KeyError, ValueError):
                    pass

    def open_count(self, kind=None):
        return sum(1 for c in self.socks.values()
                   if c["closed"] is None and kind in (None, c["kind"]))

    def closed_within(self, seconds):
        return sum(1 for c in self.socks.values()
                   if c["closed"] is not None and c["closed"] - c["opened"] <= seconds)

    def replies(self):
        out = collections.Counter()
        for c in self.socks.values():
            if c["reply"]:
                out[c["reply"][:12].decode("latin-1")] += 1
        return out

    def close(self):
        for c in self.socks.values():
            try:
                self.sel.unregister(c["sock"])
            except (KeyError, ValueError):
                pass
            c["sock"].close()
        self.sel.close()


class Prober:
    """A normal client from another address: requests one after another,
    recording each one's latency and status."""

    def __init__(self, port, token, source, conv=None):
        self.port, self.token, self.source, self.conv = port, token, source, conv
        self.latencies = []
        self.statuses = collections.Counter()
        self.errors = []
        self.stop_flag = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        n = 0
        while not self.stop_flag.is_set():
            n += 1
            if self.conv and n % 4 == 0:
                args = ("POST", f"/v1/conversations/{self.conv}/messages",
                        {"type": "text", "text": f"normal {n}"})
            else:
                args = ("GET", "/v1/me", None)
            t0 = time.monotonic()
            try:
                status = request(self.port, *args, token=self.token, timeout=10,
                                 source=self.source)[0]
                self.statuses[status] += 1
            except CONN_ERRORS as e:
                self.errors.append(repr(e))
            self.latencies.append(time.monotonic() - t0)
            time.sleep(0.02)

    def start(self):
        self.thread.start()

    def stop(self):
        self.stop_flag.set()
        self.thread.join()

    def percentile(self, p):
        xs = sorted(self.latencies)
        return xs[min(len(xs) - 1, int(len(xs) * p))] if xs else None


def other_loopback(address="127.0.0.2"):
    """A loopback address other than 127.0.0.1 this machine can send from."""
    try:
        with socket.socket() as s:
            s.bind((address, 0))
        return address
    except OSError:
        return None


def header_floods(port, n, source, size=128 * 1024):
    """n connections at once, each sending headers larger than a
    connection's memory: each must be refused (431, or 414 for a long
    request line) and closed. Returns a Counter of the status lines."""
    def one(i):
        s = socket.socket()
        try:
            s.bind((source, 0))
            s.settimeout(10)
            s.connect(("127.0.0.1", port))
            if i % 2:
                data = b"GET /livez HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * size + b"\r\n\r\n"
            else:
                data = b"GET /" + b"b" * size + b" HTTP/1.1\r\nHost: x\r\n\r\n"
            try:
                s.sendall(data)
            except OSError:
                pass  # refused part way: the reply is already there
            reply = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                reply += chunk
            return reply.split(b"\r\n", 1)[0].decode("latin-1") or "closed"
        except OSError as e:
            return f"error {e.__class__.__name__}"
        finally:
            s.close()
    return collections.Counter(harness.parallel(one, [(i,) for i in range(n)]))


class Sampler:
    """RSS and open descriptors of a process, sampled every `every` seconds."""

    def __init__(self, pid, every=1.0):
        self.pid, self.every = pid, every
        self.samples = []  # (seconds since start, rss kB, fds)
        self.stop_flag = threading.Event()
        self.t0 = time.monotonic()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def take(self):
        rss, fds = proc_rss_kb(self.pid), proc_fds(self.pid)
        if rss is not None:
            self.samples.append((time.monotonic() - self.t0, rss, fds))

    def run(self):
        while not self.stop_flag.wait(self.every):
            self.take()

    def stop(self):
        self.stop_flag.set()
        self.thread.join()
        self.take()

    def max_rss(self):
        return max(s[1] for s in self.samples)

    def max_fds(self):
        return max(s[2] for s in self.samples)


def warm(srv, token, source=None, connections=8):
    """Opens each HTTP thread's database connection before a baseline is
    taken. Connections are held open together: a thread is chosen by the
    connection's descriptor, and one at a time would reuse one descriptor."""
    conns = [http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10,
                                        source_address=(source, 0) if source else None)
             for _ in range(connections)]
    try:
        for c in conns:
            c.connect()
        for c in conns:
            c.request("GET", "/v1/me", headers={"Authorization": f"Bearer {token}"})
        for c in conns:
            r = c.getresponse()
            r.read()
            assert r.status == 200, r.status
    finally:
        for c in conns:
            c.close()


def wait_for_fds(srv, at_most, timeout=10):
    """Waits until the server has at most that many descriptors; returns its count."""
    deadline = time.monotonic() + timeout
    n = srv.fds()
    while n > at_most and time.monotonic() < deadline:
        time.sleep(0.1)
        n = srv.fds()
    return n


def effective_limit(env, name):
    """The value merchantd runs with: the environment's, else the default
    server/base/config.c gives it."""
    if env.get(name):
        return int(env[name])
    with open(os.path.join(HERE, "..", "..", "server", "base", "config.c")) as f:
        m = re.search(r'env_uint\("' + name + r'",\s*([0-9* ]+),', f.read())
    value = 1
    for factor in m.group(1).split("*"):  # a constant such as 64 * 1024
        value *= int(factor)
    return value


def run_slowloris(conns=1000, seconds=30, interval=2.0, binary=None, env=None, flood_conns=100,
                  latency_p99=0.5, latency_max=2.0, rss_growth_kb=64 * 1024):
    """conns slow connections from 127.0.0.1 for `seconds`, a byte each every
    `interval` seconds, while a normal client on another loopback address
    keeps working. The server runs with its default limits (env may
    override them). Returns the figures; "problems" lists broken promises."""
    db = new_database("slow", binary=binary)
    (_, mtok), = make_accounts(db, "merchant", 1, "sm" + uuid.uuid4().hex[:6] + "_")
    buyers = make_accounts(db, "buyer", 2, "sb" + uuid.uuid4().hex[:6] + "_")
    mid = int(q(db, "SELECT id FROM accounts WHERE role = 'merchant'"))
    shop = int(q(db, f"INSERT INTO shops (merchant_id, name, created_at, updated_at)"
                     f" VALUES ({mid}, 'Slow', now(), now()) RETURNING id"))
    convs = [int(q(db, f"SELECT conversation_id FROM conversation_open({b}, {shop}, now())"))
             for b, _ in buyers]
    srv = Merchantd(db, env=dict({"MERCHANTD_PER_IP_CONNECTION_LIMIT": ""}, **(env or {})),
                    binary=binary)
    srv.start()
    per_ip = effective_limit(srv.env, "MERCHANTD_PER_IP_CONNECTION_LIMIT")
    problems = []
    source = other_loopback()
    if source is None:
        problems.append("no second loopback address to test from")
        srv.stop()
        return {"problems": problems}
    warm(srv, buyers[0][1], source=source)
    base_fds, base_rss = srv.fds(), srv.rss_kb()
    sampler = Sampler(srv.pid, every=0.5)
    prober = Prober(srv.port, buyers[0][1], source, convs[0])
    prober.start()
    t0 = time.monotonic()
    slow = SlowClients(srv.port, conns, buyers[1][1], convs[1])
    opened_s = time.monotonic() - t0
    slow.watch(2.0)
    held_after_open = slow.open_count()
    over_limit_closed_fast = slow.closed_within(2.0)
    # A new connection from the crowded address: refused or closed at once.
    try:
        extra = request(srv.port, "GET", "/livez", timeout=5)[0]
        problems.append(f"a connection past the per-address limit was served ({extra})")
    except CONN_ERRORS:
        pass
    flood_source = other_loopback("127.0.0.3") or source
    floods = header_floods(srv.port, flood_conns, flood_source) if flood_conns else {}
    while time.monotonic() - t0 < seconds:
        slow.trickle()
        slow.watch(interval)
    held_at_end = slow.open_count()
    idle_at_end = slow.open_count("idle")
    replies = slow.replies()
    prober.stop()
    slow.close()
    sampler.stop()
    fds_after = wait_for_fds(srv, base_fds + 2)
    rss_end = srv.rss_kb()
    # The per-address slots are free again: 127.0.0.1 is served.
    try:
        again = request(srv.port, "GET", "/livez", timeout=5)[0]
    except CONN_ERRORS as e:
        again = repr(e)
    srv.stop()
    p99, worst = prober.percentile(0.99), max(prober.latencies) if prober.latencies else None
    n_normal = sum(prober.statuses.values()) + len(prober.errors)
    five = sum(v for k, v in prober.statuses.items() if k >= 500)
    if per_ip and held_after_open > per_ip:
        problems.append(f"{held_after_open} connections held from one address, limit {per_ip}")
    if per_ip and over_limit_closed_fast < conns - per_ip:
        problems.append(f"only {over_limit_closed_fast} of the {conns - per_ip} connections past"
                        f" the limit were closed within 2 s")
    if prober.errors or five or not prober.statuses:
        problems.append(f"normal client: {dict(prober.statuses)}, errors {prober.errors[:3]}")
    if p99 is None or p99 > latency_p99 or worst > latency_max:
        problems.append(f"normal client latency p99 {p99} s, max {worst} s")
    if sampler.max_fds() > base_fds + (per_ip or conns) + flood_conns + 16:
        problems.append(f"descriptors rose to {sampler.max_fds()} from {base_fds}")
    if sampler.max_rss() - base_rss > rss_growth_kb:
        problems.append(f"RSS rose by {sampler.max_rss() - base_rss} kB")
    if fds_after > base_fds + 2:
        problems.append(f"{fds_after} descriptors after the slow clients left, {base_fds} before")
    if again != 200:
        problems.append(f"127.0.0.1 not served after the slow clients left: {again}")
    refused = sum(v for k, v in floods.items() if k.split(" ")[1:2] in (["431"], ["414"]))
    if refused != flood_conns:
        problems.append(f"oversized headers: {dict(floods)}")
    timeout = effective_limit(srv.env, "MERCHANTD_CONNECTION_TIMEOUT")
    if seconds > timeout + 2 * interval + 5 and idle_at_end:
        problems.append(f"{idle_at_end} idle connections outlived the {timeout} s timeout")
    if srv.crashes:
        problems.append(f"merchantd: {srv.reports[:1]}")
    return {"conns": conns, "per_ip_limit": per_ip, "opened_s": opened_s,
            "held_after_open": held_after_open, "held_at_end": held_at_end,
            "closed_within_2s": over_limit_closed_fast, "refused": slow.refused,
            "slow_replies": dict(replies), "idle_at_end": idle_at_end,
            "floods": dict(floods), "normal_requests": n_normal,
            "normal_statuses": dict(prober.statuses), "normal_errors": len(prober.errors),
            "normal_p50_s": prober.percentile(0.5), "normal_p99_s": p99, "normal_max_s": worst,
            "base_fds": base_fds, "max_fds": sampler.max_fds(), "fds_after": fds_after,
            "rss_start_kb": base_rss, "rss_max_kb": sampler.max_rss(), "rss_end_kb": rss_end,
            "5xx": five, "crashes": srv.crashes, "problems": problems}


# ---------------------------------------------------------------------------
# Soak


def stable_rss(pid, readings=3, gap=0.2):
    """The lowest of a few readings: a login's argon2id buffer (64 MiB,
    freed when the hash is done) must not pass for growth."""
    xs = []
    for i in range(readings):
        if i:
            time.sleep(gap)
        v = proc_rss_kb(pid)
        if v is not None:
            xs.append(v)
    return min(xs) if xs else None


class Churn:
    """The soak's other clients: event streams and long polls that come and
    go, logins, CSV exports. Counts requests and 5xx."""

    def __init__(self, port, world, login_name):
        self.port, self.w, self.login_name = port, world, login_name
        self.stop_flag = threading.Event()
        self.hold = threading.Event()  # no login starts while set (RSS is being read)
        self.lock = threading.Lock()
        self.requests = 0
        self.five_xx = 0
        self.errors = 0
        self.threads = [threading.Thread(target=f, daemon=True)
                        for f in (self.streams, self.streams, self.polls, self.logins,
                                  self.exports)]

    def count(self, status):
        with self.lock:
            self.requests += 1
            if status is None:
                self.errors += 1
            elif status >= 500:
                self.five_xx += 1

    def token(self, rng):
        return rng.choice(self.w.buyers + self.w.merchants)[1]

    def streams(self):
        rng = random.Random()
        while not self.stop_flag.is_set():
            status = None
            try:
                s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
                s.sendall(f"GET /v1/events HTTP/1.1\r\nHost: soak\r\nAuthorization: Bearer "
                          f"{self.token(rng)}\r\n\r\n".encode())
                head = s.recv(4096)
                status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/1.1 ") else None
                end = time.monotonic() + rng.uniform(0.5, 3.0)
                s.settimeout(0.5)
                while time.monotonic() < end:
                    try:
                        if not s.recv(65536):
                            break
                    except socket.timeout:
                        pass
                if rng.random() < 0.5:
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct_linger_reset())
                s.close()
            except OSError:
                pass
            self.count(status)

    def polls(self):
        rng = random.Random()
        while not self.stop_flag.is_set():
            try:
                status = request(self.port, "GET", "/v1/events/poll?timeout=2",
                                 token=self.token(rng), timeout=15)[0]
            except CONN_ERRORS:
                status = None
            self.count(status)

    def logins(self):
        while not self.stop_flag.wait(2.0):
            while self.hold.is_set() and not self.stop_flag.is_set():
                time.sleep(0.05)
            try:
                status = request(self.port, "POST", "/v1/auth/login",
                                 {"username": self.login_name, "password": "soak-password-1",
                                  "device": "soak"}, timeout=15)[0]
            except CONN_ERRORS:
                status = None
            self.count(status)

    def exports(self):
        rng = random.Random()
        while not self.stop_flag.wait(5.0):
            shop = rng.choice(self.w.shops)
            tok = self.w.merchants[shop["merchant"]][1]
            try:
                status = request(self.port, "GET", f"/v1/shops/{shop['id']}/orders/export.csv",
                                 token=tok, timeout=60)[0]
            except CONN_ERRORS:
                status = None
            self.count(status)

    def start(self):
        for t in self.threads:
            t.start()

    def stop(self):
        self.stop_flag.set()
        for t in self.threads:
            t.join(timeout=60)


def struct_linger_reset():
    """SO_LINGER with a zero timeout: close() sends a RST."""
    return struct.pack("ii", 1, 0)


def run_soak(minutes=10.0, every=10.0, warmup_s=60.0, binary=None, env=None, threads=6,
             rss_growth_kb=8 * 1024, fd_growth=4, seed=None):
    """Mixed load for `minutes`, sampling merchantd's RSS and descriptors
    every `every` seconds. Flat means: the last sample under load exceeds
    the highest of the warm-up (the first minute, or a fifth of a shorter
    run) by at most rss_growth_kb and fd_growth. Returns the figures."""
    rng = random.Random(seed)
    db = new_database("soak", binary=binary)
    world = World(db, merchants=3, buyers=12, coupon_total=500, coupon_per_buyer=50)
    srv = Merchantd(db, env=env, binary=binary)
    srv.start()
    login_name = "soak" + uuid.uuid4().hex[:8]
    status, doc, _ = request(srv.port, "POST", "/v1/auth/register",
                             {"role": "buyer", "username": login_name,
                              "password": "soak-password-1", "display_name": "Soak"})
    assert status == 201, (status, doc)
    load = Load(world, srv.port, seed=rng.randrange(1 << 30), reads_weight=40)
    churn = Churn(srv.port, world, login_name)
    samples = []  # (seconds, rss kB, fds)
    duration = minutes * 60
    warmup = min(warmup_s, duration / 5)
    t0 = time.monotonic()
    load.start(threads)
    churn.start()
    try:
        while True:
            now = time.monotonic() - t0
            churn.hold.set()
            rss, fds = stable_rss(srv.pid, readings=6, gap=0.25), srv.fds()
            churn.hold.clear()
            samples.append((now, rss, fds))
            say(f"  {now:6.0f} s  RSS {rss} kB  fds {fds}  requests"
                f" {load.stats.requests + churn.requests}")
            if now >= duration or not srv.alive():
                break
            time.sleep(max(0.0, min(every, duration - now) - 1.3))
    finally:
        churn.stop()
        load.stop()
    time.sleep(1.0)
    idle_fds = srv.fds() if srv.alive() else None
    lost = lost_writes(db, load.acked)
    bad = invariant_violations(db, world)
    srv.stop()
    warm = [s for s in samples if s[0] <= warmup] or samples[:1]
    base_rss, base_fds = max(s[1] for s in warm), max(s[2] for s in warm)
    end = samples[-1]
    after = [s for s in samples if s[0] > warmup]
    slope = None
    if len(after) >= 3:  # Theil-Sen: the median of pairwise slopes, kB per minute
        pairs = sorted(60 * (b[1] - a[1]) / (b[0] - a[0])
                       for i, a in enumerate(after) for b in after[i + 1:] if b[0] > a[0])
        slope = pairs[len(pairs) // 2]
    problems = []
    if end[1] - base_rss > rss_growth_kb:
        problems.append(f"RSS grew from {base_rss} kB (warm-up) to {end[1]} kB")
    if end[2] - base_fds > fd_growth:
        problems.append(f"descriptors grew from {base_fds} (warm-up) to {end[2]}")
    five = load.stats.five_xx + churn.five_xx
    if five:
        problems.append(f"{five} replies 5xx: {load.stats.bad[:5]}")
    if lost or bad:
        problems.append(f"{len(lost)} acknowledged writes lost, {len(bad)} invariants broken")
    if srv.crashes:
        problems.append(f"merchantd: {srv.reports[:1]}")
    return {"minutes": minutes, "samples": samples, "rss_start_kb": samples[0][1],
            "rss_warm_kb": base_rss, "rss_end_kb": end[1],
            "rss_max_kb": max(s[1] for s in samples), "fds_start": samples[0][2],
            "fds_warm": base_fds, "fds_end": end[2], "fds_max": max(s[2] for s in samples),
            "fds_idle_after": idle_fds, "slope_kb_per_min": slope,
            "requests": load.stats.requests + churn.requests, "5xx": five,
            "conn_errors": load.stats.conn_errors + churn.errors,
            "acked": load.acked.count(), "lost": lost, "invariants": bad,
            "crashes": srv.crashes, "problems": problems}
