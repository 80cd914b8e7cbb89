// Shared UI pieces for every page: htm bound to preact, the one live connection to the
// node (blocks and the wallet's own transactions), the i18n layer's formatting and t(),
// and the small components (Button, Card, Table, ErrorBox, toast) that give
// every page the same busy states and the same way of showing the core's refusals.
import { h } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import htm from 'htm';
import { errorMessage, t } from '../i18n/index.js';

export const html = htm.bind(h);

// --- language, errors, time and amounts: the i18n layer's, re-exported for the pages ------

export {
  t, fail, errorMessage, formatBD, formatForce, formatNumber, formatTime, formatDate, formatDuration,
  formatIn, setTimezone, timezoneLabel, localIso,
} from '../i18n/index.js';

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
  useEffect(() => { const id = setInterval(() => setNow(Date.now()), interval); return () => clearInterval(id); }, [interval]);
  return now;
}

/**
 * Run `fn()` (async) now, when `deps` change and again on every new block; returns
 * {data, error, loading, reload}. Runs never overlap; a stale result never wins.
 * With `{ onTx: true }` it runs again on each of the wallet's transactions instead (what
 * only a transaction changes, such as the account), and at most every 30 s on blocks, in
 * case the live stream missed one.
 */
export function useLive(fn, deps = [], { onTx: txOnly = false } = {}) {
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
    if (!txOnly) return onBlock(() => run.current());
    let last = Date.now();
    const rerun = () => { last = Date.now(); run.current(); };
    const offTx = onTx(rerun);
    const offBlock = onBlock(() => { if (Date.now() - last > 30000) rerun(); });
    return () => { offTx(); offBlock(); };
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
    ${items.map((x) => html`<div key=${x.id} class=${`toast toast-${x.kind}`} data-testid="toast">${x.text}</div>`)}
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
 * Each row carries data-testid=`${testid}-row` so tests can count and read them; each cell
 * its column's label (data-label), which a narrow screen shows when rows become cards.
 */
export function Table({ columns, rows, empty = t('common.nothingYet'), testid, rowKey, onRowClick }) {
  if (!rows || rows.length === 0) {
    return html`<p class="empty" data-testid=${testid ? `${testid}-empty` : undefined}>${empty}</p>`;
  }
  return html`<div class="table-wrap"><table class="table" data-testid=${testid}>
    <thead><tr>${columns.map((c) => html`<th class=${c.class || ''}>${c.label}</th>`)}</tr></thead>
    <tbody>${rows.map((r, i) => html`<tr key=${rowKey ? rowKey(r) : i}
        data-testid=${testid ? `${testid}-row` : undefined}
        class=${onRowClick ? 'clickable' : ''} onClick=${onRowClick ? () => onRowClick(r) : undefined}>
      ${columns.map((c) => html`<td class=${c.class || ''} data-label=${typeof c.label === 'string' ? c.label : undefined}>${c.render ? c.render(r) : r[c.key]}</td>`)}
    </tr>`)}</tbody>
  </table></div>`;
}

export function ErrorBox({ error, testid = 'error' }) {
  if (!error) return null;
  return html`<div class="error-box" role="alert" data-testid=${testid}>${errorMessage(error)}</div>`;
}

export function Loading({ text = t('common.loading') }) {
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
    try { await navigator.clipboard.writeText(text); toast(t('common.copied')); } catch { toast(t('common.copyFailed'), 'error'); }
  };
  return html`<span class="copyable"><code data-testid=${testid} title=${text}>${short ? shortAddr(text) : text}</code>
    <button type="button" class="link-btn" onClick=${copy} aria-label=${t('common.copyLabel', { text })}>${t('common.copy')}</button></span>`;
}

/** Tabs as links: items [{id, label}], current id, hrefFor(id). */
export function Tabs({ items, current, hrefFor, testid = 'tabs', label }) {
  return html`<nav class="tabs" data-testid=${testid} aria-label=${label || t('common.sections')}>
    ${items.map((x) => html`<a href=${hrefFor(x.id)} class=${x.id === current ? 'tab active' : 'tab'}
      aria-current=${x.id === current ? 'page' : undefined}
      data-testid=${`tab-${x.id}`}>${x.label}${x.badge ? html`<span class="badge">${x.badge}</span>` : null}</a>`)}
  </nav>`;
}

