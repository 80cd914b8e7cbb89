// The business console: the application it signs for the operator, the purse, attested tasks
// within the daily Force quota, records deposited to residents (sealed here to their key),
// offers and their redemptions (vouchers sealed to the resident), and data requests whose
// granted records are fetched and decrypted in this browser — the node never sees them.
import { useState } from 'preact/hooks';
import {
  html, t, fail, useLive, formatBD, formatForce, formatTime, formatDuration, Card, Table, ErrorBox,
  Loading, Button, Field, Stat, Tabs, Badge, Copyable, toast, useNow,
} from './common.js';
import { categoryLabel, limitLabel } from './resident/data.js';
import { ApplyScreen } from './business/apply.js';
import { VoucherCodes } from './business/vouchers.js';
import { GrantedRecords } from './business/granted.js';
import { WebhooksTab } from './business/webhooks.js';
import {
  sendTx, query, queryAll, getAccount, AddrLink, TxLink, depositRecord, readGranted,
  fulfilRedemption, sentMessages, BlockLink, parseBD, parsePositiveInt, DAY_MS, toZonedInput, fromZonedInput, tzOffset,
} from './explorer/kit.js';

const CATEGORIES = ['credit', 'browsing', 'shopping', 'entertainment', 'travel', 'identity', 'health',
  'location', 'social', 'other'];

const MIN_COHORT = 10; // the genesis default; the node refuses smaller cohorts with its minimum

const TABS = ['overview', 'requests', 'tasks', 'deposits', 'offers', 'webhooks'];

/** A request's, redemption's or grant's state in words (the ledger's word if unknown). */
function stateLabel(state) {
  const key = `state.${state}`;
  const text = t(key);
  return text === key ? state : text;
}

async function loadMe(ctx) {
  if (!ctx.wallet) return null;
  const account = await getAccount(ctx, ctx.wallet.address);
  if (!account || account.kind !== 'business') return { account };
  const [purse, quota, suspension] = await Promise.all([
    query(ctx, 'exchange/purse', { business: account.address }),
    query(ctx, 'force/quota', { address: account.address }).catch(() => null),
    query(ctx, 'exchange/suspension', { business: account.address }).catch(() => null),
  ]);
  return { account, purse, quota, suspension };
}

export function BusinessPage({ ctx }) {
  const me = useLive(() => loadMe(ctx), [ctx.wallet?.address]);
  const registered = me.data?.account?.kind === 'business';
  const tab = TABS.includes(ctx.route.parts[1]) ? ctx.route.parts[1] : 'overview';
  let body;
  if (!ctx.wallet) {
    body = html`<${Card} title=${t('business.walletTitle')}>
      <p>${t('business.walletText')}
        <a href="#/wallet" data-testid="business-go-wallet">${t('landing.createOrRestore')}</a></p><//>`;
  } else if (me.data === undefined) {
    body = me.error ? html`<${ErrorBox} error=${me.error} />` : html`<${Loading} />`;
  } else if (!registered) {
    body = html`<${Application} ctx=${ctx} account=${me.data.account} />`;
  } else if (tab === 'requests') {
    body = ctx.route.parts[2]
      ? html`<${RequestDetail} ctx=${ctx} id=${Number(ctx.route.parts[2])} />`
      : html`<${RequestsTab} ctx=${ctx} purse=${me.data.purse} />`;
  } else if (tab === 'tasks') body = html`<${TasksTab} ctx=${ctx} quota=${me.data.quota} />`;
  else if (tab === 'deposits') body = html`<${DepositsTab} ctx=${ctx} />`;
  else if (tab === 'offers') body = html`<${OffersTab} ctx=${ctx} />`;
  else if (tab === 'webhooks') body = html`<${WebhooksTab} ctx=${ctx} />`;
  else body = html`<${Overview} ctx=${ctx} me=${me.data} />`;
  const a = me.data?.account;
  return html`<div class="page business" data-testid="business-page">
    <div class="page-head">
      <div>
        <h1>${registered ? a.name : t('business.console')}</h1>
        <p class="lead">${registered
          ? html`${t('business.address')} <span class="mono" data-testid="business-address">${a.address}</span>`
          : t('business.lead')}</p>
      </div>
      ${registered ? html`<div class="head-stats">
        <${Stat} label=${t('business.purse')} value=${formatBD(me.data.purse.balance)} testid="business-purse" />
        ${me.data.quota ? html`<${Stat} label=${t('business.quotaToday')} value=${`${formatForce(me.data.quota.left_today)} / ${formatForce(me.data.quota.daily_force)}`} testid="business-quota" />` : null}
      </div>` : null}
    </div>
    ${registered && me.data.suspension?.suspended ? html`<p class="notice warn" data-testid="business-suspended">
      ${t('business.suspended', { since: formatTime(me.data.suspension.since, { seconds: false }), reason: me.data.suspension.reason })}</p>` : null}
    ${registered ? html`<${Tabs} items=${TABS.map((id) => ({ id, label: t(`business.tab.${id}`) }))} current=${tab} hrefFor=${(id) => `#/business/${id}`} testid="business-tabs" />` : null}
    ${body}
  </div>`;
}

