// The console's shell: the login screen, then the header (shop switcher
// with each shop's badge counts, language, account), the navigation of the
// pages the caller's role and permissions allow, the current page, and the
// dialog shown when the account logs in elsewhere.
import { useEffect, useState } from 'preact/hooks';
import { get, post } from './api.js';
import * as events from './events.js';
import { lang, setLang, t, strings, fmtTime } from './i18n.js';
import { route, navigate, href, onLinkClick } from './router.js';
import { app, signIn, forget, setShop, currentShop, lastUsername, session } from './session.js';
import { useStore } from './store.js';
import { html, Badge, Dialog, ErrorBox, Field, ReasonPrompt, Toasts, Loading, useSubmit } from './ui.js';
import { pages } from './pages/index.js';
import { refreshShops, refreshShopsSoon } from './shops.js';

strings(
  {
    'app.title': '拼多多商家版', 'app.login': '登录', 'app.username': '账号', 'app.password': '密码',
    'app.loggingIn': '登录中…', 'app.logout': '退出登录', 'app.shop': '店铺', 'app.switchShop': '切换店铺',
    'app.nav': '导航', 'app.lang': 'English', 'app.noShop': '还没有店铺', 'app.buyerNotHere': '买家账号请使用买家App。本控制台供商家与平台人员使用。',
    'app.elsewhere': '账户在别处登陆', 'app.elsewhereText': '您的账号于 {time} 在 {device} 登录。如非本人操作，请及时修改密码。',
    'app.elsewhereUnknown': '您的账号已在其他设备登录。', 'app.ended': '登录已失效', 'app.endedText': '登录已过期或已退出，请重新登录。',
    'app.refresh': '刷新', 'app.quit': '退出', 'app.reloginHint': '在本设备重新登录', 'app.notFound': '页面不存在',
    'app.counts.to_ship': '待发货', 'app.counts.under_review': '审核中', 'app.counts.unread_conversations': '未读会话',
    'app.counts.after_sales_open': '售后', 'app.counts.unread_letters': '未读站内信', 'app.offline': '实时连接已断开，正在重连…',
    'app.skip': '跳到主要内容',
  },
  {
    'app.title': 'Merchant console', 'app.login': 'Log in', 'app.username': 'Username', 'app.password': 'Password',
    'app.loggingIn': 'Logging in…', 'app.logout': 'Log out', 'app.shop': 'Shop', 'app.switchShop': 'Switch shop',
    'app.nav': 'Navigation', 'app.lang': '中文', 'app.noShop': 'No shop yet', 'app.buyerNotHere': 'Buyer accounts use the buyer app. This console is for merchants and platform staff.',
    'app.elsewhere': 'Logged in elsewhere', 'app.elsewhereText': 'Your account logged in on {device} at {time}. If this was not you, change your password.',
    'app.elsewhereUnknown': 'Your account logged in on another device.', 'app.ended': 'Session ended', 'app.endedText': 'The session expired or was logged out. Please log in again.',
    'app.refresh': 'Refresh', 'app.quit': 'Log out', 'app.reloginHint': 'Log in again on this device', 'app.notFound': 'No such page',
    'app.counts.to_ship': 'To ship', 'app.counts.under_review': 'Under review', 'app.counts.unread_conversations': 'Unread chats',
    'app.counts.after_sales_open': 'After-sales', 'app.counts.unread_letters': 'Unread letters', 'app.offline': 'Real-time connection lost, reconnecting…',
    'app.skip': 'Skip to main content',
  },
);

const COUNT_KEYS = ['to_ship', 'under_review', 'unread_conversations', 'after_sales_open', 'unread_letters'];

// The device name this browser logs in with (shown to the other device
// when this one replaces it).
function deviceName() {
  const ua = navigator.userAgent;
  const browser = /Edg\//.test(ua) ? 'Edge' : /Chrome\//.test(ua) ? 'Chrome' : /Firefox\//.test(ua) ? 'Firefox' : /Safari\//.test(ua) ? 'Safari' : 'Browser';
  const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Windows/.test(ua) ? 'Windows' : /Mac OS/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : '';
  return `Web · ${browser}${os ? ` · ${os}` : ''}`;
}

async function loadAccount() {
  const me = await get('/v1/me');
  const { shops, ...account } = me;
  app.set({ account });
  await refreshShops();
}

// Signs in with username and password; returns nothing or throws the API's error.
async function logIn(username, password) {
  const r = await post('/v1/auth/login', { username, password, device: deviceName() }, { token: '' });
  events.stop();
  events.reset();
  signIn(r.token, r.account);
  await loadAccount();
  events.start();
}

