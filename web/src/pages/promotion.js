// 推广: the shop's promotion plans (a product shown on buyers' searches of
// its keywords, each with a bid), whether each serves now and why not,
// today's spend against the daily budget; plans made, their keywords and
// bids changed, paused and resumed; and the promotion account's balance
// that pays the clicks, topped up on the funds page.
import { useRef, useState } from 'preact/hooks';
import { download, get, idempotencyKey, patch, post, qs } from '../api.js';
import { Chart, ChartTable, dayX } from '../chart.js';
import { fmtMoney, fmtTime, parseMoney, t, strings, toLocalInput, fromLocalInput } from '../i18n.js';
import { href, setQuery } from '../router.js';
import { html, ActionButton, Dialog, ErrorBox, Field, ListState, Loading, Money, Tabs, Time, toast, useAsync, usePaged, useSubmit } from '../ui.js';

strings(
  {
    'promotion.label': '推广', 'promotion.title': '推广', 'promotion.balance': '推广账户余额', 'promotion.topup': '去充值',
    'promotion.balanceHint': '推广点击费用从推广账户扣除，余额不足时计划暂停投放。',
    'promotion.todaySpend': '今日花费', 'promotion.todayHint': '全部计划今日曝光 {imp} 次，点击 {clicks} 次',
    'promotion.new': '新建推广计划', 'promotion.edit': '编辑', 'promotion.editTitle': '编辑推广计划「{name}」',
    'promotion.pause': '暂停', 'promotion.resume': '恢复', 'promotion.paused': '计划已暂停', 'promotion.resumed': '计划已恢复',
    'promotion.created': '推广计划已创建', 'promotion.saved': '推广计划已保存', 'promotion.list': '推广计划',
    'promotion.empty': '还没有推广计划', 'promotion.noProducts': '还没有商品，请先创建商品',
    'promotion.name': '计划名称', 'promotion.product': '推广商品', 'promotion.pickProduct': '请选择商品',
    'promotion.budget': '日预算（元）', 'promotion.budgetCol': '今日花费 / 日预算', 'promotion.startsAt': '开始时间', 'promotion.endsAt': '结束时间（可不填）',
    'promotion.keywords': '关键词与出价', 'promotion.word': '关键词', 'promotion.bid': '出价（元/点击）', 'promotion.addWord': '添加关键词',
    'promotion.removeWord': '删除关键词 {n}', 'promotion.wordN': '关键词 {n}', 'promotion.bidN': '关键词 {n} 出价（元/点击）',
    'promotion.bidRange': '出价须在 0.10 至 99.00 元之间', 'promotion.badMoney': '请输入正确的金额，例如 1.50',
    'promotion.budgetRange': '日预算须在 1.00 至 1,000,000.00 元之间', 'promotion.needWord': '请填写关键词',
    'promotion.create': '创建', 'promotion.save': '保存', 'promotion.status': '状态', 'promotion.today': '今日数据', 'promotion.total': '累计',
    'promotion.actions': '操作', 'promotion.schedule': '投放时间', 'promotion.noEnd': '长期',
    'promotion.todayFigures': '曝光 {imp} · 点击 {clicks}', 'promotion.totalFigures': '点击 {clicks} · 花费 {spend} · 成交 {orders} 单',
    'promotion.spendOf': '今日已花费 {spend}，日预算 {budget}',
    'promotion.status.serving': '推广中', 'promotion.status.paused': '已暂停', 'promotion.status.scheduled': '未开始',
    'promotion.status.ended': '已结束', 'promotion.status.product_unavailable': '未投放', 'promotion.status.insufficient_balance': '未投放',
    'promotion.status.budget_exhausted': '未投放',
    'promotion.why.paused': '计划已暂停，恢复后继续投放', 'promotion.why.scheduled': '将于 {time} 开始投放',
    'promotion.why.ended': '投放时间已结束', 'promotion.why.product_unavailable': '商品已下架或删除',
    'promotion.why.insufficient_balance': '推广账户余额不足，请充值', 'promotion.why.budget_exhausted': '今日预算已用完，明日恢复投放',
    'promotion.reports': '推广报表', 'promotion.daily': '推广日报', 'promotion.weekly': '推广周报', 'promotion.period': '报表周期',
    'promotion.allPlans': '全部计划', 'promotion.planFilter': '按计划筛选', 'promotion.asOf': '曝光数据截至 {time}，点击与花费为实时数据', 'promotion.asOfNever': '曝光量尚未统计，点击与花费为实时数据',
    'promotion.csv': '下载报表 (CSV)', 'promotion.downloaded': '已下载 {name}', 'promotion.r.date': '日期', 'promotion.r.week': '周',
    'promotion.r.impressions': '曝光量', 'promotion.r.clicks': '点击量', 'promotion.r.ctr': '点击率', 'promotion.r.spend': '花费',
    'promotion.r.cpc': '平均点击花费', 'promotion.r.cpm': '千次曝光花费', 'promotion.r.orders': '成交订单数', 'promotion.r.gmv': '成交金额',
    'promotion.r.conversion': '点击转化率', 'promotion.r.roi': '投入产出比', 'promotion.r.total': '合计', 'promotion.r.all': '显示全部 {n} 行',
    'promotion.r.chart': '{period}：{from} 至 {to}，花费合计 {spend}，成交金额合计 {gmv}',
    'promotion.range': '报表日期范围', 'promotion.from': '开始日期', 'promotion.to': '结束日期', 'promotion.quick': '快捷选择',
    'promotion.lastDays': '近{n}天', 'promotion.lastWeeks': '近{n}周', 'promotion.window': '{from} 至 {to}',
  },
  {
    'promotion.label': 'Promotion', 'promotion.title': 'Promotion', 'promotion.balance': 'Promotion balance', 'promotion.topup': 'Top up',
    'promotion.balanceHint': 'Clicks are paid from the promotion account; plans stop serving when it runs low.',
    'promotion.todaySpend': 'Spent today', 'promotion.todayHint': 'All plans today: {imp} impressions, {clicks} clicks',
    'promotion.new': 'New plan', 'promotion.edit': 'Edit', 'promotion.editTitle': 'Edit plan “{name}”',
    'promotion.pause': 'Pause', 'promotion.resume': 'Resume', 'promotion.paused': 'Plan paused', 'promotion.resumed': 'Plan resumed',
    'promotion.created': 'Plan created', 'promotion.saved': 'Plan saved', 'promotion.list': 'Promotion plans',
    'promotion.empty': 'No promotion plans yet', 'promotion.noProducts': 'No products yet: create one first',
    'promotion.name': 'Plan name', 'promotion.product': 'Product', 'promotion.pickProduct': 'Choose a product',
    'promotion.budget': 'Daily budget (yuan)', 'promotion.budgetCol': 'Spent today / daily budget', 'promotion.startsAt': 'Starts', 'promotion.endsAt': 'Ends (optional)',
    'promotion.keywords': 'Keywords and bids', 'promotion.word': 'Keyword', 'promotion.bid': 'Bid (yuan per click)', 'promotion.addWord': 'Add keyword',
    'promotion.removeWord': 'Remove keyword {n}', 'promotion.wordN': 'Keyword {n}', 'promotion.bidN': 'Keyword {n} bid (yuan per click)',
    'promotion.bidRange': 'A bid is from 0.10 to 99.00 yuan', 'promotion.badMoney': 'Enter an amount such as 1.50',
    'promotion.budgetRange': 'The daily budget is from 1.00 to 1,000,000.00 yuan', 'promotion.needWord': 'Enter a keyword',
    'promotion.create': 'Create', 'promotion.save': 'Save', 'promotion.status': 'Status', 'promotion.today': 'Today', 'promotion.total': 'All time',
    'promotion.actions': 'Actions', 'promotion.schedule': 'Schedule', 'promotion.noEnd': 'no end',
    'promotion.todayFigures': '{imp} impressions · {clicks} clicks', 'promotion.totalFigures': '{clicks} clicks · {spend} spent · {orders} orders',
    'promotion.spendOf': '{spend} spent today of a {budget} daily budget',
    'promotion.status.serving': 'Serving', 'promotion.status.paused': 'Paused', 'promotion.status.scheduled': 'Scheduled',
    'promotion.status.ended': 'Ended', 'promotion.status.product_unavailable': 'Not serving', 'promotion.status.insufficient_balance': 'Not serving',
    'promotion.status.budget_exhausted': 'Not serving',
    'promotion.why.paused': 'Paused: resume it to serve again', 'promotion.why.scheduled': 'Starts serving {time}',
    'promotion.why.ended': 'Its schedule has ended', 'promotion.why.product_unavailable': 'The product is off sale or deleted',
    'promotion.why.insufficient_balance': 'The promotion balance is too low: top it up', 'promotion.why.budget_exhausted': 'Today’s budget is spent: serving resumes tomorrow',
    'promotion.reports': 'Promotion reports', 'promotion.daily': 'Daily report', 'promotion.weekly': 'Weekly report', 'promotion.period': 'Report period',
    'promotion.allPlans': 'All plans', 'promotion.planFilter': 'Filter by plan', 'promotion.asOf': 'Impressions as of {time}; clicks and spend are live', 'promotion.asOfNever': 'Impressions not counted yet; clicks and spend are live',
    'promotion.csv': 'Download report (CSV)', 'promotion.downloaded': 'Downloaded {name}', 'promotion.r.date': 'Date', 'promotion.r.week': 'Week',
    'promotion.r.impressions': 'Impressions', 'promotion.r.clicks': 'Clicks', 'promotion.r.ctr': 'CTR', 'promotion.r.spend': 'Spend',
    'promotion.r.cpc': 'CPC', 'promotion.r.cpm': 'CPM', 'promotion.r.orders': 'Orders', 'promotion.r.gmv': 'GMV',
    'promotion.r.conversion': 'Conversion', 'promotion.r.roi': 'ROI', 'promotion.r.total': 'Total', 'promotion.r.all': 'Show all {n} rows',
    'promotion.r.chart': '{period}, {from} to {to}: spend {spend} in all, GMV {gmv} in all',
    'promotion.range': 'Report dates', 'promotion.from': 'From', 'promotion.to': 'To', 'promotion.quick': 'Quick choices',
    'promotion.lastDays': 'Last {n} days', 'promotion.lastWeeks': 'Last {n} weeks', 'promotion.window': '{from} to {to}',
  },
);