// --- application --------------------------------------------------------------------------

function Application({ ctx, account }) {
  if (account && account.kind !== 'business') {
    return html`<${Card} title=${t('business.notBusiness')}>
      <p data-testid="business-wrong-kind">${t('business.notBusinessText', { name: ctx.wallet.name, kind: t(`kind.${account.kind}`) })}
        <a href="#/wallet">${t('business.createNew')}</a></p><//>`;
  }
  return html`<${ApplyScreen} ctx=${ctx} />`;
}

// --- overview -------------------------------------------------------------------------------

function Overview({ ctx, me }) {
  const address = me.account.address;
  const data = useLive(async () => {
    const [requests, offers, pending] = await Promise.all([
      query(ctx, 'exchange/requests', { business: address, limit: 5 }),
      query(ctx, 'exchange/offers', { business: address, limit: 5 }),
      query(ctx, 'exchange/redemptions', { address, pending: true, limit: 5 }),
    ]);
    return { requests, offers, pending };
  }, [address]);
  const d = data.data;
  const fresh = d && d.offers.total === 0 && d.requests.total === 0;
  return html`
    <${ErrorBox} error=${data.error} />
    ${fresh ? html`<${Card} title=${t('business.gettingStarted')} testid="business-getting-started">
      <ol class="c-steps">
        <li><a href="#/business/offers">${t('business.start1Link')}</a>${t('business.start1')}</li>
        <li><a href="#/business/tasks">${t('business.start2Link')}</a>${t('business.start2')}</li>
        <li><a href="#/business/requests">${t('business.start3Link')}</a>${t('business.start3')}</li>
      </ol>
    <//>` : null}
    <div class="grid grid-2">
      <${Card} title=${t('business.tab.requests')} actions=${html`<a class="btn btn-ghost btn-small" href="#/business/requests">${t('business.allRequests')}</a>`}>
        ${d ? html`<p class="muted">${t('business.requestsTotal', { n: d.requests.total })}</p>
          <${Table} rows=${d.requests.items} empty=${t('business.noRequest')} onRowClick=${(r) => ctx.navigate(`#/business/requests/${r.id}`)}
            columns=${[
              { key: 'id', label: '#', class: 'num' },
              { key: 'purpose', label: t('requests.col.purpose') },
              { key: 'accepted', label: t('business.col.granted'), class: 'num', render: (r) => `${r.accepted} / ${r.residents}` },
              { key: 'status', label: t('business.col.state'), render: (r) => html`<${RequestState} r=${r} />` },
            ]} />` : html`<${Loading} />`}
      <//>
      <${Card} title=${t('shop.title')} actions=${html`<a class="btn btn-ghost btn-small" href="#/business/offers">${t('business.tab.offers')}</a>`}>
        ${d ? html`<p class="muted">${t('business.offersTotal', { n: d.offers.total, pending: d.pending.total })}</p>
          <${Table} rows=${d.offers.items} empty=${t('business.noOffer')}
            columns=${[
              { key: 'item', label: t('shop.col.item') },
              { key: 'price', label: t('shop.col.price'), class: 'num', render: (o) => formatBD(o.price) },
              { key: 'sold', label: t('business.col.sold'), class: 'num', render: (o) => `${o.sold} / ${o.stock}` },
            ]} />` : html`<${Loading} />`}
      <//>
    </div>
    <${Card} title=${t('business.keys')} subtitle=${t('business.keysSub')}>
      <dl class="c-kv">
        <dt>${t('business.col.address')}</dt><dd><${Copyable} text=${address} /></dd>
        <dt>${t('business.col.encryptionKey')}</dt><dd><span class="mono">${me.account.encryption_key}</span></dd>
        <dt>${t('business.col.approved')}</dt><dd>${formatTime(me.account.created_at)}</dd>
      </dl>
    <//>`;
}

// --- data requests ---------------------------------------------------------------------------

function RequestState({ r, now }) {
  const at = now ?? Date.now();
  if (r.status !== 'open') return html`<${Badge} kind="neutral">${stateLabel(r.status)}<//>`;
  if (r.places_left > 0) return html`<${Badge} kind="ok">${t('state.open')}<//>`;
  if (r.accepted >= r.residents) return html`<${Badge} kind="brand">${t('state.full')}<//>`;
  return html`<${Badge} kind="neutral">${at >= r.expires_at ? t('state.expired') : t('state.closed')}<//>`;
}

function localDate(ms) {
  return toZonedInput(ms).slice(0, 10);
}

function RequestsTab({ ctx, purse }) {
  const address = ctx.wallet.address;
  const list = useLive(() => queryAll(ctx, 'exchange/requests', { business: address }), [address]);
  return html`
    <${CreateRequest} ctx=${ctx} purse=${purse} onDone=${() => list.reload()} />
    <${Card} title=${t('business.yourRequests')} testid="business-requests">
      <${ErrorBox} error=${list.error} />
      ${list.data === undefined ? html`<${Loading} />` : html`<${Table} testid="business-request" rows=${list.data} rowKey=${(r) => r.id}
        empty=${t('business.noRequest')} onRowClick=${(r) => ctx.navigate(`#/business/requests/${r.id}`)}
        columns=${[
          { key: 'id', label: '#', class: 'num', render: (r) => html`<a href=${`#/business/requests/${r.id}`} data-testid="business-request-link">#${r.id}</a>` },
          { key: 'purpose', label: t('requests.col.purpose') },
          { key: 'categories', label: t('business.col.categories'), render: (r) => r.categories.map((c) => html`<span class="tag">${categoryLabel(c)}</span> `) },
          { key: 'reward', label: t('business.col.reward'), class: 'num', render: (r) => formatBD(r.reward) },
          { key: 'accepted', label: t('business.col.granted'), class: 'num', render: (r) => `${r.accepted} / ${r.residents}` },
          { key: 'waiting', label: t('business.cohortCol'), class: 'num', render: (r) => `${r.accepted} / ${r.waiting ?? 0} (${r.cohort ?? 1})` },
          { key: 'escrow', label: t('business.col.inEscrow'), class: 'num', render: (r) => formatBD(r.escrow) },
          { key: 'expires_at', label: t('business.col.openUntil'), render: (r) => formatTime(r.expires_at, { seconds: false }) },
          { key: 'status', label: t('business.col.state'), render: (r) => html`<${RequestState} r=${r} />` },
        ]} />`}
    <//>`;
}

function CreateRequest({ ctx, purse, onDone }) {
  const now = Date.now();
  const [f, setF] = useState({
    categories: ['travel'], periodStart: localDate(now - 365 * DAY_MS), periodEnd: localDate(now + 30 * DAY_MS),
    purpose: '', reward: '0.5', residents: '10', cohort: String(MIN_COHORT), expiresDays: '7', accessDays: '30',
  });
  const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });
  const toggleCat = (c) => setF({ ...f, categories: f.categories.includes(c) ? f.categories.filter((x) => x !== c) : [...f.categories, c] });
  let budget = null;
  try { budget = parseBD(f.reward, t('business.col.reward')) * parsePositiveInt(f.residents, t('business.residents')); } catch { budget = null; }
  const create = async () => {
    if (!f.categories.length) throw fail('business.needCategory');
    if (!f.purpose.trim()) throw fail('business.needPurpose');
    const reward = parseBD(f.reward, t('business.col.reward'));
    const residents = parsePositiveInt(f.residents, t('business.residents'));
    const cohort = parsePositiveInt(f.cohort, t('business.cohort'));
    if (residents % cohort) throw fail('business.cohortHint', { min: MIN_COHORT });
    const start = fromZonedInput(f.periodStart, 'T00:00:00');
    const end = fromZonedInput(f.periodEnd, 'T23:59:59');
    if (start > end) throw fail('business.periodOrder');
    const expires = parsePositiveInt(f.expiresDays, t('business.openDays'));
    const access = parsePositiveInt(f.accessDays, t('business.accessDays'));
    const ordered = CATEGORIES.filter((c) => f.categories.includes(c));
    await sendTx(ctx, [{ type: 'exchange/create_request', categories: ordered, period_start: start, period_end: end + 999,
      purpose: f.purpose.trim(), reward, residents, cohort, expires_at: Date.now() + expires * DAY_MS, access_ms: access * DAY_MS }]);
    toast(t('business.requestCreated', { amount: formatBD(reward * residents) }));
    setF({ ...f, purpose: '' });
    onDone();
  };
  return html`<${Card} title=${t('business.askTitle')} testid="business-create-request" subtitle=${t('business.askSub')}>
    <div class="form">
      <div class="field" role="group" aria-labelledby="request-categories-label"><span class="field-label" id="request-categories-label">${t('business.col.categories')}</span>
        <div class="choices" data-testid="request-categories">
          ${CATEGORIES.map((c) => html`<label class=${f.categories.includes(c) ? 'choice active' : 'choice'}>
            <input type="checkbox" checked=${f.categories.includes(c)} onChange=${() => toggleCat(c)} data-testid=${`request-category-${c}`} />${categoryLabel(c)}</label>`)}
        </div>
      </div>
      <${Field} label=${t('requests.col.purpose')} hint=${t('business.purposeHint')}>
        <input data-testid="request-purpose" value=${f.purpose} onInput=${set('purpose')} maxlength="200" placeholder=${t('business.purposePlaceholder')} />
      <//>
      <div class="form-row">
        <${Field} label=${t('business.recordsFrom', { tz: tzOffset() })}><input type="date" data-testid="request-period-start" value=${f.periodStart} onInput=${set('periodStart')} /><//>
        <${Field} label=${t('business.to')}><input type="date" data-testid="request-period-end" value=${f.periodEnd} onInput=${set('periodEnd')} /><//>
      </div>
      <div class="form-row">
        <${Field} label=${t('business.rewardPer')}><input data-testid="request-reward" inputmode="decimal" value=${f.reward} onInput=${set('reward')} /><//>
        <${Field} label=${t('business.residents')}><input type="number" min="1" data-testid="request-residents" value=${f.residents} onInput=${set('residents')} /><//>
        <${Field} label=${t('business.cohort')} hint=${t('business.cohortHint', { min: MIN_COHORT })}><input type="number" min="1" data-testid="request-cohort" value=${f.cohort} onInput=${set('cohort')} /><//>
        <${Field} label=${t('business.openDays')}><input type="number" min="1" data-testid="request-expires" value=${f.expiresDays} onInput=${set('expiresDays')} /><//>
        <${Field} label=${t('business.accessDays')} hint=${t('business.accessHint')}><input type="number" min="1" max="365" data-testid="request-access" value=${f.accessDays} onInput=${set('accessDays')} /><//>
      </div>
      <div class="form-actions">
        <${Button} testid="request-create" onClick=${create} busyLabel=${t('business.escrowing')}>${t('business.createRequest')}<//>
        <span class="muted">${t('business.budget')} <strong data-testid="request-budget">${budget == null ? '—' : formatBD(budget)}</strong>${' · '}${t('business.purseAmount', { amount: formatBD(purse?.balance ?? 0) })}</span>
      </div>
      ${budget != null && purse && budget > purse.balance ? html`<p class="notice warn" data-testid="request-purse-low">
        ${t('business.purseLow')}</p>` : null}
    </div>
  <//>`;
}

