// 数据: the shop's figures from the stats rollups (docs/data.md): today so
// far against yesterday and last week at the same time, the daily trend of
// a window (range picker, CSV download), a day hour by hour, best-selling
// products, customer service, carriers and coupons. Windows are days of
// the platform's time zone: the server's today anchors the presets.
import { useState } from 'preact/hooks';
import { download, get, qs } from '../api.js';
import { Chart, ChartTable, dayX } from '../chart.js';
import { fmtMoney, strings, t } from '../i18n.js';
import { setQuery } from '../router.js';
import { ActionButton, Empty, ErrorBox, Field, Loading, html, toast, useAsync } from '../ui.js';

strings(
  {
    'data.label': '数据', 'data.title': '数据中心', 'data.never': '暂无统计数据',
    'data.range': '时间范围', 'data.last7': '近 7 天', 'data.last30': '近 30 天', 'data.last90': '近 90 天', 'data.custom': '自定义',
    'data.from': '开始日期', 'data.to': '结束日期', 'data.csv': '下载每日数据 (CSV)', 'data.downloaded': '已下载 {name}',
    'data.overview': '实时概况', 'data.until': '截至 {time}', 'data.metric': '指标', 'data.today': '今日', 'data.yesterday': '昨日', 'data.lastWeek': '上周同日',
    'data.refundRate30': '近 30 天退款率 {rate}',
    'data.trend': '每日趋势', 'data.trendMetric': '趋势指标', 'data.trendLabel': '{metric}每日趋势图，{from} 至 {to}：合计 {total}，最高 {max}（{maxDay}）',
    'data.hourly': '分时数据', 'data.hourlyDate': '日期', 'data.hourlyLabel': '{date} {metric}分时图：合计 {total}，最高 {max}（{maxHour} 时）', 'data.hour': '{h} 时',
    'data.date': '日期', 'data.products': '热销商品', 'data.sort': '排序', 'data.rank': '排名', 'data.product': '商品',
    'data.sort.gmv': '成交金额', 'data.sort.units': '销量', 'data.sort.visitors': '访客数', 'data.sort.conversion': '转化率',
    'data.units': '销量', 'data.noProducts': '这段时间没有商品成交或被浏览',
    'data.service': '客服数据', 'data.cs_converted': '询单成交人数',
    'data.logistics': '物流数据', 'data.carrier': '快递公司', 'data.completed': '已签收', 'data.avgTransit': '平均签收时长', 'data.noCarriers': '这段时间没有发货',
    'data.coupons': '优惠券', 'data.coupon': '优惠券', 'data.claims': '领取数', 'data.couponOrders': '用券订单', 'data.couponGmv': '用券成交金额', 'data.discount': '优惠金额', 'data.noCoupons': '这段时间没有优惠券领取或使用',
    'data.m.gmv_cents': '成交金额', 'data.m.orders': '成交订单数', 'data.m.buyers': '成交买家数', 'data.m.avg_order_value_cents': '客单价',
    'data.m.visitors': '访客数', 'data.m.page_views': '浏览量', 'data.m.conversion_rate': '成交转化率', 'data.m.uv_value_cents': 'UV价值',
    'data.m.refund_cents': '退款金额', 'data.m.refunds': '退款单数', 'data.m.cs_buyers': '咨询人数', 'data.m.cs_rounds': '咨询轮次',
    'data.m.reply_3min_rate': '3分钟人工回复率', 'data.m.avg_response_secs': '平均人工响应时长', 'data.m.inquiry_conversion_rate': '询单转化率',
    'data.m.shipped': '发货订单数', 'data.m.avg_ship_secs': '平均发货时长', 'data.m.shipped_24h_rate': '24小时发货率', 'data.m.shipped_48h_rate': '48小时发货率',
    'data.m.coupon_claims': '优惠券领取数', 'data.m.coupon_orders': '用券订单数', 'data.m.coupon_gmv_cents': '用券成交金额', 'data.m.coupon_discount_cents': '优惠金额',
    'data.secs': '{n} 秒', 'data.mins': '{n} 分钟', 'data.hours': '{n} 小时',
  },
  {
    'data.label': 'Data', 'data.title': 'Data', 'data.never': 'No figures yet',
    'data.range': 'Period', 'data.last7': 'Last 7 days', 'data.last30': 'Last 30 days', 'data.last90': 'Last 90 days', 'data.custom': 'Custom',
    'data.from': 'From', 'data.to': 'To', 'data.csv': 'Download daily figures (CSV)', 'data.downloaded': 'Downloaded {name}',
    'data.overview': 'Today so far', 'data.until': 'until {time}', 'data.metric': 'Metric', 'data.today': 'Today', 'data.yesterday': 'Yesterday', 'data.lastWeek': 'Same day last week',
    'data.refundRate30': 'Refund rate, last 30 days: {rate}',
    'data.trend': 'Daily trend', 'data.trendMetric': 'Trend metric', 'data.trendLabel': 'Daily chart of {metric}, {from} to {to}: total {total}, highest {max} ({maxDay})',
    'data.hourly': 'By hour', 'data.hourlyDate': 'Day', 'data.hourlyLabel': '{metric} by hour on {date}: total {total}, highest {max} (hour {maxHour})', 'data.hour': '{h}:00',
    'data.date': 'Date', 'data.products': 'Best sellers', 'data.sort': 'Sort by', 'data.rank': 'Rank', 'data.product': 'Product',
    'data.sort.gmv': 'Sales', 'data.sort.units': 'Units', 'data.sort.visitors': 'Visitors', 'data.sort.conversion': 'Conversion',
    'data.units': 'Units', 'data.noProducts': 'No product sold or viewed in this period',
    'data.service': 'Customer service', 'data.cs_converted': 'Buyers who bought after asking',
    'data.logistics': 'Shipping', 'data.carrier': 'Carrier', 'data.completed': 'Delivered', 'data.avgTransit': 'Mean delivery time', 'data.noCarriers': 'Nothing shipped in this period',
    'data.coupons': 'Coupons', 'data.coupon': 'Coupon', 'data.claims': 'Claims', 'data.couponOrders': 'Orders', 'data.couponGmv': 'Sales with it', 'data.discount': 'Discount', 'data.noCoupons': 'No coupon claimed or used in this period',
    'data.m.gmv_cents': 'Sales', 'data.m.orders': 'Orders', 'data.m.buyers': 'Buyers', 'data.m.avg_order_value_cents': 'Average order value',
    'data.m.visitors': 'Visitors', 'data.m.page_views': 'Page views', 'data.m.conversion_rate': 'Conversion rate', 'data.m.uv_value_cents': 'Value per visitor',
    'data.m.refund_cents': 'Refunds', 'data.m.refunds': 'Refunded orders', 'data.m.cs_buyers': 'Buyers who asked', 'data.m.cs_rounds': 'Chat rounds',
    'data.m.reply_3min_rate': 'Replied within 3 min', 'data.m.avg_response_secs': 'Mean response time', 'data.m.inquiry_conversion_rate': 'Inquiry conversion',
    'data.m.shipped': 'Orders shipped', 'data.m.avg_ship_secs': 'Mean time to ship', 'data.m.shipped_24h_rate': 'Shipped within 24 h', 'data.m.shipped_48h_rate': 'Shipped within 48 h',
    'data.m.coupon_claims': 'Coupon claims', 'data.m.coupon_orders': 'Orders with coupons', 'data.m.coupon_gmv_cents': 'Sales with coupons', 'data.m.coupon_discount_cents': 'Coupon discounts',
    'data.secs': '{n} s', 'data.mins': '{n} min', 'data.hours': '{n} h',
  },
);

