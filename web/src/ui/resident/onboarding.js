// Joining: register with an invitation code (and make three codes of one's own in the
// same transaction), then the real-name check, sealed in this browser to the verifier.
import { useState } from 'preact/hooks';
import {
  html, t, useLive, Button, Card, Field, toast, shortAddr, errorMessage, describeAuthority,
} from '../common.js';
import { saveInviteCodes } from './data.js';

function Steps({ step }) {
  const items = [t('onboard.step.code'), t('onboard.step.verify'), t('onboard.step.planet')];
  return html`<ol class="steps" data-testid="onboarding-steps" aria-label=${t('onboard.steps')}>
    ${items.map((label, i) => html`<li class=${i + 1 < step ? 'done' : i + 1 === step ? 'now' : ''}>
      aria-current=${i + 1 === step ? 'step' : undefined}>
      <span class="step-n" aria-hidden="true">${i + 1 < step ? '✓' : i + 1}</span>${label}</li>`)}
  </ol>`;
}

export function Onboarding({ ctx, onDone }) {
  const { api, wallet } = ctx;
  const [code, setCode] = useState(ctx.route.query.code || '');
  const register = async () => {
    const { codes } = await api.register(wallet, code.trim(), { ownInvites: 3 });
    saveInviteCodes(wallet.address, codes);
    toast(t('onboard.welcome'));
    onDone();
  };
  return html`<div class="page onboarding" data-testid="onboarding">
    <h1 class="page-title">${t('onboard.title')}</h1>
    <${Steps} step=${1} />
    <div class="grid grid-2">
      <${Card} title=${t('onboard.codeTitle')} subtitle=${t('onboard.codeSub')}>
        <form onSubmit=${(e) => e.preventDefault()}>
          <${Field} label=${t('onboard.codeLabel')} hint=${t('onboard.codeHint')}>
            <input class="mono code-input" data-testid="invite-code" value=${code} autocomplete="off"
              spellcheck="false" placeholder="XXXX-XXXX-XXXX-XXXX" onInput=${(e) => setCode(e.target.value)} />
          <//>
          <${Button} type="submit" testid="register-submit" disabled=${!code.trim()} onClick=${register}
            busyLabel=${t('onboard.joining')}>${t('onboard.join')}<//>
        </form>
      <//>
      <${Card} title=${t('onboard.whatHappens')}>
        <ul class="plain-list">
          <li>${t('onboard.happens1', { address: shortAddr(wallet.address) })}</li>
          <li>${t('onboard.happens2')}</li>
          <li>${t('onboard.happens3')}</li>
        </ul>
      <//>
    </div>
  </div>`;
}

export function VerifyIdentity({ ctx, onDone, compact }) {
  const { api, wallet } = ctx;
  const verifier = useLive(() => api.verifier().catch((err) => ({ error: err })), []);
  const [name, setName] = useState('');
  const [idNumber, setIdNumber] = useState('');
  const [phone, setPhone] = useState('');
  const [code, setCode] = useState('');
  const [sent, setSent] = useState(null); // {phone, phone_ending, valid_s} once a code is sent
  const [keepCopy, setKeepCopy] = useState(true);
  if (compact) {
    return html`<div class="warn-box" data-testid="verify-banner">${t('verify.banner')}
      <a href="#/resident/planet">${t('verify.now')}</a></div>`;
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
    toast(t('verify.done', { height: res.height }));
    if (keepCopy) {
      try {
        await api.addRecord(wallet, JSON.stringify(details), 'identity');
        toast(t('verify.copyKept'));
      } catch (err) {
        toast(t('verify.copyFailed', { error: errorMessage(err) }), 'error');
      }
    }
    setName(''); setIdNumber(''); setPhone(''); setCode(''); setSent(null);
    onDone();
  };
  const codeSent = sent && sent.phone === phone.trim();
  return html`<div data-testid="verify">
    <${Steps} step=${2} />
    <${Card} title=${t('verify.title')} testid="verify-card" subtitle=${t('verify.sub')}>
      <div class="grid grid-2">
        <form onSubmit=${(e) => e.preventDefault()}>
          <${Field} label=${t('verify.name')}><input data-testid="id-name" value=${name} autocomplete="off"
            onInput=${(e) => setName(e.target.value)} /><//>
          <${Field} label=${t('verify.idNumber')} hint=${t('verify.idNumberHint')}>
            <input class="mono" data-testid="id-number" value=${idNumber} autocomplete="off" spellcheck="false"
              onInput=${(e) => setIdNumber(e.target.value)} /><//>
          <${Field} label=${t('verify.phone')} hint=${t('verify.phoneHint')}>
            <input data-testid="id-phone" value=${phone} autocomplete="off"
            inputmode="tel" onInput=${(e) => setPhone(e.target.value)} /><//>
          <${Button} kind=${codeSent ? 'secondary' : 'primary'} testid="code-send" disabled=${!phone.trim()}
            onClick=${sendCode} busyLabel=${t('verify.sending')}>${codeSent ? t('identity.resendCode') : t('identity.sendCode')}<//>
          ${codeSent ? html`
            <p class="notice good" data-testid="code-sent">${t('identity.codeSent', { ending: sent.phone_ending, minutes: Math.round(sent.valid_s / 60) })}</p>
            <${Field} label=${t('identity.codeLabel')} hint=${t('identity.codeHint')}>
              <input class="mono code-input" data-testid="id-code" value=${code} autocomplete="one-time-code"
                inputmode="numeric" maxlength="6" onInput=${(e) => setCode(e.target.value)} /><//>
            <label class="check"><input type="checkbox" data-testid="id-keep-copy" checked=${keepCopy}
              onChange=${(e) => setKeepCopy(e.target.checked)} /> ${t('verify.keepCopy')}</label>
            <${Button} type="submit" testid="verify-submit"
              disabled=${!name.trim() || !idNumber.trim() || code.trim().length !== 6}
              onClick=${submit} busyLabel=${t('verify.verifying')}>${t('verify.submit')}<//>` : null}
        </form>
        <div class="privacy">
          <h3>${t('verify.privateTitle')}</h3>
          <ul class="plain-list">
            <li>${t('verify.private1')}
              ${v && !v.error ? html`(<b>${v.name || t('kind.verifier')}</b>, <code>${shortAddr(v.address)}</code>)` : null}</li>
            <li>${t('verify.private2')}</li>
            <li>${t('verify.private3')}</li>
          </ul>
          ${v && !v.error ? html`<p class=${v.authority_kind === 'checksum' ? 'warn-box' : 'muted'} data-testid="verify-authority">
            ${t('identity.authorityLabel')}: ${describeAuthority(v.authority_kind, v.authority)}</p>` : null}
          ${v && v.error ? html`<p class="error-box" data-testid="verifier-missing">${t('verify.noVerifier', { error: errorMessage(v.error) })}</p>` : null}
        </div>
      </div>
    <//>
  </div>`;
}