function RequestDetail({ ctx, id }) {
  const now = useNow(5000);
  const data = useLive(async () => {
    const [request, grants] = await Promise.all([
      query(ctx, 'exchange/request', { id }),
      queryAll(ctx, 'exchange/grants', { request: id }),
    ]);
    return { request, grants };
  }, [id]);
  const [opened, setOpened] = useState(null);
  if (data.data === undefined) return data.error ? html`<${ErrorBox} error=${data.error} />` : html`<${Loading} />`;
  const { request: r, grants } = data.data;
  const mine = r.business === ctx.wallet.address;
  const fetchAll = async () => {
    const rows = await readGranted(ctx, id);
    setOpened(rows);
    const ok = rows.filter((x) => x.text != null).length;
    toast(t('business.decrypted', { n: ok }));
  };
  const close = async () => {
    await sendTx(ctx, [{ type: 'exchange/close_request', request: id }]);
    toast(t('business.requestClosed'));
    data.reload();
  };
  const open = r.status === 'open' && now < r.expires_at;
  return html`
    <p><a href="#/business/requests">${t('business.backToRequests')}</a></p>
    <${Card} title=${t('business.requestN', { id: r.id })} subtitle=${r.purpose} testid="business-request-detail"
      actions=${mine && open && r.escrow > 0 ? html`<${Button} kind="danger" small testid="request-close" onClick=${close}>${t('business.closeEarly')}<//>` : null}>
      <dl class="c-kv">
        <dt>${t('business.col.state')}</dt><dd data-testid="request-state"><${RequestState} r=${r} now=${now} /></dd>
        <dt>${t('business.col.categories')}</dt><dd>${r.categories.map((c) => html`<span class="tag">${categoryLabel(c)}</span> `)}</dd>
        <dt>${t('business.recordsFromLabel')}</dt><dd>${t('business.fromTo', { from: formatTime(r.period_start, { seconds: false }), to: formatTime(r.period_end, { seconds: false }) })}</dd>
        <dt>${t('business.col.reward')}</dt><dd>${t('business.rewardEach', { amount: formatBD(r.reward) })}</dd>
        <dt>${t('business.col.granted')}</dt><dd data-testid="request-accepted">${t('business.grantedOf', { accepted: r.accepted, residents: r.residents })}</dd>
        <dt>${t('business.escrow')}</dt><dd>${t('business.escrowLine', { escrowed: formatBD(r.escrowed), paid: formatBD(r.paid), left: formatBD(r.escrow) })}${r.refunded ? ` · ${t('business.refundedAmount', { amount: formatBD(r.refunded) })}` : ''}</dd>
        <dt>${t('business.col.openUntil')}</dt><dd>${formatTime(r.expires_at)}${open ? html` <span class="muted">(${t('common.left', { duration: formatDuration(r.expires_at - now) })})</span>` : null}</dd>
        <dt>${t('requests.col.access')}</dt><dd>${t('business.accessFrom', { duration: formatDuration(r.access_ms) })}</dd>
      </dl>
    <//>
    <${Card} title=${t('business.grantsN', { n: grants.length })} testid="business-grants" subtitle=${t('business.grantsSub')}
      actions=${mine && grants.length ? html`<${Button} testid="request-fetch" onClick=${fetchAll} busyLabel=${t('business.decrypting')}>${t('business.fetch')}<//>` : null}>
      <${Table} testid="business-grant" rows=${grants} rowKey=${(g) => g.resident} empty=${t('business.noGrant')}
        columns=${[
          { key: 'resident', label: t('business.col.resident'), render: (g) => html`<${AddrLink} address=${g.resident} />` },
          { key: 'records', label: t('requests.col.records'), class: 'num', render: (g) => `${g.records.filter((x) => x.live).length} / ${g.records.length}` },
          { key: 'granted_at', label: t('business.col.granted'), render: (g) => formatTime(g.granted_at, { seconds: false }) },
          { key: 'access_until', label: t('business.col.accessUntil'), render: (g) => formatTime(g.access_until, { seconds: false }) },
          { key: 'state', label: t('business.col.state'), render: (g) => html`<${Badge} kind=${g.state === 'active' ? 'ok' : 'neutral'}>${stateLabel(g.state)}<//>` },
        ]} />
    <//>
    ${opened ? html`<${Card} title=${t('business.grantedTitle')} testid="business-granted">
      <${Table} testid="granted" rows=${opened} rowKey=${(x) => x.digest} empty=${t('business.nothingShared')}
        columns=${[
          { key: 'resident', label: t('business.col.resident'), render: (x) => html`<${AddrLink} address=${x.resident} />` },
          { key: 'category', label: t('vault.category'), render: (x) => (x.category ? html`<span class="tag">${categoryLabel(x.category)}</span>` : '—') },
          { key: 'time', label: t('business.col.time'), render: (x) => (x.time ? formatTime(x.time, { seconds: false }) : '—') },
          { key: 'text', label: t('vault.content'), render: (x) => (x.text != null
            ? html`<span class="c-plaintext" data-testid="granted-plaintext">${x.text}</span>`
            : html`<span class="muted" data-testid="granted-unavailable">${x.error}</span>`) },
        ]} />
    <//>` : null}
    ${mine ? html`<${GrantedRecords} ctx=${ctx} requestId=${id} />` : null}`;
}

// --- tasks and attestations --------------------------------------------------------------------

function TasksTab({ ctx, quota }) {
  const tasks = useLive(() => query(ctx, 'force/tasks'), []);
  const [task, setTask] = useState('');
  const [residents, setResidents] = useState('');
  const [last, setLast] = useState(null);
  const mineList = (tasks.data || []).filter((x) => x.attester === 'business');
  const chosen = task || mineList.find((x) => x.enabled)?.id || '';
  const attest = async () => {
    const list = [...new Set(residents.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean))];
    if (!chosen) throw fail('business.chooseTask');
    if (!list.length) throw fail('business.listResidents');
    const out = await sendTx(ctx, [{ type: 'force/attest_tasks', task_id: chosen, residents: list }]);
    setLast({ count: list.length, hash: out.hash, task: chosen });
    setResidents('');
    toast(t('business.credited', { n: list.length }));
  };
  const task_ = mineList.find((x) => x.id === chosen);
  return html`
    <${Card} title=${t('business.attestTitle')} testid="business-attest" subtitle=${t('business.attestSub')}>
      <div class="form">
        <div class="form-row">
          <${Field} label=${t('tasks.col.task')}>
            <select data-testid="attest-task" value=${chosen} onChange=${(e) => setTask(e.currentTarget.value)}>
              ${mineList.map((x) => html`<option value=${x.id} disabled=${!x.enabled}>${x.title} (+${x.force})${x.enabled ? '' : ` — ${t('tasks.disabled')}`}</option>`)}
            </select>
          <//>
        </div>
        <${Field} label=${t('business.residents')} hint=${t('business.residentsHint')}>
          <textarea rows="4" class="mono" data-testid="attest-residents" value=${residents} onInput=${(e) => setResidents(e.currentTarget.value)} placeholder="planet1…"></textarea>
        <//>
        <div class="form-actions">
          <${Button} testid="attest-submit" onClick=${attest} busyLabel=${t('business.attesting')}>${task_ ? t('business.attestEach', { force: task_.force }) : t('business.attest')}<//>
          <span class="muted">${t('business.quotaLeft')} <strong data-testid="attest-quota">${quota ? t('business.quotaOf', { left: formatForce(quota.left_today), all: formatForce(quota.daily_force) }) : '—'}</strong></span>
          ${last ? html`<span class="muted" data-testid="attest-done">${t('business.creditedFor', { n: last.count, task: last.task })} · <${TxLink} hash=${last.hash} /></span>` : null}
        </div>
      </div>
    <//>
    <${Attestations} ctx=${ctx} />
    <${Card} title=${t('business.attestable')}>
      <${ErrorBox} error=${tasks.error} />
      <${Table} rows=${mineList} rowKey=${(x) => x.id} empty=${t('business.noAttestable')}
        columns=${[
          { key: 'title', label: t('tasks.col.task'), render: (x) => html`<strong>${x.title}</strong> <span class="muted mono small">${x.id}</span>` },
          { key: 'force', label: t('tasks.col.force'), class: 'num', render: (x) => `+${x.force}` },
          { key: 'duration_days', label: t('tasks.col.lasts'), render: (x) => (x.duration_days ? t('tasks.days', { n: x.duration_days }) : t('planet.permanent')) },
          { key: 'limit', label: t('business.col.perResident'), render: (x) => limitLabel(x.limit) },
          { key: 'enabled', label: t('business.col.state'), render: (x) => (x.enabled ? html`<${Badge} kind="ok">${t('tasks.enabled')}<//>` : html`<${Badge} kind="bad">${t('tasks.disabled')}<//>`) },
        ]} />
    <//>`;
}

