// 活动管理: the platform's campaigns (活动报名). Publish a campaign with its
// sign-up and run windows and rules, change it (only its name once sign-up
// opened: the API says campaign_locked), cancel it before it starts, and
// work through its entries: approve (the stock is carved out) or reject
// with a reason the shop reads in a letter.
import { useState } from 'preact/hooks';
import { get, post, patch, qs, idempotencyKey } from '../api.js';
import { t, strings, fmtMoney, toLocalInput, fromLocalInput } from '../i18n.js';
import { setQuery } from '../router.js';
import { html, usePaged, useAsync, ListState, Tabs, askReason, toast, Field, ActionButton, ErrorBox, Time, Loading, useSubmit } from '../ui.js';

strings(
  {
    'campaigns.label': '活动管理', 'campaigns.title': '平台活动', 'campaigns.new': '新建活动', 'campaigns.edit': '编辑活动',
    'campaigns.filter': '活动状态', 'campaigns.all': '全部', 'campaigns.list': '活动列表',
    'campaigns.status.draft': '未开始报名', 'campaigns.status.signup_open': '报名中', 'campaigns.status.upcoming': '待开始',
    'campaigns.status.running': '进行中', 'campaigns.status.ended': '已结束', 'campaigns.status.cancelled': '已取消',
    'campaigns.kind': '活动类型', 'campaigns.kind.flash_sale': '限时秒杀', 'campaigns.kind.festival': '大促', 'campaigns.kind.daily_deal': '每日特价',
    'campaigns.name': '活动名称', 'campaigns.signupFrom': '报名开始', 'campaigns.signupTo': '报名截止',
    'campaigns.startsAt': '活动开始', 'campaigns.endsAt': '活动结束',
    'campaigns.minDiscount': '最低折扣（%）', 'campaigns.minStock': '每个SKU最低活动库存', 'campaigns.perBuyer': '每人限购',
    'campaigns.maxProducts': '每店最多商品数', 'campaigns.allowCoupons': '可叠加店铺优惠券', 'campaigns.autoApprove': '报名自动通过',
    'campaigns.save': '保存', 'campaigns.created': '活动已创建', 'campaigns.saved': '活动已保存', 'campaigns.cancel': '取消活动',
    'campaigns.cancelled': '活动已取消', 'campaigns.cancelConfirm': '取消活动「{name}」？已通过的报名将退回库存。',
    'campaigns.lockedHint': '报名开始后只能修改活动名称。',
    'campaigns.entries': '报名审核', 'campaigns.entryTabs': '报名状态',
    'campaigns.entry.pending': '待审核', 'campaigns.entry.approved': '已通过', 'campaigns.entry.rejected': '已驳回',
    'campaigns.entry.withdrawn': '已撤回', 'campaigns.entry.cancelled': '已取消',
    'campaigns.shop': '店铺ID', 'campaigns.product': '商品ID', 'campaigns.skus': '活动SKU', 'campaigns.submitted': '报名时间',
    'campaigns.sku': 'SKU {id}：活动价 {price}，活动库存 {stock}，已售 {sold}', 'campaigns.reason': '驳回原因',
    'campaigns.approve': '通过', 'campaigns.reject': '驳回', 'campaigns.rejectTitle': '驳回报名 #{id}',
    'campaigns.approved': '报名 #{id} 已通过', 'campaigns.rejected': '报名 #{id} 已驳回',
    'campaigns.pick': '选择一个活动查看报名', 'campaigns.noEntries': '没有报名', 'campaigns.rules': '规则', 'campaigns.windows': '时间',
    'campaigns.rulesText': '至少 {d}% 折扣，每个SKU活动库存至少 {s}，每人限购 {b}，每店最多 {p} 个商品', 'campaigns.yes': '是', 'campaigns.no': '否',
    'campaigns.actions': '操作', 'campaigns.entryStatus': '状态',
  },
  {
    'campaigns.label': 'Campaigns', 'campaigns.title': 'Platform campaigns', 'campaigns.new': 'New campaign', 'campaigns.edit': 'Edit campaign',
    'campaigns.filter': 'Campaign status', 'campaigns.all': 'All', 'campaigns.list': 'Campaigns',
    'campaigns.status.draft': 'Sign-up not open', 'campaigns.status.signup_open': 'Sign-up open', 'campaigns.status.upcoming': 'Upcoming',
    'campaigns.status.running': 'Running', 'campaigns.status.ended': 'Ended', 'campaigns.status.cancelled': 'Cancelled',
    'campaigns.kind': 'Kind', 'campaigns.kind.flash_sale': 'Flash sale', 'campaigns.kind.festival': 'Festival', 'campaigns.kind.daily_deal': 'Daily deal',
    'campaigns.name': 'Name', 'campaigns.signupFrom': 'Sign-up from', 'campaigns.signupTo': 'Sign-up until',
    'campaigns.startsAt': 'Starts at', 'campaigns.endsAt': 'Ends at',
    'campaigns.minDiscount': 'Minimum discount (%)', 'campaigns.minStock': 'Minimum campaign stock per SKU', 'campaigns.perBuyer': 'Per-buyer limit',
    'campaigns.maxProducts': 'Products per shop', 'campaigns.allowCoupons': 'Shop coupons allowed', 'campaigns.autoApprove': 'Approve entries automatically',
    'campaigns.save': 'Save', 'campaigns.created': 'Campaign created', 'campaigns.saved': 'Campaign saved', 'campaigns.cancel': 'Cancel campaign',
    'campaigns.cancelled': 'Campaign cancelled', 'campaigns.cancelConfirm': 'Cancel “{name}”? Approved entries give their stock back.',
    'campaigns.lockedHint': 'Once sign-up opened only the name may change.',
    'campaigns.entries': 'Entries', 'campaigns.entryTabs': 'Entry status',
    'campaigns.entry.pending': 'Pending', 'campaigns.entry.approved': 'Approved', 'campaigns.entry.rejected': 'Rejected',
    'campaigns.entry.withdrawn': 'Withdrawn', 'campaigns.entry.cancelled': 'Cancelled',
    'campaigns.shop': 'Shop ID', 'campaigns.product': 'Product ID', 'campaigns.skus': 'SKUs', 'campaigns.submitted': 'Entered',
    'campaigns.sku': 'SKU {id}: price {price}, stock {stock}, sold {sold}', 'campaigns.reason': 'Rejection reason',
    'campaigns.approve': 'Approve', 'campaigns.reject': 'Reject', 'campaigns.rejectTitle': 'Reject entry #{id}',
    'campaigns.approved': 'Entry #{id} approved', 'campaigns.rejected': 'Entry #{id} rejected',
    'campaigns.pick': 'Pick a campaign to see its entries', 'campaigns.noEntries': 'No entries', 'campaigns.rules': 'Rules', 'campaigns.windows': 'Dates',
    'campaigns.rulesText': 'at least {d}% off, campaign stock at least {s} per SKU, {b} per buyer, {p} products per shop', 'campaigns.yes': 'yes', 'campaigns.no': 'no',
    'campaigns.actions': 'Actions', 'campaigns.entryStatus': 'Status',
  },
);

