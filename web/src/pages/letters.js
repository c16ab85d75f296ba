// 站内信: the platform's letters to the shop about the review of its orders
// (《订单禁止发货通知》, 《订单审核结果通知》 ...), newest first with unread
// marks. Opening one marks it read; its CSV attachment can be downloaded for
// 7 days after delivery, after which the API answers 410 and marks it
// expired.
import { useEffect, useRef, useState } from 'preact/hooks';
import { download, get, post, qs } from '../api.js';
import { fmtTime, t, strings } from '../i18n.js';
import { href, setQuery } from '../router.js';
import { refreshShopsSoon } from '../shops.js';
import { html, ActionButton, ErrorBox, ListState, Loading, Money, Tabs, Time, toast, useAsync, usePaged } from '../ui.js';

strings(
  {
    'letters.label': '站内信', 'letters.title': '站内信', 'letters.all': '全部', 'letters.unread': '未读',
    'letters.unreadMark': '未读', 'letters.read': '已读', 'letters.open': '查看', 'letters.back': '返回站内信',
    'letters.delivered': '送达时间', 'letters.orders': '相关订单', 'letters.attachment': '附件',
    'letters.download': '下载附件', 'letters.downloaded': '附件已下载', 'letters.expired': '附件已过期',
    'letters.expiredHint': '附件仅在送达后 7 天内可下载（已于 {time} 过期）', 'letters.expiresAt': '附件有效期至 {time}',
    'letters.empty': '暂无站内信', 'letters.emptyUnread': '没有未读的站内信',
    'letters.col.sn': '订单号', 'letters.col.buyer': '买家', 'letters.col.total': '实付金额', 'letters.col.action': '处理',
    'letters.col.reason': '原因', 'letters.col.deadline': '审核截止', 'letters.col.time': '处理时间',
    'letters.action.hold': '禁止发货', 'letters.action.release': '审核通过，需发货', 'letters.action.auto_release': '审核超时自动通过，需发货',
    'letters.action.close': '订单关闭并全额退款，无需发货', 'letters.action.extend': '审核延期',
    'letters.list': '站内信列表',
  },
  {
    'letters.label': 'Letters', 'letters.title': 'Letters', 'letters.all': 'All', 'letters.unread': 'Unread',
    'letters.unreadMark': 'Unread', 'letters.read': 'Read', 'letters.open': 'Open', 'letters.back': 'Back to letters',
    'letters.delivered': 'Delivered', 'letters.orders': 'Orders', 'letters.attachment': 'Attachment',
    'letters.download': 'Download attachment', 'letters.downloaded': 'Attachment downloaded', 'letters.expired': 'Attachment expired',
    'letters.expiredHint': 'Attachments can be downloaded for 7 days after delivery (this one expired {time})', 'letters.expiresAt': 'Attachment available until {time}',
    'letters.empty': 'No letters yet', 'letters.emptyUnread': 'No unread letters',
    'letters.col.sn': 'Order', 'letters.col.buyer': 'Buyer', 'letters.col.total': 'Paid', 'letters.col.action': 'Action',
    'letters.col.reason': 'Reason', 'letters.col.deadline': 'Review deadline', 'letters.col.time': 'Time',
    'letters.action.hold': 'Shipping held', 'letters.action.release': 'Passed, to ship', 'letters.action.auto_release': 'Passed at the deadline, to ship',
    'letters.action.close': 'Closed and refunded, not to ship', 'letters.action.extend': 'Review extended',
    'letters.list': 'Letters',
  },
);

const base = (shop) => `/v1/shops/${shop.id}/letters`;

// The attachment's download button, or its expired state (the API's
// `expired`, or a 410 answered by the download itself).
function Attachment({ letter, onExpired }) {
  const a = letter.attachment;
  if (!a) return null;
  if (a.expired) {
    return html`<p class="letter-attachment">
      <button type="button" disabled aria-describedby=${`exp-${letter.id}`}>${t('letters.expired')}</button>
      <span class="muted" id=${`exp-${letter.id}`}>${t('letters.expiredHint', { time: fmtTime(a.expires_at) })}</span>
    </p>`;
  }
  const run = async () => {
    try {
      await download(a.url, `letter-${letter.id}.csv`);
      toast(t('letters.downloaded'));
    } catch (err) {
      if (err.status === 410) onExpired();
      throw err;
    }
  };
  return html`<p class="letter-attachment">
    <${ActionButton} onClick=${run}>${t('letters.download')}<//>
    <span class="muted">${t('letters.expiresAt', { time: fmtTime(a.expires_at) })}</span>
  </p>`;
}

function Title({ letter }) {
  return html`《${letter.title}》`;
}

