// Flow 4: the chat workbench. A buyer's message shows without a reload
// (also after the stream was cut, and in long-poll mode), the tabs and
// their counts, sending text, quick replies, product / multi-product /
// order cards, images from the image space, search with highlights,
// auto-reply settings, the sound alert's setting, and buyer text shown
// literally wherever it appears.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32, deflateSync } from 'node:zlib';
import { BASE, XSS, XSS_TEXT, buyer, checkPage, clean, merchant, ok, open, order, product, say, uname } from './lib.mjs';

// Waits until fn() is truthy (an API state the page changed).
async function until(fn, what, ms = 30000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const convs = (m, filter = 'all') => ok('GET', `/v1/shops/${m.shop.id}/conversations?filter=${filter}`, { token: m.token });
const buyerMessages = async (b, shop) => {
  const c = await ok('POST', `/v1/shops/${shop.id}/conversations`, { token: b.token });
  return (await ok('GET', `/v1/conversations/${c.id}/messages`, { token: b.token })).items;
};

// A small PNG (a red square) for the image space.
function png() {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td) >>> 0);
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.from([0, 0, 0, 96, 0, 0, 0, 96, 8, 2, 0, 0, 0]);
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(96 * 3, Buffer.from([200, 30, 30]))]);
  const raw = Buffer.concat(Array(96).fill(row));
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
async function uploadImage(m, name) {
  const form = new FormData();
  form.append('file', new Blob([png()], { type: 'image/png' }), 'red.png');
  form.append('name', name);
  const res = await fetch(`${BASE}/v1/shops/${m.shop.id}/images`, { method: 'POST', headers: { Authorization: `Bearer ${m.token}` }, body: form });
  assert.equal(res.status, 201, await res.clone().text());
  return res.json();
}

const thread = (page) => page.locator('.chat-thread .msgs');
const row = (page, name) => page.locator('.conv-list .conv-open').filter({ has: page.locator('.conv-name', { hasText: name }) });

for (const layout of ['desktop', 'phone']) {
  test(`chat (${layout}): lands on chat, tabs and counts, real time, read markers, sending text, XSS`, async () => {
    const m = await merchant();
    const wang = await buyer('小王');
    const evilName = XSS[1] + XSS[2];
    const evil = await buyer(evilName);
    const quiet = await buyer('小李');
    await say(wang, m.shop, '在吗？');
    await say(evil, m.shop, XSS_TEXT);
    const asked = await say(quiet, m.shop, '发什么快递？');
    // 小李's was read and answered (unreplied no more).
    await ok('POST', `/v1/conversations/${asked.conversation_id}/messages`, { token: m.token, key: uname('k'), body: { type: 'text', text: '顺丰' } });
    await ok('POST', `/v1/conversations/${asked.conversation_id}/read`, { token: m.token, body: { up_to_message_id: asked.id } });
    const { counts } = await convs(m);
    assert.deepEqual(counts, { all: 3, unread: 2, unreplied: 2 });

    const page = await open(m, { layout });
    await page.getByRole('heading', { name: '聊天工作台' }).waitFor();
    assert.match(page.url(), /\/app\/$/);
    await page.getByRole('tab', { name: '全部 3' }).waitFor();
    await page.getByRole('tab', { name: '未读 2' }).waitFor();
    await page.getByRole('tab', { name: '未回复 2' }).waitFor();
    // The buyer's name and text, payloads included, are shown as text.
    await row(page, evilName).waitFor();
    assert.equal(await page.locator('.conv-name', { hasText: evilName }).textContent(), evilName);
    await checkPage(page, 'chat-list');

    await page.getByRole('tab', { name: '未读 2' }).click();
    await page.waitForFunction(() => document.querySelectorAll('.conv-list .conv').length === 2);
    assert.equal(await row(page, '小李').count(), 0);
    await page.getByRole('tab', { name: '全部 3' }).click();
    await row(page, '小李').waitFor();

    // Opening 小王's conversation reads it: the counts follow.
    await row(page, '小王').click();
    await thread(page).getByText('在吗？').waitFor();
    await until(async () => (await convs(m)).counts.unread === 1, 'the conversation read');
    // (On a phone the list is behind the thread: checked on the way back.)
    if (layout === 'desktop') await page.getByRole('tab', { name: '未读 1' }).waitFor();

    // A buyer's message shows without a reload, pushed by the stream (how
    // fast is tests/bench/web.sh's to measure: a busy machine must not
    // fail the test).
    await say(wang, m.shop, '现在有货吗？');
    await thread(page).getByText('现在有货吗？').waitFor();

    // Sending text: the buyer gets it; once the buyer reads it, it shows 已读.
    await page.getByLabel('输入消息').fill('有的，今天发货');
    await page.getByRole('button', { name: '发送', exact: true }).click();
    await thread(page).getByText('有的，今天发货').waitFor();
    const mine = await until(async () => (await buyerMessages(wang, m.shop)).find((x) => x.text === '有的，今天发货'), 'the buyer to get the reply');
    assert.equal(mine.sender, 'merchant');
    await ok('POST', `/v1/conversations/${mine.conversation_id}/read`, { token: wang.token, body: { up_to_message_id: mine.id } });
    await thread(page).locator('.msg', { hasText: '有的，今天发货' }).getByText('已读').waitFor();
    if (layout === 'desktop') await page.getByRole('tab', { name: '未回复 1' }).waitFor();
    await checkPage(page, 'chat-thread');

    // The payload as chat text, in another conversation.
    if (layout === 'phone') {
      await page.getByRole('button', { name: /返回会话列表/ }).click();
      await page.getByRole('tab', { name: '全部 3' }).waitFor();
    }
    await page.getByRole('tab', { name: '未读 1' }).waitFor();
    await page.getByRole('tab', { name: '未回复 1' }).waitFor();
    await row(page, evilName).click();
    await thread(page).locator('.msg-text').filter({ hasText: XSS[0] }).waitFor();
    assert.equal(await thread(page).locator('.msg-text').first().textContent(), XSS_TEXT);
    assert.equal(await page.locator('.thread-name').textContent(), evilName);
    await clean(page);
    await page.context().close();
  });
}