const STATUSES = ['draft', 'signup_open', 'upcoming', 'running', 'ended', 'cancelled'];
const KINDS = ['flash_sale', 'festival', 'daily_deal'];
const ENTRY = ['pending', 'approved', 'rejected', 'withdrawn', 'cancelled'];
const TIMES = [['signup_from', 'campaigns.signupFrom'], ['signup_to', 'campaigns.signupTo'], ['starts_at', 'campaigns.startsAt'], ['ends_at', 'campaigns.endsAt']];
const NUMS = [['min_discount_percent', 'campaigns.minDiscount', 0, 99], ['min_campaign_stock', 'campaigns.minStock', 1, 10000000], ['per_buyer_limit', 'campaigns.perBuyer', 1, 999], ['max_products_per_shop', 'campaigns.maxProducts', 1, 1000]];


function blank() {
  const h = 3600000;
  const now = Date.now();
  return {
    name: '', kind: 'flash_sale',
    signup_from: toLocalInput(new Date(now + h).toISOString()), signup_to: toLocalInput(new Date(now + 25 * h).toISOString()),
    starts_at: toLocalInput(new Date(now + 49 * h).toISOString()), ends_at: toLocalInput(new Date(now + 73 * h).toISOString()),
    rules: { min_discount_percent: 10, min_campaign_stock: 5, per_buyer_limit: 3, max_products_per_shop: 5, allow_coupons: true, auto_approve: false },
  };
}

