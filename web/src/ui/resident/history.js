// History: the transactions this resident signed, newest first, in words, each linking
// to the explorer for its full messages, result and events.
import { useState } from 'preact/hooks';
import { html, useLive, Button, Card, Table, ErrorBox, Loading, Badge, formatBD } from '../common.js';

const LABELS = {
  'accounts/register': () => 'Joined Planet with an invitation code',
  'accounts/create_invites': (m) => `Created ${m.code_hashes.length} invitation code${m.code_hashes.length === 1 ? '' : 's'}`,
  'force/complete_task': (m) => (m.task_id === 'daily_checkin' ? 'Checked in' : `Completed task ${m.task_id}`),
  'emission/collect': () => 'Collected bubbles',
  'drill/enter': (m) => `Entered Lucky Drill round ${m.round}`,
  'vault/add_record': (m) => `Added ${/^[aeiou]/.test(m.category) ? 'an' : 'a'} ${m.category} record`,
  'vault/erase_record': (m) => `Erased record ${m.digest.slice(0, 10)}…`,
  'exchange/accept_request': (m) => `Shared ${m.records.length} record${m.records.length === 1 ? '' : 's'} with request #${m.request}`,
  'exchange/revoke_grant': (m) => `Revoked access for request #${m.request}`,
  'exchange/redeem': (m) => `Redeemed offer #${m.offer}`,
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
  return html`<${Card} title="History" subtitle="Every transaction you signed, newest first." testid="history">
    <${Table} testid="history" rows=${items} rowKey=${(t) => t.hash} empty="No transactions yet." columns=${[
      { label: 'Block', render: (t) => html`<a href=${`#/explorer/block/${t.height}`}>#${t.height}</a>` },
      { label: 'What', render: (t) => html`<span data-testid="history-what">${(t.tx?.body?.messages || []).map(describe).join(' · ')}</span>` },
      { label: 'Amount', class: 'num', render: amountOf },
      { label: 'Result', render: (t) => (t.code === 0 ? html`<${Badge} kind="ok">ok<//>`
        : html`<${Badge} kind="bad" title=${t.result?.log}>refused<//> <span class="muted small">${t.result?.log}</span>`) },
      { label: 'Tx', render: (t) => html`<a href=${`#/explorer/tx/${t.hash}`}><code>${t.hash.slice(0, 10)}…</code></a>` },
    ]} />
    ${items.length >= PAGE * pages && PAGE * pages < 100 ? html`<div class="button-row">
      <${Button} kind="ghost" small onClick=${() => setPages(pages + 1)}>Show more<//></div>` : null}
  <//>`;
}
