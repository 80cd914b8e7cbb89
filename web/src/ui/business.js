// The business console: the application the operator approves, the purse, attested tasks
// within the daily Force quota, records deposited to residents (sealed here to their key),
// offers and their redemptions (vouchers sealed to the resident), and data requests whose
// granted records are fetched and decrypted in this browser — the node never sees them.
import { useState } from 'preact/hooks';
import {
  html, useLive, formatBD, formatForce, formatTime, formatDuration, Card, Table, ErrorBox,
  Loading, Button, Field, Stat, Tabs, Badge, Copyable, toast, useNow,
} from './common.js';
import {
  sendTx, query, queryAll, getAccount, AddrLink, TxLink, depositRecord, readGranted,
  fulfilRedemption, walletKeys, sentMessages, BlockLink, parseBD, parsePositiveInt, DAY_MS, toZonedInput, fromZonedInput, tzOffset,
} from './explorer/kit.js';

const CATEGORIES = ['credit', 'browsing', 'shopping', 'entertainment', 'travel', 'identity', 'health',
  'location', 'social', 'other'];

// Strings of issue 15 (cohorts, consent, suspension), Chinese first, until the app's i18n
// layer (issue 16) takes them in.
const MESSAGES = {
  zh: {
    suspended: (since, reason) => `运营方已于 ${since} 暂停本商家：${reason}。暂停期间不能上架、兑换、发布数据请求、存入记录、认证任务或发放奖励；进行中的数据请求已关闭并退回托管。`,
    cohort: '每批居民数',
    cohortHint: (min) => `至少 ${min} 位；满一批前不开放任何记录、不支付任何奖励。名额须为整批。`,
    cohortCol: '已开放 / 等待中（每批）',
    depositConsent: '只能存入已允许本商家的居民的数据仓库（居民在“数据仓库”页允许或撤销）。',
  },
  en: {
    suspended: (since, reason) => `The operator suspended this business on ${since}: ${reason}. While suspended it lists no offers, takes no redemptions, posts no data requests, deposits no records, attests no tasks and pays no rewards; its open requests were closed and their escrow refunded.`,
    cohort: 'Cohort (residents)',
    cohortHint: (min) => `At least ${min}; no record opens and nothing is paid until a whole cohort accepted. Places come in whole cohorts.`,
    cohortCol: 'Opened / waiting (cohort)',
    depositConsent: 'You can deposit only into the vault of a resident who allowed your business (on their vault page, revocable).',
  },
};
const T = MESSAGES[(globalThis.navigator?.language || 'zh').toLowerCase().startsWith('en') ? 'en' : 'zh'];
const MIN_COHORT = 10; // the genesis default; the node refuses smaller cohorts with its minimum

const TABS = [
  { id: 'overview', label: 'Overview' },
  { id: 'requests', label: 'Data requests' },
  { id: 'tasks', label: 'Tasks' },
  { id: 'deposits', label: 'Deposits' },
  { id: 'offers', label: 'Offers' },
];

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
  const tab = TABS.some((t) => t.id === ctx.route.parts[1]) ? ctx.route.parts[1] : 'overview';
  let body;
  if (!ctx.wallet) {
    body = html`<${Card} title="A wallet for your business">
      <p>Your business signs with its own keys, made and kept in this browser.
        <a href="#/wallet" data-testid="business-go-wallet">Create or restore a wallet</a>, then come back here to apply.</p><//>`;
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
  else body = html`<${Overview} ctx=${ctx} me=${me.data} />`;
  const a = me.data?.account;
  return html`<div class="page business" data-testid="business-page">
    <div class="page-head">
      <div>
        <h1>${registered ? a.name : 'Business console'}</h1>
        <p class="lead">${registered
          ? html`Business <span class="mono" data-testid="business-address">${a.address}</span>`
          : 'Reward residents for their activity and pay them for data they choose to share.'}</p>
      </div>
      ${registered ? html`<div class="head-stats">
        <${Stat} label="Purse" value=${formatBD(me.data.purse.balance)} testid="business-purse" />
        ${me.data.quota ? html`<${Stat} label="Force quota today" value=${`${formatForce(me.data.quota.left_today)} / ${formatForce(me.data.quota.daily_force)}`} testid="business-quota" />` : null}
      </div>` : null}
    </div>
    ${registered && me.data.suspension?.suspended ? html`<p class="notice warn" data-testid="business-suspended">
      ${T.suspended(formatTime(me.data.suspension.since, { seconds: false }), me.data.suspension.reason)}</p>` : null}
    ${registered ? html`<${Tabs} items=${TABS} current=${tab} hrefFor=${(id) => `#/business/${id}`} testid="business-tabs" />` : null}
    ${body}
  </div>`;
}

