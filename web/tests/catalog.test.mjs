// Flow 8: products and SKUs (create with two SKUs and a preview image from
// the image space, the API's field error for a bad price, edit the title
// and the SKUs, add a SKU, off and on sale, delete) and coupons (create,
// batch for several products, stop, add quantity, go live, push a live
// coupon, stop the live session). User-typed titles carry XSS payloads and
// must show literally.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BASE, XSS, checkPage, merchant, ok, open, product, uname } from './lib.mjs';

// A valid 1×1 PNG, uploaded to the image space as the app would.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

async function uploadImage(m, name) {
  const res = await fetch(`${BASE}/v1/shops/${m.shop.id}/images`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${m.token}`, 'Content-Type': 'image/png', 'Idempotency-Key': uname('k') },
    body: PNG,
  });
  assert.equal(res.status, 201, await res.clone().text());
  const img = await res.json();
  // The upload takes no name from a raw body: name it as the app's rename would.
  const r = await fetch(`${BASE}/v1/shops/${m.shop.id}/images/${img.id}`, {
    method: 'PATCH',
    headers: { Authorization: `Bearer ${m.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  return r.ok ? r.json() : img;
}

test('products: create with two SKUs, field error, edit, SKUs, off/on sale, delete', async () => {
  const m = await merchant();
  const image = await uploadImage(m, '龙井主图');
  const title = `${XSS[0]} ${XSS[2]} 明前龙井`;
  const page = await open(m, { path: '/app/products' });
  await page.getByText('还没有商品').waitFor();
  await checkPage(page, 'products-empty');

  await page.getByRole('link', { name: /新建商品/ }).click();
  await page.getByLabel('商品标题').fill(title);
  await page.getByLabel('商品描述').fill('春茶，<b>手工</b>炒制');
  const sku1 = page.getByRole('group', { name: '规格 1' });
  await sku1.getByLabel('规格名称').fill('250g');
  await sku1.getByLabel('价格（元）').fill('abc');
  await sku1.getByLabel('库存').fill('10');
  await sku1.getByLabel('规格预览图').selectOption({ label: image.name });
  await page.getByRole('button', { name: /添加规格/ }).click();
  const sku2 = page.getByRole('group', { name: '规格 2' });
  await sku2.getByLabel('规格名称').fill('500g');
  await sku2.getByLabel('价格（元）').fill('128.5');
  await sku2.getByLabel('库存').fill('5');
  // Not an amount: said before anything is sent.
  await page.getByRole('button', { name: '创建商品' }).click();
  await sku1.getByText('请输入正确的金额，例如 12.50').waitFor();
  // An amount the API refuses: its own message, beside the field it names.
  await sku1.getByLabel('价格（元）').fill('0');
  await page.getByRole('button', { name: '创建商品' }).click();
  await page.getByRole('alert').filter({ hasText: 'skus[0].price_cents' }).waitFor();
  const priceError = sku1.locator('.field-error');
  await priceError.waitFor();
  assert.notEqual(await priceError.textContent(), '请输入正确的金额，例如 12.50');
  await checkPage(page, 'products-new');

  await sku1.getByLabel('价格（元）').fill('68');
  await page.getByRole('button', { name: '创建商品' }).click();
  await page.getByRole('heading', { name: '编辑商品' }).waitFor();
  const id = new URL(page.url()).searchParams.get('edit');
  let p = await ok('GET', `/v1/shops/${m.shop.id}/products/${id}`, { token: m.token });
  assert.equal(p.title, title);
  assert.deepEqual(p.skus.map((s) => [s.spec, s.price_cents, s.stock]), [['250g', 6800, 10], ['500g', 12850, 5]]);
  assert.equal(p.skus[0].image_id, image.id);
  assert.equal(p.status, 'on_sale');
  // The title is text in its input, never markup.
  assert.equal(await page.getByLabel('商品标题').inputValue(), title);
  await page.locator('.sku-thumb').first().waitFor();
  await checkPage(page, 'products-edit');

  // Title and description.
  const title2 = `${title} 特级`;
  await page.getByLabel('商品标题').fill(title2);
  await page.getByLabel('商品描述').fill('明前采摘');
  await page.getByRole('button', { name: '保存', exact: true }).click();
  await page.getByText('已保存').waitFor();
  // A SKU's price and stock.
  const edit2 = page.getByRole('group', { name: '规格 2' });
  await edit2.getByLabel('价格（元）').fill('99.9');
  await edit2.getByLabel('库存').fill('7');
  await edit2.getByRole('button', { name: '保存规格 2' }).click();
  await page.getByText('规格已保存').waitFor();
  // A new SKU.
  const add = page.getByRole('group', { name: '新规格' });
  await add.getByLabel('规格名称').fill('1kg 礼盒');
  await add.getByLabel('价格（元）').fill('300');
  await add.getByLabel('库存').fill('2');
  await add.getByRole('button', { name: /添加规格/ }).click();
  await page.getByRole('group', { name: '规格 3' }).waitFor();
  p = await ok('GET', `/v1/shops/${m.shop.id}/products/${id}`, { token: m.token });
  assert.equal(p.title, title2);
  assert.equal(p.description, '明前采摘');
  assert.deepEqual(p.skus.map((s) => [s.spec, s.price_cents, s.stock]), [['250g', 6800, 10], ['500g', 9990, 7], ['1kg 礼盒', 30000, 2]]);

  // Off sale here, then on sale again from the list's off-sale tab.
  await page.getByRole('button', { name: `下架 ${title2}` }).click();
  await page.locator('.product-status').getByText('已下架').waitFor();
  assert.equal((await ok('GET', `/v1/shops/${m.shop.id}/products/${id}`, { token: m.token })).status, 'off_sale');
  await page.getByRole('link', { name: /返回商品列表/ }).click();
  await page.getByRole('tab', { name: '在售' }).click();
  await page.getByText('还没有商品').waitFor();
  await page.getByRole('tab', { name: '已下架' }).click();
  const row = page.getByRole('row').filter({ hasText: '明前龙井' });
  await row.getByRole('cell', { name: title2, exact: true }).waitFor();
  await row.getByText('¥99.90').waitFor();
  await checkPage(page, 'products');
  await row.getByRole('button', { name: `上架 ${title2}` }).click();
  await row.waitFor({ state: 'detached' });
  assert.equal((await ok('GET', `/v1/shops/${m.shop.id}/products/${id}`, { token: m.token })).status, 'on_sale');

  // Delete another one.
  await product(m, { title: '待删除的商品' });
  await page.getByRole('tab', { name: '全部' }).click();
  await page.getByRole('button', { name: '删除 待删除的商品' }).click();
  const dialog = page.getByRole('dialog', { name: '删除' });
  await dialog.getByText(/删除商品「待删除的商品」/).waitFor();
  await dialog.getByRole('button', { name: '删除' }).click();
  await page.getByText('商品已删除').waitFor();
  await page.getByRole('cell', { name: '待删除的商品' }).waitFor({ state: 'detached' });
  const list = await ok('GET', `/v1/shops/${m.shop.id}/products`, { token: m.token });
  assert.deepEqual(list.items.map((x) => x.title), [title2]);
  await checkPage(page, 'products-list');
  await page.context().close();

  // The phone layout: the list and the editor.
  const phone = await open(m, { layout: 'phone', path: '/app/products' });
  await phone.locator('td.product-title').getByText(title2, { exact: true }).waitFor();
  await checkPage(phone, 'products');
  await phone.getByRole('link', { name: `编辑 ${title2}` }).click();
  await phone.getByRole('group', { name: '规格 3' }).waitFor();
  assert.equal(await phone.getByLabel('商品标题').inputValue(), title2);
  await checkPage(phone, 'products-edit');
  await phone.goto(`${BASE}/app/products?edit=new`);
  await phone.getByRole('group', { name: '规格 1' }).waitFor();
  await checkPage(phone, 'products-new');
  await phone.context().close();
});

test('coupons: create, batch for several products, stop, add quantity, live coupon', async () => {
  const m = await merchant();
  const a = await product(m, { title: `${XSS[1]} 安吉白茶` });
  const b = await product(m, { title: '黄山毛峰' });
  await product(m, { title: '太平猴魁' });
  const couponTitle = `${XSS[0]} 满50减5`;
  const page = await open(m, { path: '/app/coupons' });
  await page.getByText('还没有优惠券').waitFor();
  await page.getByText('未开播').waitFor();
  await checkPage(page, 'coupons-empty');

  // A shop coupon.
  await page.getByRole('button', { name: /创建优惠券/ }).click();
  let dialog = page.getByRole('dialog', { name: '创建优惠券' });
  await dialog.getByLabel('优惠券名称').fill(couponTitle);
  await dialog.getByLabel('面额（元）').fill('5');
  await dialog.getByLabel('使用门槛').fill('50');
  await dialog.getByLabel('发放总量').fill('100');
  await checkPage(page, 'coupons-new');
  await dialog.getByRole('button', { name: '创建', exact: true }).click();
  await dialog.waitFor({ state: 'hidden' });
  const shopRow = page.getByRole('row').filter({ hasText: '满 ¥50.00 减 ¥5.00' });
  await shopRow.getByText(couponTitle, { exact: true }).waitFor();
  await shopRow.getByText('领取中').waitFor();

  // One product coupon for each of two products.
  await page.getByRole('button', { name: /批量创建商品券/ }).click();
  dialog = page.getByRole('dialog', { name: '批量创建商品券' });
  await dialog.getByRole('checkbox', { name: a.title }).check();
  await dialog.getByRole('checkbox', { name: '黄山毛峰' }).check();
  await dialog.getByLabel('优惠券名称').fill('新品立减');
  await dialog.getByLabel('面额（元）').fill('3');
  await dialog.getByLabel('发放总量').fill('100');
  await checkPage(page, 'coupons-batch');
  await dialog.getByRole('button', { name: '创建', exact: true }).click();
  await page.getByText('已创建 2 张商品券').waitFor();
  const batchRows = page.getByRole('row').filter({ hasText: '新品立减' });
  await page.waitForFunction(() => document.querySelectorAll('tbody tr').length === 3);
  await batchRows.filter({ hasText: '黄山毛峰' }).waitFor();
  await batchRows.filter({ hasText: a.title }).getByText(a.title, { exact: true }).waitFor();
  let coupons = (await ok('GET', `/v1/shops/${m.shop.id}/coupons`, { token: m.token })).items;
  assert.deepEqual(coupons.filter((c) => c.kind === 'product').map((c) => c.product_id).sort(), [a.id, b.id].sort());

  // Stop the shop coupon.
  await shopRow.getByRole('button', { name: /^停止/ }).click();
  dialog = page.getByRole('dialog', { name: '停止' });
  await dialog.getByRole('button', { name: '停止' }).click();
  await shopRow.getByText('已停止').waitFor();
  // Add to one product coupon.
  const hs = batchRows.filter({ hasText: '黄山毛峰' });
  await hs.getByRole('button', { name: /^追加数量/ }).click();
  dialog = page.getByRole('dialog', { name: /追加「新品立减」的数量/ });
  await dialog.getByLabel('追加数量（张）').fill('50');
  await dialog.getByRole('button', { name: '追加数量' }).click();
  await hs.getByText(/共 150/).waitFor();
  coupons = (await ok('GET', `/v1/shops/${m.shop.id}/coupons`, { token: m.token })).items;
  assert.equal(coupons.find((c) => c.product_id === b.id).total_quantity, 150);
  assert.ok(coupons.find((c) => c.kind === 'shop').stopped_at);

  // A coupon for one product, picked by its title (shown as text).
  await page.getByRole('button', { name: /创建优惠券/ }).click();
  dialog = page.getByRole('dialog', { name: '创建优惠券' });
  await dialog.getByLabel('类型').selectOption('product');
  await dialog.getByRole('combobox', { name: /^商品/ }).selectOption({ label: a.title });
  await dialog.getByLabel('优惠券名称').fill('白茶专享');
  await dialog.getByLabel('面额（元）').fill('2');
  await dialog.getByRole('button', { name: '创建', exact: true }).click();
  await page.getByRole('row').filter({ hasText: '白茶专享' }).locator('.coupon-product').getByText(a.title, { exact: true }).waitFor();
  coupons = (await ok('GET', `/v1/shops/${m.shop.id}/coupons`, { token: m.token })).items;
  assert.equal(coupons[0].product_id, a.id);

  // A live-only coupon, pushed to the room while live.
  await page.getByRole('button', { name: /创建优惠券/ }).click();
  dialog = page.getByRole('dialog', { name: '创建优惠券' });
  await dialog.getByLabel('优惠券名称').fill('直播专享 10 元券');
  await dialog.getByLabel('面额（元）').fill('10');
  await dialog.getByLabel('发放渠道').selectOption('live');
  await dialog.getByRole('button', { name: '创建', exact: true }).click();
  const liveRow = page.getByRole('row').filter({ hasText: '直播专享 10 元券' });
  await liveRow.getByText('直播专享券').waitFor();
  await page.getByRole('button', { name: '开播' }).click();
  await page.getByText('直播中 · 观众 0 人').waitFor();
  assert.equal((await ok('GET', `/v1/shops/${m.shop.id}/live`, { token: m.token })).live, true);
  await liveRow.getByRole('button', { name: /推送到直播间/ }).click();
  await page.getByText('已推送给 0 位观众').waitFor();
  await page.getByText('最近推送：直播专享 10 元券').waitFor();
  await checkPage(page, 'coupons');
  await page.getByRole('button', { name: '下播' }).click();
  await page.getByText('未开播').waitFor();
  assert.equal((await ok('GET', `/v1/shops/${m.shop.id}/live`, { token: m.token })).live, false);
  await page.context().close();

  // The phone layout, in English.
  const phone = await open(m, { layout: 'phone', lang: 'en', path: '/app/coupons' });
  await phone.getByText(couponTitle, { exact: true }).waitFor();
  await phone.getByRole('button', { name: 'Go live' }).waitFor();
  await phone.locator('.status.stopped').getByText('Stopped', { exact: true }).waitFor();
  await checkPage(phone, 'coupons');
  await phone.getByRole('button', { name: /Coupons for many products/ }).click();
  await phone.getByRole('dialog', { name: 'Coupons for many products' }).getByRole('checkbox', { name: '太平猴魁' }).waitFor();
  await checkPage(phone, 'coupons-batch');
  await phone.context().close();
});
