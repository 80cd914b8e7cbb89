// The operator's dashboard: supply against the schedule, who is active, the task catalog
// (enable/disable), the queue of business applications, quotas, and invitation codes for the beta.
// Reads are public; every change is a transaction the operator's key signs in this browser.
import { useState } from 'preact/hooks';
import {
  html, t, fail, useLive, formatBD, formatForce, formatNumber, formatTime, formatDate, formatDuration, Card, Table,
  ErrorBox, Loading, Button, Field, Stat, Tabs, Badge, Copyable, toast,
} from './common.js';
import { attesterLabel, limitLabel } from './resident/data.js';
import {
  sendTx, query, getAccount, AddrLink, createInviteCodes, parsePositiveInt,
} from './explorer/kit.js';
import { SupplyChart, ForceHistogram, compactBD } from './operator/charts.js';
import { IdentitySettings } from './operator/identity.js';
import { RelaysPanel } from './operator/relays.js';
import { ApplicationsQueue } from './operator/applications.js';

/** Headline figures: to the hundredth of a BD, or in millions past a million (the exact
 * values are in the chart's legend). */
const bd2 = (micro) => (Number(micro) >= 1e12
  ? `${formatNumber(Number(micro) / 1e12, { minimumFractionDigits: 2, maximumFractionDigits: 2 })} M BD`
  : formatBD(Math.floor(Number(micro) / 10000) * 10000));

const TABS = ['overview', 'tasks', 'businesses', 'relays', 'invites'];

