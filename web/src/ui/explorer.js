// The explorer: anyone reads the public ledger — latest blocks (live), a block and its
// transactions, a transaction with its messages, result and events, an account — and finds
// any of them from one search box (a height, a transaction hash or an address).
import { useState } from 'preact/hooks';
import {
  html, useLive, formatBD, formatForce, formatTime, Card, Table, ErrorBox, Loading, Badge,
  Copyable, currentHeight,
} from './common.js';
import {
  getJson, query, getAccount, AddrLink, BlockLink, TxLink, JsonView, Facts, shortHash,
} from './explorer/kit.js';

const PAGE = 20;

export function ExplorerPage({ ctx }) {
  const [, kind, arg] = ctx.route.parts;
  let body;
  if (kind === 'block' && arg) body = html`<${BlockView} ctx=${ctx} height=${arg} />`;
  else if (kind === 'tx' && arg) body = html`<${TxView} ctx=${ctx} hash=${arg} />`;
  else if (kind === 'account' && arg) body = html`<${AccountView} ctx=${ctx} address=${arg} />`;
  else body = html`<${Home} ctx=${ctx} before=${ctx.route.query?.before} />`;
  return html`<div class="page explorer" data-testid="explorer-page">
    <div class="page-head">
      <div>
        <h1><a href="#/explorer" class="plain">Explorer</a></h1>
        <p class="lead">Every block, transaction and account of this planet, as the ledger holds it.</p>
      </div>
      <${Search} key=${ctx.route.hash} ctx=${ctx} />
    </div>
    ${body}
  </div>`;
}

