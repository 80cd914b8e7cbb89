// The app shell: top bar (chain, live height, wallet switcher), the hash router, the
// landing page and the wallet page. Keys are made and kept here in the browser; the
// server only ever sees public keys, signatures and ciphertext.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import * as sdk from '../sdk/base.js';
import {
  html, connectLive, onBlock, onTx, setTimezone, toast, Toasts, Button, Card, Field, ErrorBox,
  Copyable, Badge, Loading, shortAddr, errorMessage, useBlock,
} from './common.js';
import { t, fail, getLocale, setLocale, useLocale, LOCALES, LOCALE_NAMES } from '../i18n/index.js';
import { ResidentPage } from './resident.js';
import { primeResident } from './resident/data.js';
import { SigninPage } from './signin.js';

// The business console, the operator's dashboard and the explorer are loaded when first
// opened (their own chunks): a resident's phone downloads and parses only the resident's app.
const LAZY = {
  business: () => import('./business.js').then((m) => m.BusinessPage),
  operator: () => import('./operator.js').then((m) => m.OperatorPage),
  explorer: () => import('./explorer.js').then((m) => m.ExplorerPage),
};
const lazyLoaded = {};

/** A page from its own chunk: a spinner while it loads, its error if it cannot. */
function LazyPage({ name, ...props }) {
  const [Page, setPage] = useState(() => lazyLoaded[name] || null);
  const [error, setError] = useState(null);
  useEffect(() => {
    if (Page) return undefined;
    let live = true;
    LAZY[name]().then((p) => { lazyLoaded[name] = p; if (live) setPage(() => p); })
      .catch((err) => { if (live) setError(err); });
    return () => { live = false; };
  }, [name]);
  if (error) return html`<div class="page"><${ErrorBox} error=${error} /></div>`;
  return Page ? html`<${Page} ...${props} />` : html`<div class="page"><${Loading} /></div>`;
}

// --- wallets kept in this browser ---------------------------------------------------------
// The SDK's WalletStore is the one owner (localStorage 'planet.wallets.v2', always sealed
// under a password; v1 entries migrated). An unlocked wallet holds only non-extractable
// WebCrypto keys, kept in IndexedDB until it is locked or idle past the auto-lock.

const store = new sdk.WalletStore();
const api = new sdk.Api('');

