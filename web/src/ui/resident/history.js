// History: the transactions this resident signed, newest first, in words, each linking
// to the explorer for its full messages, result and events.
import { useState } from 'preact/hooks';
import { html, t, useLive, Button, Card, Table, ErrorBox, Loading, Badge, formatBD, errorMessage } from '../common.js';
import { categoryLabel } from './data.js';

const LABELS = {
  'accounts/register': () => t('history.register'),
  'accounts/create_invites': (m) => t('history.invites', { n: m.code_hashes.length }),
  'force/complete_task': (m) => (m.task_id === 'daily_checkin' ? t('history.checkin') : t('history.task', { task: m.task_id })),
  'emission/collect': () => t('history.collect'),
  'drill/enter': (m) => t('history.drill', { round: m.round }),
  'vault/add_record': (m) => t('history.addRecord', { category: categoryLabel(m.category) }),
  'vault/erase_record': (m) => t('history.eraseRecord', { digest: `${m.digest.slice(0, 10)}…` }),
  'exchange/accept_request': (m) => t('history.accept', { n: m.records.length, request: m.request }),
  'exchange/revoke_grant': (m) => t('history.revoke', { request: m.request }),
  'exchange/redeem': (m) => t('history.redeem', { offer: m.offer }),
};

function describe(msg) {
  const f = LABELS[msg.type];
  try { return f ? f(msg) : msg.type; } catch { return msg.type; }
}

/** A figure worth showing from the events (what a collect paid, a reward received). */
function amountOf(tx) {
  for (const e of tx.result?.events || []) {
    const a = e.attributes || {};
    for (const k of ['amount', 'amount_micro', 'reward', 'price']) {
      if (a[k] != null && /^\d+$/.test(String(a[k]))) {
        const sign = e.type.includes('redeem') || k === 'price' ? '−' : '+';
        return `${sign}${formatBD(a[k])}`;
      }
    }
  }
  return '';
}

const PAGE = 20;

export function HistoryView({ ctx }) {
  const { api, wallet } = ctx;
  const [pages, setPages] = useState(1);
  const live = useLive(() => api.get(`/accounts/${wallet.address}/txs`, { limit: Math.min(100, PAGE * pages) }),
    [wallet.address, pages]);
  if (live.data === undefined) return live.error ? html`<${ErrorBox} error=${live.error} />` : html`<${Loading} />`;
  const items = live.data.items || [];
  return html`<${Card} title=${t('history.title')} subtitle=${t('history.sub')} testid="history">
    <${Table} testid="history" rows=${items} rowKey=${(x) => x.hash} empty=${t('history.none')} columns=${[
      { label: t('history.col.block'), render: (x) => html`<a href=${`#/explorer/block/${x.height}`}>#${x.height}</a>` },
      { label: t('history.col.what'), render: (x) => html`<span data-testid="history-what">${(x.tx?.body?.messages || []).map(describe).join(' · ')}</span>` },
      { label: t('history.col.amount'), class: 'num', render: amountOf },
      { label: t('history.col.result'), render: (x) => (x.code === 0 ? html`<${Badge} kind="ok">${t('tx.ok')}<//>`
        : html`<${Badge} kind="bad">${t('history.refused')}<//> <span class="muted small">${errorMessage({ code: x.code, body: { message: x.result?.log } })}</span>`) },
      { label: t('history.col.tx'), render: (x) => html`<a href=${`#/explorer/tx/${x.hash}`}><code>${x.hash.slice(0, 10)}…</code></a>` },
    ]} />
    ${items.length >= PAGE * pages && PAGE * pages < 100 ? html`<div class="button-row">
      <${Button} kind="ghost" small onClick=${() => setPages(pages + 1)}>${t('history.more')}<//></div>` : null}
  <//>`;
}
