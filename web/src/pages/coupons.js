// 优惠券: the shop's coupons with their counts and status, created for the
// shop or one product, or in one go for many products (coupons:batch),
// stopped, topped up; and the shop's live session (1键开播), while which the
// live-only coupons (直播专享券) can be claimed and popped up in the room.
import { useEffect, useState } from 'preact/hooks';
import { get, idempotencyKey, post, qs } from '../api.js';
import { onEvent } from '../events.js';
import { fmtMoney, parseMoney, t, strings, toLocalInput, fromLocalInput } from '../i18n.js';
import { setQuery } from '../router.js';
import { html, ActionButton, Dialog, ErrorBox, Field, ListState, Tabs, Time, toast, useAsync, usePaged, useSubmit } from '../ui.js';

strings(
  {
    'coupons.label': '优惠券', 'coupons.title': '优惠券', 'coupons.all': '全部', 'coupons.new': '创建优惠券', 'coupons.batch': '批量创建商品券',
    'coupons.status.claiming': '领取中', 'coupons.status.not_started': '未开始', 'coupons.status.sold_out': '已领完',
    'coupons.status.ended': '已结束', 'coupons.status.stopped': '已停止',
    'coupons.name': '优惠券名称', 'coupons.kind': '类型', 'coupons.kind.shop': '店铺券', 'coupons.kind.product': '商品券',
    'coupons.product': '商品', 'coupons.pickProduct': '请选择商品', 'coupons.products': '选择商品', 'coupons.discount': '面额（元）', 'coupons.offer': '优惠',
    'coupons.minOrder': '使用门槛（元，0 为无门槛）', 'coupons.quantity': '发放总量', 'coupons.perBuyer': '每人限领',
    'coupons.claimStart': '领取开始时间', 'coupons.claimEnd': '领取结束时间', 'coupons.validity': '有效期',
    'coupons.validDays': '领取后有效天数', 'coupons.validFrom': '有效期开始', 'coupons.validTo': '有效期结束',
    'coupons.mode.days': '领取后 N 天内有效', 'coupons.mode.range': '固定日期内有效',
    'coupons.channel': '发放渠道', 'coupons.channel.normal': '普通券', 'coupons.channel.live': '直播专享券',
    'coupons.create': '创建', 'coupons.created': '优惠券已创建', 'coupons.batchCreated': '已创建 {n} 张商品券',
    'coupons.stop': '停止', 'coupons.stopAsk': '停止发放「{title}」？已领取的券仍可使用。', 'coupons.stopped': '优惠券已停止',
    'coupons.addQty': '追加数量', 'coupons.addQtyTitle': '追加「{title}」的数量', 'coupons.addQtyField': '追加数量（张）', 'coupons.added': '已追加数量',
    'coupons.push': '推送到直播间', 'coupons.pushed': '已推送给 {n} 位观众',
    'coupons.rule': '满 {min} 减 {off}', 'coupons.ruleNoMin': '无门槛减 {off}', 'coupons.counts': '已领 {claimed} / 共 {total}（剩 {remaining}，已用 {used}）',
    'coupons.days': '领取后 {n} 天', 'coupons.window': '领取时间', 'coupons.actions': '操作', 'coupons.list': '优惠券列表',
    'coupons.empty': '还没有优惠券', 'coupons.badMoney': '请输入正确的金额，例如 5.00', 'coupons.noProducts': '还没有商品，请先创建商品',
    'coupons.live': '直播', 'coupons.liveOn': '直播中 · 观众 {n} 人', 'coupons.liveSince': '开播时间', 'coupons.liveOff': '未开播',
    'coupons.liveStart': '开播', 'coupons.liveStop': '下播', 'coupons.liveStarted': '已开播', 'coupons.liveStopped': '已下播',
    'coupons.lastPush': '最近推送：{title}', 'coupons.liveHint': '直播专享券仅在直播中可领取，可推送到直播间弹出。',
    'coupons.pickSome': '请至少选择一个商品',
  },
  {
    'coupons.label': 'Coupons', 'coupons.title': 'Coupons', 'coupons.all': 'All', 'coupons.new': 'New coupon', 'coupons.batch': 'Coupons for many products',
    'coupons.status.claiming': 'Claiming', 'coupons.status.not_started': 'Not started', 'coupons.status.sold_out': 'Sold out',
    'coupons.status.ended': 'Ended', 'coupons.status.stopped': 'Stopped',
    'coupons.name': 'Coupon name', 'coupons.kind': 'Kind', 'coupons.kind.shop': 'Shop coupon', 'coupons.kind.product': 'Product coupon',
    'coupons.product': 'Product', 'coupons.pickProduct': 'Choose a product', 'coupons.products': 'Products', 'coupons.discount': 'Discount (yuan)', 'coupons.offer': 'Offer',
    'coupons.minOrder': 'Minimum order (yuan, 0 for none)', 'coupons.quantity': 'Total quantity', 'coupons.perBuyer': 'Per buyer',
    'coupons.claimStart': 'Claiming starts', 'coupons.claimEnd': 'Claiming ends', 'coupons.validity': 'Validity',
    'coupons.validDays': 'Days valid after claiming', 'coupons.validFrom': 'Valid from', 'coupons.validTo': 'Valid until',
    'coupons.mode.days': 'N days after claiming', 'coupons.mode.range': 'Between fixed dates',
    'coupons.channel': 'Channel', 'coupons.channel.normal': 'Normal', 'coupons.channel.live': 'Live only',
    'coupons.create': 'Create', 'coupons.created': 'Coupon created', 'coupons.batchCreated': '{n} product coupons created',
    'coupons.stop': 'Stop', 'coupons.stopAsk': 'Stop “{title}”? Coupons already claimed stay usable.', 'coupons.stopped': 'Coupon stopped',
    'coupons.addQty': 'Add quantity', 'coupons.addQtyTitle': 'Add to “{title}”', 'coupons.addQtyField': 'Coupons to add', 'coupons.added': 'Quantity added',
    'coupons.push': 'Push to the live room', 'coupons.pushed': 'Pushed to {n} viewers',
    'coupons.rule': '{off} off orders of {min}', 'coupons.ruleNoMin': '{off} off, no minimum', 'coupons.counts': '{claimed} of {total} claimed ({remaining} left, {used} used)',
    'coupons.days': '{n} days after claiming', 'coupons.window': 'Claiming', 'coupons.actions': 'Actions', 'coupons.list': 'Coupons',
    'coupons.empty': 'No coupons yet', 'coupons.badMoney': 'Enter an amount such as 5.00', 'coupons.noProducts': 'No products yet: create one first',
    'coupons.live': 'Live', 'coupons.liveOn': 'Live · {n} viewers', 'coupons.liveSince': 'since', 'coupons.liveOff': 'Not live',
    'coupons.liveStart': 'Go live', 'coupons.liveStop': 'End live', 'coupons.liveStarted': 'Live now', 'coupons.liveStopped': 'Live ended',
    'coupons.lastPush': 'Last pushed: {title}', 'coupons.liveHint': 'Live-only coupons can be claimed while the shop is live, and pushed to pop up in the room.',
    'coupons.pickSome': 'Choose at least one product',
  },
);

