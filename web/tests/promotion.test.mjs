// Promotion (推广): a shop tops up its promotion account (the sandbox's
// checkout, through the API), makes a plan on the page (a bid out of range
// refused beside its field, then created), changes a bid, pauses and
// resumes it with the status shown; a buyer searches the keyword and clicks
// the promoted product (through the API), and the page shows today's spend.
// A keyword and a product title made of script payloads are shown as text.
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { XSS, XSS_TEXT, buyer, checkPage, merchant, ok, open, product } from './lib.mjs';

async function topUp(m, fen) {
  const tp = await ok('POST', `/v1/shops/${m.shop.id}/funds/topups`, { token: m.token, key: `tp-${m.shop.id}-${fen}`, body: { account: 'promotion', amount_cents: fen } });
  await ok('POST', `/v1/shops/${m.shop.id}/funds/topups/${tp.id}/sandbox-pay`, { token: m.token });
}

// Product titles are at most 120 characters: two of the payloads.
const TITLE = `${XSS[0]} ${XSS[1]}`;

test('promotion: plans made, bids changed, paused and resumed, clicks spend the budget', async () => {
  const m = await merchant();
  await product(m, { title: TITLE, price: 2500 });
  await product(m, { title: '赣南脐橙 5kg', price: 4990 });
  await topUp(m, 20000);

  for (const layout of ['desktop', 'phone']) {
    const page = await open(m, { layout, path: '/app/promotion' });
    await page.getByRole('heading', { name: '推广', exact: true }).waitFor();
    await page.locator('.promo-balance .funds-big', { hasText: '¥200.00' }).waitFor();
    assert.equal(await page.getByRole('link', { name: '去充值' }).getAttribute('href'), '/app/funds?tab=topups&account=promotion');
    await page.getByText('还没有推广计划').waitFor();
    await checkPage(page, `promotion-empty-${layout}`);
    await page.context().close();
  }

  const page = await open(m, { path: '/app/promotion' });
  // The top-up link opens the funds page's top-up form on the promotion account.
  await page.getByRole('link', { name: '去充值' }).click();
  await page.getByRole('heading', { name: '资金', exact: true }).waitFor();
  assert.equal(await page.getByLabel('充值到').inputValue(), 'promotion');
  await page.goBack();
  await page.getByRole('button', { name: '+ 新建推广计划' }).click();
  const dialog = page.getByRole('dialog', { name: '新建推广计划' });
  await dialog.getByLabel('计划名称').fill('脐橙推广');
  await dialog.getByLabel('推广商品').selectOption({ label: TITLE });
  await dialog.getByLabel('日预算（元）').fill('10');
  await dialog.getByLabel('关键词 1', { exact: true }).fill(XSS_TEXT.slice(0, 30));
  await dialog.getByLabel('关键词 1 出价（元/点击）').fill('0.05');
  await dialog.getByRole('button', { name: '+ 添加关键词' }).click();
  await dialog.getByLabel('关键词 2', { exact: true }).fill('脐橙');
  await dialog.getByLabel('关键词 2 出价（元/点击）').fill('100');
  await dialog.getByRole('button', { name: '创建' }).click();
  // Both bids out of 0.10–99.00 yuan are refused beside their fields.
  await dialog.locator('.promo-kw').nth(0).getByRole('alert').filter({ hasText: '出价须在 0.10 至 99.00 元之间' }).waitFor();
  await dialog.locator('.promo-kw').nth(1).getByRole('alert').filter({ hasText: '出价须在 0.10 至 99.00 元之间' }).waitFor();
  await checkPage(page, 'promotion-form-errors');
  await dialog.getByLabel('关键词 1 出价（元/点击）').fill('0.50');
  await dialog.getByLabel('关键词 2 出价（元/点击）').fill('1.20');
  // A word named twice (words are lower-cased) is the API's refusal, shown
  // with the keywords.
  await dialog.getByRole('button', { name: '+ 添加关键词' }).click();
  await dialog.getByLabel('关键词 3', { exact: true }).fill('脐橙');
  await dialog.getByRole('button', { name: '创建' }).click();
  await dialog.locator('.promo-keywords > .field-error', { hasText: 'must not name a word twice' }).waitFor();
  await dialog.getByRole('button', { name: '删除关键词 3' }).click();
  await dialog.getByRole('button', { name: '创建' }).click();
  await page.getByText('推广计划已创建').waitFor();

  const row = page.getByRole('row', { name: /脐橙推广/ });
  await row.getByText('推广中', { exact: true }).waitFor();
  // The payloads are text: the product title and the keyword, literally.
  await row.locator('.promo-product', { hasText: TITLE }).waitFor();
  assert.equal(await row.locator('.promo-word').first().textContent(), XSS_TEXT.slice(0, 30).toLowerCase());
  await row.getByText('¥1.20').waitFor();
  const plans = await ok('GET', `/v1/shops/${m.shop.id}/promotions`, { token: m.token });
  assert.equal(plans.items.length, 1);
  assert.deepEqual(plans.items[0].keywords.map((k) => k.bid_cents).sort((a, b) => a - b), [50, 120]);
  assert.equal(plans.items[0].daily_budget_cents, 1000);

  // A bid changed in the edit dialog.
  await row.getByRole('button', { name: '编辑 脐橙推广' }).click();
  const edit = page.getByRole('dialog', { name: '编辑推广计划「脐橙推广」' });
  await edit.getByLabel('关键词 2', { exact: true }).waitFor();
  const words = await edit.locator('.promo-kw').evaluateAll((rows) => rows.map((r) => r.querySelector('input').value));
  const i = words.indexOf('脐橙');
  assert.ok(i >= 0, `the keyword in the form: ${words}`);
  await edit.getByLabel(`关键词 ${i + 1} 出价（元/点击）`).fill('2.35');
  await edit.getByRole('button', { name: '保存' }).click();
  await page.getByText('推广计划已保存').waitFor();
  await row.getByText('¥2.35').waitFor();
  const after = await ok('GET', `/v1/shops/${m.shop.id}/promotions/${plans.items[0].id}`, { token: m.token });
  assert.ok(after.keywords.some((k) => k.word === '脐橙' && k.bid_cents === 235));

  // Pause and resume, each with the status and the reason shown.
  await row.getByRole('button', { name: '暂停 脐橙推广' }).click();
  await row.getByText('已暂停', { exact: true }).waitFor();
  await row.getByText('计划已暂停，恢复后继续投放').waitFor();
  assert.equal((await ok('GET', `/v1/shops/${m.shop.id}/promotions/${after.id}`, { token: m.token })).status, 'paused');
  await row.getByRole('button', { name: '恢复 脐橙推广' }).click();
  await row.getByText('推广中', { exact: true }).waitFor();

  // A buyer searches the keyword and clicks the promoted product: the only
  // bidder pays the reserve, 0.10 yuan, from today's budget.
  const b = await buyer('小李');
  const found = await ok('GET', `/v1/search/products?q=${encodeURIComponent('脐橙')}`, { token: b.token });
  const hit = found.items.find((x) => x.promoted);
  assert.ok(hit, 'a promoted product');
  const click = await ok('POST', '/v1/promotions/clicks', { token: b.token, body: { impression_id: hit.impression_id } });
  assert.equal(click.outcome, 'charged');
  assert.equal(click.charged_cents, 10);
  // The impression is counted by the rollup worker (every 2 seconds): the
  // page is read once it has been.
  for (let i = 0; ; i++) {
    const p = await ok('GET', `/v1/shops/${m.shop.id}/promotions/${after.id}`, { token: m.token });
    if (p.today.impressions === 1) break;
    assert.ok(i < 300, `the impression was not folded: ${JSON.stringify(p.today)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await page.reload();
  await row.locator('.promo-spend', { hasText: '¥0.10 / ¥10.00' }).waitFor();
  await row.getByText('曝光 1 · 点击 1').waitFor();
  await page.locator('.promo-today .funds-big', { hasText: '¥0.10' }).waitFor();
  await page.locator('.promo-balance .funds-big', { hasText: '¥199.90' }).waitFor();
  await checkPage(page, 'promotion');

  // The daily report: today's row (newest first) with the click and its
  // spend, the total, a chart of spend and GMV, the CSV with its headers.
  const report = page.locator('table.promo-report');
  const todayRow = report.locator('tbody tr').first();
  await todayRow.locator('td[data-label="点击量"]', { hasText: /^1$/ }).waitFor();
  assert.equal(await todayRow.locator('td[data-label="花费"]').textContent(), '¥0.10');
  assert.equal(await todayRow.locator('td[data-label="平均点击花费"]').textContent(), '¥0.10');
  assert.equal(await todayRow.locator('td[data-label="投入产出比"]').textContent(), '0.00');
  // Yesterday nothing was shown: its ratios have nothing to divide by.
  assert.equal(await report.locator('tbody tr').nth(1).locator('td[data-label="点击率"]').textContent(), '—');
  assert.equal(await report.locator('tbody tr').nth(1).locator('td[data-label="投入产出比"]').textContent(), '—');
  assert.equal(await report.locator('tfoot td[data-label="花费"]').textContent(), '¥0.10');
  await page.locator('.promo-reports .chart-plot canvas').waitFor();
  assert.match(await page.locator('.promo-reports .chart-plot').getAttribute('aria-label'), /推广日报.*花费合计 ¥0\.10/);
  await page.getByText(/曝光数据截至.*点击与花费为实时数据/).waitFor();
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载报表 (CSV)' }).click()]);
  const csv = readFileSync(await file.path(), 'utf8');
  assert.match(csv, /^\uFEFF开始日期,结束日期,曝光量,点击量,点击率\(%\),花费\(元\)/);
  assert.match(csv, /\r\n合计,[-0-9]+,1,1,100\.00,0\.10,/);
  // The weekly report: one row a week, this week's with the click.
  await page.getByRole('tab', { name: '推广周报' }).click();
  await page.waitForURL(/period=week/);
  await report.locator('tbody th', { hasText: ' – ' }).first().waitFor();
  assert.equal(await report.locator('tbody tr').count(), 7);
  await page.getByRole('button', { name: '显示全部 12 行' }).click();
  await report.locator('tbody tr').nth(11).waitFor();
  assert.equal(await report.locator('tbody tr').count(), 12);
  assert.equal(await report.locator('tbody tr').first().locator('td[data-label="点击量"]').textContent(), '1');
  // One plan's report: the filter keeps its figures.
  await page.getByLabel('按计划筛选').selectOption({ label: '脐橙推广' });
  await report.locator('tfoot td[data-label="花费"]', { hasText: '¥0.10' }).waitFor();
  await checkPage(page, 'promotion-report-week');
  await page.context().close();

  const phone = await open(m, { layout: 'phone', path: '/app/promotion' });
  await phone.getByRole('row', { name: /脐橙推广/ }).getByText('推广中', { exact: true }).waitFor();
  await checkPage(phone, 'promotion-phone');
  await phone.locator('.promo-reports .chart-plot canvas').waitFor();
  await phone.locator('table.promo-report tbody tr').first().locator('td[data-label="花费"]', { hasText: '¥0.10' }).waitFor();
  await phone.locator('.promo-reports').scrollIntoViewIfNeeded();
  await checkPage(phone, 'promotion-phone-report');
  await phone.getByRole('button', { name: '编辑 脐橙推广' }).click();
  await phone.getByRole('dialog').getByLabel('计划名称').waitFor();
  await checkPage(phone, 'promotion-phone-edit');
  await phone.context().close();
});

test('promotion: a plan of a shop without promotion balance says why it does not serve', async () => {
  const m = await merchant();
  const p = await product(m, { title: '赣南脐橙 5kg', price: 4990 });
  await ok('POST', `/v1/shops/${m.shop.id}/promotions`, {
    token: m.token, key: `plan-${m.shop.id}`,
    body: { product_id: p.id, name: '无余额计划', daily_budget_cents: 1000, starts_at: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), keywords: [{ word: '脐橙', bid_cents: 50 }] },
  });
  const page = await open(m, { lang: 'en', path: '/app/promotion' });
  const row = page.getByRole('row', { name: /无余额计划/ });
  await row.getByText('Not serving', { exact: true }).waitFor();
  await row.getByText('The promotion balance is too low: top it up').waitFor();
  await checkPage(page, 'promotion-en-no-balance');
  await page.context().close();
});

// The reports' date range: the dates go to the report and the CSV and stay
// in the page's URL; the API's refusal of a range is shown at its field.
test('promotion: the reports of a date range, its CSV, a refused range and a reload', async () => {
  const m = await merchant();
  const p = await product(m, { title: '区间脐橙 5kg', price: 4990 });
  await topUp(m, 5000);
  await ok('POST', `/v1/shops/${m.shop.id}/promotions`, {
    token: m.token, key: `plan-${m.shop.id}`,
    body: { product_id: p.id, name: '脐橙推广', daily_budget_cents: 1000, starts_at: new Date(Date.now() - 60000).toISOString().replace(/\.\d{3}Z$/, 'Z'), keywords: [{ word: '区间脐橙', bid_cents: 50 }] },
  });
  // Today's click (the only bidder on its word pays the reserve): ¥0.10
  // spent today, nothing before.
  const b = await buyer('小王');
  const found = await ok('GET', `/v1/search/products?q=${encodeURIComponent('区间脐橙')}`, { token: b.token });
  const hit = found.items.find((x) => x.promoted);
  assert.ok(hit, 'a promoted product');
  assert.equal((await ok('POST', '/v1/promotions/clicks', { token: b.token, body: { impression_id: hit.impression_id } })).charged_cents, 10);
  // Today as the API counts it (MERCHANTD_TZ): the last day of the default window.
  const today = (await ok('GET', `/v1/shops/${m.shop.id}/promotions/reports?period=day`, { token: m.token })).to;
  const plus = (date, n) => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86400000).toISOString().slice(0, 10);
  const day = (n) => plus(today, n);
  const from = day(-9);
  const to = day(-2);
  const days = Array.from({ length: 8 }, (_, i) => day(-2 - i)); // newest first, as the table lists them

  const page = await open(m, { path: '/app/promotion' });
  const report = page.locator('table.promo-report');
  const rowHeads = () => report.locator('tbody th').allTextContents();
  const fromInput = page.getByLabel('开始日期');
  const toInput = page.getByLabel('结束日期');
  // Empty fields: the API's default window, 30 days up to today.
  await report.locator('tfoot td[data-label="花费"]', { hasText: '¥0.10' }).waitFor();
  assert.equal(await fromInput.inputValue(), '');
  assert.equal(await toInput.inputValue(), '');
  await page.getByText(`${day(-29)} 至 ${today}`).waitFor();
  assert.equal(await page.getByRole('button', { name: '近30天' }).getAttribute('aria-pressed'), 'true');

  // A range: the table lists exactly its days, without today's click.
  await fromInput.fill(from);
  await toInput.fill(to);
  await page.waitForURL((u) => u.searchParams.get('from') === from && u.searchParams.get('to') === to);
  await page.getByText(`${from} 至 ${to}`).waitFor();
  await page.getByRole('button', { name: '显示全部 8 行' }).click();
  await report.locator('tbody tr').nth(7).waitFor();
  assert.deepEqual(await rowHeads(), days);
  assert.equal(await report.locator('tfoot td[data-label="花费"]').textContent(), '¥0.00');
  assert.match(await page.locator('.promo-reports .chart-plot').getAttribute('aria-label'), new RegExp(`${from} 至 ${to}`));
  assert.equal(await page.getByRole('button', { name: '近30天' }).getAttribute('aria-pressed'), 'false');

  // Its CSV: the range in the file's name, a row per day of it, then the total.
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载报表 (CSV)' }).click()]);
  assert.equal(file.suggestedFilename(), `promotion-report-${m.shop.id}-day-${from}-${to}.csv`);
  const lines = readFileSync(await file.path(), 'utf8').split('\r\n').filter(Boolean);
  assert.deepEqual(lines.slice(1, -1).map((l) => l.split(',').slice(0, 2).join(',')), [...days].reverse().map((x) => `${x},${x}`));
  assert.match(lines.at(-1), new RegExp(`^合计,${to},0,0,,0\\.00,`));

  // A reload keeps the range (and the report's rows).
  await page.reload();
  await page.getByText(`${from} 至 ${to}`).waitFor();
  assert.equal(await fromInput.inputValue(), from);
  assert.equal(await toInput.inputValue(), to);
  await page.getByRole('button', { name: '显示全部 8 行' }).click();
  await report.locator('tbody tr').nth(7).waitFor();
  assert.deepEqual(await rowHeads(), days);

  // To before from: the API's message at the field it names, no stale figures.
  await toInput.fill(day(-12));
  await page.locator('.promo-range .field', { has: toInput }).getByRole('alert').filter({ hasText: 'must not be before from' }).waitFor();
  assert.equal(await report.count(), 0);
  assert.ok(await page.getByRole('button', { name: '下载报表 (CSV)' }).isDisabled());
  await checkPage(page, 'promotion-range-reversed');
  // More than 366 days: named at from.
  await fromInput.fill(day(-400));
  await toInput.fill(today);
  await page.locator('.promo-range .field', { has: fromInput }).getByRole('alert').filter({ hasText: 'the window is at most 366 days' }).waitFor();

  // Quick choices: the last 7 days up to today, with today's click.
  await page.getByRole('button', { name: '近7天' }).click();
  await page.waitForURL((u) => u.searchParams.get('from') === day(-6) && u.searchParams.get('to') === today);
  await report.locator('tfoot td[data-label="花费"]', { hasText: '¥0.10' }).waitFor();
  assert.equal(await fromInput.inputValue(), day(-6));
  assert.equal(await page.getByRole('button', { name: '近7天' }).getAttribute('aria-pressed'), 'true');
  assert.deepEqual(await rowHeads(), Array.from({ length: 7 }, (_, i) => day(-i)));
  // Weeks: the last 4 weeks, this one included, from a Monday.
  await page.getByRole('tab', { name: '推广周报' }).click();
  await page.waitForURL(/period=week/);
  const monday = day(-((new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7) - 21);
  await page.getByRole('button', { name: '近4周' }).click();
  await page.waitForURL((u) => u.searchParams.get('from') === monday && u.searchParams.get('to') === today);
  await report.locator('tbody th', { hasText: ` – ` }).nth(3).waitFor();
  assert.equal(await report.locator('tbody tr').count(), 4);
  assert.equal((await rowHeads()).at(-1), `${monday} – ${plus(monday, 6)}`);
  assert.equal(await page.getByRole('button', { name: '近4周' }).getAttribute('aria-pressed'), 'true');
  // The default window again: empty fields, no dates in the URL.
  await page.getByRole('button', { name: '近12周' }).click();
  await page.waitForURL((u) => !u.searchParams.has('from') && !u.searchParams.has('to'));
  await page.getByRole('button', { name: '显示全部 12 行' }).waitFor();
  assert.equal(await fromInput.inputValue(), '');
  await checkPage(page, 'promotion-range-week');
  await page.context().close();

  // On a phone, in English: the range's fields and choices fit.
  const phone = await open(m, { layout: 'phone', lang: 'en', path: `/app/promotion?from=${from}&to=${to}` });
  await phone.getByText(`${from} to ${to}`).waitFor();
  assert.equal(await phone.getByLabel('From').inputValue(), from);
  await phone.getByRole('button', { name: 'Last 7 days' }).waitFor();
  await phone.locator('.promo-reports').scrollIntoViewIfNeeded();
  await checkPage(phone, 'promotion-range-phone-en');
  await phone.context().close();
});