// One letter with its orders; opening it marks it read.
function LetterView({ shop, id, onRead }) {
  const letter = useAsync(() => get(`${base(shop)}/${id}`), [shop.id, id]);
  const [expired, setExpired] = useState(false);
  useEffect(() => {
    const l = letter.data;
    if (!l || l.read_at) return;
    post(`${base(shop)}/${id}/read`).then(
      (r) => {
        letter.setData((d) => ({ ...d, read_at: r.read_at }));
        onRead(r);
        refreshShopsSoon();
      },
      (err) => toast(err.message, 'bad'),
    );
  }, [letter.data?.id]);
  const back = html`<p><a href=${href('letters')}>← ${t('letters.back')}</a></p>`;
  if (letter.error) return html`${back}<${ErrorBox} error=${letter.error} onRetry=${letter.reload} />`;
  if (!letter.data) return html`${back}<${Loading} />`;
  let l = letter.data;
  if (expired) l = { ...l, attachment: { ...l.attachment, expired: true } };
  return html`${back}
    <article class="card letter">
      <h2><${Title} letter=${l} /></h2>
      <p class="muted">${t('letters.delivered')}: <${Time} iso=${l.delivered_at} /> · ${l.read_at ? t('letters.read') : t('letters.unreadMark')}</p>
      <p class="letter-body">${l.body}</p>
      <h3>${t('letters.attachment')}</h3>
      <${Attachment} letter=${l} onExpired=${() => setExpired(true)} />
      ${l.orders?.length > 0 && html`<h3>${t('letters.orders')}</h3>
        <table class="responsive">
          <thead><tr>
            <th scope="col">${t('letters.col.sn')}</th><th scope="col">${t('letters.col.buyer')}</th>
            <th scope="col">${t('letters.col.total')}</th><th scope="col">${t('letters.col.action')}</th>
            <th scope="col">${t('letters.col.reason')}</th><th scope="col">${t('letters.col.deadline')}</th>
            <th scope="col">${t('letters.col.time')}</th>
          </tr></thead>
          <tbody>
            ${l.orders.map((o) => html`<tr key=${o.order_id}>
              <td data-label=${t('letters.col.sn')}>${o.order_sn}</td>
              <td data-label=${t('letters.col.buyer')}>${o.buyer_name}</td>
              <td data-label=${t('letters.col.total')}><${Money} fen=${o.total_cents} /></td>
              <td data-label=${t('letters.col.action')}>${t(`letters.action.${o.action}`)}</td>
              <td data-label=${t('letters.col.reason')}>${o.reason || ''}</td>
              <td data-label=${t('letters.col.deadline')}><${Time} iso=${o.deadline} /></td>
              <td data-label=${t('letters.col.time')}><${Time} iso=${o.acted_at} /></td>
            </tr>`)}
          </tbody>
        </table>`}
    </article>`;
}

function Letters({ shop, query }) {
  const tab = query.tab === 'unread' ? 'unread' : 'all';
  const list = usePaged((cursor) => get(`${base(shop)}${qs({ unread: tab === 'unread' ? 'true' : '', cursor, limit: 20 })}`), [shop.id, tab]);
  const unread = list.extra?.unread;
  const onRead = (r) => {
    list.setItems((items) => items.map((x) => (x.id === r.id ? { ...x, read_at: r.read_at } : x)));
  };
  // Back from a letter, the list (and its unread count) is read again.
  const away = useRef(false);
  useEffect(() => {
    if (!query.id && away.current) list.reload();
    away.current = !!query.id;
  }, [query.id]);
  if (query.id) {
    return html`<section><h1>${t('letters.title')}</h1><${LetterView} shop=${shop} id=${query.id} onRead=${onRead} /></section>`;
  }
  return html`<section>
    <h1>${t('letters.title')}</h1>
    <${Tabs} label=${t('letters.title')} value=${tab} onChange=${(v) => setQuery({ tab: v === 'all' ? undefined : v })}
      tabs=${[{ id: 'all', label: t('letters.all') }, { id: 'unread', label: t('letters.unread'), count: unread }]} />
    <ul class="letters" aria-label=${t('letters.list')}>
      ${list.items.map((l) => html`<li key=${l.id} class=${`card letter-item${l.read_at ? '' : ' unread'}`}>
        <a href=${href('letters', { id: l.id })} class="letter-link">
          ${!l.read_at && html`<span class="unread-mark">${t('letters.unreadMark')}</span>`}
          <span class="letter-title"><${Title} letter=${l} /></span>
        </a>
        <span class="letter-summary">${l.summary}</span>
        <span class="muted letter-meta"><${Time} iso=${l.delivered_at} />${l.attachment?.expired ? ` · ${t('letters.expired')}` : ''}</span>
      </li>`)}
    </ul>
    <${ListState} list=${list} emptyText=${t(tab === 'unread' ? 'letters.emptyUnread' : 'letters.empty')} />
  </section>`;
}

export default {
  id: 'letters',
  label: 'letters.label',
  roles: ['merchant'],
  badge: (counts) => counts?.unread_letters,
  component: Letters,
};
