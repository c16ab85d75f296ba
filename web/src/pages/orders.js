// 订单: the shop's orders by tab (with every tab's count), the unshipped
// ones oldest-paid first as they fall due, search and filters kept in the
// query, an order's detail (?id=), shipping one or many (a pasted or
// uploaded CSV of order_sn,carrier,tracking_no) and the CSV export of what
// the filters select. An order the platform holds shows the platform's
// message, its receiver masked by the API, and cannot be shipped.
import { useState } from 'preact/hooks';
import { ApiError, download, get, idempotencyKey, patch, post, qs } from '../api.js';
import { fmtTime, lang, strings, t } from '../i18n.js';
import { href, setQuery } from '../router.js';
import { refreshShopsSoon } from '../shops.js';
import { ActionButton, Dialog, ErrorBox, Field, ListState, Loading, Money, Tabs, Time, html, toast, useAsync, usePaged, useSubmit } from '../ui.js';
import { CarrierSelect, carrierName, carriers } from './carriers.js';
import { parseCsv } from './csv.js';

strings(
  {
    'orders.label': '订单',
    'orders.title': '订单管理',
    'orders.tabs': '订单状态',
    'orders.tab.to_ship': '待发货',
    'orders.tab.under_review': '审核中',
    'orders.tab.all': '全部',
    'orders.tab.unpaid': '待付款',
    'orders.tab.shipped': '已发货',
    'orders.tab.completed': '已完成',
    'orders.tab.after_sales': '售后中',
    'orders.tab.closed': '已关闭',
    'orders.status.unpaid': '待付款',
    'orders.status.paid': '待发货',
    'orders.status.shipped': '已发货',
    'orders.status.completed': '已完成',
    'orders.status.closed': '已关闭',
    'orders.close.cancelled': '买家取消',
    'orders.close.expired': '超时未付款',
    'orders.close.refunded': '已全额退款',
    'orders.underReview': '审核中',
    'orders.search': '搜索订单',
    'orders.searchHint': '完整订单号，或买家名称开头',
    'orders.searchButton': '搜索',
    'orders.clear': '清除筛选',
    'orders.sort': '排序',
    'orders.sort.default': '默认（待发货按付款时间从早到晚）',
    'orders.sort.created_at': '下单时间从早到晚',
    'orders.sort.-created_at': '下单时间从晚到早',
    'orders.sort.paid_at': '付款时间从早到晚',
    'orders.sort.-paid_at': '付款时间从晚到早',
    'orders.from': '下单日期从',
    'orders.to': '下单日期至',
    'orders.export': '导出 CSV',
    'orders.exported': '已导出 {name}',
    'orders.batch': '批量发货',
    'orders.sn': '订单号',
    'orders.time': '时间',
    'orders.created': '下单',
    'orders.paid': '付款',
    'orders.buyer': '买家',
    'orders.items': '商品',
    'orders.total': '实付',
    'orders.status': '状态',
    'orders.receiver': '收货人',
    'orders.actions': '操作',
    'orders.ship': '发货',
    'orders.shipTitle': '发货：{sn}',
    'orders.carrier': '快递公司',
    'orders.trackingNo': '快递单号',
    'orders.trackingHint': '6 到 40 位字母、数字或 -',
    'orders.shipped': '订单 {sn} 已发货',
    'orders.none': '没有符合条件的订单',
    'orders.back': '返回订单列表',
    'orders.detail': '订单详情',
    'orders.reviewReason': '审核原因：{reason}',
    'orders.reviewDeadline': '审核截止：{time}',
    'orders.address': '收货信息',
    'orders.addressHidden': '订单审核中，收货人信息已隐藏，审核结束后可见',
    'orders.phone': '电话',
    'orders.note': '买家留言',
    'orders.noNote': '无',
    'orders.merchantNote': '商家备注（买家不可见）',
    'orders.saveNote': '保存备注',
    'orders.flag': '标记',
    'orders.flag.0': '无标记',
    'orders.flag.n': '标记 {n}',
    'orders.logistics': '物流',
    'orders.notShipped': '尚未发货',
    'orders.amounts': '金额',
    'orders.itemsCents': '商品金额',
    'orders.discount': '优惠',
    'orders.refunded': '已退款',
    'orders.quantity': '数量',
    'orders.price': '单价',
    'orders.spec': '规格',
    'orders.history': '订单记录',
    'orders.h.created': '买家下单',
    'orders.h.paid': '买家付款',
    'orders.h.shipped': '商家发货 {carrier} {no}',
    'orders.h.completed': '订单完成',
    'orders.h.closed': '订单关闭',
    'orders.h.review': '平台审核',
    'orders.afterSales': '有进行中的售后',
    'orders.toAfterSales': '去处理售后',
    'orders.batchHelp': '每行一个订单：订单号,快递公司,快递单号（第一行可以是标题行；快递公司可填代码或名称，如 sf 或 顺丰速运）。',
    'orders.batchText': '粘贴 CSV 内容',
    'orders.batchFile': '或上传 CSV 文件',
    'orders.batchSubmit': '提交发货',
    'orders.batchEmpty': '请先粘贴或上传要发货的订单',
    'orders.batchTooMany': '一次最多发货 500 个订单',
    'orders.batchResult': '发货结果：成功 {ok} 条，失败 {bad} 条',
    'orders.batchLine': '行',
    'orders.batchOutcome': '结果',
    'orders.batchReason': '原因',
    'orders.batchOk': '成功',
    'orders.batchFailed': '失败',
    'orders.batchAgain': '继续发货',
    'orders.r.badRow': '需要 3 列：订单号,快递公司,快递单号',
    'orders.r.notFound': '本店没有这个订单号',
    'orders.r.not_found': '本店没有这个订单',
    'orders.r.invalid_state': '订单不是待发货状态',
    'orders.r.duplicate_in_batch': '与前面的行是同一订单，未重复发货',
    'orders.r.invalid_field': '格式不正确',
    'orders.r.unknown_field': '含有无法识别的字段',
  },
  {
    'orders.label': 'Orders',
    'orders.title': 'Orders',
    'orders.tabs': 'Order status',
    'orders.tab.to_ship': 'To ship',
    'orders.tab.under_review': 'Under review',
    'orders.tab.all': 'All',
    'orders.tab.unpaid': 'Unpaid',
    'orders.tab.shipped': 'Shipped',
    'orders.tab.completed': 'Completed',
    'orders.tab.after_sales': 'After-sales',
    'orders.tab.closed': 'Closed',
    'orders.status.unpaid': 'Unpaid',
    'orders.status.paid': 'To ship',
    'orders.status.shipped': 'Shipped',
    'orders.status.completed': 'Completed',
    'orders.status.closed': 'Closed',
    'orders.close.cancelled': 'cancelled by the buyer',
    'orders.close.expired': 'not paid in time',
    'orders.close.refunded': 'refunded in full',
    'orders.underReview': 'Under review',
    'orders.search': 'Search orders',
    'orders.searchHint': 'A whole order number, or the start of a buyer name',
    'orders.searchButton': 'Search',
    'orders.clear': 'Clear filters',
    'orders.sort': 'Sort',
    'orders.sort.default': 'Default (to ship: earliest paid first)',
    'orders.sort.created_at': 'Placed, oldest first',
    'orders.sort.-created_at': 'Placed, newest first',
    'orders.sort.paid_at': 'Paid, earliest first',
    'orders.sort.-paid_at': 'Paid, latest first',
    'orders.from': 'Placed from',
    'orders.to': 'Placed until',
    'orders.export': 'Export CSV',
    'orders.exported': 'Exported {name}',
    'orders.batch': 'Batch ship',
    'orders.sn': 'Order no.',
    'orders.time': 'Time',
    'orders.created': 'Placed',
    'orders.paid': 'Paid',
    'orders.buyer': 'Buyer',
    'orders.items': 'Items',
    'orders.total': 'Total',
    'orders.status': 'Status',
    'orders.receiver': 'Receiver',
    'orders.actions': 'Actions',
    'orders.ship': 'Ship',
    'orders.shipTitle': 'Ship {sn}',
    'orders.carrier': 'Carrier',
    'orders.trackingNo': 'Tracking number',
    'orders.trackingHint': '6 to 40 letters, digits or -',
    'orders.shipped': 'Order {sn} shipped',
    'orders.none': 'No orders match',
    'orders.back': 'Back to the orders',
    'orders.detail': 'Order details',
    'orders.reviewReason': 'Reason: {reason}',
    'orders.reviewDeadline': 'Review ends by {time}',
    'orders.address': 'Delivery',
    'orders.addressHidden': 'The receiver is hidden while the order is under review',
    'orders.phone': 'Phone',
    'orders.note': "Buyer's note",
    'orders.noNote': 'None',
    'orders.merchantNote': 'Merchant note (the buyer never sees it)',
    'orders.saveNote': 'Save note',
    'orders.flag': 'Flag',
    'orders.flag.0': 'No flag',
    'orders.flag.n': 'Flag {n}',
    'orders.logistics': 'Shipment',
    'orders.notShipped': 'Not shipped yet',
    'orders.amounts': 'Amounts',
    'orders.itemsCents': 'Items',
    'orders.discount': 'Discount',
    'orders.refunded': 'Refunded',
    'orders.quantity': 'Qty',
    'orders.price': 'Price',
    'orders.spec': 'Option',
    'orders.history': 'History',
    'orders.h.created': 'Placed by the buyer',
    'orders.h.paid': 'Paid',
    'orders.h.shipped': 'Shipped {carrier} {no}',
    'orders.h.completed': 'Completed',
    'orders.h.closed': 'Closed',
    'orders.h.review': 'Platform review',
    'orders.afterSales': 'After-sales open',
    'orders.toAfterSales': 'Handle the after-sales request',
    'orders.batchHelp': 'One order per line: order no.,carrier,tracking number (the first line may be a header; the carrier as a code or a name, such as sf or 顺丰速运).',
    'orders.batchText': 'Paste CSV',
    'orders.batchFile': 'or upload a CSV file',
    'orders.batchSubmit': 'Ship these',
    'orders.batchEmpty': 'Paste or upload the orders to ship first',
    'orders.batchTooMany': 'At most 500 orders at once',
    'orders.batchResult': 'Result: {ok} shipped, {bad} failed',
    'orders.batchLine': 'Line',
    'orders.batchOutcome': 'Result',
    'orders.batchReason': 'Reason',
    'orders.batchOk': 'Shipped',
    'orders.batchFailed': 'Failed',
    'orders.batchAgain': 'Ship more',
    'orders.r.badRow': 'Needs 3 columns: order no.,carrier,tracking number',
    'orders.r.notFound': 'This shop has no order with this number',
    'orders.r.not_found': 'This shop has no such order',
    'orders.r.invalid_state': 'The order is not waiting to be shipped',
    'orders.r.duplicate_in_batch': 'Same order as an earlier line: not shipped twice',
    'orders.r.invalid_field': 'Malformed',
    'orders.r.unknown_field': 'Has an unknown field',
  },
);

