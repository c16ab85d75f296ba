// 聊天: the chat workbench, where a merchant lands. The shop's conversations
// (all / unread / unreplied) beside the open thread and the buyer's orders
// in this shop; a buyer's message shows at once from the event stream. On a
// phone the list and the thread take turns (the thread has a back button)
// and the orders are a toggle. The open conversation (c), the tab and a
// search (q) live in the query string.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { del, get, idempotencyKey, patch, post, put, qs } from '../api.js';
import { onEvent, status } from '../events.js';
import { fmtMoney, t, strings } from '../i18n.js';
import { setQuery } from '../router.js';
import { refreshShopsSoon } from '../shops.js';
import { ActionButton, Dialog, Empty, ErrorBox, Field, Loading, Tabs, Time, html, toast } from '../ui.js';

strings(
  {
    'chat.label': '聊天', 'chat.title': '聊天工作台', 'chat.list': '会话列表', 'chat.tabs': '会话筛选',
    'chat.all': '全部', 'chat.unread': '未读', 'chat.unreplied': '未回复', 'chat.none': '还没有会话',
    'chat.pick': '从左侧选择一个会话', 'chat.back': '返回会话列表', 'chat.older': '加载更早的消息',
    'chat.input': '输入消息', 'chat.send': '发送', 'chat.sound': '消息提醒', 'chat.unreadN': '{n} 条未读',
    'chat.search': '搜索聊天记录', 'chat.searchGo': '搜索', 'chat.searchClear': '清除搜索', 'chat.searchNone': '没有找到相关消息',
    'chat.results': '搜索结果', 'chat.auto': '自动回复', 'chat.you': '我', 'chat.read': '已读', 'chat.notRead': '未读',
    'chat.image': '[图片]', 'chat.imageAlt': '图片消息', 'chat.noPrice': '暂无价格', 'chat.orderSn': '订单号 {sn}',
    'chat.quick': '快捷回复', 'chat.products': '商品', 'chat.images': '图片', 'chat.orders': '订单', 'chat.ordersOf': '买家在本店的订单',
    'chat.noOrders': '该买家在本店还没有订单', 'chat.sendOrder': '发送订单卡片', 'chat.settings': '自动回复设置',
    'chat.qrManage': '管理快捷回复', 'chat.qrDone': '完成管理', 'chat.qrGroup': '分组', 'chat.qrText': '回复内容', 'chat.qrAdd': '添加快捷回复',
    'chat.qrNone': '还没有快捷回复', 'chat.qrUngrouped': '未分组', 'chat.qrEdit': '编辑', 'chat.qrSave': '保存', 'chat.qrDelete': '删除',
    'chat.qrSend': '发送快捷回复：{text}', 'chat.pickProducts': '选择商品', 'chat.pickHint': '选 1 件发送商品卡片，选 2 至 10 件发送多商品卡片',
    'chat.sendCard': '发送商品卡片 ({n})', 'chat.noProducts': '店铺还没有商品', 'chat.pickImage': '从图片空间选择', 'chat.noImages': '图片空间还没有图片',
    'chat.sendImage': '发送图片：{name}', 'chat.greeting': '欢迎语', 'chat.greetingOn': '开启欢迎语', 'chat.keywords': '关键词回复',
    'chat.keyword': '关键词', 'chat.reply': '回复', 'chat.addRule': '添加关键词', 'chat.removeRule': '删除关键词 {n}', 'chat.away': '离线回复',
    'chat.awayOn': '开启离线回复', 'chat.awayMsg': '离线消息', 'chat.hours': '营业时间', 'chat.weekday': '星期', 'chat.open': '开始', 'chat.close': '结束',
    'chat.addHours': '添加营业时间', 'chat.removeHours': '删除营业时间 {n}', 'chat.save': '保存', 'chat.wd1': '周一', 'chat.wd2': '周二', 'chat.wd3': '周三',
    'chat.wd4': '周四', 'chat.wd5': '周五', 'chat.wd6': '周六', 'chat.wd7': '周日', 'chat.awaiting': '待回复', 'chat.st.unpaid': '待付款',
    'chat.st.paid': '待发货', 'chat.st.shipped': '已发货', 'chat.st.completed': '已完成', 'chat.st.closed': '已关闭', 'chat.tools': '发送工具',
    'chat.sent': '已发送', 'chat.messages': '消息记录',
  },
  {
    'chat.label': 'Chat', 'chat.title': 'Chat workbench', 'chat.list': 'Conversations', 'chat.tabs': 'Conversation filter',
    'chat.all': 'All', 'chat.unread': 'Unread', 'chat.unreplied': 'Unreplied', 'chat.none': 'No conversations yet',
    'chat.pick': 'Choose a conversation on the left', 'chat.back': 'Back to conversations', 'chat.older': 'Load earlier messages',
    'chat.input': 'Message', 'chat.send': 'Send', 'chat.sound': 'Sound alert', 'chat.unreadN': '{n} unread',
    'chat.search': 'Search chat history', 'chat.searchGo': 'Search', 'chat.searchClear': 'Clear search', 'chat.searchNone': 'No message found',
    'chat.results': 'Search results', 'chat.auto': 'Auto-reply', 'chat.you': 'Me', 'chat.read': 'Read', 'chat.notRead': 'Unread',
    'chat.image': '[Image]', 'chat.imageAlt': 'Image message', 'chat.noPrice': 'No price', 'chat.orderSn': 'Order {sn}',
    'chat.quick': 'Quick replies', 'chat.products': 'Products', 'chat.images': 'Images', 'chat.orders': 'Orders', 'chat.ordersOf': "Buyer's orders in this shop",
    'chat.noOrders': 'No orders from this buyer yet', 'chat.sendOrder': 'Send order card', 'chat.settings': 'Auto-reply settings',
    'chat.qrManage': 'Manage quick replies', 'chat.qrDone': 'Done', 'chat.qrGroup': 'Group', 'chat.qrText': 'Reply text', 'chat.qrAdd': 'Add quick reply',
    'chat.qrNone': 'No quick replies yet', 'chat.qrUngrouped': 'Ungrouped', 'chat.qrEdit': 'Edit', 'chat.qrSave': 'Save', 'chat.qrDelete': 'Delete',
    'chat.qrSend': 'Send quick reply: {text}', 'chat.pickProducts': 'Choose products', 'chat.pickHint': 'One product sends a product card, 2 to 10 a multi-product card',
    'chat.sendCard': 'Send product card ({n})', 'chat.noProducts': 'The shop has no products yet', 'chat.pickImage': 'Choose from the image space', 'chat.noImages': 'The image space is empty',
    'chat.sendImage': 'Send image: {name}', 'chat.greeting': 'Greeting', 'chat.greetingOn': 'Greeting on', 'chat.keywords': 'Keyword replies',
    'chat.keyword': 'Keyword', 'chat.reply': 'Reply', 'chat.addRule': 'Add keyword', 'chat.removeRule': 'Remove keyword {n}', 'chat.away': 'Away message',
    'chat.awayOn': 'Away message on', 'chat.awayMsg': 'Away message text', 'chat.hours': 'Business hours', 'chat.weekday': 'Weekday', 'chat.open': 'Opens', 'chat.close': 'Closes',
    'chat.addHours': 'Add hours', 'chat.removeHours': 'Remove hours {n}', 'chat.save': 'Save', 'chat.wd1': 'Mon', 'chat.wd2': 'Tue', 'chat.wd3': 'Wed',
    'chat.wd4': 'Thu', 'chat.wd5': 'Fri', 'chat.wd6': 'Sat', 'chat.wd7': 'Sun', 'chat.awaiting': 'Awaiting reply', 'chat.st.unpaid': 'Unpaid',
    'chat.st.paid': 'To ship', 'chat.st.shipped': 'Shipped', 'chat.st.completed': 'Completed', 'chat.st.closed': 'Closed', 'chat.tools': 'Send tools',
    'chat.sent': 'Sent', 'chat.messages': 'Messages',
  },
);

