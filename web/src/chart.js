// Line charts (uPlot), for the funds and data pages. uPlot is loaded with
// the first chart (a dynamic import: esbuild splits it into a chunk of its
// own), so pages without charts never fetch it. A chart is an image to
// assistive technology (role="img" with a summary as its name), and every
// chart comes with a table of its figures (ChartTable) for those who
// cannot read a canvas.
import { useEffect, useRef, useState } from 'preact/hooks';
import { t, strings } from './i18n.js';
import { html } from './ui.js';

strings(
  { 'chart.table': '查看数据表', 'chart.loadFailed': '图表加载失败' },
  { 'chart.table': 'Show the figures as a table', 'chart.loadFailed': 'The chart could not be loaded' },
);

let uplot;
const loadUplot = () => (uplot ||= import('uplot').then((m) => m.default));

// Colours that keep 3:1 against white (lines are graphics, not text).
export const COLORS = ['#c4161c', '#1d5bd8', '#1a7f37', '#8a5300', '#6e40c9'];

// x: numbers (unix seconds when time, else plain numbers such as hours);
// series: [{label, values}]; fmtY: a y value as shown on the axis and in
// the tooltip's legend; fmtX: an x value as text (plain axes).
// stepped: a value holds until the next point (balances), instead of a
// line drawn between points.
export function Chart({ label, x, series, time = true, stepped = false, fmtY = String, fmtX = String, height = 220 }) {
  const box = useRef(null);
  const plot = useRef(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let dead = false;
    let observer;
    loadUplot().then(
      (UPlot) => {
        if (dead || !box.current) return;
        const width = Math.max(box.current.clientWidth, 200);
        const opts = {
          width,
          height,
          legend: { show: false },
          scales: { x: { time } },
          series: [
            {},
            ...series.map((s, i) => ({
              label: s.label,
              stroke: COLORS[i % COLORS.length],
              width: 2,
              points: { size: 5 },
              ...(stepped ? { paths: UPlot.paths.stepped({ align: 1 }) } : {}),
            })),
          ],
          axes: [
            { stroke: '#596068', values: (u, vals) => (time ? timeTicks(vals) : vals.map((v) => (v == null ? '' : fmtX(v)))) },
            { stroke: '#596068', size: 70, values: (u, vals) => vals.map((v) => (v == null ? '' : fmtY(v))) },
          ],
        };
        plot.current = new UPlot(opts, [x, ...series.map((s) => s.values)], box.current);
        observer = new ResizeObserver(() => {
          const w = box.current && box.current.clientWidth;
          if (w && plot.current && Math.abs(w - plot.current.width) > 1) plot.current.setSize({ width: Math.max(w, 200), height });
        });
        observer.observe(box.current);
      },
      () => !dead && setFailed(true),
    );
    return () => {
      dead = true;
      observer?.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [JSON.stringify(x), JSON.stringify(series), time, stepped, height]);
  return html`<figure class="chart">
    <div class="chart-plot" role="img" aria-label=${label} ref=${box}></div>
    ${failed && html`<p class="error">${t('chart.loadFailed')}</p>`}
    <figcaption class="chart-legend">
      ${series.map((s, i) => html`<span key=${s.label}><span class=${`swatch c${i % COLORS.length}`} aria-hidden="true"></span>${s.label}</span>`)}
    </figcaption>
  </figure>`;
}

// Time ticks (unix seconds) in 24-hour time when they fall within a day,
// else as month-day (with the time when ticks share a day).
function timeTicks(vals) {
  const ds = vals.map((v) => (v === null ? null : new Date(v * 1000)));
  const two = (n) => String(n).padStart(2, '0');
  const days = new Set(ds.filter(Boolean).map((d) => d.toDateString()));
  const midnight = ds.every((d) => !d || (d.getHours() === 0 && d.getMinutes() === 0));
  return ds.map((d) => {
    if (!d) return '';
    const md = `${two(d.getMonth() + 1)}-${two(d.getDate())}`;
    const hm = `${two(d.getHours())}:${two(d.getMinutes())}`;
    if (days.size <= 1) return hm;
    return midnight ? md : `${md} ${hm}`;
  });
}

// The chart's figures as a table, folded away under a summary.
export function ChartTable({ head, rows, caption }) {
  return html`<details class="chart-table">
    <summary>${t('chart.table')}</summary>
    <table>
      ${caption && html`<caption class="sr-only">${caption}</caption>`}
      <thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
      <tbody>${rows.map((r, i) => html`<tr key=${i}>${r.map((c, j) => (j === 0 ? html`<th scope="row">${c}</th>` : html`<td>${c}</td>`))}</tr>`)}</tbody>
    </table>
  </details>`;
}

// A day (YYYY-MM-DD) as the unix seconds of its local midnight: uPlot's
// time axis shows it as that day in the browser's zone.
export function dayX(date) {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(y, m - 1, d).getTime() / 1000;
}
