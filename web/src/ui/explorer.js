// The explorer: anyone reads the public ledger — latest blocks (live), a block and its
// transactions, a transaction with its messages, result and events, an account — and finds
// any of them from one search box (a height, a transaction hash or an address).
import { useState } from 'preact/hooks';
import {
  html, t, tr, useLive, formatBD, formatForce, formatNumber, formatTime, Card, Table, ErrorBox, Loading, Badge,
  Copyable, currentHeight, errorMessage,
} from './common.js';
import { categoryLabel } from '../i18n/labels.js';
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
        <h1><a href="#/explorer" class="plain">${t('explorer.title')}</a></h1>
        <p class="lead">${t('explorer.lead')}</p>
      </div>
      <${Search} key=${ctx.route.hash} ctx=${ctx} />
    </div>
    ${body}
  </div>`;
}

/** Where a search term leads: a height, a 64-hex transaction hash, or an address. */
export function searchTarget(term) {
  const q = term.trim();
  if (/^#?\d+$/.test(q)) return `#/explorer/block/${q.replace('#', '')}`;
  if (/^[0-9a-fA-F]{64}$/.test(q)) return `#/explorer/tx/${q.toLowerCase()}`;
  if (/^planet1[02-9ac-hj-np-z]{20,}$/.test(q.toLowerCase())) return `#/explorer/account/${q.toLowerCase()}`;
  return null;
}

function Search({ ctx }) {
  const [term, setTerm] = useState('');
  const [error, setError] = useState('');
  const go = (e) => {
    e.preventDefault();
    const target = searchTarget(term);
    if (!target) { setError('explorer.searchHelp'); return; }
    setError('');
    ctx.navigate(target);
  };
  return html`<form class="search" onSubmit=${go} role="search">
    <input type="search" placeholder=${t('explorer.searchPlaceholder')} value=${term}
      onInput=${(e) => setTerm(e.currentTarget.value)} data-testid="explorer-search"
      aria-label=${t('explorer.searchLabel')} />
    <button type="submit" class="btn btn-primary" data-testid="explorer-search-go">${t('explorer.search')}</button>
    ${error ? html`<div class="field-error" role="alert" data-testid="explorer-search-error">${t(error)}</div>` : null}
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
      <div class="stat"><div class="stat-label">${t('explorer.height')}</div><div class="stat-value" data-testid="explorer-height">${s ? formatNumber(s.height) : '…'}</div></div>
      <div class="stat"><div class="stat-label">${t('explorer.chain')}</div><div class="stat-value small">${s?.chain_id ?? '…'}</div></div>
      <div class="stat"><div class="stat-label">${t('explorer.lastBlock')}</div><div class="stat-value small">${s ? formatTime(s.time) : '…'}</div></div>
      <div class="stat"><div class="stat-label">${t('explorer.mempool')}</div><div class="stat-value">${s?.mempool ?? '…'}</div></div>
    </div>
    ${before ? null : html`<${RecentTxs} ctx=${ctx} />`}
    <${Card} title=${before ? t('explorer.blocksBefore', { height: before }) : t('explorer.latestBlocks')} subtitle=${before ? null : t('explorer.live')}
      actions=${before ? html`<a href="#/explorer" class="btn btn-ghost btn-small">${t('explorer.latest')}</a>` : null}>
      <${ErrorBox} error=${blocks.error} />
      ${blocks.data === undefined ? html`<${Loading} />` : html`<${Table} testid="explorer-blocks" rows=${rows}
        rowKey=${(b) => b.height} onRowClick=${(b) => ctx.navigate(`#/explorer/block/${b.height}`)}
        empty=${t('explorer.noBlocks')}
        columns=${[
          { key: 'height', label: t('explorer.height'), render: (b) => html`<${BlockLink} height=${b.height} />` },
          { key: 'time', label: t('business.col.time'), render: (b) => formatTime(b.time) },
          { key: 'tx_count', label: t('explorer.txs'), class: 'num', render: (b) => b.tx_count ? html`<strong>${b.tx_count}</strong>` : html`<span class="muted">0</span>` },
          { key: 'hash', label: t('explorer.hash'), render: (b) => html`<span class="mono muted">${shortHash(b.hash)}</span>` },
          { key: 'app_hash', label: t('explorer.appHash'), render: (b) => html`<span class="mono muted">${shortHash(b.app_hash)}</span>` },
        ]} />`}
      ${oldest > 1 ? html`<p class="pager"><a href=${`#/explorer?before=${oldest}`} data-testid="explorer-older">${t('explorer.older')}</a></p>` : null}
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
  return html`<${Card} title=${t('explorer.latestTxs')} testid="explorer-recent">
    <${ErrorBox} error=${txs.error} />
    <${Table} testid="explorer-recent-tx" rows=${txs.data || []} rowKey=${(x) => x.hash}
      empty=${t('explorer.noRecentTx')} onRowClick=${(x) => ctx.navigate(`#/explorer/tx/${x.hash}`)}
      columns=${[
        { key: 'hash', label: t('explorer.hash'), render: (x) => html`<${TxLink} hash=${x.hash} />` },
        { key: 'types', label: t('explorer.messages'), render: (x) => html`<${MsgTypes} msgs=${x.tx?.body?.messages} />` },
        { key: 'sender', label: t('explorer.sender'), render: (x) => html`<${AddrLink} address=${x.tx?.body?.sender} />` },
        { key: 'height', label: t('history.col.block'), render: (x) => html`<${BlockLink} height=${x.height} />` },
        { key: 'time', label: t('business.col.time'), render: (x) => formatTime(x.time) },
        { key: 'code', label: t('history.col.result'), render: (x) => html`<${CodeBadge} code=${x.code ?? x.result?.code} />` },
      ]} />
  <//>`;
}