export function OperatorPage({ ctx }) {
  const tab = TABS.includes(ctx.route.parts[1]) ? ctx.route.parts[1] : 'overview';
  const me = useLive(() => (ctx.wallet ? getAccount(ctx, ctx.wallet.address) : null), [ctx.wallet?.address]);
  const isOperator = me.data?.kind === 'operator';
  let body;
  if (tab === 'tasks') body = html`<${TasksTab} ctx=${ctx} isOperator=${isOperator} />`;
  else if (tab === 'businesses') body = html`<${BusinessesTab} ctx=${ctx} isOperator=${isOperator} />`;
  else if (tab === 'invites') body = html`<${InvitesTab} ctx=${ctx} isOperator=${isOperator} />`;
  else if (tab === 'relays') body = html`<${RelaysPanel} ctx=${ctx} />`;
  else body = html`<${Overview} ctx=${ctx} />`;
  return html`<div class="page operator" data-testid="operator-page">
    <div class="page-head">
      <div>
        <h1>${t('operator.title')}</h1>
        <p class="lead">${t('operator.lead')}</p>
      </div>
      <${WhoAmI} ctx=${ctx} me=${me} isOperator=${isOperator} />
    </div>
    <${IdentitySettings} ctx=${ctx} />
    <${Tabs} items=${TABS.map((id) => ({ id, label: t(`operator.tab.${id}`) }))} current=${tab} hrefFor=${(id) => `#/operator/${id}`} testid="operator-tabs" />
    ${body}
  </div>`;
}

function WhoAmI({ ctx, me, isOperator }) {
  if (!ctx.wallet) return html`<div class="notice warn" data-testid="operator-role">${t('operator.readOnly')} <a href="#/wallet">${t('operator.importKey')}</a></div>`;
  if (me.data === undefined) return null;
  if (isOperator) return html`<div class="notice good" data-testid="operator-role">${t('operator.signedIn')} · <span class="mono">${ctx.wallet.name}</span></div>`;
  return html`<div class="notice warn" data-testid="operator-role">${t('operator.notOperator', { name: ctx.wallet.name })} <a href="#/wallet">${t('operator.importKey')}</a> (HOME/keys/operator.json)</div>`;
}

// --- supply and residents ------------------------------------------------------------------

async function loadOverview(ctx) {
  const [schedule, supply, census, drill, books] = await Promise.all([
    query(ctx, 'emission/schedule', { points: 240 }),
    query(ctx, 'emission/supply'),
    query(ctx, 'emission/census').catch(() => null),
    query(ctx, 'drill/current').catch(() => null),
    query(ctx, 'exchange/books').catch(() => null),
  ]);
  return { schedule, supply, census, drill, books };
}

function Overview({ ctx }) {
  const res = useLive(() => loadOverview(ctx), []);
  if (res.data === undefined) return res.error ? html`<${ErrorBox} error=${res.error} />` : html`<${Loading} />`;
  const { schedule: s, supply, census: c, drill, books } = res.data;
  const pct = s.cap_micro ? (100 * supply.emitted_micro) / s.cap_micro : 0;
  const halvingAt = s.halving_interval_ms ? s.genesis_time + (s.era + 1) * s.halving_interval_ms : null;
  return html`
    <${ErrorBox} error=${res.error} />
    <div class="stats-row">
      <${Stat} label=${t('operator.emitted')} value=${bd2(supply.emitted_micro)} testid="op-emitted"
        hint=${pct < 0.01 ? t('operator.underCap') : t('operator.ofCap', { pct: formatNumber(pct, { minimumFractionDigits: 2, maximumFractionDigits: 2 }) })} />
      <${Stat} label=${t('operator.cap')} value=${`${compactBD(s.cap_micro)} BD`} hint=${t('operator.capHint', { amount: formatBD(s.cap_micro) })} />
      <${Stat} label=${t('operator.collected')} value=${bd2(supply.collected_micro)} testid="op-collected" hint=${t('operator.collectedHint')} />
      <${Stat} label=${t('operator.rate')} value=${`${formatBD(supply.rate_micro_per_second)}/s`} testid="op-rate"
        hint=${halvingAt && halvingAt < s.end_time ? t('operator.eraHalves', { era: supply.era, date: formatDate(halvingAt) }) : t('operator.eraLast', { era: supply.era })} />
      <${Stat} label=${t('drill.jackpot')} value=${bd2(supply.jackpot_micro)} testid="op-jackpot"
        hint=${drill ? t('operator.drillRound', { round: drill.round, n: drill.entries }) : t('resident.tab.drill')} />
      ${books ? html`<${Stat} label=${t('operator.businessesHold')} value=${bd2(books.purses_micro + books.escrow_micro)} testid="op-books"
        hint=${t('operator.booksHint', { purses: bd2(books.purses_micro), escrow: bd2(books.escrow_micro) })} />` : null}
    </div>
    <${Card} title=${t('operator.supplyTitle')} testid="op-supply"
      subtitle=${t('operator.supplySub', { rate: formatBD(supply.rate_micro_per_second), era: supply.era, halving: formatDuration(s.halving_interval_ms) })}>
      <${SupplyChart} s=${s} />
    <//>
    <div class="grid grid-2">
      <${Card} title=${t('operator.residents')} testid="op-census" subtitle=${c ? t('operator.census', { height: c.height }) : null}>
        ${c ? html`
          <div class="stats-row compact">
            <${Stat} label=${t('operator.residents')} value=${formatForce(c.residents)} testid="census-residents" />
            <${Stat} label=${t('operator.active')} value=${formatForce(c.active)} testid="census-active" hint=${t('operator.activeHint')} />
            <${Stat} label=${t('operator.dormant')} value=${formatForce(c.dormant)} testid="census-dormant" hint=${t('operator.dormantHint')} />
            <${Stat} label=${t('operator.never')} value=${formatForce(c.inactive)} testid="census-inactive" />
          </div>
          <${ActivityBar} c=${c} />` : html`<p class="muted">${t('operator.noCensus')}</p>`}
      <//>
      <${Card} title=${t('operator.forceTitle')} testid="op-force"
        subtitle=${c ? t('operator.forceSub', { total: formatForce(c.total_force), active: formatForce(c.active_force) }) : null}>
        ${c ? html`<${ForceHistogram} histogram=${c.force_histogram} />` : null}
      <//>
    </div>`;
}

function ActivityBar({ c }) {
  const total = Math.max(1, c.residents);
  const seg = (n, cls, label) => (n ? html`<span class=${`seg ${cls}`} style=${`width:${(100 * n) / total}%`} title=${`${label}: ${n}`}></span>` : null);
  return html`<div class="activity-bar" role="img" aria-label=${t('operator.activityLabel', { active: c.active, dormant: c.dormant, never: c.inactive })}>
    ${seg(c.active, 'seg-active', t('operator.active'))}${seg(c.dormant, 'seg-dormant', t('operator.dormant'))}${seg(c.inactive, 'seg-inactive', t('operator.never'))}
  </div>
  <div class="legend"><span><i class="sw seg-active"></i>${t('operator.active')}</span><span><i class="sw seg-dormant"></i>${t('operator.dormant')}</span><span><i class="sw seg-inactive"></i>${t('operator.never')}</span></div>`;
}

// --- task catalog ----------------------------------------------------------------------------

function TasksTab({ ctx, isOperator }) {
  const tasks = useLive(() => query(ctx, 'force/tasks'), []);
  const toggle = async (task) => {
    await sendTx(ctx, [{ type: 'force/set_task_enabled', task_id: task.id, enabled: !task.enabled }]);
    toast(`${task.title}: ${task.enabled ? t('tasks.disabled') : t('tasks.enabled')}`);
    tasks.reload();
  };
  return html`<${Card} title=${t('tasks.catalog')} testid="op-tasks" subtitle=${t('operator.tasksSub')}>
    <${ErrorBox} error=${tasks.error} />
    ${tasks.data === undefined ? html`<${Loading} />` : html`<${Table} testid="op-task" rows=${tasks.data} rowKey=${(x) => x.id}
      columns=${[
        { key: 'title', label: t('tasks.col.task'), render: (x) => html`<div><strong>${x.title}</strong><div class="muted mono small">${x.id}</div></div>` },
        { key: 'category', label: t('vault.category') },
        { key: 'force', label: t('tasks.col.force'), class: 'num', render: (x) => `+${x.force}` },
        { key: 'duration_days', label: t('tasks.col.lasts'), render: (x) => (x.duration_days ? t('tasks.days', { n: x.duration_days }) : t('planet.permanent')) },
        { key: 'limit', label: t('operator.limit'), render: (x) => limitLabel(x.limit) },
        { key: 'attester', label: t('operator.grantedBy'), render: (x) => (x.attester === 'resident' ? t('kind.resident') : attesterLabel(x.attester)) },
        { key: 'enabled', label: t('business.col.state'), render: (x) => html`<span data-testid=${`op-task-state-${x.id}`}>${x.enabled ? html`<${Badge} kind="ok">${t('tasks.enabled')}<//>` : html`<${Badge} kind="bad">${t('tasks.disabled')}<//>`}</span>` },
        { key: 'action', label: html`<span class="sr-only">${t('tasks.col.action')}</span>`, render: (x) => html`<${Button} small kind=${x.enabled ? 'danger' : 'secondary'} disabled=${!isOperator}
            testid=${`op-task-toggle-${x.id}`} title=${isOperator ? '' : t('operator.onlyOperator')}
            onClick=${() => toggle(x)}>${x.enabled ? t('operator.disable') : t('operator.enable')}<//>` },
      ]} />`}
  <//>`;
}

