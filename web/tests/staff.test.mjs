// The platform staff console: the review queue end to end (hold through the
// page, release with a note, close with a full refund, extend, each step in
// the history and in the merchant's view), the overdue state, and staff
// seeing only the desks of the permissions they hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XSS, XSS_TEXT, ADDRESS, api, buyer, checkPage, clean, merchant, ok, open, product, sql, staff, uname } from './lib.mjs';

// A paid order whose address name and note are payloads.
async function xssOrder(b, shop, sku) {
  const o = await ok('POST', '/v1/orders', {
    token: b.token,
    key: uname('k'),
    body: { shop_id: shop.id, items: [{ sku_id: sku, quantity: 1 }], address: { ...ADDRESS, name: XSS[0] }, note: XSS_TEXT },
  });
  return ok('POST', `/v1/orders/${o.id}/pay`, { token: b.token, key: uname('k') });
}

const merchantView = (m, o) => ok('GET', `/v1/shops/${m.shop.id}/orders/${o.id}`, { token: m.token });
const hold = (s, o, reason) => ok('POST', `/v1/review/orders/${o.id}/hold`, { token: s.token, key: uname('k'), body: { reason } });

test('review queue: hold, release, close and refund, extend, history', async () => {
  const s = await staff(['review']);
  const m = await merchant();
  const p = await product(m, { price: 2500 });
  const b = await buyer(XSS[0]);
  const [o1, o2, o3] = [await xssOrder(b, m.shop, p.sku), await xssOrder(b, m.shop, p.sku), await xssOrder(b, m.shop, p.sku)];

  const page = await open(s, { path: '/app/review' });
  await page.getByRole('heading', { name: '订单审核' }).waitFor();
  // Nav: only the review desk besides home.
  const nav = page.getByRole('navigation');
  await nav.getByRole('link', { name: '订单审核' }).waitFor();
  assert.equal(await nav.getByRole('link', { name: /活动|社区|反馈|资金/ }).count(), 0);

  // Hold o1 through the page; the reason is a payload, shown as text.
  await page.getByRole('button', { name: '禁止发货（审核）' }).click();
  const dialog = page.getByRole('dialog', { name: '审核订单：禁止发货' });
  await dialog.getByLabel('订单ID').fill(String(o1.id));
  await dialog.getByLabel('原因（商家可见）').fill(XSS_TEXT);
  await dialog.getByLabel('内部备注（选填）').fill('买家来电核实地址');
  await dialog.getByRole('button', { name: '确定' }).click();
  await dialog.waitFor({ state: 'hidden' });
  const row1 = page.locator(`tr[data-order="${o1.id}"]`);
  await row1.waitFor();
  assert.equal(await row1.locator('.review-reason').textContent(), XSS_TEXT);
  // What the reviewer judges by: the receiver in full and the buyer's note,
  // payloads shown as text (the merchant sees the receiver masked).
  assert.equal(await row1.locator('.review-receiver-name').textContent(), XSS[0]);
  await row1.locator('.review-receiver').getByText(ADDRESS.phone).waitFor();
  await row1.locator('.review-address').getByText(ADDRESS.detail).waitFor();
  assert.equal(await row1.locator('.review-buyer-note').textContent(), XSS_TEXT);
  await row1.getByText(/剩余 2\d 小时|剩余 1\d 小时/).waitFor();
  let v = await merchantView(m, o1);
  assert.equal(v.review.status, 'under_review');
  assert.equal(v.address.detail, '');
  assert.notEqual(v.address.phone, ADDRESS.phone);
  assert.equal(v.review.message, '订单审核中，本审核提示消失后，可正常发货');
  const shipped = await api('POST', `/v1/shops/${m.shop.id}/orders/${o1.id}/ship`, { token: m.token, body: { carrier: 'sf', tracking_no: 'SF1234567890' } });
  assert.equal(shipped.status, 409);

  // o2 and o3 held through the API appear after a reload, earliest deadline first.
  await hold(s, o2, '疑似刷单');
  await hold(s, o3, '生鲜类目需检测');
  await page.reload();
  await page.locator(`tr[data-order="${o3.id}"]`).waitFor();
  const order = await page.locator('tbody tr').evaluateAll((rows) => rows.map((r) => Number(r.dataset.order)));
  assert.deepEqual(order, [o1.id, o2.id, o3.id]);
  for (const layout of ['desktop', 'phone']) {
    const p2 = layout === 'desktop' ? page : await open(s, { layout, path: '/app/review' });
    await p2.locator(`tr[data-order="${o3.id}"]`).waitFor();
    await checkPage(p2, 'review-queue');
    if (p2 !== page) await p2.context().close();
  }

  // Release o1 with a note.
  await row1.getByRole('button', { name: `放行 ${o1.order_sn}` }).click();
  const ask = page.getByRole('dialog', { name: `放行订单 ${o1.order_sn}` });
  await ask.getByLabel('放行说明（选填，记入审核记录）').fill('地址已电话确认');
  await ask.getByRole('button', { name: '确定' }).click();
  await row1.waitFor({ state: 'detached' });
  await page.getByText(`订单 ${o1.order_sn} 已放行`).waitFor();
  v = await merchantView(m, o1);
  assert.equal(v.review.status, 'released');
  assert.equal(v.status, 'paid');

  // Close o2 and refund in full.
  const row2 = page.locator(`tr[data-order="${o2.id}"]`);
  await row2.getByRole('button', { name: `关闭并退款 ${o2.order_sn}` }).click();
  const ask2 = page.getByRole('dialog', { name: `关闭订单 ${o2.order_sn} 并全额退款` });
  await ask2.getByLabel('关闭原因（亦为退款原因）').fill('确认售假');
  await ask2.getByRole('button', { name: '确定' }).click();
  await row2.waitFor({ state: 'detached' });
  await page.getByText(`订单 ${o2.order_sn} 已关闭，退款 ¥25.00`).waitFor();
  v = await merchantView(m, o2);
  assert.equal(v.status, 'closed');
  assert.equal(v.review.status, 'closed');

  // Extend o3 by 48 hours: the deadline moves.
  const before = (await ok('GET', '/v1/review/orders', { token: s.token })).items.find((x) => x.order_id === o3.id).review.deadline;
  const row3 = page.locator(`tr[data-order="${o3.id}"]`);
  await row3.getByRole('button', { name: `延长审核 ${o3.order_sn}` }).click();
  const ext = page.getByRole('dialog', { name: `延长订单 ${o3.order_sn} 的审核` });
  await ext.getByLabel('延长小时数（1–168）').fill('48');
  await ext.getByLabel('延长原因').fill(XSS_TEXT);
  await checkPage(page, 'review-extend');
  await ext.getByRole('button', { name: '确定' }).click();
  await ext.waitFor({ state: 'hidden' });
  await row3.getByText(/剩余 (6|7)\d 小时/).waitFor();
  const after = (await ok('GET', '/v1/review/orders', { token: s.token })).items.find((x) => x.order_id === o3.id).review.deadline;
  assert.equal(new Date(after) - new Date(before), 48 * 3600 * 1000);

  // o3's history: the hold then the extension, the note shown as text.
  await row3.getByRole('button', { name: `审核记录 ${o3.order_sn}` }).click();
  const hist = page.getByRole('dialog', { name: `订单 ${o3.order_sn} 的审核记录` });
  await hist.getByText('生鲜类目需检测').waitFor();
  const steps = await hist.locator('li strong').allTextContents();
  assert.deepEqual(steps, ['禁止发货', '延长审核']);
  await hist.getByText(XSS_TEXT).waitFor();
  assert.ok(page.url().includes(`history=${o3.id}`));
  await checkPage(page, 'review-history');
  await hist.getByRole('button', { name: '关闭' }).click();

  // The released tab: o1, whose history has the hold and the release.
  await page.getByRole('tab', { name: '已放行' }).click();
  const r1 = page.locator(`tr[data-order="${o1.id}"]`);
  await r1.getByRole('button', { name: `审核记录 ${o1.order_sn}` }).click();
  const h1 = page.getByRole('dialog', { name: `订单 ${o1.order_sn} 的审核记录` });
  await h1.getByText('地址已电话确认').waitFor();
  assert.deepEqual(await h1.locator('li strong').allTextContents(), ['禁止发货', '放行']);
  await h1.getByText('买家来电核实地址').waitFor();
  await h1.getByRole('button', { name: '关闭' }).click();
  await page.getByRole('tab', { name: '已关闭退款' }).click();
  await page.locator(`tr[data-order="${o2.id}"]`).waitFor();
  await checkPage(page, 'review-closed');

  // Past the deadline (this browser's clock three days on): 已超时.
  await page.clock.setFixedTime(new Date(Date.now() + 3 * 24 * 3600 * 1000));
  await page.getByRole('tab', { name: '审核中' }).click();
  await page.locator(`tr[data-order="${o3.id}"]`).getByText('已超时').waitFor();
  await checkPage(page, 'review-overdue');

  // English.
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('heading', { name: 'Order review' }).waitFor();
  await page.getByRole('button', { name: `Release ${o3.order_sn}` }).waitFor();
  await clean(page);
  await page.context().close();
});

