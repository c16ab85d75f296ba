// 订单审核: the platform's review queue. Held orders, earliest deadline
// first, with the time left (or 已超时 once the deadline passed: the
// automatic release is then due); hold an order by its id, release it,
// close it with a full refund, or give it more time, each with a reason
// for the history; and an order's history of every step.
import { useEffect, useState } from 'preact/hooks';
import { get, post, qs, idempotencyKey } from '../api.js';
import { t, strings, fmtTime, fmtMoney } from '../i18n.js';
import { setQuery } from '../router.js';
import { html, usePaged, ListState, Tabs, Dialog, askReason, toast, Field, ActionButton, ErrorBox, Money, Time, useAsync, Loading, useSubmit } from '../ui.js';

strings(
  {
    'review.label': '订单审核', 'review.title': '订单审核', 'review.tabs': '审核状态',
    'review.tab.under_review': '审核中', 'review.tab.released': '已放行', 'review.tab.closed': '已关闭退款',
    'review.overdueOnly': '只看已超时', 'review.hold': '禁止发货（审核）', 'review.holdTitle': '审核订单：禁止发货',
    'review.orderId': '订单ID', 'review.reason': '原因（商家可见）', 'review.note': '内部备注（选填）',
    'review.sn': '订单号', 'review.shop': '店铺ID', 'review.total': '金额', 'review.why': '审核原因',
    'review.deadline': '审核截止', 'review.heldAt': '禁止发货时间', 'review.actions': '操作', 'review.status': '审核状态',
    'review.overdue': '已超时', 'review.left': '剩余 {h} 小时 {m} 分',
    'review.release': '放行', 'review.close': '关闭并退款', 'review.extend': '延长审核', 'review.history': '审核记录',
    'review.releaseNote': '放行说明（选填，记入审核记录）', 'review.releaseTitle': '放行订单 {sn}',
    'review.closeTitle': '关闭订单 {sn} 并全额退款', 'review.closeReason': '关闭原因（亦为退款原因）',
    'review.extendTitle': '延长订单 {sn} 的审核', 'review.hours': '延长小时数（1–168）', 'review.extendNote': '延长原因',
    'review.held': '订单 {sn} 已禁止发货', 'review.released': '订单 {sn} 已放行', 'review.closed': '订单 {sn} 已关闭，退款 {amount}',
    'review.extended': '订单 {sn} 审核截止延至 {time}', 'review.historyTitle': '订单 {sn} 的审核记录',
    'review.empty': '没有审核中的订单', 'review.noHistory': '该订单没有审核记录',
    'review.action.hold': '禁止发货', 'review.action.release': '放行', 'review.action.close': '关闭并退款',
    'review.action.extend': '延长审核', 'review.action.auto_release': '到期自动放行',
    'review.system': '系统', 'review.by': '操作人', 'review.when': '时间', 'review.newDeadline': '截止时间',
    'review.submit': '确定', 'review.noteLabel': '内部备注',
    'review.receiver': '收货信息', 'review.buyerNote': '买家留言', 'review.noBuyerNote': '无',
  },
  {
    'review.label': 'Order review', 'review.title': 'Order review', 'review.tabs': 'Review status',
    'review.tab.under_review': 'Under review', 'review.tab.released': 'Released', 'review.tab.closed': 'Closed & refunded',
    'review.overdueOnly': 'Overdue only', 'review.hold': 'Hold an order', 'review.holdTitle': 'Hold an order: no shipping',
    'review.orderId': 'Order ID', 'review.reason': 'Reason (the merchant sees it)', 'review.note': 'Internal note (optional)',
    'review.sn': 'Order no.', 'review.shop': 'Shop ID', 'review.total': 'Amount', 'review.why': 'Reason',
    'review.deadline': 'Deadline', 'review.heldAt': 'Held at', 'review.actions': 'Actions', 'review.status': 'Review status',
    'review.overdue': 'Overdue', 'review.left': '{h} h {m} min left',
    'review.release': 'Release', 'review.close': 'Close & refund', 'review.extend': 'Extend', 'review.history': 'History',
    'review.releaseNote': 'Release note (optional, for the history)', 'review.releaseTitle': 'Release order {sn}',
    'review.closeTitle': 'Close order {sn} and refund in full', 'review.closeReason': 'Reason (also the refund reason)',
    'review.extendTitle': 'Extend the review of order {sn}', 'review.hours': 'Hours to add (1–168)', 'review.extendNote': 'Why',
    'review.held': 'Order {sn} is held', 'review.released': 'Order {sn} released', 'review.closed': 'Order {sn} closed, refunded {amount}',
    'review.extended': 'Order {sn}: deadline moved to {time}', 'review.historyTitle': 'Review history of order {sn}',
    'review.empty': 'No orders under review', 'review.noHistory': 'This order was never reviewed',
    'review.action.hold': 'Hold', 'review.action.release': 'Release', 'review.action.close': 'Close & refund',
    'review.action.extend': 'Extend', 'review.action.auto_release': 'Released at the deadline',
    'review.system': 'System', 'review.by': 'By', 'review.when': 'When', 'review.newDeadline': 'Deadline',
    'review.submit': 'OK', 'review.noteLabel': 'Internal note',
    'review.receiver': 'Receiver', 'review.buyerNote': 'Buyer note', 'review.noBuyerNote': 'None',
  },
);