const OVERVIEW = ['gmv_cents', 'orders', 'buyers', 'avg_order_value_cents', 'visitors', 'page_views', 'conversion_rate', 'refund_cents', 'refunds', 'cs_buyers', 'shipped'];
const TREND = ['gmv_cents', 'orders', 'buyers', 'visitors', 'page_views', 'refund_cents', 'shipped'];
const SORTS = ['gmv', 'units', 'visitors', 'conversion'];

// A metric's value as text: money, a percentage, a duration or a count;
// null (a ratio of nothing) is a dash.
export function fmtMetric(key, v) {
  if (v === null || v === undefined) return '—';
  if (key.endsWith('_cents')) return fmtMoney(v);
  if (key.endsWith('_rate')) return `${(v * 100).toFixed(2)}%`;
  if (key.endsWith('_secs')) return fmtSecs(v);
  return String(v);
}

function fmtSecs(s) {
  if (s < 60) return t('data.secs', { n: Math.round(s) });
  if (s < 3600) return t('data.mins', { n: (s / 60).toFixed(1) });
  return t('data.hours', { n: (s / 3600).toFixed(1) });
}

// A chart's y value: money in yuan (the axis shows ¥), others as they are.
const chartValue = (key, v) => (v === null || v === undefined ? null : key.endsWith('_cents') ? v / 100 : v);
const chartAxis = (key) => (key.endsWith('_cents') ? (v) => `¥${v.toLocaleString('en-US')}` : (v) => String(v));

