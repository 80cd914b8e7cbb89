// The operator's dashboard: supply against the schedule, who is active, the task catalog
// (enable/disable), business approvals and quotas, and invitation codes for the beta.
// Reads are public; every change is a transaction the operator's key signs in this browser.
import { useState } from 'preact/hooks';
import {
  html, useLive, formatBD, formatForce, formatTime, formatDuration, Card, Table, ErrorBox,
  Loading, Button, Field, Stat, Tabs, Badge, Copyable, toast,
} from './common.js';
import {
  sendTx, query, getAccount, AddrLink, createInviteCodes, parsePositiveInt,
} from './explorer/kit.js';
import { SupplyChart, ForceHistogram, compactBD } from './operator/charts.js';
import { IdentitySettings } from './operator/identity.js';
import { RelaysPanel } from './operator/relays.js';
import { b64decode, checkPublicKey } from '../sdk/index.js';

/** Headline figures: to the hundredth of a BD, or in millions past a million (the exact
 * values are in the chart's legend). */
const bd2 = (micro) => (Number(micro) >= 1e12
  ? `${(Number(micro) / 1e12).toFixed(2)} M BD`
  : formatBD(Math.floor(Number(micro) / 10000) * 10000));

const TABS = [
  { id: 'overview', label: 'Supply & residents' },
  { id: 'tasks', label: 'Tasks' },
  { id: 'businesses', label: 'Businesses' },
  { id: 'relays', label: 'Relays' },
  { id: 'invites', label: 'Invitations' },
];

