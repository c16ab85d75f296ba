// 资金: the shop's balances and why only so much is withdrawable, its funds
// flows (filters, cursor pages, the signed statement as CSV), top-ups (the
// sandbox provider's checkout where the API offers it), the bank account
// and withdrawals. Every figure is the API's fen, shown by fmtMoney.
import { useState } from 'preact/hooks';
import { ApiError, download, get, idempotencyKey, post, put, qs } from '../api.js';
import { Chart, ChartTable } from '../chart.js';
import { fmtMoney, fmtTime, lang, parseMoney, strings, t } from '../i18n.js';
import { setQuery } from '../router.js';
import { ActionButton, Dialog, ErrorBox, Field, ListState, Loading, Money, Tabs, Time, html, toast, useAsync, usePaged, useSubmit } from '../ui.js';

strings(
  {
    'funds.label': '资金', 'funds.title': '资金', 'funds.tabs': '资金分类',
    'funds.tab.overview': '资金概览', 'funds.tab.flows': '资金流水', 'funds.tab.topups': '充值', 'funds.tab.withdrawals': '提现',
    'funds.withdrawable': '可提现金额', 'funds.balances': '账户余额', 'funds.notWithdrawable': '暂不可提现',
    'funds.acct.pending': '待结算', 'funds.acct.available': '可用余额', 'funds.acct.deposit': '保证金', 'funds.acct.promotion': '推广账户', 'funds.acct.debt': '欠款',
    'funds.awaitingCompletion': '订单未完成（{n} 单）', 'funds.awaitingAfterSales': '售后处理中（{n} 单）', 'funds.inFlight': '提现处理中', 'funds.debt': '欠款',
    'funds.feeRate': '技术服务费率 {rate}',
    'funds.chart': '余额走势', 'funds.chartLabel': '余额走势图，最近 {n} 笔流水：{last}', 'funds.chartFew': '流水还不够画出余额走势。',
    'funds.time': '时间', 'funds.account': '账户', 'funds.type': '类型', 'funds.amount': '金额', 'funds.balanceAfter': '变动后余额', 'funds.ref': '关联',
    'funds.allAccounts': '全部账户', 'funds.allTypes': '全部类型', 'funds.from': '开始日期', 'funds.to': '结束日期',
    'funds.type.order_income': '订单收入', 'funds.type.service_fee': '技术服务费', 'funds.type.refund': '退款', 'funds.type.clawback': '售后扣款',
    'funds.type.withdrawal': '提现', 'funds.type.withdrawal_returned': '提现退回', 'funds.type.topup': '充值', 'funds.type.adjustment': '平台调整',
    'funds.dir.in': '收入', 'funds.dir.out': '支出',
    'funds.ref.order': '订单 {sn}', 'funds.ref.afterSale': '售后 #{id}', 'funds.ref.withdrawal': '提现 #{id}', 'funds.ref.topup': '充值 #{id}', 'funds.ref.adjustment': '调整 #{id}',
    'funds.noFlows': '暂无资金流水', 'funds.statement': '下载对账单 (CSV)', 'funds.downloaded': '已下载 {name}',
    'funds.topup.new': '充值', 'funds.topup.account': '充值到', 'funds.topup.amount': '金额（元）', 'funds.topup.create': '创建充值单',
    'funds.topup.created': '充值单已创建，请完成支付', 'funds.topup.pay': '支付（沙箱）', 'funds.topup.payLabel': '支付充值单 #{id}（沙箱）',
    'funds.topup.paid': '充值已到账', 'funds.topup.list': '充值记录', 'funds.topup.none': '暂无充值记录',
    'funds.topup.status.pending': '待支付', 'funds.topup.status.succeeded': '已到账', 'funds.status': '状态', 'funds.actions': '操作',
    'funds.sandboxHint': '测试环境：沙箱支付不会产生真实扣款。',
    'funds.bank': '提现银行账户', 'funds.bank.none': '还没有设置银行账户，设置后才能提现。', 'funds.bank.holder': '开户名', 'funds.bank.name': '开户银行',
    'funds.bank.no': '银行卡号', 'funds.bank.noHint': '8–30 位数字', 'funds.bank.edit': '修改银行账户', 'funds.bank.set': '设置银行账户',
    'funds.bank.save': '保存', 'funds.bank.saved': '银行账户已保存', 'funds.bank.updated': '更新于 {time}',
    'funds.wd.new': '申请提现', 'funds.wd.amount': '提现金额（元）', 'funds.wd.submit': '申请提现', 'funds.wd.requested': '提现申请已提交',
    'funds.wd.list': '提现记录', 'funds.wd.none': '暂无提现记录', 'funds.wd.cancel': '取消', 'funds.wd.cancelLabel': '取消提现 #{id}', 'funds.wd.canceled': '提现已取消',
    'funds.wd.status.requested': '待处理', 'funds.wd.status.submitted': '处理中', 'funds.wd.status.succeeded': '已到账', 'funds.wd.status.failed': '失败',
    'funds.wd.status.canceled': '已取消', 'funds.wd.status.returned': '已退回', 'funds.wd.approvalPending': '待平台审核', 'funds.wd.approvalRejected': '平台已驳回',
    'funds.wd.to': '收款账户', 'funds.badAmount': '请输入正确的金额，例如 12.34',
    'funds.wd.cancelTitle': '取消提现', 'funds.wd.cancelText': '确定取消这笔 {amount} 的提现吗？金额将回到可提现余额。', 'funds.wd.keep': '不取消', 'funds.wd.cancelConfirm': '确定取消',
  },
  {
    'funds.label': 'Funds', 'funds.title': 'Funds', 'funds.tabs': 'Funds sections',
    'funds.tab.overview': 'Overview', 'funds.tab.flows': 'Flows', 'funds.tab.topups': 'Top-ups', 'funds.tab.withdrawals': 'Withdrawals',
    'funds.withdrawable': 'Withdrawable', 'funds.balances': 'Balances', 'funds.notWithdrawable': 'Not withdrawable yet',
    'funds.acct.pending': 'Pending settlement', 'funds.acct.available': 'Available', 'funds.acct.deposit': 'Deposit', 'funds.acct.promotion': 'Promotion', 'funds.acct.debt': 'Debt',
    'funds.awaitingCompletion': 'Orders not completed ({n})', 'funds.awaitingAfterSales': 'After-sales open ({n})', 'funds.inFlight': 'Withdrawals in progress', 'funds.debt': 'Debt',
    'funds.feeRate': 'Service fee rate {rate}',
    'funds.chart': 'Balance over time', 'funds.chartLabel': 'Balance chart over the last {n} flows: {last}', 'funds.chartFew': 'Not enough flows yet to chart the balance.',
    'funds.time': 'Time', 'funds.account': 'Account', 'funds.type': 'Type', 'funds.amount': 'Amount', 'funds.balanceAfter': 'Balance after', 'funds.ref': 'Related to',
    'funds.allAccounts': 'All accounts', 'funds.allTypes': 'All types', 'funds.from': 'From', 'funds.to': 'To',
    'funds.type.order_income': 'Order income', 'funds.type.service_fee': 'Service fee', 'funds.type.refund': 'Refund', 'funds.type.clawback': 'Clawback',
    'funds.type.withdrawal': 'Withdrawal', 'funds.type.withdrawal_returned': 'Withdrawal returned', 'funds.type.topup': 'Top-up', 'funds.type.adjustment': 'Adjustment',
    'funds.dir.in': 'In', 'funds.dir.out': 'Out',
    'funds.ref.order': 'Order {sn}', 'funds.ref.afterSale': 'After-sale #{id}', 'funds.ref.withdrawal': 'Withdrawal #{id}', 'funds.ref.topup': 'Top-up #{id}', 'funds.ref.adjustment': 'Adjustment #{id}',
    'funds.noFlows': 'No flows yet', 'funds.statement': 'Download statement (CSV)', 'funds.downloaded': 'Downloaded {name}',
    'funds.topup.new': 'Top up', 'funds.topup.account': 'Top up', 'funds.topup.amount': 'Amount (yuan)', 'funds.topup.create': 'Create top-up',
    'funds.topup.created': 'Top-up created: pay it to credit the account', 'funds.topup.pay': 'Pay (sandbox)', 'funds.topup.payLabel': 'Pay top-up #{id} (sandbox)',
    'funds.topup.paid': 'Top-up credited', 'funds.topup.list': 'Top-ups', 'funds.topup.none': 'No top-ups yet',
    'funds.topup.status.pending': 'Awaiting payment', 'funds.topup.status.succeeded': 'Credited', 'funds.status': 'Status', 'funds.actions': 'Actions',
    'funds.sandboxHint': 'Test environment: the sandbox moves no real money.',
    'funds.bank': 'Bank account for withdrawals', 'funds.bank.none': 'No bank account yet: set one to withdraw.', 'funds.bank.holder': 'Account holder', 'funds.bank.name': 'Bank',
    'funds.bank.no': 'Account number', 'funds.bank.noHint': '8–30 digits', 'funds.bank.edit': 'Change bank account', 'funds.bank.set': 'Set bank account',
    'funds.bank.save': 'Save', 'funds.bank.saved': 'Bank account saved', 'funds.bank.updated': 'Updated {time}',
    'funds.wd.new': 'Withdraw', 'funds.wd.amount': 'Amount (yuan)', 'funds.wd.submit': 'Request withdrawal', 'funds.wd.requested': 'Withdrawal requested',
    'funds.wd.list': 'Withdrawals', 'funds.wd.none': 'No withdrawals yet', 'funds.wd.cancel': 'Cancel', 'funds.wd.cancelLabel': 'Cancel withdrawal #{id}', 'funds.wd.canceled': 'Withdrawal canceled',
    'funds.wd.status.requested': 'Requested', 'funds.wd.status.submitted': 'Processing', 'funds.wd.status.succeeded': 'Paid out', 'funds.wd.status.failed': 'Failed',
    'funds.wd.status.canceled': 'Canceled', 'funds.wd.status.returned': 'Returned', 'funds.wd.approvalPending': 'Awaiting platform approval', 'funds.wd.approvalRejected': 'Rejected by the platform',
    'funds.wd.to': 'To', 'funds.badAmount': 'Enter an amount such as 12.34',
    'funds.wd.cancelTitle': 'Cancel withdrawal', 'funds.wd.cancelText': 'Cancel this withdrawal of {amount}? The money goes back to what you can withdraw.', 'funds.wd.keep': 'Keep it', 'funds.wd.cancelConfirm': 'Cancel withdrawal',
  },
);