const STATUSES = ['under_review', 'released', 'closed'];

// The deadline, and how long is left (or that it passed) while held.
function Deadline({ item }) {
  const iso = item.review.deadline;
  if (item.review.status !== 'under_review') return html`<${Time} iso=${iso} />`;
  const left = new Date(iso).getTime() - Date.now();
  if (left <= 0) return html`<span class="review-deadline overdue"><${Time} iso=${iso} /> <span class="badge-overdue">${t('review.overdue')}</span></span>`;
  const mins = Math.floor(left / 60000);
  return html`<span class="review-deadline"><${Time} iso=${iso} /> <span class="muted">${t('review.left', { h: Math.floor(mins / 60), m: mins % 60 })}</span></span>`;
}

function HoldDialog({ open, onClose, onDone }) {
  const [orderId, setOrderId] = useState('');
  const [reason, setReason] = useState('');
  const [note, setNote] = useState('');
  const { submit, busy, error } = useSubmit(async () => {
    const r = await post(`/v1/review/orders/${encodeURIComponent(orderId.trim())}/hold`, { reason: reason.trim(), note: note.trim() || null }, { key: idempotencyKey() });
    toast(t('review.held', { sn: r.order_sn }));
    setOrderId('');
    setReason('');
    setNote('');
    onDone();
  });
  return html`<${Dialog} open=${open} title=${t('review.holdTitle')} onClose=${onClose}>
    <form onSubmit=${submit}>
      <${Field} label=${t('review.orderId')}>
        <input inputmode="numeric" pattern="[0-9]+" required value=${orderId} onInput=${(e) => setOrderId(e.currentTarget.value)} />
      <//>
      <${Field} label=${t('review.reason')}>
        <textarea required maxlength="500" value=${reason} onInput=${(e) => setReason(e.currentTarget.value)}></textarea>
      <//>
      <${Field} label=${t('review.note')}>
        <textarea maxlength="1000" value=${note} onInput=${(e) => setNote(e.currentTarget.value)}></textarea>
      <//>
      <${ErrorBox} error=${error} />
      <div class="actions">
        <button type="button" onClick=${onClose}>${t('ui.cancel')}</button>
        <button type="submit" class="primary" disabled=${busy}>${t('review.submit')}</button>
      </div>
    </form>
  <//>`;
}

