// The console's shared building blocks. Every page is made of these, so
// they look and behave (keyboard, screen readers, errors) the same way.
// All text goes through Preact as text nodes: nothing a user typed is ever
// parsed as HTML.
import { h } from 'preact';
import htm from 'htm';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { fmtMoney, fmtTime, t, strings } from './i18n.js';
import { createStore, useStore } from './store.js';

export const html = htm.bind(h);

strings(
  { 'ui.loading': '加载中…', 'ui.retry': '重试', 'ui.more': '加载更多', 'ui.empty': '暂无数据', 'ui.close': '关闭', 'ui.cancel': '取消', 'ui.confirm': '确定', 'ui.saved': '已保存', 'ui.reason': '原因', 'ui.error': '出错了' },
  { 'ui.loading': 'Loading…', 'ui.retry': 'Retry', 'ui.more': 'Load more', 'ui.empty': 'Nothing here yet', 'ui.close': 'Close', 'ui.cancel': 'Cancel', 'ui.confirm': 'OK', 'ui.saved': 'Saved', 'ui.reason': 'Reason', 'ui.error': 'Something went wrong' },
);

// Loads what fn returns while deps stay the same: { data, error, loading,
// reload, setData }. A late answer to an older request is dropped.
export function useAsync(fn, deps) {
  const [state, setState] = useState({ data: undefined, error: null, loading: true });
  const seq = useRef(0);
  const run = useCallback(() => {
    const n = ++seq.current;
    setState((s) => ({ ...s, loading: true, error: null }));
    Promise.resolve()
      .then(fn)
      .then(
        (data) => n === seq.current && setState({ data, error: null, loading: false }),
        (error) => n === seq.current && setState((s) => ({ ...s, error, loading: false })),
      );
  }, deps);
  useEffect(run, [run]);
  const setData = (f) => setState((s) => ({ ...s, data: typeof f === 'function' ? f(s.data) : f }));
  return { ...state, reload: run, setData };
}

// A form's submit: fn runs once at a time (busy meanwhile) and what it
// throws becomes error, for the form to show beside its fields (the API's
// message, errors[] naming them). A check of the form's own may throw
// before anything is sent.
export function useSubmit(fn) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e?.preventDefault?.();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await fn(e);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return { submit, busy, error, setError };
}

// A cursor-paged list (the API's {items, next_cursor}): the first page
// loads with deps; more() appends the next one.
export function usePaged(fetchPage, deps) {
  const [state, setState] = useState({ items: [], cursor: null, loading: true, error: null, extra: null });
  const seq = useRef(0);
  const load = useCallback((cursor, append) => {
    const n = ++seq.current;
    setState((s) => ({ ...s, loading: true, error: null }));
    fetchPage(cursor).then(
      (r) =>
        n === seq.current &&
        setState((s) => ({ items: append ? [...s.items, ...r.items] : r.items, cursor: r.next_cursor || null, loading: false, error: null, extra: r })),
      (error) => n === seq.current && setState((s) => ({ ...s, loading: false, error })),
    );
  }, deps);
  useEffect(() => load(null, false), [load]);
  return {
    ...state,
    more: () => state.cursor && load(state.cursor, true),
    reload: () => load(null, false),
    setItems: (f) => setState((s) => ({ ...s, items: f(s.items) })),
  };
}

export function Loading() {
  return html`<p class="muted" role="status">${t('ui.loading')}</p>`;
}

export function Empty({ text }) {
  return html`<p class="empty">${text || t('ui.empty')}</p>`;
}

// The API's message for a failed call (its detail or title), and the
// fields it names.
export function ErrorBox({ error, onRetry }) {
  if (!error) return null;
  const wait = error.retryAfter ? t('ui.retryAfter', { s: error.retryAfter }) : '';
  return html`<div class="error" role="alert">
    <span>${error.message || t('ui.error')}</span>
    ${wait && html` <span class="retry-after">${wait}</span>`}
    ${error.errors?.length > 0 && html`<ul>${error.errors.map((e) => html`<li>${e.field}: ${e.message}</li>`)}</ul>`}
    ${onRetry && html` <button type="button" class="link" onClick=${onRetry}>${t('ui.retry')}</button>`}
  </div>`;
}
strings({ 'ui.retryAfter': '请在 {s} 秒后重试' }, { 'ui.retryAfter': 'try again in {s} s' });

export function Money({ fen }) {
  return html`<span class="money">${fmtMoney(fen)}</span>`;
}

export function Time({ iso }) {
  return iso ? html`<time datetime=${iso}>${fmtTime(iso)}</time>` : null;
}

export function Badge({ n }) {
  if (!n) return null;
  return html`<span class="badge">${n > 99 ? '99+' : n}</span>`;
}