const PAGE = 30;
const SOUND = 'merchantd.chat.sound';

// A short two-note chime made on the spot (no media file to load).
let audio = null;
function chime() {
  try {
    audio ||= new AudioContext();
    if (audio.state === 'suspended') audio.resume();
    const now = audio.currentTime;
    for (const [i, f] of [880, 1320].entries()) {
      const o = audio.createOscillator();
      const g = audio.createGain();
      o.frequency.value = f;
      g.gain.setValueAtTime(0.0001, now + i * 0.12);
      g.gain.exponentialRampToValueAtTime(0.2, now + i * 0.12 + 0.02);
      g.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.12 + 0.2);
      o.connect(g).connect(audio.destination);
      o.start(now + i * 0.12);
      o.stop(now + i * 0.12 + 0.22);
    }
    document.documentElement.dataset.chime = String(Number(document.documentElement.dataset.chime || 0) + 1);
  } catch {
    /* no audio here: the alert is optional */
  }
}

// Runs fn at most once at a time; a call while it runs runs it once more
// afterwards (a burst of events costs two requests, not one per event).
function coalesced(fn) {
  let running = false;
  let again = false;
  return async function go() {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        await fn();
      } while (again);
    } catch {
      /* the next event or a reload retries */
    } finally {
      running = false;
    }
  };
}

// Calls fn each time the event stream connects again; returns the unsubscribe.
function onConnect(fn) {
  let was = status.get().connected;
  return status.subscribe((s) => {
    if (s.connected && !was) fn();
    was = s.connected;
  });
}

// A search snippet as text and <mark> nodes: start/length count code points.
export function highlighted(h) {
  const cps = Array.from(h.text || '');
  const a = Math.max(0, Math.min(h.start || 0, cps.length));
  const b = Math.min(cps.length, a + (h.length || 0));
  return [cps.slice(0, a).join(''), html`<mark>${cps.slice(a, b).join('')}</mark>`, cps.slice(b).join('')];
}

function preview(c) {
  const m = c.last_message;
  if (!m) return '';
  return m.preview;
}

// A message's preview as the API makes it for last_message.
function previewOf(m) {
  if (m.type === 'text') return Array.from(m.text || '').slice(0, 100).join('');
  return { image: '[图片]', order_card: '[订单]' }[m.type] || '[商品]';
}