const base = (shop) => `/v1/shops/${shop.id}/promotions`;
const BID_MIN = 10;
const BID_MAX = 9900;

const yuan = (fen) => (fen / 100).toFixed(2);

function fieldErrors(err) {
  const out = {};
  for (const e of err?.errors || []) out[e.field] = e.message || e.code;
  return out;
}

function formOf(plan) {
  if (!plan) {
    const now = new Date();
    now.setSeconds(0, 0);
    return { name: '', productId: '', budget: '50.00', startsAt: toLocalInput(now), endsAt: '', keywords: [{ word: '', bid: '1.00' }] };
  }
  return {
    name: plan.name, productId: String(plan.product_id), budget: yuan(plan.daily_budget_cents),
    startsAt: toLocalInput(new Date(plan.starts_at)), endsAt: plan.ends_at ? toLocalInput(new Date(plan.ends_at)) : '',
    keywords: plan.keywords.map((k) => ({ word: k.word, bid: yuan(k.bid_cents) })),
  };
}

// The form as the API's body; local problems (an amount that is not one,
// a bid out of range) go into errors under the API's field names.
function planBody(f, errors, editing) {
  const body = { name: f.name.trim(), starts_at: fromLocalInput(f.startsAt) };
  if (!editing || f.productId) body.product_id = Number(f.productId) || 0;
  if (!f.productId) errors.product_id = t('promotion.pickProduct');
  const budget = parseMoney(f.budget);
  if (budget === null) errors.daily_budget_cents = t('promotion.badMoney');
  else if (budget < 100 || budget > 100000000) errors.daily_budget_cents = t('promotion.budgetRange');
  else body.daily_budget_cents = budget;
  if (f.endsAt) body.ends_at = fromLocalInput(f.endsAt);
  else if (editing) body.ends_at = null;
  body.keywords = f.keywords.map((k, i) => {
    const bid = parseMoney(k.bid);
    if (!k.word.trim()) errors[`keywords[${i}].word`] = t('promotion.needWord');
    if (bid === null) errors[`keywords[${i}].bid_cents`] = t('promotion.badMoney');
    else if (bid < BID_MIN || bid > BID_MAX) errors[`keywords[${i}].bid_cents`] = t('promotion.bidRange');
    return { word: k.word.trim(), bid_cents: bid ?? 0 };
  });
  return body;
}

