// Data requests: what a business asks for, exactly which records it would receive, the
// resident's choice of records, accepting (keys resealed here to the business), the
// grants given and revoking them.
import { useState } from 'preact/hooks';
import {
  html, t, useLive, Button, Card, Table, ErrorBox, Loading, Badge, toast, formatBD, formatTime,
  formatDuration, formatNumber, shortAddr,
} from '../common.js';
import { categoryLabel } from '../../i18n/labels.js';

const categories = (list) => list.map(categoryLabel).join(t('list.sep'));

async function loadRequests(api, address) {
  const [open, grants] = await Promise.all([
    api.queryAll('exchange/requests', { open: true }),
    api.queryAll('exchange/grants', { resident: address }),
  ]);
  const names = await api.businessNames([...open, ...grants].map((x) => x.business));
  const nameOf = Object.fromEntries(Object.entries(names).map(([a, name]) => [a, name || shortAddr(a)]));
  return { open, grants, nameOf };
}

/** The records a request would receive, with the name of whoever deposited each. */
async function loadEligible(api, requestId, address) {
  const eligible = await api.eligible(requestId, address);
  const sources = await api.businessNames(eligible.records.map((r) => r.source).filter((s) => s !== address));
  return { records: eligible.records, sources };
}

function RequestReview({ ctx, request, onDone }) {
  const { api, wallet } = ctx;
  const live = useLive(() => loadEligible(api, request.id, wallet.address), [request.id, wallet.address]);
  // Nothing is shared unless the resident ticks it: the review starts with no record chosen.
  const [picked, setChosen] = useState(() => new Set());
  if (live.data === undefined) return live.error ? html`<${ErrorBox} error=${live.error} />` : html`<${Loading} />`;
  const { records, sources } = live.data;
  const sourceOf = (r) => (r.source === wallet.address ? t('vault.addedByYou')
    : t('requests.from', { address: sources[r.source] || shortAddr(r.source) }));
  const toggle = (d) => {
    const next = new Set(picked);
    if (next.has(d)) next.delete(d); else next.add(d);
    setChosen(next);
  };
  const accept = async () => {
    const digests = records.map((r) => r.digest).filter((d) => picked.has(d));
    const out = await api.acceptRequest(wallet, request.id, digests);
    const accepted = (out.events || []).find((e) => e.type === 'exchange/accepted')?.attributes;
    const paid = (out.events || []).some((e) => e.type === 'exchange/granted' && e.attributes.resident === wallet.address);
    toast(paid || !accepted ? t('requests.paid', { n: digests.length, amount: formatBD(request.reward) })
      : t('requests.waiting', { waiting: accepted.waiting, cohort: accepted.cohort }));
    onDone();
  };
  return html`<div class="review" data-testid="request-review">
    <h4>${t('requests.exactly')}</h4>
    ${records.length === 0 ? html`<p class="empty" data-testid="eligible-empty">${t('requests.noneEligible', {
      categories: categories(request.categories), from: formatTime(request.period_start, { seconds: false }),
      to: formatTime(request.period_end, { seconds: false }) })}</p>` : html`
    <ul class="eligible">
      ${records.map((r) => html`<li key=${r.digest}><label class="check">
        <input type="checkbox" data-testid="eligible-record" data-digest=${r.digest} checked=${picked.has(r.digest)} onChange=${() => toggle(r.digest)} />
        <${Badge} kind="brand">${categoryLabel(r.category)}<//> <span>${formatTime(r.time)}</span>
        <span class="muted small" data-testid="eligible-source">${sourceOf(r)} · ${t('requests.bytes', { n: formatNumber(r.size) })} ·
          <code>${r.digest.slice(0, 12)}…</code></span></label></li>`)}
    </ul>
    ${request.cohort > 1 ? html`<p class="muted small" data-testid="request-cohort">${t('requests.cohort', { waiting: request.waiting, cohort: request.cohort })}</p>` : null}
    <p class="muted small">${t('requests.resealed', { duration: formatDuration(request.access_ms) })}</p>
    ${picked.size === 0 ? html`<p class="muted small" data-testid="request-tick-hint">${t('requests.tickToShare')}</p>` : null}
    <${Button} testid="request-accept" disabled=${picked.size === 0} onClick=${accept} busyLabel=${t('requests.sharing')}>
      ${t('requests.share', { n: picked.size, amount: formatBD(request.reward) })}<//>`}
  </div>`;
}

export function RequestsView({ ctx }) {
  const { api, wallet } = ctx;
  const live = useLive(() => loadRequests(api, wallet.address), [wallet.address]);
  const [open, setOpen] = useState(null);
  if (live.data === undefined) return live.error ? html`<${ErrorBox} error=${live.error} />` : html`<${Loading} />`;
  const { grants, nameOf } = live.data;
  const granted = new Set(grants.map((g) => g.request));
  const requests = live.data.open.filter((r) => !granted.has(r.id));
  const revoke = async (g) => {
    await api.revokeGrant(wallet, g.request);
    toast(t('requests.revoked', { id: g.request }));
    live.reload();
  };
  return html`<div class="grid" data-testid="requests">
    <${Card} title=${t('requests.openTitle')} subtitle=${t('requests.openSub')}>
      ${requests.length === 0 ? html`<p class="empty" data-testid="requests-empty">${t('requests.noneOpen')}</p>` : html`
      <ul class="request-list">${requests.map((r) => html`<li key=${r.id} class="request" data-testid="request" data-request=${r.id}>
        <div class="request-head">
          <div>
            <div class="request-title">${t('requests.asks', { business: nameOf[r.business], categories: categories(r.categories) })}</div>
            <div class="request-purpose" data-testid="request-purpose">“${r.purpose}”</div>
            <div class="muted small">${r.period_start > 0
              ? t('requests.period', { from: formatTime(r.period_start, { seconds: false }), to: formatTime(r.period_end, { seconds: false }) })
              : t('requests.periodUpTo', { to: formatTime(r.period_end, { seconds: false }) })} ·
              ${t('requests.accessFor', { duration: formatDuration(r.access_ms) })} · ${t('requests.placesLeft', { n: r.places_left })} ·
              ${t('requests.openUntil', { time: formatTime(r.expires_at, { seconds: false }) })}</div>
          </div>
          <div class="request-reward"><div class="reward">${formatBD(r.reward)}</div>
            <${Button} small kind=${open === r.id ? 'ghost' : 'secondary'} testid="request-open" onClick=${() => setOpen(open === r.id ? null : r.id)}>
              ${open === r.id ? t('common.close') : t('requests.review')}<//></div>
        </div>
        ${open === r.id ? html`<${RequestReview} ctx=${ctx} request=${r} onDone=${() => { setOpen(null); live.reload(); }} />` : null}
      </li>`)}</ul>`}
    <//>
    <${Card} title=${t('requests.sharedTitle')} subtitle=${t('requests.sharedSub')}>
      <${Table} testid="grant-given" rows=${grants} rowKey=${(g) => g.request} empty=${t('requests.noneShared')} columns=${[
        { label: t('requests.col.request'), render: (g) => `#${g.request}` },
        { label: t('requests.col.business'), render: (g) => nameOf[g.business] },
        { label: t('requests.col.purpose'), render: (g) => g.purpose },
        { label: t('requests.col.records'), class: 'num', render: (g) => t('requests.liveOf', { live: g.records.filter((x) => x.live).length, all: g.records.length }) },
        { label: t('requests.col.paid'), class: 'num', render: (g) => formatBD(g.reward) },
        { label: t('requests.col.access'), render: (g) => html`<span data-testid="grant-state">${g.state === 'active'
          ? html`<${Badge} kind="ok">${t('grant.active')}<//> <span class="muted small">${t('requests.until', { time: formatTime(g.access_until, { seconds: false }) })}</span>`
          : g.state === 'revoked' ? html`<${Badge} kind="bad">${t('grant.revoked')}<//>` : html`<${Badge}>${t('grant.expired')}<//>`}</span>` },
        { label: html`<span class="sr-only">${t('tasks.col.action')}</span>`, render: (g) => (g.state === 'active'
          ? html`<${Button} small kind="danger-ghost" testid="grant-revoke" onClick=${() => revoke(g)}>${t('depositors.revoke')}<//>` : null) },
      ]} />
    <//>
  </div>`;
}
