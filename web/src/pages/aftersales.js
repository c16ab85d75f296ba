// 售后: the shop's after-sales requests, newest first, by status, and the
// shop's decisions: approve (a refund is paid back at once, a reship is to
// be sent within 15 days), reject with a reason the buyer sees, and send
// an approved reship with its tracking number.
import { useState } from 'preact/hooks';
import { ApiError, get, idempotencyKey, post, qs } from '../api.js';
import { fmtMoney, fmtTime, strings, t } from '../i18n.js';
import { href, setQuery } from '../router.js';
import { refreshShopsSoon } from '../shops.js';
import { ActionButton, Dialog, Field, ListState, Money, Tabs, Time, askReason, html, toast, useAsync, usePaged, useSubmit } from '../ui.js';
import { CarrierSelect, carrierName, carriers } from './carriers.js';

strings(
  {
    'aftersales.label': '售后',
    'aftersales.title': '售后处理',
    'aftersales.tabs': '售后状态',
    'aftersales.tab.all': '全部',
    'aftersales.st.requested': '待处理',
    'aftersales.st.approved': '待补发',
    'aftersales.st.rejected': '已拒绝',
    'aftersales.st.refunded': '已退款',
    'aftersales.st.reshipped': '已补发',
    'aftersales.type.refund_only': '仅退款',
    'aftersales.type.return_refund': '退货退款',
    'aftersales.type.reship': '补发',
    'aftersales.created': '申请时间',
    'aftersales.order': '订单号',
    'aftersales.buyer': '买家',
    'aftersales.type': '类型',
    'aftersales.amount': '退款金额',
    'aftersales.reason': '买家原因',
    'aftersales.status': '状态',
    'aftersales.actions': '操作',
    'aftersales.details': '详情',
    'aftersales.detailTitle': '售后详情：{sn}',
    'aftersales.approve': '同意',
    'aftersales.reject': '拒绝',
    'aftersales.reship': '补发',
    'aftersales.rejectTitle': '拒绝售后申请',
    'aftersales.rejectLabel': '拒绝原因（买家可见）',
    'aftersales.rejectReason': '拒绝原因：{reason}',
    'aftersales.approveTitle': '同意售后申请',
    'aftersales.approveRefund': '同意后将立即退款 {amount} 给买家。',
    'aftersales.approveReship': '同意后请在 15 天内补发商品。',
    'aftersales.reshipTitle': '补发：{sn}',
    'aftersales.reshipBy': '请在 {time} 前补发',
    'aftersales.trackingNo': '快递单号',
    'aftersales.carrier': '快递公司',
    'aftersales.logistics': '补发物流：{carrier} {no}',
    'aftersales.decided': '处理时间',
    'aftersales.approved': '已同意',
    'aftersales.rejected': '已拒绝',
    'aftersales.reshipped': '已补发',
    'aftersales.none': '没有售后申请',
  },
  {
    'aftersales.label': 'After-sales',
    'aftersales.title': 'After-sales',
    'aftersales.tabs': 'After-sales status',
    'aftersales.tab.all': 'All',
    'aftersales.st.requested': 'To decide',
    'aftersales.st.approved': 'To reship',
    'aftersales.st.rejected': 'Rejected',
    'aftersales.st.refunded': 'Refunded',
    'aftersales.st.reshipped': 'Reshipped',
    'aftersales.type.refund_only': 'Refund only',
    'aftersales.type.return_refund': 'Return and refund',
    'aftersales.type.reship': 'Reship',
    'aftersales.created': 'Requested',
    'aftersales.order': 'Order no.',
    'aftersales.buyer': 'Buyer',
    'aftersales.type': 'Type',
    'aftersales.amount': 'Refund',
    'aftersales.reason': "Buyer's reason",
    'aftersales.status': 'Status',
    'aftersales.actions': 'Actions',
    'aftersales.details': 'Details',
    'aftersales.detailTitle': 'After-sales for {sn}',
    'aftersales.approve': 'Approve',
    'aftersales.reject': 'Reject',
    'aftersales.reship': 'Reship',
    'aftersales.rejectTitle': 'Reject the request',
    'aftersales.rejectLabel': 'Reason (the buyer sees it)',
    'aftersales.rejectReason': 'Rejected: {reason}',
    'aftersales.approveTitle': 'Approve the request',
    'aftersales.approveRefund': 'Approving refunds {amount} to the buyer at once.',
    'aftersales.approveReship': 'Once approved, send the goods again within 15 days.',
    'aftersales.reshipTitle': 'Reship {sn}',
    'aftersales.reshipBy': 'Reship by {time}',
    'aftersales.trackingNo': 'Tracking number',
    'aftersales.carrier': 'Carrier',
    'aftersales.logistics': 'Reshipped: {carrier} {no}',
    'aftersales.decided': 'Decided',
    'aftersales.approved': 'Approved',
    'aftersales.rejected': 'Rejected',
    'aftersales.reshipped': 'Reshipped',
    'aftersales.none': 'No after-sales requests',
  },
);