const STATUSES = ['claiming', 'not_started', 'sold_out', 'ended', 'stopped'];
const base = (shop) => `/v1/shops/${shop.id}/coupons`;


function fieldErrors(err) {
  const out = {};
  for (const e of err?.errors || []) out[e.field] = e.message || e.code;
  return out;
}

function initialForm() {
  const now = new Date();
  now.setSeconds(0, 0);
  const week = new Date(now.getTime() + 7 * 86400e3);
  return {
    title: '', discount: '', minOrder: '0', quantity: '100', perBuyer: '1',
    claimStart: toLocalInput(now), claimEnd: toLocalInput(week),
    mode: 'days', validDays: '7', validFrom: toLocalInput(now), validTo: toLocalInput(week), channel: 'normal',
  };
}

// The fields both forms share, as the API's body; local problems (an
// amount that is not one) go into errors under the API's field names.
function couponBody(f, errors) {
  const body = { title: f.title, channel: f.channel, claim_start: fromLocalInput(f.claimStart), claim_end: fromLocalInput(f.claimEnd) };
  const off = parseMoney(f.discount);
  if (off === null) errors.discount_cents = t('coupons.badMoney');
  else body.discount_cents = off;
  const min = parseMoney(f.minOrder || '0');
  if (min === null) errors.min_order_cents = t('coupons.badMoney');
  else body.min_order_cents = min;
  body.total_quantity = Number(f.quantity);
  body.per_buyer_limit = Number(f.perBuyer);
  if (f.mode === 'days') body.valid_days = Number(f.validDays);
  else Object.assign(body, { valid_from: fromLocalInput(f.validFrom), valid_to: fromLocalInput(f.validTo) });
  return body;
}