function Chat({ shop, query }) {
  const tab = ['unread', 'unreplied'].includes(query.tab) ? query.tab : 'all';
  const convId = Number(query.c) || 0;
  const search = query.q || '';
  const [list, setList] = useState({ items: [], counts: null, cursor: null, loading: true, error: null });
  const [known, setKnown] = useState({}); // id -> conversation, kept when the tab changes
  const [sound, setSound] = useState(() => localStorage.getItem(SOUND) === '1');
  const [dialog, setDialog] = useState('');
  const [showOrders, setShowOrders] = useState(false);
  const soundRef = useRef(sound);
  soundRef.current = sound;
  const tabRef = useRef(tab);
  tabRef.current = tab;

  const remember = (items) => setKnown((k) => Object.assign({ ...k }, Object.fromEntries(items.map((c) => [c.id, c]))));

  const loadFirst = useCallback(
    coalesced(async () => {
      const want = tabRef.current;
      const r = await get(`/v1/shops/${shop.id}/conversations${qs({ filter: want, limit: PAGE })}`);
      if (want !== tabRef.current) return;
      remember(r.items);
      setList((s) => {
        // The first page as it is now, then what was paged in after it.
        const ids = new Set(r.items.map((c) => c.id));
        const rest = s.loaded === want ? s.items.filter((c) => !ids.has(c.id)) : [];
        const more = s.loaded === want && rest.length > 0;
        return { items: [...r.items, ...rest], counts: r.counts, cursor: more ? s.cursor : r.next_cursor, loading: false, error: null, loaded: want };
      });
    }),
    [shop.id],
  );

  useEffect(() => {
    setList((s) => ({ ...s, items: [], loading: true, error: null, loaded: '' }));
    get(`/v1/shops/${shop.id}/conversations${qs({ filter: tab, limit: PAGE })}`).then(
      (r) => {
        if (tabRef.current !== tab) return;
        remember(r.items);
        setList({ items: r.items, counts: r.counts, cursor: r.next_cursor, loading: false, error: null, loaded: tab });
      },
      (error) => setList((s) => ({ ...s, loading: false, error })),
    );
  }, [shop.id, tab]);

  const more = async () => {
    const r = await get(`/v1/shops/${shop.id}/conversations${qs({ filter: tab, limit: PAGE, cursor: list.cursor })}`);
    remember(r.items);
    setList((s) => {
      const ids = new Set(s.items.map((c) => c.id));
      return { ...s, items: [...s.items, ...r.items.filter((c) => !ids.has(c.id))], cursor: r.next_cursor };
    });
  };

  const convRef = useRef(convId);
  convRef.current = convId;
  // The open conversation's row follows its thread at once (no request);
  // the list and counts are reloaded a moment later to agree with the
  // server. Another conversation's message reloads the list sooner. A
  // burst of events makes one reload: a pending one is only brought
  // forward, never repeated.
  const reconcile = useRef({ timer: 0, at: 0 });
  const reloadWithin = (ms) => {
    const p = reconcile.current;
    const at = Date.now() + ms;
    if (p.timer && p.at <= at) return;
    clearTimeout(p.timer);
    p.at = at;
    p.timer = setTimeout(() => {
      p.timer = 0;
      loadFirst();
    }, ms);
  };
  const reloadFor = (conversationId) => reloadWithin(conversationId === convRef.current ? 1500 : 200);
  useEffect(() => () => clearTimeout(reconcile.current.timer), []);
  useEffect(
    () =>
      onEvent('message.created', (ev) => {
        if (ev.shop_id !== shop.id) return;
        reloadFor(ev.data?.conversation_id);
        if (ev.data?.sender === 'buyer' && soundRef.current) chime();
      }),
    [shop.id],
  );
  // Whatever came before the stream (re)connected without a replay.
  useEffect(() => onConnect(loadFirst), [shop.id]);
  const onNewest = useCallback((id, m) => {
    setList((s) => {
      const c = s.items.find((x) => x.id === id);
      if (!c || (c.last_message && c.last_message.id >= m.id)) return s;
      const awaiting = m.sender === 'buyer' ? true : m.sender === 'auto' ? c.awaiting_reply : false;
      const row = { ...c, last_message: { id: m.id, type: m.type, sender: m.sender, preview: previewOf(m), created_at: m.created_at }, last_activity_at: m.created_at, awaiting_reply: awaiting };
      return { ...s, items: [row, ...s.items.filter((x) => x.id !== id)] };
    });
  }, []);
  useEffect(
    () =>
      onEvent('conversation.read', (ev) => {
        if (ev.shop_id !== shop.id || ev.data?.reader !== 'merchant') return;
        reloadFor(ev.data.conversation_id);
      }),
    [shop.id],
  );

  const toggleSound = (e) => {
    const on = e.currentTarget.checked;
    setSound(on);
    localStorage.setItem(SOUND, on ? '1' : '0');
    if (on) chime();
  };

  // Reading a conversation zeroes its unread count here at once.
  const markedRead = (id) => {
    setList((s) => {
      const was = s.items.find((c) => c.id === id);
      if (!was || !was.unread_count) return s;
      const counts = s.counts && { ...s.counts, unread: Math.max(0, s.counts.unread - 1) };
      return { ...s, counts, items: s.items.map((c) => (c.id === id ? { ...c, unread_count: 0 } : c)) };
    });
    refreshShopsSoon();
  };

  const conv = list.items.find((c) => c.id === convId) || known[convId] || null;
  const counts = list.counts || {};
  const tabs = [
    { id: 'all', label: t('chat.all'), count: counts.all },
    { id: 'unread', label: t('chat.unread'), count: counts.unread },
    { id: 'unreplied', label: t('chat.unreplied'), count: counts.unreplied },
  ];

  return html`<section class=${`chat ${convId ? 'has-thread' : 'no-thread'} ${showOrders ? 'show-orders' : ''}`}>
    <div class="chat-head">
      <h1>${t('chat.title')}</h1>
      <label class="chat-sound"><input type="checkbox" checked=${sound} onChange=${toggleSound} /> ${t('chat.sound')}</label>
      <button type="button" onClick=${() => setDialog('settings')}>${t('chat.settings')}</button>
    </div>
    <div class="chat-body">
      <section class="chat-list" aria-label=${t('chat.list')}>
        <${SearchBox} value=${search} />
        ${search
          ? html`<${SearchResults} shop=${shop} q=${search} />`
          : html`<${Tabs} tabs=${tabs} value=${tab} label=${t('chat.tabs')} onChange=${(id) => setQuery({ tab: id === 'all' ? undefined : id })} />
              ${list.error && html`<${ErrorBox} error=${list.error} />`}
              ${list.loading && list.items.length === 0 && html`<${Loading} />`}
              ${!list.loading && !list.error && list.items.length === 0 && html`<${Empty} text=${t('chat.none')} />`}
              <ul class="conv-list">
                ${list.items.map((c) => html`<${ConvRow} key=${c.id} c=${c} current=${c.id === convId} />`)}
              </ul>
              ${list.cursor && html`<${ActionButton} className="more" onClick=${more}>${t('ui.more')}<//>`}`}
      </section>
      ${convId
        ? html`<${Thread} key=${convId} shop=${shop} convId=${convId} conv=${conv} onRead=${markedRead} onNewest=${onNewest}
              onTool=${setDialog} showOrders=${showOrders} toggleOrders=${() => setShowOrders((v) => !v)} />
            <${OrdersPanel} key=${`o${convId}`} convId=${convId} onClose=${() => setShowOrders(false)} />`
        : html`<section class="chat-thread chat-empty" aria-label=${t('chat.messages')}><p class="muted">${t('chat.pick')}</p></section>`}
    </div>
    <${QuickReplies} open=${dialog === 'quick'} shop=${shop} convId=${convId} onClose=${() => setDialog('')} />
    <${ProductPicker} open=${dialog === 'products'} shop=${shop} convId=${convId} onClose=${() => setDialog('')} />
    <${ImagePicker} open=${dialog === 'images'} shop=${shop} convId=${convId} onClose=${() => setDialog('')} />
    <${AutoReplySettings} open=${dialog === 'settings'} shop=${shop} onClose=${() => setDialog('')} />
  </section>`;
}