const ACCOUNTS = ['pending', 'available', 'deposit', 'promotion', 'debt'];
const TYPES = ['order_income', 'service_fee', 'refund', 'clawback', 'withdrawal', 'withdrawal_returned', 'topup', 'adjustment'];

const base = (shop) => `/v1/shops/${shop.id}/funds`;

function Funds({ shop, query }) {
  const tab = ['overview', 'flows', 'topups', 'withdrawals'].includes(query.tab) ? query.tab : 'overview';
  const funds = useAsync(() => get(base(shop)), [shop.id]);
  const tabs = ['overview', 'flows', 'topups', 'withdrawals'].map((id) => ({ id, label: t(`funds.tab.${id}`) }));
  return html`<section class="funds">
    <h1>${t('funds.title')}</h1>
    <${Tabs} tabs=${tabs} value=${tab} label=${t('funds.tabs')} onChange=${(id) => setQuery({ tab: id === 'overview' ? undefined : id })} />
    <div role="tabpanel" aria-labelledby=${`tab-${tab}`}>
      ${tab === 'overview' && html`<${Overview} shop=${shop} funds=${funds} />`}
      ${tab === 'flows' && html`<${Flows} shop=${shop} query=${query} />`}
      ${tab === 'topups' && html`<${Topups} shop=${shop} account=${query.account} onChange=${funds.reload} />`}
      ${tab === 'withdrawals' && html`<${Withdrawals} shop=${shop} funds=${funds} />`}
    </div>
  </section>`;
}