// What every load needs starts now, before the first render, all at once: the node's status,
// the current wallet's session (resumed from IndexedDB) and, when the load opens the
// resident's planet, its reads (an address is public: reading needs no key).
const boot = {
  status: api.status(),
  session: store.current && store.list().some((e) => e.address === store.current && !e.clear)
    ? { address: store.current, wallet: store.resume(store.current) } : null,
};
boot.status.catch(() => {}); // the app's own request reports it (and retries)
boot.session?.wallet.catch(() => {});
if (store.current && /^#\/resident(\/planet)?\/?$/.test(location.hash)) primeResident(api, store.current);

/** A stand-in for the wallet at `address` while its session is resumed: pages read under its
 * address; anything that would sign is refused until the session is open. */
function opening(address) {
  return new Proxy({ address }, {
    get(target, prop) {
      if (prop in target || typeof prop === 'symbol' || prop === 'then') return target[prop];
      throw fail('wallet.opening');
    },
  });
}

/** The boot's read of `what`, once (later calls read afresh). */
function fromBoot(what, address) {
  const hit = boot[what];
  boot[what] = null;
  if (!hit) return null;
  if (what === 'session') return hit.address === address ? hit.wallet : null;
  return hit;
}
const unlocked = new Map(); // address -> Wallet (a session wallet: no raw key)
const AUTO_LOCK_MINUTES = [1, 5, 15, 30, 60];
const ACTIVITY = ['pointerdown', 'keydown', 'wheel', 'touchstart'];

function remember(wallet) {
  unlocked.set(wallet.address, wallet);
  return wallet;
}

/** The SDK's refusals worded in the page's language (the password ones the user can fix). */
function walletError(err) {
  if (err instanceof sdk.WeakPasswordError) return fail('wallet.weakPassword');
  if (/wrong password/.test(err?.message || '')) return fail('wallet.wrongPassword');
  return err;
}

// --- router --------------------------------------------------------------------------------

// Message types whose arrival is news to the wallet, with the key of what the toast says.
const NEWS = {
  'vault/deposit_record': 'shell.news.deposit',
  'exchange/fulfil': 'shell.news.voucher',
  'exchange/refund': 'shell.news.refund',
  'force/attest_tasks': 'shell.news.attest',
  'accounts/register': 'shell.news.joined',
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

const ROLES = ['resident', 'business', 'operator', 'explorer'];

/** The language switch (中文 / English), on every page in the top bar. */
function LanguageSwitch() {
  const locale = useLocale();
  return html`<div class="lang-switch" role="group" aria-label=${t('shell.language')} data-testid="lang-switch">
    ${LOCALES.map((l) => html`<button type="button" lang=${l} class=${l === locale ? 'lang active' : 'lang'}
      aria-pressed=${l === locale ? 'true' : 'false'} data-testid=${`lang-${l}`}
      onClick=${() => setLocale(l)}>${LOCALE_NAMES[l]}</button>`)}
  </div>`;
}

function TopBar({ status, route, entries, current, onSwitch, wallet, onLock }) {
  const block = useBlock();
  const height = block?.height ?? status?.height;
  const section = route.parts[0] || '';
  return html`<header class="topbar">
    <div class="topbar-inner">
      <a class="brand" href="#/" data-testid="brand"><span class="logo" aria-hidden="true"></span><span class="brand-name">${t('shell.brand')}</span></a>
      <nav class="mainnav" aria-label=${t('shell.mainNav')}>
        ${ROLES.map((r) => html`<a href=${`#/${r}`} class=${section === r ? 'active' : ''}
          aria-current=${section === r ? 'page' : undefined} data-testid=${`nav-${r}`}>${t(`shell.role.${r}`)}</a>`)}
      </nav>
      <div class="chaininfo">
        <span class="chip" title=${t('shell.chainId')} data-testid="chain-id">${status?.chain_id || '…'}</span>
        <span class="chip live" title=${t('shell.latestBlock')} data-testid="height">
          <span class="dot" aria-hidden="true"></span>#${height ?? '…'}</span>
      </div>
      <div class="walletbox">
        ${entries.length ? html`<select class="wallet-select" data-testid="wallet-switcher"
            value=${current || ''} onChange=${(e) => onSwitch(e.target.value)} aria-label=${t('shell.currentWallet')}>
            ${current ? null : html`<option value="">${t('shell.chooseWallet')}</option>`}
            ${entries.map((e) => html`<option value=${e.address}>${e.name} · ${shortAddr(e.address, 8, 4)}</option>`)}
            <option value="__manage">${t('shell.manageWallets')}</option>
          </select>`
        : html`<a class="btn btn-primary btn-small" href="#/wallet" data-testid="wallet-create-link">${t('shell.createWallet')}</a>`}
        ${wallet ? html`<${Button} small kind="ghost" testid="wallet-lock" title=${t('wallet.lockTitle')}
          onClick=${onLock}>${t('wallet.lock')}<//>` : null}
      </div>
      <${LanguageSwitch} />
    </div>
  </header>`;
}

// --- landing -------------------------------------------------------------------------------

function Landing({ status, wallet }) {
  const roles = [['resident', 'landing-resident'], ['business', 'landing-business'], ['operator', 'landing-operator'],
    ['explorer', 'landing-explorer']];
  return html`<div class="landing" data-testid="landing">
    <section class="hero">
      <h1>${t('landing.title')}</h1>
      <p class="lead">${t('landing.lead')}</p>
      <p class="muted">${t('landing.keysHere')}
        ${status ? html` ${t('landing.connected', { chain: status.chain_id })}` : null}</p>
      ${wallet ? html`<p><a class="btn btn-primary" href="#/resident" data-testid="landing-continue">${t('landing.open')}</a></p>`
        : html`<p><a class="btn btn-primary" href="#/wallet" data-testid="landing-wallet">${t('landing.createOrRestore')}</a></p>`}
    </section>
    <div class="role-grid">
      ${roles.map(([role]) => html`<a class="role-card" href=${`#/${role}`} data-testid=${`role-${role}`}>
        <h2 class="role-title">${t(`landing.${role}.title`)}</h2>
        <p>${t(`landing.${role}.text`)}</p></a>`)}
    </div>
    <section class="facts" aria-label=${t('landing.factsLabel')}>
      ${['emission', 'earnings', 'transfers', 'erasure'].map((k) => html`<div><b>${t(`landing.fact.${k}.title`)}</b> ${t(`landing.fact.${k}.text`)}</div>`)}
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

/** Live strength of a new password: a bar, its word, and what would make it stronger. */
function StrengthMeter({ password, name }) {
  if (!password) return null;
  const s = sdk.passwordStrength(password, { name });
  return html`<div class=${`strength strength-${s.score}`} data-testid="password-strength" data-score=${s.score}
      data-ok=${s.ok ? 'true' : 'false'} aria-live="polite">
    <span class="strength-bar" aria-hidden="true"><span style=${{ width: `${(s.score / 4) * 100}%` }}></span></span>
    <span class="strength-word">${t(`wallet.strength.${s.score}`)}</span>
    ${s.problems.length ? html`<ul class="strength-hints">${s.problems.map((p) => html`<li key=${p}>${t(`wallet.problem.${p}`)}</li>`)}</ul>` : null}
  </div>`;
}

/** A new password twice, with its strength; `testid` names the first input, `${testid}2` the second. */
function NewPassword({ password, again, setPassword, setAgain, name, testid, label = t('wallet.passwordNew') }) {
  return html`<div class="new-password">
    <div class="form-row">
      <${Field} label=${label} hint=${t('wallet.passwordHint')}>
        <input type="password" data-testid=${testid} value=${password} autocomplete="new-password"
          onInput=${(e) => setPassword(e.target.value)} /><//>
      <${Field} label=${t('wallet.passwordAgain')}>
        <input type="password" data-testid=${`${testid}2`} value=${again} autocomplete="new-password"
          onInput=${(e) => setAgain(e.target.value)} /><//>
    </div>
    <${StrengthMeter} password=${password} name=${name} />
    ${again && again !== password ? html`<p class="field-error" data-testid=${`${testid}-differ`}>${t('wallet.passwordsDiffer')}</p>` : null}
  </div>`;
}

function newPasswordOk(password, again, name) {
  return password === again && sdk.passwordStrength(password, { name }).ok;
}

function CreateWallet({ onDone, next }) {
  const [name, setName] = useState(t('wallet.defaultName'));
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [words, setWords] = useState(null);
  const [written, setWritten] = useState(false);
  const [positions, setPositions] = useState(null); // the 3 positions asked back, once written
  const [answers, setAnswers] = useState({});
  const label = name.trim() || t('wallet.defaultName');
  // the word list comes with this page (the planet page never needs it), fetched as it opens
  useEffect(() => { import('../sdk/mnemonic.js').catch(() => {}); }, []);
  const generate = async () => {
    const { newMnemonic } = await import('../sdk/mnemonic.js');
    setWords(newMnemonic()); setWritten(false); setPositions(null);
  };
  const startCheck = async () => {
    if (password !== again) throw fail('wallet.passwordsDiffer');
    if (!sdk.passwordStrength(password, { name: label }).ok) throw fail('wallet.weakPassword');
    setAnswers({});
    setPositions(sdk.backupCheckPositions());
  };
  const save = async () => {
    if (!sdk.checkBackupWords(words, answers)) {
      setAnswers({});
      throw fail('wallet.wrongWords');
    }
    const wallet = await sdk.walletFromMnemonic(words);
    remember(await store.add(wallet, { name: label, password, backup: 'checked' }).catch((err) => { throw walletError(err); }));
    setWords(null); setPositions(null); setAnswers({}); // the words are not kept anywhere
    toast(t('wallet.created', { name: label }));
    onDone(wallet.address, next);
  };
  const list = words ? words.split(' ') : [];
  if (positions) {
    return html`<div data-testid="backup-check">
      <h3>${t('wallet.checkTitle')}</h3>
      <p>${t('wallet.checkIntro')}</p>
      <form class="backup-words" onSubmit=${(e) => e.preventDefault()}>
        ${positions.map((pos, i) => html`<${Field} key=${pos} label=${t('wallet.wordN', { n: pos })}>
          <input class="mono" data-testid=${`backup-word-${i + 1}`} data-position=${pos} autocomplete="off"
            autocapitalize="off" spellcheck="false" value=${answers[pos] || ''}
            onInput=${(e) => setAnswers((a) => ({ ...a, [pos]: e.target.value }))} /><//>`)}
        <div class="button-row">
          <${Button} type="submit" testid="backup-submit" onClick=${save}
            disabled=${positions.some((pos) => !(answers[pos] || '').trim())}>${t('wallet.checkSubmit')}<//>
          <${Button} kind="ghost" testid="backup-show-words" onClick=${() => setPositions(null)}>${t('wallet.showWordsAgain')}<//>
        </div>
      </form>
    </div>`;
  }
  return html`<div data-testid="wallet-create">
    <${Field} label=${t('wallet.walletName')}><input data-testid="create-name" value=${name}
      onInput=${(e) => setName(e.target.value)} /><//>
    <${NewPassword} password=${password} again=${again} setPassword=${setPassword} setAgain=${setAgain}
      name=${label} testid="create-password" />
    ${!words ? html`<${Button} testid="create-generate" onClick=${generate}>${t('wallet.generate')}<//>` : html`
      <div class="mnemonic-box">
        <p><b>${t('wallet.writeDown')}</b> ${t('wallet.writeDownWhy')}</p>
        <ol class="mnemonic" data-testid="mnemonic">
          ${list.map((w, i) => html`<li key=${i}><span class="n">${i + 1}</span><span class="w" data-testid=${`mnemonic-word-${i + 1}`}>${w}</span></li>`)}
        </ol>
        <label class="check"><input type="checkbox" data-testid="create-written" checked=${written}
          onChange=${(e) => setWritten(e.target.checked)} /> ${t('wallet.written')}</label>
        <div class="button-row">
          <${Button} testid="create-save" disabled=${!written || !newPasswordOk(password, again, label)}
            onClick=${startCheck}>${t('wallet.checkWords')}<//>
          <${Button} kind="ghost" onClick=${generate}>${t('wallet.newWords')}<//>
        </div>
      </div>`}
  </div>`;
}

function RestoreWallet({ onDone, next }) {
  const [name, setName] = useState(t('wallet.restoredName'));
  const [words, setWords] = useState('');
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const label = name.trim() || t('wallet.restoredName');
  const restore = async () => {
    if (password !== again) throw fail('wallet.passwordsDiffer');
    const wallet = await sdk.walletFromMnemonic(words.trim().toLowerCase().split(/\s+/).join(' '));
    remember(await store.add(wallet, { name: label, password, backup: 'restored' }).catch((err) => { throw walletError(err); }));
    toast(t('wallet.restored', { address: shortAddr(wallet.address) }));
    // Restoring is coming back to one's planet (a business's or operator's page says where to
    // go instead), not to the list of wallets.
    onDone(wallet.address, next || 'resident');
  };
  return html`<div data-testid="wallet-restore">
    <${Field} label=${t('wallet.restoreWords')}>
      <textarea rows="4" data-testid="restore-words" spellcheck="false" autocomplete="off" value=${words}
        onInput=${(e) => setWords(e.target.value)}></textarea><//>
    <${Field} label=${t('wallet.walletName')}><input data-testid="restore-name" value=${name} onInput=${(e) => setName(e.target.value)} /><//>
    <${NewPassword} password=${password} again=${again} setPassword=${setPassword} setAgain=${setAgain}
      name=${label} testid="restore-password" />
    <${Button} testid="restore-submit" disabled=${!words.trim() || !newPasswordOk(password, again, label)}
      onClick=${restore}>${t('wallet.restore')}<//>
  </div>`;
}

function keystoreSealed(text) {
  try { return sdk.keystoreIsEncrypted(text); } catch { return null; } // null: not JSON (yet)
}

function ImportWallet({ onDone, next }) {
  const [text, setText] = useState('');
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [name, setName] = useState('');
  const sealed = keystoreSealed(text);
  const onFile = async (e) => {
    const f = e.target.files && e.target.files[0];
    if (f) setText(await f.text());
  };
  let docName = '';
  try { docName = JSON.parse(text).name || ''; } catch { /* not JSON: the SDK says so on import */ }
  const label = name.trim() || docName || t('wallet.importedName');
  const doImport = async () => {
    if (sealed === false && password !== again) throw fail('wallet.passwordsDiffer');
    const wallet = await sdk.importKeystore(text, sealed ? password : null).catch((err) => { throw walletError(err); });
    // A sealed keystore keeps its own password (sealed again with the store's scrypt); a
    // clear one needs a new password that passes the strength rules.
    remember(await store.add(wallet, { name: label, password, backup: 'imported', checkStrength: !sealed })
      .catch((err) => { throw walletError(err); }));
    toast(t('wallet.imported', { address: shortAddr(wallet.address) }));
    onDone(wallet.address, next);
  };
  const ready = text.trim() && (sealed ? password : newPasswordOk(password, again, label));
  return html`<div data-testid="wallet-import">
    <p class="muted">${t('wallet.importIntro')}</p>
    <div class="form-row">
      <${Field} label=${t('wallet.importFile')}><input type="file" accept=".json,application/json" data-testid="import-file" onChange=${onFile} /><//>
      <${Field} label=${t('wallet.importName')}><input data-testid="import-name" value=${name} onInput=${(e) => setName(e.target.value)} /><//>
    </div>
    <${Field} label=${t('wallet.importPaste')}>
      <textarea rows="6" class="mono" data-testid="import-text" spellcheck="false" value=${text}
        onInput=${(e) => setText(e.target.value)}></textarea><//>
    ${sealed === false
      ? html`<${NewPassword} password=${password} again=${again} setPassword=${setPassword} setAgain=${setAgain}
          name=${label} testid="import-password" label=${t('wallet.importPasswordClear')} />`
      : html`<${Field} label=${t('wallet.importPasswordSealed')}><input type="password" data-testid="import-password"
          value=${password} onInput=${(e) => setPassword(e.target.value)} /><//>`}
    <${Button} testid="import-submit" disabled=${!ready} onClick=${doImport}>${t('wallet.importSubmit')}<//>
  </div>`;
}

function ExportPanel({ entry, onClose }) {
  const [password, setPassword] = useState('');
  const [text, setText] = useState('');
  const make = async () => {
    setText(await store.exportKeystore(entry.address, password).catch((err) => { throw walletError(err); }));
  };
  return html`<div class="export-panel" data-testid="export-panel">
    <p>${t('wallet.exportIntro', { name: entry.name })}</p>
    <div class="form-row">
      <${Field} label=${t('wallet.exportPassword')}><input type="password" data-testid="export-password" value=${password}
        onInput=${(e) => setPassword(e.target.value)} /><//>
    </div>
    <div class="button-row">
      <${Button} testid="export-make" disabled=${!password} onClick=${make}>${t('wallet.exportMake')}<//>
      ${text ? html`<${Button} kind="secondary" onClick=${() => download(`${entry.name.replace(/[^\w.-]+/g, '_')}.json`, text)}>${t('wallet.download')}<//>` : null}
      <${Button} kind="ghost" onClick=${onClose}>${t('wallet.close')}<//>
    </div>
    ${text ? html`<textarea readonly rows="8" class="mono" data-testid="export-text" value=${text}></textarea>` : null}
  </div>`;
}

function AutoLockSetting({ onChanged }) {
  const [minutes, setMinutes] = useState(Math.round(store.autoLockMs / 60000));
  const options = AUTO_LOCK_MINUTES.includes(minutes) ? AUTO_LOCK_MINUTES : [...AUTO_LOCK_MINUTES, minutes].sort((a, b) => a - b);
  const change = (value) => {
    const m = Number(value);
    store.autoLockMs = m * 60000;
    setMinutes(m);
    onChanged();
  };
  return html`<${Field} label=${t('wallet.autoLock')}>
    <select data-testid="autolock-select" value=${minutes} onChange=${(e) => change(e.target.value)}>
      ${options.map((m) => html`<option value=${m}>${t('wallet.minutes', { n: m })}</option>`)}
    </select><//>`;
}

function WalletPage({ ctx, entries, current, onChanged, onSwitch, onSettings }) {
  const tab = ctx.route.parts[1] || (entries.length ? 'list' : 'create');
  const next = ctx.route.query.next;
  const [exporting, setExporting] = useState(null);
  const done = (address, nextRoute) => { onChanged(address); navigate(nextRoute ? `#/${nextRoute}` : '#/wallet/list'); };
  const forget = async (e) => {
    if (!confirm(t('wallet.forgetConfirm', { name: e.name }))) return;
    await store.remove(e.address);
    unlocked.delete(e.address);
    onChanged(null);
  };
  const q = next ? `?next=${encodeURIComponent(next)}` : '';
  const tabs = [
    { id: 'list', label: t('wallet.tabList', { n: entries.length }) },
    { id: 'create', label: t('wallet.tabCreate') },
    { id: 'restore', label: t('wallet.restoreFromWords') },
    { id: 'import', label: t('wallet.importKeystore') },
  ];
  return html`<div class="page" data-testid="wallet-page">
    <h1 class="page-title">${t('wallet.pageTitle')}</h1>
    <p class="muted">${t('wallet.pageIntro')}</p>
    <nav class="tabs" aria-label=${t('wallet.pageTitle')}>${tabs.map((x) => html`<a class=${x.id === tab ? 'tab active' : 'tab'} href=${`#/wallet/${x.id}${q}`}
      aria-current=${x.id === tab ? 'page' : undefined} data-testid=${`wallet-tab-${x.id}`}>${x.label}</a>`)}</nav>
    ${tab === 'create' ? html`<${Card} title=${t('wallet.createTitle')}><${CreateWallet} onDone=${done} next=${next} /><//>` : null}
    ${tab === 'restore' ? html`<${Card} title=${t('wallet.restoreTitle')}><${RestoreWallet} onDone=${done} next=${next} /><//>` : null}
    ${tab === 'import' ? html`<${Card} title=${t('wallet.importTitle')}><${ImportWallet} onDone=${done} next=${next} /><//>` : null}
    ${tab === 'list' ? html`<${Card} title=${t('wallet.listTitle')} testid="wallet-list">
      ${entries.length === 0 ? html`<p class="empty">${t('wallet.none')} <a href="#/wallet/create">${t('wallet.createOne')}</a></p>` : html`
      <ul class="wallet-list">
        ${entries.map((e) => html`<li key=${e.address} class=${e.address === current ? 'current' : ''} data-testid="wallet-row">
          <div class="wl-main">
            <div class="wl-name">${e.name} ${e.address === current ? html`<${Badge} kind="ok">${t('wallet.badgeCurrent')}<//>` : null}
              ${e.clear ? html`<${Badge} kind="warn" testid="wallet-clear">${t('wallet.badgeClear')}<//>`
                : html`<${Badge}>${unlocked.has(e.address) ? t('wallet.badgeUnlocked') : t('wallet.badgeLocked')}<//>`}</div>
            <${Copyable} text=${e.address} testid=${e.address === current ? 'current-address' : undefined} />
          </div>
          <div class="wl-actions">
            ${e.address === current ? null : html`<${Button} small kind="secondary" testid="wallet-use" onClick=${() => onSwitch(e.address)}>${t('wallet.use')}<//>`}
            ${e.clear ? null : html`<${Button} small kind="ghost" testid="wallet-export" onClick=${() => setExporting(e)}>${t('wallet.export')}<//>`}
            <${Button} small kind="danger-ghost" onClick=${() => forget(e)}>${t('wallet.forget')}<//>
          </div>
          ${exporting && exporting.address === e.address ? html`<${ExportPanel} entry=${e} onClose=${() => setExporting(null)} />` : null}
        </li>`)}
      </ul>
      <${AutoLockSetting} onChanged=${onSettings} />`}
    <//>` : null}
  </div>`;
}

// --- unlocking a sealed wallet ---------------------------------------------------------------

function UnlockPrompt({ entry, onUnlocked, onCancel }) {
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const unlock = async () => {
    let wallet;
    try {
      if (entry.clear) {
        if (password !== again) throw fail('wallet.passwordsDiffer');
        wallet = await store.migrate(entry.address, password);
      } else {
        wallet = await store.unlock(entry.address, password);
      }
    } catch (err) {
      throw walletError(err);
    }
    onUnlocked(remember(wallet));
  };
  return html`<div class="modal-back"><div class="modal" data-testid="unlock" role="dialog" aria-modal="true" aria-labelledby="unlock-title">
    <h2 id="unlock-title">${entry.clear ? t('wallet.migrateTitle', { name: entry.name }) : t('wallet.unlockTitle', { name: entry.name })}</h2>
    ${entry.clear ? html`<p class="warn-box" data-testid="migrate-note">${t('wallet.migrateNote')}</p>`
      : html`<p class="muted">${t('wallet.unlockSealed', { address: shortAddr(entry.address) })}</p>`}
    <form onSubmit=${(e) => { e.preventDefault(); }}>
      ${entry.clear
        ? html`<${NewPassword} password=${password} again=${again} setPassword=${setPassword} setAgain=${setAgain}
            name=${entry.name} testid="unlock-password" />`
        : html`<${Field} label=${t('wallet.password')}><input type="password" autofocus data-testid="unlock-password" value=${password}
            autocomplete="current-password" onInput=${(e) => setPassword(e.target.value)} /><//>`}
      <div class="button-row">
        <${Button} type="submit" testid="unlock-submit" disabled=${!password}
          onClick=${unlock}>${entry.clear ? t('wallet.migrateSubmit') : t('wallet.unlock')}<//>
        <${Button} kind="ghost" onClick=${onCancel}>${t('wallet.cancel')}<//>
      </div>
    </form>
  </div></div>`;
}

function NeedWallet({ role, sealed, onUnlock }) {
  if (sealed) {
    return html`<div class="page"><${Card} title=${sealed.clear ? t('wallet.migrateTitle', { name: sealed.name }) : t('wallet.unlockTitle', { name: sealed.name })} testid="need-unlock">
      <p>${sealed.clear ? t('wallet.migrateNote') : t('wallet.needUnlockBody')}</p>
      <div class="button-row"><${Button} testid="need-unlock-open" onClick=${onUnlock}>${t('wallet.unlock')}<//>
        <a class="btn btn-ghost" href="#/wallet/list">${t('wallet.chooseAnother')}</a></div>
    <//></div>`;
  }
  return html`<div class="page"><${Card} title=${t('wallet.needWalletTitle')} testid="need-wallet">
    <p>${t('wallet.needWalletBody')}</p>
    <div class="button-row">
      <a class="btn btn-primary" href=${`#/wallet/create?next=${role}`} data-testid="need-wallet-create">${t('wallet.createWallet')}</a>
      <a class="btn btn-secondary" href=${`#/wallet/restore?next=${role}`}>${t('wallet.restoreFromWords')}</a>
      <a class="btn btn-ghost" href=${`#/wallet/import?next=${role}`}>${t('wallet.importKeystore')}</a>
    </div>
  <//></div>`;
}

/** Whether the browser says it is online (the app shell still opens offline, from the worker). */
function useOnline() {
  const [online, setOnline] = useState(navigator.onLine !== false);
  useEffect(() => {
    const on = () => setOnline(true);
    const off = () => setOnline(false);
    window.addEventListener('online', on);
    window.addEventListener('offline', off);
    return () => { window.removeEventListener('online', on); window.removeEventListener('offline', off); };
  }, []);
  return online;
}

// --- the app -------------------------------------------------------------------------------

function App() {
  const online = useOnline();
  useLocale(); // every page re-renders in the new language when the switch changes it
  const [route, setRoute] = useState(parseHash());
  const [status, setStatus] = useState(null);
  const [statusError, setStatusError] = useState(null);
  const [entries, setEntries] = useState(() => store.list());
  const [current, setCurrent] = useState(store.current);
  const [wallet, setWallet] = useState(undefined); // undefined while a session is looked for
  const [locked, setLocked] = useState(null);
  const [settings, setSettings] = useState(0); // bumped when the auto-lock time changes

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
        const s = await (fromBoot('status') ?? api.status());
        if (stop) return;
        if (s.timezone != null) setTimezone(s.timezone);
        loaded = true;
        setStatus(s); setStatusError(null);
      } catch (err) { if (!stop) setStatusError(err); }
    };
    load();
    const off = onBlock((b) => setStatus((s) => (s ? { ...s, height: b.height ?? s.height, time: b.time ?? s.time } : s)));
    const retry = setInterval(() => { if (!loaded) load(); }, 3000);
    return () => { stop = true; off(); clearInterval(retry); };
  }, []);

  // Open the current wallet: its session if it is still unlocked (this page, another tab or
  // before a reload, within the auto-lock), else ask for its password.
  useEffect(() => {
    const entry = entries.find((e) => e.address === current);
    if (!entry) { setWallet(null); return undefined; }
    if (unlocked.has(entry.address)) { setWallet(unlocked.get(entry.address)); return undefined; }
    let stale = false;
    setWallet(undefined);
    const ask = () => { if (!stale) { setWallet(null); setLocked(entry); } };
    if (entry.clear) { ask(); return () => { stale = true; }; }
    (fromBoot('session', entry.address) ?? store.resume(entry.address)).then((w) => {
      if (stale) return;
      if (w) setWallet(remember(w)); else ask();
    }).catch((err) => { console.warn(err); ask(); });
    return () => { stale = true; };
  }, [current, entries]);

  const lockAll = async (why) => {
    await store.lock();
    unlocked.clear();
    setWallet(null);
    const entry = store.list().find((e) => e.address === store.current);
    if (entry) setLocked(entry);
    toast(why);
  };

  // Auto-lock: every wallet locks once the page has seen no activity for the set time;
  // activity also pushes back the session's idle clock in IndexedDB (for reloads and tabs).
  useEffect(() => {
    if (!wallet) return undefined;
    const address = wallet.address;
    const timer = new sdk.IdleTimer(store.autoLockMs, () => { lockAll(t('wallet.lockedIdle')); });
    const seen = () => { timer.activity(); store.touch(address); };
    for (const name of ACTIVITY) window.addEventListener(name, seen, { passive: true });
    return () => {
      timer.stop();
      for (const name of ACTIVITY) window.removeEventListener(name, seen);
    };
  }, [wallet?.address, settings]);

  useEffect(() => { connectLive('', wallet?.address); }, [wallet?.address]);

  // What others did for this wallet (a deposit, a voucher, Force from a partner) is news.
  useEffect(() => {
    if (!wallet) return undefined;
    return onTx((tx) => {
      if (tx.sender === wallet.address || tx.code !== 0) return;
      for (const type of tx.types || []) {
        const text = NEWS[type];
        if (text) toast(t(text));
      }
    });
  }, [wallet?.address]);

  const refresh = (address) => {
    setEntries(store.list());
    setCurrent(address ?? store.current);
  };
  const switchTo = (address) => {
    if (address === '__manage') { navigate('#/wallet/list'); return; }
    store.current = address;
    setLocked(null);
    setCurrent(address);
  };

  const ctx = { api, wallet: wallet || null, status, route, navigate, toast, walletName: entries.find((e) => e.address === current)?.name };
  const section = route.parts[0] || '';
  let page;
  if (section === '') page = html`<${Landing} status=${status} wallet=${wallet} />`;
  else if (section === 'wallet') page = html`<${WalletPage} ctx=${ctx} entries=${entries} current=${current} onChanged=${refresh}
    onSwitch=${switchTo} onSettings=${() => setSettings((n) => n + 1)} />`;
  else if (section === 'explorer') page = html`<${LazyPage} name="explorer" ctx=${ctx} />`;
  else if (section === 'signin') {
    const entry = entries.find((e) => e.address === current) || null;
    page = html`<${SigninPage} ctx=${ctx} entry=${entry} onUnlock=${() => setLocked(entry)} />`;
  }
  else if (['resident', 'business', 'operator'].includes(section)) {
    const entry = entries.find((e) => e.address === current);
    // While a sealed wallet's session is being resumed, the resident's pages already render
    // from the ledger under its (public) address; signing waits for the session, and a
    // wallet that turns out locked asks for its password instead.
    if (wallet === undefined) {
      page = section === 'resident' && entry && !entry.clear
        ? html`<${ResidentPage} key=${entry.address} ctx=${{ ...ctx, wallet: opening(entry.address) }} />`
        : html`<div class="page"><${Loading} /></div>`;
    }
    else if (!wallet) page = html`<${NeedWallet} role=${section} sealed=${entry || null} onUnlock=${() => setLocked(entry)} />`;
    else if (section === 'resident') page = html`<${ResidentPage} key=${wallet.address} ctx=${ctx} />`;
    else page = html`<${LazyPage} name=${section} key=${`${section}:${wallet.address}`} ctx=${ctx} />`;
  } else page = html`<div class="page"><${Card} title=${t('shell.notFound')}><p>${t('shell.noPage', { hash: route.hash })} <a href="#/">${t('shell.home')}</a></p><//></div>`;

  return html`<div class="app">
    <a class="skip-link" href="#main" onClick=${(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>${t('shell.skip')}</a>
    <${TopBar} status=${status} route=${route} entries=${entries} current=${current} onSwitch=${switchTo}
      wallet=${wallet} onLock=${() => lockAll(t('wallet.locked'))} />
    ${!online ? html`<div class="banner" role="status" data-testid="offline-banner">${t('wallet.offline')}</div>`
      : statusError && !status ? html`<div class="banner" role="status" data-testid="offline">${t('shell.unreachable', { error: errorMessage(statusError) })}</div>` : null}
    <main class="main" id="main" tabindex="-1">${page}</main>
    <footer class="footer">${t('shell.brand')} ${status?.version ? `v${status.version}` : ''} · ${t('shell.footerKeys')} ·${' '}
      <a href="/docs" target="_blank" rel="noopener">${t('shell.api')}</a></footer>
    ${locked ? html`<${UnlockPrompt} key=${locked.address} entry=${locked}
      onUnlocked=${(w) => { setLocked(null); setEntries(store.list()); setWallet(w); }}
      onCancel=${() => setLocked(null)} />` : null}
    <${Toasts} />
  </div>`;
}

render(html`<${App} />`, document.getElementById('app'));

// The service worker keeps the app shell (this build's pages, scripts, styles and icons) so
// the app opens offline; it never answers the API. Browsers offer workers to secure pages
// only (https, or http on localhost / 127.0.0.1).
// It is registered once the page has loaded, so that a first visit's downloads for the cache
// never compete with the page's own.
if ('serviceWorker' in navigator && window.isSecureContext) {
  const register = () => navigator.serviceWorker.register('/sw.js').catch((err) => console.warn('no offline app shell:', err));
  if (document.readyState === 'complete') register(); else window.addEventListener('load', register, { once: true });
}