function addDays(date, n) {
  const [y, m, d] = date.split('-').map(Number);
  const x = new Date(Date.UTC(y, m - 1, d + n));
  return x.toISOString().slice(0, 10);
}

const stats = (shop, route, params) => get(`/v1/shops/${shop.id}/stats/${route}${qs(params)}`);

function Data({ shop, query }) {
  const overview = useAsync(() => stats(shop, 'overview'), [shop.id]);
  const win = { from: query.from, to: query.to };
  const today = overview.data?.date;
  const preset = (n) => setQuery({ from: addDays(today, -(n - 1)), to: today });
  const rangeValue = !query.from && !query.to ? '30' : ['7', '30', '90'].find((n) => today && query.to === today && query.from === addDays(today, -(Number(n) - 1))) || 'custom';
  const csv = async () => {
    const r = await download(`/v1/shops/${shop.id}/stats/daily.csv${qs(win)}`, `stats-${shop.id}.csv`);
    toast(t('data.downloaded', { name: r.name }));
  };
  const asOf = overview.data?.as_of;
  return html`<section class="data">
    <h1>${t('data.title')}</h1>
    ${overview.data && !asOf && html`<p class="muted">${t('data.never')}</p>`}
    <${Overview} overview=${overview} />
    <div class="toolbar data-range">
      <${Field} label=${t('data.range')}>
        <select value=${rangeValue} disabled=${!today} onChange=${(e) => e.currentTarget.value !== 'custom' && preset(Number(e.currentTarget.value))}>
          <option value="7">${t('data.last7')}</option>
          <option value="30">${t('data.last30')}</option>
          <option value="90">${t('data.last90')}</option>
          <option value="custom" disabled>${t('data.custom')}</option>
        </select>
      <//>
      <${Field} label=${t('data.from')}>
        <input type="date" value=${query.from || (today ? addDays(query.to || today, -29) : '')} max=${today} onChange=${(e) => setQuery({ from: e.currentTarget.value || undefined })} />
      <//>
      <${Field} label=${t('data.to')}>
        <input type="date" value=${query.to || today || ''} max=${today} onChange=${(e) => setQuery({ to: e.currentTarget.value || undefined })} />
      <//>
      <${ActionButton} onClick=${csv}>${t('data.csv')}<//>
    </div>
    <${Trend} shop=${shop} win=${win} query=${query} />
    <${Hourly} shop=${shop} query=${query} today=${today} />
    <${Products} shop=${shop} win=${win} query=${query} />
    <div class="data-grid">
      <${Service} shop=${shop} win=${win} />
      <${Logistics} shop=${shop} win=${win} />
    </div>
    <${Coupons} shop=${shop} win=${win} />
  </section>`;
}