function Overview({ shop, funds }) {
  if (funds.error) return html`<${ErrorBox} error=${funds.error} onRetry=${funds.reload} />`;
  if (!funds.data) return html`<${Loading} />`;
  const f = funds.data;
  const nw = f.not_withdrawable;
  const b = f.balances;
  return html`
    <div class="funds-top">
      <div class="card funds-withdrawable">
        <h2>${t('funds.withdrawable')}</h2>
        <p class="funds-big"><${Money} fen=${f.withdrawable_cents} /></p>
        <p class="muted">${t('funds.feeRate', { rate: `${(f.service_fee_bps / 100).toFixed(2)}%` })}</p>
      </div>
      <div class="card">
        <h2>${t('funds.balances')}</h2>
        <dl class="funds-dl">
          ${ACCOUNTS.map((a) => html`<div key=${a}><dt>${t(`funds.acct.${a}`)}</dt><dd><${Money} fen=${b[`${a}_cents`]} /></dd></div>`)}
        </dl>
      </div>
      <div class="card">
        <h2>${t('funds.notWithdrawable')}</h2>
        <dl class="funds-dl">
          <div><dt>${t('funds.awaitingCompletion', { n: nw.awaiting_completion.orders })}</dt><dd><${Money} fen=${nw.awaiting_completion.amount_cents} /></dd></div>
          <div><dt>${t('funds.awaitingAfterSales', { n: nw.awaiting_after_sales.orders })}</dt><dd><${Money} fen=${nw.awaiting_after_sales.amount_cents} /></dd></div>
          <div><dt>${t('funds.inFlight')}</dt><dd><${Money} fen=${nw.withdrawals_in_flight_cents} /></dd></div>
          <div><dt>${t('funds.debt')}</dt><dd><${Money} fen=${nw.debt_cents} /></dd></div>
        </dl>
      </div>
    </div>
    <${BalanceChart} shop=${shop} />`;
}