function PlanForm({ shop, plan, products, onDone, onCancel }) {
  const [f, set] = useState(formOf(plan));
  const [errors, setErrors] = useState({});
  const { submit, busy, error } = useSubmit(async () => {
    const local = {};
    const body = planBody(f, local, !!plan);
    setErrors(local);
    if (Object.keys(local).length) return;
    try {
      const r = plan
        ? await patch(`${base(shop)}/${plan.id}`, body)
        : await post(base(shop), body, { key: idempotencyKey() });
      toast(t(plan ? 'promotion.saved' : 'promotion.created'));
      onDone(r);
    } catch (err) {
      setErrors(fieldErrors(err));
      throw err;
    }
  });
  const input = (k) => (e) => set({ ...f, [k]: e.currentTarget.value });
  const setKw = (i, k) => (e) => {
    const v = e.currentTarget.value;
    set({ ...f, keywords: f.keywords.map((x, j) => (j === i ? { ...x, [k]: v } : x)) });
  };
  const removeKw = (i) => set({ ...f, keywords: f.keywords.filter((_, j) => j !== i) });
  const addKw = () => set({ ...f, keywords: [...f.keywords, { word: '', bid: f.keywords.at(-1)?.bid || '1.00' }] });
  const selectable = products.filter((p) => p.status === 'on_sale' || String(p.id) === f.productId);
  return html`<form onSubmit=${submit} novalidate class="promo-form">
    <div class="grid2">
      <${Field} label=${t('promotion.name')} error=${errors.name}>
        <input value=${f.name} maxlength="60" required onInput=${input('name')} />
      <//>
      <${Field} label=${t('promotion.product')} error=${errors.product_id} hint=${products.length === 0 ? t('promotion.noProducts') : ''}>
        <select value=${f.productId} required onChange=${input('productId')}>
          <option value="">${t('promotion.pickProduct')}</option>
          ${selectable.map((p) => html`<option value=${String(p.id)}>${p.title}</option>`)}
        </select>
      <//>
      <${Field} label=${t('promotion.budget')} error=${errors.daily_budget_cents}>
        <input value=${f.budget} inputmode="decimal" required onInput=${input('budget')} />
      <//>
      <span></span>
      <${Field} label=${t('promotion.startsAt')} error=${errors.starts_at}>
        <input type="datetime-local" value=${f.startsAt} required onInput=${input('startsAt')} />
      <//>
      <${Field} label=${t('promotion.endsAt')} error=${errors.ends_at}>
        <input type="datetime-local" value=${f.endsAt} onInput=${input('endsAt')} />
      <//>
    </div>
    <fieldset class="promo-keywords">
      <legend>${t('promotion.keywords')}</legend>
      ${errors.keywords && html`<span class="field-error" role="alert">${errors.keywords}</span>`}
      ${f.keywords.map((k, i) => html`<div class="promo-kw" key=${i}>
        <${Field} label=${t('promotion.wordN', { n: i + 1 })} error=${errors[`keywords[${i}].word`] || errors[`keywords[${i}]`]}>
          <input value=${k.word} maxlength="30" required onInput=${setKw(i, 'word')} />
        <//>
        <${Field} label=${t('promotion.bidN', { n: i + 1 })} error=${errors[`keywords[${i}].bid_cents`]}>
          <input value=${k.bid} inputmode="decimal" required onInput=${setKw(i, 'bid')} />
        <//>
        <button type="button" class="link" disabled=${f.keywords.length === 1} onClick=${() => removeKw(i)}>
          ${t('promotion.removeWord', { n: i + 1 })}</button>
      </div>`)}
      <button type="button" disabled=${f.keywords.length >= 200} onClick=${addKw}>+ ${t('promotion.addWord')}</button>
    </fieldset>
    <${ErrorBox} error=${error} />
    <div class="actions">
      <button type="button" onClick=${onCancel}>${t('ui.cancel')}</button>
      <button type="submit" class="primary" disabled=${busy}>${t(plan ? 'promotion.save' : 'promotion.create')}</button>
    </div>
  </form>`;
}

