// Flow 9, data: a shop's figures made by real activity at a frozen clock
// (orders paid last week, yesterday and today; one shipped and confirmed; a
// buyer's question answered; a coupon claimed), folded into the rollups by
// the jobs, then read on the page: today against yesterday and last week to
// the fen, the daily and hourly charts (a canvas named by a summary of its
// figures), the range picker, best sellers (a title with XSS payloads shown
// as text), customer service, carriers, coupons and the daily CSV.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { XSS, api, buyer, checkPage, merchant, ok, open, order, product, runJobs, say, setClock, sql, uname } from './lib.mjs';

// 2030-06-12 is a Wednesday; the platform's days are Asia/Shanghai's (+08).
const DAY = '2030-06-12';
const at = (date, hm) => setClock(`${date}T${hm}:00+08:00`);
// Product titles take 120 characters: every payload but the last fits.
const XSS_TITLE = XSS.slice(0, 3).join(' ');

// Runs the jobs until the rollups hold every write made before the call
// (tests of other files on the same cluster may hold the fold back).
async function fold() {
  const mark = BigInt(sql('SELECT pg_current_xact_id()::text'));
  for (let i = 0; i < 200; i++) {
    await runJobs();
    if (BigInt(sql("SELECT coalesce(folded_to::text, '0') FROM stats_fold_state") || '0') > mark) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail('the rollups did not take the writes in');
}

test('data: overview, charts, range, best sellers, service, carriers, coupons, CSV', async () => {
  await at('2030-06-05', '09:00');
  const m = await merchant();
  const xss = await product(m, { title: XSS_TITLE, price: 1234, stock: 100 });
  const tea = await product(m, { title: '碧螺春 100g', price: 5000, stock: 100 });
  const b1 = await buyer('小王');
  const b2 = await buyer('小李');
  // Last week, the same weekday: 50.00.
  await order(b1, m.shop, tea.sku);
  // Yesterday: 2 x 12.34.
  await at('2030-06-11', '09:00');
  await order(b1, m.shop, xss.sku);
  await order(b2, m.shop, xss.sku);
  // Today: 3 x 12.34 + 50.00 = 87.02, from two buyers.
  await at(DAY, '09:00');
  const first = await order(b1, m.shop, xss.sku);
  await order(b1, m.shop, xss.sku);
  await order(b1, m.shop, xss.sku);
  await order(b2, m.shop, tea.sku);
  // A question answered a minute later.
  await at(DAY, '09:05');
  const msg = await say(b1, m.shop, '今天能发货吗？');
  await at(DAY, '09:06');
  await ok('POST', `/v1/conversations/${msg.conversation_id}/messages`, { token: m.token, key: uname('k'), body: { type: 'text', text: '可以，下午发出' } });
  // One order shipped by SF and confirmed.
  await at(DAY, '09:30');
  await ok('POST', `/v1/shops/${m.shop.id}/orders/${first.id}/ship`, { token: m.token, body: { carrier: 'sf', tracking_no: 'SF1234567' } });
  await at(DAY, '09:45');
  await ok('POST', `/v1/orders/${first.id}/confirm-receipt`, { token: b1.token });
  // A coupon, claimed once.
  await at(DAY, '09:50');
  const coupon = await ok('POST', `/v1/shops/${m.shop.id}/coupons`, {
    token: m.token,
    body: {
      kind: 'shop', title: '满10减3', discount_cents: 300, min_order_cents: 1000, total_quantity: 100, per_buyer_limit: 1,
      claim_start: '2030-06-01T00:00:00Z', claim_end: '2030-07-01T00:00:00Z', valid_days: 30, channel: 'normal',
    },
  });
  await ok('POST', `/v1/coupons/${coupon.id}/claim`, { token: b2.token });
  await at(DAY, '10:00');
  await fold();

  const page = await open(m, { path: '/app/data' });
  await page.getByRole('heading', { name: '数据中心' }).waitFor();
  const compare = page.locator('table.data-compare');
  const row = (name) => compare.getByRole('row', { name: new RegExp(`^${name}`) });
  await row('成交金额').getByRole('cell').first().filter({ hasText: '¥87.02' }).waitFor();
  assert.deepEqual(await row('成交金额').getByRole('cell').allTextContents(), ['¥87.02', '¥24.68', '¥50.00']);
  assert.deepEqual(await row('成交订单数').getByRole('cell').allTextContents(), ['4', '2', '1']);
  assert.deepEqual(await row('成交买家数').getByRole('cell').allTextContents(), ['2', '2', '1']);
  assert.deepEqual(await row('客单价').getByRole('cell').allTextContents(), ['¥43.51', '¥12.34', '¥50.00']);
  assert.deepEqual(await row('发货订单数').getByRole('cell').allTextContents(), ['1', '0', '0']);

  // The daily chart of the default 30 days, and its table.
  const trend = page.locator('[role=img][aria-label^="成交金额每日趋势图"]');
  await trend.locator('canvas').waitFor();
  assert.match(await trend.getAttribute('aria-label'), /2030-05-14 至 2030-06-12：合计 ¥161\.70，最高 ¥87\.02（2030-06-12）/);
  // The hourly chart of today: everything at 9 o'clock.
  const hourly = page.locator('[role=img][aria-label^="2030-06-12 成交金额分时图"]');
  await hourly.locator('canvas').waitFor();
  assert.match(await hourly.getAttribute('aria-label'), /合计 ¥87\.02，最高 ¥87\.02（9 时）/);

  // Best sellers: the title is text, the figures exact.
  const products = page.locator('table.data-products');
  const xssRow = products.getByRole('row').filter({ hasText: XSS_TITLE });
  await xssRow.waitFor();
  assert.equal(await xssRow.locator('.data-title').textContent(), XSS_TITLE);
  assert.match(await xssRow.textContent(), /¥61\.70/);
  assert.match(await products.getByRole('row').nth(1).textContent(), /碧螺春 100g.*¥100\.00/);

  // Ranked by units instead: 5 against 2.
  await page.getByLabel('排序').selectOption('units');
  await page.waitForFunction((title) => document.querySelector('table.data-products tbody tr .data-title')?.textContent === title, XSS_TITLE);
  await page.getByLabel('排序').selectOption('gmv');
  await page.waitForFunction(() => /碧螺春/.test(document.querySelector('table.data-products tbody tr .data-title')?.textContent));

  // Customer service, carriers, coupons.
  const service = page.locator('.data-service');
  await service.locator('div', { hasText: '咨询人数' }).getByText('1', { exact: true }).waitFor();
  await service.locator('div', { hasText: '3分钟人工回复率' }).getByText('100.00%').waitFor();
  const carriers = page.locator('table.data-carriers');
  await carriers.getByRole('row').nth(1).waitFor();
  assert.match(await carriers.getByRole('row').nth(1).textContent(), /顺丰.*1.*1/);
  await page.locator('table.data-coupons').getByRole('row', { name: /满10减3/ }).waitFor();
  assert.match(await page.locator('table.data-coupons').getByRole('row', { name: /满10减3/ }).textContent(), /满10减3\s*1\s*0\s*¥0\.00\s*¥0\.00/);
  await checkPage(page, 'data');

  // The CSV of the window.
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载每日数据 (CSV)' }).click()]);
  const csv = readFileSync(await file.path(), 'utf8');
  assert.match(csv, /^\uFEFF日期,成交金额\(元\)/);
  assert.match(csv, /\r\n2030-06-12,87\.02,4,2,43\.51,/);
  assert.match(csv, /\r\n2030-06-05,50\.00,1,1,50\.00,/);

  // The last 7 days leave last week out.
  await page.getByLabel('时间范围').selectOption('7');
  await page.waitForFunction(() => /from=2030-06-06/.test(location.search));
  await page.locator('[role=img][aria-label*="2030-06-06 至 2030-06-12：合计 ¥111.70"] canvas').waitFor();
  // Another metric for both charts.
  await page.getByLabel('趋势指标').selectOption('orders');
  await page.locator('[role=img][aria-label^="成交订单数每日趋势图"][aria-label*="合计 6"] canvas').waitFor();
  await page.locator('[role=img][aria-label^="2030-06-12 成交订单数分时图"][aria-label*="合计 4"] canvas').waitFor();
  await page.context().close();

  const phone = await open(m, { layout: 'phone', path: '/app/data' });
  await phone.locator('[role=img][aria-label^="成交金额每日趋势图"] canvas').waitFor();
  await phone.locator('[role=img][aria-label^="2030-06-12 成交金额分时图"] canvas').waitFor();
  await phone.locator('table.data-products').getByText(XSS_TITLE).waitFor();
  await checkPage(phone, 'data');
  await phone.context().close();

  // In English, the same figures.
  const en = await open(m, { lang: 'en', path: '/app/data' });
  await en.getByRole('heading', { name: 'Data' }).waitFor();
  await en.locator('[role=img][aria-label^="Daily chart of Sales"] canvas').waitFor();
  await en.locator('table.data-compare').getByRole('row', { name: /^Sales/ }).getByText('¥87.02').waitFor();
  await en.context().close();

  // Another merchant reads nothing of this shop.
  const other = await merchant({ shop: '果园直供' });
  assert.equal((await api('GET', `/v1/shops/${m.shop.id}/stats/overview`, { token: other.token })).status, 404);
});