const TABS = ['to_ship', 'under_review', 'all', 'unpaid', 'shipped', 'completed', 'after_sales', 'closed'];
const SORTS = ['', 'paid_at', '-paid_at', 'created_at', '-created_at'];

const held = (o) => o.review?.status === 'under_review';

// A day (YYYY-MM-DD, the browser's time zone) as the instant it starts.
function dayStart(day, plus = 0) {
  const d = new Date(`${day}T00:00:00`);
  if (Number.isNaN(d.getTime())) return undefined;
  d.setDate(d.getDate() + plus);
  return d.toISOString();
}

// The API's filters for the page's query (the list and the export share them).
function filtersOf(query) {
  const tab = TABS.includes(query.tab) ? query.tab : 'to_ship';
  return {
    status: tab === 'under_review' ? undefined : tab,
    review: tab === 'under_review' ? 'under_review' : undefined,
    q: query.q,
    sort: SORTS.includes(query.sort) ? query.sort : undefined,
    created_from: query.from ? dayStart(query.from) : undefined,
    created_to: query.to ? dayStart(query.to, 1) : undefined,
  };
}

const itemsText = (o) => o.items.map((i) => `${i.title} ${i.spec} ×${i.quantity}`).join('；');

function StatusText({ o }) {
  return html`<span class=${`order-status s-${o.status}`}>${t(`orders.status.${o.status}`)}</span>
    ${held(o) && html` <span class="tag warn">${t('orders.underReview')}</span>`}
    ${o.after_sales_open && html` <span class="tag">${t('orders.afterSales')}</span>`}`;
}

