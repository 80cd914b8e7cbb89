// Hand-drawn SVG charts for the operator: the emission schedule against what exists, and
// the residents' Force histogram. No chart library: the schedule is linear inside each era,
// so a polyline through the halving instants is the exact curve, and zooming is clipping.
import { useState } from 'preact/hooks';
import { html, t, formatBD, formatTime } from '../common.js';

const W = 760;
const H = 280;
const PAD = { l: 78, r: 18, t: 16, b: 40 };
const YEAR_MS = 365.25 * 86400000;

/** The cap curve's value at `t`, interpolated between the exact sample points. */
export function capAt(points, t) {
  if (!points.length) return 0;
  if (t <= points[0].time) return points[0].emitted_cap;
  for (let i = 1; i < points.length; i += 1) {
    const a = points[i - 1];
    const b = points[i];
    if (t <= b.time) {
      if (b.time === a.time) return b.emitted_cap;
      return a.emitted_cap + (b.emitted_cap - a.emitted_cap) * ((t - a.time) / (b.time - a.time));
    }
  }
  return points[points.length - 1].emitted_cap;
}

/** Points of the curve inside [t0, t1], with the window's edges interpolated in. */
export function clipPoints(points, t0, t1) {
  const inside = points.filter((p) => p.time > t0 && p.time < t1);
  return [{ time: t0, emitted_cap: capAt(points, t0) }, ...inside, { time: t1, emitted_cap: capAt(points, t1) }];
}

function niceStep(span, count) {
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * mag;
}

/** µBD as a short figure for axes and headlines: "394 M", "1.2 k", "0.50". */
export function compactBD(micro) {
  const bd = micro / 1e6;
  if (bd >= 1e9) return `${(bd / 1e9).toFixed(bd >= 1e10 ? 0 : 1)} B`;
  if (bd >= 1e6) return `${(bd / 1e6).toFixed(bd >= 1e7 ? 0 : 1)} M`;
  if (bd >= 1e3) return `${(bd / 1e3).toFixed(bd >= 1e4 ? 0 : 1)} k`;
  return bd.toFixed(bd >= 10 ? 0 : 2);
}

function timeTicks(t0, t1) {
  const span = t1 - t0;
  const units = [
    [YEAR_MS, 'y', 3 * YEAR_MS],
    [86400000, 'd', 3 * 86400000],
    [3600000, 'h', 3 * 3600000],
    [60000, 'min', 0],
  ];
  const [ms, name] = units.find(([, , min]) => span > min);
  const unit = Math.max(1, niceStep(span / ms, 6)) * ms;
  const ticks = [];
  for (let at = t0; at <= t1 + 1; at += unit) ticks.push({ t: at, text: `${Math.round((at - t0) / ms)} ${t(`chart.unit.${name}`)}` });
  return ticks;
}

const RANGES = ['now', 'era', 'all'];

/**
 * The scheduled supply (cap curve) from genesis, with where emission, distribution and
 * collection stand now. `s` is the core's emission/schedule query.
 */