// --- application --------------------------------------------------------------------------

function Application({ ctx, account }) {
  const [name, setName] = useState(ctx.wallet.name || '');
  const keys = walletKeys(ctx.wallet);
  const application = JSON.stringify({
    type: 'planet/business-application', business: ctx.wallet.address, name: name.trim(),
    public_key: keys.publicKey, encryption_key: keys.encryptionKey,
  }, null, 2);
  const copy = async () => {
    await navigator.clipboard.writeText(application);
    toast('Application copied');
  };
  const download = () => {
    const url = URL.createObjectURL(new Blob([application], { type: 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${(name.trim() || 'business').replace(/[^\w.-]+/g, '_')}-application.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  if (account && account.kind !== 'business') {
    return html`<${Card} title="This wallet is not a business">
      <p data-testid="business-wrong-kind">${ctx.wallet.name} is a ${account.kind} on this planet. A business needs its own wallet:
        <a href="#/wallet">create a new one</a>.</p><//>`;
  }
  return html`<${Card} title="Apply to become a business" testid="business-application"
      subtitle="The operator approves businesses. Send them this application: it holds only your public keys; your private keys never leave this browser.">
    <ol class="c-steps">
      <li>Name your business.</li>
      <li>Copy the application and send it to the operator.</li>
      <li>Once approved, this page becomes your console (it checks on every block).</li>
    </ol>
    <${Field} label="Business name">
      <input data-testid="business-name" value=${name} maxlength="80" onInput=${(e) => setName(e.currentTarget.value)} placeholder="Coffee & Co." />
    <//>
    <pre class="json" data-testid="business-application-json">${application}</pre>
    <div class="form-actions">
      <${Button} kind="secondary" testid="business-copy-application" onClick=${copy}>Copy application<//>
      <${Button} kind="ghost" testid="business-download-application" onClick=${download}>Download<//>
      <span class="muted" data-testid="business-waiting"><span class="spinner dark" aria-hidden="true"></span> Waiting for the operator's approval…</span>
    </div>
  <//>`;
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
    ${fresh ? html`<${Card} title="Getting started" testid="business-getting-started">
      <ol class="c-steps">
        <li><a href="#/business/offers">List an offer</a>: residents redeem it with diamonds, which fill your purse.</li>
        <li><a href="#/business/tasks">Attest tasks</a> or <a href="#/business/deposits">deposit records</a> for residents who did something with you: they earn Force (within your daily quota).</li>
        <li><a href="#/business/requests">Ask for data</a>: residents choose what to share; you pay each from your purse and decrypt here.</li>
      </ol>
    <//>` : null}
    <div class="grid grid-2">
      <${Card} title="Data requests" actions=${html`<a class="btn btn-ghost btn-small" href="#/business/requests">All requests</a>`}>
        ${d ? html`<p class="muted">${d.requests.total} requests in all.</p>
          <${Table} rows=${d.requests.items} empty="No data request yet." onRowClick=${(r) => ctx.navigate(`#/business/requests/${r.id}`)}
            columns=${[
              { key: 'id', label: '#', class: 'num' },
              { key: 'purpose', label: 'Purpose' },
              { key: 'accepted', label: 'Granted', class: 'num', render: (r) => `${r.accepted} / ${r.residents}` },
              { key: 'status', label: 'State', render: (r) => html`<${RequestState} r=${r} />` },
            ]} />` : html`<${Loading} />`}
      <//>
      <${Card} title="Shop" actions=${html`<a class="btn btn-ghost btn-small" href="#/business/offers">Offers</a>`}>
        ${d ? html`<p class="muted">${d.offers.total} offers; ${d.pending.total} redemptions waiting for a voucher.</p>
          <${Table} rows=${d.offers.items} empty="No offer yet."
            columns=${[
              { key: 'item', label: 'Item' },
              { key: 'price', label: 'Price', class: 'num', render: (o) => formatBD(o.price) },
              { key: 'sold', label: 'Sold', class: 'num', render: (o) => `${o.sold} / ${o.stock}` },
            ]} />` : html`<${Loading} />`}
      <//>
    </div>
    <${Card} title="Your keys" subtitle="Back them up from the wallet page: with the 24 words you restore this business anywhere.">
      <dl class="c-kv">
        <dt>Address</dt><dd><${Copyable} text=${address} /></dd>
        <dt>Encryption key</dt><dd><span class="mono">${me.account.encryption_key}</span></dd>
        <dt>Approved</dt><dd>${formatTime(me.account.created_at)}</dd>
      </dl>
    <//>`;
}

// --- data requests ---------------------------------------------------------------------------

function RequestState({ r, now }) {
  const t = now ?? Date.now();
  if (r.status !== 'open') return html`<${Badge} kind="neutral">${r.status}<//>`;
  if (r.places_left > 0) return html`<${Badge} kind="ok">open<//>`;
  if (r.accepted >= r.residents) return html`<${Badge} kind="brand">full<//>`;
  return html`<${Badge} kind="neutral">${t >= r.expires_at ? 'expired' : 'closed'}<//>`;
}

function localDate(ms) {
  return toZonedInput(ms).slice(0, 10);
}

function RequestsTab({ ctx, purse }) {
  const address = ctx.wallet.address;
  const list = useLive(() => queryAll(ctx, 'exchange/requests', { business: address }), [address]);
  return html`
    <${CreateRequest} ctx=${ctx} purse=${purse} onDone=${() => list.reload()} />
    <${Card} title="Your data requests" testid="business-requests">
      <${ErrorBox} error=${list.error} />
      ${list.data === undefined ? html`<${Loading} />` : html`<${Table} testid="business-request" rows=${list.data} rowKey=${(r) => r.id}
        empty="No data request yet." onRowClick=${(r) => ctx.navigate(`#/business/requests/${r.id}`)}
        columns=${[
          { key: 'id', label: '#', class: 'num', render: (r) => html`<a href=${`#/business/requests/${r.id}`} data-testid="business-request-link">#${r.id}</a>` },
          { key: 'purpose', label: 'Purpose' },
          { key: 'categories', label: 'Categories', render: (r) => r.categories.map((c) => html`<span class="tag">${c}</span> `) },
          { key: 'reward', label: 'Reward', class: 'num', render: (r) => formatBD(r.reward) },
          { key: 'accepted', label: 'Granted', class: 'num', render: (r) => `${r.accepted} / ${r.residents}` },
          { key: 'waiting', label: T.cohortCol, class: 'num', render: (r) => `${r.accepted} / ${r.waiting ?? 0} (${r.cohort ?? 1})` },
          { key: 'escrow', label: 'In escrow', class: 'num', render: (r) => formatBD(r.escrow) },
          { key: 'expires_at', label: 'Open until', render: (r) => formatTime(r.expires_at, { seconds: false }) },
          { key: 'status', label: 'State', render: (r) => html`<${RequestState} r=${r} />` },
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
  try { budget = parseBD(f.reward, 'Reward') * parsePositiveInt(f.residents, 'Residents'); } catch { budget = null; }
  const create = async () => {
    if (!f.categories.length) throw new Error('Choose at least one category.');
    if (!f.purpose.trim()) throw new Error('Say what the data is for: residents read it before they accept.');
    const reward = parseBD(f.reward, 'Reward');
    const residents = parsePositiveInt(f.residents, 'Residents');
    const cohort = parsePositiveInt(f.cohort, T.cohort);
    if (residents % cohort) throw new Error(T.cohortHint(MIN_COHORT));
    const start = fromZonedInput(f.periodStart, 'T00:00:00');
    const end = fromZonedInput(f.periodEnd, 'T23:59:59');
    if (start > end) throw new Error('Period: the start is after the end.');
    const expires = parsePositiveInt(f.expiresDays, 'Open for (days)');
    const access = parsePositiveInt(f.accessDays, 'Access (days)');
    const ordered = CATEGORIES.filter((c) => f.categories.includes(c));
    await sendTx(ctx, [{ type: 'exchange/create_request', categories: ordered, period_start: start, period_end: end + 999,
      purpose: f.purpose.trim(), reward, residents, cohort, expires_at: Date.now() + expires * DAY_MS, access_ms: access * DAY_MS }]);
    toast(`Request created; ${formatBD(reward * residents)} in escrow`);
    setF({ ...f, purpose: '' });
    onDone();
  };
  return html`<${Card} title="Ask residents for data" testid="business-create-request"
      subtitle="Residents see exactly which of their records a request would receive and choose. The whole budget (reward × residents) moves from your purse into escrow now; what is not paid comes back when the request ends.">
    <div class="form">
      <div class="field"><span class="field-label">Categories</span>
        <div class="choices" data-testid="request-categories">
          ${CATEGORIES.map((c) => html`<label class=${f.categories.includes(c) ? 'choice active' : 'choice'}>
            <input type="checkbox" checked=${f.categories.includes(c)} onChange=${() => toggleCat(c)} data-testid=${`request-category-${c}`} />${c}</label>`)}
        </div>
      </div>
      <${Field} label="Purpose" hint="In plain words: residents decide on this.">
        <input data-testid="request-purpose" value=${f.purpose} onInput=${set('purpose')} maxlength="200" placeholder="Route planning for our new bus line" />
      <//>
      <div class="form-row">
        <${Field} label=${`Records from (${tzOffset()})`}><input type="date" data-testid="request-period-start" value=${f.periodStart} onInput=${set('periodStart')} /><//>
        <${Field} label="to"><input type="date" data-testid="request-period-end" value=${f.periodEnd} onInput=${set('periodEnd')} /><//>
      </div>
      <div class="form-row">
        <${Field} label="Reward per resident (BD)"><input data-testid="request-reward" inputmode="decimal" value=${f.reward} onInput=${set('reward')} /><//>
        <${Field} label="Residents"><input type="number" min="1" data-testid="request-residents" value=${f.residents} onInput=${set('residents')} /><//>
        <${Field} label=${T.cohort} hint=${T.cohortHint(MIN_COHORT)}><input type="number" min="1" data-testid="request-cohort" value=${f.cohort} onInput=${set('cohort')} /><//>
        <${Field} label="Open for (days)"><input type="number" min="1" data-testid="request-expires" value=${f.expiresDays} onInput=${set('expiresDays')} /><//>
        <${Field} label="Access (days)" hint="How long each grant lets you read."><input type="number" min="1" max="365" data-testid="request-access" value=${f.accessDays} onInput=${set('accessDays')} /><//>
      </div>
      <div class="form-actions">
        <${Button} testid="request-create" onClick=${create} busyLabel="Escrowing…">Create request<//>
        <span class="muted">Budget: <strong data-testid="request-budget">${budget == null ? '—' : formatBD(budget)}</strong>${' · '}purse ${formatBD(purse?.balance ?? 0)}</span>
      </div>
      ${budget != null && purse && budget > purse.balance ? html`<p class="notice warn" data-testid="request-purse-low">
        Your purse cannot cover this budget yet. It fills when residents redeem your offers in the shop.</p>` : null}
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
    toast(`${ok} record${ok === 1 ? '' : 's'} decrypted in this browser`);
  };
  const close = async () => {
    await sendTx(ctx, [{ type: 'exchange/close_request', request: id }]);
    toast('Request closed; the rest of the escrow is back in your purse');
    data.reload();
  };
  const open = r.status === 'open' && now < r.expires_at;
  return html`
    <p><a href="#/business/requests">← All requests</a></p>
    <${Card} title=${`Request #${r.id}`} subtitle=${r.purpose} testid="business-request-detail"
      actions=${mine && open && r.escrow > 0 ? html`<${Button} kind="danger" small testid="request-close" onClick=${close}>Close early<//>` : null}>
      <dl class="c-kv">
        <dt>State</dt><dd data-testid="request-state"><${RequestState} r=${r} now=${now} /></dd>
        <dt>Categories</dt><dd>${r.categories.map((c) => html`<span class="tag">${c}</span> `)}</dd>
        <dt>Records from</dt><dd>${formatTime(r.period_start, { seconds: false })} to ${formatTime(r.period_end, { seconds: false })}</dd>
        <dt>Reward</dt><dd>${formatBD(r.reward)} to each resident</dd>
        <dt>Granted</dt><dd data-testid="request-accepted">${r.accepted} of ${r.residents} residents</dd>
        <dt>Escrow</dt><dd>${formatBD(r.escrowed)} escrowed · ${formatBD(r.paid)} paid · ${formatBD(r.escrow)} left${r.refunded ? ` · ${formatBD(r.refunded)} refunded` : ''}</dd>
        <dt>Open until</dt><dd>${formatTime(r.expires_at)}${open ? html` <span class="muted">(${formatDuration(r.expires_at - now)} left)</span>` : null}</dd>
        <dt>Access</dt><dd>${formatDuration(r.access_ms)} from each grant</dd>
      </dl>
    <//>
    <${Card} title=${`Grants (${grants.length})`} testid="business-grants"
      subtitle="Each grant carries the record keys the resident resealed to you. Decrypting happens here, in this browser."
      actions=${mine && grants.length ? html`<${Button} testid="request-fetch" onClick=${fetchAll} busyLabel="Decrypting…">Fetch and decrypt<//>` : null}>
      <${Table} testid="business-grant" rows=${grants} rowKey=${(g) => g.resident} empty="No resident has accepted yet."
        columns=${[
          { key: 'resident', label: 'Resident', render: (g) => html`<${AddrLink} address=${g.resident} />` },
          { key: 'records', label: 'Records', class: 'num', render: (g) => `${g.records.filter((x) => x.live).length} / ${g.records.length}` },
          { key: 'granted_at', label: 'Granted', render: (g) => formatTime(g.granted_at, { seconds: false }) },
          { key: 'access_until', label: 'Access until', render: (g) => formatTime(g.access_until, { seconds: false }) },
          { key: 'state', label: 'State', render: (g) => html`<${Badge} kind=${g.state === 'active' ? 'ok' : 'neutral'}>${g.state}<//>` },
        ]} />
    <//>
    ${opened ? html`<${Card} title="Granted records, decrypted" testid="business-granted">
      <${Table} testid="granted" rows=${opened} rowKey=${(x) => x.digest} empty="Nothing is shared on this request now."
        columns=${[
          { key: 'resident', label: 'Resident', render: (x) => html`<${AddrLink} address=${x.resident} />` },
          { key: 'category', label: 'Category', render: (x) => (x.category ? html`<span class="tag">${x.category}</span>` : '—') },
          { key: 'time', label: 'Time', render: (x) => (x.time ? formatTime(x.time, { seconds: false }) : '—') },
          { key: 'text', label: 'Content', render: (x) => (x.text != null
            ? html`<span class="c-plaintext" data-testid="granted-plaintext">${x.text}</span>`
            : html`<span class="muted" data-testid="granted-unavailable">${x.error}</span>`) },
        ]} />
    <//>` : null}`;
}

// --- tasks and attestations --------------------------------------------------------------------

function TasksTab({ ctx, quota }) {
  const tasks = useLive(() => query(ctx, 'force/tasks'), []);
  const [task, setTask] = useState('');
  const [residents, setResidents] = useState('');
  const [last, setLast] = useState(null);
  const mineList = (tasks.data || []).filter((t) => t.attester === 'business');
  const chosen = task || mineList.find((t) => t.enabled)?.id || '';
  const attest = async () => {
    const list = [...new Set(residents.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean))];
    if (!chosen) throw new Error('Choose a task.');
    if (!list.length) throw new Error('List at least one resident address.');
    const out = await sendTx(ctx, [{ type: 'force/attest_tasks', task_id: chosen, residents: list }]);
    setLast({ count: list.length, hash: out.hash, task: chosen });
    setResidents('');
    toast(`${list.length} resident${list.length === 1 ? '' : 's'} credited`);
  };
  const t = mineList.find((x) => x.id === chosen);
  return html`
    <${Card} title="Attest tasks" testid="business-attest"
      subtitle="Credit residents who completed one of your tasks with you. Each costs its Force from your daily quota.">
      <div class="form">
        <div class="form-row">
          <${Field} label="Task">
            <select data-testid="attest-task" value=${chosen} onChange=${(e) => setTask(e.currentTarget.value)}>
              ${mineList.map((x) => html`<option value=${x.id} disabled=${!x.enabled}>${x.title} (+${x.force})${x.enabled ? '' : ' — disabled'}</option>`)}
            </select>
          <//>
        </div>
        <${Field} label="Residents" hint="Addresses, one per line or separated by commas.">
          <textarea rows="4" class="mono" data-testid="attest-residents" value=${residents} onInput=${(e) => setResidents(e.currentTarget.value)} placeholder="planet1…"></textarea>
        <//>
        <div class="form-actions">
          <${Button} testid="attest-submit" onClick=${attest} busyLabel="Attesting…">Attest${t ? ` +${t.force} Force each` : ''}<//>
          <span class="muted">Quota left today: <strong data-testid="attest-quota">${quota ? `${formatForce(quota.left_today)} of ${formatForce(quota.daily_force)} Force` : '—'}</strong></span>
          ${last ? html`<span class="muted" data-testid="attest-done">${last.count} credited for ${last.task} · <${TxLink} hash=${last.hash} /></span>` : null}
        </div>
      </div>
    <//>
    <${Attestations} ctx=${ctx} />
    <${Card} title="Tasks businesses may attest">
      <${ErrorBox} error=${tasks.error} />
      <${Table} rows=${mineList} rowKey=${(x) => x.id} empty="No task in the catalog is attested by businesses."
        columns=${[
          { key: 'title', label: 'Task', render: (x) => html`<strong>${x.title}</strong> <span class="muted mono small">${x.id}</span>` },
          { key: 'force', label: 'Force', class: 'num', render: (x) => `+${x.force}` },
          { key: 'duration_days', label: 'Lasts', render: (x) => (x.duration_days ? `${x.duration_days} days` : 'permanent') },
          { key: 'limit', label: 'Per resident', render: (x) => x.limit.replace('daily:', '') + (x.limit.startsWith('daily') ? ' a day' : '') },
          { key: 'enabled', label: 'State', render: (x) => (x.enabled ? html`<${Badge} kind="ok">enabled<//>` : html`<${Badge} kind="bad">disabled<//>`) },
        ]} />
    <//>`;
}

function Attestations({ ctx }) {
  const address = ctx.wallet.address;
  const sent = useLive(() => sentMessages(ctx, address, 'force/attest_tasks'), [address]);
  const rows = (sent.data || []).filter((d) => !d.code);
  return html`<${Card} title="Recent attestations" testid="business-attestations">
    <${ErrorBox} error=${sent.error} />
    <${Table} testid="attestation" rows=${rows} rowKey=${(d) => d.hash} empty="No attestation yet."
      columns=${[
        { key: 'task', label: 'Task', render: (d) => d.msg.task_id },
        { key: 'residents', label: 'Residents', render: (d) => html`${d.msg.residents.slice(0, 3).map((a) => html`<${AddrLink} address=${a} /> `)}${d.msg.residents.length > 3 ? html`<span class="muted">+${d.msg.residents.length - 3} more</span>` : null}` },
        { key: 'count', label: 'Credited', class: 'num', render: (d) => d.msg.residents.length },
        { key: 'height', label: 'Block', render: (d) => html`<${BlockLink} height=${d.height} />` },
        { key: 'hash', label: 'Tx', render: (d) => html`<${TxLink} hash=${d.hash} />` },
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
    if (!owner) throw new Error('Whose record is it? Give the resident\'s address.');
    if (!f.text.trim()) throw new Error('Write the record.');
    await depositRecord(ctx, { owner, category: f.category, text: f.text, task: f.task, timeMs: Date.now() });
    setF({ ...f, text: '' });
    toast('Record sealed to the resident and deposited');
    data.reload();
  };
  const attestable = (data.data?.tasks || []).filter((t) => t.attester === 'business' && t.enabled);
  const done = (data.data?.sent || []).filter((d) => !d.code);
  return html`
    <${Card} title="Deposit a record to a resident" testid="business-deposit"
      subtitle="A record of what a resident did with you, sealed in this browser to their encryption key: only they can open it, and it is theirs to share or erase. Optionally it also completes one of your tasks.">
      <p class="muted small" data-testid="deposit-consent">${T.depositConsent}</p>
      <div class="form">
        <${Field} label="Resident"><input class="mono" data-testid="deposit-owner" value=${f.owner} onInput=${set('owner')} placeholder="planet1…" /><//>
        <div class="form-row">
          <${Field} label="Category">
            <select data-testid="deposit-category" value=${f.category} onChange=${set('category')}>${CATEGORIES.map((c) => html`<option value=${c}>${c}</option>`)}</select>
          <//>
          <${Field} label="Task (optional)">
            <select data-testid="deposit-task" value=${f.task} onChange=${set('task')}>
              <option value="">none</option>
              ${attestable.map((t) => html`<option value=${t.id}>${t.title} (+${t.force})</option>`)}
            </select>
          <//>
        </div>
        <${Field} label="Record"><textarea rows="3" data-testid="deposit-text" value=${f.text} onInput=${set('text')} placeholder="Bought 2 coffees at the Nanjing Road shop"></textarea><//>
        <div class="form-actions"><${Button} testid="deposit-submit" onClick=${deposit} busyLabel="Sealing…">Seal and deposit<//></div>
      </div>
    <//>
    <${Card} title="Your deposits" subtitle="The ledger keeps only each record's digest; the content is sealed to its resident.">
      <${ErrorBox} error=${data.error} />
      <${Table} testid="deposit" rows=${done} rowKey=${(d) => d.msg.digest} empty="No deposit yet."
        columns=${[
          { key: 'owner', label: 'Resident', render: (d) => html`<${AddrLink} address=${d.msg.owner} />` },
          { key: 'category', label: 'Category', render: (d) => html`<span class="tag">${d.msg.category}</span>` },
          { key: 'time', label: 'Time', render: (d) => formatTime(d.msg.time, { seconds: false }) },
          { key: 'task', label: 'Task', render: (d) => d.msg.task || '—' },
          { key: 'digest', label: 'Record', render: (d) => html`<a class="mono" href=${`#/explorer/tx/${d.msg.digest}`}>${d.msg.digest.slice(0, 12)}…</a>` },
          { key: 'height', label: 'Block', render: (d) => html`<${BlockLink} height=${d.height} />` },
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
    <${ErrorBox} error=${data.error} />
    <${Card} title="Your offers" testid="business-offers">
      ${d ? html`<${Table} testid="business-offer" rows=${d.offers} rowKey=${(o) => o.id} empty="No offer yet."
        columns=${[
          { key: 'id', label: '#', class: 'num' },
          { key: 'item', label: 'Item', render: (o) => html`<strong>${o.item}</strong>` },
          { key: 'price', label: 'Price', class: 'num', render: (o) => formatBD(o.price) },
          { key: 'stock', label: 'Sold / stock', class: 'num', render: (o) => html`<span data-testid="offer-sold">${o.sold} / ${o.stock}</span>` },
          { key: 'window', label: 'On sale', render: (o) => html`${formatTime(o.starts_at, { seconds: false })} → ${formatTime(o.ends_at, { seconds: false })}` },
          { key: 'gate', label: 'Needs', render: (o) => html`${o.min_force ? `${o.min_force} Force` : 'anyone'}${o.daily_limit ? ` · ${o.daily_limit}/day` : ''}` },
          { key: 'on_sale', label: 'State', render: (o) => (o.on_sale ? html`<${Badge} kind="ok">on sale<//>` : html`<${Badge} kind="neutral">${o.left ? 'not on sale' : 'sold out'}<//>`) },
        ]} />` : html`<${Loading} />`}
    <//>
    <${Redemptions} ctx=${ctx} rows=${d?.redemptions} onDone=${() => data.reload()} />`;
}

function Redemptions({ ctx, rows, onDone }) {
  const [showAll, setShowAll] = useState(false);
  if (!rows) return html`<${Card} title="Redemptions"><${Loading} /><//>`;
  const pending = rows.filter((x) => x.status === 'pending');
  const settled = rows.filter((x) => x.status !== 'pending');
  const shown = showAll ? settled : settled.slice(0, 10);
  const cols = [
    { key: 'id', label: '#', class: 'num' },
    { key: 'item', label: 'Item' },
    { key: 'resident', label: 'Resident', render: (x) => html`<${AddrLink} address=${x.resident} />` },
    { key: 'price', label: 'Paid', class: 'num', render: (x) => formatBD(x.price) },
    { key: 'redeemed_at', label: 'When', render: (x) => formatTime(x.redeemed_at, { seconds: false }) },
    { key: 'status', label: 'State', render: (x) => html`<${Badge} kind=${x.status === 'pending' ? 'warn' : x.status === 'fulfilled' ? 'ok' : 'neutral'}>${x.status}<//>` },
  ];
  return html`<${Card} title=${`Redemptions waiting for a voucher (${pending.length})`} testid="business-redemptions"
      subtitle="Deliver each with a voucher (a code or a link), sealed here to the resident — or refund it if you cannot.">
    <${Table} testid="business-redemption" rows=${pending} rowKey=${(x) => x.id} empty="Nothing to deliver."
      columns=${[...cols, { key: 'act', label: '', render: (x) => html`<${Fulfil} ctx=${ctx} redemption=${x} onDone=${onDone} />` }]} />
    ${settled.length ? html`<h3 class="c-subhead">Delivered and refunded (${settled.length})</h3>
      <${Table} testid="business-settled" rows=${shown} rowKey=${(x) => x.id} columns=${cols} />
      ${settled.length > shown.length ? html`<p class="pager"><button type="button" class="link-btn" onClick=${() => setShowAll(true)}>Show all ${settled.length}</button></p>` : null}` : null}
  <//>`;
}

function CreateOffer({ ctx, onDone }) {
  const now = Date.now();
  const [f, setF] = useState({ item: '', price: '2', stock: '50', starts: toZonedInput(now), ends: toZonedInput(now + 30 * DAY_MS), minForce: '0', dailyLimit: '0' });
  const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });
  const create = async () => {
    if (!f.item.trim()) throw new Error('Name the item.');
    const startsAt = fromZonedInput(f.starts);
    const endsAt = fromZonedInput(f.ends);
    const toInt = (v, name) => { if (!/^\d+$/.test(String(v).trim())) throw new Error(`${name}: a whole number`); return Number(v); };
    await sendTx(ctx, [{ type: 'exchange/create_offer', item: f.item.trim(), price: parseBD(f.price, 'Price'),
      stock: parsePositiveInt(f.stock, 'Stock'), starts_at: startsAt, ends_at: endsAt,
      min_force: toInt(f.minForce, 'Minimum Force'), daily_limit: toInt(f.dailyLimit, 'Daily limit') }]);
    toast(`${f.item.trim()} is listed`);
    setF({ ...f, item: '' });
    onDone();
  };
  return html`<${Card} title="New offer" testid="business-create-offer"
      subtitle="Residents redeem with diamonds; the price goes into your purse, which funds your data requests.">
    <div class="form">
      <div class="form-row">
        <${Field} label="Item"><input data-testid="offer-item" value=${f.item} maxlength="80" onInput=${set('item')} placeholder="Coffee" /><//>
        <${Field} label="Price (BD)"><input data-testid="offer-price" inputmode="decimal" value=${f.price} onInput=${set('price')} /><//>
        <${Field} label="Stock"><input type="number" min="1" data-testid="offer-stock" value=${f.stock} onInput=${set('stock')} /><//>
      </div>
      <div class="form-row">
        <${Field} label=${`On sale from (${tzOffset()})`}><input type="datetime-local" data-testid="offer-starts" value=${f.starts} onInput=${set('starts')} /><//>
        <${Field} label="until"><input type="datetime-local" data-testid="offer-ends" value=${f.ends} onInput=${set('ends')} /><//>
        <${Field} label="Minimum Force"><input type="number" min="0" data-testid="offer-min-force" value=${f.minForce} onInput=${set('minForce')} /><//>
        <${Field} label="Per resident a day" hint="0: no limit"><input type="number" min="0" data-testid="offer-daily-limit" value=${f.dailyLimit} onInput=${set('dailyLimit')} /><//>
      </div>
      <div class="form-actions"><${Button} testid="offer-create" onClick=${create} busyLabel="Listing…">List offer<//></div>
    </div>
  <//>`;
}

function Fulfil({ ctx, redemption, onDone }) {
  const [voucher, setVoucher] = useState('');
  const fulfil = async () => {
    if (!voucher.trim()) throw new Error('Write the voucher (a code or a link).');
    await fulfilRedemption(ctx, redemption, voucher.trim());
    toast(`Voucher sealed to the resident for redemption #${redemption.id}`);
    onDone();
  };
  const refund = async () => {
    await sendTx(ctx, [{ type: 'exchange/refund', redemption: redemption.id }]);
    toast(`Redemption #${redemption.id} refunded`);
    onDone();
  };
  return html`<span class="c-inline">
    <input placeholder="Voucher code" value=${voucher} onInput=${(e) => setVoucher(e.currentTarget.value)} data-testid="fulfil-voucher" aria-label="Voucher" />
    <${Button} small testid="fulfil-submit" onClick=${fulfil}>Deliver<//>
    <${Button} small kind="ghost" testid="refund-submit" onClick=${refund}>Refund<//>
  </span>`;
}
