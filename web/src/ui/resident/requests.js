// Data requests: what a business asks for, exactly which records it would receive, the
// resident's choice of records, accepting (keys resealed here to the business), the
// grants given and revoking them.
import { useState } from 'preact/hooks';
import {
  html, useLive, Button, Card, Table, ErrorBox, Loading, Badge, toast, formatBD, formatTime,
  formatDuration, shortAddr,
} from '../common.js';

// Strings of cohorts (issue 15), Chinese first, until the app's i18n layer (issue 16).
const MESSAGES = {
  zh: {
    paid: (n, bd) => `已分享 ${n} 条记录；${bd} 已支付给你（本批已满）`,
    waiting: (w, k) => `已接受：本批满 ${k} 位居民后才会开放并支付（目前 ${w}/${k}）`,
    cohort: (w, k) => `每批 ${k} 位居民，满员前不开放、不支付（已有 ${w} 位等待）`,
  },
  en: {
    paid: (n, bd) => `Shared ${n} record${n === 1 ? '' : 's'}; ${bd} paid to you (the cohort is complete)`,
    waiting: (w, k) => `Accepted: nothing opens or is paid until ${k} residents accepted (${w} of ${k} so far)`,
    cohort: (w, k) => `In cohorts of ${k} residents: nothing opens or is paid before one is complete (${w} waiting)`,
  },
};
const T = MESSAGES[(globalThis.navigator?.language || 'zh').toLowerCase().startsWith('en') ? 'en' : 'zh'];

const names = new Map();

async function businessName(api, address) {
  if (!names.has(address)) {
    names.set(address, api.account(address).then((a) => (a && a.name) || shortAddr(address)).catch(() => shortAddr(address)));
  }
  return names.get(address);
}

async function loadRequests(api, address) {
  const [open, grants] = await Promise.all([
    api.queryAll('exchange/requests', { open: true }),
    api.queryAll('exchange/grants', { resident: address }),
  ]);
  const all = [...open, ...grants];
  const nameOf = {};
  await Promise.all(all.map(async (x) => { nameOf[x.business] = await businessName(api, x.business); }));
  return { open, grants, nameOf };
}

function RequestReview({ ctx, request, onDone }) {
  const { api, wallet } = ctx;
  const live = useLive(() => api.eligible(request.id, wallet.address), [request.id, wallet.address]);
  const [chosen, setChosen] = useState(null);
  if (live.data === undefined) return live.error ? html`<${ErrorBox} error=${live.error} />` : html`<${Loading} />`;
  const records = live.data.records;
  const picked = chosen ?? new Set(records.map((r) => r.digest));
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
    toast(paid || !accepted ? T.paid(digests.length, formatBD(request.reward)) : T.waiting(accepted.waiting, accepted.cohort));
    onDone();
  };
  return html`<div class="review" data-testid="request-review">
    <h4>Exactly what would be shared</h4>
    ${records.length === 0 ? html`<p class="empty" data-testid="eligible-empty">None of your records is in
      ${request.categories.join(', ')} between ${formatTime(request.period_start, { seconds: false })} and ${formatTime(request.period_end, { seconds: false })}.</p>` : html`
    <ul class="eligible">
      ${records.map((r) => html`<li key=${r.digest}><label class="check">
        <input type="checkbox" data-testid="eligible-record" data-digest=${r.digest} checked=${picked.has(r.digest)} onChange=${() => toggle(r.digest)} />
        <${Badge} kind="brand">${r.category}<//> <span>${formatTime(r.time)}</span>
        <span class="muted small">${r.source === wallet.address ? 'added by you' : `from ${shortAddr(r.source)}`} · ${r.size} bytes ·
          <code>${r.digest.slice(0, 12)}…</code></span></label></li>`)}
    </ul>
    ${request.cohort > 1 ? html`<p class="muted small" data-testid="request-cohort">${T.cohort(request.waiting, request.cohort)}</p>` : null}
    <p class="muted small">The chosen records' keys are resealed in this browser to the business's key; it can read them
      until ${formatDuration(request.access_ms)} after you accept, or until you revoke or erase.</p>
    <${Button} testid="request-accept" disabled=${picked.size === 0} onClick=${accept} busyLabel="Sharing…">
      Share ${picked.size} record${picked.size === 1 ? '' : 's'} for ${formatBD(request.reward)}<//>`}
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
    toast(`Access for request #${g.request} revoked`);
    live.reload();
  };
  return html`<div class="grid" data-testid="requests">
    <${Card} title="Open data requests" subtitle="Businesses ask; you choose. Nothing is shared unless you accept.">
      ${requests.length === 0 ? html`<p class="empty" data-testid="requests-empty">No open request right now.</p>` : html`
      <ul class="request-list">${requests.map((r) => html`<li key=${r.id} class="request" data-testid="request" data-request=${r.id}>
        <div class="request-head">
          <div>
            <div class="request-title"><b>${nameOf[r.business]}</b> asks for <b>${r.categories.join(', ')}</b></div>
            <div class="request-purpose" data-testid="request-purpose">“${r.purpose}”</div>
            <div class="muted small">${r.period_start > 0 ? `records from ${formatTime(r.period_start, { seconds: false })} to ` : 'records up to '}${formatTime(r.period_end, { seconds: false })} ·
              access for ${formatDuration(r.access_ms)} · ${r.places_left} place${r.places_left === 1 ? '' : 's'} left ·
              open until ${formatTime(r.expires_at, { seconds: false })}</div>
          </div>
          <div class="request-reward"><div class="reward">${formatBD(r.reward)}</div>
            <${Button} small kind=${open === r.id ? 'ghost' : 'secondary'} testid="request-open" onClick=${() => setOpen(open === r.id ? null : r.id)}>
              ${open === r.id ? 'Close' : 'Review'}<//></div>
        </div>
        ${open === r.id ? html`<${RequestReview} ctx=${ctx} request=${r} onDone=${() => { setOpen(null); live.reload(); }} />` : null}
      </li>`)}</ul>`}
    <//>
    <${Card} title="What I have shared" subtitle="Revoke any time: the business keeps what it already read, nothing more.">
      <${Table} testid="grant-given" rows=${grants} rowKey=${(g) => g.request} empty="You have not shared anything." columns=${[
        { label: 'Request', render: (g) => `#${g.request}` },
        { label: 'Business', render: (g) => nameOf[g.business] },
        { label: 'Purpose', render: (g) => g.purpose },
        { label: 'Records', class: 'num', render: (g) => `${g.records.filter((x) => x.live).length} of ${g.records.length}` },
        { label: 'Paid', class: 'num', render: (g) => formatBD(g.reward) },
        { label: 'Access', render: (g) => html`<span data-testid="grant-state">${g.state === 'active'
          ? html`<${Badge} kind="ok">active<//> <span class="muted small">until ${formatTime(g.access_until, { seconds: false })}</span>`
          : g.state === 'revoked' ? html`<${Badge} kind="bad">revoked<//>` : html`<${Badge}>expired<//>`}</span>` },
        { label: '', render: (g) => (g.state === 'active'
          ? html`<${Button} small kind="danger-ghost" testid="grant-revoke" onClick=${() => revoke(g)}>Revoke<//>` : null) },
      ]} />
    <//>
  </div>`;
}