function LoginForm({ fixedUser, onDone }) {
  const [username, setUsername] = useState(fixedUser || lastUsername());
  const [password, setPassword] = useState('');
  const [wait, setWait] = useState(0);
  useEffect(() => {
    if (wait <= 0) return undefined;
    const id = setTimeout(() => setWait(wait - 1), 1000);
    return () => clearTimeout(id);
  }, [wait]);
  const { submit, busy, error } = useSubmit(async () => {
    try {
      await logIn(username.trim(), password);
    } catch (err) {
      // Throttled: the form counts down to when a try may succeed.
      if (err.retryAfter) setWait(err.retryAfter);
      throw err;
    }
    setPassword('');
    onDone?.();
  });
  return html`<form class="login-form" onSubmit=${submit} aria-label=${t('app.login')}>
    <${Field} label=${t('app.username')}>
      <input name="username" autocomplete="username" required maxlength="64" readonly=${!!fixedUser}
        value=${username} onInput=${(e) => setUsername(e.currentTarget.value)} />
    <//>
    <${Field} label=${t('app.password')}>
      <input name="password" type="password" autocomplete="current-password" required maxlength="256"
        value=${password} onInput=${(e) => setPassword(e.currentTarget.value)} />
    <//>
    <${ErrorBox} error=${error} />
    ${wait > 0 && html`<p class="retry-after" role="status">${t('ui.retryAfter', { s: wait })}</p>`}
    <button type="submit" class="primary wide" disabled=${busy || wait > 0}>${busy ? t('app.loggingIn') : t('app.login')}</button>
  </form>`;
}

function LoginPage() {
  return html`<main class="login-page" id="main">
    <div class="login-card">
      <h1>${t('app.title')}</h1>
      <${LoginForm} />
      <${LangButton} />
    </div>
  </main>`;
}

function LangButton() {
  const l = useStore(lang).lang;
  return html`<button type="button" class="link lang" onClick=${() => setLang(l === 'en' ? 'zh-CN' : 'en')}>${t('app.lang')}</button>`;
}

// "账户在别处登陆": the other device and time, 刷新 logs in again here
// (which in turn ends the other session), 退出 logs out.
function EndedDialog() {
  const ended = useStore(app, (s) => s.ended);
  const [relogin, setRelogin] = useState(false);
  if (!ended) return null;
  const replaced = ended.code === 'session_replaced';
  const quit = () => {
    setRelogin(false);
    events.stop();
    forget();
    navigate('', {}, { replace: true });
  };
  const text = !replaced ? t('app.endedText') : ended.device ? t('app.elsewhereText', { device: ended.device, time: fmtTime(ended.replaced_at) }) : t('app.elsewhereUnknown');
  return html`<${Dialog} open=${true} closable=${false} className="ended" title=${replaced ? t('app.elsewhere') : t('app.ended')}>
    <p>${text}</p>
    ${relogin
      ? html`<p class="muted">${t('app.reloginHint')}</p><${LoginForm} fixedUser=${ended.username} onDone=${() => setRelogin(false)} />`
      : html`<div class="actions">
          <button type="button" onClick=${quit}>${t('app.quit')}</button>
          <button type="button" class="primary" onClick=${() => setRelogin(true)}>${t('app.refresh')}</button>
        </div>`}
  <//>`;
}

function ShopSwitcher() {
  const shops = useStore(app, (s) => s.shops);
  useStore(app, (s) => s.shopId);
  const [open, setOpen] = useState(false);
  const cur = currentShop();
  if (!cur) return html`<span class="muted">${t('app.noShop')}</span>`;
  const total = (s) => COUNT_KEYS.reduce((n, k) => n + (s.counts?.[k] || 0), 0);
  const pick = (id) => {
    setShop(id);
    setOpen(false);
  };
  return html`<div class="shop-switcher" onKeyDown=${(e) => e.key === 'Escape' && setOpen(false)}>
    <button type="button" class="shop-current" aria-haspopup="true" aria-expanded=${open ? 'true' : 'false'}
      onClick=${() => setOpen(!open)}>
      <span class="sr-only">${t('app.switchShop')}: </span><span class="shop-name">${cur.name}</span> <${Badge} n=${total(cur)} /> <span aria-hidden="true">▾</span>
    </button>
    ${open && html`<ul class="shop-menu" aria-label=${t('app.switchShop')}>
      ${shops.map((s) => html`<li key=${s.id}>
        <button type="button" class=${s.id === cur.id ? 'current' : ''} aria-current=${s.id === cur.id ? 'true' : undefined} onClick=${() => pick(s.id)}>
          <span class="shop-name">${s.name}</span>
          <span class="shop-counts">${COUNT_KEYS.map((k) => s.counts?.[k] ? html`<span class="count-chip" key=${k}>${t(`app.counts.${k}`)} ${s.counts[k]}</span>` : null)}</span>
        </button>
      </li>`)}
    </ul>`}
  </div>`;
}