// The ship button: disabled with the platform's message while held.
function ShipButton({ o, onShip }) {
  if (o.status !== 'paid') return null;
  if (held(o)) return html`<button type="button" class="ship held" disabled>${o.review.message || t('orders.underReview')}</button>`;
  return html`<button type="button" class="primary ship" onClick=${() => onShip(o)}>${t('orders.ship')}</button>`;
}

function ShipDialog({ shop, order, onClose, onShipped }) {
  const [carrier, setCarrier] = useState('');
  const [no, setNo] = useState('');
  const { submit, busy, error } = useSubmit(async () => {
    // A fresh key each try: the API stores a refusal under its key.
    const o = await post(`/v1/shops/${shop.id}/orders/${order.id}/ship`, { carrier, tracking_no: no.trim() }, { key: idempotencyKey() });
    toast(t('orders.shipped', { sn: o.order_sn }));
    refreshShopsSoon();
    onShipped(o);
  });
  const fieldError = (name) => (error instanceof ApiError ? error.field(name) : '');
  return html`<${Dialog} open=${!!order} title=${order ? t('orders.shipTitle', { sn: order.order_sn }) : ''} onClose=${onClose}>
    <form class="ship-form" onSubmit=${submit}>
      <${CarrierSelect} label=${t('orders.carrier')} value=${carrier} onChange=${setCarrier} error=${fieldError('carrier')} />
      <${Field} label=${t('orders.trackingNo')} hint=${t('orders.trackingHint')} error=${fieldError('tracking_no')}>
        <input name="tracking_no" required maxlength="64" autocomplete="off" value=${no} onInput=${(e) => setNo(e.currentTarget.value)} />
      <//>
      ${error && html`<p class="error" role="alert">${error.message}</p>`}
      <div class="actions">
        <button type="button" onClick=${onClose}>${t('ui.cancel')}</button>
        <button type="submit" class="primary" disabled=${busy}>${t('orders.ship')}</button>
      </div>
    </form>
  <//>`;
}