test('chat: what the buyer read before the page opened shows 已读 on load', async () => {
  const m = await merchant();
  const wang = await buyer('小王');
  const asked = await say(wang, m.shop, '在吗？');
  const conv = asked.conversation_id;
  const send = (text) => ok('POST', `/v1/conversations/${conv}/messages`, { token: m.token, key: uname('k'), body: { type: 'text', text } });
  const read = await send('在的');
  await send('还在吗');
  // The buyer reads the first reply only, before the merchant opens the page.
  await ok('POST', `/v1/conversations/${conv}/read`, { token: wang.token, body: { up_to_message_id: read.id } });

  const page = await open(m, { path: `/app/chat?c=${conv}` });
  await thread(page).locator('.msg', { hasText: '在的' }).getByText('已读').waitFor();
  await thread(page).locator('.msg', { hasText: '还在吗' }).waitFor();
  assert.equal(await thread(page).locator('.msg', { hasText: '还在吗' }).getByText('已读').count(), 0);
  // Reading on: the live event marks the second one too.
  const last = (await buyerMessages(wang, m.shop)).at(-1);
  assert.equal(last.text, '还在吗');
  await ok('POST', `/v1/conversations/${conv}/read`, { token: wang.token, body: { up_to_message_id: last.id } });
  await thread(page).locator('.msg', { hasText: '还在吗' }).getByText('已读').waitFor();
  await clean(page);
  await page.context().close();
});

