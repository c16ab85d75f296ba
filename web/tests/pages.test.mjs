// Every page of the console with the demo data (scripts/demo-data.sql and
// scripts/demo-api.py, as scripts/run.sh loads them), as the demo merchant
// and the demo staff member, in both layouts and both languages: each shows
// something (no empty list), passes axe-core, has every word translated,
// and every control on it can be reached with the keyboard. The screenshots of this run are the
// ones to look at.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { BASE, checkPage, login, open } from './lib.mjs';

execFileSync('psql', [process.env.DATABASE_URL, '-q', '-v', 'ON_ERROR_STOP=1', '-f', '../scripts/demo-data.sql'], { stdio: ['ignore', 'ignore', 'inherit'] });
execFileSync('python3', ['../scripts/demo-api.py', BASE], { stdio: ['ignore', 'ignore', 'inherit'] });

// The pages in the navigation, as links: [{id, href}].
async function navPages(page) {
  await page.getByRole('navigation').waitFor();
  return page.getByRole('navigation').getByRole('link').evaluateAll((as) => as.map((a) => ({ id: a.pathname.split('/')[2] || 'home', href: a.pathname })));
}

async function settled(page) {
  await page.locator('main').waitFor();
  await page.waitForFunction(() => !document.querySelector('main [role=status].muted'));
}

// Tabs through the page: every visible, enabled control gets the focus
// (of a tablist, its selected tab: arrow keys move within it).
async function keyboardReachesAll(page, what) {
  const total = await page.evaluate(() => {
    const sel = 'a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';
    let n = 0;
    for (const el of document.querySelectorAll(sel)) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || el.closest('dialog:not([open])') || el.closest('[inert]')) continue;
      if (el.closest('[role=tablist]') && el.getAttribute('aria-selected') === 'false') continue;
      el.dataset.kbd = String(n++);
    }
    window.__kbd = new Set();
    document.addEventListener('focusin', (e) => e.target.dataset?.kbd && window.__kbd.add(e.target.dataset.kbd));
    document.activeElement?.blur?.();
    return n;
  });
  // Until the focus has been everywhere or comes round again (extra stops,
  // such as a scrolling region Chromium makes focusable, are allowed).
  for (let i = 0; i < 2 * total + 20; i++) {
    await page.keyboard.press('Tab');
    if ((await page.evaluate(() => window.__kbd.size)) === total) break;
  }
  const reached = await page.evaluate(() => window.__kbd.size);
  const missed = await page.evaluate(() =>
    [...document.querySelectorAll('[data-kbd]')].filter((el) => !window.__kbd.has(el.dataset.kbd)).map((el) => el.outerHTML.slice(0, 120)),
  );
  assert.equal(reached, total, `${what}: not reachable by keyboard: ${missed.join(' | ')}`);
}

for (const who of ['demo', 'demo-staff']) {
  for (const layout of ['desktop', 'phone']) {
    test(`${who}: every page with the demo data (${layout})`, async () => {
      const token = await login(who, 'demo-password');
      const page = await open({ token }, { layout });
      const list = await navPages(page);
      assert.ok(list.length >= (who === 'demo' ? 2 : 1), 'pages in the navigation');
      for (const p of list) {
        await page.goto(BASE + p.href);
        await settled(page);
        const empty = await page.locator('main .empty').allTextContents();
        assert.deepEqual(empty, [], `${p.id} shows an empty list with the demo data`);
        await checkPage(page, `demo-${who === 'demo' ? 'merchant' : 'staff'}-${p.id}`);
        if (p.id === 'chat') {
          // The workbench with a conversation open (the README's picture).
          await page.locator('.conv-open').first().click();
          await page.locator('.thread-msgs .msg-text').first().waitFor();
          await checkPage(page, 'demo-merchant-chat-thread');
        }
        if (layout === 'desktop') await keyboardReachesAll(page, p.id);
      }
      await page.context().close();
    });
  }
  test(`${who}: every page in English, every word translated`, async () => {
    const token = await login(who, 'demo-password');
    const page = await open({ token }, { lang: 'en' });
    for (const p of await navPages(page)) {
      await page.goto(BASE + p.href);
      await settled(page);
      await checkPage(page, `en-${who}-${p.id}`);
    }
    const missing = await page.evaluate(() => [...globalThis.__i18nMissing].filter((k) => k.startsWith('en:')));
    assert.deepEqual(missing, [], 'words without an English translation');
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    await page.context().close();
  });
}