function BlockView({ ctx, height }) {
  const block = useLive(() => getJson(ctx, `/blocks/${encodeURIComponent(height)}`, undefined, { allow404: true }), [height]);
  if (block.error) return html`<${ErrorBox} error=${block.error} />`;
  if (block.data === undefined) return html`<${Loading} />`;
  const b = block.data;
  if (b === null) return html`<${Card} title=${t('explorer.blockN', { height })}><p class="empty" data-testid="explorer-not-found">${t('explorer.noBlock', { height })}</p><//>`;
  const h = Number(b.height);
  return html`
    <${Card} title=${t('explorer.blockN', { height: formatNumber(h) })} testid="explorer-block"
      actions=${html`<span class="pager-inline">
        ${h > 1 ? html`<a class="btn btn-ghost btn-small" href=${`#/explorer/block/${h - 1}`}>← #${h - 1}</a>` : null}
        ${h < currentHeight() ? html`<a class="btn btn-ghost btn-small" href=${`#/explorer/block/${h + 1}`}>#${h + 1} →</a>` : null}</span>`}>
      <${Facts} items=${[
        [t('explorer.height'), html`<span data-testid="block-height">${h}</span>`],
        [t('business.col.time'), formatTime(b.time)],
        [t('explorer.hash'), html`<${Copyable} text=${b.hash} />`],
        [t('explorer.previous'), h > 1 ? html`<a class="mono" href=${`#/explorer/block/${h - 1}`}>${b.prev_hash}</a>` : html`<span class="mono muted">${b.prev_hash}</span>`],
        [t('explorer.appHash'), html`<span class="mono">${b.app_hash}</span>`],
        [t('explorer.txRoot'), html`<span class="mono">${b.tx_root}</span>`],
        [t('explorer.transactions'), html`<span data-testid="block-tx-count">${b.tx_count}</span>`],
        [t('explorer.proposer'), b.proposer],
      ]} />
    <//>
    <${Card} title=${t('explorer.transactions')}>
      <${Table} testid="block-txs" rows=${b.txs || []} rowKey=${(x) => x.hash} empty=${t('explorer.noTxInBlock')}
        onRowClick=${(x) => ctx.navigate(`#/explorer/tx/${x.hash}`)}
        columns=${[
          { key: 'index', label: '#', class: 'num' },
          { key: 'hash', label: t('explorer.hash'), render: (x) => html`<${TxLink} hash=${x.hash} />` },
          { key: 'sender', label: t('explorer.sender'), render: (x) => html`<${AddrLink} address=${x.tx?.body?.sender} />` },
          { key: 'types', label: t('explorer.messages'), render: (x) => html`<${MsgTypes} msgs=${x.tx?.body?.messages} />` },
          { key: 'code', label: t('history.col.result'), render: (x) => html`<${CodeBadge} code=${x.code ?? x.result?.code} />` },
        ]} />
    <//>`;
}

function MsgTypes({ msgs }) {
  if (!msgs) return html`<span class="muted">—</span>`;
  const counts = new Map();
  for (const m of msgs) counts.set(m.type, (counts.get(m.type) || 0) + 1);
  return html`<span class="msg-types">${[...counts].map(([type, n]) => html`<code class="tag">${type}${n > 1 ? ` ×${n}` : ''}</code> `)}</span>`;
}

function CodeBadge({ code }) {
  return code ? html`<${Badge} kind="bad">${t('explorer.failed', { code })}<//>` : html`<${Badge} kind="ok">${t('tx.ok')}<//>`;
}

/** A 64-hex term is a transaction hash or, failing that, a vault record's digest. */
async function loadTxOrRecord(ctx, hash) {
  const tx = await getJson(ctx, `/txs/${encodeURIComponent(hash)}`, undefined, { allow404: true });
  if (tx) return { tx };
  const record = await query(ctx, 'vault/record', { digest: hash }).catch(() => null);
  return { tx: null, record };
}

function RecordView({ r }) {
  return html`<${Card} title=${t('explorer.record')} testid="explorer-record" subtitle=${t('explorer.recordSub')}>
    <${Facts} items=${[
      [t('explorer.digest'), html`<span class="mono">${r.digest}</span>`],
      [t('explorer.owner'), html`<${AddrLink} address=${r.owner} full=${true} />`],
      [t('explorer.source'), r.source === r.owner ? t('explorer.byOwner') : tr('vault.depositedBy', { who: html`<${AddrLink} address=${r.source} full=${true} />` })],
      [t('vault.category'), html`<span class="tag">${categoryLabel(r.category)}</span>`],
      [t('business.col.time'), formatTime(r.time)],
      [t('explorer.committed'), formatTime(r.added_at)],
      [t('explorer.size'), t('explorer.sizeBytes', { n: formatNumber(r.size) })],
      [t('business.col.state'), r.erased_at ? html`<${Badge} kind="bad">${t('vault.erasedAt', { time: formatTime(r.erased_at) })}<//>` : html`<${Badge} kind="ok">${t('explorer.recordLive')}<//>`],
    ]} />
  <//>`;
}

function TxView({ ctx, hash }) {
  const res = useLive(() => loadTxOrRecord(ctx, hash), [hash]);
  if (res.error) return html`<${ErrorBox} error=${res.error} />`;
  if (res.data === undefined) return html`<${Loading} />`;
  const tx = res.data.tx;
  if (!tx && res.data.record) return html`<${RecordView} r=${res.data.record} />`;
  if (!tx) return html`<${Card} title=${t('explorer.transaction')}><p class="empty" data-testid="explorer-not-found">${t('explorer.noTx', { hash })}</p><//>`;
  const body = tx.tx?.body || {};
  const result = tx.result || {};
  const events = result.events || [];
  const code = tx.code ?? result.code;
  return html`
    <${Card} title=${t('explorer.transaction')} testid="explorer-tx">
      <${Facts} items=${[
        [t('explorer.hash'), html`<span data-testid="tx-hash"><${Copyable} text=${tx.hash} /></span>`],
        [t('history.col.result'), html`<span data-testid="tx-result"><${CodeBadge} code=${code} /></span>`],
        code ? [t('explorer.refusal'), html`<span class="bad-text">${errorMessage({ code, body: { message: `${result.error ? `${result.error}: ` : ''}${result.log || result.message || ''}` } })}</span>`] : null,
        [t('history.col.block'), html`<span data-testid="tx-height"><${BlockLink} height=${tx.height} /></span>`],
        [t('explorer.index'), tx.index],
        [t('explorer.sender'), html`<${AddrLink} address=${body.sender} full=${true} testid="tx-sender" />`],
        [t('explorer.sequence'), body.sequence],
        [t('explorer.chain'), body.chain_id],
        [t('explorer.publicKey'), html`<span class="mono">${tx.tx?.public_key}</span>`],
      ]} />
    <//>
    <${Card} title=${t('explorer.messagesN', { n: (body.messages || []).length })}>
      ${(body.messages || []).map((m, i) => html`<div class="msg" data-testid="tx-message">
        <div class="msg-head"><span class="muted">${i + 1}.</span> <code class="tag">${m.type}</code></div>
        <${MsgFields} msg=${m} />
      </div>`)}
    <//>
    <${Card} title=${t('explorer.eventsN', { n: events.length })}>
      <${Table} testid="tx-events" rows=${events} empty=${t('explorer.noEvents')}
        columns=${[
          { key: 'type', label: t('explorer.event'), render: (e) => html`<code class="tag">${e.type}</code>` },
          { key: 'attributes', label: t('explorer.attributes'), render: (e) => html`<${Attrs} attrs=${e.attributes} />` },
        ]} />
    <//>
    <details class="raw"><summary>${t('explorer.raw')}</summary><${JsonView} value=${tx} /></details>`;
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
  if (!a) return html`<${Card} title=${t('explorer.account')}><p class="empty" data-testid="explorer-not-found">${t('explorer.noAccount', { address })}</p><//>`;
  const txs = history ? (Array.isArray(history) ? history : history.items || history.txs || []) : null;
  return html`
    <${Card} title=${a.name || t('explorer.account')} subtitle=${html`<span class="mono">${a.address}</span>`} testid="explorer-account">
      <${Facts} items=${[
        [t('explorer.kind'), html`<span data-testid="account-kind"><${Badge} kind="brand">${t(`kind.${a.kind}`)}<//></span>`],
        [t('business.col.address'), html`<${Copyable} text=${a.address} />`],
        [t('explorer.sequence'), html`<span data-testid="account-sequence">${a.sequence}</span>`],
        [t('explorer.created'), html`${formatTime(a.created_at)} · ${t('explorer.inBlock')} <${BlockLink} height=${a.created_height} />`],
        a.inviter ? [t('explorer.invitedBy'), html`<${AddrLink} address=${a.inviter} full=${true} />`] : null,
        a.kind === 'resident' ? [t('explorer.identity'), a.verified ? html`<${Badge} kind="ok">${t('explorer.verifiedAt', { time: formatTime(a.verified_at) })}<//>` : html`<${Badge} kind="warn">${t('explorer.notVerified')}<//>`] : null,
        a.kind === 'resident' ? [t('explorer.invitesLeft'), a.invites_left] : null,
        holder ? [t('planet.balance'), html`<span data-testid="account-balance">${formatBD(holder.balance_micro ?? holder.balance, { precise: true })}</span>`] : null,
        holder && holder.pending_micro != null ? [t('explorer.pending'), formatBD(holder.pending_micro, { precise: true })] : null,
        holder && holder.dormant_at ? [t('explorer.dormantAt'), html`${formatTime(holder.dormant_at)}`] : null,
        force ? [t('tasks.col.force'), html`<span data-testid="account-force">${formatForce(force.force ?? force.total)}</span>`] : null,
        purse ? [t('business.purse'), html`<span data-testid="account-purse">${formatBD(purse.balance, { precise: true })}</span>`] : null,
        [t('explorer.publicKey'), html`<span class="mono">${a.public_key}</span>`],
        [t('business.col.encryptionKey'), html`<span class="mono">${a.encryption_key}</span>`],
      ]} />
    <//>
    ${force && (force.grants || []).length ? html`<${Card} title=${t('explorer.forceGrants')}>
      <${Table} rows=${force.grants} columns=${[
        { key: 'task', label: t('tasks.col.task'), render: (g) => g.task_id ?? g.task ?? '—' },
        { key: 'force', label: t('tasks.col.force'), class: 'num', render: (g) => formatForce(g.remaining ?? g.force) },
        { key: 'expires', label: t('planet.col.expires'), render: (g) => g.expires_at ? formatTime(g.expires_at) : t('explorer.never') },
      ]} />
    <//>` : null}
    <${Card} title=${t('explorer.transactions')} subtitle=${t('explorer.sentBy')}>
      ${txs === null
        ? html`<p class="muted">${t('explorer.noTxList')}</p>`
        : html`<${Table} testid="account-txs" rows=${txs} empty=${t('history.none')}
            onRowClick=${(x) => ctx.navigate(`#/explorer/tx/${x.hash}`)}
            columns=${[
              { key: 'hash', label: t('explorer.hash'), render: (x) => html`<${TxLink} hash=${x.hash} />` },
              { key: 'height', label: t('history.col.block'), render: (x) => html`<${BlockLink} height=${x.height} />` },
              { key: 'types', label: t('explorer.messages'), render: (x) => x.types ? html`${x.types.map((y) => html`<code class="tag">${y}</code> `)}` : html`<${MsgTypes} msgs=${x.tx?.body?.messages} />` },
              { key: 'code', label: t('history.col.result'), render: (x) => html`<${CodeBadge} code=${x.code ?? x.result?.code} />` },
            ]} />`}
      ${txs && (offset > 0 || txs.length === ACCOUNT_TXS) ? html`<p class="pager">
        ${offset > 0 ? html`<button type="button" class="link-btn" onClick=${() => setOffset(Math.max(0, offset - ACCOUNT_TXS))}>${t('explorer.newer')}</button> ` : null}
        ${txs.length === ACCOUNT_TXS ? html`<button type="button" class="link-btn" data-testid="account-older" onClick=${() => setOffset(offset + ACCOUNT_TXS)}>${t('explorer.olderTxs')}</button>` : null}
      </p>` : null}
    <//>`;
}

