// Flow 6, after-sales: buyers open requests through the API; the shop
// approves a refund, rejects a request with a reason and sends an
// approved reship with its tracking number, each decision shown at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XSS_TEXT, buyer, checkPage, clean, merchant, ok, open, order, product, uname } from './lib.mjs';

const ask = (b, o, body) => ok('POST', `/v1/orders/${o.id}/after-sales`, { token: b.token, key: uname('k'), body });
const ship = (m, o, no) => ok('POST', `/v1/shops/${m.shop.id}/orders/${o.id}/ship`, { token: m.token, key: uname('k'), body: { carrier: 'sf', tracking_no: no } });

test('after-sales: approve a refund, reject with a reason, reship', async () => {
  const m = await merchant();
  const p = await product(m, { price: 4800, stock: 100 });
  const b = await buyer('韩梅梅');
  const paid = await order(b, m.shop, p.sku);
  const dented = await order(b, m.shop, p.sku);
  const lost = await order(b, m.shop, p.sku);
  await ship(m, dented, 'SF200000001');
  await ship(m, lost, 'SF200000002');
  const refund = await ask(b, paid, { type: 'refund_only', reason: '不想要了' });
  const ret = await ask(b, dented, { type: 'return_refund', reason: XSS_TEXT, amount_cents: 2000 });
  const reship = await ask(b, lost, { type: 'reship', reason: '快递一直没到' });

  const page = await open(m, { path: '/app/aftersales' });
  const row = (a) => page.locator(`tr[data-after-sale="${a.id}"]`);
  await row(reship).waitFor();
  assert.equal(await page.locator('tbody tr').count(), 3);
  // The buyer's reason is text, whatever it holds.
  assert.equal(await row(ret).locator('td.as-reason').textContent(), XSS_TEXT);
  await page.getByRole('navigation').getByRole('link', { name: /售后\s*3/ }).waitFor();
  await checkPage(page, 'aftersales-list');

  // Details of one, in a dialog.
  await row(ret).getByRole('button', { name: '详情' }).click();
  const detail = page.getByRole('dialog', { name: `售后详情：${dented.order_sn}` });
  await detail.waitFor();
  await detail.getByText('退货退款').waitFor();
  await detail.getByText('¥20.00').waitFor();
  await checkPage(page, 'aftersales-detail');
  await page.keyboard.press('Escape');
  await detail.waitFor({ state: 'hidden' });

  // Approve the refund: paid back at once.
  await row(refund).getByRole('button', { name: '同意' }).click();
  const confirm = page.getByRole('dialog', { name: '同意售后申请' });
  await confirm.getByText('同意后将立即退款 ¥48.00 给买家。').waitFor();
  await confirm.getByRole('button', { name: '同意' }).click();
  await confirm.waitFor({ state: 'hidden' });
  await row(refund).getByText('已退款').waitFor();

  // Reject the return with a reason the buyer sees.
  await row(ret).getByRole('button', { name: '拒绝' }).click();
  const prompt = page.getByRole('dialog', { name: '拒绝售后申请' });
  await prompt.getByLabel('拒绝原因（买家可见）').fill('照片显示封口完好');
  await prompt.getByRole('button', { name: '确定' }).click();
  await row(ret).getByText('拒绝原因：照片显示封口完好').waitFor();
  await row(ret).getByText('已拒绝').waitFor();

  // Approve the reship, then send it.
  await row(reship).getByRole('button', { name: '同意' }).click();
  await page.getByRole('dialog', { name: '同意售后申请' }).getByText('同意后请在 15 天内补发商品。').waitFor();
  await page.getByRole('dialog', { name: '同意售后申请' }).getByRole('button', { name: '同意' }).click();
  await row(reship).getByText('待补发').waitFor();
  await row(reship).getByRole('button', { name: '补发' }).click();
  const send = page.getByRole('dialog', { name: `补发：${lost.order_sn}` });
  await send.getByLabel('快递公司').selectOption('zto');
  await send.getByLabel('快递单号').fill('ZT778899001');
  await send.getByRole('button', { name: '补发' }).click();
  await send.waitFor({ state: 'hidden' });
  await row(reship).getByText(/补发物流：中通快递 ZT778899001/).waitFor();
  await page.getByRole('navigation').getByRole('link', { name: /^售后$/ }).waitFor();
  await clean(page);
  await page.context().close();

  const all = await ok('GET', `/v1/shops/${m.shop.id}/after-sales`, { token: m.token });
  const st = Object.fromEntries(all.items.map((a) => [a.id, a]));
  assert.equal(st[refund.id].status, 'refunded');
  assert.equal(st[ret.id].status, 'rejected');
  assert.equal(st[ret.id].reject_reason, '照片显示封口完好');
  assert.equal(st[reship.id].status, 'reshipped');
  assert.deepEqual(st[reship.id].logistics, { carrier: 'zto', tracking_no: 'ZT778899001' });

  // The phone layout, and the status tabs.
  const phone = await open(m, { layout: 'phone', path: '/app/aftersales?tab=rejected' });
  await phone.getByRole('tab', { name: '已拒绝', selected: true }).waitFor();
  await phone.locator(`tr[data-after-sale="${ret.id}"]`).waitFor();
  assert.equal(await phone.locator('tbody tr').count(), 1);
  await phone.getByRole('tab', { name: '全部' }).click();
  await phone.locator('tbody tr').nth(2).waitFor();
  await checkPage(phone, 'aftersales-list');
  await phone.locator(`tr[data-after-sale="${reship.id}"]`).getByRole('button', { name: '详情' }).click();
  await phone.getByRole('dialog', { name: `售后详情：${lost.order_sn}` }).waitFor();
  await checkPage(phone, 'aftersales-detail');
  await phone.context().close();
});
