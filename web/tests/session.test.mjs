// Flows 1-3: logging in (the API's message on a wrong password, when to
// retry once throttled), the "logged in elsewhere" dialog across two
// browsers, and the shop switcher with its badge counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buyer, checkPage, clean, formLogin, login, merchant, ok, open, order, product, say, staff } from './lib.mjs';

for (const layout of ['desktop', 'phone']) {
  test(`log in, wrong password, throttled (${layout})`, async () => {
    const m = await merchant();
    const page = await open(null, { layout });
    await checkPage(page, 'login');
    await formLogin(page, m.username, 'wrong-password');
    await page.getByRole('alert').filter({ hasText: /wrong|incorrect|invalid/i }).waitFor();
    // Four more failures reach the username's limit: the next answer is
    // 429 and the form says when to retry.
    for (let i = 0; i < 4; i++) {
      await page.getByRole('button', { name: '登录' }).click();
      await page.waitForFunction((n) => document.querySelectorAll('[role=alert]').length > 0 && n >= 0, i);
    }
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByText(/请在 \d+ 秒后重试/).first().waitFor();
    assert.equal(await page.getByRole('button', { name: '登录' }).isDisabled(), true);
    page.problems = [];

    // Another account logs in fine.
    const other = await merchant({ shop: '果园直供' });
    await page.reload();
    await formLogin(page, other.username);
    await page.getByRole('button', { name: /切换店铺: 果园直供/ }).waitFor();
    await page.getByRole('navigation').waitFor();
    await checkPage(page, 'home');
    await page.context().close();
  });
}

test('logged in elsewhere: the dialog, 刷新 and 退出', async () => {
  const m = await merchant();
  m.token = await login(m.username, undefined, 'Pixel 8');
  const first = await open(m);
  await first.getByRole('button', { name: /切换店铺/ }).waitFor();
  // The event stream is open before the other login.
  await first.locator('html[data-events=sse]').waitFor({ state: 'attached' });

  // The same account logs in in a second browser, through the form.
  const second = await open(null);
  await formLogin(second, m.username);
  await second.getByRole('button', { name: /切换店铺/ }).waitFor();

  // The first one learns it at once from its stream: the dialog names the
  // other device and time, and offers 刷新 and 退出.
  const dialog = first.getByRole('dialog', { name: '账户在别处登陆' });
  await dialog.waitFor();
  await dialog.getByText(/Web · Chrome/).waitFor();
  await dialog.getByText(/\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}/).waitFor();
  assert.ok(await dialog.getByRole('button', { name: '刷新' }).isVisible());
  assert.ok(await dialog.getByRole('button', { name: '退出' }).isVisible());
  await checkPage(first, 'logged-in-elsewhere');

  // 刷新 logs in again here, which in turn replaces the second browser.
  await dialog.getByRole('button', { name: '刷新' }).click();
  await dialog.getByLabel('密码').fill(m.password);
  await dialog.getByRole('button', { name: '登录' }).click();
  await dialog.waitFor({ state: 'hidden' });
  await first.locator('html[data-events=sse]').waitFor({ state: 'attached' });
  const back = second.getByRole('dialog', { name: '账户在别处登陆' });
  await back.waitFor();

  assert.equal(await second.locator('html').getAttribute('data-events'), 'off', 'the stream stopped');
  // 退出 there: the login form, and nothing of the account is kept.
  await back.getByRole('button', { name: '退出' }).click();
  await second.getByRole('button', { name: '登录' }).waitFor();
  assert.equal(await second.evaluate(() => localStorage.getItem('merchantd.token')), null);
  await clean(first);
  await clean(second);
  await first.context().close();
  await second.context().close();
});

test('shop switcher: badge counts, and switching changes the page', async () => {
  const m = await merchant({ shop: '茶香小铺', more: ['果园直供'] });
  const [tea, fruit] = m.shops;
  const p = await product(m, { shop: tea });
  const b = await buyer('小王');
  await order(b, tea, p.sku);
  await order(b, tea, p.sku);
  await say(b, fruit, '还有货吗？');
  for (const layout of ['desktop', 'phone']) {
    const page = await open(m, { layout });
    const current = page.getByRole('button', { name: /切换店铺: / });
    await current.waitFor();
    await current.click();
    const menu = page.getByRole('list', { name: '切换店铺' });
    await menu.getByRole('button', { name: /茶香小铺.*待发货 2/ }).waitFor();
    await menu.getByRole('button', { name: /果园直供.*未读会话 \d+/ }).waitFor();
    await checkPage(page, 'shop-switcher');
    await menu.getByRole('button', { name: /茶香小铺/ }).click();
    await page.goto(page.url().replace(/\/app\/.*$/, '/app/home'));
    await page.getByRole('heading', { name: '茶香小铺 的待办' }).waitFor();
    await page.getByRole('button', { name: /切换店铺: 茶香小铺/ }).click();
    await page.getByRole('list', { name: '切换店铺' }).getByRole('button', { name: /果园直供/ }).click();
    await page.getByRole('heading', { name: '果园直供 的待办' }).waitFor();
    // A new buyer's message moves the count without a reload.
    const shops = await ok('GET', '/v1/shops', { token: m.token });
    const n = shops.items.find((s) => s.id === fruit.id).counts.unread_conversations;
    await say(await buyer('小李'), fruit, '在吗？');
    await page.getByRole('link', { name: new RegExp(`^${n + 1} 未读会话$`) }).waitFor();
    await clean(page);
    await page.context().close();
  }
  // Staff see the platform's desks, not a shop switcher.
  const s = await staff(['review']);
  const page = await open(s);
  await page.getByRole('navigation').waitFor();
  assert.equal(await page.getByRole('button', { name: /切换店铺/ }).count(), 0);
  await ok('GET', '/v1/me', { token: s.token });
  await clean(page);
  await page.context().close();
});

test('the first screen loads at most 150 KB of JavaScript (gzip)', async () => {
  const m = await merchant();
  const page = await open(null, { path: null });
  const sizes = [];
  page.on('requestfinished', async (req) => {
    if (!/\/app\/assets\/.*\.js$/.test(req.url())) return;
    const res = await req.response();
    sizes.push({ url: req.url(), encoding: res.headers()['content-encoding'], bytes: (await req.sizes()).responseBodySize });
  });
  await page.goto(`${process.env.MERCHANTD_URL}/app/`);
  await formLogin(page, m.username);
  await page.getByRole('navigation').waitFor();
  await page.locator('main h1, main [role=tablist], main h2').first().waitFor();
  assert.ok(sizes.length > 0, 'scripts were loaded');
  for (const s of sizes) assert.equal(s.encoding, 'gzip', `${s.url} came compressed`);
  const total = sizes.reduce((n, s) => n + s.bytes, 0);
  assert.ok(total <= 150 * 1024, `first screen JavaScript ${total} bytes gzip`);
  await clean(page);
  await page.context().close();
});
