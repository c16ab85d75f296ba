// 待办: what the current shop has waiting, each count a link to the page
// that handles it (the same counts as the shop switcher's badges).
import { href } from '../router.js';
import { t, strings } from '../i18n.js';
import { html } from '../ui.js';

strings(
  { 'home.label': '待办', 'home.title': '{shop} 的待办', 'home.staff': '平台工作台', 'home.staffText': '请从左侧选择要处理的工作。' },
  { 'home.label': 'To-do', 'home.title': 'To-do at {shop}', 'home.staff': 'Platform desk', 'home.staffText': 'Choose a desk from the navigation.' },
);

// Each count and the page (and query) that works through it.
const TODO = [
  ['to_ship', 'orders', { tab: 'to_ship' }],
  ['under_review', 'orders', { tab: 'under_review' }],
  ['unread_conversations', 'chat', { tab: 'unread' }],
  ['after_sales_open', 'aftersales', {}],
  ['unread_letters', 'letters', {}],
];

function Home({ shop, account }) {
  if (account.role === 'staff') {
    return html`<section><h1>${t('home.staff')}</h1><p class="muted">${t('home.staffText')}</p></section>`;
  }
  return html`<section>
    <h1>${t('home.title', { shop: shop.name })}</h1>
    <ul class="todo">
      ${TODO.map(([k, page, q]) => html`<li key=${k}>
        <a class="card todo-item" href=${href(page, q)}>
          <span class="todo-n">${shop.counts?.[k] ?? 0}</span>
          <span>${t(`app.counts.${k}`)}</span>
        </a>
      </li>`)}
    </ul>
  </section>`;
}

export default { id: 'home', label: 'home.label', roles: ['merchant', 'staff'], component: Home };