// The balance of each account the latest flows touch, after each of them:
// the flows carry each account's running balance, so nothing is summed.
function BalanceChart({ shop }) {
  const flows = useAsync(() => get(`${base(shop)}/flows${qs({ limit: 100 })}`), [shop.id]);
  if (flows.error) return html`<${ErrorBox} error=${flows.error} onRetry=${flows.reload} />`;
  if (!flows.data) return html`<${Loading} />`;
  const rows = [...flows.data.items].reverse();
  const accounts = ACCOUNTS.filter((a) => rows.some((r) => r.account === a));
  let body;
  if (rows.length < 2) {
    body = html`<p class="muted">${t('funds.chartFew')}</p>`;
  } else {
    // Each account's balance before its first shown row, carried forward.
    const cur = {};
    for (const a of accounts) {
      const first = rows.find((r) => r.account === a);
      cur[a] = first.balance_after_cents - (first.direction === 'in' ? first.amount_cents : -first.amount_cents);
    }
    const x = [];
    const values = Object.fromEntries(accounts.map((a) => [a, []]));
    for (const r of rows) {
      cur[r.account] = r.balance_after_cents;
      x.push(Date.parse(r.created_at) / 1000);
      for (const a of accounts) values[a].push(cur[a] / 100);
    }
    const last = accounts.map((a) => `${t(`funds.acct.${a}`)} ${fmtMoney(cur[a])}`).join('，');
    body = html`
      <${Chart} label=${t('funds.chartLabel', { n: rows.length, last })} x=${x}
        stepped
        series=${accounts.map((a) => ({ label: t(`funds.acct.${a}`), values: values[a] }))} fmtY=${(v) => `¥${v.toLocaleString('en-US')}`} />
      <${ChartTable} head=${[t('funds.time'), ...accounts.map((a) => t(`funds.acct.${a}`))]}
        rows=${x.map((s, i) => [fmtTime(new Date(s * 1000).toISOString()), ...accounts.map((a) => fmtMoney(Math.round(values[a][i] * 100)))])} />`;
  }
  return html`<div class="card"><h2>${t('funds.chart')}</h2>${body}</div>`;
}

