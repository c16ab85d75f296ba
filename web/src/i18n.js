// The console's words in zh-CN (the default: the marketplace's language)
// and English. Each page registers its own words next to its code with
// strings(); t(key, params) looks a key up in the chosen language, falling
// back to zh-CN, and fills {name} placeholders. Every text is rendered as
// text by Preact, never as HTML.
import { createStore } from './store.js';

const LANG = 'merchantd.lang';
const dict = { 'zh-CN': {}, en: {} };
export const lang = createStore({ lang: localStorage.getItem(LANG) === 'en' ? 'en' : 'zh-CN' });
document.documentElement.lang = lang.get().lang;

export function strings(zh, en) {
  Object.assign(dict['zh-CN'], zh);
  Object.assign(dict.en, en);
}

export function setLang(l) {
  localStorage.setItem(LANG, l);
  document.documentElement.lang = l;
  lang.set({ lang: l });
}

// Keys asked for but missing in the chosen language: a page that shows
// one has a word untranslated (the browser tests read this list).
export const missing = new Set();
globalThis.__i18nMissing = missing;

export function t(key, params) {
  const l = lang.get().lang;
  if (!(key in dict[l])) missing.add(`${l}:${key}`);
  let s = dict[l][key] ?? dict['zh-CN'][key] ?? key;
  if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (params[k] ?? m));
  return s;
}

const fmtCache = {};
function dtf(opts) {
  const l = lang.get().lang;
  const k = l + JSON.stringify(opts);
  return (fmtCache[k] ||= new Intl.DateTimeFormat(l, opts));
}

// 2026-12-07 09:30 in the browser's time zone.
export function fmtTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return dtf({ year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }).format(d);
}

export function fmtDate(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : dtf({ year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

// Fen to yuan: 123456 -> ¥1,234.56 (exact: integer arithmetic, no floats).
export function fmtMoney(fen) {
  if (fen === null || fen === undefined) return '';
  const n = BigInt(fen);
  const neg = n < 0n;
  const a = neg ? -n : n;
  const yuan = (a / 100n).toLocaleString('en-US');
  const cents = String(a % 100n).padStart(2, '0');
  return `${neg ? '-' : ''}¥${yuan}.${cents}`;
}

// "12.34" (yuan, as typed) to fen, or null when it is not an amount.
export function parseMoney(text) {
  const m = /^\s*(\d{1,9})(?:\.(\d{1,2}))?\s*$/.exec(String(text));
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] || '').padEnd(2, '0'));
}

// A time (a Date or RFC 3339 text) as an <input type=datetime-local> value,
// in the browser's zone ('' for none); and such a value back in the API's
// form, RFC 3339 UTC with whole seconds (null for none or nonsense).
export function toLocalInput(t) {
  const d = t ? new Date(t) : null;
  if (!d || Number.isNaN(d.getTime())) return '';
  const p = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function fromLocalInput(v) {
  const d = new Date(v);
  return v && !Number.isNaN(d.getTime()) ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : null;
}