export function OperatorPage({ ctx }) {
  const tab = TABS.some((t) => t.id === ctx.route.parts[1]) ? ctx.route.parts[1] : 'overview';
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
        <h1>Operator</h1>
        <p class="lead">Run the planet: watch supply and activity, govern the task catalog, approve businesses.</p>
      </div>
      <${WhoAmI} ctx=${ctx} me=${me} isOperator=${isOperator} />
    </div>
    <${IdentitySettings} ctx=${ctx} />
    <${Tabs} items=${TABS} current=${tab} hrefFor=${(id) => `#/operator/${id}`} testid="operator-tabs" />
    ${body}
  </div>`;
}

function WhoAmI({ ctx, me, isOperator }) {
  if (!ctx.wallet) return html`<div class="notice warn" data-testid="operator-role">Read-only: <a href="#/wallet">import the operator's keystore</a> to make changes.</div>`;
  if (me.data === undefined) return null;
  if (isOperator) return html`<div class="notice good" data-testid="operator-role">Signed in as the operator · <span class="mono">${ctx.wallet.name}</span></div>`;
  return html`<div class="notice warn" data-testid="operator-role">Read-only: <span class="mono">${ctx.wallet.name}</span> is not the operator's key. <a href="#/wallet">Import the operator's keystore</a> (HOME/keys/operator.json).</div>`;
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
      <${Stat} label="Emitted" value=${bd2(supply.emitted_micro)} testid="op-emitted"
        hint=${pct < 0.01 ? 'under 0.01% of the cap' : `${pct.toFixed(2)}% of the cap`} />
      <${Stat} label="Cap" value=${`${compactBD(s.cap_micro)} BD`} hint=${`${formatBD(s.cap_micro)}: all there will ever be`} />
      <${Stat} label="Collected" value=${bd2(supply.collected_micro)} testid="op-collected" hint="in residents' balances and spent" />
      <${Stat} label="Rate" value=${`${formatBD(supply.rate_micro_per_second)}/s`} testid="op-rate"
        hint=${`era ${supply.era}${halvingAt && halvingAt < s.end_time ? `, halves ${formatTime(halvingAt, { seconds: false }).slice(0, 10)}` : ', the last'}`} />
      <${Stat} label="Jackpot" value=${bd2(supply.jackpot_micro)} testid="op-jackpot"
        hint=${drill ? `Lucky Drill round ${drill.round}, ${drill.entries} entries` : 'Lucky Drill'} />
      ${books ? html`<${Stat} label="Businesses hold" value=${bd2(books.purses_micro + books.escrow_micro)} testid="op-books"
        hint=${`${bd2(books.purses_micro)} in purses, ${bd2(books.escrow_micro)} in escrow`} />` : null}
    </div>
    <${Card} title="Supply against the schedule" testid="op-supply"
      subtitle=${`Never above the cap curve: the schedule releases ${formatBD(supply.rate_micro_per_second)} a second in era ${supply.era}, halving every ${formatDuration(s.halving_interval_ms)}.`}>
      <${SupplyChart} s=${s} />
    <//>
    <div class="grid grid-2">
      <${Card} title="Residents" testid="op-census" subtitle=${c ? `Census at block ${c.height}` : null}>
        ${c ? html`
          <div class="stats-row compact">
            <${Stat} label="Residents" value=${formatForce(c.residents)} testid="census-residents" />
            <${Stat} label="Active" value=${formatForce(c.active)} testid="census-active" hint="collected within 48 h" />
            <${Stat} label="Dormant" value=${formatForce(c.dormant)} testid="census-dormant" hint="no collect for 48 h" />
            <${Stat} label="Never active" value=${formatForce(c.inactive)} testid="census-inactive" />
          </div>
          <${ActivityBar} c=${c} />` : html`<p class="muted">The census is not available on this node.</p>`}
      <//>
      <${Card} title="Force distribution" testid="op-force"
        subtitle=${c ? `${formatForce(c.total_force)} Force in all; ${formatForce(c.active_force)} earning now.` : null}>
        ${c ? html`<${ForceHistogram} histogram=${c.force_histogram} />` : null}
      <//>
    </div>`;
}

function ActivityBar({ c }) {
  const total = Math.max(1, c.residents);
  const seg = (n, cls, label) => (n ? html`<span class=${`seg ${cls}`} style=${`width:${(100 * n) / total}%`} title=${`${label}: ${n}`}></span>` : null);
  return html`<div class="activity-bar" aria-label="Active, dormant and never active residents">
    ${seg(c.active, 'seg-active', 'Active')}${seg(c.dormant, 'seg-dormant', 'Dormant')}${seg(c.inactive, 'seg-inactive', 'Never active')}
  </div>
  <div class="legend"><span><i class="sw seg-active"></i>Active</span><span><i class="sw seg-dormant"></i>Dormant</span><span><i class="sw seg-inactive"></i>Never active</span></div>`;
}

// --- task catalog ----------------------------------------------------------------------------

function TasksTab({ ctx, isOperator }) {
  const tasks = useLive(() => query(ctx, 'force/tasks'), []);
  const toggle = async (task) => {
    await sendTx(ctx, [{ type: 'force/set_task_enabled', task_id: task.id, enabled: !task.enabled }]);
    toast(`${task.title}: ${task.enabled ? 'disabled' : 'enabled'}`);
    tasks.reload();
  };
  return html`<${Card} title="Task catalog" testid="op-tasks"
      subtitle="What earns Force, how much, for how long and who may grant it. A disabled task grants nothing until enabled again.">
    <${ErrorBox} error=${tasks.error} />
    ${tasks.data === undefined ? html`<${Loading} />` : html`<${Table} testid="op-task" rows=${tasks.data} rowKey=${(t) => t.id}
      columns=${[
        { key: 'title', label: 'Task', render: (t) => html`<div><strong>${t.title}</strong><div class="muted mono small">${t.id}</div></div>` },
        { key: 'category', label: 'Category' },
        { key: 'force', label: 'Force', class: 'num', render: (t) => `+${t.force}` },
        { key: 'duration_days', label: 'Lasts', render: (t) => (t.duration_days ? `${t.duration_days} days` : 'permanent') },
        { key: 'limit', label: 'Limit', render: (t) => t.limit.replace('daily:', '') + (t.limit.startsWith('daily') ? ' a day' : '') },
        { key: 'attester', label: 'Granted by' },
        { key: 'enabled', label: 'State', render: (t) => html`<span data-testid=${`op-task-state-${t.id}`}>${t.enabled ? html`<${Badge} kind="ok">enabled<//>` : html`<${Badge} kind="bad">disabled<//>`}</span>` },
        { key: 'action', label: '', render: (t) => html`<${Button} small kind=${t.enabled ? 'danger' : 'secondary'} disabled=${!isOperator}
            testid=${`op-task-toggle-${t.id}`} title=${isOperator ? '' : "Only the operator's key can change the catalog"}
            onClick=${() => toggle(t)}>${t.enabled ? 'Disable' : 'Enable'}<//>` },
      ]} />`}
  <//>`;
}