test('staff see only the desks of their permissions', async () => {
  const s = await staff(['review']);
  for (const layout of ['desktop', 'phone']) {
    const page = await open(s, { layout, path: '/app/campaigns' });
    await page.getByText('页面不存在').waitFor();
    assert.equal(await page.getByRole('heading', { name: /活动/ }).count(), 0);
    const links = await page.getByRole('navigation').getByRole('link').allTextContents();
    assert.deepEqual(links.map((x) => x.trim()), ['待办', '订单审核']);
    await checkPage(page, 'staff-review-only');
    await page.context().close();
  }
  // Every permission: every desk, in this order.
  const all = await staff(['review', 'campaigns', 'community', 'support', 'finance']);
  const desk = await open(all, { path: '/app/' });
  await desk.getByRole('heading', { name: '平台工作台' }).waitFor();
  const order = await desk.getByRole('navigation').getByRole('link').allTextContents();
  assert.deepEqual(order.map((x) => x.trim()), ['待办', '订单审核', '活动管理', '商家社区', '反馈与客服', '资金审核']);
  await clean(desk);
  await desk.context().close();
  // A staff member without review gets no review page.
  const c = await staff(['campaigns']);
  const page = await open(c, { path: '/app/review' });
  await page.getByText('页面不存在').waitFor();
  assert.equal(await page.getByRole('navigation').getByRole('link', { name: '订单审核' }).count(), 0);
  await clean(page);
  await page.context().close();
});