function Overview({ overview }) {
  if (overview.error) return html`<${ErrorBox} error=${overview.error} onRetry=${overview.reload} />`;
  if (!overview.data) return html`<${Loading} />`;
  const o = overview.data;
  return html`<div class="card data-overview">
    <h2>${t('data.overview')} <span class="muted">${t('data.until', { time: `${o.date} ${o.until}` })}</span></h2>
    <ul class="data-kpis">
      ${['gmv_cents', 'orders', 'buyers', 'visitors'].map((k) => html`<li key=${k}>
        <span class="data-kpi-label">${t(`data.m.${k}`)}</span>
        <strong class="data-kpi">${fmtMetric(k, o.today[k])}</strong>
        <span class="muted">${t('data.yesterday')} ${fmtMetric(k, o.yesterday[k])}</span>
      </li>`)}
    </ul>
    <table class="data-compare">
      <thead><tr><th scope="col">${t('data.metric')}</th><th scope="col" class="num">${t('data.today')}</th><th scope="col" class="num">${t('data.yesterday')}</th><th scope="col" class="num">${t('data.lastWeek')}</th></tr></thead>
      <tbody>
        ${OVERVIEW.map((k) => html`<tr key=${k}>
          <th scope="row">${t(`data.m.${k}`)}</th>
          <td class="num" data-label=${t('data.today')}>${fmtMetric(k, o.today[k])}</td>
          <td class="num" data-label=${t('data.yesterday')}>${fmtMetric(k, o.yesterday[k])}</td>
          <td class="num" data-label=${t('data.lastWeek')}>${fmtMetric(k, o.last_week[k])}</td>
        </tr>`)}
      </tbody>
    </table>
    <p class="muted">${t('data.refundRate30', { rate: fmtMetric('x_rate', o.refund_rate_30d) })}</p>
  </div>`;
}

function MetricSelect({ value, label }) {
  return html`<${Field} label=${label}>
    <select value=${value} onChange=${(e) => setQuery({ metric: e.currentTarget.value === 'gmv_cents' ? undefined : e.currentTarget.value })}>
      ${TREND.map((k) => html`<option value=${k}>${t(`data.m.${k}`)}</option>`)}
    </select>
  <//>`;
}

function peak(values) {
  let best = 0;
  values.forEach((v, i) => {
    if ((v ?? -Infinity) > (values[best] ?? -Infinity)) best = i;
  });
  return best;
}

function Trend({ shop, win, query }) {
  const metric = TREND.includes(query.metric) ? query.metric : 'gmv_cents';
  const daily = useAsync(() => stats(shop, 'daily', win), [shop.id, win.from, win.to]);
  let body;
  if (daily.error) body = html`<${ErrorBox} error=${daily.error} onRetry=${daily.reload} />`;
  else if (!daily.data) body = html`<${Loading} />`;
  else {
    const d = daily.data;
    const raw = d.days.map((x) => x[metric]);
    const total = raw.reduce((a, v) => a + (v || 0), 0);
    const top = peak(raw);
    const label = t('data.trendLabel', {
      metric: t(`data.m.${metric}`), from: d.from, to: d.to, total: fmtMetric(metric, total),
      max: fmtMetric(metric, raw[top] ?? 0), maxDay: d.days[top]?.date || '',
    });
    body = html`
      <${Chart} label=${label} x=${d.days.map((x) => dayX(x.date))}
        series=${[{ label: t(`data.m.${metric}`), values: raw.map((v) => chartValue(metric, v)) }]} fmtY=${chartAxis(metric)} />
      <${ChartTable} caption=${t('data.trend')} head=${[t('data.date'), t(`data.m.${metric}`)]} rows=${d.days.map((x) => [x.date, fmtMetric(metric, x[metric])])} />`;
  }
  return html`<div class="card">
    <div class="data-head"><h2>${t('data.trend')}</h2><${MetricSelect} value=${metric} label=${t('data.trendMetric')} /></div>
    ${body}
  </div>`;
}

function Hourly({ shop, query, today }) {
  const metric = TREND.includes(query.metric) ? query.metric : 'gmv_cents';
  const date = query.day || today;
  const hourly = useAsync(() => (date ? stats(shop, 'hourly', { date }) : new Promise(() => {})), [shop.id, date]);
  let body;
  if (hourly.error) body = html`<${ErrorBox} error=${hourly.error} onRetry=${hourly.reload} />`;
  else if (!hourly.data) body = html`<${Loading} />`;
  else {
    const h = hourly.data;
    const raw = h.hours.map((x) => x[metric]);
    const total = raw.reduce((a, v) => a + (v || 0), 0);
    const top = peak(raw);
    const label = t('data.hourlyLabel', { metric: t(`data.m.${metric}`), date: h.date, total: fmtMetric(metric, total), max: fmtMetric(metric, raw[top] ?? 0), maxHour: top });
    body = html`
      <${Chart} label=${label} x=${h.hours.map((x) => x.hour)} time=${false} fmtX=${(v) => `${v}`}
        series=${[{ label: t(`data.m.${metric}`), values: raw.map((v) => chartValue(metric, v)) }]} fmtY=${chartAxis(metric)} />
      <${ChartTable} caption=${t('data.hourly')} head=${[t('data.hourlyDate'), t(`data.m.${metric}`)]}
        rows=${h.hours.map((x) => [t('data.hour', { h: x.hour }), fmtMetric(metric, x[metric])])} />`;
  }
  return html`<div class="card">
    <div class="data-head">
      <h2>${t('data.hourly')}</h2>
      <${Field} label=${t('data.hourlyDate')}>
        <input type="date" value=${date || ''} max=${today} onChange=${(e) => setQuery({ day: e.currentTarget.value || undefined })} />
      <//>
    </div>
    ${body}
  </div>`;
}

