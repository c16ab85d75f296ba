// The load client and routing layer of the sharding benchmark
// (tests/bench/sharding.sh). The routing lives here, not in merchantd: the
// client knows which database holds each shop (shop_id % shard count) and
// sends every request to that shard's merchantd; a read that spans shops
// (the buyer's order list) goes to every shard and the pages are merged by
// their keyset (order id, newest first), the cursor of the merged page being
// the last id in the list's own cursor format.
//
//   node sharding_client.mjs check  URL_SINGLE URL_SHARD0,URL_SHARD1 TOKENS BUYERS
//       compares the buyer's order list, three pages deep, for BUYERS
//       buyers: the single database's against the merged shards'; prints
//       "identical N" or exits non-zero on the first difference
//   node sharding_client.mjs load   URLS TOKENS PAID ROUND ROUNDS
//       URLS: one URL (single) or a comma-separated list (shard k serves the
//       shops with shop_id % count = k). Runs the mix for DURATION seconds
//       with CONNS virtual users and prints one JSON object per route:
//       {route, n, errors, codes, rps, p99, p50, touched: {shards: requests}}
//       and one {backends: [requests sent to each URL], seconds, client_cpu_s}.
// Environment: SHOPS, BUYERS, CONVS, ORDERS (the data of gen_sharding.sql),
// DURATION (s), CONNS, and MIX ("route=weight,...").
import { readFileSync } from "node:fs";

const env = (k, d) => (process.env[k] !== undefined ? Number(process.env[k]) : d);
const SHOPS = env("SHOPS", 8), BUYERS = env("BUYERS", 500), CONVS = env("CONVS", 100);
const ORDERS = env("ORDERS", 10000), DURATION = env("DURATION", 10), CONNS = env("CONNS", 32);
const MIX = (process.env.MIX ||
  "order_list=20,order_detail=25,ship=10,chat_send=15,stats=10,place_order=10,buyer_orders=10")
  .split(",").map((kv) => kv.split("=")).map(([k, w]) => [k, Number(w)]);

const tokens = { m: new Map(), b: new Map() };
function readTokens(path) {
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const [kind, id, token] = line.split(" ");
    if (token) tokens[kind].set(Number(id), token);
  }
}

const rand = (n) => Math.floor(Math.random() * n);
const cursorOf = (id) => Buffer.from(`b:0:${id}`).toString("base64url");