// --- businesses ------------------------------------------------------------------------------

/** Read a business's application (the JSON its console shows) into a RegisterBusiness. */
export function parseApplication(text) {
  let doc;
  try { doc = JSON.parse(text); } catch { throw new Error('The application is not JSON: paste exactly what the business console shows.'); }
  const business = doc.business || doc.address;
  const missing = ['public_key', 'encryption_key'].filter((k) => !doc[k]);
  if (!business) missing.unshift('business');
  if (missing.length) throw new Error(`The application lacks ${missing.join(', ')}.`);
  checkPublicKey(b64decode(doc.public_key, 'public_key', 32)); // a key every node would refuse
  return { business, public_key: doc.public_key, encryption_key: doc.encryption_key, name: String(doc.name || '').trim() };
}

// Strings of suspension (issue 15), Chinese first, until the app's i18n layer (issue 16).
const MESSAGES = {
  zh: {
    state: '状态', active: '正常', suspended: '已暂停', reason: '暂停原因', suspend: '暂停', lift: '恢复',
    needReason: '请写明暂停原因（会公开记录在账本上）。',
    done: (name, n) => `已暂停 ${name}；关闭了 ${n} 个数据请求并退回托管`,
    lifted: (name) => `已恢复 ${name}`,
  },
  en: {
    state: 'State', active: 'active', suspended: 'suspended', reason: 'Reason for suspending', suspend: 'Suspend', lift: 'Lift',
    needReason: 'Say why (it goes on the ledger for everyone to read).',
    done: (name, n) => `${name} suspended; ${n} data request${n === 1 ? '' : 's'} closed and refunded`,
    lifted: (name) => `${name} may trade again`,
  },
};
const T = MESSAGES[(globalThis.navigator?.language || 'zh').toLowerCase().startsWith('en') ? 'en' : 'zh'];

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
    if (!reason.trim()) throw new Error(T.needReason);
    const out = await sendTx(ctx, [{ type: 'exchange/suspend_business', business: business.address, reason: reason.trim() }]);
    const closed = (out.events || []).filter((e) => e.type === 'exchange/request_closed').length;
    toast(T.done(business.name, closed));
    setReason('');
    onDone();
  };
  const lift = async () => {
    await sendTx(ctx, [{ type: 'exchange/lift_suspension', business: business.address }]);
    toast(T.lifted(business.name));
    onDone();
  };
  if (s?.suspended) {
    return html`<div data-testid="op-business-suspension"><${Badge} kind="bad">${T.suspended}<//>
      <div class="muted small">${formatTime(s.since, { seconds: false })} · ${s.reason}</div>
      <${Button} small kind="secondary" testid="op-business-lift" disabled=${disabled} onClick=${lift}>${T.lift}<//></div>`;
  }
  return html`<span class="c-inline" data-testid="op-business-suspension"><${Badge} kind="ok">${T.active}<//>
    <input class="small-input" value=${reason} placeholder=${T.reason} aria-label=${`${T.reason}: ${business.name}`}
      data-testid="op-business-suspend-reason" disabled=${disabled} onInput=${(e) => setReason(e.currentTarget.value)} />
    <${Button} small kind="danger-ghost" testid="op-business-suspend" disabled=${disabled} onClick=${suspend}>${T.suspend}<//></span>`;
}