function ConvRow({ c, current }) {
  const name = c.buyer?.name || '';
  return html`<li class=${`conv ${current ? 'current' : ''}`}>
    <button type="button" class="conv-open" aria-current=${current ? 'true' : undefined}
      onClick=${() => setQuery({ c: c.id })}>
      <span class="conv-top">
        <span class="conv-name">${name}</span>
        <${Time} iso=${c.last_activity_at} />
      </span>
      <span class="conv-bottom">
        <span class="conv-preview">${c.last_message?.sender === 'merchant' ? `${t('chat.you')}: ` : ''}${preview(c)}</span>
        ${c.awaiting_reply && html`<span class="conv-awaiting">${t('chat.awaiting')}</span>`}
        ${c.unread_count > 0 && html`<span class="badge" aria-label=${t('chat.unreadN', { n: c.unread_count })}>${c.unread_count > 99 ? '99+' : c.unread_count}</span>`}
      </span>
    </button>
  </li>`;
}

function SearchBox({ value }) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  const submit = (e) => {
    e.preventDefault();
    setQuery({ q: text.trim() || undefined });
  };
  return html`<form class="chat-search" role="search" onSubmit=${submit}>
    <label class="sr-only" for="chat-q">${t('chat.search')}</label>
    <input id="chat-q" type="search" maxlength="100" placeholder=${t('chat.search')} value=${text} onInput=${(e) => setText(e.currentTarget.value)} />
    <button type="submit">${t('chat.searchGo')}</button>
    ${value && html`<button type="button" class="link" onClick=${() => setQuery({ q: undefined })}>${t('chat.searchClear')}</button>`}
  </form>`;
}

