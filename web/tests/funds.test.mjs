// Flow 9, funds: the balances of a shop with real money in it (an order
// paid, shipped and confirmed, so settled; another paid only), the balance
// chart, a top-up created and paid through the sandbox's checkout, the bank
// account (a bad number refused with the API's message, then saved and shown
// masked), withdrawals (one paid out by the payout job, one waiting for
// approval and canceled), the flows with a filter, and the signed statement
// downloaded. The clock is frozen and moved by the test, so the payout job's
// steps come when the test runs the jobs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { XSS, api, buyer, checkPage, merchant, ok, open, order, product, runJobs, setClock } from './lib.mjs';

let clock = Date.parse('2030-06-12T02:00:00Z');
const tick = (seconds) => {
  clock += seconds * 1000;
  return setClock(new Date(clock).toISOString());
};

// Waits until the API says the withdrawal reached status, running the
// payout job with the clock moved past the sandbox's 2 seconds each time.
async function payOut(m, id, status) {
  for (let i = 0; i < 10; i++) {
    await runJobs();
    const w = await ok('GET', `/v1/shops/${m.shop.id}/funds/withdrawals/${id}`, { token: m.token });
    if (w.status === status) return w;
    await tick(5);
  }
  assert.fail(`withdrawal ${id} did not reach ${status}`);
}