function Attestations({ ctx }) {
  const address = ctx.wallet.address;
  const sent = useLive(() => sentMessages(ctx, address, 'force/attest_tasks'), [address]);
  const rows = (sent.data || []).filter((d) => !d.code);
  return html`<${Card} title=${t('business.recentAttestations')} testid="business-attestations">
    <${ErrorBox} error=${sent.error} />
    <${Table} testid="attestation" rows=${rows} rowKey=${(d) => d.hash} empty=${t('business.noAttestation')}
      columns=${[
        { key: 'task', label: t('tasks.col.task'), render: (d) => d.msg.task_id },
        { key: 'residents', label: t('business.residents'), render: (d) => html`${d.msg.residents.slice(0, 3).map((a) => html`<${AddrLink} address=${a} /> `)}${d.msg.residents.length > 3 ? html`<span class="muted">${t('business.more', { n: d.msg.residents.length - 3 })}</span>` : null}` },
        { key: 'count', label: t('business.col.credited'), class: 'num', render: (d) => d.msg.residents.length },
        { key: 'height', label: t('history.col.block'), render: (d) => html`<${BlockLink} height=${d.height} />` },
        { key: 'hash', label: t('history.col.tx'), render: (d) => html`<${TxLink} hash=${d.hash} />` },
      ]} />
  <//>`;
}