function Status({ plan }) {
  const why = plan.status === 'serving' ? '' : t(`promotion.why.${plan.status}`, { time: fmtTime(plan.starts_at) });
  return html`<div class="promo-status">
    <span class=${`status ${plan.status}`}>${t(`promotion.status.${plan.status}`)}</span>
    ${why && html`<span class="promo-why">${why}</span>`}
  </div>`;
}

function Spend({ plan }) {
  const spend = plan.today.spend_cents;
  const budget = plan.daily_budget_cents;
  return html`<div class="promo-spend">
    <span><${Money} fen=${spend} /> / <${Money} fen=${budget} /></span>
    <progress max=${budget} value=${Math.min(spend, budget)} aria-label=${t('promotion.spendOf', { spend: fmtMoney(spend), budget: fmtMoney(budget) })}></progress>
  </div>`;
}

// The report's figures of a row (or the total): money in yuan, rates as
// percentages, an undefined ratio (nothing to divide by) as a dash.
const DASH = '—';
const pct = (v) => (v === null || v === undefined ? DASH : `${(v * 100).toFixed(2)}%`);
const money = (v) => (v === null || v === undefined ? DASH : fmtMoney(v));
const REPORT_COLS = [
  ['impressions', (r) => String(r.impressions)], ['clicks', (r) => String(r.clicks)], ['ctr', (r) => pct(r.ctr)],
  ['spend', (r) => money(r.spend_cents)], ['cpc', (r) => money(r.cpc_cents)], ['cpm', (r) => money(r.cpm_cents)],
  ['orders', (r) => String(r.attributed_orders)], ['gmv', (r) => money(r.gmv_cents)],
  ['conversion', (r) => pct(r.click_conversion)], ['roi', (r) => (r.roi === null ? DASH : r.roi.toFixed(2))],
];
// The newest rows first; the rest on asking (30 days stacked on a phone
// are a long scroll).
const RECENT = 7;
const rowDate = (r, period) => (period === 'week' ? `${r.from} – ${r.to}` : r.from);

