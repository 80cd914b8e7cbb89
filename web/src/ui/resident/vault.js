// The vault: records sealed in this browser to the resident's own key; the ledger holds
// only their hashes, the node only ciphertext. Viewing downloads and opens here; erasing
// deletes the ciphertext and ends every grant of the record.
import { useState } from 'preact/hooks';
import {
  html, useLive, Button, Card, Table, ErrorBox, Loading, Badge, Field, toast, formatTime, shortAddr,
} from '../common.js';
import { CATEGORIES } from './data.js';

// Strings of the deposit allowances (issue 15), Chinese first, until the app has an i18n
// layer (issue 16) to move them into.
const MESSAGES = {
  zh: {
    title: '允许存入的商家',
    subtitle: '只有你允许的商家才能向你的数据仓库存入记录；你可以随时撤销，已存入的记录仍归你所有。',
    none: '你还没有允许任何商家存入记录。',
    since: '允许于',
    revoke: '撤销',
    revoking: '正在撤销…',
    allow: '允许存入',
    allowing: '正在签名…',
    choose: '选择商家',
    allowed: (name) => `已允许 ${name} 存入记录`,
    revoked: (name) => `已撤销 ${name} 的存入权限`,
  },
  en: {
    title: 'Businesses allowed to deposit',
    subtitle: 'Only businesses you allow can put records into your vault; revoke at any time, and what they deposited stays yours.',
    none: 'You allow no business to deposit records.',
    since: 'allowed',
    revoke: 'Revoke',
    revoking: 'Revoking…',
    allow: 'Allow deposits',
    allowing: 'Signing…',
    choose: 'Choose a business',
    allowed: (name) => `${name} may now deposit records`,
    revoked: (name) => `${name} may no longer deposit`,
  },
};
const T = MESSAGES[(globalThis.navigator?.language || 'zh').toLowerCase().startsWith('en') ? 'en' : 'zh'];

function prettyPlaintext(text) {
  try {
    const v = JSON.parse(text);
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return html`<dl class="kv">${Object.entries(v).map(([k, x]) => html`<dt>${k}</dt><dd>${typeof x === 'string' ? x : JSON.stringify(x)}</dd>`)}</dl>`;
    }
  } catch { /* plain text */ }
  return null;
}

function RecordRow({ ctx, record, onErased }) {
  const { api, wallet } = ctx;
  const [plain, setPlain] = useState(null);
  const [confirming, setConfirming] = useState(false);
  const view = async () => {
    if (plain !== null) { setPlain(null); return; }
    setPlain(await api.readRecordText(wallet, record.digest));
  };
  const erase = async () => {
    await api.eraseRecord(wallet, record.digest);
    toast('Record erased: the ciphertext is deleted and its grants ended');
    onErased();
  };
  const pretty = plain !== null ? prettyPlaintext(plain) : null;
  return html`<li class=${`record${record.erased_at ? ' erased' : ''}`} data-testid="record" data-digest=${record.digest}>
    <div class="record-main">
      <div class="record-title"><${Badge} kind="brand">${record.category}<//>
        <span class="muted small">${record.source === wallet.address ? 'added by you' : html`deposited by <a href=${`#/explorer/account/${record.source}`}>${shortAddr(record.source)}</a>`}</span>
        ${record.erased_at ? html`<${Badge} kind="bad">erased ${formatTime(record.erased_at, { seconds: false })}<//>` : null}</div>
      <div class="muted small">${formatTime(record.time)} · ${record.size.toLocaleString('en-US')} bytes encrypted ·
        <code title=${record.digest}>${record.digest.slice(0, 12)}…</code></div>
    </div>
    ${record.erased_at ? null : html`<div class="record-actions">
      <${Button} small kind="secondary" testid="record-view" onClick=${view}>${plain !== null ? 'Hide' : 'View'}<//>
      ${confirming ? html`<${Button} small kind="danger" testid="record-erase-confirm" onClick=${erase} busyLabel="Erasing…">Erase for good<//>
        <${Button} small kind="ghost" onClick=${() => setConfirming(false)}>Keep<//>`
        : html`<${Button} small kind="danger-ghost" testid="record-erase" onClick=${() => setConfirming(true)}>Erase<//>`}
    </div>`}
    ${plain !== null ? html`<div class="plaintext" data-testid="record-plaintext">
      <div class="muted small">Decrypted in this browser</div>
      ${pretty || html`<pre>${plain}</pre>`}</div>` : null}
  </li>`;
}