// --- deposits ---------------------------------------------------------------------------------

function DepositsTab({ ctx }) {
  const address = ctx.wallet.address;
  const data = useLive(async () => {
    const [tasks, sent] = await Promise.all([
      query(ctx, 'force/tasks'),
      sentMessages(ctx, address, 'vault/deposit_record'),
    ]);
    return { tasks, sent };
  }, [address]);
  const [f, setF] = useState({ owner: '', category: 'shopping', text: '', task: '' });
  const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });
  const deposit = async () => {
    const owner = f.owner.trim();
    if (!owner) throw fail('business.needOwner');
    if (!f.text.trim()) throw fail('business.needRecord');
    await depositRecord(ctx, { owner, category: f.category, text: f.text, task: f.task, timeMs: Date.now() });
    setF({ ...f, text: '' });
    toast(t('business.deposited'));
    data.reload();
  };
  const attestable = (data.data?.tasks || []).filter((x) => x.attester === 'business' && x.enabled);
  const done = (data.data?.sent || []).filter((d) => !d.code);
  return html`
    <${Card} title=${t('business.depositTitle')} testid="business-deposit" subtitle=${t('business.depositSub')}>
      <p class="muted small" data-testid="deposit-consent">${t('business.depositConsent')}</p>
      <div class="form">
        <${Field} label=${t('business.col.resident')}><input class="mono" data-testid="deposit-owner" value=${f.owner} onInput=${set('owner')} placeholder="planet1…" /><//>
        <div class="form-row">
          <${Field} label=${t('vault.category')}>
            <select data-testid="deposit-category" value=${f.category} onChange=${set('category')}>${CATEGORIES.map((c) => html`<option value=${c}>${categoryLabel(c)}</option>`)}</select>
          <//>
          <${Field} label=${t('business.taskOptional')}>
            <select data-testid="deposit-task" value=${f.task} onChange=${set('task')}>
              <option value="">${t('common.none')}</option>
              ${attestable.map((x) => html`<option value=${x.id}>${x.title} (+${x.force})</option>`)}
            </select>
          <//>
        </div>
        <${Field} label=${t('business.record')}><textarea rows="3" data-testid="deposit-text" value=${f.text} onInput=${set('text')} placeholder=${t('business.recordPlaceholder')}></textarea><//>
        <div class="form-actions"><${Button} testid="deposit-submit" onClick=${deposit} busyLabel=${t('business.sealing')}>${t('business.sealDeposit')}<//></div>
      </div>
    <//>
    <${Card} title=${t('business.yourDeposits')} subtitle=${t('business.yourDepositsSub')}>
      <${ErrorBox} error=${data.error} />
      <${Table} testid="deposit" rows=${done} rowKey=${(d) => d.msg.digest} empty=${t('business.noDeposit')}
        columns=${[
          { key: 'owner', label: t('business.col.resident'), render: (d) => html`<${AddrLink} address=${d.msg.owner} />` },
          { key: 'category', label: t('vault.category'), render: (d) => html`<span class="tag">${categoryLabel(d.msg.category)}</span>` },
          { key: 'time', label: t('business.col.time'), render: (d) => formatTime(d.msg.time, { seconds: false }) },
          { key: 'task', label: t('tasks.col.task'), render: (d) => d.msg.task || '—' },
          { key: 'digest', label: t('business.record'), render: (d) => html`<a class="mono" href=${`#/explorer/tx/${d.msg.digest}`}>${d.msg.digest.slice(0, 12)}…</a>` },
          { key: 'height', label: t('history.col.block'), render: (d) => html`<${BlockLink} height=${d.height} />` },
        ]} />
    <//>`;
}