/** Where a search term leads: a height, a 64-hex transaction hash, or an address. */
export function searchTarget(term) {
  const t = term.trim();
  if (/^#?\d+$/.test(t)) return `#/explorer/block/${t.replace('#', '')}`;
  if (/^[0-9a-fA-F]{64}$/.test(t)) return `#/explorer/tx/${t.toLowerCase()}`;
  if (/^planet1[02-9ac-hj-np-z]{20,}$/.test(t.toLowerCase())) return `#/explorer/account/${t.toLowerCase()}`;
  return null;
}

function Search({ ctx }) {
  const [term, setTerm] = useState('');
  const [error, setError] = useState('');
  const go = (e) => {
    e.preventDefault();
    const target = searchTarget(term);
    if (!target) { setError('Type a block height, a transaction hash (64 hex) or an address (planet1…).'); return; }
    setError('');
    ctx.navigate(target);
  };
  return html`<form class="search" onSubmit=${go} role="search">
    <input type="search" placeholder="Height, tx hash or address" value=${term}
      onInput=${(e) => setTerm(e.currentTarget.value)} data-testid="explorer-search"
      aria-label="Search the ledger" />
    <button type="submit" class="btn btn-primary" data-testid="explorer-search-go">Search</button>
    ${error ? html`<div class="field-error" data-testid="explorer-search-error">${error}</div>` : null}
  </form>`;
}

function Home({ ctx, before }) {
  const status = useLive(() => ctx.api.status(), []);
  const blocks = useLive(() => {
    return getJson(ctx, '/blocks', before ? { limit: PAGE, before } : { limit: PAGE });
  }, [before]);
  const s = status.data;
  const rows = blocks.data || [];
  const oldest = rows.length ? rows[rows.length - 1].height : null;
  return html`
    <div class="stats-row">
      <div class="stat"><div class="stat-label">Height</div><div class="stat-value" data-testid="explorer-height">${s ? s.height.toLocaleString('en-US') : '…'}</div></div>
      <div class="stat"><div class="stat-label">Chain</div><div class="stat-value small">${s?.chain_id ?? '…'}</div></div>
      <div class="stat"><div class="stat-label">Last block</div><div class="stat-value small">${s ? formatTime(s.time) : '…'}</div></div>
      <div class="stat"><div class="stat-label">Mempool</div><div class="stat-value">${s?.mempool ?? '…'}</div></div>
    </div>
    ${before ? null : html`<${RecentTxs} ctx=${ctx} />`}
    <${Card} title=${before ? `Blocks before #${before}` : 'Latest blocks'} subtitle=${before ? null : 'Updates live as blocks are made.'}
      actions=${before ? html`<a href="#/explorer" class="btn btn-ghost btn-small">Latest</a>` : null}>
      <${ErrorBox} error=${blocks.error} />
      ${blocks.data === undefined ? html`<${Loading} />` : html`<${Table} testid="explorer-blocks" rows=${rows}
        rowKey=${(b) => b.height} onRowClick=${(b) => ctx.navigate(`#/explorer/block/${b.height}`)}
        empty="No blocks yet."
        columns=${[
          { key: 'height', label: 'Height', render: (b) => html`<${BlockLink} height=${b.height} />` },
          { key: 'time', label: 'Time', render: (b) => formatTime(b.time) },
          { key: 'tx_count', label: 'Txs', class: 'num', render: (b) => b.tx_count ? html`<strong>${b.tx_count}</strong>` : html`<span class="muted">0</span>` },
          { key: 'hash', label: 'Hash', render: (b) => html`<span class="mono muted">${shortHash(b.hash)}</span>` },
          { key: 'app_hash', label: 'App hash', render: (b) => html`<span class="mono muted">${shortHash(b.app_hash)}</span>` },
        ]} />`}
      ${oldest > 1 ? html`<p class="pager"><a href=${`#/explorer?before=${oldest}`} data-testid="explorer-older">Older blocks →</a></p>` : null}
    <//>`;
}

/** The latest transactions: the newest blocks that hold any (looking back 300 blocks). */
async function loadRecentTxs(ctx, want = 10) {
  const withTxs = [];
  let before;
  for (let page = 0; page < 3 && withTxs.length < 5; page += 1) {
    const blocks = await getJson(ctx, '/blocks', before ? { limit: 100, before } : { limit: 100 });
    if (!blocks.length) break;
    withTxs.push(...blocks.filter((b) => b.tx_count > 0));
    before = blocks[blocks.length - 1].height;
    if (before <= 1) break;
  }
  const out = [];
  for (const b of withTxs.slice(0, 5)) {
    const full = await getJson(ctx, `/blocks/${b.height}`);
    for (const t of [...(full.txs || [])].reverse()) out.push({ ...t, time: full.time });
    if (out.length >= want) break;
  }
  return out.slice(0, want);
}

function RecentTxs({ ctx }) {
  const txs = useLive(() => loadRecentTxs(ctx), []);
  if (txs.data === undefined && !txs.error) return null;
  return html`<${Card} title="Latest transactions" testid="explorer-recent">
    <${ErrorBox} error=${txs.error} />
    <${Table} testid="explorer-recent-tx" rows=${txs.data || []} rowKey=${(t) => t.hash}
      empty="No transaction in the last 300 blocks." onRowClick=${(t) => ctx.navigate(`#/explorer/tx/${t.hash}`)}
      columns=${[
        { key: 'hash', label: 'Hash', render: (t) => html`<${TxLink} hash=${t.hash} />` },
        { key: 'types', label: 'Messages', render: (t) => html`<${MsgTypes} msgs=${t.tx?.body?.messages} />` },
        { key: 'sender', label: 'Sender', render: (t) => html`<${AddrLink} address=${t.tx?.body?.sender} />` },
        { key: 'height', label: 'Block', render: (t) => html`<${BlockLink} height=${t.height} />` },
        { key: 'time', label: 'Time', render: (t) => formatTime(t.time) },
        { key: 'code', label: 'Result', render: (t) => html`<${CodeBadge} code=${t.code ?? t.result?.code} />` },
      ]} />
  <//>`;
}

function BlockView({ ctx, height }) {
  const block = useLive(() => getJson(ctx, `/blocks/${encodeURIComponent(height)}`, undefined, { allow404: true }), [height]);
  if (block.error) return html`<${ErrorBox} error=${block.error} />`;
  if (block.data === undefined) return html`<${Loading} />`;
  const b = block.data;
  if (b === null) return html`<${Card} title=${`Block #${height}`}><p class="empty" data-testid="explorer-not-found">No block at height ${height} yet.</p><//>`;
  const h = Number(b.height);
  return html`
    <${Card} title=${`Block #${h.toLocaleString('en-US')}`} testid="explorer-block"
      actions=${html`<span class="pager-inline">
        ${h > 1 ? html`<a class="btn btn-ghost btn-small" href=${`#/explorer/block/${h - 1}`}>← #${h - 1}</a>` : null}
        ${h < currentHeight() ? html`<a class="btn btn-ghost btn-small" href=${`#/explorer/block/${h + 1}`}>#${h + 1} →</a>` : null}</span>`}>
      <${Facts} items=${[
        ['Height', html`<span data-testid="block-height">${h}</span>`],
        ['Time', formatTime(b.time)],
        ['Hash', html`<${Copyable} text=${b.hash} />`],
        ['Previous', h > 1 ? html`<a class="mono" href=${`#/explorer/block/${h - 1}`}>${b.prev_hash}</a>` : html`<span class="mono muted">${b.prev_hash}</span>`],
        ['App hash', html`<span class="mono">${b.app_hash}</span>`],
        ['Tx root', html`<span class="mono">${b.tx_root}</span>`],
        ['Transactions', html`<span data-testid="block-tx-count">${b.tx_count}</span>`],
        ['Proposer', b.proposer],
      ]} />
    <//>
    <${Card} title="Transactions">
      <${Table} testid="block-txs" rows=${b.txs || []} rowKey=${(t) => t.hash} empty="No transactions in this block."
        onRowClick=${(t) => ctx.navigate(`#/explorer/tx/${t.hash}`)}
        columns=${[
          { key: 'index', label: '#', class: 'num' },
          { key: 'hash', label: 'Hash', render: (t) => html`<${TxLink} hash=${t.hash} />` },
          { key: 'sender', label: 'Sender', render: (t) => html`<${AddrLink} address=${t.tx?.body?.sender} />` },
          { key: 'types', label: 'Messages', render: (t) => html`<${MsgTypes} msgs=${t.tx?.body?.messages} />` },
          { key: 'code', label: 'Result', render: (t) => html`<${CodeBadge} code=${t.code ?? t.result?.code} />` },
        ]} />
    <//>`;
}

function MsgTypes({ msgs }) {
  if (!msgs) return html`<span class="muted">—</span>`;
  const counts = new Map();
  for (const m of msgs) counts.set(m.type, (counts.get(m.type) || 0) + 1);
  return html`<span class="msg-types">${[...counts].map(([t, n]) => html`<code class="tag">${t}${n > 1 ? ` ×${n}` : ''}</code> `)}</span>`;
}

function CodeBadge({ code }) {
  return code ? html`<${Badge} kind="bad">failed (${code})<//>` : html`<${Badge} kind="ok">ok<//>`;
}

/** A 64-hex term is a transaction hash or, failing that, a vault record's digest. */
async function loadTxOrRecord(ctx, hash) {
  const tx = await getJson(ctx, `/txs/${encodeURIComponent(hash)}`, undefined, { allow404: true });
  if (tx) return { tx };
  const record = await query(ctx, 'vault/record', { digest: hash }).catch(() => null);
  return { tx: null, record };
}

function RecordView({ r }) {
  return html`<${Card} title="Vault record" testid="explorer-record"
      subtitle="The ledger holds only this commitment; the content is ciphertext only its owner (and businesses they grant) can open.">
    <${Facts} items=${[
      ['Digest', html`<span class="mono">${r.digest}</span>`],
      ['Owner', html`<${AddrLink} address=${r.owner} full=${true} />`],
      ['Source', r.source === r.owner ? 'added by its owner' : html`deposited by <${AddrLink} address=${r.source} full=${true} />`],
      ['Category', html`<span class="tag">${r.category}</span>`],
      ['Time', formatTime(r.time)],
      ['Committed', formatTime(r.added_at)],
      ['Size', `${r.size.toLocaleString('en-US')} bytes of ciphertext`],
      ['State', r.erased_at ? html`<${Badge} kind="bad">erased ${formatTime(r.erased_at)}<//>` : html`<${Badge} kind="ok">live<//>`],
    ]} />
  <//>`;
}

function TxView({ ctx, hash }) {
  const res = useLive(() => loadTxOrRecord(ctx, hash), [hash]);
  if (res.error) return html`<${ErrorBox} error=${res.error} />`;
  if (res.data === undefined) return html`<${Loading} />`;
  const t = res.data.tx;
  if (!t && res.data.record) return html`<${RecordView} r=${res.data.record} />`;
  if (!t) return html`<${Card} title="Transaction"><p class="empty" data-testid="explorer-not-found">No committed transaction or record ${hash}.</p><//>`;
  const body = t.tx?.body || {};
  const result = t.result || {};
  const events = result.events || [];
  return html`
    <${Card} title="Transaction" testid="explorer-tx">
      <${Facts} items=${[
        ['Hash', html`<span data-testid="tx-hash"><${Copyable} text=${t.hash} /></span>`],
        ['Result', html`<span data-testid="tx-result"><${CodeBadge} code=${t.code ?? result.code} /></span>`],
        (t.code ?? result.code) ? ['Refusal', html`<span class="bad-text">${result.error ? `${result.error}: ` : ''}${result.log || result.message || ''}</span>`] : null,
        ['Block', html`<span data-testid="tx-height"><${BlockLink} height=${t.height} /></span>`],
        ['Index in block', t.index],
        ['Sender', html`<${AddrLink} address=${body.sender} full=${true} testid="tx-sender" />`],
        ['Sequence', body.sequence],
        ['Chain', body.chain_id],
        ['Public key', html`<span class="mono">${t.tx?.public_key}</span>`],
      ]} />
    <//>
    <${Card} title=${`Messages (${(body.messages || []).length})`}>
      ${(body.messages || []).map((m, i) => html`<div class="msg" data-testid="tx-message">
        <div class="msg-head"><span class="muted">${i + 1}.</span> <code class="tag">${m.type}</code></div>
        <${MsgFields} msg=${m} />
      </div>`)}
    <//>
    <${Card} title=${`Events (${events.length})`}>
      <${Table} testid="tx-events" rows=${events} empty="No events."
        columns=${[
          { key: 'type', label: 'Event', render: (e) => html`<code class="tag">${e.type}</code>` },
          { key: 'attributes', label: 'Attributes', render: (e) => html`<${Attrs} attrs=${e.attributes} />` },
        ]} />
    <//>
    <details class="raw"><summary>Raw transaction</summary><${JsonView} value=${t} /></details>`;
}

/** A message's fields, with addresses linked and long values kept on one line. */
function MsgFields({ msg }) {
  const rows = Object.entries(msg).filter(([k]) => k !== 'type');
  if (!rows.length) return null;
  return html`<dl class="c-kv compact">${rows.map(([k, v]) => html`<dt>${k}</dt><dd>${renderValue(v, k)}</dd>`)}</dl>`;
}

function Attrs({ attrs }) {
  const rows = Object.entries(attrs || {});
  if (!rows.length) return html`<span class="muted">—</span>`;
  return html`<dl class="c-kv compact">${rows.map(([k, v]) => html`<dt>${k}</dt><dd>${renderValue(v, k)}</dd>`)}</dl>`;
}

/** Block times are ms since the epoch: fields named *_at, time or *_until read as dates. */
function isTimeField(key, v) {
  return typeof v === 'number' && v > 1e12 && /(_at|^time|_until|_start|_end)$/.test(key || '');
}

/** Amounts are integers of µBD: fields named paid, reward, price, balance, amount, *_micro. */
function isMicroField(key, v) {
  return typeof v === 'number' && /^(paid|reward|price|balance|amount|refund|refunded|escrow)$|_micro$/.test(key || '');
}

function renderValue(v, key) {
  if (isMicroField(key, v)) return html`<span>${formatBD(v, { precise: true })} <span class="muted mono small">${v} µBD</span></span>`;
  if (isTimeField(key, v)) return html`<span>${formatTime(v)} <span class="muted mono small">${v}</span></span>`;
  if (typeof v === 'string' && /^planet1[02-9ac-hj-np-z]{20,}$/.test(v)) return html`<${AddrLink} address=${v} full=${true} />`;
  if (typeof v === 'string' && /^(digest|records)$/.test(key || '') && /^[0-9a-f]{64}$/.test(v)) {
    return html`<a class="mono" href=${`#/explorer/tx/${v}`} data-testid="record-link">${v}</a>`;
  }
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x !== 'object')) return html`<span class="wrap">${v.map((x, i) => html`${i ? ', ' : ''}${renderValue(x, key)}`)}</span>`;
    return html`<${JsonView} value=${v} />`;
  }
  if (v && typeof v === 'object') return html`<${JsonView} value=${v} />`;
  if (typeof v === 'string' && v.length > 80) return html`<span class="mono wrap">${v}</span>`;
  return html`<span class="mono">${String(v)}</span>`;
}

