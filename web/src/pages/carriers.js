// The carriers merchants ship with (GET /v1/carriers): a short list that
// never changes while the console runs, so it is read once and shared by
// the orders and after-sales pages.
import { get } from '../api.js';
import { t, strings } from '../i18n.js';
import { html, useAsync, Field } from '../ui.js';

strings({ 'carriers.pick': '请选择快递公司' }, { 'carriers.pick': 'Choose a carrier' });

let cached = null;
export function carriers() {
  if (!cached) {
    cached = get('/v1/carriers').then(
      (r) => r.items,
      (err) => {
        cached = null;
        throw err;
      },
    );
  }
  return cached;
}

// The carrier's display name for a code (the code itself until loaded).
export function carrierName(list, code) {
  return (list || []).find((c) => c.code === code)?.name || code || '';
}

// A labelled select of the carriers.
export function CarrierSelect({ label, value, onChange, error }) {
  const list = useAsync(carriers, []);
  return html`<${Field} label=${label} error=${error}>
    <select name="carrier" required value=${value} onChange=${(e) => onChange(e.currentTarget.value)}>
      <option value="">${t('carriers.pick')}</option>
      ${(list.data || []).map((c) => html`<option key=${c.code} value=${c.code}>${c.name}</option>`)}
    </select>
  <//>`;
}
