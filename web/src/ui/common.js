// Shared UI pieces for every page: htm bound to preact, the one live connection to the
// node (blocks and the wallet's own transactions), formatting in the deployment's
// timezone, and the small components (Button, Card, Table, ErrorBox, toast) that give
// every page the same busy states and the same way of showing the core's refusals.
import { h } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import htm from 'htm';

export const html = htm.bind(h);

// --- errors ----------------------------------------------------------------------------

/** The human message of an error: the core's `message`, an HTTP body's, or the text. */
export function errorMessage(err) {
  if (err == null) return '';
  if (typeof err === 'string') return err;
  if (err.body && typeof err.body === 'object') {
    const b = err.body;
    const inner = b.committed?.result?.log || b.check?.log || b.message || b.detail;
    if (typeof inner === 'string' && inner) return inner;
  }
  if (err.message) return err.message;
  return String(err);
}

// --- time and amounts --------------------------------------------------------------------

let tzOffsetMinutes = 8 * 60;

/** The deployment's UTC offset in minutes (genesis `timezone`; +08:00 unless told). */
export function setTimezone(value) {
  if (typeof value === 'number' && Number.isFinite(value)) { tzOffsetMinutes = value; return; }
  const m = typeof value === 'string' && /^([+-])(\d{2}):(\d{2})$/.exec(value);
  if (m) tzOffsetMinutes = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

export function timezoneLabel() {
  const sign = tzOffsetMinutes < 0 ? '-' : '+';
  const a = Math.abs(tzOffsetMinutes);
  return `UTC${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

/** Block time (ms since the epoch) as "2026-12-01 20:15:03" in the deployment's zone. */
export function formatTime(ms, { seconds = true } = {}) {
  if (ms == null || ms === '') return '—';
  const d = new Date(Number(ms) + tzOffsetMinutes * 60000);
  if (Number.isNaN(d.getTime())) return '—';
  const iso = d.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, seconds ? 19 : 16)}`;
}

/**
 * A span of time as "1 d 02 h 03 min" (largest unit first, no leading zero units);
 * `{ days: false }` counts in hours ("47 h 59 min 58 s"), as the 48-hour rule does.
 */
export function formatDuration(ms, { days = true } = {}) {
  if (ms == null || !Number.isFinite(Number(ms))) return '—';
  let s = Math.max(0, Math.floor(Number(ms) / 1000));
  const d = days ? Math.floor(s / 86400) : 0; s -= d * 86400;
  const hh = Math.floor(s / 3600); s -= hh * 3600;
  const mm = Math.floor(s / 60); s -= mm * 60;
  const p = (n) => String(n).padStart(2, '0');
  if (d) return hh || mm ? `${d} d ${p(hh)} h ${p(mm)} min` : `${d} day${d === 1 ? '' : 's'}`;
  if (hh) return `${hh} h ${p(mm)} min ${p(s)} s`;
  if (mm) return `${mm} min ${p(s)} s`;
  return `${s} s`;
}

function toBig(micro) {
  if (typeof micro === 'bigint') return micro;
  if (typeof micro === 'number') return BigInt(Math.trunc(micro));
  if (typeof micro === 'string' && /^-?\d+$/.test(micro)) return BigInt(micro);
  return null;
}

/**
 * µBD as BD: "1,234.5 BD"; `precise` keeps all six decimals ("1,234.500000 BD").
 * Exact (BigInt), never a float.
 */
export function formatBD(micro, { precise = false, unit = true } = {}) {
  const v = toBig(micro);
  if (v === null) return '—';
  const neg = v < 0n;
  const a = neg ? -v : v;
  const whole = (a / 1000000n).toLocaleString('en-US');
  let frac = (a % 1000000n).toString().padStart(6, '0');
  if (!precise) {
    frac = frac.replace(/0+$/, '');
    if (frac.length < 2 && a >= 1000000n) frac = frac.padEnd(2, '0');
    if (frac.length === 0) frac = '00';
  }
  return `${neg ? '−' : ''}${whole}.${frac}${unit ? ' BD' : ''}`;
}

/** Force units as an integer with separators. */
export function formatForce(n) {
  if (n == null) return '—';
  return Number(n).toLocaleString('en-US');
}

export function shortAddr(addr, head = 10, tail = 6) {
  if (!addr || typeof addr !== 'string') return '—';
  return addr.length <= head + tail + 1 ? addr : `${addr.slice(0, head)}…${addr.slice(-tail)}`;
}

// --- live connection ------------------------------------------------------------------
// One EventSource for the whole app on /v1/events?address=<current wallet>. Pages
// subscribe to blocks (and to the wallet's own txs). If the stream is unavailable we
// fall back to polling /v1/status so pages still refresh.

const blockListeners = new Set();
const txListeners = new Set();
let source = null;
let sourceKey = null;
let pollTimer = null;
let lastHeight = 0;
let lastEventAt = 0;
let baseUrl = '';

function emitBlock(block) {
  if (block && typeof block.height === 'number') {
    if (block.height <= lastHeight) return;
    lastHeight = block.height;
  }
  lastEventAt = Date.now();
  for (const fn of [...blockListeners]) {
    try { fn(block); } catch (e) { console.error(e); }
  }
}

function emitTx(tx) {
  for (const fn of [...txListeners]) {
    try { fn(tx); } catch (e) { console.error(e); }
  }
}

async function pollStatus() {
  if (Date.now() - lastEventAt < 4000 && source && source.readyState === 1) return;
  try {
    const r = await fetch(`${baseUrl}/v1/status`);
    if (r.ok) {
      const s = await r.json();
      if (s.height > lastHeight) emitBlock({ height: s.height, time: s.time, hash: s.last_block_hash, app_hash: s.app_hash });
    }
  } catch { /* offline: keep trying */ }
}

/** (Re)connect the live stream, for `address` (the current wallet) or none. */
export function connectLive(base, address) {
  baseUrl = base || '';
  const key = `${baseUrl}|${address || ''}`;
  if (key === sourceKey && source) return;
  if (source) source.close();
  sourceKey = key;
  source = null;
  if (typeof EventSource !== 'undefined') {
    const q = address ? `?address=${encodeURIComponent(address)}` : '';
    const es = new EventSource(`${baseUrl}/v1/events${q}`);
    es.addEventListener('block', (e) => { try { emitBlock(JSON.parse(e.data)); } catch { /* ignore */ } });
    es.addEventListener('tx', (e) => { try { emitTx(JSON.parse(e.data)); } catch { /* ignore */ } });
    source = es;
  }
  if (!pollTimer) pollTimer = setInterval(pollStatus, 2000);
}

export function onBlock(fn) { blockListeners.add(fn); return () => blockListeners.delete(fn); }
export function onTx(fn) { txListeners.add(fn); return () => txListeners.delete(fn); }
export function currentHeight() { return lastHeight; }

/** The latest block seen on the live stream ({height,time,hash,…}), re-rendering on each. */
export function useBlock() {
  const [block, setBlock] = useState(lastHeight ? { height: lastHeight } : null);
  useEffect(() => onBlock(setBlock), []);
  return block;
}

/** A ticking clock (ms) for countdowns. */
export function useNow(interval = 1000) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => { const t = setInterval(() => setNow(Date.now()), interval); return () => clearInterval(t); }, [interval]);
  return now;
}

