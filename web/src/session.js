// The signed-in session: its token (kept in localStorage, so a reload stays
// signed in), the account, the shops and the current shop. One live session
// per account is the API's rule: when a login elsewhere replaces this one,
// every call answers 401 session_replaced (with the other device and time)
// and the event stream ends; onSessionEnded records it for the dialog.
import { createStore } from './store.js';

const TOKEN = 'merchantd.token';
const SHOP = 'merchantd.shop';

export const session = {
  token: localStorage.getItem(TOKEN) || '',
};

export const app = createStore({
  account: null, // GET /v1/me without shops
  shops: [], // GET /v1/shops items (with counts)
  shopId: Number(localStorage.getItem(SHOP)) || 0,
  ended: null, // { code, device, replaced_at, username } once the session ended
  ready: false, // the first /v1/me has answered
});

export function signIn(token, account) {
  session.token = token;
  localStorage.setItem(TOKEN, token);
  localStorage.setItem('merchantd.username', account.username);
  app.set({ account, ended: null });
}

export function forget() {
  session.token = '';
  localStorage.removeItem(TOKEN);
  app.set({ account: null, shops: [], ended: null });
}

export function lastUsername() {
  return localStorage.getItem('merchantd.username') || '';
}

export function onSessionEnded(err) {
  if (app.get().ended) return;
  const p = err.problem || {};
  app.set({
    ended: {
      code: err.code || 'unauthenticated',
      device: p.device || '',
      replaced_at: p.replaced_at || '',
      username: app.get().account?.username || lastUsername(),
    },
  });
}

export function setShop(id) {
  localStorage.setItem(SHOP, String(id));
  app.set({ shopId: id });
}

// The current shop's id, or the first shop's when the remembered one is
// not the caller's (anymore).
export function currentShop() {
  const { shops, shopId } = app.get();
  return shops.find((s) => s.id === shopId) || shops[0] || null;
}
