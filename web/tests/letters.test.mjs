// Flow 7: letters (站内信). They are made the way the platform makes them: a
// reviewer holds orders, then releases one, and the letters come on the
// hour (06:00 to 22:00 Shanghai time) when the jobs run at the frozen
// clock. Then: unread marks and the badge, opening marks read, the
// attachment's download and its content, and the expired state 8 days on
// (both as the API marks it and as a download answered 410 shows it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { buyer, checkPage, merchant, ok, open, order, product, runJobs, setClock, staff, uname } from './lib.mjs';

// Shanghai is UTC+8: 02:20Z is 10:20 there.
const AT = (day, hm) => `2030-01-${day}T${hm}:00Z`;

test('letters: unread marks, open marks read, attachment download, expired after 7 days', async () => {
  // A day of its own, frozen before any account is made (a frozen clock
  // expires sessions made before it).
  await setClock(AT('07', '02:20'));
  const m = await merchant();
  const p = await product(m, { stock: 50 });
  const b = await buyer('韩梅梅');
  const s = await staff(['review']);
  const o1 = await order(b, m.shop, p.sku);
  const o2 = await order(b, m.shop, p.sku);
  for (const o of [o1, o2]) {
    await ok('POST', `/v1/review/orders/${o.id}/hold`, { token: s.token, key: uname('k'), body: { reason: '疑似虚假交易' } });
  }
  const letters = () => ok('GET', `/v1/shops/${m.shop.id}/letters`, { token: m.token });
  // Nothing before the hour.
  await runJobs();
  assert.equal((await letters()).items.length, 0);
  // 11:00: the hold letter; o1 released at 11:10 is in the 12:00 result letter.
  await setClock(AT('07', '03:00'));
  await runJobs();
  await setClock(AT('07', '03:10'));
  await ok('POST', `/v1/review/orders/${o1.id}/release`, { token: s.token, key: uname('k'), body: { note: '核实无误' } });
  await setClock(AT('07', '04:00'));
  await runJobs();
  const list = await letters();
  assert.deepEqual(list.items.map((l) => l.title), ['订单审核结果通知', '订单禁止发货通知']);
  assert.equal(list.unread, 2);
  const [result, hold] = list.items;

  const page = await open(m, { path: '/app/letters' });
  const nav = page.getByRole('navigation');
  await nav.getByRole('link', { name: /站内信\s*2/ }).waitFor();
  const items = page.getByRole('list', { name: '站内信列表' }).getByRole('listitem');
  await items.nth(1).waitFor();
  assert.equal(await items.count(), 2);
  assert.match(await items.nth(0).textContent(), /^未读《订单审核结果通知》/);
  assert.match(await items.nth(1).textContent(), /^未读《订单禁止发货通知》/);
  await items.nth(1).getByText(hold.summary).waitFor();
  await page.getByRole('tab', { name: /未读\s*2/ }).waitFor();
  await checkPage(page, 'letters');

  // Open the hold letter: its text, orders and reason; it is now read.
  await page.getByRole('link', { name: /《订单禁止发货通知》/ }).click();
  await page.getByRole('heading', { name: '《订单禁止发货通知》' }).waitFor();
  await page.getByText(o1.order_sn).first().waitFor();
  await page.getByRole('cell', { name: '疑似虚假交易' }).first().waitFor();
  await page.getByText('· 已读').waitFor();
  await nav.getByRole('link', { name: /站内信\s*1/ }).waitFor();
  const read = (await letters()).items.find((l) => l.id === hold.id);
  assert.ok(read.read_at, 'opening marked it read');

  // The attachment: the letter's orders as CSV.
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载附件' }).click()]);
  assert.equal(dl.suggestedFilename(), `letter-${hold.id}.csv`);
  const csv = readFileSync(await dl.path(), 'utf8');
  assert.match(csv, /^\uFEFF订单号,买家,/);
  assert.ok(csv.includes(o1.order_sn) && csv.includes(o2.order_sn), csv);
  assert.ok(csv.includes('疑似虚假交易'), csv);
  await page.getByText('附件已下载').waitFor();
  await checkPage(page, 'letter');

  // Back in the list: read, no mark; one unread left.
  await page.getByRole('link', { name: /返回站内信/ }).click();
  await items.nth(1).waitFor();
  assert.doesNotMatch(await items.nth(1).textContent(), /^未读/);
  await page.getByRole('tab', { name: /未读\s*1/ }).click();
  // The unread list has replaced the whole one once the read letter is gone.
  await page.getByRole('link', { name: /《订单禁止发货通知》/ }).waitFor({ state: 'detached' });
  await page.getByRole('link', { name: /《订单审核结果通知》/ }).waitFor();
  assert.equal(await items.count(), 1);

  // The result letter stays open while 8 days pass: its download now
  // answers 410, and the page says the attachment expired.
  await page.getByRole('link', { name: /《订单审核结果通知》/ }).click();
  await page.getByRole('heading', { name: '《订单审核结果通知》' }).waitFor();
  await page.getByRole('cell', { name: /审核通过，需发货/ }).first().waitFor();
  await setClock(AT('15', '04:00'));
  await page.getByRole('button', { name: '下载附件' }).click();
  await page.getByRole('button', { name: '附件已过期' }).waitFor();
  assert.equal(await page.getByRole('button', { name: '附件已过期' }).isDisabled(), true);
  await page.context().close();

  // A fresh look: the API marks both attachments expired.
  const after = await letters();
  assert.deepEqual(after.items.map((l) => l.attachment.expired), [true, true]);
  const gone = await fetch(`${process.env.MERCHANTD_URL}${hold.attachment.url}`, { headers: { Authorization: `Bearer ${m.token}` } });
  assert.equal(gone.status, 410);
  for (const layout of ['desktop', 'phone']) {
    const pg = await open(m, { layout, path: '/app/letters' });
    await pg.getByText('附件已过期').first().waitFor();
    if (layout === 'phone') await checkPage(pg, 'letters');
    await pg.getByRole('link', { name: /《订单禁止发货通知》/ }).click();
    const button = pg.getByRole('button', { name: '附件已过期' });
    await button.waitFor();
    assert.equal(await button.isDisabled(), true);
    await pg.getByText(/附件仅在送达后 7 天内可下载/).waitFor();
    await checkPage(pg, 'letter-expired');
    await pg.context().close();
  }
  await setClock(null);
  assert.equal(result.kind, 'result');
});