// Tabs as a tablist of buttons: [{id, label, count}]; arrow keys move.
export function Tabs({ tabs, value, onChange, label }) {
  const onKey = (e) => {
    const i = tabs.findIndex((x) => x.id === value);
    const d = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!d) return;
    e.preventDefault();
    const next = tabs[(i + d + tabs.length) % tabs.length];
    onChange(next.id);
    requestAnimationFrame(() => e.currentTarget?.querySelector('[aria-selected="true"]')?.focus());
  };
  return html`<div class="tabs" role="tablist" aria-label=${label} onKeyDown=${onKey}>
    ${tabs.map(
      (x) => html`<button type="button" role="tab" id=${`tab-${x.id}`} aria-selected=${x.id === value ? 'true' : 'false'}
        tabindex=${x.id === value ? 0 : -1} onClick=${() => onChange(x.id)}>
        ${x.label}${x.count !== undefined && x.count !== null ? html` <span class="count">${x.count}</span>` : ''}
      </button>`,
    )}
  </div>`;
}

// A modal dialog on the native <dialog>: focus moves into it and stays,
// Escape closes it (unless it must be answered: closable=false).
export function Dialog({ open, title, onClose, children, closable = true, className = '' }) {
  const ref = useRef(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  const onCancel = (e) => {
    e.preventDefault();
    if (closable && onClose) onClose();
  };
  return html`<dialog ref=${ref} class=${`dialog ${className}`} aria-labelledby="dialog-title" onCancel=${onCancel}>
    ${open && html`<h2 id="dialog-title">${title}</h2>${children}`}
  </dialog>`;
}

// Asks for a reason (reject, hold, close...): resolves with the text or
// null. Rendered once by the app shell.
const promptStore = createStore({ open: false });
export function askReason(title, { required = true, label } = {}) {
  return new Promise((resolve) => promptStore.set({ open: true, title, required, label, resolve }));
}
export function ReasonPrompt() {
  const p = useStore(promptStore);
  const [text, setText] = useState('');
  const done = (v) => {
    promptStore.set({ open: false });
    setText('');
    p.resolve?.(v);
  };
  return html`<${Dialog} open=${p.open} title=${p.title} onClose=${() => done(null)}>
    <form method="dialog" onSubmit=${(e) => { e.preventDefault(); if (!p.required || text.trim()) done(text.trim()); }}>
      <label class="field">${p.label || t('ui.reason')}
        <textarea required=${p.required} maxlength="500" value=${text} onInput=${(e) => setText(e.currentTarget.value)}></textarea>
      </label>
      <div class="actions">
        <button type="button" onClick=${() => done(null)}>${t('ui.cancel')}</button>
        <button type="submit" class="primary">${t('ui.confirm')}</button>
      </div>
    </form>
  <//>`;
}

// Short notices ("saved", "shipped 3 orders") in a polite live region.
const toastStore = createStore({ items: [] });
let toastSeq = 0;
export function toast(text, kind = 'ok') {
  const id = ++toastSeq;
  toastStore.set((s) => ({ items: [...s.items, { id, text, kind }] }));
  setTimeout(() => toastStore.set((s) => ({ items: s.items.filter((x) => x.id !== id) })), 4000);
}
export function Toasts() {
  const { items } = useStore(toastStore);
  return html`<div class="toasts" role="status" aria-live="polite">
    ${items.map((x) => html`<div class=${`toast ${x.kind}`} key=${x.id}>${x.text}</div>`)}
  </div>`;
}

// A labelled form control; error is the API's message for this field.
export function Field({ label, error, children, hint }) {
  return html`<label class="field">
    <span class="label">${label}</span>
    ${children}
    ${hint && html`<span class="hint">${hint}</span>`}
    ${error && html`<span class="field-error" role="alert">${error}</span>`}
  </label>`;
}

// A button that runs an async action once at a time and reports its
// failure with toast. pressed (true/false) makes it a toggle button.
export function ActionButton({ onClick, children, disabled, title, className = '', label, pressed }) {
  const [busy, setBusy] = useState(false);
  const run = async (e) => {
    if (busy) return;
    setBusy(true);
    try {
      await onClick(e);
    } catch (err) {
      toast(err.message || t('ui.error'), 'bad');
    } finally {
      setBusy(false);
    }
  };
  return html`<button type="button" class=${className} disabled=${disabled || busy} title=${title}
    aria-label=${label} aria-busy=${busy ? 'true' : undefined} aria-pressed=${pressed === undefined ? undefined : String(!!pressed)}
    onClick=${run}>${children}</button>`;
}

export function MoreButton({ list }) {
  if (!list.cursor) return null;
  return html`<button type="button" class="more" disabled=${list.loading} onClick=${list.more}>${t('ui.more')}</button>`;
}

// A list's standard states around its rows.
export function ListState({ list, emptyText }) {
  if (list.error) return html`<${ErrorBox} error=${list.error} onRetry=${list.reload} />`;
  if (list.loading && list.items.length === 0) return html`<${Loading} />`;
  if (!list.loading && list.items.length === 0) return html`<${Empty} text=${emptyText} />`;
  return html`<${MoreButton} list=${list} />`;
}
