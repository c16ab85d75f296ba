// Flow 5, orders: tabs with counts, the unshipped oldest-paid first, search
// and sort; an order the platform holds (its banner, its receiver hidden,
// its ship button disabled); shipping one (the API's tracking number
// error, then a good one); batch shipping from pasted and uploaded CSV;
// the CSV export of the current filters; notes with XSS payloads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ADDRESS, XSS, XSS_TEXT, api, buyer, checkPage, clean, merchant, ok, open, order, product, setClock, staff, uname } from './lib.mjs';

const HELD = '订单审核中，本审核提示消失后，可正常发货';

const rowsOf = (page) => page.locator('tbody tr[data-order]').evaluateAll((trs) => trs.map((tr) => tr.dataset.order));

// Waits until the list shows exactly these order numbers, in this order.
async function expectRows(page, sns) {
  await page.waitForFunction(
    (want) => JSON.stringify([...document.querySelectorAll('tbody tr[data-order]')].map((tr) => tr.dataset.order)) === JSON.stringify(want),
    sns,
  ).catch(async (e) => {
    throw new Error(`rows ${JSON.stringify(await rowsOf(page))}, wanted ${JSON.stringify(sns)}: ${e.message}`);
  });
}

const pay = (b, o) => ok('POST', `/v1/orders/${o.id}/pay`, { token: b.token, key: uname('k') });
const hold = (s, o) => ok('POST', `/v1/review/orders/${o.id}/hold`, { token: s.token, key: uname('k'), body: { reason: '收货地址疑似虚假', note: '买家投诉' } });

test('orders: tabs with counts, oldest paid first, search, sort, filters', async () => {
  const m = await merchant();
  const p = await product(m, { stock: 1000 });
  const han = await buyer('韩梅梅');
  const wang = await buyer('王小明');
  // Placed 1, 2, 3 but paid 3, 1, 2: the to-ship tab lists them as paid.
  const t0 = Date.now() - 3600_000;
  const at = (min) => setClock(new Date(t0 + min * 60_000).toISOString());
  await at(0);
  const o1 = await order(han, m.shop, p.sku, { paid: false });
  await at(1);
  const o2 = await order(wang, m.shop, p.sku, { paid: false });
  await at(2);
  const o3 = await order(han, m.shop, p.sku, { paid: false });
  await at(3);
  await pay(han, o3);
  await at(4);
  await pay(han, o1);
  await at(5);
  await pay(wang, o2);
  await at(6);
  const o4 = await order(wang, m.shop, p.sku, { paid: false });
  await setClock(null);

  for (const layout of ['desktop', 'phone']) {
    const page = await open(m, { layout, path: '/app/orders' });
    await page.getByRole('tab', { name: '待发货 3', selected: true }).waitFor();
    await page.getByRole('tab', { name: '待付款 1' }).waitFor();
    await page.getByRole('tab', { name: '全部 4' }).waitFor();
    await page.getByRole('tab', { name: '审核中 0' }).waitFor();
    await expectRows(page, [o3.order_sn, o1.order_sn, o2.order_sn]);
    // The nav's badge is the shop's to-ship count.
    await page.getByRole('navigation').getByRole('link', { name: /订单\s*3/ }).waitFor();
    await checkPage(page, 'orders-list');

    // All, newest placed first.
    await page.getByRole('tab', { name: '全部 4' }).click();
    await expectRows(page, [o4.order_sn, o3.order_sn, o2.order_sn, o1.order_sn]);
    assert.match(page.url(), /tab=all/);

    // Search by a whole order number, then by the start of a buyer's name;
    // the counts stay those of the shop.
    await page.getByRole('searchbox', { name: '搜索订单' }).fill(o2.order_sn);
    await page.getByRole('button', { name: '搜索', exact: true }).click();
    await expectRows(page, [o2.order_sn]);
    await page.getByRole('tab', { name: '全部 4' }).waitFor();
    await page.getByRole('searchbox', { name: '搜索订单' }).fill('韩');
    await page.getByRole('button', { name: '搜索', exact: true }).click();
    await expectRows(page, [o3.order_sn, o1.order_sn]);
    await page.getByRole('button', { name: '清除筛选' }).click();
    await expectRows(page, [o4.order_sn, o3.order_sn, o2.order_sn, o1.order_sn]);

    // Sort: placed oldest first; a date range that holds nothing.
    await page.getByLabel('排序').selectOption('created_at');
    await expectRows(page, [o1.order_sn, o2.order_sn, o3.order_sn, o4.order_sn]);
    await page.getByLabel('下单日期从').fill('2020-01-01');
    await page.getByLabel('下单日期至').fill('2020-01-02');
    await page.getByText('没有符合条件的订单').waitFor();
    await page.getByRole('tab', { name: '全部 4' }).waitFor();
    await page.getByRole('button', { name: '清除筛选' }).click();
    await expectRows(page, [o4.order_sn, o3.order_sn, o2.order_sn, o1.order_sn]);

    // The list's links open the detail.
    await page.getByRole('link', { name: o1.order_sn }).click();
    await page.getByRole('heading', { name: `订单详情 ${o1.order_sn}` }).waitFor();
    await page.getByText('韩梅梅').first().waitFor();
    await page.getByText('买家付款').waitFor();
    await checkPage(page, 'order-detail');
    await page.getByRole('link', { name: /返回订单列表/ }).click();
    await page.getByRole('tab', { name: '待发货 3', selected: true }).waitFor();
    await clean(page);
    await page.context().close();
  }
});