export function Badge({ kind = 'neutral', children, testid }) {
  return html`<span class=${`pill pill-${kind}`} data-testid=${testid}>${children}</span>`;
}

/** How the node's verifier checks names, from /v1/status or /v1/identity/verifier fields
 * ({kind, text}): a development checksum is named as such, an HTTP provider by its own words. */
export function describeAuthority(kind, text) {
  if (!kind) return t('identity.noVerifier');
  return kind === 'checksum' ? t('identity.checksumOnly') : text;
}

/** How the node's verifier sends codes (the node's log in development). */
export function describeSender(kind, text) {
  if (!kind) return t('identity.noVerifier');
  return kind === 'console' ? t('identity.consoleSender') : text;
}

/**
 * t() for a sentence with elements in it (a link, a bold figure): each var that is a
 * preact element takes its {placeholder}'s place; the others are filled in as text.
 */
export function tr(key, vars = {}) {
  const plain = {};
  const rich = {};
  for (const [k, v] of Object.entries(vars)) (v && typeof v === 'object' ? rich : plain)[k] = v;
  return t(key, plain).split(/\{(\w+)\}/).map((part, i) => (i % 2 ? rich[part] ?? `{${part}}` : part));
}

// --- console & dashboard: asking before a destructive action ------------------------------

let confirmSeq = 0;

/**
 * A button that asks first (refund, suspend, stop, close, disable, remove): clicking it puts
 * an in-page confirmation in its place (role="alertdialog", labelled by the question), with
 * focus on Cancel, the least harmful choice; Escape or Cancel goes back and returns focus to
 * the button, and only Confirm runs `onConfirm`. `before()` may refuse (throw) before asking,
 * e.g. a missing reason. Test ids: `testid`, then `${testid}-dialog`, `-confirm`, `-cancel`.
 */
export function ConfirmButton({ onConfirm, before, question, confirmLabel, cancelLabel, children, kind = 'danger',
  confirmKind = 'danger', small = true, disabled = false, testid, title, busyLabel }) {
  const [asking, setAsking] = useState(false);
  const box = useRef(null);
  const trigger = useRef(null);
  const wasAsking = useRef(false);
  const mounted = useRef(true);
  const id = useRef(`c-confirm-${++confirmSeq}`);
  useEffect(() => () => { mounted.current = false; }, []);
  useEffect(() => {
    if (asking) box.current?.querySelector('[data-confirm-cancel] button')?.focus();
    else if (wasAsking.current) trigger.current?.querySelector('button')?.focus();
    wasAsking.current = asking;
  }, [asking]);
  const ask = async () => {
    if (before) await before();
    setAsking(true);
  };
  const confirm = async () => {
    await onConfirm();
    if (mounted.current) setAsking(false);
  };
  const onKeyDown = (e) => {
    if (e.key === 'Escape') { e.stopPropagation(); setAsking(false); }
  };
  if (asking) {
    return html`<div class="c-confirm" role="alertdialog" aria-labelledby=${id.current} ref=${box}
        data-testid=${testid ? `${testid}-dialog` : undefined} onKeyDown=${onKeyDown}>
      <p id=${id.current} class="c-confirm-q">${question}</p>
      <div class="c-confirm-actions">
        <${Button} small=${small} kind=${confirmKind} testid=${testid ? `${testid}-confirm` : undefined} onClick=${confirm}
          busyLabel=${busyLabel}>${confirmLabel || children}<//>
        <span data-confirm-cancel>
          <${Button} small=${small} kind="ghost" testid=${testid ? `${testid}-cancel` : undefined}
            onClick=${() => setAsking(false)}>${cancelLabel || t('confirm.cancel')}<//>
        </span>
      </div>
    </div>`;
  }
  return html`<span class="c-confirm-trigger" ref=${trigger}><${Button} small=${small} kind=${kind} testid=${testid}
    disabled=${disabled} title=${title} onClick=${ask}>${children}<//></span>`;
}