// --- offers and redemptions ---------------------------------------------------------------------

function OffersTab({ ctx }) {
  const address = ctx.wallet.address;
  const data = useLive(async () => {
    const [offers, redemptions] = await Promise.all([
      queryAll(ctx, 'exchange/offers', { business: address }),
      queryAll(ctx, 'exchange/redemptions', { address }),
    ]);
    return { offers, redemptions };
  }, [address]);
  const d = data.data;
  return html`
    <${CreateOffer} ctx=${ctx} onDone=${() => data.reload()} />
    <${VoucherCodes} ctx=${ctx} offers=${d?.offers} onFulfilled=${() => data.reload()} />
    <${ErrorBox} error=${data.error} />
    <${Card} title=${t('business.yourOffers')} testid="business-offers">
      ${d ? html`<${Table} testid="business-offer" rows=${d.offers} rowKey=${(o) => o.id} empty=${t('business.noOffer')}
        columns=${[
          { key: 'id', label: '#', class: 'num' },
          { key: 'item', label: t('shop.col.item'), render: (o) => html`<strong>${o.item}</strong>` },
          { key: 'price', label: t('shop.col.price'), class: 'num', render: (o) => formatBD(o.price) },
          { key: 'stock', label: t('business.col.soldStock'), class: 'num', render: (o) => html`<span data-testid="offer-sold">${o.sold} / ${o.stock}</span>` },
          { key: 'window', label: t('business.col.onSale'), render: (o) => html`${formatTime(o.starts_at, { seconds: false })} → ${formatTime(o.ends_at, { seconds: false })}` },
          { key: 'gate', label: t('business.col.needs'), render: (o) => html`${o.min_force ? t('business.forceN', { n: o.min_force }) : t('business.anyone')}${o.daily_limit ? ` · ${t('business.perDay', { n: o.daily_limit })}` : ''}` },
          { key: 'on_sale', label: t('business.col.state'), render: (o) => (o.on_sale ? html`<${Badge} kind="ok">${t('state.onSale')}<//>` : html`<${Badge} kind="neutral">${o.left ? t('state.notOnSale') : t('shop.soldOut')}<//>`) },
        ]} />` : html`<${Loading} />`}
    <//>
    <${Redemptions} ctx=${ctx} rows=${d?.redemptions} onDone=${() => data.reload()} />`;
}

