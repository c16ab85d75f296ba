// 商品: the shop's products and their SKUs. The list filters on sale / off
// sale; a product is created with its SKUs (spec, price typed in yuan,
// stock, an optional preview image from the image space), then its title
// and description, its SKUs, its status are changed one at a time, as the
// API does. The API's field errors (skus[1].price_cents ...) show beside
// the field they name.
import { useState } from 'preact/hooks';
import { del, get, idempotencyKey, patch, post, qs } from '../api.js';
import { fmtMoney, parseMoney, t, strings } from '../i18n.js';
import { href, navigate, setQuery } from '../router.js';
import { html, ActionButton, Dialog, ErrorBox, Field, ListState, Loading, Tabs, Time, toast, useAsync, usePaged, useSubmit } from '../ui.js';

strings(
  {
    'products.label': '商品', 'products.title': '商品', 'products.all': '全部', 'products.on_sale': '在售', 'products.off_sale': '已下架',
    'products.new': '新建商品', 'products.edit': '编辑', 'products.editTitle': '编辑商品', 'products.back': '返回商品列表',
    'products.putOn': '上架', 'products.takeOff': '下架', 'products.delete': '删除', 'products.deleteAsk': '删除商品「{title}」？删除后买家无法再下单，已有订单不受影响。',
    'products.deleted': '商品已删除', 'products.onNow': '已上架', 'products.offNow': '已下架', 'products.created': '商品已创建',
    'products.name': '商品标题', 'products.desc': '商品描述', 'products.status': '状态', 'products.skus': '规格',
    'products.updated': '更新时间', 'products.actions': '操作', 'products.sku': '规格 {n}', 'products.spec': '规格名称',
    'products.price': '价格（元）', 'products.stock': '库存', 'products.image': '规格预览图', 'products.noImage': '不使用图片',
    'products.addSku': '添加规格', 'products.removeSku': '移除规格 {n}', 'products.save': '保存', 'products.create': '创建商品',
    'products.saveSku': '保存规格 {n}', 'products.skuSaved': '规格已保存', 'products.skuAdded': '规格已添加',
    'products.badPrice': '请输入正确的金额，例如 12.50', 'products.badStock': '请输入不小于 0 的整数', 'products.onSaleNow': '创建后立即上架',
    'products.empty': '还没有商品', 'products.list': '商品列表', 'products.newSku': '新规格', 'products.skuLine': '{spec} · {price} · 库存 {stock}',
    'products.fixErrors': '请修改标出的内容',
  },
  {
    'products.label': 'Products', 'products.title': 'Products', 'products.all': 'All', 'products.on_sale': 'On sale', 'products.off_sale': 'Off sale',
    'products.new': 'New product', 'products.edit': 'Edit', 'products.editTitle': 'Edit product', 'products.back': 'Back to products',
    'products.putOn': 'Put on sale', 'products.takeOff': 'Take off sale', 'products.delete': 'Delete', 'products.deleteAsk': 'Delete the product “{title}”? Buyers can no longer order it; existing orders keep it.',
    'products.deleted': 'Product deleted', 'products.onNow': 'On sale now', 'products.offNow': 'Taken off sale', 'products.created': 'Product created',
    'products.name': 'Title', 'products.desc': 'Description', 'products.status': 'Status', 'products.skus': 'SKUs',
    'products.updated': 'Updated', 'products.actions': 'Actions', 'products.sku': 'SKU {n}', 'products.spec': 'Spec',
    'products.price': 'Price (yuan)', 'products.stock': 'Stock', 'products.image': 'Preview image', 'products.noImage': 'No image',
    'products.addSku': 'Add SKU', 'products.removeSku': 'Remove SKU {n}', 'products.save': 'Save', 'products.create': 'Create product',
    'products.saveSku': 'Save SKU {n}', 'products.skuSaved': 'SKU saved', 'products.skuAdded': 'SKU added',
    'products.badPrice': 'Enter an amount such as 12.50', 'products.badStock': 'Enter a whole number, 0 or more', 'products.onSaleNow': 'Put on sale when created',
    'products.empty': 'No products yet', 'products.list': 'Products', 'products.newSku': 'New SKU', 'products.skuLine': '{spec} · {price} · stock {stock}',
    'products.fixErrors': 'Please correct the marked fields',
  },
);

const base = (shop) => `/v1/shops/${shop.id}/products`;

// The API's errors[] as {field: message}.
function fieldErrors(err) {
  const out = {};
  for (const e of err?.errors || []) out[e.field] = e.message || e.code;
  return out;
}