function CampaignForm({ campaign, onSaved, onCancel }) {
  const [f, setF] = useState(() => (campaign ? { ...campaign, ...Object.fromEntries(TIMES.map(([k]) => [k, toLocalInput(campaign[k])])), rules: { ...campaign.rules } } : blank()));
  const set = (k, v) => setF((s) => ({ ...s, [k]: v }));
  const setRule = (k, v) => setF((s) => ({ ...s, rules: { ...s.rules, [k]: v } }));
  const locked = campaign && campaign.status !== 'draft';
  const { submit, busy, error } = useSubmit(async () => {
    const body = { name: f.name.trim(), kind: f.kind, ...Object.fromEntries(TIMES.map(([k]) => [k, fromLocalInput(f[k])])), rules: { ...f.rules } };
    for (const [k] of NUMS) body.rules[k] = Number(body.rules[k]);
    let r;
    if (!campaign) r = await post('/v1/platform/campaigns', body, { key: idempotencyKey() });
    else {
      // Only what changed: after sign-up opened any other field is refused.
      const changes = {};
      if (body.name !== campaign.name) changes.name = body.name;
      if (!locked) {
        if (body.kind !== campaign.kind) changes.kind = body.kind;
        for (const [k] of TIMES) if (body[k] !== campaign[k].replace(/\.\d+Z$/, 'Z')) changes[k] = body[k];
        const rules = Object.fromEntries(Object.entries(body.rules).filter(([k, v]) => v !== campaign.rules[k]));
        if (Object.keys(rules).length) changes.rules = rules;
      }
      r = await patch(`/v1/platform/campaigns/${campaign.id}`, changes);
    }
    toast(t(campaign ? 'campaigns.saved' : 'campaigns.created'));
    onSaved(r);
  });
  return html`<form class="card" onSubmit=${submit} aria-label=${t(campaign ? 'campaigns.edit' : 'campaigns.new')}>
    <h2>${t(campaign ? 'campaigns.edit' : 'campaigns.new')}</h2>
    ${locked && html`<p class="muted">${t('campaigns.lockedHint')}</p>`}
    <${Field} label=${t('campaigns.name')} error=${error?.field?.('name')}>
      <input required maxlength="100" value=${f.name} onInput=${(e) => set('name', e.currentTarget.value)} />
    <//>
    <${Field} label=${t('campaigns.kind')}>
      <select value=${f.kind} disabled=${locked} onChange=${(e) => set('kind', e.currentTarget.value)}>
        ${KINDS.map((k) => html`<option value=${k}>${t(`campaigns.kind.${k}`)}</option>`)}
      </select>
    <//>
    <div class="form-grid">
      ${TIMES.map(([k, label]) => html`<${Field} key=${k} label=${t(label)} error=${error?.field?.(k)}>
        <input type="datetime-local" required disabled=${locked} value=${f[k]} onInput=${(e) => set(k, e.currentTarget.value)} />
      <//>`)}
      ${NUMS.map(([k, label, min, max]) => html`<${Field} key=${k} label=${t(label)} error=${error?.field?.(`rules.${k}`)}>
        <input type="number" required min=${min} max=${max} step="1" disabled=${locked} value=${f.rules[k]} onInput=${(e) => setRule(k, e.currentTarget.value)} />
      <//>`)}
    </div>
    ${['allow_coupons', 'auto_approve'].map((k) => html`<label class="check" key=${k}>
      <input type="checkbox" disabled=${locked} checked=${f.rules[k]} onChange=${(e) => setRule(k, e.currentTarget.checked)} /> ${t(k === 'allow_coupons' ? 'campaigns.allowCoupons' : 'campaigns.autoApprove')}
    </label>`)}
    <${ErrorBox} error=${error} />
    <div class="actions">
      <button type="button" onClick=${onCancel}>${t('ui.cancel')}</button>
      <button type="submit" class="primary" disabled=${busy}>${t('campaigns.save')}</button>
    </div>
  </form>`;
}

function Entries({ campaign }) {
  const [status, setStatus] = useState('pending');
  const list = usePaged((cursor) => get(`/v1/platform/campaigns/${campaign.id}/entries${qs({ status, cursor })}`), [campaign.id, status]);
  const drop = (id) => list.setItems((items) => items.filter((x) => x.id !== id));
  const approve = async (x) => {
    await post(`/v1/platform/campaigns/${campaign.id}/entries/${x.id}/approve`, undefined, { key: idempotencyKey() });
    toast(t('campaigns.approved', { id: x.id }));
    drop(x.id);
  };
  const reject = async (x) => {
    const reason = await askReason(t('campaigns.rejectTitle', { id: x.id }), { label: t('campaigns.reason') });
    if (!reason) return;
    await post(`/v1/platform/campaigns/${campaign.id}/entries/${x.id}/reject`, { reason }, { key: idempotencyKey() });
    toast(t('campaigns.rejected', { id: x.id }));
    drop(x.id);
  };
  return html`<section aria-labelledby="entries-title">
    <h2 id="entries-title">${t('campaigns.entries')}</h2>
    <${Tabs} label=${t('campaigns.entryTabs')} value=${status} onChange=${setStatus} tabs=${ENTRY.map((id) => ({ id, label: t(`campaigns.entry.${id}`) }))} />
    ${list.items.length > 0 && html`<table class="responsive">
      <thead><tr><th scope="col">#</th><th scope="col">${t('campaigns.shop')}</th><th scope="col">${t('campaigns.product')}</th>
        <th scope="col">${t('campaigns.skus')}</th><th scope="col">${t('campaigns.submitted')}</th><th scope="col">${t('campaigns.actions')}</th></tr></thead>
      <tbody>
        ${list.items.map((x) => html`<tr key=${x.id} data-entry=${x.id}>
          <td data-label="#">${x.id}</td>
          <td data-label=${t('campaigns.shop')}>${x.shop_id}</td>
          <td data-label=${t('campaigns.product')}>${x.product_id}</td>
          <td data-label=${t('campaigns.skus')}><ul class="plain">${x.skus.map((k) => html`<li key=${k.sku_id}>${t('campaigns.sku', { id: k.sku_id, price: fmtMoney(k.campaign_price_cents), stock: k.campaign_stock, sold: k.sold })}</li>`)}</ul></td>
          <td data-label=${t('campaigns.submitted')}><${Time} iso=${x.created_at} /></td>
          <td data-label=${t('campaigns.actions')}>
            ${x.status === 'pending'
              ? html`<div class="row-actions">
                  <${ActionButton} className="primary" label=${`${t('campaigns.approve')} #${x.id}`} onClick=${() => approve(x)}>${t('campaigns.approve')}<//>
                  <${ActionButton} className="danger" label=${`${t('campaigns.reject')} #${x.id}`} onClick=${() => reject(x)}>${t('campaigns.reject')}<//>
                </div>`
              : html`<span class="status-chip">${t(`campaigns.entry.${x.status}`)}</span>${x.reason && html` <span class="user-text">${x.reason}</span>`}`}
          </td>
        </tr>`)}
      </tbody>
    </table>`}
    <${ListState} list=${list} emptyText=${t('campaigns.noEntries')} />
  </section>`;
}

