// 反馈与客服: merchants' feedback (意见反馈: read, reply, close) and the
// official support chat (官方服务): the queue, waiting longest first, a
// preview before claiming, then the claimer's chat (send, read marker,
// close, or release back to the queue). New messages and queue changes
// arrive on the event stream.
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, post, qs, idempotencyKey } from '../api.js';
import { onEvent } from '../events.js';
import { t, strings } from '../i18n.js';
import { setQuery } from '../router.js';
import { html, usePaged, useAsync, ListState, Tabs, toast, Field, ActionButton, ErrorBox, Time, Loading, Badge } from '../ui.js';

strings(
  {
    'feedback.label': '反馈与客服', 'feedback.title': '反馈与客服', 'feedback.tabs': '反馈与客服',
    'feedback.tab.feedback': '意见反馈', 'feedback.tab.support': '官方服务',
    'feedback.status': '状态', 'feedback.category': '分类', 'feedback.all': '全部',
    'feedback.status.open': '待回复', 'feedback.status.replied': '已回复', 'feedback.status.closed': '已关闭',
    'feedback.cat.bug': '功能异常', 'feedback.cat.suggestion': '产品建议', 'feedback.cat.orders': '订单问题',
    'feedback.cat.funds': '资金问题', 'feedback.cat.account': '账号问题', 'feedback.cat.other': '其他',
    'feedback.pick': '选择一条反馈查看', 'feedback.merchant': '商家', 'feedback.shop': '店铺', 'feedback.device': '设备',
    'feedback.replies': '回复', 'feedback.noReplies': '还没有回复', 'feedback.reply': '回复内容', 'feedback.send': '发送回复',
    'feedback.close': '关闭反馈', 'feedback.replied': '已回复', 'feedback.closed': '反馈已关闭', 'feedback.images': '图片',
    'feedback.image': '反馈图片 {n}', 'feedback.list': '反馈列表', 'feedback.staff': '客服 #{id}',
    'feedback.queue': '排队中', 'feedback.mine': '我的会话', 'feedback.noQueue': '没有排队的商家', 'feedback.noMine': '没有进行中的会话',
    'feedback.waiting': '等待自', 'feedback.claim': '接入', 'feedback.claimed': '已接入会话', 'feedback.release': '退回队列',
    'feedback.released': '会话已退回队列', 'feedback.endChat': '结束会话', 'feedback.ended': '会话已结束', 'feedback.message': '消息',
    'feedback.sendMsg': '发送', 'feedback.pickChat': '选择一个会话', 'feedback.preview': '预览：接入后才能回复',
    'feedback.me': '我', 'feedback.chatStatus.open': '未排队', 'feedback.chatStatus.queued': '排队中',
    'feedback.chatStatus.claimed': '已接入', 'feedback.chatStatus.closed': '已结束', 'feedback.image.msg': '[图片]',
    'feedback.chatWith': '{shop}（{merchant}）', 'feedback.log': '聊天记录', 'feedback.created': '提交时间',
  },
  {
    'feedback.label': 'Feedback & support', 'feedback.title': 'Feedback & support', 'feedback.tabs': 'Feedback & support',
    'feedback.tab.feedback': 'Feedback', 'feedback.tab.support': 'Support chat',
    'feedback.status': 'Status', 'feedback.category': 'Category', 'feedback.all': 'All',
    'feedback.status.open': 'Open', 'feedback.status.replied': 'Replied', 'feedback.status.closed': 'Closed',
    'feedback.cat.bug': 'Bug', 'feedback.cat.suggestion': 'Suggestion', 'feedback.cat.orders': 'Orders',
    'feedback.cat.funds': 'Funds', 'feedback.cat.account': 'Account', 'feedback.cat.other': 'Other',
    'feedback.pick': 'Pick a feedback', 'feedback.merchant': 'Merchant', 'feedback.shop': 'Shop', 'feedback.device': 'Device',
    'feedback.replies': 'Replies', 'feedback.noReplies': 'No reply yet', 'feedback.reply': 'Reply', 'feedback.send': 'Send reply',
    'feedback.close': 'Close feedback', 'feedback.replied': 'Replied', 'feedback.closed': 'Feedback closed', 'feedback.images': 'Pictures',
    'feedback.image': 'Feedback picture {n}', 'feedback.list': 'Feedback', 'feedback.staff': 'Staff #{id}',
    'feedback.queue': 'Queue', 'feedback.mine': 'My chats', 'feedback.noQueue': 'Nobody is waiting', 'feedback.noMine': 'No chat in progress',
    'feedback.waiting': 'Waiting since', 'feedback.claim': 'Claim', 'feedback.claimed': 'Chat claimed', 'feedback.release': 'Back to the queue',
    'feedback.released': 'Chat returned to the queue', 'feedback.endChat': 'End chat', 'feedback.ended': 'Chat ended', 'feedback.message': 'Message',
    'feedback.sendMsg': 'Send', 'feedback.pickChat': 'Pick a chat', 'feedback.preview': 'Preview: claim it to reply',
    'feedback.me': 'Me', 'feedback.chatStatus.open': 'Not queued', 'feedback.chatStatus.queued': 'Queued',
    'feedback.chatStatus.claimed': 'Claimed', 'feedback.chatStatus.closed': 'Ended', 'feedback.image.msg': '[picture]',
    'feedback.chatWith': '{shop} ({merchant})', 'feedback.log': 'Messages', 'feedback.created': 'Filed at',
  },
);