// What was typed for one SKU, as the API's SKU fields; problems it can
// see itself (an amount that is not one) go into errors under the API's
// names.
function skuBody(s, prefix, errors) {
  const body = { spec: s.spec };
  const price = parseMoney(s.price);
  if (price === null) errors[`${prefix}price_cents`] = t('products.badPrice');
  else body.price_cents = price;
  if (!/^\s*\d+\s*$/.test(s.stock)) errors[`${prefix}stock`] = t('products.badStock');
  else body.stock = Number(s.stock);
  body.image_id = s.image_id ? Number(s.image_id) : null;
  return body;
}

const yuan = (fen) => fmtMoney(fen).replace(/^¥/, '').replace(/,/g, '');
const skuForm = (s) => ({ spec: s.spec, price: yuan(s.price_cents), stock: String(s.stock), image_id: s.image_id ? String(s.image_id) : '' });

// The shop's image space, for SKU preview images (empty when it has none).
function useImages(shop) {
  return useAsync(() => get(`/v1/shops/${shop.id}/images?limit=100`).then((r) => r.items, () => []), [shop.id]);
}

// The inputs of one SKU: spec, price, stock and preview image.
function SkuFields({ sku, onChange, errors, prefix, images }) {
  const set = (k) => (e) => onChange({ ...sku, [k]: e.currentTarget.value });
  const img = images.find((x) => String(x.id) === sku.image_id);
  return html`<div class="sku-fields">
    <${Field} label=${t('products.spec')} error=${errors[`${prefix}spec`]}>
      <input value=${sku.spec} maxlength="60" required onInput=${set('spec')} />
    <//>
    <${Field} label=${t('products.price')} error=${errors[`${prefix}price_cents`]}>
      <input value=${sku.price} inputmode="decimal" required onInput=${set('price')} />
    <//>
    <${Field} label=${t('products.stock')} error=${errors[`${prefix}stock`]}>
      <input value=${sku.stock} inputmode="numeric" required onInput=${set('stock')} />
    <//>
    ${images.length > 0 && html`<${Field} label=${t('products.image')} error=${errors[`${prefix}image_id`]}>
      <select value=${sku.image_id} onChange=${set('image_id')}>
        <option value="">${t('products.noImage')}</option>
        ${images.map((x) => html`<option value=${String(x.id)}>${x.name}</option>`)}
      </select>
    <//>`}
    ${img && html`<img class="sku-thumb" src=${img.urls.thumb} alt=${img.name} />`}
  </div>`;
}

const emptySku = () => ({ spec: '', price: '', stock: '', image_id: '' });

function NewProduct({ shop }) {
  const images = useImages(shop);
  const [form, setForm] = useState({ title: '', description: '', onSale: true, skus: [emptySku()] });
  const [errors, setErrors] = useState({});
  const setSku = (i, s) => setForm({ ...form, skus: form.skus.map((x, j) => (j === i ? s : x)) });
  const { submit, busy, error } = useSubmit(async () => {
    const local = {};
    const body = {
      title: form.title,
      description: form.description,
      status: form.onSale ? 'on_sale' : 'off_sale',
      skus: form.skus.map((s, i) => skuBody(s, `skus[${i}].`, local)),
    };
    setErrors(local);
    if (Object.keys(local).length) return;
    try {
      const p = await post(base(shop), body, { key: idempotencyKey() });
      toast(t('products.created'));
      navigate('products', { edit: p.id });
    } catch (err) {
      setErrors(fieldErrors(err));
      throw err;
    }
  });
  return html`<form class="card product-form" onSubmit=${submit} novalidate>
    <h2>${t('products.new')}</h2>
    <${Field} label=${t('products.name')} error=${errors.title}>
      <input value=${form.title} maxlength="120" required onInput=${(e) => setForm({ ...form, title: e.currentTarget.value })} />
    <//>
    <${Field} label=${t('products.desc')} error=${errors.description}>
      <textarea value=${form.description} maxlength="5000" onInput=${(e) => setForm({ ...form, description: e.currentTarget.value })}></textarea>
    <//>
    ${form.skus.map((s, i) => html`<fieldset class="sku" key=${i}>
      <legend>${t('products.sku', { n: i + 1 })}</legend>
      <${SkuFields} sku=${s} errors=${errors} prefix=${`skus[${i}].`} images=${images.data || []} onChange=${(v) => setSku(i, v)} />
      ${form.skus.length > 1 && html`<button type="button" class="link" onClick=${() => setForm({ ...form, skus: form.skus.filter((_, j) => j !== i) })}>
        ${t('products.removeSku', { n: i + 1 })}</button>`}
    </fieldset>`)}
    <p><button type="button" onClick=${() => setForm({ ...form, skus: [...form.skus, emptySku()] })} disabled=${form.skus.length >= 50}>+ ${t('products.addSku')}</button></p>
    <label class="check"><input type="checkbox" checked=${form.onSale} onChange=${(e) => setForm({ ...form, onSale: e.currentTarget.checked })} /> ${t('products.onSaleNow')}</label>
    ${Object.keys(errors).length > 0 && !error && html`<p class="error" role="alert">${t('products.fixErrors')}</p>`}
    <${ErrorBox} error=${error} />
    <div class="actions">
      <a class="button" href=${href('products')}>${t('ui.cancel')}</a>
      <button type="submit" class="primary" disabled=${busy}>${t('products.create')}</button>
    </div>
  </form>`;
}

// One existing SKU, saved on its own (PATCH .../skus/{id}).
function SkuEditor({ shop, product, sku, n, images, onSaved }) {
  const [form, setForm] = useState(skuForm(sku));
  const [errors, setErrors] = useState({});
  const save = async () => {
    const local = {};
    const body = skuBody(form, '', local);
    setErrors(local);
    if (Object.keys(local).length) return;
    try {
      const s = await patch(`${base(shop)}/${product.id}/skus/${sku.id}`, body);
      onSaved(s);
      toast(t('products.skuSaved'));
    } catch (err) {
      setErrors(fieldErrors(err));
      throw err;
    }
  };
  return html`<fieldset class="sku">
    <legend>${t('products.sku', { n })}</legend>
    <${SkuFields} sku=${form} errors=${errors} prefix="" images=${images} onChange=${setForm} />
    <div class="actions"><${ActionButton} onClick=${save}>${t('products.saveSku', { n })}<//></div>
  </fieldset>`;
}

function NewSku({ shop, product, images, onAdded }) {
  const [form, setForm] = useState(emptySku());
  const [errors, setErrors] = useState({});
  const add = async () => {
    const local = {};
    const body = skuBody(form, '', local);
    setErrors(local);
    if (Object.keys(local).length) return;
    try {
      const s = await post(`${base(shop)}/${product.id}/skus`, body, { key: idempotencyKey() });
      onAdded(s);
      setForm(emptySku());
      toast(t('products.skuAdded'));
    } catch (err) {
      setErrors(fieldErrors(err));
      throw err;
    }
  };
  return html`<fieldset class="sku new-sku">
    <legend>${t('products.newSku')}</legend>
    <${SkuFields} sku=${form} errors=${errors} prefix="" images=${images} onChange=${setForm} />
    <div class="actions"><${ActionButton} onClick=${add}>+ ${t('products.addSku')}<//></div>
  </fieldset>`;
}

function EditProduct({ shop, id }) {
  const product = useAsync(() => get(`${base(shop)}/${id}`), [shop.id, id]);
  const images = useImages(shop);
  const [form, setForm] = useState(null);
  const [errors, setErrors] = useState({});
  const [error, setError] = useState(null);
  const back = html`<p><a href=${href('products')}>← ${t('products.back')}</a></p>`;
  if (product.error) return html`${back}<${ErrorBox} error=${product.error} onRetry=${product.reload} />`;
  const p = product.data;
  if (!p) return html`${back}<${Loading} />`;
  const f = form || { title: p.title, description: p.description };
  const save = async (e) => {
    e.preventDefault();
    setErrors({});
    setError(null);
    try {
      const r = await patch(`${base(shop)}/${p.id}`, { title: f.title, description: f.description });
      product.setData(r);
      setForm(null);
      toast(t('ui.saved'));
    } catch (err) {
      setErrors(fieldErrors(err));
      setError(err);
    }
  };
  const setSku = (s) => product.setData((d) => ({ ...d, skus: d.skus.map((x) => (x.id === s.id ? s : x)) }));
  return html`${back}
    <form class="card product-form" onSubmit=${save} novalidate>
      <h2>${t('products.editTitle')}</h2>
      <p class="product-status">${t('products.status')}: <span class=${`status ${p.status}`}>${t(`products.${p.status}`)}</span>
        <${StatusButton} shop=${shop} product=${p} onDone=${(r) => product.setData(r)} /></p>
      <${Field} label=${t('products.name')} error=${errors.title}>
        <input value=${f.title} maxlength="120" required onInput=${(e) => setForm({ ...f, title: e.currentTarget.value })} />
      <//>
      <${Field} label=${t('products.desc')} error=${errors.description}>
        <textarea value=${f.description} maxlength="5000" onInput=${(e) => setForm({ ...f, description: e.currentTarget.value })}></textarea>
      <//>
      <${ErrorBox} error=${error} />
      <div class="actions"><button type="submit" class="primary">${t('products.save')}</button></div>
    </form>
    <section class="card product-skus">
      <h2>${t('products.skus')}</h2>
      ${p.skus.map((s, i) => html`<${SkuEditor} key=${s.id} shop=${shop} product=${p} sku=${s} n=${i + 1} images=${images.data || []} onSaved=${setSku} />`)}
      ${p.skus.length < 50 && html`<${NewSku} shop=${shop} product=${p} images=${images.data || []}
        onAdded=${(s) => product.setData((d) => ({ ...d, skus: [...d.skus, s] }))} />`}
    </section>`;
}

function StatusButton({ shop, product, onDone }) {
  const on = product.status === 'on_sale';
  const run = async () => {
    const r = await patch(`${base(shop)}/${product.id}`, { status: on ? 'off_sale' : 'on_sale' });
    toast(t(on ? 'products.offNow' : 'products.onNow'));
    onDone(r);
  };
  return html`<${ActionButton} onClick=${run} label=${`${t(on ? 'products.takeOff' : 'products.putOn')} ${product.title}`}>
    ${t(on ? 'products.takeOff' : 'products.putOn')}<//>`;
}

