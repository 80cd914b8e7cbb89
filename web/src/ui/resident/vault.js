// The vault: records sealed in this browser to the resident's own key; the ledger holds
// only their hashes, the node only ciphertext. Viewing downloads and opens here; erasing
// deletes the ciphertext and ends every grant of the record.
import { useState } from 'preact/hooks';
import {
  html, t, tr, useLive, Button, Card, ErrorBox, Loading, Badge, Field, toast, formatTime, formatNumber, shortAddr,
} from '../common.js';
import { CATEGORIES, categoryLabel } from '../../i18n/labels.js';

function prettyPlaintext(text) {
  try {
    const v = JSON.parse(text);
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return html`<dl class="kv">${Object.entries(v).map(([k, x]) => html`<dt>${k}</dt><dd>${typeof x === 'string' ? x : JSON.stringify(x)}</dd>`)}</dl>`;
    }
  } catch { /* plain text */ }
  return null;
}

function RecordRow({ ctx, record, name, onErased }) {
  const { api, wallet } = ctx;
  const [plain, setPlain] = useState(null);
  const [confirming, setConfirming] = useState(false);
  const view = async () => {
    if (plain !== null) { setPlain(null); return; }
    setPlain(await api.readRecordText(wallet, record.digest));
  };
  const erase = async () => {
    await api.eraseRecord(wallet, record.digest);
    toast(t('vault.erased'));
    onErased();
  };
  const pretty = plain !== null ? prettyPlaintext(plain) : null;
  return html`<li class=${`record${record.erased_at ? ' erased' : ''}`} data-testid="record" data-digest=${record.digest}>
    <div class="record-main">
      <div class="record-title"><${Badge} kind="brand">${categoryLabel(record.category)}<//>
        <span class="muted small">${record.source === wallet.address ? t('vault.addedByYou')
          : tr('vault.depositedBy', { who: html`<a href=${`#/explorer/account/${record.source}`} title=${record.source}
            data-testid="record-source">${name || shortAddr(record.source)}</a>` })}</span>
        ${record.erased_at ? html`<${Badge} kind="bad">${t('vault.erasedAt', { time: formatTime(record.erased_at, { seconds: false }) })}<//>` : null}</div>
      <div class="muted small">${formatTime(record.time)} · ${t('vault.bytes', { n: formatNumber(record.size) })} ·
        <code title=${record.digest}>${record.digest.slice(0, 12)}…</code></div>
    </div>
    ${record.erased_at ? null : html`<div class="record-actions">
      <${Button} small kind="secondary" testid="record-view" onClick=${view}>${plain !== null ? t('vault.hide') : t('vault.view')}<//>
      ${confirming ? html`<${Button} small kind="danger" testid="record-erase-confirm" onClick=${erase} busyLabel=${t('vault.erasing')}>${t('vault.eraseForGood')}<//>
        <${Button} small kind="ghost" onClick=${() => setConfirming(false)}>${t('vault.keep')}<//>`
        : html`<${Button} small kind="danger-ghost" testid="record-erase" onClick=${() => setConfirming(true)}>${t('vault.erase')}<//>`}
    </div>`}
    ${plain !== null ? html`<div class="plaintext" data-testid="record-plaintext">
      <div class="muted small">${t('vault.decrypted')}</div>
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
    toast(t('depositors.allowed', { name: nameOf(choice) }));
    setChoice('');
    data.reload();
  };
  const revoke = async (business) => {
    await api.revokeDepositor(wallet, business);
    toast(t('depositors.revoked', { name: nameOf(business) }));
    data.reload();
  };
  return html`<${Card} title=${t('depositors.title')} subtitle=${t('depositors.subtitle')} testid="depositors">
    ${allowed.length === 0 ? html`<p class="empty" data-testid="depositors-empty">${t('depositors.none')}</p>`
      : html`<ul class="records">${allowed.map((a) => html`<li class="record" data-testid="depositor" data-business=${a.business}>
        <div class="record-main"><strong>${nameOf(a.business)}</strong>
          <div class="muted small">${t('depositors.since', { time: formatTime(a.since, { seconds: false }) })} · <code>${shortAddr(a.business)}</code></div></div>
        <div class="record-actions"><${Button} small kind="danger-ghost" testid="depositor-revoke"
          onClick=${() => revoke(a.business)} busyLabel=${t('depositors.revoking')}>${t('depositors.revoke')}<//></div>
      </li>`)}</ul>`}
    ${others.length ? html`<div class="form-row">
      <${Field} label=${t('depositors.choose')}><select data-testid="depositor-choice" value=${choice} onChange=${(e) => setChoice(e.target.value)}>
        <option value="">—</option>
        ${others.map((b) => html`<option value=${b.address}>${b.name}</option>`)}</select><//>
      <div class="form-actions"><${Button} small testid="depositor-allow" disabled=${!choice} onClick=${allow}
        busyLabel=${t('depositors.allowing')}>${t('depositors.allow')}<//></div>
    </div>` : null}
  <//>`;
}

export function VaultView({ ctx }) {
  const { api, wallet } = ctx;
  const [showErased, setShowErased] = useState(false);
  const live = useLive(async () => {
    const page = await api.query('vault/records', { owner: wallet.address, erased: showErased, limit: 500 });
    const names = await api.businessNames(page.records.map((r) => r.source).filter((x) => x !== wallet.address));
    return { ...page, names };
  }, [wallet.address, showErased]);
  const [category, setCategory] = useState('other');
  const [text, setText] = useState('');
  const add = async () => {
    const digest = await api.addRecord(wallet, text, category);
    toast(t('vault.added', { digest: `${digest.slice(0, 10)}…` }));
    setText('');
    live.reload();
  };
  const records = live.data ? [...live.data.records].reverse() : [];
  return html`<div class="grid grid-2 vault" data-testid="vault">
    <${Card} title=${t('vault.addTitle')} subtitle=${t('vault.addSub')}>
      <form onSubmit=${(e) => e.preventDefault()}>
        <${Field} label=${t('vault.category')}><select data-testid="record-category" value=${category} onChange=${(e) => setCategory(e.target.value)}>
          ${CATEGORIES.map((c) => html`<option value=${c}>${categoryLabel(c)}</option>`)}</select><//>
        <${Field} label=${t('vault.content')}><textarea rows="5" data-testid="record-text" value=${text}
          placeholder=${t('vault.contentPlaceholder')} onInput=${(e) => setText(e.target.value)}></textarea><//>
        <${Button} type="submit" testid="record-add" disabled=${!text.trim()} onClick=${add} busyLabel=${t('vault.sealing')}>${t('vault.add')}<//>
      </form>
    <//>
    <${Card} title=${t('vault.mine')} subtitle=${live.data ? t('vault.count', { n: live.data.total }) : ''}
      actions=${html`<label class="check small"><input type="checkbox" checked=${showErased}
        onChange=${(e) => setShowErased(e.target.checked)} /> ${t('vault.showErased')}</label>`}>
      ${live.data === undefined ? (live.error ? html`<${ErrorBox} error=${live.error} />` : html`<${Loading} />`)
        : records.length === 0 ? html`<p class="empty" data-testid="records-empty">${t('vault.empty')}</p>`
        : html`<ul class="records">${records.map((r) => html`<${RecordRow} key=${r.digest} ctx=${ctx} record=${r} name=${live.data.names[r.source]} onErased=${live.reload} />`)}</ul>`}
    <//>
    <${Depositors} ctx=${ctx} />
  </div>`;
}