function ExtendDialog({ item, onClose, onDone }) {
  const [hours, setHours] = useState('24');
  const [note, setNote] = useState('');
  const { submit, busy, error } = useSubmit(async () => {
    const r = await post(`/v1/review/orders/${item.order_id}/extend`, { hours: Number(hours), note: note.trim() }, { key: idempotencyKey() });
    toast(t('review.extended', { sn: r.order_sn, time: fmtTime(r.review.deadline) }));
    onDone(r);
  });
  return html`<${Dialog} open=${!!item} title=${item ? t('review.extendTitle', { sn: item.order_sn }) : ''} onClose=${onClose}>
    <form onSubmit=${submit}>
      <${Field} label=${t('review.hours')}>
        <input type="number" min="1" max="168" step="1" required value=${hours} onInput=${(e) => setHours(e.currentTarget.value)} />
      <//>
      <${Field} label=${t('review.extendNote')}>
        <textarea required maxlength="1000" value=${note} onInput=${(e) => setNote(e.currentTarget.value)}></textarea>
      <//>
      <${ErrorBox} error=${error} />
      <div class="actions">
        <button type="button" onClick=${onClose}>${t('ui.cancel')}</button>
        <button type="submit" class="primary" disabled=${busy}>${t('review.submit')}</button>
      </div>
    </form>
  <//>`;
}

function History({ orderId, sn, onClose }) {
  const h = useAsync(() => get(`/v1/review/orders/${orderId}/history`), [orderId]);
  return html`<${Dialog} open=${true} className="wide" title=${t('review.historyTitle', { sn: sn || `#${orderId}` })} onClose=${onClose}>
    ${h.loading && !h.data ? html`<${Loading} />` : h.error ? html`<${ErrorBox} error=${h.error} onRetry=${h.reload} />` : h.data.items.length === 0
      ? html`<p class="empty">${t('review.noHistory')}</p>`
      : html`<ol class="review-history">
          ${h.data.items.map((a) => html`<li key=${a.id} class="card">
            <div><strong>${t(`review.action.${a.action}`)}</strong> · <${Time} iso=${a.created_at} /> · ${t('review.by')}: ${a.actor ? a.actor.username : t('review.system')}</div>
            ${a.reason && html`<div><span class="muted">${t('review.why')}: </span>${a.reason}</div>`}
            ${a.note && html`<div><span class="muted">${t('review.noteLabel')}: </span>${a.note}</div>`}
            <div><span class="muted">${t('review.newDeadline')}: </span><${Time} iso=${a.deadline} /></div>
          </li>`)}
        </ol>`}
    <div class="actions"><button type="button" onClick=${onClose}>${t('ui.close')}</button></div>
  <//>`;
}