class Router {
  constructor(urls) {
    this.urls = urls;
    this.sent = urls.map(() => 0);
  }
  shardOf(shop) { return shop % this.urls.length; }
  async call(shard, method, path, token, body) {
    this.sent[shard]++;
    const r = await fetch(this.urls[shard] + path, {
      method,
      headers: { Authorization: "Bearer " + token, ...(body ? { "Content-Type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    return { status: r.status, text };
  }
  // One shop's request: one shard.
  async shop(shop, method, path, token, body) {
    const r = await this.call(this.shardOf(shop), method, path, token, body);
    return { ...r, shards: 1 };
  }
  // The buyer's order list across shops: every shard, merged by id.
  async buyerOrders(token, limit, cursor) {
    const q = `/v1/orders?limit=${limit}` + (cursor ? `&cursor=${cursor}` : "");
    if (this.urls.length === 1) {
      const r = await this.call(0, "GET", q, token);
      if (r.status !== 200) return { ...r, shards: 1 };
      const page = JSON.parse(r.text);
      return { status: 200, items: page.items, next: page.next_cursor, shards: 1 };
    }
    const replies = await Promise.all(this.urls.map((_, k) => this.call(k, "GET", q, token)));
    const bad = replies.find((r) => r.status !== 200);
    if (bad) return { ...bad, shards: this.urls.length };
    const pages = replies.map((r) => JSON.parse(r.text));
    const all = pages.flatMap((p) => p.items).sort((a, b) => b.id - a.id);
    const items = all.slice(0, limit);
    const more = all.length > limit || pages.some((p) => p.next_cursor);
    return { status: 200, items, next: more && items.length ? cursorOf(items[items.length - 1].id) : null,
             shards: this.urls.length };
  }
}

const address = { name: "张三", phone: "13800138000", province: "广东省", city: "深圳市",
                  district: "南山区", detail: "科技园 1 号" };

function routes(router, paid, round, rounds) {
  // Paid orders to ship: this round's share of them, one each. Shared out by
  // g of the generated id g * 1000 + s, so that every round ships in every
  // shop (id % 2 would be the shop's shard).
  const ship = paid.filter(([, id]) => Math.floor(id / 1000) % rounds === round);
  for (let i = ship.length - 1; i > 0; i--) { const j = rand(i + 1); [ship[i], ship[j]] = [ship[j], ship[i]]; }
  const shop = () => 1 + rand(SHOPS);
  const buyer = () => 1001 + rand(BUYERS);
  return {
    order_list: () => { const s = shop(); return router.shop(s, "GET", `/v1/shops/${s}/orders?limit=20`, tokens.m.get(s)); },
    order_detail: () => {
      const s = shop();
      return router.shop(s, "GET", `/v1/shops/${s}/orders/${(1 + rand(ORDERS)) * 1000 + s}`, tokens.m.get(s));
    },
    ship: () => {
      const next = ship.pop();
      if (!next) return null; // none left: not counted
      const [s, id] = next;
      return router.shop(s, "POST", `/v1/shops/${s}/orders/${id}/ship`, tokens.m.get(s),
                         { carrier: "sf", tracking_no: "SF" + String(id).padStart(12, "0") });
    },
    chat_send: () => {
      const conv = (1 + rand(SHOPS)) * 100000 + 1 + rand(CONVS);
      const s = Math.floor(conv / 100000); // the conversation's shop, known from its id
      return router.shop(s, "POST", `/v1/conversations/${conv}/messages`, tokens.m.get(s),
                         { type: "text", text: "亲，今天下单明天发货哦" });
    },
    stats: () => { const s = shop(); return router.shop(s, "GET", `/v1/shops/${s}/stats/overview`, tokens.m.get(s)); },
    place_order: () => {
      const s = shop();
      return router.shop(s, "POST", "/v1/orders", tokens.b.get(buyer()),
                         { shop_id: s, items: [{ sku_id: s, quantity: 1 }], address });
    },
    // The first page, then the second through the merged cursor: two requests.
    buyer_orders: async () => {
      const t = tokens.b.get(buyer());
      const first = await router.buyerOrders(t, 20, null);
      if (first.status !== 200 || !first.next) return first;
      return { first, second: router.buyerOrders(t, 20, first.next) };
    },
  };
}

function pct(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.round((p / 100) * (sorted.length - 1)))] : NaN;
}

async function load(urls, tokenFile, paidFile, round, rounds) {
  readTokens(tokenFile);
  const paid = readFileSync(paidFile, "utf8").split("\n").filter(Boolean).map((l) => l.split(" ").map(Number));
  const router = new Router(urls.split(","));
  const table = routes(router, paid, round, rounds);
  const stats = Object.fromEntries(MIX.map(([k]) => [k, { lat: [], errors: 0, touched: {}, codes: {} }]));
  const total = MIX.reduce((a, [, w]) => a + w, 0);
  const pick = () => { let x = Math.random() * total; for (const [k, w] of MIX) { if ((x -= w) < 0) return k; } return MIX[0][0]; };
  const record = (k, start, r) => {
    const st = stats[k];
    st.lat.push(performance.now() - start);
    st.touched[r.shards] = (st.touched[r.shards] || 0) + 1;
    if (r.status < 200 || r.status > 299) { st.errors++; st.codes[r.status] = (st.codes[r.status] || 0) + 1; }
  };
  const end = performance.now() + DURATION * 1000;
  async function user() {
    while (performance.now() < end) {
      const k = pick();
      let start = performance.now();
      let r = await table[k]();
      if (r === null) continue;
      if (r.first) { // two pages of the buyer's list
        record(k, start, r.first);
        start = performance.now();
        r = await r.second;
      }
      record(k, start, r);
    }
  }
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONNS }, user));
  const secs = (performance.now() - t0) / 1000;
  for (const [k] of MIX) {
    const st = stats[k];
    st.lat.sort((a, b) => a - b);
    console.log(JSON.stringify({ route: k, n: st.lat.length, errors: st.errors, codes: st.codes,
      rps: st.lat.length / secs, p50: pct(st.lat, 50), p99: pct(st.lat, 99), touched: st.touched }));
  }
  const cpu = process.cpuUsage();
  console.log(JSON.stringify({ backends: router.sent, seconds: secs, client_cpu_s: (cpu.user + cpu.system) / 1e6 }));
}

async function check(single, sharded, tokenFile, n) {
  readTokens(tokenFile);
  const one = new Router([single]), many = new Router(sharded.split(","));
  let same = 0;
  for (let b = 1001; b < 1001 + n; b++) {
    const t = tokens.b.get(b);
    let c1 = null, c2 = null;
    for (let page = 0; page < 3; page++) {
      const a = await one.buyerOrders(t, 20, c1), m = await many.buyerOrders(t, 20, c2);
      const ids = (p) => JSON.stringify((p.items || []).map((o) => [o.id, o.shop_id, o.status]));
      if (a.status !== 200 || m.status !== 200 || ids(a) !== ids(m) || !a.next !== !m.next) {
        console.error(`buyer ${b} page ${page + 1}: single ${a.status} ${ids(a).slice(0, 200)}` +
                      ` / sharded ${m.status} ${ids(m).slice(0, 200)}`);
        process.exit(1);
      }
      if (!a.next) break;
      c1 = a.next; c2 = m.next;
    }
    same++;
  }
  console.log(`identical ${same}`);
}

const [cmd, ...args] = process.argv.slice(2);
if (cmd === "load") await load(args[0], args[1], args[2], Number(args[3]), Number(args[4]));
else if (cmd === "check") await check(args[0], args[1], args[2], Number(args[3]));
else { console.error("usage: sharding_client.mjs load|check ..."); process.exit(2); }
