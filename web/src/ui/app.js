// The app shell: top bar (chain, live height, wallet switcher), the hash router, the
// landing page and the wallet page. Keys are made and kept here in the browser; the
// server only ever sees public keys, signatures and ciphertext.
import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import * as sdk from '../sdk/index.js';
import {
  html, connectLive, onBlock, onTx, setTimezone, toast, Toasts, Button, Card, Field, ErrorBox,
  Copyable, Badge, shortAddr, errorMessage, useBlock,
} from './common.js';
import { ResidentPage } from './resident.js';
import { BusinessPage } from './business.js';
import { OperatorPage } from './operator.js';
import { ExplorerPage } from './explorer.js';

// --- wallets kept in this browser ---------------------------------------------------------
// localStorage 'planet.wallets.v1' = [{name, address, sealed, keystore}] where keystore
// is the same JSON document as the Python SDK's keystore file (sealed under a password
// with scrypt + AES-256-GCM when `sealed`). The unlocked Wallet objects live in memory.

const STORE = 'planet.wallets.v1';
const CURRENT = 'planet.current';
const unlocked = new Map(); // address -> Wallet

function loadEntries() {
  try {
    const xs = JSON.parse(localStorage.getItem(STORE) || '[]');
    return Array.isArray(xs) ? xs.filter((x) => x && x.address && x.keystore) : [];
  } catch { return []; }
}

function saveEntries(entries) {
  localStorage.setItem(STORE, JSON.stringify(entries));
}

async function keystoreText(wallet, password, name) {
  const out = await sdk.exportKeystore(wallet, password || undefined, name);
  return typeof out === 'string' ? out : JSON.stringify(out, null, 2);
}

async function openKeystore(text, password) {
  return sdk.importKeystore(text, password || undefined);
}

function keystoreIsSealed(text) {
  try { return !!JSON.parse(text).encrypted; } catch { return false; }
}

function nameOf(wallet, name) {
  try { wallet.name = name; } catch { /* read-only name: fine */ }
  return wallet;
}

/** Store a wallet (sealed under `password` if given) and make it current. */
async function addWallet(wallet, name, password) {
  const text = await keystoreText(wallet, password, name);
  const entries = loadEntries().filter((e) => e.address !== wallet.address);
  entries.push({ name, address: wallet.address, sealed: !!password, keystore: text, added: Date.now() });
  saveEntries(entries);
  unlocked.set(wallet.address, nameOf(wallet, name));
  localStorage.setItem(CURRENT, wallet.address);
}

async function unlockEntry(entry, password) {
  if (unlocked.has(entry.address)) return unlocked.get(entry.address);
  const wallet = await openKeystore(entry.keystore, password);
  if (wallet.address !== entry.address) throw new Error('keystore does not match its address');
  unlocked.set(entry.address, nameOf(wallet, entry.name));
  return wallet;
}

// --- router --------------------------------------------------------------------------------

const NEWS = {
  'vault/deposit_record': 'A partner deposited a record into your vault',
  'exchange/fulfil': 'A voucher arrived: open it in the shop',
  'exchange/refund': 'A redemption was refunded to your balance',
  'force/attest_tasks': 'A partner attested a task: your Force changed',
  'accounts/register': 'Someone joined with one of your invitation codes',
};

