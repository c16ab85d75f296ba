// The one way the console talks to merchantd: the public /v1 API with the
// session's bearer token. A problem+json reply becomes an ApiError carrying
// the problem's fields, so pages show the API's own message and can react
// to its code (retry_after on throttling, errors[] naming fields).
import { session, onSessionEnded } from './session.js';

export class ApiError extends Error {
  constructor(status, problem, retryAfter) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.code = problem.code || '';
    this.problem = problem;
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
    this.retryAfter = retryAfter;
  }
  // The message of the field named name (errors[] of 400 invalid_field).
  field(name) {
    const e = this.errors.find((x) => x.field === name || x.name === name);
    return e ? e.message || e.detail || e.code : '';
  }
}

async function problemOf(res) {
  const type = res.headers.get('Content-Type') || '';
  if (type.includes('json')) {
    try {
      return await res.json();
    } catch {
      /* fall through: a body that is not JSON */
    }
  }
  return { title: res.statusText || `HTTP ${res.status}`, code: '' };
}

// A fresh Idempotency-Key for a write that may be retried.
export function idempotencyKey() {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

// Sends one request. body: an object (sent as JSON), a Blob/File (sent raw
// with its type) or undefined. opts.key: an Idempotency-Key; opts.raw: the
// Response itself is returned (downloads, streams); opts.signal: abort.
export async function request(method, path, body, opts = {}) {
  const headers = { Accept: 'application/json' };
  const token = opts.token ?? session.token;
  if (token) headers.Authorization = `Bearer ${token}`;
  if (opts.key) headers['Idempotency-Key'] = opts.key;
  if (opts.headers) Object.assign(headers, opts.headers);
  let payload;
  if (body instanceof Blob) {
    payload = body;
    headers['Content-Type'] = body.type || 'application/octet-stream';
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  const res = await fetch(path, { method, headers, body: payload, signal: opts.signal, cache: 'no-store' });
  if (res.ok) {
    if (opts.raw) return res;
    if (res.status === 204) return null;
    const type = res.headers.get('Content-Type') || '';
    return type.includes('json') ? res.json() : res.text();
  }
  const problem = await problemOf(res);
  const retry = Number(res.headers.get('Retry-After')) || problem.retry_after || 0;
  const err = new ApiError(res.status, problem, retry);
  // A session ended elsewhere ends it here too (the dialog of app.js).
  if (res.status === 401 && token && token === session.token) onSessionEnded(err);
  throw err;
}

export const get = (path, opts) => request('GET', path, undefined, opts);
export const post = (path, body, opts) => request('POST', path, body, opts);
export const patch = (path, body, opts) => request('PATCH', path, body, opts);
export const put = (path, body, opts) => request('PUT', path, body, opts);
export const del = (path, opts) => request('DELETE', path, undefined, opts);

// A query string from an object, leaving out empty values.
export function qs(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

// Downloads what a GET answers (a CSV export, a letter's attachment) as a
// file: the token goes in a header, so a plain link cannot fetch it.
export async function download(path, fallbackName) {
  const res = await request('GET', path, undefined, { raw: true, headers: { Accept: '*/*' } });
  const disposition = res.headers.get('Content-Disposition') || '';
  const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition);
  const name = m ? decodeURIComponent(m[1]) : fallbackName;
  const blob = await res.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  return { name, size: blob.size };
}
