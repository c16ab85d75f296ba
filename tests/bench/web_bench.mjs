// The chat workbench in Chromium (driven by web.sh, which gives the server,
// the accounts and the data in BENCH_* variables): cold and warm time to
// interactive, JavaScript on the wire, and a buyer's send to the paint of
// the message in the open thread.
//
// One clock: the send time is Date.now() here, the paint time is the
// page's performance.timeOrigin + performance.now() in the animation frame
// after the message's node was added (the frame it is painted in); both are
// the machine's wall clock, so their difference is the latency.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { chromium } = createRequire(join(repo, 'web', 'package.json'))('playwright-core');
const env = (k) => process.env[k] || '';
const URL = env('BENCH_URL');
const TOKEN = env('BENCH_TOKEN');
const BUYER = env('BENCH_BUYER_TOKEN');
const CONV = Number(env('BENCH_CONV'));
const ROUNDS = Number(env('BENCH_ROUNDS') || 5);
const MESSAGES = Number(env('BENCH_MESSAGES') || 200);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
});

// In every document: the token (as after a login) and the time the first
// conversation row exists, relative to the navigation's start.
async function newContext() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
  await context.addInitScript((token) => {
    localStorage.setItem('merchantd.token', token);
    window.__ready = 0;
    new MutationObserver((_, obs) => {
      if (document.querySelector('.conv-list .conv-open')) {
        window.__ready = performance.now();
        obs.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  }, TOKEN);
  return context;
}

const ready = (page) => page.waitForFunction(() => window.__ready > 0, null, { timeout: 30000 }).then(() => page.evaluate(() => window.__ready));
const jsBytes = (page) =>
  page.evaluate(() => {
    const js = performance.getEntriesByType('resource').filter((e) => /\.js(\?|$)/.test(e.name));
    return { wire: js.reduce((n, e) => n + e.transferSize, 0), encoded: js.reduce((n, e) => n + e.encodedBodySize, 0), files: js.length };
  });

// 1. Cold and warm loads: a new context each round (empty cache), then a
// reload in it.
const cold = [];
const warm = [];
let coldJs = null;
let warmJs = null;
for (let i = 0; i < ROUNDS; i++) {
  const context = await newContext();
  const page = await context.newPage();
  await page.goto(`${URL}/app/`);
  cold.push(await ready(page));
  coldJs = await jsBytes(page);
  // The rows answer a click: the thread of the first one opens.
  await page.locator('.conv-list .conv-open').first().click();
  await page.locator('.chat-thread .msgs .msg').first().waitFor();
  await page.goto(`${URL}/app/`);
  await ready(page);
  await page.reload();
  warm.push(await ready(page));
  warmJs = await jsBytes(page);
  await context.close();
}

// 2. Send -> paint, with the buyer's conversation open.
const context = await newContext();
const page = await context.newPage();
await page.goto(`${URL}/app/chat?c=${CONV}`);
await page.locator('.chat-thread .msgs .msg').first().waitFor();
await page.locator('html[data-events=sse]').waitFor({ state: 'attached' });
await page.evaluate(() => {
  window.__painted = {};
  // Each event the stream dispatches sets <html data-events>: when it came.
  window.__events = [];
  new MutationObserver(() => window.__events.push(performance.timeOrigin + performance.now())).observe(document.documentElement, {
    attributeFilter: ['data-events'],
  });
  new MutationObserver((records) => {
    for (const r of records)
      for (const n of r.addedNodes) {
        const text = n.nodeType === 1 ? n.querySelector?.('.msg-text')?.textContent : null;
        if (text && text.startsWith('bench ')) requestAnimationFrame(() => (window.__painted[text] = performance.timeOrigin + performance.now()));
      }
  }).observe(document.querySelector('.chat-thread .msgs'), { childList: true });
});
const lat = [];
const toEvent = [];
const toReply = [];
for (let i = 0; i < MESSAGES + 10; i++) {
  const text = `bench ${i}`;
  const sent = Date.now();
  const res = await fetch(`${URL}/v1/conversations/${CONV}/messages`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${BUYER}`, 'Content-Type': 'application/json', 'Idempotency-Key': `bench-${process.pid}-${i}` },
    body: JSON.stringify({ type: 'text', text }),
  });
  if (res.status !== 201) throw new Error(`send answered ${res.status}: ${await res.text()}`);
  const replied = Date.now();
  const painted = await page
    .waitForFunction((t) => window.__painted[t], text, { timeout: 10000, polling: 'raf' })
    .then((h) => h.jsonValue());
  // The first ten warm the path up (connections, JIT) and are not counted.
  const came = await page.evaluate((t) => window.__events.find((x) => x >= t), sent);
  if (i >= 10) {
    lat.push(painted - sent);
    toReply.push(replied - sent);
    if (came) toEvent.push(came - sent);
  }
}
await browser.close();

const f = (n) => n.toFixed(0);
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log('');
console.log(`${'measurement'.padEnd(48)} ${'figure'.padStart(12)}  ${'target'.padStart(10)}  each round`);
const line = (label, v, target, rounds) => console.log(`${label.padEnd(48)} ${v.padStart(12)}  ${target.padStart(10)}  ${rounds || ''}`);
line(`cold load to interactive, median of ${ROUNDS} (ms)`, f(median(cold)), '', cold.map(f).join(' | '));
line(`warm load (reload) to interactive, median (ms)`, f(median(warm)), '< 1000', warm.map(f).join(' | '));
line(`JavaScript on the wire, cold (${coldJs.files} files, gzip)`, kb(coldJs.wire), '', `body ${kb(coldJs.encoded)}`);
line(`JavaScript on the wire, warm (reload)`, kb(warmJs.wire), '', `body ${kb(warmJs.encoded)}`);
line(`buyer send -> painted, p50 of ${lat.length} (ms)`, lat.length ? median(lat).toFixed(1) : 'n/a', '', '');
line(`  of which send -> API reply, p50 / p99 (ms)`, `${median(toReply).toFixed(1)} / ${pct(toReply, 99).toFixed(1)}`, '', '');
line(`  of which send -> event in the page, p50 / p99 (ms)`, toEvent.length ? `${median(toEvent).toFixed(1)} / ${pct(toEvent, 99).toFixed(1)}` : 'n/a', '', '');
line(`buyer send -> painted, p99 of ${lat.length} (ms)`, lat.length ? pct(lat, 99).toFixed(1) : 'n/a', '< 100', `max ${Math.max(...lat).toFixed(1)}`);
