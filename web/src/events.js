// The caller's real-time events (GET /v1/events, Server-Sent Events), read
// with fetch so that the bearer token goes in a header (EventSource cannot
// send one). A dropped stream reconnects with Last-Event-ID, so the server
// replays what was missed; when streaming does not work (a proxy that
// buffers, say) the same events come by long poll (GET /v1/events/poll).
// The stream's end with session_replaced ends the session: its details
// come from the 401 that the next call answers.
import { get, request, qs } from './api.js';
import { app, session } from './session.js';
import { createStore } from './store.js';

const handlers = new Map(); // kind -> Set of functions; '*' for every kind
export const status = createStore({ mode: 'off', connected: false, lastId: 0 });
// The stream's state on <html data-events="sse|poll|off">, for whoever
// watches the page (the browser tests wait on it).
status.subscribe((s) => {
  document.documentElement.dataset.events = s.connected ? s.mode : 'off';
});

let running = false;
let controller = null;
let lastId = 0;
let failures = 0;

export function onEvent(kind, fn) {
  if (!handlers.has(kind)) handlers.set(kind, new Set());
  handlers.get(kind).add(fn);
  return () => handlers.get(kind).delete(fn);
}

function dispatch(ev) {
  if (ev.id) lastId = Math.max(lastId, ev.id);
  status.set({ lastId });
  for (const k of [ev.kind, '*']) for (const fn of handlers.get(k) || []) fn(ev);
}

function ended() {
  stop();
  // Any call now answers 401 with who replaced the session and when.
  get('/v1/me').catch(() => {});
}

// Parses the event stream's blocks ("field: value" lines, a blank line
// ending each) and dispatches them. Returns false once the session ended.
function consume(block) {
  let kind = 'message';
  let data = '';
  let id = 0;
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const i = line.indexOf(':');
    const field = i < 0 ? line : line.slice(0, i);
    const value = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
    if (field === 'event') kind = value;
    else if (field === 'data') data += (data ? '\n' : '') + value;
    else if (field === 'id') id = Number(value) || 0;
  }
  if (kind === 'session_replaced') {
    ended();
    return false;
  }
  if (!data) return true;
  try {
    const ev = JSON.parse(data);
    dispatch({ ...ev, id: ev.id || id });
  } catch {
    /* a malformed block is skipped, as EventSource would */
  }
  return true;
}

async function stream() {
  controller = new AbortController();
  const headers = { Accept: 'text/event-stream' };
  if (lastId) headers['Last-Event-ID'] = String(lastId);
  const res = await request('GET', '/v1/events', undefined, { raw: true, headers, signal: controller.signal });
  if (!res.body) throw new Error('no stream');
  status.set({ mode: 'sse', connected: true });
  failures = 0;
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
    let cut;
    while ((cut = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, cut);
      buf = buf.slice(cut + 2);
      if (!consume(block)) return;
    }
  }
}

async function poll() {
  controller = new AbortController();
  const first = await get(`/v1/events/poll${qs({ after: lastId || undefined, timeout: 0 })}`, { signal: controller.signal });
  if (!lastId) lastId = first.next_after;
  status.set({ mode: 'poll', connected: true });
  for (const ev of first.items) dispatch(ev);
  while (running) {
    const r = await get(`/v1/events/poll${qs({ after: lastId, timeout: 25 })}`, { signal: controller.signal });
    failures = 0;
    for (const ev of r.items) dispatch(ev);
    lastId = Math.max(lastId, r.next_after);
  }
}

// The wait before reconnecting; coming back online ends it at once.
let wake = null;
const sleep = (ms) =>
  new Promise((r) => {
    const id = setTimeout(r, ms);
    wake = () => {
      clearTimeout(id);
      r();
    };
  });

// A stream through a network that went away may never see its end: drop it
// when the browser goes offline, reconnect (Last-Event-ID replays what was
// missed) as soon as it is back.
addEventListener('offline', () => {
  if (running && controller) controller.abort();
});
addEventListener('online', () => {
  failures = 0;
  if (wake) wake();
});

async function loop() {
  while (running && session.token && !app.get().ended) {
    const usePoll = localStorage.getItem('merchantd.events') === 'poll' || failures >= 3;
    try {
      await (usePoll ? poll() : stream());
      if (!running) break;
    } catch (err) {
      if (!running || err.status === 401) break;
      if (navigator.onLine) failures++;
    }
    status.set({ connected: false });
    if (running) await sleep(Math.min(1000 * 2 ** Math.min(failures, 4), 15000));
  }
  status.set({ connected: false });
}

export function start() {
  if (running) return;
  running = true;
  failures = 0;
  loop();
}

export function stop() {
  running = false;
  if (controller) controller.abort();
  controller = null;
  status.set({ mode: 'off', connected: false });
}

// The position to start from after a new login: events from now on.
export function reset() {
  lastId = 0;
}