function SearchResults({ shop, q }) {
  const [state, setState] = useState({ items: [], cursor: null, loading: true, error: null });
  const load = (cursor) =>
    get(`/v1/shops/${shop.id}/messages/search${qs({ q, cursor, limit: 20 })}`).then(
      (r) => setState((s) => ({ items: cursor ? [...s.items, ...r.items] : r.items, cursor: r.next_cursor, loading: false, error: null })),
      (error) => setState((s) => ({ ...s, loading: false, error })),
    );
  useEffect(() => {
    setState({ items: [], cursor: null, loading: true, error: null });
    load(null);
  }, [q, shop.id]);
  return html`<div class="chat-results" aria-label=${t('chat.results')}>
    ${state.error && html`<${ErrorBox} error=${state.error} />`}
    ${state.loading && html`<${Loading} />`}
    ${!state.loading && !state.error && state.items.length === 0 && html`<${Empty} text=${t('chat.searchNone')} />`}
    <ul class="conv-list">
      ${state.items.map(
        (hit) => html`<li class="conv" key=${hit.message.id}>
          <button type="button" class="conv-open" onClick=${() => setQuery({ c: hit.conversation.id })}>
            <span class="conv-top"><span class="conv-name">${hit.conversation.buyer.name}</span><${Time} iso=${hit.message.created_at} /></span>
            <span class="conv-hit">${highlighted(hit.highlight)}</span>
          </button>
        </li>`,
      )}
    </ul>
    ${state.cursor && html`<${ActionButton} className="more" onClick=${() => load(state.cursor)}>${t('ui.more')}<//>`}
  </div>`;
}

// Sends a message of the merchant's side; resolves with it.
export function send(convId, body) {
  return post(`/v1/conversations/${convId}/messages`, body, { key: idempotencyKey() });
}
// The open thread hears of messages it sent itself at once.
const sentHere = new Set();
function notifySent(m) {
  for (const fn of sentHere) fn(m);
}

function Thread({ shop, convId, conv, onRead, onNewest, onTool, showOrders, toggleOrders }) {
  const [msgs, setMsgs] = useState({ items: [], hasMore: false, loading: true, error: null });
  // How far the buyer has read: the conversation's marker on load, then
  // live conversation.read events (and the replies to our own reads).
  const [buyerRead, setBuyerRead] = useState(conv?.peer_read_up_to || 0);
  const peerRead = conv?.peer_read_up_to || 0;
  useEffect(() => {
    if (peerRead) setBuyerRead((v) => Math.max(v, peerRead));
  }, [peerRead]);
  const [text, setText] = useState('');
  const scroller = useRef(null);
  const atBottom = useRef(true);
  const lastRead = useRef(0);
  const lastId = useRef(0);
  const loaded = useRef(false);
  const missed = useRef(false); // an event came before the first page

  const merge = (items, older) => {
    for (const m of items) lastId.current = Math.max(lastId.current, m.id);
    setMsgs((s) => {
      const ids = new Set(s.items.map((m) => m.id));
      const add = items.filter((m) => !ids.has(m.id));
      if (!add.length) return s;
      const all = older ? [...add, ...s.items] : [...s.items, ...add].sort((a, b) => a.id - b.id);
      return { ...s, items: all };
    });
  };

  const catchUp = useCallback(
    coalesced(async () => {
      // Before the first page came there is nothing to catch up with.
      if (!loaded.current) {
        missed.current = true;
        return;
      }
      for (;;) {
        const after = lastId.current || undefined;
        const r = await get(`/v1/conversations/${convId}/messages${qs({ after, limit: 100 })}`);
        merge(r.items, false);
        if (!after || !r.has_more || !r.items.length) break;
      }
    }),
    [convId],
  );

  useEffect(() => {
    get(`/v1/conversations/${convId}/messages${qs({ limit: 50 })}`).then(
      (r) => {
        lastId.current = Math.max(lastId.current, r.items.length ? r.items[r.items.length - 1].id : 0);
        loaded.current = true;
        setMsgs((s) => {
          // Sent or caught up while the page loaded: kept.
          const ids = new Set(r.items.map((m) => m.id));
          return { items: [...r.items, ...s.items.filter((m) => !ids.has(m.id))].sort((a, b) => a.id - b.id), hasMore: r.has_more, loading: false, error: null };
        });
        if (missed.current) catchUp();
      },
      (error) => setMsgs((s) => ({ ...s, loading: false, error })),
    );
    const offs = [
      onEvent('message.created', (ev) => {
        if (ev.data?.conversation_id === convId) catchUp();
      }),
      onEvent('conversation.read', (ev) => {
        if (ev.data?.conversation_id === convId && ev.data.reader === 'buyer') setBuyerRead((v) => Math.max(v, ev.data.up_to_message_id));
      }),
    ];
    offs.push(onConnect(catchUp));
    const onSent = (m) => m.conversation_id === convId && merge([m], false);
    sentHere.add(onSent);
    return () => {
      offs.forEach((f) => f());
      sentHere.delete(onSent);
    };
  }, [convId]);

  const newest = msgs.items[msgs.items.length - 1];
  useEffect(() => {
    if (newest && !msgs.loading) onNewest(convId, newest);
  }, [newest?.id]);

  // Viewing the newest buyer message reads it (moves the shop's marker).
  const newestBuyer = [...msgs.items].reverse().find((m) => m.sender === 'buyer');
  useEffect(() => {
    if (!newestBuyer || newestBuyer.id <= lastRead.current || document.visibilityState === 'hidden') return;
    lastRead.current = newestBuyer.id;
    post(`/v1/conversations/${convId}/read`, { up_to_message_id: newestBuyer.id }).then(
      (c) => {
        onRead(convId);
        if (c?.peer_read_up_to) setBuyerRead((v) => Math.max(v, c.peer_read_up_to));
      },
      () => {},
    );
  }, [newestBuyer?.id]);

  // Stay at the bottom as messages come, unless scrolled up to read.
  useEffect(() => {
    const el = scroller.current;
    if (el && atBottom.current) el.scrollTop = el.scrollHeight;
  }, [msgs.items.length]);

  const older = async () => {
    const el = scroller.current;
    const h = el ? el.scrollHeight : 0;
    const r = await get(`/v1/conversations/${convId}/messages${qs({ before: msgs.items[0]?.id, limit: 50 })}`);
    merge(r.items, true);
    setMsgs((s) => ({ ...s, hasMore: r.has_more }));
    requestAnimationFrame(() => el && (el.scrollTop = el.scrollHeight - h));
  };

  const sendText = async () => {
    const body = text.trim();
    if (!body) return;
    const m = await send(convId, { type: 'text', text: body });
    setText('');
    atBottom.current = true;
    merge([m], false);
  };
  const onKey = (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      e.currentTarget.form?.requestSubmit();
    }
  };
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    try {
      await sendText();
    } catch (err) {
      toast(err.message || t('ui.error'), 'bad');
    } finally {
      setBusy(false);
    }
  };

  const name = conv?.buyer?.name || '';
  return html`<section class="chat-thread" aria-label=${t('chat.messages')}>
    <div class="thread-head">
      <button type="button" class="thread-back" onClick=${() => setQuery({ c: undefined })}>← ${t('chat.back')}</button>
      <h2 class="thread-name">${name}</h2>
      <button type="button" class="orders-toggle" aria-expanded=${showOrders ? 'true' : 'false'} onClick=${toggleOrders}>${t('chat.orders')}</button>
    </div>
    <div class="thread-msgs" ref=${scroller} tabindex="0" aria-label=${t('chat.messages')}
      onScroll=${(e) => {
        const el = e.currentTarget;
        atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
      }}>
      ${msgs.hasMore && html`<${ActionButton} className="more" onClick=${older}>${t('chat.older')}<//>`}
      ${msgs.loading && html`<${Loading} />`}
      ${msgs.error && html`<${ErrorBox} error=${msgs.error} />`}
      <ol class="msgs" aria-live="polite">
        ${msgs.items.map((m) => html`<${Msg} key=${m.id} m=${m} name=${name} read=${buyerRead >= m.id} />`)}
      </ol>
    </div>
    <form class="composer" onSubmit=${submit}>
      <div class="composer-tools" role="group" aria-label=${t('chat.tools')}>
        <button type="button" onClick=${() => onTool('quick')}>${t('chat.quick')}</button>
        <button type="button" onClick=${() => onTool('products')}>${t('chat.products')}</button>
        <button type="button" onClick=${() => onTool('images')}>${t('chat.images')}</button>
      </div>
      <label class="sr-only" for="chat-input">${t('chat.input')}</label>
      <textarea id="chat-input" maxlength="2000" rows="2" placeholder=${t('chat.input')} value=${text}
        onInput=${(e) => setText(e.currentTarget.value)} onKeyDown=${onKey}></textarea>
      <button type="submit" class="primary" disabled=${busy || !text.trim()}>${t('chat.send')}</button>
    </form>
  </section>`;
}

function ProductSnap({ p }) {
  return html`<span class="card-product">
    ${p.image && html`<img src=${p.image} alt="" loading="lazy" />`}
    <span class="card-title">${p.title}</span>
    <span class="money">${p.price_cents === null ? t('chat.noPrice') : fmtMoney(p.price_cents)}</span>
  </span>`;
}

function Msg({ m, name, read }) {
  const mine = m.sender === 'merchant';
  const who = m.sender === 'auto' ? t('chat.auto') : mine ? t('chat.you') : name;
  let body;
  if (m.type === 'text') body = html`<p class="msg-text">${m.text}</p>`;
  else if (m.type === 'image') body = html`<img class="msg-image" src=${m.url} alt=${t('chat.imageAlt')} loading="lazy" />`;
  else if (m.type === 'product_card') body = html`<div class="msg-card"><${ProductSnap} p=${m.card} /></div>`;
  else if (m.type === 'products_card')
    body = html`<ul class="msg-card msg-products">${(m.card?.products || []).map((p) => html`<li key=${p.product_id}><${ProductSnap} p=${p} /></li>`)}</ul>`;
  else if (m.type === 'order_card')
    body = html`<div class="msg-card msg-order">
      <span class="card-title">${m.card.title || ''}</span>
      <span>${t('chat.orderSn', { sn: m.card.order_sn })}</span>
      <span>${t(`chat.st.${m.card.status}`)} · <span class="money">${fmtMoney(m.card.total_cents)}</span></span>
    </div>`;
  else body = html`<p class="msg-text muted">${m.type}</p>`;
  return html`<li class=${`msg ${mine || m.sender === 'auto' ? 'out' : 'in'} ${m.sender}`} data-id=${m.id}>
    <span class="msg-meta">${who} · <${Time} iso=${m.created_at} />${mine && read ? html` · <span class="msg-read">${t('chat.read')}</span>` : ''}</span>
    ${body}
  </li>`;
}

function OrdersPanel({ convId, onClose }) {
  const [state, setState] = useState({ items: [], cursor: null, loading: true, error: null });
  const load = (cursor) =>
    get(`/v1/conversations/${convId}/orders${qs({ cursor, limit: 10 })}`).then(
      (r) => setState((s) => ({ items: cursor ? [...s.items, ...r.items] : r.items, cursor: r.next_cursor, loading: false, error: null })),
      (error) => setState((s) => ({ ...s, loading: false, error })),
    );
  useEffect(() => {
    load(null);
  }, [convId]);
  const sendOrder = async (o) => {
    notifySent(await send(convId, { type: 'order_card', order_id: o.id }));
    toast(t('chat.sent'));
    onClose();
  };
  return html`<aside class="chat-orders" aria-label=${t('chat.ordersOf')}>
    <h2>${t('chat.ordersOf')}</h2>
    ${state.error && html`<${ErrorBox} error=${state.error} />`}
    ${state.loading && html`<${Loading} />`}
    ${!state.loading && !state.error && state.items.length === 0 && html`<${Empty} text=${t('chat.noOrders')} />`}
    <ul class="order-list">
      ${state.items.map(
        (o) => html`<li key=${o.id} class="order-item">
          <span class="card-title">${o.items?.[0]?.title || ''}</span>
          <span class="muted">${t('chat.orderSn', { sn: o.order_sn })}</span>
          <span>${t(`chat.st.${o.status}`)} · <span class="money">${fmtMoney(o.amounts?.total_cents)}</span></span>
          <${ActionButton} label=${`${t('chat.sendOrder')} ${o.order_sn}`} onClick=${() => sendOrder(o)}>${t('chat.sendOrder')}<//>
        </li>`,
      )}
    </ul>
    ${state.cursor && html`<${ActionButton} className="more" onClick=${() => load(state.cursor)}>${t('ui.more')}<//>`}
  </aside>`;
}

// 快捷回复: pick one to send it; or manage the groups and replies.
function QuickReplies({ open, shop, convId, onClose }) {
  const [state, setState] = useState({ items: null, error: null });
  const [manage, setManage] = useState(false);
  const [form, setForm] = useState({ group: '', text: '' });
  const [editing, setEditing] = useState(null); // {id, group, text}
  const load = () =>
    get(`/v1/shops/${shop.id}/quick-replies`).then(
      (r) => setState({ items: r.items, error: null }),
      (error) => setState({ items: [], error }),
    );
  useEffect(() => {
    if (open) load();
    else setManage(false);
  }, [open]);
  const groups = new Map();
  for (const q of state.items || []) {
    if (!groups.has(q.group)) groups.set(q.group, []);
    groups.get(q.group).push(q);
  }
  const pick = async (q) => {
    notifySent(await send(convId, { type: 'text', quick_reply_id: q.id }));
    onClose();
  };
  const add = async () => {
    if (!form.text.trim()) return;
    await post(`/v1/shops/${shop.id}/quick-replies`, { text: form.text.trim(), group: form.group.trim() }, { key: idempotencyKey() });
    setForm({ group: form.group, text: '' });
    await load();
  };
  const save = async () => {
    await patch(`/v1/shops/${shop.id}/quick-replies/${editing.id}`, { text: editing.text.trim(), group: editing.group.trim() });
    setEditing(null);
    await load();
  };
  const remove = async (q) => {
    await del(`/v1/shops/${shop.id}/quick-replies/${q.id}`);
    await load();
  };
  return html`<${Dialog} open=${open} title=${t('chat.quick')} onClose=${onClose} className="wide">
    ${state.error && html`<${ErrorBox} error=${state.error} />`}
    ${state.items === null && html`<${Loading} />`}
    ${state.items && state.items.length === 0 && html`<${Empty} text=${t('chat.qrNone')} />`}
    <div class="qr-groups">
      ${[...groups].map(
        ([g, items]) => html`<section class="qr-group" key=${g}>
          <h3>${g || t('chat.qrUngrouped')}</h3>
          <ul class="qr-list">
            ${items.map((q) =>
              manage && editing?.id === q.id
                ? html`<li key=${q.id} class="qr-edit">
                    <${Field} label=${t('chat.qrGroup')}><input maxlength="50" value=${editing.group} onInput=${(e) => setEditing({ ...editing, group: e.currentTarget.value })} /><//>
                    <${Field} label=${t('chat.qrText')}><textarea maxlength="500" value=${editing.text} onInput=${(e) => setEditing({ ...editing, text: e.currentTarget.value })}></textarea><//>
                    <div class="actions">
                      <button type="button" onClick=${() => setEditing(null)}>${t('ui.cancel')}</button>
                      <${ActionButton} className="primary" onClick=${save}>${t('chat.qrSave')}<//>
                    </div>
                  </li>`
                : html`<li key=${q.id} class="qr-item">
                    ${manage
                      ? html`<span class="qr-text">${q.text}</span>
                          <button type="button" aria-label=${`${t('chat.qrEdit')} ${q.text}`} onClick=${() => setEditing({ id: q.id, group: q.group, text: q.text })}>${t('chat.qrEdit')}</button>
                          <${ActionButton} className="danger" label=${`${t('chat.qrDelete')} ${q.text}`} onClick=${() => remove(q)}>${t('chat.qrDelete')}<//>`
                      : html`<${ActionButton} className="qr-pick" disabled=${!convId} label=${t('chat.qrSend', { text: q.text })} onClick=${() => pick(q)}>${q.text}<//>`}
                  </li>`,
            )}
          </ul>
        </section>`,
      )}
    </div>
    ${manage &&
    html`<form class="qr-add" onSubmit=${(e) => e.preventDefault()}>
      <h3>${t('chat.qrAdd')}</h3>
      <${Field} label=${t('chat.qrGroup')}><input maxlength="50" value=${form.group} onInput=${(e) => setForm({ ...form, group: e.currentTarget.value })} /><//>
      <${Field} label=${t('chat.qrText')}><textarea maxlength="500" value=${form.text} onInput=${(e) => setForm({ ...form, text: e.currentTarget.value })}></textarea><//>
      <div class="actions"><${ActionButton} className="primary" disabled=${!form.text.trim()} onClick=${add}>${t('chat.qrAdd')}<//></div>
    </form>`}
    <div class="actions">
      <button type="button" onClick=${() => { setManage(!manage); setEditing(null); }}>${manage ? t('chat.qrDone') : t('chat.qrManage')}</button>
      <button type="button" onClick=${onClose}>${t('ui.close')}</button>
    </div>
  <//>`;
}