const STATUSES = ['requested', 'approved', 'rejected', 'refunded', 'reshipped'];
const TABS = ['all', ...STATUSES];

function StatusCell({ a, cs }) {
  return html`<div class="status-cell"><span class=${`as-status s-${a.status}`}>${t(`aftersales.st.${a.status}`)}</span>
    ${a.status === 'rejected' && a.reject_reason && html`<div class="muted reject-reason">${t('aftersales.rejectReason', { reason: a.reject_reason })}</div>`}
    ${a.status === 'approved' && a.reship_deadline && html`<div class="muted">${t('aftersales.reshipBy', { time: fmtTime(a.reship_deadline) })}</div>`}
    ${a.logistics && html`<div class="muted">${t('aftersales.logistics', { carrier: carrierName(cs, a.logistics.carrier), no: a.logistics.tracking_no })}</div>`}</div>`;
}

// The decisions the request's status allows.
function Decisions({ a, act }) {
  return html`<span class="decisions">
    ${a.status === 'requested' &&
    html`<button type="button" class="primary" onClick=${() => act('approve', a)}>${t('aftersales.approve')}</button>
      <${ActionButton} className="danger" onClick=${() => act('reject', a)}>${t('aftersales.reject')}<//>`}
    ${a.status === 'approved' && a.type === 'reship' && html`<button type="button" class="primary" onClick=${() => act('reship', a)}>${t('aftersales.reship')}</button>`}
  </span>`;
}

function ReshipForm({ shop, a, onDone, onClose }) {
  const [carrier, setCarrier] = useState('');
  const [no, setNo] = useState('');
  const { submit, busy, error } = useSubmit(async () => {
    onDone(await post(`/v1/shops/${shop.id}/after-sales/${a.id}/reship`, { carrier, tracking_no: no.trim() }, { key: idempotencyKey() }));
    toast(t('aftersales.reshipped'));
  });
  const fe = (n) => (error instanceof ApiError ? error.field(n) : '');
  return html`<form onSubmit=${submit}>
    <${CarrierSelect} label=${t('aftersales.carrier')} value=${carrier} onChange=${setCarrier} error=${fe('carrier')} />
    <${Field} label=${t('aftersales.trackingNo')} error=${fe('tracking_no')}>
      <input name="tracking_no" required maxlength="64" autocomplete="off" value=${no} onInput=${(e) => setNo(e.currentTarget.value)} />
    <//>
    ${error && html`<p class="error" role="alert">${error.message}</p>`}
    <div class="actions">
      <button type="button" onClick=${onClose}>${t('ui.cancel')}</button>
      <button type="submit" class="primary" disabled=${busy}>${t('aftersales.reship')}</button>
    </div>
  </form>`;
}

function ApproveForm({ shop, a, onDone, onClose }) {
  const approve = async () => {
    onDone(await post(`/v1/shops/${shop.id}/after-sales/${a.id}/approve`, undefined, { key: idempotencyKey() }));
    toast(t('aftersales.approved'));
  };
  return html`<div>
    <p>${a.type === 'reship' ? t('aftersales.approveReship') : t('aftersales.approveRefund', { amount: fmtMoney(a.amount_cents) })}</p>
    <p class="muted">${a.reason}</p>
    <div class="actions">
      <button type="button" onClick=${onClose}>${t('ui.cancel')}</button>
      <${ActionButton} className="primary" onClick=${approve}>${t('aftersales.approve')}<//>
    </div>
  </div>`;
}

function DetailBody({ a, cs, act, onClose }) {
  return html`<div class="as-detail">
    <dl class="pairs">
      <dt>${t('aftersales.order')}</dt><dd><a href=${href('orders', { id: a.order_id })}>${a.order_sn}</a></dd>
      <dt>${t('aftersales.buyer')}</dt><dd class="buyer">${a.buyer.name}</dd>
      <dt>${t('aftersales.type')}</dt><dd>${t(`aftersales.type.${a.type}`)}</dd>
      ${a.type !== 'reship' && html`<dt>${t('aftersales.amount')}</dt><dd><${Money} fen=${a.amount_cents} /></dd>`}
      <dt>${t('aftersales.reason')}</dt><dd class="as-reason">${a.reason}</dd>
      <dt>${t('aftersales.created')}</dt><dd><${Time} iso=${a.created_at} /></dd>
      ${a.decided_at && html`<dt>${t('aftersales.decided')}</dt><dd><${Time} iso=${a.decided_at} /></dd>`}
      <dt>${t('aftersales.status')}</dt><dd><${StatusCell} a=${a} cs=${cs} /></dd>
    </dl>
    <div class="actions">
      <button type="button" onClick=${onClose}>${t('ui.close')}</button>
      <${Decisions} a=${a} act=${act} />
    </div>
  </div>`;
}

function AfterSales({ shop, query }) {
  const tab = TABS.includes(query.tab) ? query.tab : 'all';
  const list = usePaged(
    (cursor) => get(`/v1/shops/${shop.id}/after-sales${qs({ status: tab === 'all' ? undefined : tab, limit: 20, cursor })}`),
    [shop.id, tab],
  );
  const cs = useAsync(carriers, []).data;
  // The open dialog: { kind: 'detail' | 'approve' | 'reship', a }.
  const [dlg, setDlg] = useState(null);
  const updated = (x) => {
    list.setItems((items) => items.map((y) => (y.id === x.id ? x : y)));
    refreshShopsSoon();
    setDlg((d) => (d && d.kind === 'detail' ? { ...d, a: x } : null));
  };
  const act = async (kind, a) => {
    if (kind === 'reject') {
      // One modal at a time: the reason prompt replaces the detail.
      setDlg(null);
      const reason = await askReason(t('aftersales.rejectTitle'), { label: t('aftersales.rejectLabel') });
      if (!reason) return;
      updated(await post(`/v1/shops/${shop.id}/after-sales/${a.id}/reject`, { reason }, { key: idempotencyKey() }));
      toast(t('aftersales.rejected'));
      return;
    }
    setDlg({ kind, a });
  };
  const title = !dlg
    ? ''
    : dlg.kind === 'reship'
      ? t('aftersales.reshipTitle', { sn: dlg.a.order_sn })
      : dlg.kind === 'approve'
        ? t('aftersales.approveTitle')
        : t('aftersales.detailTitle', { sn: dlg.a.order_sn });
  return html`<section class="aftersales">
    <h1>${t('aftersales.title')}</h1>
    <${Tabs} label=${t('aftersales.tabs')} value=${tab} onChange=${(id) => setQuery({ tab: id === 'all' ? undefined : id })}
      tabs=${TABS.map((id) => ({ id, label: id === 'all' ? t('aftersales.tab.all') : t(`aftersales.st.${id}`) }))} />
    <div role="tabpanel" aria-labelledby=${`tab-${tab}`} aria-busy=${list.loading ? 'true' : 'false'}>
      ${list.items.length > 0 &&
      html`<table class="responsive as-table">
        <thead><tr>
          <th scope="col">${t('aftersales.created')}</th><th scope="col">${t('aftersales.order')}</th><th scope="col">${t('aftersales.buyer')}</th>
          <th scope="col">${t('aftersales.type')}</th><th scope="col">${t('aftersales.amount')}</th><th scope="col">${t('aftersales.reason')}</th>
          <th scope="col">${t('aftersales.status')}</th><th scope="col">${t('aftersales.actions')}</th>
        </tr></thead>
        <tbody>
          ${list.items.map(
            (a) => html`<tr key=${a.id} data-after-sale=${a.id} data-order=${a.order_sn}>
              <td class="nowrap" data-label=${t('aftersales.created')}><${Time} iso=${a.created_at} /></td>
              <td class="nowrap" data-label=${t('aftersales.order')}><a href=${href('orders', { id: a.order_id })}>${a.order_sn}</a></td>
              <td class="buyer" data-label=${t('aftersales.buyer')}>${a.buyer.name}</td>
              <td class="nowrap" data-label=${t('aftersales.type')}>${t(`aftersales.type.${a.type}`)}</td>
              <td class="nowrap" data-label=${t('aftersales.amount')}>${a.type === 'reship' ? '—' : html`<${Money} fen=${a.amount_cents} />`}</td>
              <td data-label=${t('aftersales.reason')} class="as-reason">${a.reason}</td>
              <td class="status" data-label=${t('aftersales.status')}><${StatusCell} a=${a} cs=${cs} /></td>
              <td data-label=${t('aftersales.actions')} class="row-actions">
                <button type="button" onClick=${() => setDlg({ kind: 'detail', a })}>${t('aftersales.details')}</button>
                <${Decisions} a=${a} act=${act} />
              </td>
            </tr>`,
          )}
        </tbody>
      </table>`}
      <${ListState} list=${list} emptyText=${t('aftersales.none')} />
    </div>
    <${Dialog} open=${!!dlg} title=${title} onClose=${() => setDlg(null)} className="as-dialog">
      ${dlg?.kind === 'detail' && html`<${DetailBody} a=${dlg.a} cs=${cs} act=${act} onClose=${() => setDlg(null)} />`}
      ${dlg?.kind === 'approve' && html`<${ApproveForm} shop=${shop} a=${dlg.a} onDone=${updated} onClose=${() => setDlg(null)} />`}
      ${dlg?.kind === 'reship' && html`<${ReshipForm} shop=${shop} a=${dlg.a} key=${dlg.a.id} onDone=${updated} onClose=${() => setDlg(null)} />`}
    <//>
  </section>`;
}

export default {
  id: 'aftersales',
  label: 'aftersales.label',
  roles: ['merchant'],
  badge: (counts) => counts?.after_sales_open || 0,
  component: AfterSales,
};