// A datetime-local value (this machine's zone, as the browser's) ms from now.
function localIn(ms) {
  const d = new Date(Date.now() + ms);
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

test('campaigns: publish, a merchant enters two products, approve one, reject one, rename', async () => {
  const s = await staff(['campaigns']);
  const page = await open(s, { path: '/app/campaigns' });
  await page.getByRole('heading', { name: '平台活动' }).waitFor();
  const links = await page.getByRole('navigation').getByRole('link').allTextContents();
  assert.deepEqual(links.map((x) => x.trim()), ['待办', '活动管理']);
  await page.getByRole('button', { name: '新建活动' }).click();
  const form = page.getByRole('form', { name: '新建活动' });
  await form.getByLabel('活动名称').fill(`双十二 ${XSS[2]}`);
  await form.getByLabel('活动类型').selectOption('festival');
  // Sign-up opens now, so the merchant can enter at once.
  await form.getByLabel('报名开始').fill(localIn(-5 * 60000));
  await form.getByLabel('最低折扣（%）').fill('10');
  await checkPage(page, 'campaign-new');
  const phone = await open(s, { layout: 'phone', path: '/app/campaigns?edit=new' });
  await phone.getByRole('form', { name: '新建活动' }).waitFor();
  await checkPage(phone, 'campaign-new');
  await phone.context().close();
  await form.getByRole('button', { name: '保存' }).click();
  await page.getByRole('heading', { name: `双十二 ${XSS[2]}` }).waitFor();
  await page.locator('.card .status-chip', { hasText: '报名中' }).first().waitFor();
  const c = (await ok('GET', '/v1/platform/campaigns', { token: s.token })).items[0];
  assert.equal(c.kind, 'festival');
  assert.equal(c.status, 'signup_open');

  // A merchant enters two products through the API.
  const m = await merchant();
  const entries = [];
  for (const title of ['西湖龙井', '碧螺春']) {
    const p = await product(m, { title, price: 1000, stock: 100 });
    entries.push(await ok('POST', `/v1/shops/${m.shop.id}/campaign-entries`, {
      token: m.token, key: uname('k'),
      body: { campaign_id: c.id, product_id: p.id, skus: [{ sku_id: p.sku, campaign_price_cents: 800, campaign_stock: 10 }] },
    }));
  }
  await page.reload();
  const [e1, e2] = entries;
  await page.locator(`tr[data-entry="${e2.id}"]`).waitFor();
  await page.locator(`tr[data-entry="${e1.id}"]`).getByText('活动价 ¥8.00，活动库存 10').waitFor();
  for (const layout of ['desktop', 'phone']) {
    const p2 = layout === 'desktop' ? page : await open(s, { layout, path: `/app/campaigns?id=${c.id}` });
    await p2.locator(`tr[data-entry="${e2.id}"]`).waitFor();
    await checkPage(p2, 'campaign-entries');
    if (p2 !== page) await p2.context().close();
  }
  await page.getByRole('button', { name: `通过 #${e1.id}` }).click();
  await page.locator(`tr[data-entry="${e1.id}"]`).waitFor({ state: 'detached' });
  await page.getByRole('button', { name: `驳回 #${e2.id}` }).click();
  const ask = page.getByRole('dialog', { name: `驳回报名 #${e2.id}` });
  await ask.getByLabel('驳回原因').fill(XSS_TEXT);
  await ask.getByRole('button', { name: '确定' }).click();
  await page.locator(`tr[data-entry="${e2.id}"]`).waitFor({ state: 'detached' });
  const approved = await ok('GET', `/v1/platform/campaigns/${c.id}/entries?status=approved`, { token: s.token });
  assert.deepEqual(approved.items.map((x) => x.id), [e1.id]);
  const rejected = await ok('GET', `/v1/platform/campaigns/${c.id}/entries?status=rejected`, { token: s.token });
  assert.equal(rejected.items[0].reason, XSS_TEXT);
  await page.getByRole('tab', { name: '已驳回' }).click();
  await page.locator(`tr[data-entry="${e2.id}"]`).getByText(XSS_TEXT).waitFor();
  await checkPage(page, 'campaign-rejected');

  // Renamed once sign-up opened (the other fields are locked).
  await page.getByRole('button', { name: '编辑活动' }).click();
  const edit = page.getByRole('form', { name: '编辑活动' });
  await edit.getByText('报名开始后只能修改活动名称。').waitFor();
  assert.equal(await edit.getByLabel('活动结束').isDisabled(), true);
  await edit.getByLabel('活动名称').fill('双十二年终大促');
  await edit.getByRole('button', { name: '保存' }).click();
  await page.getByRole('heading', { name: '双十二年终大促' }).waitFor();
  await page.getByRole('link', { name: '双十二年终大促' }).waitFor();
  assert.equal((await ok('GET', `/v1/platform/campaigns/${c.id}`, { token: s.token })).name, '双十二年终大促');
  await clean(page);
  await page.context().close();
});

test('community: write an article (Markdown rendered by the API), hide a reported comment, dismiss another', async () => {
  const s = await staff(['community']);
  const page = await open(s, { path: '/app/community' });
  await page.getByRole('heading', { name: '商家社区' }).waitFor();
  await page.getByRole('button', { name: '写文章' }).click();
  const form = page.getByRole('form', { name: '写文章' });
  await form.getByLabel('标题').fill('双十二备货指南');
  await form.getByLabel('分类').selectOption('活动解读');
  await form.getByLabel('标签（逗号分隔）').fill('备货, 大促');
  const body = `## 提前备货\n\n**库存**要充足。\n\n${XSS_TEXT}\n\n[bad](javascript:window.__xss=5) [规则](https://example.com/rules)`;
  await form.getByLabel('正文（Markdown）').fill(body);
  await form.getByRole('button', { name: '保存' }).click();
  const art = page.locator('article');
  await art.getByRole('heading', { name: '双十二备货指南' }).waitFor();
  // The API's rendering: a heading and bold text; raw HTML shown as text; the bad link only its text.
  await art.getByRole('heading', { name: '提前备货', level: 2 }).waitFor();
  assert.equal(await art.locator('.article-html strong').textContent(), '库存');
  await art.getByText(XSS_TEXT).waitFor();
  assert.equal(await art.getByRole('link', { name: 'bad' }).count(), 0);
  assert.equal(await art.getByRole('link', { name: '规则' }).getAttribute('href'), 'https://example.com/rules');
  await art.getByRole('button', { name: '查看 Markdown 源文' }).click();
  assert.equal(await art.locator('pre.article-body').textContent(), body);
  const a = (await ok('GET', '/v1/platform/community/articles', { token: s.token })).items[0];
  assert.equal(a.category, '活动解读');
  assert.deepEqual(a.tags, ['备货', '大促']);

  // Merchants comment, one with a payload; others report both.
  const m1 = await merchant();
  const m2 = await merchant();
  const bad = await ok('POST', `/v1/community/articles/${a.id}/comments`, { token: m1.token, key: uname('k'), body: { body: XSS_TEXT } });
  const fine = await ok('POST', `/v1/community/articles/${a.id}/comments`, { token: m1.token, key: uname('k'), body: { body: '很有用，谢谢' } });
  await ok('POST', `/v1/community/comments/${bad.id}/reports`, { token: m2.token, key: uname('k'), body: { reason: `广告 ${XSS[1]}` } });
  await ok('POST', `/v1/community/comments/${fine.id}/reports`, { token: m2.token, key: uname('k'), body: { reason: '误报' } });
  await page.reload();
  await page.locator(`li[data-comment="${bad.id}"]`).getByText(XSS_TEXT).waitFor();
  await page.locator(`li[data-comment="${bad.id}"]`).getByText('1 条待处理举报').waitFor();
  for (const layout of ['desktop', 'phone']) {
    const p2 = layout === 'desktop' ? page : await open(s, { layout, path: `/app/community?id=${a.id}` });
    await p2.locator(`li[data-comment="${fine.id}"]`).waitFor();
    await checkPage(p2, 'community-article');
    if (p2 !== page) await p2.context().close();
  }

  // The moderation queue: hide the payload, dismiss the other report.
  await page.getByRole('tab', { name: '举报处理' }).click();
  const r1 = page.locator(`li[data-comment="${bad.id}"]`);
  await r1.getByText(XSS_TEXT).waitFor();
  await r1.getByText(`广告 ${XSS[1]}`).waitFor();
  for (const layout of ['desktop', 'phone']) {
    const p2 = layout === 'desktop' ? page : await open(s, { layout, path: '/app/community?tab=reports' });
    await p2.locator(`li[data-comment="${fine.id}"]`).waitFor();
    await checkPage(p2, 'community-reports');
    if (p2 !== page) await p2.context().close();
  }
  await r1.getByRole('button', { name: `隐藏评论 #${bad.id}` }).click();
  await r1.waitFor({ state: 'detached' });
  await page.getByRole('button', { name: `驳回举报 #${fine.id}` }).click();
  await page.locator(`li[data-comment="${fine.id}"]`).waitFor({ state: 'detached' });
  const seen = await ok('GET', `/v1/community/articles/${a.id}/comments`, { token: m2.token });
  assert.deepEqual(seen.items.map((c) => c.id), [fine.id]);
  const decided = await ok('GET', '/v1/platform/community/reports?status=hidden', { token: s.token });
  assert.deepEqual(decided.items.map((r) => r.comment_id), [bad.id]);
  await page.getByRole('tab', { name: '已驳回' }).click();
  await page.locator(`li[data-comment="${fine.id}"]`).waitFor();

  // The article shows the hidden comment as hidden; an official reply.
  await page.goto(page.url().replace(/\/app\/.*$/, `/app/community?id=${a.id}`));
  await page.locator(`li[data-comment="${bad.id}"]`).getByText('已隐藏').waitFor();
  await page.getByLabel('以官方身份回复').fill('感谢反馈');
  await page.getByRole('button', { name: '发送' }).click();
  await page.locator('li[data-comment]').filter({ hasText: '感谢反馈' }).getByText('官方').waitFor();
  await clean(page);
  await page.context().close();
});

test('feedback: reply and close; support chat: queue, preview, claim, reply, a live message, end', async () => {
  const s = await staff(['support']);
  const m = await merchant();
  const fb = await ok('POST', '/v1/feedback', { token: m.token, key: uname('k'), body: { category: 'orders', text: `导出打不开 ${XSS_TEXT}`, shop_id: m.shop.id, device: XSS[3] } });
  const page = await open(s, { path: '/app/feedback' });
  await page.getByRole('heading', { name: '反馈与客服' }).waitFor();
  const links = await page.getByRole('navigation').getByRole('link').allTextContents();
  assert.deepEqual(links.map((x) => x.trim()), ['待办', '反馈与客服']);
  const row = page.locator(`li[data-feedback="${fb.id}"]`);
  await row.getByText(`导出打不开 ${XSS_TEXT}`).waitFor();
  await row.getByRole('link').click();
  const detail = page.getByRole('article');
  await detail.locator('.feedback-text', { hasText: XSS_TEXT }).waitFor();
  await detail.getByText(XSS[3], { exact: true }).waitFor();
  for (const layout of ['desktop', 'phone']) {
    const p2 = layout === 'desktop' ? page : await open(s, { layout, path: `/app/feedback?id=${fb.id}` });
    await p2.getByRole('article').getByText('待回复').waitFor();
    await checkPage(p2, 'feedback');
    if (p2 !== page) await p2.context().close();
  }
  await detail.getByLabel('回复内容').fill('已修复，请更新到最新版本');
  await detail.getByRole('button', { name: '发送回复' }).click();
  await detail.locator('.chat-log').getByText('已修复，请更新到最新版本').waitFor();
  await detail.locator('.status-chip', { hasText: '已回复' }).waitFor();
  let mine = await ok('GET', `/v1/feedback/${fb.id}`, { token: m.token });
  assert.equal(mine.status, 'replied');
  assert.deepEqual(mine.replies.map((r) => r.text), ['已修复，请更新到最新版本']);
  await detail.getByRole('button', { name: '关闭反馈' }).click();
  await detail.locator('.status-chip', { hasText: '已关闭' }).waitFor();
  mine = await ok('GET', `/v1/feedback/${fb.id}`, { token: m.token });
  assert.equal(mine.status, 'closed');

  // The support chat: a merchant waits in the queue.
  const conv = await ok('POST', `/v1/shops/${m.shop.id}/support/conversations`, { token: m.token });
  await ok('POST', `/v1/conversations/${conv.id}/messages`, { token: m.token, key: uname('k'), body: { type: 'text', text: `保证金怎么退？${XSS[0]}` } });
  await page.getByRole('tab', { name: '官方服务' }).click();
  const q = page.locator(`li[data-conversation="${conv.id}"]`);
  await q.getByRole('link').click();
  const chat = page.getByRole('region', { name: /茶香小铺/ });
  await chat.getByText(`保证金怎么退？${XSS[0]}`).waitFor();
  await chat.getByText('预览：接入后才能回复').waitFor();
  for (const layout of ['desktop', 'phone']) {
    const p2 = layout === 'desktop' ? page : await open(s, { layout, path: `/app/feedback?tab=support&cid=${conv.id}` });
    await p2.getByRole('button', { name: '接入' }).waitFor();
    await checkPage(p2, 'support-preview');
    if (p2 !== page) await p2.context().close();
  }
  await chat.getByRole('button', { name: '接入' }).click();
  await chat.getByLabel('消息').fill('您好，请提供店铺名称');
  await chat.getByRole('button', { name: '发送' }).click();
  await chat.locator('.chat-log li.mine', { hasText: '您好，请提供店铺名称' }).waitFor();
  const msgs = await ok('GET', `/v1/conversations/${conv.id}/messages`, { token: m.token });
  assert.ok(msgs.items.some((x) => x.sender === 'staff' && x.text === '您好，请提供店铺名称'));
  // The merchant's answer arrives without a reload.
  await ok('POST', `/v1/conversations/${conv.id}/messages`, { token: m.token, key: uname('k'), body: { type: 'text', text: '茶香小铺，谢谢' } });
  await chat.getByText('茶香小铺，谢谢').waitFor();
  await checkPage(page, 'support-chat');
  await chat.getByRole('button', { name: '结束会话' }).click();
  await page.locator(`li[data-conversation="${conv.id}"]`).first().waitFor();
  await chat.locator('.status-chip', { hasText: '已结束' }).waitFor();
  const [c] = (await ok('GET', `/v1/shops/${m.shop.id}/support/conversations`, { token: m.token })).items;
  assert.ok(c.closed_at);
  await clean(page);
  await page.context().close();
});

test('finance: approve and reject large withdrawals; adjustments with four eyes', async () => {
  const s1 = await staff(['finance']);
  const s2 = await staff(['finance']);
  // Two shops with 60,000 yuan each and a bank account, each withdrawing above the approval limit.
  const large = async (amount) => {
    const m = await merchant();
    sql(`SELECT ledger_post('web-test:${m.shop.id}', 'adjustment', 1, ARRAY[ledger_account(${m.shop.id}, 'provider_clearing')],
         ARRAY[ledger_account(${m.shop.id}, 'available')], ARRAY[6000000]::bigint[], ARRAY['adjustment'], now())`);
    await ok('PUT', `/v1/shops/${m.shop.id}/funds/bank-account`, { token: m.token, body: { holder: '李雷', bank: '工商银行', account_no: '6222020200112233' } });
    const w = await ok('POST', `/v1/shops/${m.shop.id}/funds/withdrawals`, { token: m.token, key: uname('k'), body: { amount_cents: amount } });
    return [m, w];
  };
  const [m, w1] = await large(5500000);
  const [m2, w2] = await large(5100000);
  assert.equal(w1.approval, 'pending');

  const page = await open(s1, { path: '/app/finance' });
  await page.getByRole('heading', { name: '资金审核' }).waitFor();
  await page.locator(`tr[data-withdrawal="${w2.id}"]`).getByText('¥51,000.00').waitFor();
  for (const layout of ['desktop', 'phone']) {
    const p2 = layout === 'desktop' ? page : await open(s1, { layout, path: '/app/finance' });
    await p2.locator(`tr[data-withdrawal="${w1.id}"]`).waitFor();
    await checkPage(p2, 'finance-withdrawals');
    if (p2 !== page) await p2.context().close();
  }
  await page.getByRole('button', { name: `通过 #${w1.id}` }).click();
  await page.locator(`tr[data-withdrawal="${w1.id}"]`).waitFor({ state: 'detached' });
  await page.getByRole('button', { name: `驳回 #${w2.id}` }).click();
  const ask = page.getByRole('dialog', { name: `驳回提现 #${w2.id}` });
  await ask.getByRole('textbox').fill('收款账户信息待核实');
  await ask.getByRole('button', { name: '确定' }).click();
  await page.locator(`tr[data-withdrawal="${w2.id}"]`).waitFor({ state: 'detached' });
  assert.equal((await ok('GET', `/v1/shops/${m.shop.id}/funds/withdrawals/${w1.id}`, { token: m.token })).approval, 'approved');
  const r2 = await ok('GET', `/v1/shops/${m2.shop.id}/funds/withdrawals/${w2.id}`, { token: m2.token });
  assert.equal(r2.approval, 'rejected');
  assert.equal(r2.reason, '收款账户信息待核实');

  // An adjustment above the limit waits for another staff member.
  await page.getByRole('tab', { name: '资金调整' }).click();
  const form = page.getByRole('form', { name: '新建调整' });
  await form.getByLabel('店铺ID').fill(String(m.shop.id));
  await form.getByLabel('方向').selectOption('credit');
  await form.getByLabel('金额（元）').fill('2000');
  await form.getByLabel('原因').fill(`活动补贴 ${XSS[0]}`);
  await form.getByRole('button', { name: '提交' }).click();
  await page.getByText('调整已提交，等待另一位财务审核').waitFor();
  const [adj] = (await ok('GET', '/v1/platform/funds/adjustments', { token: s1.token })).items;
  assert.equal(adj.status, 'pending_approval');
  const mine = page.locator(`tr[data-adjustment="${adj.id}"]`);
  await mine.getByText(`活动补贴 ${XSS[0]}`).waitFor();
  assert.equal(await mine.getByRole('button').count(), 0, 'the asker cannot approve their own');
  await checkPage(page, 'finance-adjustments');
  const other = await open(s2, { layout: 'phone', path: '/app/finance?tab=adjustments' });
  await other.getByRole('button', { name: `通过 #${adj.id}` }).click();
  await other.locator(`tr[data-adjustment="${adj.id}"]`).getByText('已入账').waitFor();
  await checkPage(other, 'finance-adjustments');
  assert.equal((await ok('GET', '/v1/platform/funds/adjustments?status=posted', { token: s1.token })).items[0].id, adj.id);
  await other.context().close();
  await clean(page);
  await page.context().close();
});
