// History: everything on the ledger that concerns this resident, newest first, in words:
// what they signed and what reached them without their signing (a data request's reward, a
// refund, a Lucky Drill prize, Force that expired). It reads the node's activity index
// (GET /v1/accounts/<address>/activity), so it is the same on any device. Each item says
// what it moved for the resident, signed, and links to its block and transaction in the
// explorer. A list, not a table: it fits a phone.
import { useState } from 'preact/hooks';
import {
  html, t, useLive, Button, Card, ErrorBox, Loading, Badge, formatBD, formatForce, formatTime, shortAddr,
} from '../common.js';
import { categoryLabel } from '../../i18n/labels.js';

const PAGE = 20;
const LIVE_MAX = 100; // the live first pages; older ones load by cursor

/** An event in words, from the resident's side (`me` is their address; `who` names a
 * business by its registered name, or its short address when it has none). */
const WORDS = {
  'accounts/registered': (a, me) => (a.resident === me ? t('history.register')
    : t('ledger.invitedJoined', { who: shortAddr(a.resident) })),
  'accounts/invites_created': (a) => t('history.invites', { n: a.count }),
  'accounts/identity_verified': (a, me) => (a.resident === me ? t('ledger.verified') : t('ledger.event', { type: 'identity' })),
  'force/granted': (a) => (a.task === 'daily_checkin' ? t('history.checkin') : t('ledger.forceFor', { task: a.task })),
  'force/grant_expired': (a) => t('ledger.forceExpired', { task: a.task }),
  'emission/collected': () => t('history.collect'),
  'emission/dormant': () => t('ledger.dormant'),
  'drill/entered': (a) => t('history.drill', { round: a.round }),
  'drill/drawn': (a) => t('ledger.drillWon', { round: a.round }),
  'drill/refunded': (a) => t('ledger.drillRefunded', { round: a.round }),
  'vault/record_added': (a) => t('history.addRecord', { category: categoryLabel(a.category) }),
  'vault/record_deposited': (a, me, who) => t('ledger.deposited', { who: who(a.business), category: categoryLabel(a.category) }),
  'vault/record_erased': (a) => t('history.eraseRecord', { digest: `${String(a.digest).slice(0, 10)}…` }),
  'vault/depositor_allowed': (a, me, who) => t('ledger.depositorAllowed', { who: who(a.business) }),
  'vault/depositor_revoked': (a, me, who) => t('ledger.depositorRevoked', { who: who(a.business) }),
  'exchange/accepted': (a) => t('history.accept', { n: a.records, request: a.request }),
  'exchange/granted': (a) => t('ledger.rewarded', { request: a.request }),
  'exchange/acceptance_dropped': (a) => t('ledger.dropped', { request: a.request }),
  'exchange/grant_revoked': (a) => t('history.revoke', { request: a.request }),
  'exchange/redeemed': (a) => t('history.redeem', { offer: a.offer }),
  'exchange/fulfilled': (a) => t('ledger.fulfilled', { redemption: a.redemption }),
  'exchange/refunded': (a) => t('ledger.refunded', { redemption: a.redemption }),
  'exchange/request_created': (a) => t('ledger.requestCreated', { request: a.request }),
  'exchange/request_expired': (a) => t('ledger.requestExpired', { request: a.request }),
  'exchange/request_closed': (a) => t('ledger.requestClosed', { request: a.request }),
};

export function describeActivity(item, me, names = {}) {
  const f = WORDS[item.type];
  const who = (address) => names[address] || shortAddr(address);
  try { return f ? f(item.attributes || {}, me, who) : t('ledger.event', { type: item.type }); } catch { return item.type; }
}

/** The activity page with the names of the businesses its events mention. */
async function withNames(api, page) {
  const businesses = page.items.map((i) => i.attributes?.business).filter((b) => typeof b === 'string');
  return { ...page, names: await api.businessNames(businesses) };
}

/** "+1.50 BD" / "−2.00 BD": the sign always shown, the amount in the locale's format. */
export function signedBD(micro) {
  const n = BigInt(micro);
  return n > 0n ? `+${formatBD(n)}` : formatBD(n);
}

function signedForce(n) {
  return n > 0 ? `+${formatForce(n)}` : `−${formatForce(-n)}`;
}

function Item({ item, me, names }) {
  return html`<li class="record" data-testid="activity" data-type=${item.type} data-height=${item.height}>
    <div class="record-main">
      <span class="record-title" data-testid="history-what">${describeActivity(item, me, names)}</span>
      <span class="muted small">${formatTime(item.time, { seconds: false })} · <a href=${`#/explorer/block/${item.height}`}>${t('ledger.block', { height: item.height })}</a>${item.tx
        ? html` · <a href=${`#/explorer/tx/${item.tx}`}>${t('ledger.tx')} <code>${item.tx.slice(0, 8)}…</code></a>`
        : html` · ${t('ledger.byChain')}`}</span>
    </div>
    <div class="record-actions">
      ${item.amount_micro != null && item.amount_micro !== 0 ? html`<${Badge} kind=${item.amount_micro > 0 ? 'ok' : 'neutral'} testid="activity-amount">${signedBD(item.amount_micro)}<//>` : null}
      ${item.force != null && item.force !== 0 ? html`<${Badge} kind="neutral" testid="activity-force">${t('ledger.force', { n: signedForce(item.force) })}<//>` : null}
    </div>
  </li>`;
}

export function HistoryView({ ctx }) {
  const { api, wallet } = ctx;
  const [pages, setPages] = useState(1);
  const [older, setOlder] = useState({ items: [], names: {}, next: undefined, busy: false, error: null });
  const live = useLive(async () => withNames(api, await api.activity(wallet.address, { limit: Math.min(LIVE_MAX, PAGE * pages) })),
    [wallet.address, pages]);
  if (live.data === undefined) return live.error ? html`<${ErrorBox} error=${live.error} />` : html`<${Loading} />`;
  const first = live.data.items || [];
  const seen = new Set(first.map((i) => i.cursor));
  const items = [...first, ...older.items.filter((i) => !seen.has(i.cursor))];
  const next = older.next !== undefined ? older.next : live.data.next_before;
  const names = { ...older.names, ...live.data.names };
  const more = async () => {
    if (PAGE * pages < LIVE_MAX) { setPages(pages + 1); return; }
    setOlder({ ...older, busy: true, error: null });
    try {
      const page = await withNames(api, await api.activity(wallet.address, { limit: PAGE, before: next }));
      setOlder({ items: [...older.items, ...page.items], names: { ...older.names, ...page.names },
        next: page.next_before, busy: false, error: null });
    } catch (error) {
      setOlder({ ...older, busy: false, error });
    }
  };
  return html`<${Card} title=${t('history.title')} subtitle=${t('ledger.sub')} testid="history">
    ${items.length ? html`<ul class="records" data-testid="activity-list">
      ${items.map((item) => html`<${Item} key=${item.cursor} item=${item} me=${wallet.address} names=${names} />`)}</ul>`
      : html`<p class="muted">${t('ledger.none')}</p>`}
    ${older.error ? html`<${ErrorBox} error=${older.error} />` : null}
    ${next ? html`<div class="button-row">
      <${Button} kind="ghost" small testid="history-more" disabled=${older.busy} onClick=${more}>${t('history.more')}<//></div>` : null}
    <p class="muted small">${t('ledger.note')}</p>
  <//>`;
}