// Products of the shop to send: one as a product card, 2 to 10 as a
// multi-product card.
function ProductPicker({ open, shop, convId, onClose }) {
  const [state, setState] = useState({ items: null, cursor: null, error: null });
  const [picked, setPicked] = useState([]);
  const load = (cursor) =>
    get(`/v1/shops/${shop.id}/products${qs({ cursor, limit: 50 })}`).then(
      (r) => setState((s) => ({ items: cursor ? [...(s.items || []), ...r.items] : r.items, cursor: r.next_cursor, error: null })),
      (error) => setState({ items: [], cursor: null, error }),
    );
  useEffect(() => {
    if (open) {
      setPicked([]);
      load(null);
    }
  }, [open]);
  const toggle = (id) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : p.length >= 10 ? p : [...p, id]));
  const sendCard = async () => {
    const body = picked.length === 1 ? { type: 'product_card', product_id: picked[0] } : { type: 'products_card', product_ids: picked };
    notifySent(await send(convId, body));
    onClose();
  };
  const price = (p) => {
    const ps = (p.skus || []).map((s) => s.price_cents);
    return ps.length ? fmtMoney(Math.min(...ps)) : t('chat.noPrice');
  };
  return html`<${Dialog} open=${open} title=${t('chat.pickProducts')} onClose=${onClose} className="wide">
    <p class="muted">${t('chat.pickHint')}</p>
    ${state.error && html`<${ErrorBox} error=${state.error} />`}
    ${state.items === null && html`<${Loading} />`}
    ${state.items && state.items.length === 0 && html`<${Empty} text=${t('chat.noProducts')} />`}
    <ul class="pick-list">
      ${(state.items || []).map(
        (p) => html`<li key=${p.id}><label class="pick-item">
          <input type="checkbox" checked=${picked.includes(p.id)} onChange=${() => toggle(p.id)} />
          ${p.images?.[0] && html`<img src=${p.images[0]} alt="" loading="lazy" />`}
          <span class="card-title">${p.title}</span> <span class="money">${price(p)}</span>
        </label></li>`,
      )}
    </ul>
    ${state.cursor && html`<${ActionButton} className="more" onClick=${() => load(state.cursor)}>${t('ui.more')}<//>`}
    <div class="actions">
      <button type="button" onClick=${onClose}>${t('ui.cancel')}</button>
      <${ActionButton} className="primary" disabled=${!convId || picked.length === 0} onClick=${sendCard}>${t('chat.sendCard', { n: picked.length })}<//>
    </div>
  <//>`;
}