/**
 * Run `fn()` (async) now, when `deps` change and again on every new block; returns
 * {data, error, loading, reload}. Runs never overlap; a stale result never wins.
 */
export function useLive(fn, deps = []) {
  const [state, setState] = useState({ data: undefined, error: null, loading: true });
  const fnRef = useRef(fn);
  fnRef.current = fn;
  const gen = useRef(0);
  const running = useRef(false);
  const again = useRef(false);
  const run = useRef(null);
  run.current = async () => {
    if (running.current) { again.current = true; return; }
    running.current = true;
    const mine = gen.current;
    try {
      const data = await fnRef.current();
      if (mine === gen.current) setState({ data, error: null, loading: false });
    } catch (error) {
      if (mine === gen.current) setState((s) => ({ data: s.data, error, loading: false }));
    } finally {
      running.current = false;
      if (again.current) { again.current = false; run.current(); }
    }
  };
  useEffect(() => {
    gen.current += 1;
    setState((s) => ({ ...s, loading: true }));
    running.current = false;
    run.current();
    return onBlock(() => run.current());
  }, deps);
  return { ...state, reload: () => run.current() };
}

// --- toasts ---------------------------------------------------------------------------

const toastListeners = new Set();
let toastSeq = 0;

/** Show a short message at the corner: toast("Saved"), toast(err, "error"). */
export function toast(message, kind = 'ok') {
  const item = { id: ++toastSeq, text: kind === 'error' ? errorMessage(message) : String(message), kind };
  for (const fn of toastListeners) fn(item);
}

export function Toasts() {
  const [items, setItems] = useState([]);
  useEffect(() => {
    const add = (item) => {
      setItems((xs) => [...xs, item]);
      setTimeout(() => setItems((xs) => xs.filter((x) => x.id !== item.id)), item.kind === 'error' ? 7000 : 3000);
    };
    toastListeners.add(add);
    return () => toastListeners.delete(add);
  }, []);
  return html`<div class="toasts" aria-live="polite">
    ${items.map((t) => html`<div key=${t.id} class=${`toast toast-${t.kind}`} data-testid="toast">${t.text}</div>`)}
  </div>`;
}

// --- components -----------------------------------------------------------------------

/**
 * A button that awaits its async onClick: shows a spinner and is disabled meanwhile,
 * then shows the error under itself (and returns to normal) if it threw.
 */