test('a held order: the banner, its receiver hidden, its ship button disabled', async () => {
  const m = await merchant();
  const p = await product(m);
  const b = await buyer('李雷');
  const o = await order(b, m.shop, p.sku);
  const s = await staff(['review']);
  await hold(s, o);
  for (const layout of ['desktop', 'phone']) {
    const page = await open(m, { layout, path: `/app/orders?id=${o.id}` });
    const banner = page.locator('.review-banner .banner-text');
    await banner.waitFor();
    assert.equal(await banner.textContent(), HELD);
    await page.getByText('订单审核中，收货人信息已隐藏，审核结束后可见').waitFor();
    assert.equal(await page.locator('.receiver').textContent(), '李*');
    assert.equal(await page.getByText(ADDRESS.detail).count(), 0, 'the street is hidden');
    assert.equal(await page.getByText(ADDRESS.phone).count(), 0, 'the phone is masked');
    const ship = page.getByRole('button', { name: HELD });
    assert.equal(await ship.isDisabled(), true);
    await checkPage(page, 'order-held');

    // The list: the under-review tab counts it, its button is disabled too.
    await page.goto(page.url().replace(/\/app\/.*$/, '/app/orders?tab=under_review'));
    await page.getByRole('tab', { name: '审核中 1', selected: true }).waitFor();
    await expectRows(page, [o.order_sn]);
    assert.equal(await page.locator(`tr[data-order="${o.order_sn}"]`).getByRole('button', { name: HELD }).isDisabled(), true);
    await clean(page);
    await page.context().close();
  }
});