function allowed(page, account) {
  if (!page.roles.includes(account.role)) return false;
  return !page.permission || (account.permissions || []).includes(page.permission);
}

function Nav({ account, counts }) {
  const list = pages.filter((p) => p.nav !== false && allowed(p, account));
  // /app/ itself shows the first page.
  const cur = useStore(route).page || list[0]?.id;
  return html`<nav class="nav" aria-label=${t('app.nav')}>
    <ul>
      ${list.map((p) => html`<li key=${p.id}>
        <a href=${href(p.id)} aria-current=${p.id === cur ? 'page' : undefined}>
          <span>${t(p.label)}</span> <${Badge} n=${p.badge ? p.badge(counts || {}) : 0} />
        </a>
      </li>`)}
    </ul>
  </nav>`;
}

function Offline() {
  const st = useStore(events.status);
  const ended = useStore(app, (s) => s.ended);
  if (st.connected || st.mode === 'off' || ended) return null;
  return html`<p class="offline" role="status">${t('app.offline')}</p>`;
}

function Shell() {
  const account = useStore(app, (s) => s.account);
  const shops = useStore(app, (s) => s.shops);
  const shopId = useStore(app, (s) => s.shopId);
  const r = useStore(route);
  useStore(lang);
  useEffect(() => {
    events.start();
    // Badge counts follow what happens: chat messages and reads, new
    // letters, order changes; and a slow refresh catches the rest.
    const off = events.onEvent('*', () => refreshShopsSoon());
    const id = setInterval(() => refreshShops().catch(() => {}), 30000);
    return () => {
      off();
      clearInterval(id);
    };
  }, [account.id]);
  if (account.role === 'buyer') {
    return html`<main class="login-page" id="main"><div class="login-card"><p>${t('app.buyerNotHere')}</p>
      <button type="button" onClick=${logOut}>${t('app.logout')}</button></div></main>`;
  }
  const list = pages.filter((p) => allowed(p, account));
  const page = list.find((p) => p.id === r.page) || (r.page === '' ? list[0] : null);
  const shop = currentShop();
  void shops;
  void shopId;
  const Page = page?.component;
  return html`<div class="layout">
    <a class="skip" href="#main">${t('app.skip')}</a>
    <header class="top">
      <a class="brand" href=${href('')}>${t('app.title')}</a>
      ${account.role === 'merchant' && html`<${ShopSwitcher} />`}
      <span class="spacer"></span>
      <${LangButton} />
      <span class="who">${account.display_name || account.username}</span>
      <button type="button" class="link" onClick=${logOut}>${t('app.logout')}</button>
    </header>
    <${Nav} account=${account} counts=${shop?.counts} />
    <main id="main" class="main" tabindex="-1">
      <${Offline} />
      ${Page
        ? account.role === 'merchant' && !shop && page.needsShop !== false
          ? html`<p class="empty">${t('app.noShop')}</p>`
          : html`<${Page} key=${`${page.id}:${shop?.id || 0}`} shop=${shop} account=${account} query=${r.query} />`
        : html`<p class="empty">${t('app.notFound')}</p>`}
    </main>
  </div>`;
}

async function logOut() {
  events.stop();
  try {
    await post('/v1/auth/logout');
  } catch {
    /* the session may be gone already; forgetting it is what matters */
  }
  forget();
  navigate('', {}, { replace: true });
}

export function App() {
  const { account, ready } = useStore(app);
  useStore(lang);
  useEffect(() => {
    document.addEventListener('click', onLinkClick);
    if (session.token) loadAccount().catch(() => {}).finally(() => app.set({ ready: true }));
    else app.set({ ready: true });
    return () => document.removeEventListener('click', onLinkClick);
  }, []);
  useEffect(() => {
    document.title = t('app.title');
  });
  return html`${!ready ? html`<${Loading} />` : account ? html`<${Shell} />` : html`<${LoginPage} />`}
    <${EndedDialog} /><${ReasonPrompt} /><${Toasts} />`;
}