function ProductList({ shop, query }) {
  const tab = ['on_sale', 'off_sale'].includes(query.status) ? query.status : 'all';
  const list = usePaged((cursor) => get(`${base(shop)}${qs({ status: tab === 'all' ? '' : tab, cursor, limit: 20 })}`), [shop.id, tab]);
  const [deleting, setDeleting] = useState(null);
  const replace = (r) => list.setItems((items) => (tab === 'all' || r.status === tab ? items.map((x) => (x.id === r.id ? r : x)) : items.filter((x) => x.id !== r.id)));
  const remove = async () => {
    const p = deleting;
    await del(`${base(shop)}/${p.id}`);
    setDeleting(null);
    list.setItems((items) => items.filter((x) => x.id !== p.id));
    toast(t('products.deleted'));
  };
  return html`<section>
    <h1>${t('products.title')}</h1>
    <div class="toolbar">
      <${Tabs} label=${t('products.status')} value=${tab} onChange=${(v) => setQuery({ status: v === 'all' ? undefined : v })}
        tabs=${['all', 'on_sale', 'off_sale'].map((id) => ({ id, label: t(`products.${id}`) }))} />
      <span class="spacer"></span>
      <a class="button primary" href=${href('products', { edit: 'new' })}>+ ${t('products.new')}</a>
    </div>
    ${list.items.length > 0 && html`<table class="responsive products" aria-label=${t('products.list')}>
      <thead><tr>
        <th scope="col">${t('products.name')}</th><th scope="col">${t('products.skus')}</th>
        <th scope="col">${t('products.status')}</th><th scope="col">${t('products.updated')}</th><th scope="col">${t('products.actions')}</th>
      </tr></thead>
      <tbody>
        ${list.items.map((p) => html`<tr key=${p.id}>
          <td data-label=${t('products.name')} class="product-title">${p.title}</td>
          <td data-label=${t('products.skus')}><ul class="sku-lines">
            ${p.skus.map((s) => html`<li key=${s.id}>${t('products.skuLine', { spec: s.spec, price: fmtMoney(s.price_cents), stock: s.stock })}</li>`)}
          </ul></td>
          <td data-label=${t('products.status')}><span class=${`status ${p.status}`}>${t(`products.${p.status}`)}</span></td>
          <td data-label=${t('products.updated')}><${Time} iso=${p.updated_at} /></td>
          <td data-label=${t('products.actions')} class="row-actions">
            <a href=${href('products', { edit: p.id })} aria-label=${`${t('products.edit')} ${p.title}`}>${t('products.edit')}</a>
            <${StatusButton} shop=${shop} product=${p} onDone=${replace} />
            <button type="button" class="danger" aria-label=${`${t('products.delete')} ${p.title}`} onClick=${() => setDeleting(p)}>${t('products.delete')}</button>
          </td>
        </tr>`)}
      </tbody>
    </table>`}
    <${ListState} list=${list} emptyText=${t('products.empty')} />
    <${Dialog} open=${!!deleting} title=${t('products.delete')} onClose=${() => setDeleting(null)}>
      ${deleting && html`<p>${t('products.deleteAsk', { title: deleting.title })}</p>
        <div class="actions">
          <button type="button" onClick=${() => setDeleting(null)}>${t('ui.cancel')}</button>
          <${ActionButton} className="danger" onClick=${remove}>${t('products.delete')}<//>
        </div>`}
    <//>
  </section>`;
}

function Products({ shop, query }) {
  if (query.edit === 'new') return html`<section><h1>${t('products.title')}</h1><${NewProduct} shop=${shop} /></section>`;
  if (query.edit) return html`<section><h1>${t('products.title')}</h1><${EditProduct} shop=${shop} id=${query.edit} /></section>`;
  return html`<${ProductList} shop=${shop} query=${query} />`;
}

export default { id: 'products', label: 'products.label', roles: ['merchant'], component: Products };