function Products({ shop, win, query }) {
  const sort = SORTS.includes(query.sort) ? query.sort : 'gmv';
  const products = useAsync(() => stats(shop, 'products', { ...win, sort, limit: 20 }), [shop.id, win.from, win.to, sort]);
  let body;
  if (products.error) body = html`<${ErrorBox} error=${products.error} onRetry=${products.reload} />`;
  else if (!products.data) body = html`<${Loading} />`;
  else if (!products.data.items.length) body = html`<${Empty} text=${t('data.noProducts')} />`;
  else {
    body = html`<table class="responsive data-products">
      <thead><tr>
        <th scope="col">${t('data.rank')}</th><th scope="col">${t('data.product')}</th><th scope="col" class="num">${t('data.m.gmv_cents')}</th>
        <th scope="col" class="num">${t('data.units')}</th><th scope="col" class="num">${t('data.m.orders')}</th><th scope="col" class="num">${t('data.m.buyers')}</th>
        <th scope="col" class="num">${t('data.m.visitors')}</th><th scope="col" class="num">${t('data.m.conversion_rate')}</th>
      </tr></thead>
      <tbody>
        ${products.data.items.map((p, i) => html`<tr key=${p.product_id}>
          <td data-label=${t('data.rank')}>${i + 1}</td>
          <td data-label=${t('data.product')} class="data-title">${p.title}</td>
          <td data-label=${t('data.m.gmv_cents')} class="num">${fmtMoney(p.gmv_cents)}</td>
          <td data-label=${t('data.units')} class="num">${p.units}</td>
          <td data-label=${t('data.m.orders')} class="num">${p.orders}</td>
          <td data-label=${t('data.m.buyers')} class="num">${p.buyers}</td>
          <td data-label=${t('data.m.visitors')} class="num">${p.visitors}</td>
          <td data-label=${t('data.m.conversion_rate')} class="num">${fmtMetric('conversion_rate', p.conversion_rate)}</td>
        </tr>`)}
      </tbody>
    </table>`;
  }
  return html`<div class="card">
    <div class="data-head">
      <h2>${t('data.products')}</h2>
      <${Field} label=${t('data.sort')}>
        <select value=${sort} onChange=${(e) => setQuery({ sort: e.currentTarget.value === 'gmv' ? undefined : e.currentTarget.value })}>
          ${SORTS.map((s) => html`<option value=${s}>${t(`data.sort.${s}`)}</option>`)}
        </select>
      <//>
    </div>
    ${body}
  </div>`;
}

function Figures({ items }) {
  return html`<dl class="data-figures">
    ${items.map(([label, value]) => html`<div key=${label}><dt>${label}</dt><dd>${value}</dd></div>`)}
  </dl>`;
}

function Service({ shop, win }) {
  const s = useAsync(() => stats(shop, 'service', win), [shop.id, win.from, win.to]);
  let body;
  if (s.error) body = html`<${ErrorBox} error=${s.error} onRetry=${s.reload} />`;
  else if (!s.data) body = html`<${Loading} />`;
  else {
    const d = s.data;
    body = html`<${Figures} items=${[
      [t('data.m.cs_buyers'), String(d.cs_buyers)],
      [t('data.m.cs_rounds'), String(d.cs_rounds)],
      [t('data.m.reply_3min_rate'), fmtMetric('reply_3min_rate', d.reply_3min_rate)],
      [t('data.m.avg_response_secs'), fmtMetric('avg_response_secs', d.avg_response_secs)],
      [t('data.cs_converted'), String(d.cs_converted)],
      [t('data.m.inquiry_conversion_rate'), fmtMetric('inquiry_conversion_rate', d.inquiry_conversion_rate)],
    ]} />`;
  }
  return html`<div class="card data-service"><h2>${t('data.service')}</h2>${body}</div>`;
}