// A destructive action asked once more, in place.
function ConfirmButton({ text, onConfirm, children }) {
  const [asking, setAsking] = useState(false);
  if (!asking) return html`<button type="button" class="danger" onClick=${() => setAsking(true)}>${children}</button>`;
  return html`<span class="confirm" role="group" aria-label=${children}>
    <span>${text}</span>
    <button type="button" onClick=${() => setAsking(false)}>${t('ui.cancel')}</button>
    <${ActionButton} className="danger" onClick=${async () => { await onConfirm(); setAsking(false); }}>${t('ui.confirm')}<//>
  </span>`;
}

function Detail({ id, editing, onChanged }) {
  const c = useAsync(() => get(`/v1/platform/campaigns/${id}`), [id]);
  if (c.loading && !c.data) return html`<${Loading} />`;
  if (c.error) return html`<${ErrorBox} error=${c.error} onRetry=${c.reload} />`;
  const x = c.data;
  if (editing) {
    return html`<${CampaignForm} key=${x.id} campaign=${x} onCancel=${() => setQuery({ edit: undefined })}
      onSaved=${(r) => { c.setData(r); onChanged(r); setQuery({ edit: undefined }); }} />`;
  }
  const cancel = async () => {
    const r = await post(`/v1/platform/campaigns/${x.id}/cancel`, undefined, { key: idempotencyKey() });
    toast(t('campaigns.cancelled'));
    c.setData(r);
    onChanged(r);
  };
  const r = x.rules;
  return html`<div>
    <div class="card">
      <div class="toolbar">
        <h2 class="user-text">${x.name}</h2>
        <span class="status-chip">${t(`campaigns.status.${x.status}`)}</span>
        <span class="spacer"></span>
        ${!['ended', 'cancelled'].includes(x.status) && html`<button type="button" onClick=${() => setQuery({ edit: '1' })}>${t('campaigns.edit')}</button>`}
        ${['draft', 'signup_open', 'upcoming'].includes(x.status) && html`<${ConfirmButton} text=${t('campaigns.cancelConfirm', { name: x.name })} onConfirm=${cancel}>${t('campaigns.cancel')}<//>`}
      </div>
      <dl class="facts">
        <dt>${t('campaigns.kind')}</dt><dd>${t(`campaigns.kind.${x.kind}`)}</dd>
        ${TIMES.map(([k, label]) => html`<dt>${t(label)}</dt><dd><${Time} iso=${x[k]} /></dd>`)}
        <dt>${t('campaigns.rules')}</dt>
        <dd>${t('campaigns.rulesText', { d: r.min_discount_percent, s: r.min_campaign_stock, b: r.per_buyer_limit, p: r.max_products_per_shop })};
          ${t('campaigns.allowCoupons')}: ${t(r.allow_coupons ? 'campaigns.yes' : 'campaigns.no')};
          ${t('campaigns.autoApprove')}: ${t(r.auto_approve ? 'campaigns.yes' : 'campaigns.no')}</dd>
      </dl>
    </div>
    <${Entries} campaign=${x} />
  </div>`;
}

function Campaigns({ query }) {
  const status = STATUSES.includes(query.status) ? query.status : '';
  const list = usePaged((cursor) => get(`/v1/platform/campaigns${qs({ status, cursor })}`), [status]);
  const id = query.id;
  const changed = (r) => list.setItems((items) => (items.some((x) => x.id === r.id) ? items.map((x) => (x.id === r.id ? r : x)) : [r, ...items]));
  return html`<section>
    <div class="toolbar">
      <h1>${t('campaigns.title')}</h1>
      <span class="spacer"></span>
      <button type="button" class="primary" onClick=${() => setQuery({ id: undefined, edit: 'new' })}>${t('campaigns.new')}</button>
    </div>
    <div class=${`staff-grid${id || query.edit ? ' has-detail' : ''}`}>
      <div class="card">
        <h2>${t('campaigns.list')}</h2>
        <${Field} label=${t('campaigns.filter')}>
          <select value=${status} onChange=${(e) => setQuery({ status: e.currentTarget.value || undefined })}>
            <option value="">${t('campaigns.all')}</option>
            ${STATUSES.map((s) => html`<option value=${s}>${t(`campaigns.status.${s}`)}</option>`)}
          </select>
        <//>
        <ul class="staff-list">
          ${list.items.map((x) => html`<li key=${x.id}>
            <a href=${`/app/campaigns?id=${x.id}`} aria-current=${String(x.id) === id ? 'true' : undefined}><span class="user-text">${x.name}</span></a>
            <div class="muted">${t(`campaigns.kind.${x.kind}`)} · <span class="status-chip">${t(`campaigns.status.${x.status}`)}</span> · <${Time} iso=${x.starts_at} /></div>
          </li>`)}
        </ul>
        <${ListState} list=${list} />
      </div>
      <div>
        ${query.edit === 'new'
          ? html`<${CampaignForm} onCancel=${() => setQuery({ edit: undefined })} onSaved=${(r) => { changed(r); setQuery({ edit: undefined, id: r.id }); }} />`
          : id ? html`<${Detail} key=${id} id=${id} editing=${query.edit === '1'} onChanged=${changed} />` : html`<p class="muted hint">${t('campaigns.pick')}</p>`}
      </div>
    </div>
  </section>`;
}

export default { id: 'campaigns', label: 'campaigns.label', roles: ['staff'], permission: 'campaigns', component: Campaigns };