function parseHash() {
  const raw = (location.hash || '#/').replace(/^#\/?/, '');
  const [path, qs = ''] = raw.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const query = Object.fromEntries(new URLSearchParams(qs));
  return { parts, query, hash: `#/${raw}` };
}

function navigate(hash) {
  const h = hash.startsWith('#') ? hash : `#${hash.startsWith('/') ? '' : '/'}${hash}`;
  if (location.hash === h) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = h;
}

// --- top bar -------------------------------------------------------------------------------

const ROLES = [
  { id: 'resident', label: 'Resident' },
  { id: 'business', label: 'Business' },
  { id: 'operator', label: 'Operator' },
  { id: 'explorer', label: 'Explorer' },
];

function TopBar({ status, route, entries, current, onSwitch }) {
  const block = useBlock();
  const height = block?.height ?? status?.height;
  const section = route.parts[0] || '';
  return html`<header class="topbar">
    <div class="topbar-inner">
      <a class="brand" href="#/" data-testid="brand"><span class="logo" aria-hidden="true"></span>Planet</a>
      <nav class="mainnav">
        ${ROLES.map((r) => html`<a href=${`#/${r.id}`} class=${section === r.id ? 'active' : ''}
          data-testid=${`nav-${r.id}`}>${r.label}</a>`)}
      </nav>
      <div class="chaininfo">
        <span class="chip" title="chain id" data-testid="chain-id">${status?.chain_id || '…'}</span>
        <span class="chip live" title="latest block" data-testid="height">
          <span class="dot" aria-hidden="true"></span>#${height ?? '…'}</span>
      </div>
      <div class="walletbox">
        ${entries.length ? html`<select class="wallet-select" data-testid="wallet-switcher"
            value=${current || ''} onChange=${(e) => onSwitch(e.target.value)} aria-label="Current wallet">
            ${current ? null : html`<option value="">Choose a wallet…</option>`}
            ${entries.map((e) => html`<option value=${e.address}>${e.name} · ${shortAddr(e.address, 8, 4)}</option>`)}
            <option value="__manage">Manage wallets…</option>
          </select>`
        : html`<a class="btn btn-primary btn-small" href="#/wallet" data-testid="wallet-create-link">Create wallet</a>`}
      </div>
    </div>
  </header>`;
}

// --- landing -------------------------------------------------------------------------------

function Landing({ status, wallet }) {
  return html`<div class="landing" data-testid="landing">
    <section class="hero">
      <h1>Your activity. Your data. Your diamonds.</h1>
      <p class="lead">Planet is a ledger where people own their behavioural data and are
        rewarded for their activity. Residents earn <b>Force</b> by doing tasks, collect${' '}
        <b>Black Diamonds</b> that bubble up every hour, keep their records encrypted in a
        vault only they can open, and sell access to businesses only when they agree.</p>
      <p class="muted">Your keys are made in this browser and never leave it.
        ${status ? html` Connected to <b>${status.chain_id}</b>.` : null}</p>
      ${wallet ? html`<p><a class="btn btn-primary" href="#/resident" data-testid="landing-continue">Open my planet</a></p>`
        : html`<p><a class="btn btn-primary" href="#/wallet" data-testid="landing-wallet">Create or restore a wallet</a></p>`}
    </section>
    <div class="role-grid">
      <a class="role-card" href="#/resident" data-testid="role-resident">
        <h3>I am a resident</h3>
        <p>Join with an invitation code, verify once, tap your hourly bubbles, keep your vault, shop.</p></a>
      <a class="role-card" href="#/business" data-testid="role-business">
        <h3>I run a business</h3>
        <p>Attest tasks, deposit records, list offers, and ask residents for data they choose to share.</p></a>
      <a class="role-card" href="#/operator" data-testid="role-operator">
        <h3>I operate this planet</h3>
        <p>Supply against the schedule, residents, Force, the task catalog and business approvals.</p></a>
      <a class="role-card" href="#/explorer" data-testid="role-explorer">
        <h3>Just looking</h3>
        <p>Blocks, transactions and accounts, live.</p></a>
    </div>
    <section class="facts">
      <div><b>Fixed emission.</b> Set at genesis and never changed: nobody can mint outside the schedule.</div>
      <div><b>Auditable earnings.</b> Every bubble shows its Force, the total, the seconds and the rate.</div>
      <div><b>No transfers.</b> Diamonds move only between residents and businesses, never between people.</div>
      <div><b>Right to erasure.</b> Only hashes go on the ledger; erased records are gone from the vault.</div>
    </section>
  </div>`;
}

// --- wallet page ---------------------------------------------------------------------------

function download(filename, text) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url; a.download = filename; document.body.appendChild(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function CreateWallet({ onDone, next }) {
  const [name, setName] = useState('My wallet');
  const [password, setPassword] = useState('');
  const [words, setWords] = useState(null);
  const [written, setWritten] = useState(false);
  const generate = async () => { setWords(await sdk.newMnemonic()); setWritten(false); };
  const save = async () => {
    const wallet = await sdk.walletFromMnemonic(words);
    await addWallet(wallet, name.trim() || 'My wallet', password);
    toast(`Wallet “${name}” created`);
    onDone(wallet.address, next);
  };
  const list = words ? (Array.isArray(words) ? words : String(words).trim().split(/\s+/)) : [];
  return html`<div data-testid="wallet-create">
    <div class="form-row">
      <${Field} label="Name (only in this browser)"><input data-testid="create-name" value=${name}
        onInput=${(e) => setName(e.target.value)} /><//>
      <${Field} label="Password (optional)" hint="Seals the keys in this browser; asked when you switch to this wallet.">
        <input type="password" data-testid="create-password" value=${password} autocomplete="new-password"
          onInput=${(e) => setPassword(e.target.value)} /><//>
    </div>
    ${!words ? html`<${Button} testid="create-generate" onClick=${generate}>Generate my 24 words<//>` : html`
      <div class="mnemonic-box">
        <p><b>Write these 24 words down, in order, on paper.</b> They are the only way to restore
          this wallet; nobody (not even the operator) can recover them for you.</p>
        <ol class="mnemonic" data-testid="mnemonic">
          ${list.map((w, i) => html`<li key=${i}><span class="n">${i + 1}</span><span class="w" data-testid=${`mnemonic-word-${i + 1}`}>${w}</span></li>`)}
        </ol>
        <label class="check"><input type="checkbox" data-testid="create-written" checked=${written}
          onChange=${(e) => setWritten(e.target.checked)} /> I have written the words down</label>
        <div class="button-row">
          <${Button} testid="create-save" disabled=${!written} onClick=${save}>Save wallet<//>
          <${Button} kind="ghost" onClick=${generate}>New words<//>
        </div>
      </div>`}
  </div>`;
}

function RestoreWallet({ onDone, next }) {
  const [name, setName] = useState('Restored wallet');
  const [words, setWords] = useState('');
  const [password, setPassword] = useState('');
  const restore = async () => {
    const wallet = await sdk.walletFromMnemonic(words.trim().toLowerCase().split(/\s+/).join(' '));
    await addWallet(wallet, name.trim() || 'Restored wallet', password);
    toast(`Restored ${shortAddr(wallet.address)}`);
    onDone(wallet.address, next);
  };
  return html`<div data-testid="wallet-restore">
    <${Field} label="Your 24 words (from the app or from the planet CLI), separated by spaces">
      <textarea rows="4" data-testid="restore-words" spellcheck="false" autocomplete="off" value=${words}
        onInput=${(e) => setWords(e.target.value)}></textarea><//>
    <div class="form-row">
      <${Field} label="Name"><input data-testid="restore-name" value=${name} onInput=${(e) => setName(e.target.value)} /><//>
      <${Field} label="Password (optional)"><input type="password" data-testid="restore-password" value=${password}
        autocomplete="new-password" onInput=${(e) => setPassword(e.target.value)} /><//>
    </div>
    <${Button} testid="restore-submit" disabled=${!words.trim()} onClick=${restore}>Restore wallet<//>
  </div>`;
}

function ImportWallet({ onDone, next }) {
  const [text, setText] = useState('');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const onFile = async (e) => {
    const f = e.target.files && e.target.files[0];
    if (f) setText(await f.text());
  };
  const doImport = async () => {
    const wallet = await openKeystore(text, password);
    let docName = '';
    try { docName = JSON.parse(text).name || ''; } catch { /* not JSON: the SDK said so already */ }
    const label = name.trim() || docName || 'Imported wallet';
    // Keep it sealed the way it came: an encrypted keystore stays encrypted.
    const entries = loadEntries().filter((x) => x.address !== wallet.address);
    entries.push({ name: label, address: wallet.address, sealed: keystoreIsSealed(text), keystore: text, added: Date.now() });
    saveEntries(entries);
    unlocked.set(wallet.address, nameOf(wallet, label));
    localStorage.setItem(CURRENT, wallet.address);
    toast(`Imported ${shortAddr(wallet.address)}`);
    onDone(wallet.address, next);
  };
  return html`<div data-testid="wallet-import">
    <p class="muted">A keystore file from <code>planet init</code> or <code>planet keys</code>
      (the operator's key is at <code>HOME/keys/operator.json</code>), or one exported here.</p>
    <div class="form-row">
      <${Field} label="Keystore file"><input type="file" accept=".json,application/json" data-testid="import-file" onChange=${onFile} /><//>
      <${Field} label="Name (optional)"><input data-testid="import-name" value=${name} onInput=${(e) => setName(e.target.value)} /><//>
    </div>
    <${Field} label="…or paste the keystore JSON">
      <textarea rows="6" class="mono" data-testid="import-text" spellcheck="false" value=${text}
        onInput=${(e) => setText(e.target.value)}></textarea><//>
    <${Field} label="Password (if the keystore is encrypted)"><input type="password" data-testid="import-password"
      value=${password} onInput=${(e) => setPassword(e.target.value)} /><//>
    <${Button} testid="import-submit" disabled=${!text.trim()} onClick=${doImport}>Import keystore<//>
  </div>`;
}

function ExportPanel({ entry, onClose }) {
  const [password, setPassword] = useState('');
  const [text, setText] = useState('');
  const make = async () => {
    let wallet = unlocked.get(entry.address);
    if (!wallet) throw new Error('unlock this wallet first (switch to it)');
    setText(await keystoreText(wallet, password, entry.name));
  };
  return html`<div class="export-panel" data-testid="export-panel">
    <p>Export <b>${entry.name}</b> as a keystore file. With a password it is sealed (scrypt + AES-256-GCM),
      the same format as the planet CLI; without one the private keys are in clear.</p>
    <div class="form-row">
      <${Field} label="Password for the file"><input type="password" data-testid="export-password" value=${password}
        onInput=${(e) => setPassword(e.target.value)} /><//>
    </div>
    <div class="button-row">
      <${Button} testid="export-make" onClick=${make}>Make keystore<//>
      ${text ? html`<${Button} kind="secondary" onClick=${() => download(`${entry.name.replace(/[^\w.-]+/g, '_')}.json`, text)}>Download<//>` : null}
      <${Button} kind="ghost" onClick=${onClose}>Close<//>
    </div>
    ${text ? html`<textarea readonly rows="8" class="mono" data-testid="export-text" value=${text}></textarea>` : null}
  </div>`;
}

function WalletPage({ ctx, entries, current, onChanged, onSwitch }) {
  const tab = ctx.route.parts[1] || (entries.length ? 'list' : 'create');
  const next = ctx.route.query.next;
  const [exporting, setExporting] = useState(null);
  const done = (address, nextRoute) => { onChanged(address); navigate(nextRoute ? `#/${nextRoute}` : '#/wallet/list'); };
  const forget = async (e) => {
    if (!confirm(`Forget “${e.name}” in this browser? Without its 24 words or a keystore file it is gone for good.`)) return;
    saveEntries(loadEntries().filter((x) => x.address !== e.address));
    unlocked.delete(e.address);
    if (localStorage.getItem(CURRENT) === e.address) localStorage.removeItem(CURRENT);
    onChanged(null);
  };
  const q = next ? `?next=${encodeURIComponent(next)}` : '';
  const tabs = [
    { id: 'list', label: `My wallets (${entries.length})` },
    { id: 'create', label: 'Create' },
    { id: 'restore', label: 'Restore from words' },
    { id: 'import', label: 'Import keystore' },
  ];
  return html`<div class="page" data-testid="wallet-page">
    <h1 class="page-title">Wallets</h1>
    <p class="muted">Keys are generated and kept in this browser only. Back them up with the 24 words or a keystore file.</p>
    <nav class="tabs">${tabs.map((t) => html`<a class=${t.id === tab ? 'tab active' : 'tab'} href=${`#/wallet/${t.id}${q}`}
      data-testid=${`wallet-tab-${t.id}`}>${t.label}</a>`)}</nav>
    ${tab === 'create' ? html`<${Card} title="Create a new wallet"><${CreateWallet} onDone=${done} next=${next} /><//>` : null}
    ${tab === 'restore' ? html`<${Card} title="Restore from your 24 words"><${RestoreWallet} onDone=${done} next=${next} /><//>` : null}
    ${tab === 'import' ? html`<${Card} title="Import a keystore"><${ImportWallet} onDone=${done} next=${next} /><//>` : null}
    ${tab === 'list' ? html`<${Card} title="Wallets in this browser" testid="wallet-list">
      ${entries.length === 0 ? html`<p class="empty">No wallet yet. <a href="#/wallet/create">Create one</a>.</p>` : html`
      <ul class="wallet-list">
        ${entries.map((e) => html`<li key=${e.address} class=${e.address === current ? 'current' : ''} data-testid="wallet-row">
          <div class="wl-main">
            <div class="wl-name">${e.name} ${e.address === current ? html`<${Badge} kind="ok">current<//>` : null}
              ${e.sealed ? html`<${Badge}>sealed with a password<//>` : null}</div>
            <${Copyable} text=${e.address} testid=${e.address === current ? 'current-address' : undefined} />
          </div>
          <div class="wl-actions">
            ${e.address === current ? null : html`<${Button} small kind="secondary" testid="wallet-use" onClick=${() => onSwitch(e.address)}>Use<//>`}
            <${Button} small kind="ghost" testid="wallet-export" onClick=${() => setExporting(e)}>Export<//>
            <${Button} small kind="danger-ghost" onClick=${() => forget(e)}>Forget<//>
          </div>
          ${exporting && exporting.address === e.address ? html`<${ExportPanel} entry=${e} onClose=${() => setExporting(null)} />` : null}
        </li>`)}
      </ul>`}
    <//>` : null}
  </div>`;
}

// --- unlocking a sealed wallet ---------------------------------------------------------------

function UnlockPrompt({ entry, onUnlocked, onCancel }) {
  const [password, setPassword] = useState('');
  const unlock = async () => {
    const w = await unlockEntry(entry, password);
    onUnlocked(w);
  };
  return html`<div class="modal-back"><div class="modal" data-testid="unlock">
    <h2>Unlock “${entry.name}”</h2>
    <p class="muted">${shortAddr(entry.address)} is sealed under a password in this browser.</p>
    <form onSubmit=${(e) => { e.preventDefault(); }}>
      <${Field} label="Password"><input type="password" autofocus data-testid="unlock-password" value=${password}
        onInput=${(e) => setPassword(e.target.value)} /><//>
      <div class="button-row">
        <${Button} type="submit" testid="unlock-submit" onClick=${unlock}>Unlock<//>
        <${Button} kind="ghost" onClick=${onCancel}>Cancel<//>
      </div>
    </form>
  </div></div>`;
}

function NeedWallet({ role, sealed, onUnlock }) {
  if (sealed) {
    return html`<div class="page"><${Card} title=${`Unlock “${sealed.name}”`} testid="need-unlock">
      <p>This wallet is sealed under a password in this browser.</p>
      <div class="button-row"><${Button} testid="need-unlock-open" onClick=${onUnlock}>Unlock<//>
        <a class="btn btn-ghost" href="#/wallet/list">Choose another wallet</a></div>
    <//></div>`;
  }
  return html`<div class="page"><${Card} title="You need a wallet first" testid="need-wallet">
    <p>Your keys are made in this browser and never leave it. Create a new wallet (you will
      write down 24 words), restore one from its words, or import a keystore file.</p>
    <div class="button-row">
      <a class="btn btn-primary" href=${`#/wallet/create?next=${role}`} data-testid="need-wallet-create">Create a wallet</a>
      <a class="btn btn-secondary" href=${`#/wallet/restore?next=${role}`}>Restore from words</a>
      <a class="btn btn-ghost" href=${`#/wallet/import?next=${role}`}>Import keystore</a>
    </div>
  <//></div>`;
}

// --- the app -------------------------------------------------------------------------------

function App() {
  const api = useMemo(() => new sdk.Api(''), []);
  const [route, setRoute] = useState(parseHash());
  const [status, setStatus] = useState(null);
  const [statusError, setStatusError] = useState(null);
  const [entries, setEntries] = useState(loadEntries());
  const [current, setCurrent] = useState(localStorage.getItem(CURRENT) || '');
  const [wallet, setWallet] = useState(null);
  const [locked, setLocked] = useState(null);

  useEffect(() => {
    const f = () => setRoute(parseHash());
    window.addEventListener('hashchange', f);
    return () => window.removeEventListener('hashchange', f);
  }, []);

  useEffect(() => {
    let stop = false;
    let loaded = false;
    const load = async () => {
      try {
        const s = await api.status();
        if (stop) return;
        if (s.timezone != null) setTimezone(s.timezone);
        loaded = true;
        setStatus(s); setStatusError(null);
      } catch (err) { if (!stop) setStatusError(err); }
    };
    load();
    const off = onBlock((b) => setStatus((s) => (s ? { ...s, height: b.height ?? s.height, time: b.time ?? s.time } : s)));
    const t = setInterval(() => { if (!loaded) load(); }, 3000);
    return () => { stop = true; off(); clearInterval(t); };
  }, []);

  // Open the current wallet (an unsealed one at once; a sealed one asks for its password).
  useEffect(() => {
    const entry = entries.find((e) => e.address === current);
    if (!entry) { setWallet(null); return; }
    if (unlocked.has(entry.address)) { setWallet(unlocked.get(entry.address)); return; }
    if (entry.sealed) { setWallet(null); setLocked(entry); return; }
    unlockEntry(entry).then(setWallet).catch((err) => toast(err, 'error'));
  }, [current, entries]);

  useEffect(() => { connectLive('', wallet?.address); }, [wallet?.address]);

  // What others did for this wallet (a deposit, a voucher, Force from a partner) is news.
  useEffect(() => {
    if (!wallet) return undefined;
    return onTx((tx) => {
      if (tx.sender === wallet.address || tx.code !== 0) return;
      for (const type of tx.types || []) {
        const text = NEWS[type];
        if (text) toast(text);
      }
    });
  }, [wallet?.address]);

  const refresh = (address) => {
    setEntries(loadEntries());
    setCurrent(address ?? (localStorage.getItem(CURRENT) || ''));
  };
  const switchTo = (address) => {
    if (address === '__manage') { navigate('#/wallet/list'); return; }
    localStorage.setItem(CURRENT, address);
    setCurrent(address);
  };

  const ctx = { api, wallet, status, route, navigate, toast, walletName: entries.find((e) => e.address === current)?.name };
  const section = route.parts[0] || '';
  let page;
  if (section === '') page = html`<${Landing} status=${status} wallet=${wallet} />`;
  else if (section === 'wallet') page = html`<${WalletPage} ctx=${ctx} entries=${entries} current=${current} onChanged=${refresh} onSwitch=${switchTo} />`;
  else if (section === 'explorer') page = html`<${ExplorerPage} ctx=${ctx} />`;
  else if (['resident', 'business', 'operator'].includes(section)) {
    const entry = entries.find((e) => e.address === current);
    if (!wallet) page = html`<${NeedWallet} role=${section} sealed=${entry && entry.sealed ? entry : null} onUnlock=${() => setLocked(entry)} />`;
    else if (section === 'resident') page = html`<${ResidentPage} key=${wallet.address} ctx=${ctx} />`;
    else if (section === 'business') page = html`<${BusinessPage} key=${wallet.address} ctx=${ctx} />`;
    else page = html`<${OperatorPage} key=${wallet.address} ctx=${ctx} />`;
  } else page = html`<div class="page"><${Card} title="Not found"><p>No page at ${route.hash}. <a href="#/">Home</a></p><//></div>`;

  return html`<div class="app">
    <${TopBar} status=${status} route=${route} entries=${entries} current=${current} onSwitch=${switchTo} />
    ${statusError && !status ? html`<div class="banner" data-testid="offline">Cannot reach the node: ${errorMessage(statusError)}. Retrying…</div>` : null}
    <main class="main">${page}</main>
    <footer class="footer">Planet ${status?.version ? `v${status.version}` : ''} · keys stay in this browser ·${' '}
      <a href="/docs" target="_blank" rel="noopener">API</a></footer>
    ${locked ? html`<${UnlockPrompt} entry=${locked} onUnlocked=${(w) => { setLocked(null); setWallet(w); }}
      onCancel=${() => setLocked(null)} />` : null}
    <${Toasts} />
  </div>`;
}

render(html`<${App} />`, document.getElementById('app'));