/** The businesses the resident allows to deposit, with revoke, and a form to allow one. */
export function Depositors({ ctx }) {
  const { api, wallet } = ctx;
  const data = useLive(async () => {
    const [allowed, businesses] = await Promise.all([
      api.depositors(wallet.address), api.get('/businesses').then((b) => b.items),
    ]);
    return { allowed, businesses };
  }, [wallet.address]);
  const [choice, setChoice] = useState('');
  if (data.data === undefined) return data.error ? html`<${ErrorBox} error=${data.error} />` : html`<${Loading} />`;
  const { allowed, businesses } = data.data;
  const nameOf = (address) => businesses.find((b) => b.address === address)?.name || shortAddr(address);
  const others = businesses.filter((b) => !allowed.some((a) => a.business === b.address));
  const allow = async () => {
    await api.allowDepositor(wallet, choice);
    toast(T.allowed(nameOf(choice)));
    setChoice('');
    data.reload();
  };
  const revoke = async (business) => {
    await api.revokeDepositor(wallet, business);
    toast(T.revoked(nameOf(business)));
    data.reload();
  };
  return html`<${Card} title=${T.title} subtitle=${T.subtitle} testid="depositors">
    ${allowed.length === 0 ? html`<p class="empty" data-testid="depositors-empty">${T.none}</p>`
      : html`<ul class="records">${allowed.map((a) => html`<li class="record" data-testid="depositor" data-business=${a.business}>
        <div class="record-main"><strong>${nameOf(a.business)}</strong>
          <div class="muted small">${T.since} ${formatTime(a.since, { seconds: false })} · <code>${shortAddr(a.business)}</code></div></div>
        <div class="record-actions"><${Button} small kind="danger-ghost" testid="depositor-revoke"
          onClick=${() => revoke(a.business)} busyLabel=${T.revoking}>${T.revoke}<//></div>
      </li>`)}</ul>`}
    ${others.length ? html`<div class="form-row">
      <${Field} label=${T.choose}><select data-testid="depositor-choice" value=${choice} onChange=${(e) => setChoice(e.target.value)}>
        <option value="">—</option>
        ${others.map((b) => html`<option value=${b.address}>${b.name}</option>`)}</select><//>
      <div class="form-actions"><${Button} small testid="depositor-allow" disabled=${!choice} onClick=${allow}
        busyLabel=${T.allowing}>${T.allow}<//></div>
    </div>` : null}
  <//>`;
}

export function VaultView({ ctx }) {
  const { api, wallet } = ctx;
  const [showErased, setShowErased] = useState(false);
  const live = useLive(() => api.query('vault/records', { owner: wallet.address, erased: showErased, limit: 500 }),
    [wallet.address, showErased]);
  const [category, setCategory] = useState('other');
  const [text, setText] = useState('');
  const add = async () => {
    const digest = await api.addRecord(wallet, text, category);
    toast(`Record added (${digest.slice(0, 10)}…)`);
    setText('');
    live.reload();
  };
  const records = live.data ? [...live.data.records].reverse() : [];
  return html`<div class="grid grid-2 vault" data-testid="vault">
    <${Card} title="Add a record" subtitle="Sealed here to your own key before it leaves this browser.">
      <form onSubmit=${(e) => e.preventDefault()}>
        <${Field} label="Category"><select data-testid="record-category" value=${category} onChange=${(e) => setCategory(e.target.value)}>
          ${CATEGORIES.map((c) => html`<option value=${c}>${c}</option>`)}</select><//>
        <${Field} label="Content"><textarea rows="5" data-testid="record-text" value=${text}
          placeholder="e.g. My running log: 5 km on Monday, 8 km on Thursday" onInput=${(e) => setText(e.target.value)}></textarea><//>
        <${Button} type="submit" testid="record-add" disabled=${!text.trim()} onClick=${add} busyLabel="Sealing and uploading…">Add to my vault<//>
      </form>
    <//>
    <${Card} title="My records" subtitle=${live.data ? `${live.data.total} record${live.data.total === 1 ? '' : 's'}` : ''}
      actions=${html`<label class="check small"><input type="checkbox" checked=${showErased}
        onChange=${(e) => setShowErased(e.target.checked)} /> show erased</label>`}>
      ${live.data === undefined ? (live.error ? html`<${ErrorBox} error=${live.error} />` : html`<${Loading} />`)
        : records.length === 0 ? html`<p class="empty" data-testid="records-empty">Your vault is empty.</p>`
        : html`<ul class="records">${records.map((r) => html`<${RecordRow} key=${r.digest} ctx=${ctx} record=${r} onErased=${live.reload} />`)}</ul>`}
    <//>
    <${Depositors} ctx=${ctx} />
  </div>`;
}