const STATUSES = ['open', 'replied', 'closed'];
const CATEGORIES = ['bug', 'suggestion', 'orders', 'funds', 'account', 'other'];

// ---- feedback ----------------------------------------------------------------

function FeedbackDetail({ id, onChanged }) {
  const f = useAsync(() => get(`/v1/platform/feedback/${id}`), [id]);
  const [text, setText] = useState('');
  const [error, setError] = useState(null);
  if (f.loading && !f.data) return html`<${Loading} />`;
  if (f.error) return html`<${ErrorBox} error=${f.error} onRetry=${f.reload} />`;
  const x = f.data;
  const reply = async () => {
    setError(null);
    try {
      const r = await post(`/v1/platform/feedback/${x.id}/replies`, { text: text.trim() }, { key: idempotencyKey() });
      toast(t('feedback.replied'));
      setText('');
      f.setData(r);
      onChanged(r);
    } catch (err) {
      setError(err);
    }
  };
  const close = async () => {
    const r = await post(`/v1/platform/feedback/${x.id}/close`);
    toast(t('feedback.closed'));
    f.setData((d) => ({ ...d, ...r, replies: r.replies || d.replies }));
    onChanged(r);
  };
  return html`<article class="card" aria-labelledby="fb-title">
    <div class="toolbar">
      <h2 id="fb-title">#${x.id} ${t(`feedback.cat.${x.category}`)}</h2>
      <span class="status-chip">${t(`feedback.status.${x.status}`)}</span>
      <span class="spacer"></span>
      ${x.status !== 'closed' && html`<${ActionButton} onClick=${close}>${t('feedback.close')}<//>`}
    </div>
    <dl class="facts">
      <dt>${t('feedback.merchant')}</dt><dd class="user-text">${x.merchant ? `${x.merchant.name} (#${x.merchant.id})` : ''}</dd>
      <dt>${t('feedback.shop')}</dt><dd class="user-text">${x.shop ? `${x.shop.name} (#${x.shop.id})` : '—'}</dd>
      ${(x.device || x.app_version) && html`<dt>${t('feedback.device')}</dt><dd class="user-text">${[x.device, x.app_version].filter(Boolean).join(' · ')}</dd>`}
      <dt>${t('feedback.created')}</dt><dd><${Time} iso=${x.created_at} /></dd>
    </dl>
    <p class="user-text feedback-text">${x.text}</p>
    ${x.images.length > 0 && html`<div class="feedback-images" aria-label=${t('feedback.images')}>
      ${x.images.map((im, i) => html`<a href=${im.url} target="_blank" rel="noopener" key=${im.image_id}><img src=${im.url} alt=${t('feedback.image', { n: i + 1 })} /></a>`)}
    </div>`}
    <h3>${t('feedback.replies')}</h3>
    ${(x.replies || []).length === 0 ? html`<p class="muted">${t('feedback.noReplies')}</p>` : html`<ul class="chat-log">
      ${x.replies.map((r) => html`<li key=${r.id} class="mine"><div class="muted">${t('feedback.staff', { id: r.staff_id })} · <${Time} iso=${r.created_at} /></div>${r.text}</li>`)}
    </ul>`}
    ${x.status !== 'closed' && html`
      <${Field} label=${t('feedback.reply')} error=${error?.field?.('text')}>
        <textarea maxlength="2000" value=${text} onInput=${(e) => setText(e.currentTarget.value)}></textarea>
      <//>
      <${ErrorBox} error=${error} />
      <div class="actions"><${ActionButton} className="primary" disabled=${!text.trim()} onClick=${reply}>${t('feedback.send')}<//></div>`}
  </article>`;
}

function FeedbackDesk({ query }) {
  const status = STATUSES.includes(query.status) ? query.status : '';
  const category = CATEGORIES.includes(query.category) ? query.category : '';
  const list = usePaged((cursor) => get(`/v1/platform/feedback${qs({ status, category, cursor })}`), [status, category]);
  const changed = (r) => list.setItems((items) => items.map((x) => (x.id === r.id ? { ...x, ...r } : x)));
  return html`<div class=${`staff-grid${query.id ? ' has-detail' : ''}`}>
    <div class="card">
      <h2>${t('feedback.list')}</h2>
      <div class="form-grid">
        <${Field} label=${t('feedback.status')}>
          <select value=${status} onChange=${(e) => setQuery({ status: e.currentTarget.value || undefined })}>
            <option value="">${t('feedback.all')}</option>
            ${STATUSES.map((s) => html`<option value=${s}>${t(`feedback.status.${s}`)}</option>`)}
          </select>
        <//>
        <${Field} label=${t('feedback.category')}>
          <select value=${category} onChange=${(e) => setQuery({ category: e.currentTarget.value || undefined })}>
            <option value="">${t('feedback.all')}</option>
            ${CATEGORIES.map((s) => html`<option value=${s}>${t(`feedback.cat.${s}`)}</option>`)}
          </select>
        <//>
      </div>
      <ul class="staff-list">
        ${list.items.map((x) => html`<li key=${x.id} data-feedback=${x.id}>
          <a href=${`/app/feedback?id=${x.id}`} aria-current=${String(x.id) === query.id ? 'true' : undefined}>#${x.id} ${t(`feedback.cat.${x.category}`)}</a>
          <span class="status-chip">${t(`feedback.status.${x.status}`)}</span>
          <div class="user-text clamp">${x.text}</div>
          <div class="muted"><span class="user-text">${x.merchant?.name || ''}</span> · <${Time} iso=${x.created_at} /></div>
        </li>`)}
      </ul>
      <${ListState} list=${list} />
    </div>
    <div>${query.id ? html`<${FeedbackDetail} key=${query.id} id=${query.id} onChanged=${changed} />` : html`<p class="muted hint">${t('feedback.pick')}</p>`}</div>
  </div>`;
}

// ---- the support chat ----------------------------------------------------------

function Chat({ conv, account, onChanged, onRead }) {
  const msgs = useAsync(() => get(`/v1/platform/support/conversations/${conv.id}/messages${qs({ limit: 100 })}`), [conv.id]);
  const [text, setText] = useState('');
  const logRef = useRef(null);
  const mine = conv.status === 'claimed' && conv.staff?.id === account.id;
  useEffect(() => onEvent('message.created', (ev) => ev.data?.conversation_id === conv.id && msgs.reload()), [conv.id, msgs.reload]);
  const items = msgs.data?.items || [];
  const lastId = items.length ? items[items.length - 1].id : 0;
  useEffect(() => {
    if (logRef.current) logRef.current.scrollTop = logRef.current.scrollHeight;
    // The claimer has read what is on screen.
    if (mine && lastId) post(`/v1/platform/support/conversations/${conv.id}/read`, { up_to_message_id: lastId }).then(onRead, () => {});
  }, [lastId, mine]);
  const send = async (e) => {
    e.preventDefault();
    if (!text.trim()) return;
    try {
      const m = await post(`/v1/platform/support/conversations/${conv.id}/messages`, { type: 'text', text: text.trim() }, { key: idempotencyKey() });
      setText('');
      msgs.setData((d) => ({ ...d, items: [...(d?.items || []).filter((x) => x.id !== m.id), m] }));
    } catch (err) {
      toast(err.message, 'bad');
    }
  };
  const act = async (action, done) => {
    const r = await post(`/v1/platform/support/conversations/${conv.id}/${action}`);
    toast(t(done));
    onChanged(r, action);
  };
  return html`<section class="card" aria-labelledby="chat-title">
    <div class="toolbar">
      <h2 id="chat-title" class="user-text">${t('feedback.chatWith', { shop: conv.shop.name, merchant: conv.merchant.name })}</h2>
      <span class="status-chip">${t(`feedback.chatStatus.${conv.status}`)}</span>
      <span class="spacer"></span>
      ${!conv.staff && conv.status !== 'closed' && html`<${ActionButton} className="primary" onClick=${() => act('claim', 'feedback.claimed')}>${t('feedback.claim')}<//>`}
      ${mine && html`<${ActionButton} onClick=${() => act('release', 'feedback.released')}>${t('feedback.release')}<//>
        <${ActionButton} className="danger" onClick=${() => act('close', 'feedback.ended')}>${t('feedback.endChat')}<//>`}
    </div>
    ${!mine && conv.status !== 'closed' && html`<p class="muted">${t('feedback.preview')}</p>`}
    ${msgs.error ? html`<${ErrorBox} error=${msgs.error} onRetry=${msgs.reload} />` : !msgs.data ? html`<${Loading} />` : html`<ol class="chat-log" ref=${logRef} aria-label=${t('feedback.log')}>
      ${items.map((m) => html`<li key=${m.id} class=${m.sender === 'staff' ? 'mine' : ''}>
        <div class="muted">${m.sender === 'staff' ? (m.sender_id === account.id ? t('feedback.me') : t('feedback.staff', { id: m.sender_id })) : conv.merchant.name} · <${Time} iso=${m.created_at} /></div>
        ${m.type === 'text' ? m.text : m.type === 'image' ? html`<a href=${m.url} target="_blank" rel="noopener noreferrer">${t('feedback.image.msg')}</a>` : `[${m.type}]`}
      </li>`)}
    </ol>`}
    ${mine && html`<form class="chat-send" onSubmit=${send}>
      <${Field} label=${t('feedback.message')}>
        <textarea maxlength="2000" value=${text} onInput=${(e) => setText(e.currentTarget.value)}
          onKeyDown=${(e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) send(e); }}></textarea>
      <//>
      <div class="actions"><button type="submit" class="primary" disabled=${!text.trim()}>${t('feedback.sendMsg')}</button></div>
    </form>`}
  </section>`;
}

function ConvList({ list, current, empty, title }) {
  return html`<div>
    <h3>${title} <${Badge} n=${list.items.length} /></h3>
    <ul class="staff-list">
      ${list.items.map((c) => html`<li key=${c.id} data-conversation=${c.id}>
        <a href=${`/app/feedback?tab=support&cid=${c.id}`} aria-current=${String(c.id) === current ? 'true' : undefined}>
          <span class="user-text">${c.shop.name}</span></a> <span class="muted user-text">${c.merchant.name}</span> <${Badge} n=${c.unread_count} />
        ${c.last_message && html`<div class="user-text clamp">${c.last_message.preview}</div>`}
        ${c.waiting_since && html`<div class="muted">${t('feedback.waiting')} <${Time} iso=${c.waiting_since} /></div>`}
      </li>`)}
    </ul>
    <${ListState} list=${list} emptyText=${empty} />
  </div>`;
}

function SupportDesk({ query, account }) {
  const queue = usePaged((cursor) => get(`/v1/platform/support/queue${qs({ cursor })}`), []);
  const mine = usePaged((cursor) => get(`/v1/platform/support/conversations${qs({ cursor })}`), []);
  // The lists as of now, for the event handlers subscribed once.
  const lists = useRef({});
  lists.current = { queue, mine };
  useEffect(() => {
    const offs = [
      onEvent('support.queue', () => lists.current.queue.reload()),
      onEvent('message.created', () => lists.current.mine.reload()),
      onEvent('support.closed', () => lists.current.mine.reload()),
    ];
    return () => offs.forEach((f) => f());
  }, []);
  const cid = query.cid;
  const conv = [...mine.items, ...queue.items].find((c) => String(c.id) === cid);
  const changed = (r, action) => {
    queue.reload();
    mine.reload();
    if (action === 'release') setQuery({ cid: undefined });
    void r;
  };
  return html`<div class=${`staff-grid${conv ? ' has-detail' : ''}`}>
    <div class="card">
      <${ConvList} list=${queue} current=${cid} empty=${t('feedback.noQueue')} title=${t('feedback.queue')} />
      <${ConvList} list=${mine} current=${cid} empty=${t('feedback.noMine')} title=${t('feedback.mine')} />
    </div>
    <div>${conv ? html`<${Chat} key=${`${conv.id}:${conv.status}`} conv=${conv} account=${account} onChanged=${changed} onRead=${() => lists.current.mine.reload()} />` : html`<p class="muted hint">${t('feedback.pickChat')}</p>`}</div>
  </div>`;
}

function Feedback({ query, account }) {
  const tab = query.tab === 'support' ? 'support' : 'feedback';
  return html`<section>
    <h1>${t('feedback.title')}</h1>
    <${Tabs} label=${t('feedback.tabs')} value=${tab} onChange=${(id) => setQuery({ tab: id === 'feedback' ? undefined : id, id: undefined, cid: undefined })}
      tabs=${['feedback', 'support'].map((id) => ({ id, label: t(`feedback.tab.${id}`) }))} />
    ${tab === 'support' ? html`<${SupportDesk} query=${query} account=${account} />` : html`<${FeedbackDesk} query=${query} />`}
  </section>`;
}

export default { id: 'feedback', label: 'feedback.label', roles: ['staff'], permission: 'support', component: Feedback };