function BusinessesTab({ ctx, isOperator }) {
  const list = useLive(() => loadBusinesses(ctx), []);
  return html`
    <${ApproveBusiness} ctx=${ctx} isOperator=${isOperator} onDone=${() => list.reload()} />
    <${Card} title="Businesses" testid="op-businesses">
      <${ErrorBox} error=${list.error} />
      ${list.data === undefined ? html`<${Loading} />` : html`<${Table} testid="op-business" rows=${list.data} rowKey=${(b) => b.address}
        empty="No business yet: approve one above."
        columns=${[
          { key: 'name', label: 'Business', render: (b) => html`<div><strong>${b.name}</strong><div><${AddrLink} address=${b.address} /></div></div>` },
          { key: 'created_at', label: 'Approved', render: (b) => formatTime(b.created_at, { seconds: false }) },
          { key: 'purse', label: 'Purse', class: 'num', render: (b) => (b.purse ? formatBD(b.purse.balance) : '—') },
          { key: 'quota', label: 'Force quota', class: 'num', render: (b) => (b.quota ? html`<span data-testid="op-business-quota">${formatForce(b.quota.daily_force)}/day</span><div class="muted small">${formatForce(b.quota.left_today)} left today</div>` : '—') },
          { key: 'set', label: '', render: (b) => html`<${QuotaForm} ctx=${ctx} business=${b} disabled=${!isOperator} onDone=${() => list.reload()} />` },
          { key: 'suspension', label: T.state, render: (b) => html`<${SuspensionControl} ctx=${ctx} business=${b} disabled=${!isOperator} onDone=${() => list.reload()} />` },
        ]} />`}
    <//>`;
}

function ApproveBusiness({ ctx, isOperator, onDone }) {
  const [text, setText] = useState('');
  const [name, setName] = useState('');
  const [quota, setQuota] = useState('100');
  const [done, setDone] = useState(null);
  const [fileKey, setFileKey] = useState(0);
  let preview = null;
  let previewError = null;
  if (text.trim()) {
    try { preview = parseApplication(text); } catch (err) { previewError = err.message; }
  }
  const approve = async () => {
    const app = parseApplication(text);
    const finalName = (name.trim() || app.name);
    if (!finalName) throw new Error('Give the business a name.');
    const messages = [{ type: 'accounts/register_business', business: app.business, public_key: app.public_key,
      encryption_key: app.encryption_key, name: finalName }];
    if (quota.trim() && quota.trim() !== '0') {
      messages.push({ type: 'force/set_business_quota', business: app.business, daily_force: parsePositiveInt(quota, 'Daily Force quota') });
    }
    const out = await sendTx(ctx, messages);
    setDone({ name: finalName, address: app.business, hash: out.hash });
    setText(''); setName(''); setFileKey(fileKey + 1);
    toast(`${finalName} approved`);
    onDone();
  };
  return html`<${Card} title="Approve a business" testid="op-approve"
      subtitle="Load or paste the application the business's console gives. Approving registers its keys on the ledger; the quota is how much Force it may grant residents a day.">
    <div class="form">
      <${Field} label="Application file (optional)">
        <input key=${fileKey} type="file" accept=".json,application/json" data-testid="op-application-file"
          onChange=${async (e) => { const f = e.currentTarget.files?.[0]; if (f) setText(await f.text()); }} />
      <//>
      <${Field} label="Application (JSON)">
        <textarea rows="6" class="mono" data-testid="op-application" placeholder='{"type": "planet/business-application", "business": "planet1…", …}'
          value=${text} onInput=${(e) => setText(e.currentTarget.value)}></textarea>
      <//>
      ${previewError ? html`<p class="field-error">${previewError}</p>` : null}
      ${preview ? html`<p class="muted" data-testid="op-application-preview">Business <span class="mono">${preview.business}</span>${preview.name ? html` named <strong>${preview.name}</strong>` : null}</p>` : null}
      <div class="form-row">
        <${Field} label="Name" hint="Leave empty to use the name in the application.">
          <input data-testid="op-business-name" value=${name} onInput=${(e) => setName(e.currentTarget.value)} placeholder=${preview?.name || 'Coffee & Co.'} />
        <//>
        <${Field} label="Daily Force quota" hint="0 for none; change it later.">
          <input type="number" min="0" data-testid="op-business-quota-new" value=${quota} onInput=${(e) => setQuota(e.currentTarget.value)} />
        <//>
      </div>
      <div class="form-actions">
        <${Button} testid="op-approve-business" disabled=${!isOperator || !preview} onClick=${approve} busyLabel="Approving…">Approve business<//>
      </div>
      ${done ? html`<p class="notice good" data-testid="op-approved">${done.name} is a business now: <${AddrLink} address=${done.address} full=${true} /></p>` : null}
    </div>
  <//>`;
}

