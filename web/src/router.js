// The console's pages live at /app/<page>?<query>: one path segment per
// page (merchantd answers index.html for each), the page's state in the
// query string, so every view is a link that survives a reload.
import { createStore } from './store.js';

export const route = createStore(parse());

function parse() {
  const m = /^\/app\/?([^/?#]*)/.exec(location.pathname);
  return { page: (m && m[1]) || '', query: Object.fromEntries(new URLSearchParams(location.search)) };
}

export function href(page, query) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query || {})) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return `/app/${page}${s ? `?${s}` : ''}`;
}

export function navigate(page, query, { replace = false } = {}) {
  const url = href(page, query);
  if (url === location.pathname + location.search) return;
  history[replace ? 'replaceState' : 'pushState'](null, '', url);
  route.set(parse());
}

// Changes some of the current page's query parameters (undefined removes one).
export function setQuery(changes, opts) {
  const { page, query } = route.get();
  navigate(page, { ...query, ...changes }, opts);
}

addEventListener('popstate', () => route.set(parse()));

// Links inside the app navigate without a reload.
export function onLinkClick(e) {
  const a = e.target.closest && e.target.closest('a[href^="/app"]');
  if (!a || a.target || a.hasAttribute('download') || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
  e.preventDefault();
  const u = new URL(a.href);
  history.pushState(null, '', u.pathname + u.search);
  route.set(parse());
}