// ---- batch shipping ---------------------------------------------------------

// The rows of a pasted or uploaded CSV, each with its order number (what
// people have: the batch takes it as it is) and its carrier code.
async function prepareRows(text) {
  const list = await carriers();
  let rows = parseCsv(text).filter((r) => r.some((c) => c.trim() !== ''));
  const lines = rows.map((r, i) => ({ line: i + 1, cells: r.map((c) => c.trim()) }));
  if (lines.length && /^(order_sn|订单号)$/i.test(lines[0].cells[0])) lines.shift();
  rows = lines.map(({ line, cells }) => {
    const [sn = '', c = '', no = ''] = cells;
    const code = list.find((x) => x.code === c.toLowerCase() || x.name === c)?.code || c;
    const row = { line, order_sn: sn, carrier: code, tracking_no: no };
    if (cells.length < 3 || !sn || !c || !no) row.failed = t('orders.r.badRow');
    return row;
  });
  if (rows.filter((r) => !r.failed).length > 500) throw new Error(t('orders.batchTooMany'));
  return rows;
}

function reasonOf(res) {
  if (res.errors?.length) return res.errors.map((e) => `${e.field}: ${e.message}`).join('；');
  // Every row goes by order number: an unknown one is said so.
  if (res.result === 'not_found') return t('orders.r.notFound');
  return res.detail || t(`orders.r.${res.result}`);
}