export function Button({ onClick, children, kind = 'primary', small = false, disabled = false,
  testid, title, type = 'button', busyLabel, showError = true, class: cls = '' }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const mounted = useRef(true);
  useEffect(() => () => { mounted.current = false; }, []);
  const click = async (e) => {
    if (busy) return;
    setError(null);
    if (!onClick) return;
    setBusy(true);
    try {
      await onClick(e);
    } catch (err) {
      console.warn(err); // shown under the button: a refusal is an answer, not a crash
      if (mounted.current) setError(err);
    } finally {
      if (mounted.current) setBusy(false);
    }
  };
  const classes = `btn btn-${kind}${small ? ' btn-small' : ''}${busy ? ' is-busy' : ''} ${cls}`;
  return html`<span class="btn-wrap">
    <button type=${type} class=${classes} onClick=${click} disabled=${disabled || busy}
      data-testid=${testid} title=${title} aria-busy=${busy ? 'true' : 'false'}>
      ${busy ? html`<span class="spinner" aria-hidden="true"></span>` : null}
      ${busy && busyLabel ? busyLabel : children}
    </button>
    ${showError && error ? html`<span class="btn-error" role="alert" data-testid=${testid ? `${testid}-error` : 'button-error'}>${errorMessage(error)}</span>` : null}
  </span>`;
}

export function Card({ title, subtitle, actions, children, testid, class: cls = '' }) {
  return html`<section class=${`card ${cls}`} data-testid=${testid}>
    ${title || actions ? html`<header class="card-head">
      <div><h2 class="card-title">${title}</h2>${subtitle ? html`<p class="card-sub">${subtitle}</p>` : null}</div>
      ${actions ? html`<div class="card-actions">${actions}</div>` : null}
    </header>` : null}
    <div class="card-body">${children}</div>
  </section>`;
}

/**
 * rows: array of objects; columns: [{key, label, render?(row), class?}]; rowKey(row).
 * Each row carries data-testid=`${testid}-row` so tests can count and read them.
 */
export function Table({ columns, rows, empty = 'Nothing yet.', testid, rowKey, onRowClick }) {
  if (!rows || rows.length === 0) {
    return html`<p class="empty" data-testid=${testid ? `${testid}-empty` : undefined}>${empty}</p>`;
  }
  return html`<div class="table-wrap"><table class="table" data-testid=${testid}>
    <thead><tr>${columns.map((c) => html`<th class=${c.class || ''}>${c.label}</th>`)}</tr></thead>
    <tbody>${rows.map((r, i) => html`<tr key=${rowKey ? rowKey(r) : i}
        data-testid=${testid ? `${testid}-row` : undefined}
        class=${onRowClick ? 'clickable' : ''} onClick=${onRowClick ? () => onRowClick(r) : undefined}>
      ${columns.map((c) => html`<td class=${c.class || ''}>${c.render ? c.render(r) : r[c.key]}</td>`)}
    </tr>`)}</tbody>
  </table></div>`;
}

export function ErrorBox({ error, testid = 'error' }) {
  if (!error) return null;
  return html`<div class="error-box" role="alert" data-testid=${testid}>${errorMessage(error)}</div>`;
}

export function Loading({ text = 'Loading…' }) {
  return html`<p class="loading"><span class="spinner dark" aria-hidden="true"></span> ${text}</p>`;
}

/** A labelled form field around an input (children). */
export function Field({ label, hint, children }) {
  return html`<label class="field"><span class="field-label">${label}</span>${children}
    ${hint ? html`<span class="field-hint">${hint}</span>` : null}</label>`;
}

/** Key figure: a big number with a label. */
export function Stat({ label, value, hint, testid }) {
  return html`<div class="stat"><div class="stat-label">${label}</div>
    <div class="stat-value" data-testid=${testid}>${value}</div>
    ${hint ? html`<div class="stat-hint">${hint}</div>` : null}</div>`;
}

/** A monospace value with a copy button. */
export function Copyable({ text, testid, short = false }) {
  const copy = async () => {
    try { await navigator.clipboard.writeText(text); toast('Copied'); } catch { toast('Copy failed: select the text instead', 'error'); }
  };
  return html`<span class="copyable"><code data-testid=${testid} title=${text}>${short ? shortAddr(text) : text}</code>
    <button type="button" class="link-btn" onClick=${copy} aria-label="Copy">copy</button></span>`;
}

/** Tabs as links: items [{id, label}], current id, hrefFor(id). */
export function Tabs({ items, current, hrefFor, testid = 'tabs' }) {
  return html`<nav class="tabs" data-testid=${testid}>
    ${items.map((t) => html`<a href=${hrefFor(t.id)} class=${t.id === current ? 'tab active' : 'tab'}
      data-testid=${`tab-${t.id}`}>${t.label}${t.badge ? html`<span class="badge">${t.badge}</span>` : null}</a>`)}
  </nav>`;
}

export function Badge({ kind = 'neutral', children, testid }) {
  return html`<span class=${`pill pill-${kind}`} data-testid=${testid}>${children}</span>`;
}