function CouponFields({ f, set, errors }) {
  const input = (k) => (e) => set({ ...f, [k]: e.currentTarget.value });
  return html`
    <${Field} label=${t('coupons.name')} error=${errors.title}>
      <input value=${f.title} maxlength="100" required onInput=${input('title')} />
    <//>
    <div class="grid2">
      <${Field} label=${t('coupons.discount')} error=${errors.discount_cents}>
        <input value=${f.discount} inputmode="decimal" required onInput=${input('discount')} />
      <//>
      <${Field} label=${t('coupons.minOrder')} error=${errors.min_order_cents}>
        <input value=${f.minOrder} inputmode="decimal" onInput=${input('minOrder')} />
      <//>
      <${Field} label=${t('coupons.quantity')} error=${errors.total_quantity}>
        <input type="number" min="1" max="1000000" value=${f.quantity} required onInput=${input('quantity')} />
      <//>
      <${Field} label=${t('coupons.perBuyer')} error=${errors.per_buyer_limit}>
        <input type="number" min="1" max="100" value=${f.perBuyer} required onInput=${input('perBuyer')} />
      <//>
      <${Field} label=${t('coupons.claimStart')} error=${errors.claim_start}>
        <input type="datetime-local" value=${f.claimStart} required onInput=${input('claimStart')} />
      <//>
      <${Field} label=${t('coupons.claimEnd')} error=${errors.claim_end}>
        <input type="datetime-local" value=${f.claimEnd} required onInput=${input('claimEnd')} />
      <//>
      <${Field} label=${t('coupons.validity')}>
        <select value=${f.mode} onChange=${input('mode')}>
          <option value="days">${t('coupons.mode.days')}</option>
          <option value="range">${t('coupons.mode.range')}</option>
        </select>
      <//>
      ${f.mode === 'days'
        ? html`<${Field} label=${t('coupons.validDays')} error=${errors.valid_days}>
            <input type="number" min="1" max="365" value=${f.validDays} onInput=${input('validDays')} />
          <//>`
        : html`<${Field} label=${t('coupons.validFrom')} error=${errors.valid_from}>
            <input type="datetime-local" value=${f.validFrom} onInput=${input('validFrom')} />
          <//>
          <${Field} label=${t('coupons.validTo')} error=${errors.valid_to}>
            <input type="datetime-local" value=${f.validTo} onInput=${input('validTo')} />
          <//>`}
      <${Field} label=${t('coupons.channel')} error=${errors.channel} hint=${f.channel === 'live' ? t('coupons.liveHint') : ''}>
        <select value=${f.channel} onChange=${input('channel')}>
          <option value="normal">${t('coupons.channel.normal')}</option>
          <option value="live">${t('coupons.channel.live')}</option>
        </select>
      <//>
    </div>`;
}

// The create form (one coupon: the shop's or one product's) and the batch
// form (one product coupon per chosen product).
function CouponForm({ shop, batch, products, onDone, onCancel }) {
  const [f, set] = useState({ ...initialForm(), kind: 'shop', productId: '', productIds: [] });
  const [errors, setErrors] = useState({});
  const { submit, busy, error } = useSubmit(async () => {
    const local = {};
    const body = couponBody(f, local);
    if (batch) {
      body.product_ids = f.productIds.map(Number);
      if (!body.product_ids.length) local.product_ids = t('coupons.pickSome');
    } else {
      body.kind = f.kind;
      if (f.kind === 'product') {
        if (!f.productId) local.product_id = t('coupons.pickProduct');
        body.product_id = Number(f.productId);
      }
    }
    setErrors(local);
    if (Object.keys(local).length) return;
    try {
      const r = await post(batch ? `/v1/shops/${shop.id}/coupons:batch` : base(shop), body, { key: idempotencyKey() });
      toast(batch ? t('coupons.batchCreated', { n: r.items.length }) : t('coupons.created'));
      onDone();
    } catch (err) {
      setErrors(fieldErrors(err));
      throw err;
    }
  });
  const toggle = (id) => set({ ...f, productIds: f.productIds.includes(id) ? f.productIds.filter((x) => x !== id) : [...f.productIds, id] });
  const productError = Object.entries(errors).filter(([k]) => k.startsWith('product_ids')).map(([, v]) => v).join('; ');
  return html`<form onSubmit=${submit} novalidate>
    ${batch
      ? html`<fieldset class="product-picks">
          <legend>${t('coupons.products')}</legend>
          ${products.length === 0 && html`<p class="muted">${t('coupons.noProducts')}</p>`}
          ${products.map((p) => html`<label class="check" key=${p.id}>
            <input type="checkbox" checked=${f.productIds.includes(String(p.id))} onChange=${() => toggle(String(p.id))} /> ${p.title}
          </label>`)}
          ${productError && html`<span class="field-error" role="alert">${productError}</span>`}
        </fieldset>`
      : html`<div class="grid2">
          <${Field} label=${t('coupons.kind')} error=${errors.kind}>
            <select value=${f.kind} onChange=${(e) => set({ ...f, kind: e.currentTarget.value })}>
              <option value="shop">${t('coupons.kind.shop')}</option>
              <option value="product">${t('coupons.kind.product')}</option>
            </select>
          <//>
          ${f.kind === 'product' && html`<${Field} label=${t('coupons.product')} error=${errors.product_id}>
            <select value=${f.productId} onChange=${(e) => set({ ...f, productId: e.currentTarget.value })}>
              <option value="">${t('coupons.pickProduct')}</option>
              ${products.map((p) => html`<option value=${String(p.id)}>${p.title}</option>`)}
            </select>
          <//>`}
        </div>`}
    <${CouponFields} f=${f} set=${set} errors=${errors} />
    <${ErrorBox} error=${error} />
    <div class="actions">
      <button type="button" onClick=${onCancel}>${t('ui.cancel')}</button>
      <button type="submit" class="primary" disabled=${busy}>${t('coupons.create')}</button>
    </div>
  </form>`;
}