function BatchDialog({ shop, open, onClose, onDone }) {
  const [text, setText] = useState('');
  const [rows, setRows] = useState(null);
  const close = () => {
    setRows(null);
    setText('');
    setError(null);
    onClose();
  };
  const onFile = async (e) => {
    const f = e.currentTarget.files?.[0];
    if (f) setText(await f.text());
  };
  const { submit, busy, error, setError } = useSubmit(async () => {
    if (!text.trim()) throw new Error(t('orders.batchEmpty'));
    const all = await prepareRows(text);
    const send = all.filter((r) => !r.failed);
    if (send.length) {
      const body = { items: send.map((r) => ({ order_sn: r.order_sn, carrier: r.carrier, tracking_no: r.tracking_no })) };
      const res = await post(`/v1/shops/${shop.id}/shipments:batch`, body, { key: idempotencyKey() });
      res.items.forEach((x, i) => {
        if (x.result === 'shipped') send[i].ok = true;
        else send[i].failed = reasonOf(x);
      });
      refreshShopsSoon();
      onDone();
    }
    if (!all.length) throw new Error(t('orders.batchEmpty'));
    setRows(all);
  });
  const okN = rows ? rows.filter((r) => r.ok).length : 0;
  return html`<${Dialog} open=${open} title=${t('orders.batch')} onClose=${close} className="wide batch-dialog">
    ${!rows &&
    html`<form onSubmit=${submit}>
      <p class="muted" id="batch-help">${t('orders.batchHelp')}</p>
      <${Field} label=${t('orders.batchText')}>
        <textarea name="csv" rows="8" aria-describedby="batch-help" spellcheck="false" value=${text} onInput=${(e) => setText(e.currentTarget.value)}
          placeholder="order_sn,carrier,tracking_no"></textarea>
      <//>
      <${Field} label=${t('orders.batchFile')}>
        <input type="file" name="file" accept=".csv,text/csv,text/plain" onChange=${onFile} />
      <//>
      <${ErrorBox} error=${error} />
      <div class="actions">
        <button type="button" onClick=${close}>${t('ui.cancel')}</button>
        <button type="submit" class="primary" disabled=${busy} aria-busy=${busy ? 'true' : undefined}>${t('orders.batchSubmit')}</button>
      </div>
    </form>`}
    ${rows &&
    html`<div>
      <p role="status" class="batch-summary">${t('orders.batchResult', { ok: okN, bad: rows.length - okN })}</p>
      <div class="table-wrap" tabindex="0" role="region" aria-label=${t('orders.batchOutcome')}>
        <table class="responsive batch-result">
          <thead><tr>
            <th scope="col">${t('orders.batchLine')}</th><th scope="col">${t('orders.sn')}</th><th scope="col">${t('orders.carrier')}</th>
            <th scope="col">${t('orders.trackingNo')}</th><th scope="col">${t('orders.batchOutcome')}</th><th scope="col">${t('orders.batchReason')}</th>
          </tr></thead>
          <tbody>
            ${rows.map(
              (r) => html`<tr key=${r.line} class=${r.ok ? 'ok' : 'bad'}>
                <td class="nowrap" data-label=${t('orders.batchLine')}>${r.line}</td>
                <td class="nowrap" data-label=${t('orders.sn')}>${r.order_sn}</td>
                <td data-label=${t('orders.carrier')}>${r.carrier}</td>
                <td data-label=${t('orders.trackingNo')}>${r.tracking_no}</td>
                <td class="nowrap" data-label=${t('orders.batchOutcome')}>${r.ok ? t('orders.batchOk') : t('orders.batchFailed')}</td>
                <td data-label=${t('orders.batchReason')}>${r.ok ? '' : r.failed}</td>
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
      <div class="actions">
        <button type="button" onClick=${() => { setRows(null); setText(''); }}>${t('orders.batchAgain')}</button>
        <button type="button" class="primary" onClick=${close}>${t('ui.close')}</button>
      </div>
    </div>`}
  <//>`;
}

// ---- the list ---------------------------------------------------------------

function SearchBar({ query }) {
  const [q, setQ] = useState(query.q || '');
  const submit = (e) => {
    e.preventDefault();
    setQuery({ q: q.trim() || undefined });
  };
  const clear = () => {
    setQ('');
    setQuery({ q: undefined, from: undefined, to: undefined, sort: undefined });
  };
  return html`<form class="toolbar order-filters" role="search" onSubmit=${submit}>
    <div class="search-row">
      <label class="inline">
        <span class="label">${t('orders.search')}</span>
        <input type="search" name="q" maxlength="64" placeholder=${t('orders.searchHint')} value=${q} onInput=${(e) => setQ(e.currentTarget.value)} />
      </label>
      <button type="submit">${t('orders.searchButton')}</button>
    </div>
    <label class="inline">
      <span class="label">${t('orders.from')}</span>
      <input type="date" name="from" value=${query.from || ''} onChange=${(e) => setQuery({ from: e.currentTarget.value || undefined })} />
    </label>
    <label class="inline">
      <span class="label">${t('orders.to')}</span>
      <input type="date" name="to" value=${query.to || ''} onChange=${(e) => setQuery({ to: e.currentTarget.value || undefined })} />
    </label>
    <label class="inline">
      <span class="label">${t('orders.sort')}</span>
      <select name="sort" value=${query.sort || ''} onChange=${(e) => setQuery({ sort: e.currentTarget.value || undefined })}>
        ${SORTS.map((s) => html`<option key=${s} value=${s}>${t(`orders.sort.${s || 'default'}`)}</option>`)}
      </select>
    </label>
    ${(query.q || query.from || query.to || query.sort) && html`<button type="button" class="link" onClick=${clear}>${t('orders.clear')}</button>`}
  </form>`;
}

function OrderList({ shop, query }) {
  const tab = TABS.includes(query.tab) ? query.tab : 'to_ship';
  const f = filtersOf(query);
  const key = JSON.stringify(f);
  const list = usePaged((cursor) => get(`/v1/shops/${shop.id}/orders${qs({ ...f, limit: 20, cursor })}`), [shop.id, key]);
  const [shipping, setShipping] = useState(null);
  const [batch, setBatch] = useState(false);
  const counts = list.extra?.counts || shop.counts || {};
  const exportCsv = async () => {
    const l = lang.get().lang === 'en' ? 'en' : 'zh-CN';
    const r = await download(`/v1/shops/${shop.id}/orders/export.csv${qs({ ...f, lang: l })}`, `orders-${shop.id}.csv`);
    toast(t('orders.exported', { name: r.name }));
  };
  return html`<section class="orders">
    <div class="page-head">
      <h1>${t('orders.title')}</h1>
      <div class="toolbar">
        <button type="button" onClick=${() => setBatch(true)}>${t('orders.batch')}</button>
        <${ActionButton} onClick=${exportCsv}>${t('orders.export')}<//>
      </div>
    </div>
    <${Tabs} label=${t('orders.tabs')} value=${tab} onChange=${(id) => setQuery({ tab: id })}
      tabs=${TABS.map((id) => ({ id, label: t(`orders.tab.${id}`), count: counts[id] ?? 0 }))} />
    <${SearchBar} query=${query} key=${query.q || ''} />
    <div role="tabpanel" aria-labelledby=${`tab-${tab}`} aria-busy=${list.loading ? 'true' : 'false'}>
      ${list.items.length > 0 &&
      html`<table class="responsive orders-table">
        <thead><tr>
          <th scope="col">${t('orders.sn')}</th><th scope="col">${t('orders.time')}</th><th scope="col">${t('orders.buyer')}</th>
          <th scope="col">${t('orders.items')}</th><th scope="col">${t('orders.total')}</th><th scope="col">${t('orders.status')}</th>
          <th scope="col">${t('orders.receiver')}</th><th scope="col">${t('orders.actions')}</th>
        </tr></thead>
        <tbody>
          ${list.items.map(
            (o) => html`<tr key=${o.id} data-order=${o.order_sn} class=${held(o) ? 'held' : ''}>
              <td class="nowrap" data-label=${t('orders.sn')}><a href=${href('orders', { id: o.id })}>${o.order_sn}</a></td>
              <td data-label=${t('orders.time')}><div>
                <div>${t('orders.created')} <${Time} iso=${o.timeline.created_at} /></div>
                ${o.timeline.paid_at && html`<div class="muted">${t('orders.paid')} <${Time} iso=${o.timeline.paid_at} /></div>`}
              </div></td>
              <td data-label=${t('orders.buyer')} class="buyer">${o.buyer.name}</td>
              <td data-label=${t('orders.items')} class="items">${itemsText(o)}</td>
              <td data-label=${t('orders.total')}><${Money} fen=${o.amounts.total_cents} /></td>
              <td data-label=${t('orders.status')}><div><${StatusText} o=${o} /></div></td>
              <td data-label=${t('orders.receiver')}>${o.address.name} ${o.address.phone}</td>
              <td data-label=${t('orders.actions')} class="row-actions"><${ShipButton} o=${o} onShip=${setShipping} /></td>
            </tr>`,
          )}
        </tbody>
      </table>`}
      <${ListState} list=${list} emptyText=${t('orders.none')} />
    </div>
    <${ShipDialog} shop=${shop} order=${shipping} key=${shipping?.id || 0} onClose=${() => setShipping(null)}
      onShipped=${() => { setShipping(null); list.reload(); }} />
    <${BatchDialog} shop=${shop} open=${batch} onClose=${() => setBatch(false)} onDone=${list.reload} />
  </section>`;
}

// ---- one order --------------------------------------------------------------

function history(o) {
  const tl = o.timeline;
  const rows = [
    [tl.created_at, t('orders.h.created')],
    [tl.paid_at, t('orders.h.paid')],
    [tl.shipped_at, t('orders.h.shipped', { carrier: o.logistics.carrier || '', no: o.logistics.tracking_no || '' })],
    [tl.completed_at, t('orders.h.completed')],
    [tl.closed_at, `${t('orders.h.closed')}${o.close_reason ? `（${t(`orders.close.${o.close_reason}`)}）` : ''}`],
  ].filter((r) => r[0]);
  return rows.sort((a, b) => a[0].localeCompare(b[0]));
}

function NoteEditor({ shop, o, onSaved }) {
  const [note, setNote] = useState(o.merchant_note);
  const [error, setError] = useState(null);
  const save = async () => {
    setError(null);
    try {
      onSaved(await patch(`/v1/shops/${shop.id}/orders/${o.id}`, { merchant_note: note }));
      toast(t('ui.saved'));
    } catch (err) {
      setError(err);
    }
  };
  const setFlag = async (e) => {
    const flag = Number(e.currentTarget.value);
    try {
      onSaved(await patch(`/v1/shops/${shop.id}/orders/${o.id}`, { flag }));
      toast(t('ui.saved'));
    } catch (err) {
      setError(err);
    }
  };
  return html`<div class="note-editor">
    <${Field} label=${t('orders.merchantNote')} error=${error instanceof ApiError ? error.field('merchant_note') : ''}>
      <textarea name="merchant_note" maxlength="500" value=${note} onInput=${(e) => setNote(e.currentTarget.value)}></textarea>
    <//>
    <div class="toolbar">
      <${ActionButton} onClick=${save} disabled=${note === o.merchant_note}>${t('orders.saveNote')}<//>
      <label class="inline">
        <span class="label">${t('orders.flag')}</span>
        <select name="flag" value=${String(o.flag)} onChange=${setFlag}>
          ${[0, 1, 2, 3, 4, 5].map((n) => html`<option key=${n} value=${n}>${n ? t('orders.flag.n', { n }) : t('orders.flag.0')}</option>`)}
        </select>
      </label>
    </div>
    ${error && !(error instanceof ApiError && error.field('merchant_note')) && html`<${ErrorBox} error=${error} />`}
  </div>`;
}

function OrderDetail({ shop, id }) {
  const r = useAsync(() => get(`/v1/shops/${shop.id}/orders/${id}`), [shop.id, id]);
  const cs = useAsync(carriers, []);
  const [shipping, setShipping] = useState(null);
  const back = html`<p><a href=${href('orders')}>← ${t('orders.back')}</a></p>`;
  if (r.error) return html`<section>${back}<${ErrorBox} error=${r.error} onRetry=${r.reload} /></section>`;
  if (!r.data) return html`<section>${back}<${Loading} /></section>`;
  const o = r.data;
  const a = o.address;
  return html`<section class="order-detail">
    ${back}
    <div class="page-head">
      <h1>${t('orders.detail')} ${o.order_sn}</h1>
      <div class="toolbar"><${ShipButton} o=${o} onShip=${setShipping} /></div>
    </div>
    ${held(o) &&
    html`<div class="banner review-banner" role="status">
      <p class="banner-text">${o.review.message || t('orders.underReview')}</p>
      <p class="banner-sub">${t('orders.reviewReason', { reason: o.review.reason })} · ${t('orders.reviewDeadline', { time: fmtTime(o.review.deadline) })}</p>
    </div>`}
    <div class="detail-grid">
      <div class="card">
        <h2>${t('orders.status')}</h2>
        <p><${StatusText} o=${o} /></p>
        ${o.after_sales_open && html`<p><a href=${href('aftersales', { tab: 'requested' })}>${t('orders.toAfterSales')}</a></p>`}
        <dl class="pairs">
          <dt>${t('orders.buyer')}</dt><dd class="buyer">${o.buyer.name}</dd>
          <dt>${t('orders.note')}</dt><dd class="buyer-note">${o.note || t('orders.noNote')}</dd>
          <dt>${t('orders.logistics')}</dt>
          <dd>${o.logistics.carrier ? `${carrierName(cs.data, o.logistics.carrier)} ${o.logistics.tracking_no}` : t('orders.notShipped')}</dd>
        </dl>
      </div>
      <div class="card address">
        <h2>${t('orders.address')}</h2>
        ${held(o) && html`<p class="hidden-note">${t('orders.addressHidden')}</p>`}
        <dl class="pairs">
          <dt>${t('orders.receiver')}</dt><dd class="receiver">${a.name}</dd>
          <dt>${t('orders.phone')}</dt><dd>${a.phone}</dd>
          <dt>${t('orders.address')}</dt><dd class="address-text">${[a.province, a.city, a.district, a.detail].filter(Boolean).join(' ')}</dd>
        </dl>
      </div>
    </div>
    <div class="card">
      <h2>${t('orders.items')}</h2>
      <table class="responsive">
        <thead><tr><th scope="col">${t('orders.items')}</th><th scope="col">${t('orders.spec')}</th><th scope="col">${t('orders.price')}</th><th scope="col">${t('orders.quantity')}</th></tr></thead>
        <tbody>
          ${o.items.map((i) => html`<tr key=${i.line}>
            <td data-label=${t('orders.items')}>${i.title}</td><td data-label=${t('orders.spec')}>${i.spec}</td>
            <td data-label=${t('orders.price')}><${Money} fen=${i.price_cents} /></td><td data-label=${t('orders.quantity')}>${i.quantity}</td>
          </tr>`)}
        </tbody>
      </table>
      <dl class="pairs amounts">
        <dt>${t('orders.itemsCents')}</dt><dd><${Money} fen=${o.amounts.items_cents} /></dd>
        ${o.amounts.discount_cents > 0 && html`<dt>${t('orders.discount')}</dt><dd>-<${Money} fen=${o.amounts.discount_cents} /></dd>`}
        <dt>${t('orders.total')}</dt><dd><${Money} fen=${o.amounts.total_cents} /></dd>
        ${o.amounts.refunded_cents > 0 && html`<dt>${t('orders.refunded')}</dt><dd><${Money} fen=${o.amounts.refunded_cents} /></dd>`}
      </dl>
    </div>
    <div class="card">
      <${NoteEditor} shop=${shop} o=${o} key=${o.id} onSaved=${(x) => r.setData(x)} />
    </div>
    <div class="card">
      <h2>${t('orders.history')}</h2>
      <ol class="history">
        ${history(o).map(([at, what]) => html`<li key=${at + what}><${Time} iso=${at} /> <span>${what}</span></li>`)}
        ${o.review &&
        html`<li><span>${t('orders.h.review')}：${o.review.reason}</span>${held(o) ? html` <span class="tag warn">${t('orders.underReview')}</span>` : ''}</li>`}
      </ol>
    </div>
    <${ShipDialog} shop=${shop} order=${shipping} key=${shipping?.id || 0} onClose=${() => setShipping(null)}
      onShipped=${(x) => { setShipping(null); r.setData(x); }} />
  </section>`;
}

function Orders({ shop, query }) {
  if (query.id) return html`<${OrderDetail} shop=${shop} id=${query.id} key=${query.id} />`;
  return html`<${OrderList} shop=${shop} query=${query} />`;
}

export default {
  id: 'orders',
  label: 'orders.label',
  roles: ['merchant'],
  badge: (counts) => counts?.to_ship || 0,
  component: Orders,
};