// A local day (YYYY-MM-DD) as the instant of its midnight, plus days.
function dayStart(date, plus = 0) {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date || '')) return undefined;
  const [y, m, d] = date.split('-').map(Number);
  return new Date(y, m - 1, d + plus).toISOString();
}

function flowRef(r) {
  const out = [];
  if (r.order_sn) out.push(t('funds.ref.order', { sn: r.order_sn }));
  if (r.after_sale_id) out.push(t('funds.ref.afterSale', { id: r.after_sale_id }));
  if (r.withdrawal_id) out.push(t('funds.ref.withdrawal', { id: r.withdrawal_id }));
  if (r.topup_id) out.push(t('funds.ref.topup', { id: r.topup_id }));
  if (r.adjustment_id) out.push(t('funds.ref.adjustment', { id: r.adjustment_id }));
  return out.join(' · ');
}

function Flows({ shop, query }) {
  const filters = { account: query.account || '', type: query.type || '', from: dayStart(query.from), to: dayStart(query.to, 1) };
  const list = usePaged((cursor) => get(`${base(shop)}/flows${qs({ ...filters, cursor, limit: 20 })}`), [shop.id, query.account, query.type, query.from, query.to]);
  const statement = async () => {
    const r = await download(`${base(shop)}/statement.csv${qs({ from: filters.from, to: filters.to, lang: lang.get().lang })}`, `statement-${shop.id}.csv`);
    toast(t('funds.downloaded', { name: r.name }));
  };
  return html`
    <div class="toolbar funds-filters">
      <${Field} label=${t('funds.account')}>
        <select value=${query.account || ''} onChange=${(e) => setQuery({ account: e.currentTarget.value || undefined })}>
          <option value="">${t('funds.allAccounts')}</option>
          ${ACCOUNTS.map((a) => html`<option value=${a}>${t(`funds.acct.${a}`)}</option>`)}
        </select>
      <//>
      <${Field} label=${t('funds.type')}>
        <select value=${query.type || ''} onChange=${(e) => setQuery({ type: e.currentTarget.value || undefined })}>
          <option value="">${t('funds.allTypes')}</option>
          ${TYPES.map((x) => html`<option value=${x}>${t(`funds.type.${x}`)}</option>`)}
        </select>
      <//>
      <${Field} label=${t('funds.from')}>
        <input type="date" value=${query.from || ''} onChange=${(e) => setQuery({ from: e.currentTarget.value || undefined })} />
      <//>
      <${Field} label=${t('funds.to')}>
        <input type="date" value=${query.to || ''} onChange=${(e) => setQuery({ to: e.currentTarget.value || undefined })} />
      <//>
      <${ActionButton} onClick=${statement}>${t('funds.statement')}<//>
    </div>
    ${list.items.length > 0 && html`<table class="responsive funds-flows">
      <thead><tr>
        <th scope="col">${t('funds.time')}</th><th scope="col">${t('funds.account')}</th><th scope="col">${t('funds.type')}</th>
        <th scope="col" class="num">${t('funds.amount')}</th><th scope="col" class="num">${t('funds.balanceAfter')}</th><th scope="col">${t('funds.ref')}</th>
      </tr></thead>
      <tbody>
        ${list.items.map((r) => html`<tr key=${`${r.transfer_id}-${r.account}-${r.direction}`}>
          <td data-label=${t('funds.time')}><${Time} iso=${r.created_at} /></td>
          <td data-label=${t('funds.account')}>${t(`funds.acct.${r.account}`)}</td>
          <td data-label=${t('funds.type')}>${t(`funds.type.${r.type}`)}</td>
          <td data-label=${t('funds.amount')} class=${`num ${r.direction === 'in' ? 'in' : 'out'}`}>
            <span><span class="sr-only">${t(`funds.dir.${r.direction}`)} </span>${r.direction === 'in' ? '+' : '−'}<${Money} fen=${r.amount_cents} /></span>
          </td>
          <td data-label=${t('funds.balanceAfter')} class="num"><${Money} fen=${r.balance_after_cents} /></td>
          <td data-label=${t('funds.ref')}>${flowRef(r)}</td>
        </tr>`)}
      </tbody>
    </table>`}
    <${ListState} list=${list} emptyText=${t('funds.noFlows')} />`;
}