function AddQuantity({ shop, coupon, onDone, onCancel }) {
  const [n, setN] = useState('100');
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await post(`${base(shop)}/${coupon.id}/add-quantity`, { quantity: Number(n) }, { key: idempotencyKey() });
      toast(t('coupons.added'));
      onDone(r);
    } catch (err) {
      setError(err);
    }
  };
  const err = error?.field?.('quantity');
  return html`<form onSubmit=${submit} novalidate>
    <${Field} label=${t('coupons.addQtyField')} error=${err}>
      <input type="number" min="1" max="1000000" value=${n} required onInput=${(e) => setN(e.currentTarget.value)} />
    <//>
    ${!err && html`<${ErrorBox} error=${error} />`}
    <div class="actions">
      <button type="button" onClick=${onCancel}>${t('ui.cancel')}</button>
      <button type="submit" class="primary">${t('coupons.addQty')}</button>
    </div>
  </form>`;
}

// The shop's live session: start / stop, viewers, the coupon last pushed.
function LivePanel({ live }) {
  const s = live.data;
  return html`<section class="card live-panel" aria-labelledby="live-title">
    <h2 id="live-title">${t('coupons.live')}</h2>
    ${live.error && html`<${ErrorBox} error=${live.error} onRetry=${live.reload} />`}
    ${s && html`<p class=${s.live ? 'live-on' : 'muted'}>
        ${s.live ? t('coupons.liveOn', { n: s.viewer_count }) : t('coupons.liveOff')}
        ${s.live && html` · ${t('coupons.liveSince')} <${Time} iso=${s.live_since} />`}
      </p>
      ${s.coupon && html`<p class="muted">${t('coupons.lastPush', { title: s.coupon.title })}</p>`}`}
  </section>`;
}