// --- businesses ------------------------------------------------------------------------------

async function loadBusinesses(ctx) {
  const list = (await query(ctx, 'accounts/accounts', { kind: 'business', limit: 1000 }))
    .sort((a, b) => b.created_height - a.created_height);
  return Promise.all(list.map(async (b) => {
    const [quota, purse, suspension] = await Promise.all([
      query(ctx, 'force/quota', { address: b.address }).catch(() => null),
      query(ctx, 'exchange/purse', { business: b.address }).catch(() => null),
      query(ctx, 'exchange/suspension', { business: b.address }).catch(() => null),
    ]);
    return { ...b, quota, purse, suspension };
  }));
}

function SuspensionControl({ ctx, business, disabled, onDone }) {
  const [reason, setReason] = useState('');
  const s = business.suspension;
  const suspend = async () => {
    if (!reason.trim()) throw fail('operator.needReason');
    const out = await sendTx(ctx, [{ type: 'exchange/suspend_business', business: business.address, reason: reason.trim() }]);
    const closed = (out.events || []).filter((e) => e.type === 'exchange/request_closed').length;
    toast(t('operator.suspendedDone', { name: business.name, n: closed }));
    setReason('');
    onDone();
  };
  const lift = async () => {
    await sendTx(ctx, [{ type: 'exchange/lift_suspension', business: business.address }]);
    toast(t('operator.lifted', { name: business.name }));
    onDone();
  };
  if (s?.suspended) {
    return html`<div data-testid="op-business-suspension"><${Badge} kind="bad">${t('operator.suspended')}<//>
      <div class="muted small">${formatTime(s.since, { seconds: false })} · ${s.reason}</div>
      <${Button} small kind="secondary" testid="op-business-lift" disabled=${disabled} onClick=${lift}>${t('operator.lift')}<//></div>`;
  }
  return html`<span class="c-inline" data-testid="op-business-suspension"><${Badge} kind="ok">${t('state.active')}<//>
    <input class="small-input" value=${reason} placeholder=${t('operator.reason')} aria-label=${t('operator.reasonFor', { name: business.name })}
      data-testid="op-business-suspend-reason" disabled=${disabled} onInput=${(e) => setReason(e.currentTarget.value)} />
    <${Button} small kind="danger-ghost" testid="op-business-suspend" disabled=${disabled} onClick=${suspend}>${t('operator.suspend')}<//></span>`;
}

