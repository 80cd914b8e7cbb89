// Joining: register with an invitation code (and make three codes of one's own in the
// same transaction), then the real-name check, sealed in this browser to the verifier.
import { useState } from 'preact/hooks';
import { html, useLive, Button, Card, Field, toast, shortAddr } from '../common.js';
import { saveInviteCodes } from './data.js';
import { describeAuthority, identityMessages } from '../identity-messages.js';

function Steps({ step }) {
  const items = ['Invitation code', 'Verify identity', 'Your planet'];
  return html`<ol class="steps" data-testid="onboarding-steps">
    ${items.map((label, i) => html`<li class=${i + 1 < step ? 'done' : i + 1 === step ? 'now' : ''}>
      <span class="step-n">${i + 1 < step ? '✓' : i + 1}</span>${label}</li>`)}
  </ol>`;
}

export function Onboarding({ ctx, onDone }) {
  const { api, wallet } = ctx;
  const [code, setCode] = useState(ctx.route.query.code || '');
  const register = async () => {
    const { codes } = await api.register(wallet, code.trim(), { ownInvites: 3 });
    saveInviteCodes(wallet.address, codes);
    toast('Welcome to Planet! You are a resident now.');
    onDone();
  };
  return html`<div class="page onboarding" data-testid="onboarding">
    <h1 class="page-title">Join Planet</h1>
    <${Steps} step=${1} />
    <div class="grid grid-2">
      <${Card} title="Enter your invitation code" subtitle="Planet grows by invitation: ask a resident for one of their codes.">
        <form onSubmit=${(e) => e.preventDefault()}>
          <${Field} label="Invitation code" hint="16 letters and digits, like ABCD-EFGH-JKMN-PQRS">
            <input class="mono code-input" data-testid="invite-code" value=${code} autocomplete="off"
              spellcheck="false" placeholder="XXXX-XXXX-XXXX-XXXX" onInput=${(e) => setCode(e.target.value)} />
          <//>
          <${Button} type="submit" testid="register-submit" disabled=${!code.trim()} onClick=${register}
            busyLabel="Joining…">Join Planet<//>
        </form>
      <//>
      <${Card} title="What happens">
        <ul class="plain-list">
          <li>Your wallet <code>${shortAddr(wallet.address)}</code> registers as a resident, signed in this browser.</li>
          <li>You get <b>3 invitation codes</b> of your own to share. They are made here: only their hashes go on the ledger.</li>
          <li>Next, verify your identity once to earn Force and start collecting diamonds.</li>
        </ul>
      <//>
    </div>
  </div>`;
}

export function VerifyIdentity({ ctx, onDone, compact }) {
  const { api, wallet } = ctx;
  const m = identityMessages();
  const verifier = useLive(() => api.verifier().catch((err) => ({ error: err })), []);
  const [name, setName] = useState('');
  const [idNumber, setIdNumber] = useState('');
  const [phone, setPhone] = useState('');
  const [code, setCode] = useState('');
  const [sent, setSent] = useState(null); // {phone, phone_ending, valid_s} once a code is sent
  const [keepCopy, setKeepCopy] = useState(true);
  if (compact) {
    return html`<div class="warn-box" data-testid="verify-banner">Your identity is not verified yet: you earn no
      Force from it until it is. <a href="#/resident/planet">Verify now</a></div>`;
  }
  const v = verifier.data;
  const sendCode = async () => {
    const res = await api.sendIdentityCode(wallet, phone.trim());
    setSent({ ...res, phone: phone.trim() });
    setCode('');
  };
  const submit = async () => {
    const details = { name: name.trim(), id_number: idNumber.trim(), phone: phone.trim() };
    const res = await api.verifyIdentity(wallet, { ...details, code: code.trim() });
    toast(`Identity verified in block #${res.height}`);
    if (keepCopy) {
      try {
        await api.addRecord(wallet, JSON.stringify(details), 'identity');
        toast('A copy is in your vault, encrypted to you');
      } catch (err) {
        toast(`Verified, but the vault copy failed: ${err.message}`, 'error');
      }
    }
    setName(''); setIdNumber(''); setPhone(''); setCode(''); setSent(null);
    onDone();
  };
  const codeSent = sent && sent.phone === phone.trim();
  return html`<div data-testid="verify">
    <${Steps} step=${2} />
    <${Card} title="Verify your identity" testid="verify-card"
      subtitle="One person, one verified account. Verification earns you Force, which is what earns diamonds.">
      <div class="grid grid-2">
        <form onSubmit=${(e) => e.preventDefault()}>
          <${Field} label="Full name"><input data-testid="id-name" value=${name} autocomplete="off"
            onInput=${(e) => setName(e.target.value)} /><//>
          <${Field} label="Resident ID number" hint="18 characters: 17 digits and a check digit or X">
            <input class="mono" data-testid="id-number" value=${idNumber} autocomplete="off" spellcheck="false"
              onInput=${(e) => setIdNumber(e.target.value)} /><//>
          <${Field} label="Mobile phone" hint="We text it a code: one phone backs one verified account.">
            <input data-testid="id-phone" value=${phone} autocomplete="off"
            inputmode="tel" onInput=${(e) => setPhone(e.target.value)} /><//>
          <${Button} kind=${codeSent ? 'secondary' : 'primary'} testid="code-send" disabled=${!phone.trim()}
            onClick=${sendCode} busyLabel="Sending…">${codeSent ? m.resendCode : m.sendCode}<//>
          ${codeSent ? html`
            <p class="notice good" data-testid="code-sent">${m.codeSent(sent.phone_ending, Math.round(sent.valid_s / 60))}</p>
            <${Field} label=${m.codeLabel} hint=${m.codeHint}>
              <input class="mono code-input" data-testid="id-code" value=${code} autocomplete="one-time-code"
                inputmode="numeric" maxlength="6" onInput=${(e) => setCode(e.target.value)} /><//>
            <label class="check"><input type="checkbox" data-testid="id-keep-copy" checked=${keepCopy}
              onChange=${(e) => setKeepCopy(e.target.checked)} /> Keep a copy in my vault (encrypted to me)</label>
            <${Button} type="submit" testid="verify-submit"
              disabled=${!name.trim() || !idNumber.trim() || code.trim().length !== 6}
              onClick=${submit} busyLabel="Verifying…">Verify my identity<//>` : null}
        </form>
        <div class="privacy">
          <h3>Your details stay private</h3>
          <ul class="plain-list">
            <li>They are sealed <b>in this browser</b> (HPKE) to the identity verifier's key
              ${v && !v.error ? html`(<b>${v.name || 'verifier'}</b>, <code>${shortAddr(v.address)}</code>)` : null}.</li>
            <li>The verifier checks them in memory and keeps nothing: no name, ID number, phone or code is stored or logged.</li>
            <li>The ledger gets only <i>nullifiers</i>, keyed hashes that stop a second account for the same person or the same phone.</li>
          </ul>
          ${v && !v.error ? html`<p class=${v.authority_kind === 'checksum' ? 'warn-box' : 'muted'} data-testid="verify-authority">
            ${m.authorityLabel}: ${describeAuthority(v.authority_kind, v.authority, m)}</p>` : null}
          ${v && v.error ? html`<p class="error-box" data-testid="verifier-missing">This node has no identity verifier: ${v.error.message}</p>` : null}
        </div>
      </div>
    <//>
  </div>`;
}