function Coupons({ shop, query }) {
  const tab = STATUSES.includes(query.status) ? query.status : 'all';
  const list = usePaged((cursor) => get(`${base(shop)}${qs({ status: tab === 'all' ? '' : tab, cursor, limit: 20 })}`), [shop.id, tab]);
  const products = useAsync(() => get(`/v1/shops/${shop.id}/products?limit=100`).then((r) => r.items), [shop.id]);
  const live = useAsync(() => get(`/v1/shops/${shop.id}/live`), [shop.id]);
  const [dialog, setDialog] = useState(null); // {kind: 'new'|'batch'|'stop'|'add', coupon}
  // A push from another device shows here too (the merchant gets the room's event).
  useEffect(() => onEvent('live.coupon', (ev) => {
    if (ev.data?.shop_id === shop.id) live.setData((s) => (s ? { ...s, coupon: ev.data.coupon } : s));
  }), [shop.id]);
  const close = () => setDialog(null);
  const names = new Map((products.data || []).map((p) => [p.id, p.title]));
  const replace = (c) => list.setItems((items) => items.map((x) => (x.id === c.id ? c : x)));
  const isLive = !!live.data?.live;

  const setLive = async (on) => {
    const r = await post(`/v1/shops/${shop.id}/live/${on ? 'start' : 'stop'}`, undefined, { key: idempotencyKey() });
    live.setData(r);
    toast(t(on ? 'coupons.liveStarted' : 'coupons.liveStopped'));
  };
  const push = async (c) => {
    const r = await post(`/v1/shops/${shop.id}/live/coupons/${c.id}/push`, undefined, { key: idempotencyKey() });
    live.setData((s) => ({ ...s, coupon: r.coupon }));
    toast(t('coupons.pushed', { n: r.notified }));
  };
  const stop = async () => {
    const r = await post(`${base(shop)}/${dialog.coupon.id}/stop`, undefined, { key: idempotencyKey() });
    replace(r);
    close();
    toast(t('coupons.stopped'));
  };

  const rule = (c) => (c.min_order_cents > 0
    ? t('coupons.rule', { min: fmtMoney(c.min_order_cents), off: fmtMoney(c.discount_cents) })
    : t('coupons.ruleNoMin', { off: fmtMoney(c.discount_cents) }));
  const titles = { new: t('coupons.new'), batch: t('coupons.batch'), stop: t('coupons.stop'), add: dialog?.coupon ? t('coupons.addQtyTitle', { title: dialog.coupon.title }) : '' };

  return html`<section>
    <h1>${t('coupons.title')}</h1>
    <div class="coupons-top">
      <${LivePanel} live=${live} />
      <div class="toolbar">
        ${live.data && html`<${ActionButton} className=${isLive ? '' : 'primary'} onClick=${() => setLive(!isLive)}>
          ${t(isLive ? 'coupons.liveStop' : 'coupons.liveStart')}<//>`}
        <button type="button" class="primary" onClick=${() => setDialog({ kind: 'new' })}>+ ${t('coupons.new')}</button>
        <button type="button" onClick=${() => setDialog({ kind: 'batch' })}>+ ${t('coupons.batch')}</button>
      </div>
    </div>
    <${Tabs} label=${t('coupons.title')} value=${tab} onChange=${(v) => setQuery({ status: v === 'all' ? undefined : v })}
      tabs=${[{ id: 'all', label: t('coupons.all') }, ...STATUSES.map((id) => ({ id, label: t(`coupons.status.${id}`) }))]} />
    ${list.items.length > 0 && html`<table class="responsive coupons" aria-label=${t('coupons.list')}>
      <thead><tr>
        <th scope="col">${t('coupons.name')}</th><th scope="col">${t('coupons.kind')}</th><th scope="col">${t('coupons.offer')}</th>
        <th scope="col">${t('coupons.quantity')}</th><th scope="col">${t('coupons.window')}</th><th scope="col">${t('coupons.validity')}</th>
        <th scope="col">${t('coupons.actions')}</th>
      </tr></thead>
      <tbody>
        ${list.items.map((c) => html`<tr key=${c.id}>
          <td data-label=${t('coupons.name')}><div>
            <span class="coupon-title">${c.title}</span>
            <span class=${`status ${c.status}`}>${t(`coupons.status.${c.status}`)}</span>
            ${c.channel === 'live' && html`<span class="chip live">${t('coupons.channel.live')}</span>`}
          </div></td>
          <td data-label=${t('coupons.kind')}><div>${t(`coupons.kind.${c.kind}`)}${c.kind === 'product' ? html`<br /><span class="coupon-product">${names.get(c.product_id) ?? `#${c.product_id}`}</span>` : ''}</div></td>
          <td data-label=${t('coupons.offer')}>${rule(c)}</td>
          <td data-label=${t('coupons.quantity')}>${t('coupons.counts', { claimed: c.claimed, total: c.total_quantity, remaining: c.remaining, used: c.used })}</td>
          <td data-label=${t('coupons.window')}><div><${Time} iso=${c.claim_start} /> – <${Time} iso=${c.claim_end} /></div></td>
          <td data-label=${t('coupons.validity')}><div>${c.valid_days ? t('coupons.days', { n: c.valid_days }) : html`<${Time} iso=${c.valid_from} /> – <${Time} iso=${c.valid_to} />`}</div></td>
          <td data-label=${t('coupons.actions')} class="row-actions">
            ${c.status !== 'stopped' && c.status !== 'ended' && html`
              <button type="button" aria-label=${`${t('coupons.addQty')} ${c.title}`} onClick=${() => setDialog({ kind: 'add', coupon: c })}>${t('coupons.addQty')}</button>
              <button type="button" class="danger" aria-label=${`${t('coupons.stop')} ${c.title}`} onClick=${() => setDialog({ kind: 'stop', coupon: c })}>${t('coupons.stop')}</button>`}
            ${c.channel === 'live' && isLive && c.status === 'claiming' && html`
              <${ActionButton} label=${`${t('coupons.push')} ${c.title}`} onClick=${() => push(c)}>${t('coupons.push')}<//>`}
          </td>
        </tr>`)}
      </tbody>
    </table>`}
    <${ListState} list=${list} emptyText=${t('coupons.empty')} />
    <${Dialog} open=${!!dialog} title=${titles[dialog?.kind] || ''} onClose=${close} className=${dialog?.kind === 'new' || dialog?.kind === 'batch' ? 'wide' : ''}>
      ${(dialog?.kind === 'new' || dialog?.kind === 'batch') && html`<${CouponForm} key=${dialog.kind} shop=${shop} batch=${dialog.kind === 'batch'}
        products=${products.data || []} onCancel=${close} onDone=${() => { close(); list.reload(); }} />`}
      ${dialog?.kind === 'add' && html`<${AddQuantity} shop=${shop} coupon=${dialog.coupon} onCancel=${close} onDone=${(c) => { replace(c); close(); }} />`}
      ${dialog?.kind === 'stop' && html`<p>${t('coupons.stopAsk', { title: dialog.coupon.title })}</p>
        <div class="actions">
          <button type="button" onClick=${close}>${t('ui.cancel')}</button>
          <${ActionButton} className="danger" onClick=${stop}>${t('coupons.stop')}<//>
        </div>`}
    <//>
  </section>`;
}

export default { id: 'coupons', label: 'coupons.label', roles: ['merchant'], component: Coupons };