function Review({ query }) {
  const status = STATUSES.includes(query.tab) ? query.tab : 'under_review';
  const overdue = query.overdue === '1';
  const list = usePaged((cursor) => get(`/v1/review/orders${qs({ status, overdue: overdue ? 'true' : '', cursor, limit: 50 })}`), [status, overdue]);
  const [holding, setHolding] = useState(false);
  const [extending, setExtending] = useState(null);
  // The time left moves on: redraw each minute.
  const [, setTick] = useState(0);
  useEffect(() => {
    const id = setInterval(() => setTick((n) => n + 1), 60000);
    return () => clearInterval(id);
  }, []);
  const historyId = query.history;
  const historySn = list.items.find((x) => String(x.order_id) === historyId)?.order_sn || query.sn;

  // An action's outcome: the row leaves this tab when its status changed.
  const applied = (r) => list.setItems((items) => items.filter((x) => x.order_id !== r.order_id || r.review.status === status).map((x) => (x.order_id === r.order_id ? { ...x, status: r.status, review: r.review } : x)));
  const release = async (x) => {
    const note = await askReason(t('review.releaseTitle', { sn: x.order_sn }), { required: false, label: t('review.releaseNote') });
    if (note === null) return;
    const r = await post(`/v1/review/orders/${x.order_id}/release`, { note: note || null }, { key: idempotencyKey() });
    toast(t('review.released', { sn: r.order_sn }));
    applied(r);
  };
  const close = async (x) => {
    const reason = await askReason(t('review.closeTitle', { sn: x.order_sn }), { label: t('review.closeReason') });
    if (!reason) return;
    const r = await post(`/v1/review/orders/${x.order_id}/close`, { reason }, { key: idempotencyKey() });
    toast(t('review.closed', { sn: r.order_sn, amount: fmtMoney(r.refund?.amount_cents || 0) }));
    applied(r);
  };

  return html`<section class="review">
    <div class="toolbar">
      <h1>${t('review.title')}</h1>
      <span class="spacer"></span>
      <button type="button" class="primary" onClick=${() => setHolding(true)}>${t('review.hold')}</button>
    </div>
    <${Tabs} label=${t('review.tabs')} value=${status} onChange=${(id) => setQuery({ tab: id === 'under_review' ? undefined : id, overdue: undefined })}
      tabs=${STATUSES.map((id) => ({ id, label: t(`review.tab.${id}`) }))} />
    ${status === 'under_review' && html`<label class="review-filter">
      <input type="checkbox" checked=${overdue} onChange=${(e) => setQuery({ overdue: e.currentTarget.checked ? '1' : undefined })} /> ${t('review.overdueOnly')}
    </label>`}
    ${list.items.length > 0 && html`<table class="responsive review-table">
      <thead><tr>
        <th scope="col">${t('review.sn')}</th><th scope="col">${t('review.shop')}</th><th scope="col">${t('review.total')}</th>
        <th scope="col">${t('review.receiver')}</th><th scope="col">${t('review.buyerNote')}</th>
        <th scope="col">${t('review.why')}</th><th scope="col">${t('review.deadline')}</th><th scope="col">${t('review.heldAt')}</th>
        <th scope="col">${t('review.actions')}</th>
      </tr></thead>
      <tbody>
        ${list.items.map((x) => html`<tr key=${x.order_id} data-order=${x.order_id}>
          <td data-label=${t('review.sn')}><span class="review-sn">${x.order_sn}</span> <span class="muted">#${x.order_id}</span></td>
          <td data-label=${t('review.shop')}>${x.shop_id}</td>
          <td data-label=${t('review.total')}><${Money} fen=${x.total_cents} /></td>
          <td data-label=${t('review.receiver')} class="review-receiver">
            <div class="user-text"><span class="review-receiver-name">${x.address.name}</span> ${x.address.phone}</div>
            <div class="user-text review-address">${x.address.province} ${x.address.city} ${x.address.district} ${x.address.detail}</div>
          </td>
          <td data-label=${t('review.buyerNote')} class="review-buyer-note user-text">${x.note || html`<span class="muted">${t('review.noBuyerNote')}</span>`}</td>
          <td data-label=${t('review.why')} class="review-reason">${x.review.reason}</td>
          <td data-label=${t('review.deadline')}><${Deadline} item=${x} /></td>
          <td data-label=${t('review.heldAt')}><${Time} iso=${x.held_at} /></td>
          <td data-label=${t('review.actions')}>
            <div class="row-actions">
              ${x.review.status === 'under_review' && html`
                <${ActionButton} label=${`${t('review.release')} ${x.order_sn}`} onClick=${() => release(x)}>${t('review.release')}<//>
                <${ActionButton} className="danger" label=${`${t('review.close')} ${x.order_sn}`} onClick=${() => close(x)}>${t('review.close')}<//>
                <button type="button" aria-label=${`${t('review.extend')} ${x.order_sn}`} onClick=${() => setExtending(x)}>${t('review.extend')}</button>`}
              <button type="button" aria-label=${`${t('review.history')} ${x.order_sn}`} onClick=${() => setQuery({ history: x.order_id, sn: x.order_sn })}>${t('review.history')}</button>
            </div>
          </td>
        </tr>`)}
      </tbody>
    </table>`}
    <${ListState} list=${list} emptyText=${status === 'under_review' ? t('review.empty') : undefined} />
    <${HoldDialog} open=${holding} onClose=${() => setHolding(false)} onDone=${() => { setHolding(false); if (status === 'under_review') list.reload(); }} />
    ${extending && html`<${ExtendDialog} item=${extending} onClose=${() => setExtending(null)} onDone=${(r) => { setExtending(null); applied(r); }} />`}
    ${historyId && html`<${History} orderId=${historyId} sn=${historySn} onClose=${() => setQuery({ history: undefined, sn: undefined })} />`}
  </section>`;
}

export default { id: 'review', label: 'review.label', roles: ['staff'], permission: 'review', component: Review };