// Reads a yuan amount typed in a form: fen, or null after showing why not.
// The amount typed, in fen; a form's error when it is not one.
function amountOf(text) {
  const fen = parseMoney(text);
  if (!fen) throw new ApiError(400, { detail: t('funds.badAmount') });
  return fen;
}

// account: the one to top up first (the promotion page links here with
// account=promotion).
function Topups({ shop, account: first, onChange }) {
  const list = usePaged((cursor) => get(`${base(shop)}/topups${qs({ cursor, limit: 20 })}`), [shop.id]);
  const [account, setAccount] = useState(first === 'promotion' ? 'promotion' : 'deposit');
  const [amount, setAmount] = useState('');
  const { submit: create, busy, error } = useSubmit(async () => {
    const tp = await post(`${base(shop)}/topups`, { account, amount_cents: amountOf(amount) }, { key: idempotencyKey() });
    list.setItems((items) => [tp, ...items]);
    setAmount('');
    toast(t('funds.topup.created'));
  });
  const pay = async (tp) => {
    const r = await post(`${base(shop)}/topups/${tp.id}/sandbox-pay`);
    const now = r.topup || (await get(`${base(shop)}/topups/${tp.id}`));
    list.setItems((items) => items.map((x) => (x.id === tp.id ? now : x)));
    toast(t('funds.topup.paid'));
    onChange();
  };
  return html`
    <form class="card funds-form" onSubmit=${create}>
      <h2>${t('funds.topup.new')}</h2>
      <div class="funds-row">
        <${Field} label=${t('funds.topup.account')}>
          <select value=${account} onChange=${(e) => setAccount(e.currentTarget.value)}>
            <option value="deposit">${t('funds.acct.deposit')}</option>
            <option value="promotion">${t('funds.acct.promotion')}</option>
          </select>
        <//>
        <${Field} label=${t('funds.topup.amount')}>
          <input inputmode="decimal" autocomplete="off" value=${amount} onInput=${(e) => setAmount(e.currentTarget.value)} />
        <//>
        <button type="submit" class="primary" disabled=${busy}>${t('funds.topup.create')}</button>
      </div>
      <${ErrorBox} error=${error} />
    </form>
    <h2>${t('funds.topup.list')}</h2>
    ${list.items.some((x) => x.provider === 'sandbox' && x.status === 'pending') && html`<p class="muted">${t('funds.sandboxHint')}</p>`}
    ${list.items.length > 0 && html`<table class="responsive">
      <thead><tr>
        <th scope="col">${t('funds.time')}</th><th scope="col">${t('funds.account')}</th><th scope="col" class="num">${t('funds.amount')}</th>
        <th scope="col">${t('funds.status')}</th><th scope="col">${t('funds.actions')}</th>
      </tr></thead>
      <tbody>
        ${list.items.map((x) => html`<tr key=${x.id}>
          <td data-label=${t('funds.time')}><${Time} iso=${x.created_at} /></td>
          <td data-label=${t('funds.account')}>${t(`funds.acct.${x.account}`)}</td>
          <td data-label=${t('funds.amount')} class="num"><${Money} fen=${x.amount_cents} /></td>
          <td data-label=${t('funds.status')}><span class=${`funds-status s-${x.status}`}>${t(`funds.topup.status.${x.status}`)}</span></td>
          <td data-label=${t('funds.actions')}>
            ${x.provider === 'sandbox' && x.status === 'pending' &&
            html`<${ActionButton} className="primary" label=${t('funds.topup.payLabel', { id: x.id })} onClick=${() => pay(x)}>${t('funds.topup.pay')}<//>`}
          </td>
        </tr>`)}
      </tbody>
    </table>`}
    <${ListState} list=${list} emptyText=${t('funds.topup.none')} />`;
}

function BankAccount({ shop }) {
  const bank = useAsync(
    () => get(`${base(shop)}/bank-account`).catch((e) => (e.status === 404 ? null : Promise.reject(e))),
    [shop.id],
  );
  const [editing, setEditing] = useState(false);
  const [form, setForm] = useState({ holder: '', bank: '', account_no: '' });
  const { submit: save, busy, error, setError } = useSubmit(async () => {
    const saved = await put(`${base(shop)}/bank-account`, { holder: form.holder.trim(), bank: form.bank.trim(), account_no: form.account_no.replace(/\s+/g, '') });
    bank.setData(saved);
    setEditing(false);
    toast(t('funds.bank.saved'));
  });
  if (bank.error) return html`<div class="card"><${ErrorBox} error=${bank.error} onRetry=${bank.reload} /></div>`;
  if (bank.data === undefined) return html`<div class="card"><${Loading} /></div>`;
  const b = bank.data;
  const set = (k) => (e) => setForm({ ...form, [k]: e.currentTarget.value });
  const fieldError = (k) => (error && error.field ? error.field(k) : '');
  return html`<div class="card">
    <h2>${t('funds.bank')}</h2>
    ${b
      ? html`<dl class="funds-dl">
          <div><dt>${t('funds.bank.holder')}</dt><dd>${b.holder}</dd></div>
          <div><dt>${t('funds.bank.name')}</dt><dd>${b.bank}</dd></div>
          <div><dt>${t('funds.bank.no')}</dt><dd class="bank-no">${b.account_no}</dd></div>
        </dl>
        <p class="muted">${t('funds.bank.updated', { time: fmtTime(b.updated_at) })}</p>`
      : html`<p class="muted">${t('funds.bank.none')}</p>`}
    ${!editing &&
    html`<button type="button" onClick=${() => { setForm({ holder: b?.holder || '', bank: b?.bank || '', account_no: '' }); setError(null); setEditing(true); }}>
      ${b ? t('funds.bank.edit') : t('funds.bank.set')}
    </button>`}
    ${editing &&
    html`<form class="funds-form" onSubmit=${save}>
      <${Field} label=${t('funds.bank.holder')} error=${fieldError('holder')}>
        <input required maxlength="64" autocomplete="name" value=${form.holder} onInput=${set('holder')} />
      <//>
      <${Field} label=${t('funds.bank.name')} error=${fieldError('bank')}>
        <input required maxlength="64" value=${form.bank} onInput=${set('bank')} />
      <//>
      <${Field} label=${t('funds.bank.no')} hint=${t('funds.bank.noHint')} error=${fieldError('account_no')}>
        <input required inputmode="numeric" autocomplete="off" value=${form.account_no} onInput=${set('account_no')} />
      <//>
      ${error && !['holder', 'bank', 'account_no'].some(fieldError) && html`<${ErrorBox} error=${error} />`}
      <div class="actions">
        <button type="button" onClick=${() => setEditing(false)}>${t('ui.cancel')}</button>
        <button type="submit" class="primary" disabled=${busy}>${t('funds.bank.save')}</button>
      </div>
    </form>`}
  </div>`;
}

function wdStatus(w) {
  if (w.status === 'requested' && w.approval === 'pending') return t('funds.wd.approvalPending');
  if (w.approval === 'rejected') return t('funds.wd.approvalRejected');
  return t(`funds.wd.status.${w.status}`);
}

function Withdrawals({ shop, funds }) {
  const list = usePaged((cursor) => get(`${base(shop)}/withdrawals${qs({ cursor, limit: 20 })}`), [shop.id]);
  const [amount, setAmount] = useState('');
  const { submit: request, busy, error } = useSubmit(async () => {
    const w = await post(`${base(shop)}/withdrawals`, { amount_cents: amountOf(amount) }, { key: idempotencyKey() });
    list.setItems((items) => [w, ...items]);
    setAmount('');
    toast(t('funds.wd.requested'));
    funds.reload();
  });
  // The withdrawal whose cancellation awaits confirmation, and the key its
  // request keeps should it be retried.
  const [asking, setAsking] = useState(null);
  const cancel = async () => {
    const w = asking;
    const now = await post(`${base(shop)}/withdrawals/${w.id}/cancel`, undefined, { key: w.key });
    setAsking(null);
    list.setItems((items) => items.map((x) => (x.id === w.id ? now : x)));
    toast(t('funds.wd.canceled'));
    funds.reload();
  };
  return html`
    <${BankAccount} shop=${shop} />
    <form class="card funds-form" onSubmit=${request}>
      <h2>${t('funds.wd.new')}</h2>
      <p>${t('funds.withdrawable')}: <strong class="funds-withdrawable-now">${funds.data ? fmtMoney(funds.data.withdrawable_cents) : '…'}</strong></p>
      <div class="funds-row">
        <${Field} label=${t('funds.wd.amount')}>
          <input inputmode="decimal" autocomplete="off" value=${amount} onInput=${(e) => setAmount(e.currentTarget.value)} />
        <//>
        <button type="submit" class="primary" disabled=${busy}>${t('funds.wd.submit')}</button>
      </div>
      <${ErrorBox} error=${error} />
    </form>
    <h2>${t('funds.wd.list')}</h2>
    ${list.items.length > 0 && html`<table class="responsive funds-withdrawals">
      <thead><tr>
        <th scope="col">${t('funds.time')}</th><th scope="col" class="num">${t('funds.amount')}</th><th scope="col">${t('funds.wd.to')}</th>
        <th scope="col">${t('funds.status')}</th><th scope="col">${t('funds.actions')}</th>
      </tr></thead>
      <tbody>
        ${list.items.map((w) => html`<tr key=${w.id}>
          <td data-label=${t('funds.time')}><${Time} iso=${w.requested_at} /></td>
          <td data-label=${t('funds.amount')} class="num"><${Money} fen=${w.amount_cents} /></td>
          <td data-label=${t('funds.wd.to')}>${w.bank_account.bank} ${w.bank_account.account_no}</td>
          <td data-label=${t('funds.status')}>
            <span class=${`funds-status s-${w.status}`}>${wdStatus(w)}</span>
            ${w.reason && html`<span class="muted"> ${w.reason}</span>`}
          </td>
          <td data-label=${t('funds.actions')}>
            ${w.status === 'requested' &&
            html`<button type="button" class="danger" aria-label=${t('funds.wd.cancelLabel', { id: w.id })}
              onClick=${() => setAsking({ ...w, key: idempotencyKey() })}>${t('funds.wd.cancel')}</button>`}
          </td>
        </tr>`)}
      </tbody>
    </table>`}
    <${ListState} list=${list} emptyText=${t('funds.wd.none')} />
    <${Dialog} open=${!!asking} title=${t('funds.wd.cancelTitle')} onClose=${() => setAsking(null)}>
      <p>${asking && t('funds.wd.cancelText', { amount: fmtMoney(asking.amount_cents) })}</p>
      <div class="actions">
        <button type="button" onClick=${() => setAsking(null)}>${t('funds.wd.keep')}</button>
        <${ActionButton} className="danger" onClick=${cancel}>${t('funds.wd.cancelConfirm')}<//>
      </div>
    <//>`;
}

export default { id: 'funds', label: 'funds.label', roles: ['merchant'], component: Funds };
