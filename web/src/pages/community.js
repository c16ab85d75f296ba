// 商家社区: the platform's articles (write, change, schedule, pin, hide),
// each with its comments (hide one, answer officially), and the moderation
// queue of reported comments (hide the comment, or dismiss the reports).
// Comments are plain text. An article's body is shown as the API rendered
// it (body_html, sanitised by merchantd to an allow-list), rebuilt here as
// Preact nodes from that same allow-list: nothing is ever set as innerHTML.
import { useState } from 'preact/hooks';
import { h } from 'preact';
import { get, post, patch, qs, idempotencyKey } from '../api.js';
import { t, strings, toLocalInput, fromLocalInput } from '../i18n.js';
import { setQuery } from '../router.js';
import { html, usePaged, useAsync, ListState, Tabs, toast, Field, ActionButton, ErrorBox, Time, Loading, useSubmit } from '../ui.js';

strings(
  {
    'community.label': '商家社区', 'community.title': '商家社区', 'community.tabs': '社区管理',
    'community.tab.articles': '文章', 'community.tab.reports': '举报处理',
    'community.new': '写文章', 'community.edit': '编辑文章', 'community.filter': '文章状态', 'community.all': '全部',
    'community.status.scheduled': '定时发布', 'community.status.published': '已发布', 'community.status.hidden': '已隐藏',
    'community.articleTitle': '标题', 'community.category': '分类', 'community.tags': '标签（逗号分隔）', 'community.body': '正文（Markdown）',
    'community.publishAt': '定时发布（留空则立即发布）', 'community.pinned': '置顶', 'community.hiddenField': '对商家隐藏',
    'community.save': '保存', 'community.created': '文章已发布', 'community.saved': '文章已保存',
    'community.pick': '选择一篇文章查看', 'community.source': '查看 Markdown 源文', 'community.rendered': '查看排版效果',
    'community.stats': '阅读 {v} · 点赞 {l} · 收藏 {b} · 评论 {c}', 'community.official': '官方', 'community.question': '问答',
    'community.comments': '评论', 'community.noComments': '暂无评论', 'community.hidden': '已隐藏', 'community.deleted': '作者已删除',
    'community.openReports': '{n} 条待处理举报', 'community.hide': '隐藏评论', 'community.dismiss': '驳回举报',
    'community.hiddenDone': '评论已隐藏', 'community.dismissed': '举报已驳回', 'community.answer': '以官方身份回复',
    'community.answerBody': '回复内容', 'community.send': '发送', 'community.answered': '已回复',
    'community.reportTabs': '举报状态', 'community.report.open': '待处理', 'community.report.hidden': '已隐藏', 'community.report.dismissed': '已驳回',
    'community.reportReason': '举报原因', 'community.in': '所在文章', 'community.comment': '被举报评论', 'community.by': '{name} 发表于',
    'community.noReports': '没有举报', 'community.image': '[图片：{alt}]', 'community.pinnedMark': '置顶',
    'community.hideArticle': '对商家隐藏', 'community.showArticle': '恢复显示', 'community.articleHidden': '文章已隐藏', 'community.articleShown': '文章已恢复显示',
  },
  {
    'community.label': 'Community', 'community.title': 'Merchant community', 'community.tabs': 'Community desk',
    'community.tab.articles': 'Articles', 'community.tab.reports': 'Reports',
    'community.new': 'New article', 'community.edit': 'Edit article', 'community.filter': 'Article status', 'community.all': 'All',
    'community.status.scheduled': 'Scheduled', 'community.status.published': 'Published', 'community.status.hidden': 'Hidden',
    'community.articleTitle': 'Title', 'community.category': 'Category', 'community.tags': 'Tags (comma separated)', 'community.body': 'Body (Markdown)',
    'community.publishAt': 'Publish at (empty: now)', 'community.pinned': 'Pinned', 'community.hiddenField': 'Hidden from merchants',
    'community.save': 'Save', 'community.created': 'Article published', 'community.saved': 'Article saved',
    'community.pick': 'Pick an article', 'community.source': 'Show the Markdown', 'community.rendered': 'Show as formatted',
    'community.stats': '{v} views · {l} likes · {b} bookmarks · {c} comments', 'community.official': 'Official', 'community.question': 'Question',
    'community.comments': 'Comments', 'community.noComments': 'No comments', 'community.hidden': 'Hidden', 'community.deleted': 'Deleted by its author',
    'community.openReports': '{n} open reports', 'community.hide': 'Hide comment', 'community.dismiss': 'Dismiss reports',
    'community.hiddenDone': 'Comment hidden', 'community.dismissed': 'Reports dismissed', 'community.answer': 'Reply as the platform',
    'community.answerBody': 'Reply', 'community.send': 'Send', 'community.answered': 'Replied',
    'community.reportTabs': 'Report status', 'community.report.open': 'Open', 'community.report.hidden': 'Hidden', 'community.report.dismissed': 'Dismissed',
    'community.reportReason': 'Reason', 'community.in': 'Article', 'community.comment': 'Reported comment', 'community.by': '{name} at',
    'community.noReports': 'No reports', 'community.image': '[image: {alt}]', 'community.pinnedMark': 'Pinned',
    'community.hideArticle': 'Hide from merchants', 'community.showArticle': 'Show again', 'community.articleHidden': 'Article hidden', 'community.articleShown': 'Article shown again',
  },
);