test('ship one: the API refuses a bad tracking number, then ships', async () => {
  const m = await merchant();
  const p = await product(m);
  const b = await buyer('小王');
  const o = await order(b, m.shop, p.sku);
  const other = await order(b, m.shop, p.sku);
  // What the API says of such a number (nothing is shipped by a refusal).
  const refused = await api('POST', `/v1/shops/${m.shop.id}/orders/${o.id}/ship`, { token: m.token, key: uname('k'), body: { carrier: 'sf', tracking_no: 'ab' } });
  assert.equal(refused.status, 400);
  const message = refused.body.errors.find((e) => e.field === 'tracking_no').message;

  for (const [layout, target] of [['desktop', o], ['phone', other]]) {
    const page = await open(m, { layout, path: '/app/orders' });
    const row = page.locator(`tr[data-order="${target.order_sn}"]`);
    await row.getByRole('button', { name: '发货' }).click();
    const dialog = page.getByRole('dialog', { name: `发货：${target.order_sn}` });
    await dialog.waitFor();
    await dialog.getByLabel('快递公司').selectOption('sf');
    await dialog.getByLabel('快递单号').fill('ab');
    await dialog.getByRole('button', { name: '发货' }).click();
    await dialog.locator('.field-error').filter({ hasText: message }).waitFor();
    await checkPage(page, 'order-ship');
    await dialog.getByLabel('快递单号').fill('SF1234567890');
    await dialog.getByRole('button', { name: '发货' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText(`订单 ${target.order_sn} 已发货`).waitFor();
    await row.waitFor({ state: 'detached' });
    const got = await ok('GET', `/v1/shops/${m.shop.id}/orders/${target.id}`, { token: m.token });
    assert.equal(got.status, 'shipped');
    assert.deepEqual(got.logistics, { carrier: 'sf', tracking_no: 'SF1234567890' });
    await clean(page);
    await page.context().close();
  }
});

test('batch ship: pasted and uploaded CSV, a result per row', async () => {
  const m = await merchant();
  const p = await product(m, { stock: 1000 });
  const b = await buyer('小张');
  const os = [];
  for (let i = 0; i < 6; i++) os.push(await order(b, m.shop, p.sku));
  const [a, c, d, e, , g] = os;
  const s = await staff(['review']);
  await hold(s, g);
  const other = await merchant();
  const theirs = await order(b, other.shop, (await product(other, { stock: 10 })).sku);

  // Pasted: two good rows (a carrier by code and by name), an unknown order
  // number, an unknown carrier, a repeated order, a short row, a held order,
  // another merchant's order number (sent as it is: the batch takes numbers).
  const page = await open(m, { path: '/app/orders' });
  await page.getByRole('tab', { name: '待发货 6', selected: true }).waitFor();
  await page.getByRole('button', { name: '批量发货' }).click();
  const dialog = page.getByRole('dialog', { name: '批量发货' });
  await dialog.waitFor();
  await checkPage(page, 'orders-batch');
  const pasted = [
    'order_sn,carrier,tracking_no',
    `${a.order_sn},sf,SF100000001`,
    `${c.order_sn},顺丰速运,SF100000002`,
    '000000-0000000000,sf,SF100000003',
    `${d.order_sn},nosuch,NS12345678`,
    `${a.order_sn},sf,SF100000004`,
    `${e.order_sn},sf`,
    `${g.order_sn},zto,ZT100000005`,
    `${theirs.order_sn},sf,SF100000006`,
  ].join('\n');
  await dialog.getByLabel('粘贴 CSV 内容').fill(pasted);
  await dialog.getByRole('button', { name: '提交发货' }).click();
  await dialog.getByText('发货结果：成功 2 条，失败 6 条').waitFor();
  const result = async (sn, nth = 0) => dialog.locator('tbody tr').filter({ hasText: sn }).nth(nth).locator('td').allTextContents();
  assert.deepEqual((await result(a.order_sn))[4], '成功');
  assert.deepEqual((await result(c.order_sn)).slice(2, 5), ['sf', 'SF100000002', '成功']);
  assert.deepEqual((await result('000000-0000000000')).slice(4), ['失败', '本店没有这个订单号']);
  assert.match((await result(d.order_sn))[5], /carrier/);
  assert.deepEqual((await result(a.order_sn, 1)).slice(4), ['失败', '与前面的行是同一订单，未重复发货']);
  assert.deepEqual((await result(e.order_sn)).slice(4), ['失败', '需要 3 列：订单号,快递公司,快递单号']);
  assert.deepEqual((await result(g.order_sn)).slice(4), ['失败', HELD]);
  assert.deepEqual((await result(theirs.order_sn)).slice(4), ['失败', '本店没有这个订单号']);
  await checkPage(page, 'orders-batch-result');
  await dialog.getByRole('button', { name: '关闭' }).click();
  await page.getByRole('tab', { name: '待发货 4', selected: true }).waitFor();
  await clean(page);
  await page.context().close();

  // Uploaded, on a phone: a good row, a bad tracking number, one shipped already.
  const phone = await open(m, { layout: 'phone', path: '/app/orders' });
  await phone.getByRole('button', { name: '批量发货' }).click();
  const dlg = phone.getByRole('dialog', { name: '批量发货' });
  await dlg.waitFor();
  await checkPage(phone, 'orders-batch');
  const csv = `\uFEFF订单号,快递公司,快递单号\r\n${d.order_sn},zto,ZT100000006\r\n${e.order_sn},yto,ab\r\n${a.order_sn},sf,SF100000009\r\n`;
  await dlg.getByLabel('或上传 CSV 文件').setInputFiles({ name: 'ship.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await phone.waitForFunction((sn) => document.querySelector('textarea[name=csv]')?.value.includes(sn), d.order_sn);
  await dlg.getByRole('button', { name: '提交发货' }).click();
  await dlg.getByText('发货结果：成功 1 条，失败 2 条').waitFor();
  const prow = async (sn) => dlg.locator('tbody tr').filter({ hasText: sn }).locator('td').allTextContents();
  assert.equal((await prow(d.order_sn))[4], '成功');
  assert.equal((await prow(e.order_sn))[4], '失败');
  assert.match((await prow(e.order_sn))[5], /tracking_no/);
  assert.deepEqual((await prow(a.order_sn)).slice(4), ['失败', 'only a paid order can be shipped, and only once']);
  await checkPage(phone, 'orders-batch-result');
  await phone.context().close();

  const shipped = await ok('GET', `/v1/shops/${m.shop.id}/orders?status=shipped&limit=100`, { token: m.token });
  assert.deepEqual(shipped.items.map((o) => o.order_sn).sort(), [a, c, d].map((o) => o.order_sn).sort());
  assert.equal(shipped.counts.to_ship, 3);
});

test('export CSV: the current filters, zh-CN headers', async () => {
  const m = await merchant();
  const p = await product(m);
  const b = await buyer('赵六');
  const o1 = await order(b, m.shop, p.sku);
  const o2 = await order(b, m.shop, p.sku);
  const o3 = await order(b, m.shop, p.sku, { paid: false });
  const page = await open(m, { path: '/app/orders?tab=all' });
  await expectRows(page, [o3.order_sn, o2.order_sn, o1.order_sn]);
  let [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出 CSV' }).click()]);
  assert.equal(dl.suggestedFilename(), `orders-${m.shop.id}.csv`);
  let text = readFileSync(await dl.path(), 'utf8');
  assert.ok(text.startsWith('\uFEFF订单号,下单时间,付款时间,发货时间,订单状态,买家,商品'), text.slice(0, 80));
  for (const o of [o1, o2, o3]) assert.ok(text.includes(o.order_sn), `${o.order_sn} exported`);
  assert.ok(text.includes('待付款') && text.includes('待发货'));
  assert.equal(text.trim().split(/\r\n/).length, 4);

  // The to-ship tab with a search: only what the list shows.
  await page.getByRole('tab', { name: '待发货 2' }).click();
  await page.getByRole('searchbox', { name: '搜索订单' }).fill(o1.order_sn);
  await page.getByRole('button', { name: '搜索', exact: true }).click();
  await expectRows(page, [o1.order_sn]);
  [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出 CSV' }).click()]);
  text = readFileSync(await dl.path(), 'utf8');
  const lines = text.trim().split(/\r\n/);
  assert.equal(lines.length, 2);
  assert.ok(lines[1].startsWith(o1.order_sn));
  await clean(page);
  await page.context().close();
});

test('notes and names with XSS payloads are shown as text', async () => {
  const m = await merchant();
  const p = await product(m);
  const b = await buyer(XSS[0]);
  const o = await ok('POST', '/v1/orders', {
    token: b.token,
    key: uname('k'),
    body: { shop_id: m.shop.id, items: [{ sku_id: p.sku, quantity: 1 }], address: { ...ADDRESS, name: XSS[2], detail: XSS_TEXT }, note: XSS_TEXT },
  });
  await ok('POST', `/v1/orders/${o.id}/pay`, { token: b.token, key: uname('k') });
  for (const layout of ['desktop', 'phone']) {
    const page = await open(m, { layout, path: '/app/orders' });
    const row = page.locator(`tr[data-order="${o.order_sn}"]`);
    await row.waitFor();
    assert.equal(await row.locator('td.buyer').textContent(), XSS[0]);
    await row.getByRole('link', { name: o.order_sn }).click();
    await page.locator('.buyer-note').waitFor();
    assert.equal(await page.locator('.buyer-note').textContent(), XSS_TEXT);
    assert.equal(await page.locator('.receiver').textContent(), XSS[2]);
    assert.ok((await page.locator('.address-text').textContent()).endsWith(XSS_TEXT));
    const note = page.getByLabel('商家备注（买家不可见）');
    if (layout === 'desktop') {
      await note.fill(XSS_TEXT);
      await page.getByRole('button', { name: '保存备注' }).click();
      await page.getByText('已保存').waitFor();
      await page.reload();
    }
    await page.waitForFunction((v) => document.querySelector('textarea[name=merchant_note]')?.value === v, XSS_TEXT);
    const got = await ok('GET', `/v1/shops/${m.shop.id}/orders/${o.id}`, { token: m.token });
    assert.equal(got.merchant_note, XSS_TEXT);
    await checkPage(page, 'order-detail-xss');
    await page.context().close();
  }
});

test('in English: the tabs, a held order (the platform message stays as sent)', async () => {
  const m = await merchant();
  const p = await product(m);
  const b = await buyer('Han Meimei');
  const o = await order(b, m.shop, p.sku);
  await hold(await staff(['review']), o);
  const page = await open(m, { lang: 'en', path: '/app/orders?tab=under_review' });
  await page.getByRole('tab', { name: 'Under review 1', selected: true }).waitFor();
  await page.getByRole('tab', { name: 'To ship 1' }).waitFor();
  await page.getByRole('link', { name: o.order_sn }).click();
  await page.getByText('The receiver is hidden while the order is under review').waitFor();
  assert.equal(await page.getByRole('button', { name: HELD }).isDisabled(), true);
  await checkPage(page, 'order-held-en');
  await page.context().close();
});