function QuotaForm({ ctx, business, disabled, onDone }) {
  const [value, setValue] = useState(String(business.quota?.daily_force ?? ''));
  const save = async () => {
    const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
    if (!Number.isFinite(n)) throw new Error('Daily Force quota: a whole number');
    await sendTx(ctx, [{ type: 'force/set_business_quota', business: business.address, daily_force: n }]);
    toast(`${business.name}: ${n} Force a day`);
    onDone();
  };
  return html`<span class="c-inline">
    <input type="number" min="0" class="small-input" value=${value} onInput=${(e) => setValue(e.currentTarget.value)}
      aria-label=${`Daily Force quota of ${business.name}`} disabled=${disabled} />
    <${Button} small kind="secondary" disabled=${disabled} onClick=${save}>Set<//>
  </span>`;
}

// --- invitation codes -------------------------------------------------------------------------

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

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
    const n = parsePositiveInt(count, 'How many');
    if (n > 100) throw new Error('At most 100 codes at a time.');
    const codes = await createInviteCodes(ctx, n);
    localStorage.setItem(inviteStoreKey(address), JSON.stringify([...codes, ...storedCodes(address)]));
    setFresh(codes);
    toast(`${codes.length} invitation code${codes.length === 1 ? '' : 's'} made`);
    invites.reload();
  };
  const known = address ? storedCodes(address) : [];
  const used = (invites.data || []).filter((i) => i.used || i.used_by || i.resident).length;
  return html`<${Card} title="Invitation codes for the beta" testid="op-invites"
      subtitle="Codes are made in this browser; only their SHA-256 goes on the ledger. Give each one to one person.">
    <div class="form-row">
      <${Field} label="How many"><input type="number" min="1" max="100" value=${count} data-testid="op-invite-count" onInput=${(e) => setCount(e.currentTarget.value)} /><//>
      <div class="form-actions"><${Button} testid="op-invite-create" disabled=${!isOperator} onClick=${create} busyLabel="Creating…">Create codes<//></div>
    </div>
    ${fresh.length ? html`<div class="notice good"><p>New codes — share them now:</p>
      <ul class="codes">${fresh.map((c) => html`<li><${Copyable} text=${c} testid="op-invite-code" /></li>`)}</ul></div>` : null}
    ${isOperator ? html`<p class="muted" data-testid="op-invite-summary">${plural((invites.data || []).length, 'code')} on the ledger from this key, ${used} used; ${known.length} kept in this browser.</p>` : null}
    ${known.length ? html`<details><summary>Codes kept in this browser (${known.length})</summary>
      <ul class="codes">${known.map((c) => html`<li><code>${c}</code></li>`)}</ul></details>` : null}
  <//>`;
}