function ImagePicker({ open, shop, convId, onClose }) {
  const [state, setState] = useState({ items: null, cursor: null, error: null });
  const load = (cursor) =>
    get(`/v1/shops/${shop.id}/images${qs({ cursor, limit: 40 })}`).then(
      (r) => setState((s) => ({ items: cursor ? [...(s.items || []), ...r.items] : r.items, cursor: r.next_cursor, error: null })),
      (error) => setState({ items: [], cursor: null, error }),
    );
  useEffect(() => {
    if (open) load(null);
  }, [open]);
  const pick = async (img) => {
    notifySent(await send(convId, { type: 'image', image_id: img.id }));
    onClose();
  };
  return html`<${Dialog} open=${open} title=${t('chat.pickImage')} onClose=${onClose} className="wide">
    ${state.error && html`<${ErrorBox} error=${state.error} />`}
    ${state.items === null && html`<${Loading} />`}
    ${state.items && state.items.length === 0 && html`<${Empty} text=${t('chat.noImages')} />`}
    <ul class="image-grid">
      ${(state.items || []).map(
        (img) => html`<li key=${img.id}>
          <${ActionButton} className="image-pick" disabled=${!convId} label=${t('chat.sendImage', { name: img.name })} onClick=${() => pick(img)}>
            <img src=${img.urls.thumb} alt="" loading="lazy" /><span class="image-name">${img.name}</span>
          <//>
        </li>`,
      )}
    </ul>
    ${state.cursor && html`<${ActionButton} className="more" onClick=${() => load(state.cursor)}>${t('ui.more')}<//>`}
    <div class="actions"><button type="button" onClick=${onClose}>${t('ui.close')}</button></div>
  <//>`;
}

