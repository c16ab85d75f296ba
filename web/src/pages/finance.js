// 资金审核: the finance desk. Large withdrawals wait here for approval
// (approve: the payout job submits it; reject with a reason: the hold is
// released), and manual adjustments of a shop's money are made here; above
// the limit they wait for a second staff member (four eyes).
import { useState } from 'preact/hooks';
import { get, post, qs, idempotencyKey } from '../api.js';
import { t, strings, parseMoney } from '../i18n.js';
import { setQuery } from '../router.js';
import { html, usePaged, ListState, Tabs, askReason, toast, Field, ActionButton, ErrorBox, Money, Time, useSubmit } from '../ui.js';

strings(
  {
    'finance.label': '资金审核', 'finance.title': '资金审核', 'finance.tabs': '资金审核',
    'finance.tab.withdrawals': '提现审核', 'finance.tab.adjustments': '资金调整',
    'finance.shop': '店铺ID', 'finance.amount': '金额', 'finance.bank': '收款账户', 'finance.requested': '申请时间', 'finance.actions': '操作',
    'finance.approve': '通过', 'finance.reject': '驳回', 'finance.rejectW': '驳回提现 #{id}', 'finance.rejectA': '驳回调整 #{id}',
    'finance.approvedW': '提现 #{id} 已通过', 'finance.rejectedW': '提现 #{id} 已驳回', 'finance.noWithdrawals': '没有待审核的提现',
    'finance.new': '新建调整', 'finance.account': '店铺账户', 'finance.platformAccount': '平台账户', 'finance.direction': '方向',
    'finance.acct.available': '可用余额', 'finance.acct.deposit': '保证金', 'finance.acct.promotion': '推广账户',
    'finance.pacct.fee_revenue': '平台服务费收入', 'finance.pacct.platform_promotion': '平台推广补贴',
    'finance.dir.credit': '入账（给店铺）', 'finance.dir.debit': '扣款（从店铺）', 'finance.amountYuan': '金额（元）', 'finance.reason': '原因',
    'finance.create': '提交', 'finance.created.posted': '调整已入账', 'finance.created.pending_approval': '调整已提交，等待另一位财务审核',
    'finance.badAmount': '请输入正确的金额，如 12.34', 'finance.status': '状态', 'finance.all': '全部',
    'finance.st.pending_approval': '待复核', 'finance.st.posted': '已入账', 'finance.st.rejected': '已驳回',
    'finance.by': '发起人 #{id}', 'finance.approvedA': '调整 #{id} 已入账', 'finance.rejectedA': '调整 #{id} 已驳回',
    'finance.noAdjustments': '没有资金调整', 'finance.created': '创建时间', 'finance.list': '调整记录',
  },
  {
    'finance.label': 'Finance', 'finance.title': 'Finance desk', 'finance.tabs': 'Finance desk',
    'finance.tab.withdrawals': 'Withdrawals', 'finance.tab.adjustments': 'Adjustments',
    'finance.shop': 'Shop ID', 'finance.amount': 'Amount', 'finance.bank': 'Bank account', 'finance.requested': 'Requested', 'finance.actions': 'Actions',
    'finance.approve': 'Approve', 'finance.reject': 'Reject', 'finance.rejectW': 'Reject withdrawal #{id}', 'finance.rejectA': 'Reject adjustment #{id}',
    'finance.approvedW': 'Withdrawal #{id} approved', 'finance.rejectedW': 'Withdrawal #{id} rejected', 'finance.noWithdrawals': 'No withdrawal awaits approval',
    'finance.new': 'New adjustment', 'finance.account': 'Shop account', 'finance.platformAccount': 'Platform account', 'finance.direction': 'Direction',
    'finance.acct.available': 'Available', 'finance.acct.deposit': 'Deposit', 'finance.acct.promotion': 'Promotion',
    'finance.pacct.fee_revenue': 'Fee revenue', 'finance.pacct.platform_promotion': 'Platform promotion',
    'finance.dir.credit': 'Credit (to the shop)', 'finance.dir.debit': 'Debit (from the shop)', 'finance.amountYuan': 'Amount (yuan)', 'finance.reason': 'Reason',
    'finance.create': 'Submit', 'finance.created.posted': 'Adjustment posted', 'finance.created.pending_approval': 'Adjustment waits for a second approval',
    'finance.badAmount': 'Enter an amount such as 12.34', 'finance.status': 'Status', 'finance.all': 'All',
    'finance.st.pending_approval': 'Awaiting approval', 'finance.st.posted': 'Posted', 'finance.st.rejected': 'Rejected',
    'finance.by': 'By #{id}', 'finance.approvedA': 'Adjustment #{id} posted', 'finance.rejectedA': 'Adjustment #{id} rejected',
    'finance.noAdjustments': 'No adjustments', 'finance.created': 'Created', 'finance.list': 'Adjustments',
  },
);