function Logistics({ shop, win }) {
  const l = useAsync(() => stats(shop, 'logistics', win), [shop.id, win.from, win.to]);
  let body;
  if (l.error) body = html`<${ErrorBox} error=${l.error} onRetry=${l.reload} />`;
  else if (!l.data) body = html`<${Loading} />`;
  else {
    const d = l.data;
    body = html`
      <${Figures} items=${[
        [t('data.m.shipped'), String(d.shipped)],
        [t('data.m.avg_ship_secs'), fmtMetric('avg_ship_secs', d.avg_ship_secs)],
        [t('data.m.shipped_24h_rate'), fmtMetric('shipped_24h_rate', d.shipped_24h_rate)],
        [t('data.m.shipped_48h_rate'), fmtMetric('shipped_48h_rate', d.shipped_48h_rate)],
      ]} />
      ${d.carriers.length === 0
        ? html`<${Empty} text=${t('data.noCarriers')} />`
        : html`<table class="responsive data-carriers">
            <thead><tr>
              <th scope="col">${t('data.carrier')}</th><th scope="col" class="num">${t('data.m.shipped')}</th><th scope="col" class="num">${t('data.m.avg_ship_secs')}</th>
              <th scope="col" class="num">${t('data.completed')}</th><th scope="col" class="num">${t('data.avgTransit')}</th>
            </tr></thead>
            <tbody>
              ${d.carriers.map((c) => html`<tr key=${c.carrier}>
                <td data-label=${t('data.carrier')}>${c.name}</td>
                <td data-label=${t('data.m.shipped')} class="num">${c.shipped}</td>
                <td data-label=${t('data.m.avg_ship_secs')} class="num">${fmtMetric('avg_ship_secs', c.avg_ship_secs)}</td>
                <td data-label=${t('data.completed')} class="num">${c.completed}</td>
                <td data-label=${t('data.avgTransit')} class="num">${fmtMetric('avg_transit_secs', c.avg_transit_secs)}</td>
              </tr>`)}
            </tbody>
          </table>`}`;
  }
  return html`<div class="card data-logistics"><h2>${t('data.logistics')}</h2>${body}</div>`;
}

function Coupons({ shop, win }) {
  const c = useAsync(() => stats(shop, 'coupons', win), [shop.id, win.from, win.to]);
  let body;
  if (c.error) body = html`<${ErrorBox} error=${c.error} onRetry=${c.reload} />`;
  else if (!c.data) body = html`<${Loading} />`;
  else if (!c.data.items.length) body = html`<${Empty} text=${t('data.noCoupons')} />`;
  else {
    body = html`<table class="responsive data-coupons">
      <thead><tr>
        <th scope="col">${t('data.coupon')}</th><th scope="col" class="num">${t('data.claims')}</th><th scope="col" class="num">${t('data.couponOrders')}</th>
        <th scope="col" class="num">${t('data.couponGmv')}</th><th scope="col" class="num">${t('data.discount')}</th>
      </tr></thead>
      <tbody>
        ${c.data.items.map((x) => html`<tr key=${x.coupon_id}>
          <td data-label=${t('data.coupon')}>${x.title}</td>
          <td data-label=${t('data.claims')} class="num">${x.claims}</td>
          <td data-label=${t('data.couponOrders')} class="num">${x.orders}</td>
          <td data-label=${t('data.couponGmv')} class="num">${fmtMoney(x.gmv_cents)}</td>
          <td data-label=${t('data.discount')} class="num">${fmtMoney(x.discount_cents)}</td>
        </tr>`)}
      </tbody>
    </table>`;
  }
  return html`<div class="card data-coupons-card"><h2>${t('data.coupons')}</h2>${body}</div>`;
}

export default { id: 'data', label: 'data.label', roles: ['merchant'], component: Data };