function Redemptions({ ctx, rows, onDone }) {
  const [showAll, setShowAll] = useState(false);
  if (!rows) return html`<${Card} title=${t('business.redemptions')}><${Loading} /><//>`;
  const pending = rows.filter((x) => x.status === 'pending');
  const settled = rows.filter((x) => x.status !== 'pending');
  const shown = showAll ? settled : settled.slice(0, 10);
  const cols = [
    { key: 'id', label: '#', class: 'num' },
    { key: 'item', label: t('shop.col.item') },
    { key: 'resident', label: t('business.col.resident'), render: (x) => html`<${AddrLink} address=${x.resident} />` },
    { key: 'price', label: t('requests.col.paid'), class: 'num', render: (x) => formatBD(x.price) },
    { key: 'redeemed_at', label: t('shop.col.when'), render: (x) => formatTime(x.redeemed_at, { seconds: false }) },
    { key: 'status', label: t('business.col.state'), render: (x) => html`<${Badge} kind=${x.status === 'pending' ? 'warn' : x.status === 'fulfilled' ? 'ok' : 'neutral'}>${t(`redemption.${x.status}`)}<//>` },
  ];
  return html`<${Card} title=${t('business.waitingVoucher', { n: pending.length })} testid="business-redemptions" subtitle=${t('business.waitingVoucherSub')}>
    <${Table} testid="business-redemption" rows=${pending} rowKey=${(x) => x.id} empty=${t('business.nothingToDeliver')}
      columns=${[...cols, { key: 'act', label: html`<span class="sr-only">${t('tasks.col.action')}</span>`, render: (x) => html`<${Fulfil} ctx=${ctx} redemption=${x} onDone=${onDone} />` }]} />
    ${settled.length ? html`<h3 class="c-subhead">${t('business.settled', { n: settled.length })}</h3>
      <${Table} testid="business-settled" rows=${shown} rowKey=${(x) => x.id} columns=${cols} />
      ${settled.length > shown.length ? html`<p class="pager"><button type="button" class="link-btn" onClick=${() => setShowAll(true)}>${t('business.showAll', { n: settled.length })}</button></p>` : null}` : null}
  <//>`;
}