test('funds: balances, chart, top-up, bank account, withdrawals, flows, statement', async () => {
  await tick(0);
  const m = await merchant();
  const big = await product(m, { title: '大额礼盒', price: 6000000, stock: 10 });
  const tea = await product(m, { title: '西湖龙井 250g', price: 1234, stock: 10 });
  const b = await buyer('小王');
  const settled = await order(b, m.shop, big.sku);
  await tick(600);
  await ok('POST', `/v1/shops/${m.shop.id}/orders/${settled.id}/ship`, { token: m.token, body: { carrier: 'sf', tracking_no: 'SF1234567' } });
  await tick(600);
  await ok('POST', `/v1/orders/${settled.id}/confirm-receipt`, { token: b.token });
  await tick(600);
  await order(b, m.shop, tea.sku);
  await tick(600);
  // 60,000.00 settled less the 0.6 % fee (360.00): 59,640.00 available;
  // the tea order's 12.34 still pending.
  const page = await open(m, { path: '/app/funds' });
  await page.getByRole('heading', { name: '资金', exact: true }).waitFor();
  await page.locator('.funds-big', { hasText: '¥59,640.00' }).waitFor();
  const balances = page.locator('.card', { has: page.getByRole('heading', { name: '账户余额' }) });
  await balances.locator('div', { hasText: '待结算' }).getByText('¥12.34').waitFor();
  await page.getByText('订单未完成（1 单）').waitFor();
  await page.getByText('技术服务费率 0.60%').waitFor();
  const chart = page.locator('[role=img][aria-label^="余额走势图"]');
  await chart.locator('canvas').waitFor();
  assert.match(await chart.getAttribute('aria-label'), /可用余额 ¥59,640\.00/);
  await checkPage(page, 'funds');

  // A top-up of the deposit, paid through the sandbox's checkout.
  await page.getByRole('tab', { name: '充值' }).click();
  await page.getByLabel('金额（元）').fill('500');
  await page.getByRole('button', { name: '创建充值单' }).click();
  const row = page.getByRole('row', { name: /¥500\.00/ });
  await row.getByText('待支付').waitFor();
  await row.getByRole('button', { name: /支付充值单 #\d+（沙箱）/ }).click();
  await row.getByText('已到账').waitFor();
  await checkPage(page, 'funds-topups');
  await page.getByRole('tab', { name: '资金概览' }).click();
  await balances.locator('div', { hasText: '保证金' }).getByText('¥500.00').waitFor();

  // The bank account: a number the API refuses shows its message by the
  // field; a good one is saved and shown masked; the bank's name is text.
  await page.getByRole('tab', { name: '提现' }).click();
  await page.getByText('还没有设置银行账户，设置后才能提现。').waitFor();
  await page.getByRole('button', { name: '设置银行账户' }).click();
  await page.getByLabel('开户名').fill('李雷');
  await page.getByLabel('开户银行').fill(XSS[0]);
  await page.getByLabel('银行卡号').fill('1234');
  await page.getByRole('button', { name: '保存' }).click();
  const noError = page.locator('label.field', { hasText: '银行卡号' }).locator('.field-error');
  await noError.waitFor();
  assert.ok((await noError.textContent()).length > 0);
  await page.getByLabel('银行卡号').fill('6222020200112233');
  await page.getByRole('button', { name: '保存' }).click();
  await page.locator('.bank-no', { hasText: '**** 2233' }).waitFor();
  await page.locator('dd', { hasText: XSS[0] }).waitFor();

  // More than there is: the API's refusal is shown.
  await page.getByLabel('提现金额（元）').fill('99999');
  await page.getByRole('button', { name: '申请提现' }).click();
  await page.locator('form [role=alert]').waitFor();

  // A withdrawal of 100.00, paid out by the payout job.
  await page.getByLabel('提现金额（元）').fill('100');
  await page.getByRole('button', { name: '申请提现' }).click();
  await page.getByRole('row', { name: /¥100\.00/ }).getByText(/待处理|处理中/).waitFor();
  const list = await ok('GET', `/v1/shops/${m.shop.id}/funds/withdrawals`, { token: m.token });
  await payOut(m, list.items[0].id, 'succeeded');
  await page.reload();
  await page.getByRole('row', { name: /¥100\.00/ }).getByText('已到账').waitFor();
  await page.locator('.funds-withdrawable-now', { hasText: '¥59,540.00' }).waitFor();

  // One above the approval threshold waits for the platform: canceled.
  await page.getByLabel('提现金额（元）').fill('55000');
  await page.getByRole('button', { name: '申请提现' }).click();
  const waiting = page.getByRole('row', { name: /¥55,000\.00/ });
  await waiting.getByText('待平台审核').waitFor();
  await page.locator('.funds-withdrawable-now', { hasText: '¥4,540.00' }).waitFor();
  await checkPage(page, 'funds-withdrawals');
  await waiting.getByRole('button', { name: /取消提现 #\d+/ }).click();
  const confirm = page.getByRole('dialog', { name: '取消提现' });
  await confirm.getByText('确定取消这笔 ¥55,000.00 的提现吗？').waitFor();
  await checkPage(page, 'funds-withdrawal-cancel');
  await confirm.getByRole('button', { name: '确定取消' }).click();
  await confirm.waitFor({ state: 'hidden' });
  await waiting.getByText('已取消').waitFor();
  await page.locator('.funds-withdrawable-now', { hasText: '¥59,540.00' }).waitFor();
  const after = await ok('GET', `/v1/shops/${m.shop.id}/funds/withdrawals`, { token: m.token });
  assert.equal(after.items[0].status, 'canceled');

  // The flows, filtered to top-ups; the statement downloaded.
  await page.getByRole('tab', { name: '资金流水' }).click();
  await page.getByRole('row', { name: /提现 #\d+/ }).first().waitFor();
  await page.getByLabel('类型').selectOption('topup');
  await page.waitForFunction(() => /type=topup/.test(location.search));
  await page.locator('table.funds-flows tbody tr').first().waitFor();
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('table.funds-flows tbody tr')];
    return rows.length === 1 && /\+¥500\.00/.test(rows[0].textContent);
  });
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载对账单 (CSV)' }).click()]);
  const csv = readFileSync(await file.path(), 'utf8');
  assert.match(csv, /^\uFEFF/);
  assert.match(csv, /50000/);
  assert.match(csv, /# signature: ed25519ph \S+ key [0-9a-f]{16}\r\n$/);
  await checkPage(page, 'funds-flows');
  await page.context().close();

  // Fifteen more top-ups of the promotion account: 22 flows, two pages.
  for (let i = 1; i <= 15; i++) {
    const tp = await ok('POST', `/v1/shops/${m.shop.id}/funds/topups`, { token: m.token, key: `tp-${m.shop.id}-${i}`, body: { account: 'promotion', amount_cents: i * 100 } });
    await ok('POST', `/v1/shops/${m.shop.id}/funds/topups/${tp.id}/sandbox-pay`, { token: m.token });
  }

  // The phone layout.
  const phone = await open(m, { layout: 'phone', path: '/app/funds' });
  await phone.locator('.funds-big', { hasText: '¥59,540.00' }).waitFor();
  await phone.locator('[role=img][aria-label^="余额走势图"] canvas').waitFor();
  await checkPage(phone, 'funds');
  await phone.getByRole('tab', { name: '提现' }).click();
  await phone.getByRole('row', { name: /¥55,000\.00/ }).getByText('已取消').waitFor();
  await checkPage(phone, 'funds-withdrawals');
  await phone.getByRole('tab', { name: '资金流水' }).click();
  const rows = phone.locator('table.funds-flows tbody tr');
  await phone.getByRole('button', { name: '加载更多' }).waitFor();
  assert.equal(await rows.count(), 20);
  await checkPage(phone, 'funds-flows');
  await phone.getByRole('button', { name: '加载更多' }).click();
  await phone.waitForFunction(() => document.querySelectorAll('table.funds-flows tbody tr').length === 22);
  // The oldest last: the first order's payment into pending.
  assert.match(await rows.last().textContent(), /待结算订单收入.*\+¥60,000\.00/);
  assert.equal(await phone.getByRole('button', { name: '加载更多' }).count(), 0);
  await phone.context().close();

  // In English.
  const en = await open(m, { lang: 'en', path: '/app/funds?tab=withdrawals' });
  await en.getByRole('heading', { name: 'Bank account for withdrawals' }).waitFor();
  await en.getByRole('row', { name: /¥55,000\.00/ }).getByText('Canceled', { exact: true }).waitFor();
  await en.getByRole('tab', { name: 'Overview' }).click();
  await en.locator('[role=img][aria-label^="Balance chart over the last"] canvas').waitFor();
  await checkPage(en, 'funds-en');
  await en.context().close();

  // Someone else's shop is not found, and says so.
  const other = await merchant({ shop: '果园直供' });
  const r = await api('GET', `/v1/shops/${m.shop.id}/funds`, { token: other.token });
  assert.equal(r.status, 404);
});