export function SupplyChart({ s }) {
  const [range, setRange] = useState('now');
  if (!s || !s.points?.length) return null;
  const g = s.genesis_time;
  const end = s.end_time;
  let t1 = end;
  if (range === 'era' && s.halving_interval_ms) t1 = Math.min(end, g + s.halving_interval_ms);
  if (range === 'now') t1 = Math.min(end, Math.max(g + 600000, g + (s.time - g) * 1.25));
  const pts = clipPoints(s.points, g, t1);
  const yMax = Math.max(pts[pts.length - 1].emitted_cap, s.emitted_micro, 1) * 1.05;
  const x = (t) => PAD.l + ((t - g) / Math.max(1, t1 - g)) * (W - PAD.l - PAD.r);
  const y = (v) => H - PAD.b - (v / yMax) * (H - PAD.t - PAD.b);
  const line = pts.map((p, i) => `${i ? 'L' : 'M'}${x(p.time).toFixed(1)},${y(p.emitted_cap).toFixed(1)}`).join(' ');
  const area = `${line} L${x(t1).toFixed(1)},${y(0)} L${x(g).toFixed(1)},${y(0)} Z`;
  const yStep = niceStep(yMax, 5);
  const yTicks = [];
  for (let v = 0; v <= yMax; v += yStep) yTicks.push(v);
  const nowX = x(Math.min(s.time, t1));
  const nowVisible = s.time <= t1;
  const marks = [
    { key: 'emitted', label: t('chart.emitted'), v: s.emitted_micro, cls: 'mark-emitted' },
    { key: 'distributed', label: t('chart.distributed'), v: s.distributed_micro, cls: 'mark-distributed' },
    { key: 'collected', label: t('chart.collected'), v: s.collected_micro, cls: 'mark-collected' },
  ];
  return html`<div class="chart" data-testid="supply-chart">
    <div class="chart-tools" role="group" aria-label=${t('chart.rangeLabel')}>
      ${RANGES.map((r) => html`<button type="button" class=${r === range ? 'choice active' : 'choice'} aria-pressed=${r === range ? 'true' : 'false'}
        data-testid=${`supply-range-${r}`} onClick=${() => setRange(r)}>${t(`chart.range.${r}`)}</button>`)}
    </div>
    <svg viewBox=${`0 0 ${W} ${H}`} role="img" aria-label=${t('chart.supplyLabel')}>
      ${yTicks.map((v) => html`<g class="grid">
        <line x1=${PAD.l} x2=${W - PAD.r} y1=${y(v)} y2=${y(v)} />
        <text x=${PAD.l - 8} y=${y(v) + 4} text-anchor="end">${compactBD(v)}</text></g>`)}
      ${timeTicks(g, t1).map((tk) => html`<g class="grid">
        <line x1=${x(tk.t)} x2=${x(tk.t)} y1=${PAD.t} y2=${H - PAD.b} class="vgrid" />
        <text x=${x(tk.t)} y=${H - PAD.b + 16} text-anchor="middle">${tk.text}</text></g>`)}
      <text x=${PAD.l} y=${H - 6} class="axis-label">${t('chart.sinceGenesis', { time: formatTime(g, { seconds: false }) })}</text>
      <text x=${12} y=${PAD.t + 4} class="axis-label" transform=${`rotate(-90 12 ${PAD.t + 4})`} text-anchor="end">BD</text>
      <path d=${area} class="cap-area" />
      <path d=${line} class="cap-line" />
      ${range === 'all' ? html`<line x1=${PAD.l} x2=${W - PAD.r} y1=${y(s.cap_micro)} y2=${y(s.cap_micro)} class="cap-limit" />
        <text x=${W - PAD.r - 4} y=${y(s.cap_micro) - 6} text-anchor="end" class="cap-label">${t('chart.cap', { amount: compactBD(s.cap_micro) })}</text>` : null}
      ${nowVisible ? html`<line x1=${nowX} x2=${nowX} y1=${PAD.t} y2=${H - PAD.b} class="now-line" />
        <text x=${nowX + 4} y=${PAD.t + 10} class="now-label">${t('chart.now')}</text>
        ${marks.map((m) => html`<circle cx=${nowX} cy=${y(m.v)} r="5" class=${m.cls}><title>${m.label}: ${formatBD(m.v)}</title></circle>`)}` : null}
    </svg>
    <div class="legend">
      <span><i class="sw sw-cap"></i>${t('chart.scheduledCap')}</span>
      ${marks.map((m) => html`<span><i class=${`sw ${m.cls}`}></i>${m.label} <strong data-testid=${`supply-${m.key}`}>${formatBD(m.v)}</strong></span>`)}
    </div>
  </div>`;
}

function bucketLabel(b) {
  const k = (n) => (n >= 1000 ? `${n / 1000}k` : `${n}`);
  if (b.max == null) return `${k(b.min)}+`;
  return b.min === b.max ? k(b.min) : `${k(b.min)}–${k(b.max)}`;
}

/** Residents by Force bucket (the census's fixed edges). */
export function ForceHistogram({ histogram }) {
  if (!histogram?.length) return null;
  const w = 560;
  const h = 230;
  const pad = { l: 44, r: 8, t: 20, b: 34 };
  const max = Math.max(1, ...histogram.map((b) => b.count));
  const bw = (w - pad.l - pad.r) / histogram.length;
  const y = (c) => h - pad.b - (c / max) * (h - pad.t - pad.b);
  const step = niceStep(max, 4);
  const ticks = [];
  for (let v = 0; v <= max; v += Math.max(1, Math.round(step))) ticks.push(v);
  return html`<svg viewBox=${`0 0 ${w} ${h}`} class="histogram" data-testid="force-histogram" role="img" aria-label=${t('chart.histogramLabel')}>
    ${ticks.map((v) => html`<g class="grid"><line x1=${pad.l} x2=${w - pad.r} y1=${y(v)} y2=${y(v)} />
      <text x=${pad.l - 6} y=${y(v) + 4} text-anchor="end">${v}</text></g>`)}
    ${histogram.map((b, i) => html`<g>
      <rect x=${pad.l + i * bw + 3} y=${y(b.count)} width=${bw - 6} height=${Math.max(0, h - pad.b - y(b.count))} class="bar">
        <title>${t('chart.bucket', { bucket: bucketLabel(b), n: b.count })}</title></rect>
      ${b.count ? html`<text x=${pad.l + i * bw + bw / 2} y=${y(b.count) - 4} text-anchor="middle" class="bar-label">${b.count}</text>` : null}
      <text x=${pad.l + i * bw + bw / 2} y=${h - pad.b + 15} text-anchor="middle">${bucketLabel(b)}</text>
    </g>`)}
    <text x=${pad.l} y=${h - 4} class="axis-label">${t('chart.force')}</text>
  </svg>`;
}