function CreateOffer({ ctx, onDone }) {
  const now = Date.now();
  const [f, setF] = useState({ item: '', price: '2', stock: '50', starts: toZonedInput(now), ends: toZonedInput(now + 30 * DAY_MS), minForce: '0', dailyLimit: '0' });
  const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });
  const create = async () => {
    if (!f.item.trim()) throw fail('business.needItem');
    const startsAt = fromZonedInput(f.starts);
    const endsAt = fromZonedInput(f.ends);
    const toInt = (v, name) => { if (!/^\d+$/.test(String(v).trim())) throw fail('kit.wholeNumber', { field: name }); return Number(v); };
    await sendTx(ctx, [{ type: 'exchange/create_offer', item: f.item.trim(), price: parseBD(f.price, t('shop.col.price')),
      stock: parsePositiveInt(f.stock, t('business.stock')), starts_at: startsAt, ends_at: endsAt,
      min_force: toInt(f.minForce, t('business.minForce')), daily_limit: toInt(f.dailyLimit, t('business.perResidentDay')) }]);
    toast(t('business.listed', { item: f.item.trim() }));
    setF({ ...f, item: '' });
    onDone();
  };
  return html`<${Card} title=${t('business.newOffer')} testid="business-create-offer" subtitle=${t('business.newOfferSub')}>
    <div class="form">
      <div class="form-row">
        <${Field} label=${t('shop.col.item')}><input data-testid="offer-item" value=${f.item} maxlength="80" onInput=${set('item')} placeholder=${t('business.itemPlaceholder')} /><//>
        <${Field} label=${t('business.priceBD')}><input data-testid="offer-price" inputmode="decimal" value=${f.price} onInput=${set('price')} /><//>
        <${Field} label=${t('business.stock')}><input type="number" min="1" data-testid="offer-stock" value=${f.stock} onInput=${set('stock')} /><//>
      </div>
      <div class="form-row">
        <${Field} label=${t('business.onSaleFrom', { tz: tzOffset() })}><input type="datetime-local" data-testid="offer-starts" value=${f.starts} onInput=${set('starts')} /><//>
        <${Field} label=${t('business.until')}><input type="datetime-local" data-testid="offer-ends" value=${f.ends} onInput=${set('ends')} /><//>
        <${Field} label=${t('business.minForce')}><input type="number" min="0" data-testid="offer-min-force" value=${f.minForce} onInput=${set('minForce')} /><//>
        <${Field} label=${t('business.perResidentDay')} hint=${t('business.noLimitHint')}><input type="number" min="0" data-testid="offer-daily-limit" value=${f.dailyLimit} onInput=${set('dailyLimit')} /><//>
      </div>
      <div class="form-actions"><${Button} testid="offer-create" onClick=${create} busyLabel=${t('business.listing')}>${t('business.listOffer')}<//></div>
    </div>
  <//>`;
}

function Fulfil({ ctx, redemption, onDone }) {
  const [voucher, setVoucher] = useState('');
  const fulfil = async () => {
    if (!voucher.trim()) throw fail('business.needVoucher');
    await fulfilRedemption(ctx, redemption, voucher.trim());
    toast(t('business.voucherSent', { id: redemption.id }));
    onDone();
  };
  const refund = async () => {
    await sendTx(ctx, [{ type: 'exchange/refund', redemption: redemption.id }]);
    toast(t('business.refunded', { id: redemption.id }));
    onDone();
  };
  return html`<span class="c-inline">
    <input placeholder=${t('business.voucherCode')} value=${voucher} onInput=${(e) => setVoucher(e.currentTarget.value)} data-testid="fulfil-voucher"
      aria-label=${t('business.voucherFor', { id: redemption.id })} />
    <${Button} small testid="fulfil-submit" onClick=${fulfil}>${t('business.deliver')}<//>
    <${Button} small kind="ghost" testid="refund-submit" onClick=${refund}>${t('business.refund')}<//>
  </span>`;
}