const CATEGORIES = ['经营干货', '平台规则', '活动解读', '新手入门', '问答'];
const STATUSES = ['scheduled', 'published', 'hidden'];
const REPORTS = ['open', 'hidden', 'dismissed'];

// ---- the API's rendering, as Preact nodes from an allow-list ----------------

const TAGS = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'em', 'strong', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'hr', 'br', 'a']);
const safeUrl = (u) => /^(https?:|mailto:)/i.test(u) || !/^[^/?#\\]*:/.test(u);

function toNodes(node, key) {
  if (node.nodeType === 3) return node.nodeValue;
  if (node.nodeType !== 1) return null;
  const tag = node.localName;
  const kids = Array.from(node.childNodes, (c, i) => toNodes(c, i));
  if (tag === 'img') {
    // Pictures from elsewhere are not loaded (the CSP allows only merchantd's): their alt text stands in.
    return h('span', { key, class: 'muted' }, t('community.image', { alt: node.getAttribute('alt') || '' }));
  }
  if (!TAGS.has(tag)) return h('span', { key }, kids);
  const props = { key };
  if (tag === 'a') {
    const href = (node.getAttribute('href') || '').trim();
    if (!safeUrl(href)) return h('span', { key }, kids);
    Object.assign(props, { href, rel: 'nofollow noopener noreferrer', target: '_blank' });
  }
  if (tag === 'ol' && /^\d+$/.test(node.getAttribute('start') || '')) props.start = Number(node.getAttribute('start'));
  return h(tag, props, tag === 'hr' || tag === 'br' ? null : kids);
}

// The API's HTML read by an inert parser (nothing loads or runs in it).
export function RenderedBody({ source }) {
  const doc = new DOMParser().parseFromString(`<!doctype html><body>${source}`, 'text/html');
  return html`<div class="article-html">${Array.from(doc.body.childNodes, (c, i) => toNodes(c, i))}</div>`;
}

// ---- articles ----------------------------------------------------------------


function ArticleForm({ article, onSaved, onCancel }) {
  const [f, setF] = useState(() => ({
    title: article?.title || '', category: article?.category || '经营干货', tags: (article?.tags || []).join(', '),
    body: article?.body_markdown || '', publish_at: article && article.status === 'scheduled' ? toLocalInput(article.publish_at) : '',
    pinned: !!article?.pinned, hidden: !!article?.hidden_at,
  }));
  const set = (k, v) => setF((s) => ({ ...s, [k]: v }));
  const { submit, busy, error } = useSubmit(async () => {
    const body = {
      title: f.title.trim(), category: f.category, body: f.body,
      tags: f.tags.split(/[,，]/).map((x) => x.trim()).filter(Boolean), pinned: f.pinned, hidden: f.hidden,
    };
    if (f.publish_at) body.publish_at = fromLocalInput(f.publish_at);
    if (article?.kind === 'question') delete body.category;
    const r = article ? await patch(`/v1/platform/community/articles/${article.id}`, body) : await post('/v1/platform/community/articles', body, { key: idempotencyKey() });
    toast(t(article ? 'community.saved' : 'community.created'));
    onSaved(r);
  });
  const label = t(article ? 'community.edit' : 'community.new');
  return html`<form class="card" onSubmit=${submit} aria-label=${label}>
    <h2>${label}</h2>
    <${Field} label=${t('community.articleTitle')} error=${error?.field?.('title')}>
      <input required maxlength="120" value=${f.title} onInput=${(e) => set('title', e.currentTarget.value)} />
    <//>
    <div class="form-grid">
      <${Field} label=${t('community.category')}>
        <select value=${f.category} disabled=${article?.kind === 'question'} onChange=${(e) => set('category', e.currentTarget.value)}>
          ${CATEGORIES.map((c) => html`<option value=${c}>${c}</option>`)}
        </select>
      <//>
      <${Field} label=${t('community.tags')} error=${error?.field?.('tags')}>
        <input value=${f.tags} onInput=${(e) => set('tags', e.currentTarget.value)} />
      <//>
      <${Field} label=${t('community.publishAt')} error=${error?.field?.('publish_at')}>
        <input type="datetime-local" value=${f.publish_at} onInput=${(e) => set('publish_at', e.currentTarget.value)} />
      <//>
    </div>
    <${Field} label=${t('community.body')} error=${error?.field?.('body')}>
      <textarea class="article-source" required maxlength="20000" rows="10" value=${f.body} onInput=${(e) => set('body', e.currentTarget.value)}></textarea>
    <//>
    <label class="check"><input type="checkbox" checked=${f.pinned} onChange=${(e) => set('pinned', e.currentTarget.checked)} /> ${t('community.pinned')}</label>
    <label class="check"><input type="checkbox" checked=${f.hidden} onChange=${(e) => set('hidden', e.currentTarget.checked)} /> ${t('community.hiddenField')}</label>
    <${ErrorBox} error=${error} />
    <div class="actions">
      <button type="button" onClick=${onCancel}>${t('ui.cancel')}</button>
      <button type="submit" class="primary" disabled=${busy}>${t('community.save')}</button>
    </div>
  </form>`;
}

function Author({ a }) {
  return html`<span class="user-text">${a.display_name}</span>${a.official && html` <span class="status-chip">${t('community.official')}</span>`}`;
}

function Comments({ article }) {
  const list = usePaged((cursor) => get(`/v1/platform/community/articles/${article.id}/comments${qs({ cursor })}`), [article.id]);
  const [text, setText] = useState('');
  const hide = async (c) => {
    const r = await post(`/v1/platform/community/comments/${c.id}/hide`);
    toast(t('community.hiddenDone'));
    list.setItems((items) => items.map((x) => (x.id === r.id || x.parent_id === r.id ? { ...x, hidden_at: x.hidden_at || r.hidden_at } : x)));
  };
  const answer = async () => {
    if (!text.trim()) return;
    const r = await post(`/v1/platform/community/articles/${article.id}/comments`, { body: text.trim() }, { key: idempotencyKey() });
    toast(t('community.answered'));
    setText('');
    list.setItems((items) => [...items, r]);
  };
  return html`<section class="card" aria-labelledby="comments-title">
    <h3 id="comments-title">${t('community.comments')}</h3>
    <ul class="staff-list">
      ${list.items.map((c) => html`<li key=${c.id} data-comment=${c.id} class=${c.parent_id ? 'reply' : ''}>
        <div class="muted"><${Author} a=${c.author} /> · <${Time} iso=${c.created_at} />
          ${c.hidden_at && html` · <span class="status-chip">${t(c.deleted_at ? 'community.deleted' : 'community.hidden')}</span>`}
          ${c.open_reports > 0 && html` · <span class="status-chip warn">${t('community.openReports', { n: c.open_reports })}</span>`}</div>
        <p class="user-text comment-body">${c.body}</p>
        ${!c.hidden_at && html`<${ActionButton} className="danger" label=${`${t('community.hide')} #${c.id}`} onClick=${() => hide(c)}>${t('community.hide')}<//>`}
      </li>`)}
    </ul>
    <${ListState} list=${list} emptyText=${t('community.noComments')} />
    <${Field} label=${t('community.answer')}>
      <textarea maxlength="2000" value=${text} onInput=${(e) => setText(e.currentTarget.value)}></textarea>
    <//>
    <div class="actions"><${ActionButton} className="primary" disabled=${!text.trim()} onClick=${answer}>${t('community.send')}<//></div>
  </section>`;
}

function Article({ id, editing, onChanged }) {
  const a = useAsync(() => get(`/v1/platform/community/articles/${id}`), [id]);
  const [source, setSource] = useState(false);
  if (a.loading && !a.data) return html`<${Loading} />`;
  if (a.error) return html`<${ErrorBox} error=${a.error} onRetry=${a.reload} />`;
  const x = a.data;
  if (editing) {
    return html`<${ArticleForm} article=${x} onCancel=${() => setQuery({ edit: undefined })}
      onSaved=${(r) => { a.setData(r); onChanged(r); setQuery({ edit: undefined }); }} />`;
  }
  const toggleHidden = async () => {
    const r = await patch(`/v1/platform/community/articles/${x.id}`, { hidden: !x.hidden_at });
    toast(t(r.hidden_at ? 'community.articleHidden' : 'community.articleShown'));
    a.setData(r);
    onChanged(r);
  };
  return html`<div>
    <article class="card">
      <div class="toolbar">
        <h2 class="user-text">${x.title}</h2>
        <span class="status-chip">${t(`community.status.${x.status}`)}</span>
        ${x.pinned && html`<span class="status-chip">${t('community.pinnedMark')}</span>`}
        <span class="spacer"></span>
        <button type="button" onClick=${() => setQuery({ edit: '1' })}>${t('community.edit')}</button>
        ${!x.deleted_at && html`<${ActionButton} onClick=${toggleHidden}>${t(x.hidden_at ? 'community.showArticle' : 'community.hideArticle')}<//>`}
      </div>
      <p class="muted">${x.kind === 'question' ? `${t('community.question')} · ` : ''}${x.category} · <${Author} a=${x.author} /> · <${Time} iso=${x.publish_at} />
        ${x.tags.length > 0 && html` · ${x.tags.map((tag) => html`<span class="status-chip" key=${tag}>${tag}</span> `)}`}</p>
      <p class="muted">${t('community.stats', { v: x.views, l: x.likes, b: x.bookmarks, c: x.comments })}</p>
      <button type="button" class="link" aria-pressed=${source ? 'true' : 'false'} onClick=${() => setSource(!source)}>${t(source ? 'community.rendered' : 'community.source')}</button>
      ${source || typeof x.body_html !== 'string'
        ? html`<pre class="article-body">${x.body_markdown}</pre>`
        : html`<${RenderedBody} source=${x.body_html} />`}
    </article>
    <${Comments} article=${x} />
  </div>`;
}

function Articles({ query }) {
  const status = STATUSES.includes(query.status) ? query.status : '';
  const list = usePaged((cursor) => get(`/v1/platform/community/articles${qs({ status, cursor })}`), [status]);
  const changed = (r) => list.setItems((items) => (items.some((x) => x.id === r.id) ? items.map((x) => (x.id === r.id ? { ...x, ...r } : x)) : [r, ...items]));
  return html`<div class=${`staff-grid${query.id || query.edit ? ' has-detail' : ''}`}>
    <div class="card">
      <div class="toolbar">
        <button type="button" class="primary" onClick=${() => setQuery({ id: undefined, edit: 'new' })}>${t('community.new')}</button>
      </div>
      <${Field} label=${t('community.filter')}>
        <select value=${status} onChange=${(e) => setQuery({ status: e.currentTarget.value || undefined })}>
          <option value="">${t('community.all')}</option>
          ${STATUSES.map((s) => html`<option value=${s}>${t(`community.status.${s}`)}</option>`)}
        </select>
      <//>
      <ul class="staff-list">
        ${list.items.map((x) => html`<li key=${x.id}>
          <a href=${`/app/community?id=${x.id}`} aria-current=${String(x.id) === query.id ? 'true' : undefined}><span class="user-text">${x.title}</span></a>
          <div class="muted">${x.category} · <span class="status-chip">${t(`community.status.${x.status}`)}</span> · <${Time} iso=${x.publish_at} /></div>
        </li>`)}
      </ul>
      <${ListState} list=${list} />
    </div>
    <div>
      ${query.edit === 'new'
        ? html`<${ArticleForm} onCancel=${() => setQuery({ edit: undefined })} onSaved=${(r) => { changed(r); setQuery({ edit: undefined, id: r.id }); }} />`
        : query.id ? html`<${Article} key=${query.id} id=${query.id} editing=${query.edit === '1'} onChanged=${changed} />` : html`<p class="muted hint">${t('community.pick')}</p>`}
    </div>
  </div>`;
}

// ---- the moderation queue ----------------------------------------------------

function Reports() {
  const [status, setStatus] = useState('open');
  const list = usePaged((cursor) => get(`/v1/platform/community/reports${qs({ status, cursor })}`), [status]);
  // A decision covers every open report of the comment.
  const decide = async (r, action) => {
    await post(`/v1/platform/community/comments/${r.comment_id}/${action}`);
    toast(t(action === 'hide' ? 'community.hiddenDone' : 'community.dismissed'));
    list.setItems((items) => items.filter((x) => x.comment_id !== r.comment_id));
  };
  return html`<section>
    <${Tabs} label=${t('community.reportTabs')} value=${status} onChange=${setStatus} tabs=${REPORTS.map((id) => ({ id, label: t(`community.report.${id}`) }))} />
    <ul class="report-list">
      ${list.items.map((r) => html`<li key=${r.id} class="card" data-report=${r.id} data-comment=${r.comment_id}>
        <div class="muted">${t('community.in')}: <a href=${`/app/community?id=${r.article.id}`}><span class="user-text">${r.article.title}</span></a></div>
        <div class="muted">${t('community.comment')} · ${t('community.by', { name: r.comment.author.display_name })} <${Time} iso=${r.comment.created_at} />
          ${r.comment.open_reports > 0 && html` · <span class="status-chip warn">${t('community.openReports', { n: r.comment.open_reports })}</span>`}</div>
        <blockquote class="user-text comment-body">${r.comment.body}</blockquote>
        <div><span class="muted">${t('community.reportReason')}: </span><span class="user-text">${r.reason}</span> · <${Time} iso=${r.created_at} /></div>
        ${r.status === 'open' && html`<div class="actions">
          <${ActionButton} label=${`${t('community.dismiss')} #${r.comment_id}`} onClick=${() => decide(r, 'dismiss')}>${t('community.dismiss')}<//>
          <${ActionButton} className="danger" label=${`${t('community.hide')} #${r.comment_id}`} onClick=${() => decide(r, 'hide')}>${t('community.hide')}<//>
        </div>`}
      </li>`)}
    </ul>
    <${ListState} list=${list} emptyText=${t('community.noReports')} />
  </section>`;
}

function Community({ query }) {
  const tab = query.tab === 'reports' ? 'reports' : 'articles';
  return html`<section>
    <h1>${t('community.title')}</h1>
    <${Tabs} label=${t('community.tabs')} value=${tab} onChange=${(id) => setQuery({ tab: id === 'articles' ? undefined : id, id: undefined, edit: undefined, status: undefined })}
      tabs=${['articles', 'reports'].map((id) => ({ id, label: t(`community.tab.${id}`) }))} />
    ${tab === 'reports' ? html`<${Reports} />` : html`<${Articles} query=${query} />`}
  </section>`;
}

export default { id: 'community', label: 'community.label', roles: ['staff'], permission: 'community', component: Community };
