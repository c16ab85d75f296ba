// What the browser tests share: the API (to make accounts, shops, orders
// and chat messages the way a buyer's app or another device would), the
// database (for what only the platform's tools make), Chromium through
// Playwright, and the checks every page gets: no script error or dialog
// (which is also how an XSS payload would show itself), axe-core's
// accessibility rules, and a screenshot of each page in each layout.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const BASE = process.env.MERCHANTD_URL || 'http://127.0.0.1:8080';
const DB = process.env.DATABASE_URL;
const BIN = process.env.MERCHANTD_BIN || 'build/merchantd';
const SHOTS = process.env.SCREENSHOTS || 'test-results/screenshots';
const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const PASSWORD = 'password-123';
export const LAYOUTS = {
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 },
};

// ---- the API --------------------------------------------------------------

let seq = 0;
const run = Math.random().toString(36).slice(2, 8);
export const uname = (p = 'u') => `${p}${++seq}_${run}`;

// One API call: { status, body, headers }; never throws on an HTTP error.
export async function api(method, path, { token, body, key, headers = {} } = {}) {
  const h = { ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  if (key) h['Idempotency-Key'] = key;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  const res = await fetch(BASE + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.status, body: json ?? text, headers: res.headers };
}

// The same, asserting a 2xx; returns the body.
export async function ok(method, path, opts) {
  const r = await api(method, path, opts);
  assert.ok(r.status >= 200 && r.status < 300, `${method} ${path} answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

export async function login(username, password = PASSWORD, device = 'test') {
  return (await ok('POST', '/v1/auth/login', { body: { username, password, device } })).token;
}

async function register(role, displayName) {
  const username = uname(role[0]);
  const acct = await ok('POST', '/v1/auth/register', { body: { role, username, password: PASSWORD, display_name: displayName || username } });
  return { id: acct.id, username, password: PASSWORD, token: await login(username) };
}

export const buyer = (displayName) => register('buyer', displayName);

// A merchant with a shop named name (and more with names).
export async function merchant({ shop = '茶香小铺', more = [] } = {}) {
  const m = await register('merchant');
  m.shop = await ok('POST', '/v1/shops', { token: m.token, body: { name: shop }, key: uname('k') });
  m.shops = [m.shop];
  for (const name of more) m.shops.push(await ok('POST', '/v1/shops', { token: m.token, body: { name }, key: uname('k') }));
  return m;
}

// A staff account with the given permissions (made with the CLI, as staff
// cannot register).
export function staff(permissions = ['review']) {
  const username = uname('s');
  execFileSync(BIN, ['create-staff', username, '--permissions', permissions.join(',')], {
    input: `${PASSWORD}\n`,
    env: { ...process.env, DATABASE_URL: DB },
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  return login(username).then((token) => ({ username, password: PASSWORD, token }));
}

// A product on sale with one SKU: { id, sku } (sku: the SKU's id).
export async function product(m, { shop = m.shop, title = '西湖龙井 250g', price = 1000, stock = 100, spec = '250g' } = {}) {
  const p = await ok('POST', `/v1/shops/${shop.id}/products`, {
    token: m.token,
    key: uname('k'),
    body: { title, status: 'on_sale', skus: [{ spec, price_cents: price, stock }] },
  });
  return { ...p, sku: p.skus[0].id };
}

export const ADDRESS = { name: '李雷', phone: '13800000000', province: '浙江省', city: '杭州市', district: '西湖区', detail: '西湖路1号' };

// A buyer's order of one SKU, paid unless paid is false.
export async function order(b, shop, sku, { quantity = 1, paid = true, note } = {}) {
  const o = await ok('POST', '/v1/orders', { token: b.token, key: uname('k'), body: { shop_id: shop.id, items: [{ sku_id: sku, quantity }], address: ADDRESS, note } });
  if (paid) return ok('POST', `/v1/orders/${o.id}/pay`, { token: b.token, key: uname('k') });
  return o;
}

// A buyer's chat message to a shop (opening the conversation): the message.
export async function say(b, shop, text) {
  const c = await ok('POST', `/v1/shops/${shop.id}/conversations`, { token: b.token });
  return ok('POST', `/v1/conversations/${c.id}/messages`, { token: b.token, key: uname('k'), body: { type: 'text', text } });
}

export const setClock = (now) => ok('PUT', '/v1/test/clock', { body: { now } });
export const runJobs = () => ok('POST', '/v1/test/jobs/run', {});

// SQL on the test's database (for what only the platform's tools make).
export function sql(query) {
  return execFileSync('psql', [DB, '-v', 'ON_ERROR_STOP=1', '-Atqc', query], { encoding: 'utf8' }).trim();
}

// ---- the browser ----------------------------------------------------------

let browser;
before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    // Root in a container has no user namespace for the sandbox.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--autoplay-policy=no-user-gesture-required'],
  });
});
after(async () => {
  await browser?.close();
});

// A new browser (its own storage: another device) in a layout, watched for
// script errors and dialogs. With account, already signed in as it (its
// token in localStorage, as after a login).
export async function open(account, { layout = 'desktop', lang, path = '/app/' } = {}) {
  const context = await browser.newContext({ ...LAYOUTS[layout], locale: 'zh-CN', acceptDownloads: true });
  await context.addInitScript(
    ([token, l]) => {
      if (token && !sessionStorage.getItem('merchantd.test.seeded')) {
        localStorage.setItem('merchantd.token', token);
        sessionStorage.setItem('merchantd.test.seeded', '1');
      }
      if (l) localStorage.setItem('merchantd.lang', l);
      // An XSS payload's proof: any script it ran sets this.
      window.__xss = 0;
    },
    [account?.token || '', lang || ''],
  );
  const page = await context.newPage();
  page.problems = [];
  page.on('pageerror', (e) => page.problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 4\d\d|net::ERR_ABORTED/.test(m.text())) page.problems.push(`console: ${m.text()}`);
  });
  page.on('dialog', async (d) => {
    page.problems.push(`dialog: ${d.type()} ${d.message()}`);
    await d.dismiss();
  });
  page.layout = layout;
  if (path) await page.goto(BASE + path);
  return page;
}

// Every page ends clean: no script error, no dialog, no payload ran.
export async function clean(page) {
  const xss = await page.evaluate(() => window.__xss);
  assert.equal(xss, 0, 'an injected script ran');
  // Nor did any payload become markup (CSP would block its script, and
  // report it as a console error: both are failures).
  const markup = await page.evaluate(() => document.querySelectorAll('img[src="x"], svg[onload], script:not([src]), [onerror], [onload]').length);
  assert.equal(markup, 0, 'user text was rendered as HTML');
  assert.deepEqual(page.problems, [], 'the page reported problems');
}

// axe-core on the page as it is: no serious or critical violation.
export async function axe(page, what) {
  await page.evaluate(AXE);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    bad.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`),
    [],
    `accessibility violations on ${what}`,
  );
}

// A screenshot of the page for a person to look at (web/test-results).
export async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}-${page.layout}.png`), fullPage: true });
}

// The checks each page of the console gets, in one call.
export async function checkPage(page, name) {
  // Nothing is wider than the screen (a phone would zoom the page out).
  const [width, view] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(width <= view, `${name} is ${width} px wide in a ${view} px window`);
  await axe(page, name);
  await shot(page, name);
  await clean(page);
}

// Logs in through the form.
export async function formLogin(page, username, password = PASSWORD) {
  await page.getByLabel(/账号|Username/).fill(username);
  await page.getByLabel(/密码|Password/).fill(password);
  await page.getByRole('button', { name: /^(登录|Log in)$/ }).click();
}

// Payloads that would run script if anything rendered user text as HTML.
export const XSS = [
  '<img src=x onerror="window.__xss=1">',
  '<script>window.__xss=2</script>',
  '"><svg onload="window.__xss=3">',
  "javascript:window.__xss=4",
];
export const XSS_TEXT = XSS.join(' ');