// A date (YYYY-MM-DD) n days later (earlier when n < 0), and the Monday
// of its week: calendar arithmetic in UTC, where no day is skipped.
function addDays(date, n) {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}
function monday(date) {
  const [y, m, d] = date.split('-').map(Number);
  return addDays(date, -((new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7));
}

// The window's quick choices: the last n days, or n weeks (this one
// included), up to today. The API's default window (30 days, 12 weeks) is
// the empty fields, so a link without dates stays "the latest".
const QUICK = { day: [7, 30, 90], week: [4, 12, 26] };
const DEFAULT_N = { day: 30, week: 12 };
function quickWindow(period, n, today) {
  if (n === DEFAULT_N[period]) return { from: undefined, to: undefined };
  return { from: period === 'week' ? addDays(monday(today), -7 * (n - 1)) : addDays(today, -(n - 1)), to: today };
}
const isDate = (v) => (/^\d{4}-\d{2}-\d{2}$/.test(v || '') ? v : '');

// 推广日报 / 周报: the shop's (or one plan's) figures per day or week of a
// window (the API's default one without dates), newest first, with the
// total, a chart and the CSV. Period, plan and dates live in the page's
// query, so a reload or a shared link shows the same report.
function Reports({ shop, plans, query }) {
  const period = query.period === 'week' ? 'week' : 'day';
  const planId = /^[1-9]\d*$/.test(query.plan || '') ? query.plan : '';
  // The dates as asked (a hand-made URL's nonsense goes to the API, which
  // names the field); the inputs show only real dates.
  const from = query.from || '';
  const to = query.to || '';
  // "Show all rows" holds for the report it was asked of, not the next.
  const key = [period, planId, from, to].join('|');
  const [allOf, setAllOf] = useState(null);
  const all = allOf === key;
  // Today in the shop's time zone, as the API counts it: the last day of a
  // daily report without `to`.
  const today = useRef('');
  const params = { period, from: from || undefined, to: to || undefined, plan_id: planId || undefined };
  const rep = useAsync(async () => {
    const r = await get(`${base(shop)}/reports${qs(params)}`);
    if (!to && r.period === 'day') today.current = r.to;
    return r;
  }, [shop.id, period, planId, from, to]);
  const setPeriod = (p) => setQuery({ period: p === 'day' ? undefined : p });
  const quick = async (n) => {
    if (!today.current && n !== DEFAULT_N[period]) today.current = (await get(`${base(shop)}/reports?period=day`)).to;
    setQuery(quickWindow(period, n, today.current));
  };
  // A choice is pressed while the fields hold its window (the default
  // one's: empty fields).
  const quickOn = (n) => {
    if (!from && !to) return n === DEFAULT_N[period];
    if (!today.current || n === DEFAULT_N[period]) return false;
    const w = quickWindow(period, n, today.current);
    return w.from === from && w.to === to;
  };
  const csv = async () => {
    const r = await download(`${base(shop)}/reports.csv${qs(params)}`, `promotion-report-${shop.id}-${period}.csv`);
    toast(t('promotion.downloaded', { name: r.name }));
  };
  // The API's refusal of the dates (to before from, a window too long, not
  // a date) is shown at the fields it names; anything else in the box.
  const err = rep.error;
  const bad = { from: err?.code === 'invalid_field' ? err.field('from') : '', to: err?.code === 'invalid_field' ? err.field('to') : '' };
  const rangeBad = !!(bad.from || bad.to);
  const d = err ? null : rep.data;
  // The figures shown are the report's own period (the previous report
  // stays until the next arrives).
  const shown = d ? d.period : period;
  const head = t(shown === 'week' ? 'promotion.r.week' : 'promotion.r.date');
  const title = t(shown === 'week' ? 'promotion.weekly' : 'promotion.daily');
  const setDate = (k) => (e) => setQuery({ [k]: e.currentTarget.value || undefined });
  return html`<section class="card promo-reports" aria-labelledby="promo-reports-h">
    <h2 id="promo-reports-h">${t('promotion.reports')}</h2>
    <div class="toolbar promo-report-tools">
      <${Tabs} label=${t('promotion.period')} value=${period} onChange=${setPeriod}
        tabs=${[{ id: 'day', label: t('promotion.daily') }, { id: 'week', label: t('promotion.weekly') }]} />
      <${Field} label=${t('promotion.planFilter')}>
        <select value=${planId} onChange=${(e) => setQuery({ plan: e.currentTarget.value || undefined })}>
          <option value="">${t('promotion.allPlans')}</option>
          ${plans.map((p) => html`<option value=${String(p.id)}>${p.name}</option>`)}
        </select>
      <//>
      <${ActionButton} onClick=${csv} disabled=${rangeBad}>${t('promotion.csv')}<//>
    </div>
    <div class="promo-range" role="group" aria-labelledby="promo-range-h">
      <span id="promo-range-h" class="sr-only">${t('promotion.range')}</span>
      <${Field} label=${t('promotion.from')} error=${bad.from}>
        <input type="date" value=${isDate(from)} aria-invalid=${bad.from ? 'true' : undefined} onChange=${setDate('from')} />
      <//>
      <${Field} label=${t('promotion.to')} error=${bad.to}>
        <input type="date" value=${isDate(to)} aria-invalid=${bad.to ? 'true' : undefined} onChange=${setDate('to')} />
      <//>
      <div class="promo-quick" role="group" aria-label=${t('promotion.quick')}>
        ${QUICK[period].map((n) => html`<${ActionButton} key=${n} pressed=${quickOn(n)} onClick=${() => quick(n)}>
          ${t(period === 'week' ? 'promotion.lastWeeks' : 'promotion.lastDays', { n })}<//>`)}
      </div>
    </div>
    ${err && !rangeBad && html`<${ErrorBox} error=${err} onRetry=${rep.reload} />`}
    ${!d && !err && html`<${Loading} />`}
    ${d && html`
      <p class="muted promo-asof">${t('promotion.window', { from: d.from, to: d.to })} · ${d.as_of ? t('promotion.asOf', { time: fmtTime(d.as_of) }) : t('promotion.asOfNever')}</p>
      <${Chart} label=${t('promotion.r.chart', { period: title, from: d.from, to: d.to, spend: fmtMoney(d.total.spend_cents), gmv: fmtMoney(d.total.gmv_cents) })}
        x=${d.rows.map((r) => dayX(r.from))}
        series=${[
          { label: t('promotion.r.spend'), values: d.rows.map((r) => r.spend_cents / 100) },
          { label: t('promotion.r.gmv'), values: d.rows.map((r) => r.gmv_cents / 100) },
        ]}
        fmtY=${(v) => `¥${v.toLocaleString('en-US')}`} />
      <${ChartTable} caption=${title} head=${[head, t('promotion.r.spend'), t('promotion.r.gmv')]}
        rows=${d.rows.map((r) => [rowDate(r, shown), fmtMoney(r.spend_cents), fmtMoney(r.gmv_cents)])} />
      <div class="promo-report-scroll">
        <table class="responsive promo-report" aria-label=${title}>
          <thead><tr><th scope="col">${head}</th>${REPORT_COLS.map(([k]) => html`<th scope="col">${t(`promotion.r.${k}`)}</th>`)}</tr></thead>
          <tbody>
            ${[...d.rows].reverse().slice(0, all ? undefined : RECENT).map((r) => html`<tr key=${r.from}>
              <th scope="row" class="promo-nowrap">${rowDate(r, shown)}</th>
              ${REPORT_COLS.map(([k, f]) => html`<td data-label=${t(`promotion.r.${k}`)}>${f(r)}</td>`)}
            </tr>`)}
          </tbody>
          <tfoot><tr class="promo-total">
            <th scope="row">${t('promotion.r.total')}</th>
            ${REPORT_COLS.map(([k, f]) => html`<td data-label=${t(`promotion.r.${k}`)}>${f(d.total)}</td>`)}
          </tr></tfoot>
        </table>
      </div>
      ${!all && d.rows.length > RECENT && html`<button type="button" class="link" onClick=${() => setAllOf(key)}>${t('promotion.r.all', { n: d.rows.length })}</button>`}`}
  </section>`;
}

function Promotion({ shop, query }) {
  const list = usePaged((cursor) => get(`${base(shop)}${qs({ cursor, limit: 20 })}`), [shop.id]);
  const products = useAsync(() => get(`/v1/shops/${shop.id}/products?limit=100`).then((r) => r.items), [shop.id]);
  const funds = useAsync(() => get(`/v1/shops/${shop.id}/funds`), [shop.id]);
  const [dialog, setDialog] = useState(null); // {kind: 'new'|'edit', plan}
  const close = () => setDialog(null);
  const names = new Map((products.data || []).map((p) => [p.id, p.title]));
  const replace = (p) => list.setItems((items) => items.map((x) => (x.id === p.id ? p : x)));
  const setPaused = async (plan, on) => {
    const r = await post(`${base(shop)}/${plan.id}/${on ? 'pause' : 'resume'}`);
    replace(r);
    toast(t(on ? 'promotion.paused' : 'promotion.resumed'));
  };
  const today = list.items.reduce((s, p) => ({ spend: s.spend + p.today.spend_cents, imp: s.imp + p.today.impressions, clicks: s.clicks + p.today.clicks }), { spend: 0, imp: 0, clicks: 0 });

  return html`<section class="promotion">
    <h1>${t('promotion.title')}</h1>
    <div class="funds-top">
      <div class="card promo-balance">
        <h2>${t('promotion.balance')}</h2>
        ${funds.error && html`<${ErrorBox} error=${funds.error} onRetry=${funds.reload} />`}
        ${!funds.data && !funds.error && html`<${Loading} />`}
        ${funds.data && html`<p class="funds-big"><${Money} fen=${funds.data.balances.promotion_cents} /></p>`}
        <p class="muted">${t('promotion.balanceHint')}</p>
        <a href=${href('funds', { tab: 'topups', account: 'promotion' })}>${t('promotion.topup')}</a>
      </div>
      <div class="card promo-today">
        <h2>${t('promotion.todaySpend')}</h2>
        <p class="funds-big"><${Money} fen=${today.spend} /></p>
        <p class="muted">${t('promotion.todayHint', { imp: today.imp, clicks: today.clicks })}</p>
      </div>
    </div>
    <div class="toolbar">
      <button type="button" class="primary" onClick=${() => setDialog({ kind: 'new' })}>+ ${t('promotion.new')}</button>
    </div>
    ${list.items.length > 0 && html`<table class="responsive promo-plans" aria-label=${t('promotion.list')}>
      <thead><tr>
        <th scope="col">${t('promotion.name')}</th><th scope="col">${t('promotion.status')}</th>
        <th scope="col">${t('promotion.keywords')}</th><th scope="col">${t('promotion.budgetCol')}</th>
        <th scope="col">${t('promotion.today')}</th><th scope="col">${t('promotion.total')}</th>
        <th scope="col">${t('promotion.schedule')}</th><th scope="col">${t('promotion.actions')}</th>
      </tr></thead>
      <tbody>
        ${list.items.map((p) => html`<tr key=${p.id}>
          <td data-label=${t('promotion.name')} class="promo-name-cell"><div>
            <span class="promo-name">${p.name}</span><br />
            <span class="promo-product">${names.get(p.product_id) ?? `#${p.product_id}`}</span>
          </div></td>
          <td data-label=${t('promotion.status')}><${Status} plan=${p} /></td>
          <td data-label=${t('promotion.keywords')} class="promo-words-cell"><ul class="promo-words">
            ${p.keywords.map((k) => html`<li key=${k.word}><span class="promo-word">${k.word}</span> <${Money} fen=${k.bid_cents} /></li>`)}
          </ul></td>
          <td data-label=${t('promotion.budgetCol')}><${Spend} plan=${p} /></td>
          <td data-label=${t('promotion.today')} class="promo-nowrap">${t('promotion.todayFigures', { imp: p.today.impressions, clicks: p.today.clicks })}</td>
          <td data-label=${t('promotion.total')}>${t('promotion.totalFigures', { clicks: p.clicks, spend: fmtMoney(p.spend_cents), orders: p.attributed_orders })}</td>
          <td data-label=${t('promotion.schedule')}><div><${Time} iso=${p.starts_at} /> – ${p.ends_at ? html`<${Time} iso=${p.ends_at} />` : t('promotion.noEnd')}</div></td>
          <td data-label=${t('promotion.actions')}><div class="row-actions">
            <button type="button" aria-label=${`${t('promotion.edit')} ${p.name}`} onClick=${() => setDialog({ kind: 'edit', plan: p })}>${t('promotion.edit')}</button>
            <${ActionButton} label=${`${t(p.paused ? 'promotion.resume' : 'promotion.pause')} ${p.name}`} className=${p.paused ? 'primary' : ''}
              onClick=${() => setPaused(p, !p.paused)}>${t(p.paused ? 'promotion.resume' : 'promotion.pause')}<//>
          </div></td>
        </tr>`)}
      </tbody>
    </table>`}
    <${ListState} list=${list} emptyText=${t('promotion.empty')} />
    <${Reports} shop=${shop} plans=${list.items} query=${query || {}} />
    <${Dialog} open=${!!dialog} title=${dialog?.kind === 'edit' ? t('promotion.editTitle', { name: dialog.plan.name }) : t('promotion.new')} onClose=${close} className="wide">
      ${dialog && html`<${PlanForm} key=${dialog.plan?.id || 'new'} shop=${shop} plan=${dialog.plan} products=${products.data || []}
        onCancel=${close} onDone=${(p) => { close(); if (dialog.plan) replace(p); else list.reload(); }} />`}
    <//>
  </section>`;
}

export default { id: 'promotion', label: 'promotion.label', roles: ['merchant'], component: Promotion };