test('chat: quick replies, picked and managed; a payload as a quick reply', async () => {
  const m = await merchant();
  const b = await buyer('小张');
  await say(b, m.shop, '什么时候发货？');
  await ok('POST', `/v1/shops/${m.shop.id}/quick-replies`, { token: m.token, key: uname('k'), body: { text: '亲，今天下单今天发货哦', group: '物流' } });
  for (const layout of ['desktop', 'phone']) {
    const page = await open(m, { layout, path: '/app/chat' });
    await row(page, '小张').click();
    await thread(page).getByText('什么时候发货？').waitFor();
    await page.getByRole('button', { name: '快捷回复' }).click();
    const dialog = page.getByRole('dialog', { name: '快捷回复' });
    await dialog.getByRole('heading', { name: '物流' }).waitFor();
    await checkPage(page, 'chat-quick-replies');
    if (layout === 'desktop') {
      // Manage: add one in a new group (the payload), edit it, add another, delete one.
      await dialog.getByRole('button', { name: '管理快捷回复' }).click();
      await dialog.getByLabel('分组').last().fill('售后');
      await dialog.getByLabel('回复内容').last().fill(XSS_TEXT);
      await dialog.getByRole('button', { name: '添加快捷回复' }).click();
      await dialog.getByRole('heading', { name: '售后' }).waitFor();
      await dialog.getByLabel('回复内容').last().fill('收到货有问题请拍照');
      await dialog.getByRole('button', { name: '添加快捷回复' }).click();
      await dialog.getByText('收到货有问题请拍照').waitFor();
      await dialog.getByRole('button', { name: '编辑 收到货有问题请拍照' }).click();
      await dialog.locator('.qr-edit').getByLabel('回复内容').fill('收到货有问题请拍照给我们');
      await dialog.getByRole('button', { name: '保存' }).click();
      await dialog.getByText('收到货有问题请拍照给我们').waitFor();
      await dialog.getByRole('button', { name: '删除 收到货有问题请拍照给我们' }).click();
      await dialog.getByText('收到货有问题请拍照给我们').waitFor({ state: 'detached' });
      const list = await ok('GET', `/v1/shops/${m.shop.id}/quick-replies`, { token: m.token });
      assert.deepEqual(list.items.map((q) => [q.group, q.text]).sort(), [['售后', XSS_TEXT], ['物流', '亲，今天下单今天发货哦']].sort());
      await dialog.getByRole('button', { name: '完成管理' }).click();
      // The payload, picked: sent and shown as text.
      await dialog.getByRole('button', { name: `发送快捷回复：${XSS_TEXT}` }).click();
      await dialog.waitFor({ state: 'hidden' });
      await thread(page).locator('.msg.merchant .msg-text').filter({ hasText: XSS[1] }).waitFor();
      await clean(page);
      await page.getByRole('button', { name: '快捷回复' }).click();
    }
    await dialog.getByRole('button', { name: '发送快捷回复：亲，今天下单今天发货哦' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await thread(page).locator('.msg.merchant').filter({ hasText: '亲，今天下单今天发货哦' }).first().waitFor();
    await clean(page);
    await page.context().close();
  }
  const got = await buyerMessages(b, m.shop);
  assert.deepEqual(got.filter((x) => x.sender === 'merchant').map((x) => x.text), [XSS_TEXT, '亲，今天下单今天发货哦', '亲，今天下单今天发货哦']);
});

test('chat: product card, multi-product card, order card, image from the image space', async () => {
  const m = await merchant();
  const b = await buyer('小陈');
  const tea = await product(m, { title: '西湖龙井 250g', price: 12800 });
  await product(m, { title: '安吉白茶 100g', price: 6800 });
  await product(m, { title: '碧螺春 200g', price: 9900 });
  const o = await order(b, m.shop, tea.sku);
  await uploadImage(m, '龙井 主图');
  await say(b, m.shop, '有什么推荐？');
  for (const layout of ['desktop', 'phone']) {
    const page = await open(m, { layout, path: '/app/chat' });
    await row(page, '小陈').click();
    await thread(page).getByText('有什么推荐？').waitFor();

    // The buyer's orders: beside the thread on a desktop, a toggle on a phone.
    const panel = page.getByRole('complementary', { name: '买家在本店的订单' });
    if (layout === 'phone') {
      assert.equal(await panel.isVisible(), false);
      await page.getByRole('button', { name: '订单', exact: true }).click();
    }
    await panel.getByText(`订单号 ${o.order_sn}`).waitFor();
    await checkPage(page, 'chat-orders');
    await panel.getByRole('button', { name: `发送订单卡片 ${o.order_sn}` }).click();
    if (layout === 'phone') await panel.waitFor({ state: 'hidden' });
    await thread(page).locator('.msg-order').nth(layout === 'phone' ? 1 : 0).getByText(`订单号 ${o.order_sn}`).waitFor();

    await page.getByRole('button', { name: '商品', exact: true }).click();
    const pick = page.getByRole('dialog', { name: '选择商品' });
    await pick.getByLabel(/西湖龙井/).check();
    await checkPage(page, 'chat-products');
    await pick.getByRole('button', { name: '发送商品卡片 (1)' }).click();
    await pick.waitFor({ state: 'hidden' });
    await thread(page).locator('.msg-card .card-title', { hasText: '西湖龙井 250g' }).first().waitFor();

    await page.getByRole('button', { name: '商品', exact: true }).click();
    await pick.getByLabel(/安吉白茶/).check();
    await pick.getByLabel(/碧螺春/).check();
    await pick.getByRole('button', { name: '发送商品卡片 (2)' }).click();
    await pick.waitFor({ state: 'hidden' });
    await thread(page).locator('.msg-products').last().getByText('碧螺春 200g').waitFor();

    await page.getByRole('button', { name: '图片', exact: true }).click();
    const images = page.getByRole('dialog', { name: '从图片空间选择' });
    await images.getByRole('button', { name: '发送图片：龙井 主图' }).waitFor();
    await checkPage(page, 'chat-images');
    await images.getByRole('button', { name: '发送图片：龙井 主图' }).click();
    await images.waitFor({ state: 'hidden' });
    const img = thread(page).getByRole('img', { name: '图片消息' }).last();
    await img.waitFor();
    await page.waitForFunction(() => [...document.querySelectorAll('.msg-image')].every((i) => i.complete && i.naturalWidth > 0));
    await checkPage(page, 'chat-cards');
    await page.context().close();
  }
  const got = (await buyerMessages(b, m.shop)).filter((x) => x.sender === 'merchant');
  assert.deepEqual(got.map((x) => x.type), ['order_card', 'product_card', 'products_card', 'image', 'order_card', 'product_card', 'products_card', 'image']);
  assert.equal(got[0].card.order_sn, o.order_sn);
  assert.equal(got[1].card.title, '西湖龙井 250g');
  assert.deepEqual(got[2].card.products.map((p) => p.title).sort(), ['安吉白茶 100g', '碧螺春 200g'].sort());
});

test('chat: search with highlights, auto-reply settings, the sound alert remembered', async () => {
  const m = await merchant();
  const b = await buyer('韩梅梅');
  const x = await buyer(XSS[0]);
  await say(b, m.shop, '我想申请退款可以吗');
  await say(x, m.shop, `${XSS_TEXT} 退款`);
  for (const layout of ['desktop', 'phone']) {
    const page = await open(m, { layout, path: '/app/chat' });
    await row(page, '韩梅梅').waitFor();
    await page.getByRole('searchbox', { name: '搜索聊天记录' }).fill('退款');
    await page.getByRole('button', { name: '搜索', exact: true }).click();
    const hits = page.locator('.chat-results .conv-hit');
    await hits.filter({ hasText: '我想申请退款可以吗' }).waitFor();
    assert.equal(await hits.count(), 2);
    // The match is a <mark> of text; the rest is text too.
    assert.deepEqual(await page.locator('.chat-results mark').allTextContents(), ['退款', '退款']);
    assert.equal(await hits.filter({ hasText: '申请' }).locator('mark').count(), 1);
    assert.match(page.url(), /q=%E9%80%80%E6%AC%BE/);
    await checkPage(page, 'chat-search');
    await hits.filter({ hasText: '我想申请退款可以吗' }).click();
    await thread(page).getByText('我想申请退款可以吗').waitFor();
    await clean(page);
    await page.context().close();
  }

  const page = await open(m, { path: '/app/chat' });
  // 消息提醒 is off until turned on, then stays on after a reload.
  const sound = page.getByRole('checkbox', { name: '消息提醒' });
  await sound.waitFor();
  assert.equal(await sound.isChecked(), false);
  await sound.check();
  await page.waitForFunction(() => Number(document.documentElement.dataset.chime) >= 1);
  await page.reload();
  await page.getByRole('checkbox', { name: '消息提醒' }).waitFor();
  assert.equal(await page.getByRole('checkbox', { name: '消息提醒' }).isChecked(), true);
  // A buyer's message rings it.
  await page.locator('html[data-events=sse]').waitFor({ state: 'attached' });
  await say(b, m.shop, '在吗');
  await page.waitForFunction(() => Number(document.documentElement.dataset.chime) >= 1);

  // Auto-reply settings: greeting, a keyword rule, the away message.
  await page.getByRole('button', { name: '自动回复设置' }).click();
  const d = page.getByRole('dialog', { name: '自动回复设置' });
  await d.getByRole('checkbox', { name: '开启欢迎语' }).check();
  await d.getByLabel('欢迎语', { exact: true }).fill('您好，欢迎光临！');
  await d.getByRole('button', { name: '添加关键词' }).click();
  await d.getByLabel('关键词 1', { exact: true }).fill('退款');
  await d.getByLabel('回复 1', { exact: true }).fill('请在订单页申请退款');
  await d.getByRole('checkbox', { name: '开启离线回复' }).check();
  await d.getByLabel('离线消息').fill('客服已下班，明早9点回复您');
  await d.getByRole('button', { name: '添加营业时间' }).click();
  await d.getByRole('combobox', { name: /^星期 1/ }).selectOption('3');
  await checkPage(page, 'chat-auto-reply');
  await d.getByRole('button', { name: '保存' }).click();
  await d.waitFor({ state: 'hidden' });
  const saved = await ok('GET', `/v1/shops/${m.shop.id}/auto-reply`, { token: m.token });
  assert.deepEqual(saved, {
    greeting: '您好，欢迎光临！',
    keyword_rules: [{ keyword: '退款', reply: '请在订单页申请退款' }],
    away: { message: '客服已下班，明早9点回复您', hours: [{ weekday: 3, open: '09:00', close: '21:00' }] },
  });
  // Reopened, it shows what was saved; an invalid rule shows the API's message.
  await page.getByRole('button', { name: '自动回复设置' }).click();
  assert.equal(await d.getByLabel('关键词 1', { exact: true }).inputValue(), '退款');
  await d.getByRole('button', { name: '添加关键词' }).click();
  await d.getByLabel('回复 2', { exact: true }).fill('没有关键词');
  await d.getByRole('button', { name: '保存' }).click();
  await d.getByRole('alert').filter({ hasText: /keyword_rules\[1\]\.keyword/ }).waitFor();
  page.problems = page.problems.filter((p) => !/status of 400/.test(p));
  await clean(page);
  await page.context().close();
});

test('chat: a message sent while the stream was cut arrives after reconnecting (Last-Event-ID)', async () => {
  const m = await merchant();
  const b = await buyer('小周');
  await say(b, m.shop, '第一条');
  const page = await open(m, { path: '/app/chat' });
  const resumed = [];
  page.on('request', (r) => {
    if (r.url().includes('/v1/events') && r.headers()['last-event-id']) resumed.push(r.headers()['last-event-id']);
  });
  await row(page, '小周').click();
  await thread(page).getByText('第一条').waitFor();
  await page.locator('html[data-events=sse]').waitFor({ state: 'attached' });
  // An event first, so the stream has a position to resume from.
  await say(b, m.shop, '第二条');
  await thread(page).getByText('第二条').waitFor();

  await page.context().setOffline(true);
  await page.locator('html[data-events=off]').waitFor({ state: 'attached' });
  await say(b, m.shop, '断线时发的');
  await page.context().setOffline(false);
  await thread(page).getByText('断线时发的').waitFor({ timeout: 60000 });
  assert.ok(resumed.length > 0, 'the stream was reopened with Last-Event-ID');
  await row(page, '小周').filter({ hasText: '断线时发的' }).waitFor();
  page.problems = page.problems.filter((p) => !/ERR_INTERNET_DISCONNECTED|Failed to fetch|network/i.test(p));
  await clean(page);
  await page.context().close();
});

test('chat: long-poll mode (merchantd.events = poll) delivers messages too', async () => {
  const m = await merchant();
  const b = await buyer('小吴');
  await say(b, m.shop, '你好');
  const page = await open(m, { layout: 'phone', path: null });
  await page.addInitScript(() => localStorage.setItem('merchantd.events', 'poll'));
  await page.goto(`${BASE}/app/chat`);
  await page.locator('html[data-events=poll]').waitFor({ state: 'attached' });
  await row(page, '小吴').click();
  await thread(page).getByText('你好').waitFor();
  await say(b, m.shop, '轮询也能收到吗');
  await thread(page).getByText('轮询也能收到吗').waitFor();
  // A new conversation comes to the list too.
  await page.getByRole('button', { name: /返回会话列表/ }).click();
  await say(await buyer('小郑'), m.shop, '新会话');
  await row(page, '小郑').waitFor();
  await checkPage(page, 'chat-poll');
  await page.context().close();
});