// 自动回复: greeting, keyword rules (first match wins) and the away message
// with the business hours.
function AutoReplySettings({ open, shop, onClose }) {
  const [form, setForm] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    if (!open) return;
    setForm(null);
    setError(null);
    get(`/v1/shops/${shop.id}/auto-reply`).then(
      (r) =>
        setForm({
          greetingOn: r.greeting !== null,
          greeting: r.greeting || '',
          rules: r.keyword_rules.map((x) => ({ ...x })),
          awayOn: r.away !== null,
          away: r.away?.message || '',
          hours: (r.away?.hours || []).map((x) => ({ ...x })),
        }),
      setError,
    );
  }, [open]);
  const set = (k, v) => setForm((f) => ({ ...f, [k]: v }));
  const setRow = (k, i, field, v) => setForm((f) => ({ ...f, [k]: f[k].map((x, j) => (j === i ? { ...x, [field]: v } : x)) }));
  const save = async () => {
    setError(null);
    try {
      await put(`/v1/shops/${shop.id}/auto-reply`, {
        greeting: form.greetingOn ? form.greeting : null,
        keyword_rules: form.rules,
        away: form.awayOn ? { message: form.away, hours: form.hours.map((h) => ({ ...h, weekday: Number(h.weekday) })) } : null,
      });
      toast(t('ui.saved'));
      onClose();
    } catch (err) {
      setError(err);
    }
  };
  const f = form;
  return html`<${Dialog} open=${open} title=${t('chat.settings')} onClose=${onClose} className="wide">
    <${ErrorBox} error=${error} />
    ${!f && !error && html`<${Loading} />`}
    ${f &&
    html`<form class="auto-reply" onSubmit=${(e) => e.preventDefault()}>
      <fieldset>
        <legend>${t('chat.greeting')}</legend>
        <label class="check"><input type="checkbox" checked=${f.greetingOn} onChange=${(e) => set('greetingOn', e.currentTarget.checked)} /> ${t('chat.greetingOn')}</label>
        ${f.greetingOn && html`<${Field} label=${t('chat.greeting')}><textarea maxlength="500" value=${f.greeting} onInput=${(e) => set('greeting', e.currentTarget.value)}></textarea><//>`}
      </fieldset>
      <fieldset>
        <legend>${t('chat.keywords')}</legend>
        ${f.rules.map(
          (r, i) => html`<div class="rule-row" key=${i}>
            <${Field} label=${`${t('chat.keyword')} ${i + 1}`}><input maxlength="50" value=${r.keyword} onInput=${(e) => setRow('rules', i, 'keyword', e.currentTarget.value)} /><//>
            <${Field} label=${`${t('chat.reply')} ${i + 1}`}><input maxlength="500" value=${r.reply} onInput=${(e) => setRow('rules', i, 'reply', e.currentTarget.value)} /><//>
            <button type="button" class="danger" aria-label=${t('chat.removeRule', { n: i + 1 })} onClick=${() => set('rules', f.rules.filter((_, j) => j !== i))}>×</button>
          </div>`,
        )}
        <button type="button" disabled=${f.rules.length >= 50} onClick=${() => set('rules', [...f.rules, { keyword: '', reply: '' }])}>${t('chat.addRule')}</button>
      </fieldset>
      <fieldset>
        <legend>${t('chat.away')}</legend>
        <label class="check"><input type="checkbox" checked=${f.awayOn} onChange=${(e) => set('awayOn', e.currentTarget.checked)} /> ${t('chat.awayOn')}</label>
        ${f.awayOn &&
        html`<${Field} label=${t('chat.awayMsg')}><textarea maxlength="500" value=${f.away} onInput=${(e) => set('away', e.currentTarget.value)}></textarea><//>
          <p class="field-title">${t('chat.hours')}</p>
          ${f.hours.map(
            (h, i) => html`<div class="rule-row" key=${i}>
              <${Field} label=${`${t('chat.weekday')} ${i + 1}`}>
                <select value=${String(h.weekday)} onChange=${(e) => setRow('hours', i, 'weekday', Number(e.currentTarget.value))}>
                  ${[1, 2, 3, 4, 5, 6, 7].map((d) => html`<option value=${String(d)}>${t(`chat.wd${d}`)}</option>`)}
                </select>
              <//>
              <${Field} label=${`${t('chat.open')} ${i + 1}`}><input type="time" value=${h.open} onInput=${(e) => setRow('hours', i, 'open', e.currentTarget.value)} /><//>
              <${Field} label=${`${t('chat.close')} ${i + 1}`}><input value=${h.close} pattern="([01][0-9]|2[0-3]):[0-5][0-9]|24:00" onInput=${(e) => setRow('hours', i, 'close', e.currentTarget.value)} /><//>
              <button type="button" class="danger" aria-label=${t('chat.removeHours', { n: i + 1 })} onClick=${() => set('hours', f.hours.filter((_, j) => j !== i))}>×</button>
            </div>`,
          )}
          <button type="button" onClick=${() => set('hours', [...f.hours, { weekday: 1, open: '09:00', close: '21:00' }])}>${t('chat.addHours')}</button>`}
      </fieldset>
      <div class="actions">
        <button type="button" onClick=${onClose}>${t('ui.cancel')}</button>
        <${ActionButton} className="primary" onClick=${save}>${t('chat.save')}<//>
      </div>
    </form>`}
  <//>`;
}

export default {
  id: 'chat',
  label: 'chat.label',
  roles: ['merchant'],
  badge: (counts) => counts.unread_conversations,
  component: Chat,
};