const ACCOUNT_TXS = 25;

async function loadAccount(ctx, address, offset) {
  const account = await getAccount(ctx, address);
  if (!account) return { account: null };
  const soft = (p) => p.catch(() => null);
  const isResident = account.kind === 'resident';
  const [holder, force, purse, history] = await Promise.all([
    isResident ? soft(query(ctx, 'emission/holder', { address })) : null,
    isResident ? soft(query(ctx, 'force/force', { address })) : null,
    account.kind === 'business' ? soft(query(ctx, 'exchange/purse', { business: address })) : null,
    soft(getJson(ctx, `/accounts/${address}/txs`, { limit: ACCOUNT_TXS, offset })),
  ]);
  return { account, holder, force, purse, history };
}

function AccountView({ ctx, address }) {
  const [offset, setOffset] = useState(0);
  const res = useLive(() => loadAccount(ctx, address, offset), [address, offset]);
  if (res.error) return html`<${ErrorBox} error=${res.error} />`;
  if (res.data === undefined) return html`<${Loading} />`;
  const { account: a, holder, force, purse, history } = res.data;
  if (!a) return html`<${Card} title="Account"><p class="empty" data-testid="explorer-not-found">${address} has no account on this chain.</p><//>`;
  const txs = history ? (Array.isArray(history) ? history : history.items || history.txs || []) : null;
  return html`
    <${Card} title=${a.name || 'Account'} subtitle=${html`<span class="mono">${a.address}</span>`} testid="explorer-account">
      <${Facts} items=${[
        ['Kind', html`<span data-testid="account-kind"><${Badge} kind="brand">${a.kind}<//></span>`],
        ['Address', html`<${Copyable} text=${a.address} />`],
        ['Sequence', html`<span data-testid="account-sequence">${a.sequence}</span>`],
        ['Created', html`${formatTime(a.created_at)} · block <${BlockLink} height=${a.created_height} />`],
        a.inviter ? ['Invited by', html`<${AddrLink} address=${a.inviter} full=${true} />`] : null,
        a.kind === 'resident' ? ['Identity', a.verified ? html`<${Badge} kind="ok">verified ${formatTime(a.verified_at)}<//>` : html`<${Badge} kind="warn">not verified<//>`] : null,
        a.kind === 'resident' ? ['Invites left', a.invites_left] : null,
        holder ? ['Balance', html`<span data-testid="account-balance">${formatBD(holder.balance_micro ?? holder.balance, { precise: true })}</span>`] : null,
        holder && holder.pending_micro != null ? ['Pending (to collect)', formatBD(holder.pending_micro, { precise: true })] : null,
        holder && holder.dormant_at ? ['Dormant at', html`${formatTime(holder.dormant_at)}`] : null,
        force ? ['Force', html`<span data-testid="account-force">${formatForce(force.force ?? force.total)}</span>`] : null,
        purse ? ['Purse', html`<span data-testid="account-purse">${formatBD(purse.balance, { precise: true })}</span>`] : null,
        ['Public key', html`<span class="mono">${a.public_key}</span>`],
        ['Encryption key', html`<span class="mono">${a.encryption_key}</span>`],
      ]} />
    <//>
    ${force && (force.grants || []).length ? html`<${Card} title="Force grants">
      <${Table} rows=${force.grants} columns=${[
        { key: 'task', label: 'Task', render: (g) => g.task_id ?? g.task ?? '—' },
        { key: 'force', label: 'Force', class: 'num', render: (g) => formatForce(g.remaining ?? g.force) },
        { key: 'expires', label: 'Expires', render: (g) => g.expires_at ? formatTime(g.expires_at) : 'never' },
      ]} />
    <//>` : null}
    <${Card} title="Transactions" subtitle="Sent by this account, newest first.">
      ${txs === null
        ? html`<p class="muted">This node does not list an account's transactions.</p>`
        : html`<${Table} testid="account-txs" rows=${txs} empty="No transactions yet."
            onRowClick=${(t) => ctx.navigate(`#/explorer/tx/${t.hash}`)}
            columns=${[
              { key: 'hash', label: 'Hash', render: (t) => html`<${TxLink} hash=${t.hash} />` },
              { key: 'height', label: 'Block', render: (t) => html`<${BlockLink} height=${t.height} />` },
              { key: 'types', label: 'Messages', render: (t) => t.types ? html`${t.types.map((x) => html`<code class="tag">${x}</code> `)}` : html`<${MsgTypes} msgs=${t.tx?.body?.messages} />` },
              { key: 'code', label: 'Result', render: (t) => html`<${CodeBadge} code=${t.code ?? t.result?.code} />` },
            ]} />`}
      ${txs && (offset > 0 || txs.length === ACCOUNT_TXS) ? html`<p class="pager">
        ${offset > 0 ? html`<button type="button" class="link-btn" onClick=${() => setOffset(Math.max(0, offset - ACCOUNT_TXS))}>← Newer</button> ` : null}
        ${txs.length === ACCOUNT_TXS ? html`<button type="button" class="link-btn" data-testid="account-older" onClick=${() => setOffset(offset + ACCOUNT_TXS)}>Older →</button>` : null}
      </p>` : null}
    <//>`;
}

