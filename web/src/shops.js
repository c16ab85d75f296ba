// The caller's shops with their badge counts (to ship, under review, unread
// chats, open after-sales, unread letters): GET /v1/shops, reloaded when
// events or the pages' own actions change them.
import { get } from './api.js';
import { app } from './session.js';

export async function refreshShops() {
  const { account } = app.get();
  if (!account || account.role !== 'merchant') return;
  const r = await get('/v1/shops?limit=100');
  app.set({ shops: r.items });
}

let timer = 0;
// Many changes in a burst (a batch shipped, a stream of messages) reload once.
export function refreshShopsSoon() {
  clearTimeout(timer);
  timer = setTimeout(() => refreshShops().catch(() => {}), 300);
}