const ACCOUNTS = ['available', 'deposit', 'promotion'];
const PLATFORM = ['fee_revenue', 'platform_promotion'];
const ASTATUS = ['pending_approval', 'posted', 'rejected'];

function Withdrawals() {
  const list = usePaged((cursor) => get(`/v1/platform/funds/withdrawals/pending${qs({ cursor })}`), []);
  const drop = (id) => list.setItems((items) => items.filter((x) => x.id !== id));
  const approve = async (w) => {
    await post(`/v1/platform/funds/withdrawals/${w.id}/approve`, undefined, { key: idempotencyKey() });
    toast(t('finance.approvedW', { id: w.id }));
    drop(w.id);
  };
  const reject = async (w) => {
    const reason = await askReason(t('finance.rejectW', { id: w.id }));
    if (!reason) return;
    await post(`/v1/platform/funds/withdrawals/${w.id}/reject`, { reason }, { key: idempotencyKey() });
    toast(t('finance.rejectedW', { id: w.id }));
    drop(w.id);
  };
  return html`<section>
    ${list.items.length > 0 && html`<table class="responsive">
      <thead><tr><th scope="col">#</th><th scope="col">${t('finance.shop')}</th><th scope="col">${t('finance.amount')}</th>
        <th scope="col">${t('finance.bank')}</th><th scope="col">${t('finance.requested')}</th><th scope="col">${t('finance.actions')}</th></tr></thead>
      <tbody>
        ${list.items.map((w) => html`<tr key=${w.id} data-withdrawal=${w.id}>
          <td data-label="#">${w.id}</td>
          <td data-label=${t('finance.shop')}>${w.shop_id}</td>
          <td data-label=${t('finance.amount')}><${Money} fen=${w.amount_cents} /></td>
          <td data-label=${t('finance.bank')} class="user-text">${w.bank_account ? `${w.bank_account.holder} · ${w.bank_account.bank} · ${w.bank_account.account_no}` : ''}</td>
          <td data-label=${t('finance.requested')}><${Time} iso=${w.requested_at} /></td>
          <td data-label=${t('finance.actions')}><div class="row-actions">
            <${ActionButton} className="primary" label=${`${t('finance.approve')} #${w.id}`} onClick=${() => approve(w)}>${t('finance.approve')}<//>
            <${ActionButton} className="danger" label=${`${t('finance.reject')} #${w.id}`} onClick=${() => reject(w)}>${t('finance.reject')}<//>
          </div></td>
        </tr>`)}
      </tbody>
    </table>`}
    <${ListState} list=${list} emptyText=${t('finance.noWithdrawals')} />
  </section>`;
}

function AdjustmentForm({ onDone }) {
  const [f, setF] = useState({ shop_id: '', account: 'available', platform_account: 'fee_revenue', direction: 'credit', amount: '', reason: '' });
  const set = (k, v) => setF((s) => ({ ...s, [k]: v }));
  const { submit, busy, error } = useSubmit(async () => {
    const cents = parseMoney(f.amount);
    if (!cents) throw new Error(t('finance.badAmount'));
    const r = await post('/v1/platform/funds/adjustments', {
      shop_id: Number(f.shop_id), account: f.account, platform_account: f.platform_account, direction: f.direction, amount_cents: cents, reason: f.reason.trim(),
    }, { key: idempotencyKey() });
    toast(t(`finance.created.${r.status}`) || r.status);
    setF((s) => ({ ...s, amount: '', reason: '' }));
    onDone(r);
  });
  const sel = (k, label, values, prefix) => html`<${Field} label=${t(label)}>
    <select value=${f[k]} onChange=${(e) => set(k, e.currentTarget.value)}>${values.map((v) => html`<option value=${v}>${t(`${prefix}.${v}`)}</option>`)}</select>
  <//>`;
  return html`<form class="card" onSubmit=${submit} aria-label=${t('finance.new')}>
    <h2>${t('finance.new')}</h2>
    <div class="form-grid">
      <${Field} label=${t('finance.shop')} error=${error?.field?.('shop_id')}>
        <input inputmode="numeric" pattern="[0-9]+" required value=${f.shop_id} onInput=${(e) => set('shop_id', e.currentTarget.value)} />
      <//>
      ${sel('account', 'finance.account', ACCOUNTS, 'finance.acct')}
      ${sel('platform_account', 'finance.platformAccount', PLATFORM, 'finance.pacct')}
      ${sel('direction', 'finance.direction', ['credit', 'debit'], 'finance.dir')}
      <${Field} label=${t('finance.amountYuan')} error=${error?.field?.('amount_cents')}>
        <input inputmode="decimal" required value=${f.amount} onInput=${(e) => set('amount', e.currentTarget.value)} />
      <//>
    </div>
    <${Field} label=${t('finance.reason')} error=${error?.field?.('reason')}>
      <textarea required maxlength="500" value=${f.reason} onInput=${(e) => set('reason', e.currentTarget.value)}></textarea>
    <//>
    <${ErrorBox} error=${error} />
    <div class="actions"><button type="submit" class="primary" disabled=${busy}>${t('finance.create')}</button></div>
  </form>`;
}

function Adjustments({ query, account }) {
  const status = ASTATUS.includes(query.status) ? query.status : '';
  const list = usePaged((cursor) => get(`/v1/platform/funds/adjustments${qs({ status, cursor })}`), [status]);
  const put = (r) => list.setItems((items) => (items.some((x) => x.id === r.id) ? items.map((x) => (x.id === r.id ? r : x)) : [r, ...items]));
  const approve = async (a) => {
    const r = await post(`/v1/platform/funds/adjustments/${a.id}/approve`, undefined, { key: idempotencyKey() });
    toast(t('finance.approvedA', { id: a.id }));
    put(r);
  };
  const reject = async (a) => {
    const reason = await askReason(t('finance.rejectA', { id: a.id }));
    if (!reason) return;
    const r = await post(`/v1/platform/funds/adjustments/${a.id}/reject`, { reason }, { key: idempotencyKey() });
    toast(t('finance.rejectedA', { id: a.id }));
    put(r);
  };
  return html`<div>
    <${AdjustmentForm} onDone=${put} />
    <section class="card" aria-labelledby="adj-title">
      <div class="toolbar">
        <h2 id="adj-title">${t('finance.list')}</h2>
        <span class="spacer"></span>
        <label class="inline-field">${t('finance.status')}
          <select value=${status} onChange=${(e) => setQuery({ status: e.currentTarget.value || undefined })}>
            <option value="">${t('finance.all')}</option>
            ${ASTATUS.map((s) => html`<option value=${s}>${t(`finance.st.${s}`)}</option>`)}
          </select>
        </label>
      </div>
      ${list.items.length > 0 && html`<table class="responsive">
        <thead><tr><th scope="col">#</th><th scope="col">${t('finance.shop')}</th><th scope="col">${t('finance.amount')}</th>
          <th scope="col">${t('finance.reason')}</th><th scope="col">${t('finance.status')}</th><th scope="col">${t('finance.created')}</th><th scope="col">${t('finance.actions')}</th></tr></thead>
        <tbody>
          ${list.items.map((a) => html`<tr key=${a.id} data-adjustment=${a.id}>
            <td data-label="#">${a.id}</td>
            <td data-label=${t('finance.shop')}>${a.shop_id} · ${t(`finance.acct.${a.account}`)}</td>
            <td data-label=${t('finance.amount')}><span>${a.direction === 'debit' ? '−' : '+'}<${Money} fen=${a.amount_cents} /></span></td>
            <td data-label=${t('finance.reason')} class="user-text">${a.reason}${a.decision_reason && html`<div class="muted">${a.decision_reason}</div>`}</td>
            <td data-label=${t('finance.status')}><span class="status-chip">${t(`finance.st.${a.status}`)}</span></td>
            <td data-label=${t('finance.created')}><${Time} iso=${a.created_at} /> <span class="muted">${t('finance.by', { id: a.created_by })}</span></td>
            <td data-label=${t('finance.actions')}>
              ${a.status === 'pending_approval' && a.created_by !== account.id && html`<div class="row-actions">
                <${ActionButton} className="primary" label=${`${t('finance.approve')} #${a.id}`} onClick=${() => approve(a)}>${t('finance.approve')}<//>
                <${ActionButton} className="danger" label=${`${t('finance.reject')} #${a.id}`} onClick=${() => reject(a)}>${t('finance.reject')}<//>
              </div>`}
            </td>
          </tr>`)}
        </tbody>
      </table>`}
      <${ListState} list=${list} emptyText=${t('finance.noAdjustments')} />
    </section>
  </div>`;
}

function Finance({ query, account }) {
  const tab = query.tab === 'adjustments' ? 'adjustments' : 'withdrawals';
  return html`<section>
    <h1>${t('finance.title')}</h1>
    <${Tabs} label=${t('finance.tabs')} value=${tab} onChange=${(id) => setQuery({ tab: id === 'withdrawals' ? undefined : id, status: undefined })}
      tabs=${['withdrawals', 'adjustments'].map((id) => ({ id, label: t(`finance.tab.${id}`) }))} />
    ${tab === 'adjustments' ? html`<${Adjustments} query=${query} account=${account} />` : html`<${Withdrawals} />`}
  </section>`;
}

export default { id: 'finance', label: 'finance.label', roles: ['staff'], permission: 'finance', component: Finance };