function BusinessesTab({ ctx, isOperator }) {
  const list = useLive(() => loadBusinesses(ctx), []);
  return html`
    <${ApplicationsQueue} ctx=${ctx} isOperator=${isOperator} onDecided=${() => list.reload()} />
    <${Card} title=${t('operator.tab.businesses')} testid="op-businesses">
      <${ErrorBox} error=${list.error} />
      ${list.data === undefined ? html`<${Loading} />` : html`<${Table} testid="op-business" rows=${list.data} rowKey=${(b) => b.address}
        empty=${t('operator.noBusiness')}
        columns=${[
          { key: 'name', label: t('requests.col.business'), render: (b) => html`<div><strong>${b.name}</strong><div><${AddrLink} address=${b.address} /></div></div>` },
          { key: 'created_at', label: t('business.col.approved'), render: (b) => formatTime(b.created_at, { seconds: false }) },
          { key: 'purse', label: t('business.purse'), class: 'num', render: (b) => (b.purse ? formatBD(b.purse.balance) : '—') },
          { key: 'quota', label: t('operator.quota'), class: 'num', render: (b) => (b.quota ? html`<span data-testid="op-business-quota">${t('operator.perDay', { n: formatForce(b.quota.daily_force) })}</span><div class="muted small">${t('operator.leftToday', { n: formatForce(b.quota.left_today) })}</div>` : '—') },
          { key: 'set', label: html`<span class="sr-only">${t('operator.setQuota')}</span>`, render: (b) => html`<${QuotaForm} ctx=${ctx} business=${b} disabled=${!isOperator} onDone=${() => list.reload()} />` },
          { key: 'suspension', label: t('business.col.state'), render: (b) => html`<${SuspensionControl} ctx=${ctx} business=${b} disabled=${!isOperator} onDone=${() => list.reload()} />` },
        ]} />`}
    <//>`;
}

function QuotaForm({ ctx, business, disabled, onDone }) {
  const [value, setValue] = useState(String(business.quota?.daily_force ?? ''));
  const save = async () => {
    const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
    if (!Number.isFinite(n)) throw fail('kit.wholeNumber', { field: t('operator.dailyQuota') });
    await sendTx(ctx, [{ type: 'force/set_business_quota', business: business.address, daily_force: n }]);
    toast(t('operator.quotaSet', { name: business.name, n }));
    onDone();
  };
  return html`<span class="c-inline">
    <input type="number" min="0" class="small-input" value=${value} onInput=${(e) => setValue(e.currentTarget.value)}
      aria-label=${t('operator.quotaOf', { name: business.name })} disabled=${disabled} />
    <${Button} small kind="secondary" disabled=${disabled} onClick=${save}>${t('operator.set')}<//>
  </span>`;
}

// --- invitation codes -------------------------------------------------------------------------

const inviteStoreKey = (address) => `planet.operator.invites.${address}`;

function storedCodes(address) {
  try { return JSON.parse(localStorage.getItem(inviteStoreKey(address)) || '[]'); } catch { return []; }
}

function InvitesTab({ ctx, isOperator }) {
  const address = ctx.wallet?.address;
  const [count, setCount] = useState('5');
  const [fresh, setFresh] = useState([]);
  const invites = useLive(() => (address && isOperator ? query(ctx, 'accounts/invites_of', { address }) : []), [address, isOperator]);
  const create = async () => {
    const n = parsePositiveInt(count, t('invites.howMany'));
    if (n > 100) throw fail('operator.atMost100');
    const codes = await createInviteCodes(ctx, n);
    localStorage.setItem(inviteStoreKey(address), JSON.stringify([...codes, ...storedCodes(address)]));
    setFresh(codes);
    toast(t('operator.codesMade', { n: codes.length }));
    invites.reload();
  };
  const known = address ? storedCodes(address) : [];
  const used = (invites.data || []).filter((i) => i.used || i.used_by || i.resident).length;
  return html`<${Card} title=${t('operator.invitesTitle')} testid="op-invites" subtitle=${t('operator.invitesSub')}>
    <div class="form-row">
      <${Field} label=${t('invites.howMany')}><input type="number" min="1" max="100" value=${count} data-testid="op-invite-count" onInput=${(e) => setCount(e.currentTarget.value)} /><//>
      <div class="form-actions"><${Button} testid="op-invite-create" disabled=${!isOperator} onClick=${create} busyLabel=${t('operator.creating')}>${t('invites.create')}<//></div>
    </div>
    ${fresh.length ? html`<div class="notice good"><p>${t('operator.newCodes')}</p>
      <ul class="codes">${fresh.map((c) => html`<li><${Copyable} text=${c} testid="op-invite-code" /></li>`)}</ul></div>` : null}
    ${isOperator ? html`<p class="muted" data-testid="op-invite-summary">${t('operator.invitesSummary', { n: (invites.data || []).length, used, kept: known.length })}</p>` : null}
    ${known.length ? html`<details><summary>${t('operator.keptCodes', { n: known.length })}</summary>
      <ul class="codes">${known.map((c) => html`<li><code>${c}</code></li>`)}</ul></details>` : null}
  <//>`;
}
