// The business console before approval (issue 17): the applicant fills in its name, a public
// contact and what it offers, and the application is signed here by the wallet's new key and
// put on the ledger (the keys go with it; no private key leaves this browser). Then the page
// shows its status on every block: waiting, declined with the operator's reason (and when it
// may apply again), or withdrawn; once approved, the console opens by itself.
import { useState } from 'preact/hooks';
import { html, t, fail, useLive, formatTime, formatDuration, Card, ErrorBox, Loading, Button, Field, Badge, toast } from '../common.js';
import { utf8Length } from '../operator/applications.js';

/** The ledger's bounds (core/applications/messages.py): characters for the name, UTF-8
 * bytes for the rest. */
export const LIMITS = { name: 80, contact: 120, offers: 240 };
const RETRY_MS = 24 * 3600 * 1000; // the genesis default of application_retry_ms

/** The form's fields, checked as the ledger will: what is wrong, or null. */
export function checkApplication({ name, contact, offers }) {
  if (!name.trim()) return fail('apps.needName');
  if ([...name].length > LIMITS.name) return fail('apps.nameTooLong', { n: LIMITS.name });
  for (const [field, value] of [['contact', contact], ['offers', offers]]) {
    if (!value.trim()) return fail(`apps.need.${field}`);
    if (utf8Length(value) > LIMITS[field]) return fail(`apps.tooLong.${field}`, { n: LIMITS[field] });
  }
  return null;
}

export function ApplyScreen({ ctx }) {
  const status = useLive(() => ctx.api.applicationOf(ctx.wallet.address), [ctx.wallet.address]);
  if (status.data === undefined) return status.error ? html`<${ErrorBox} error=${status.error} />` : html`<${Loading} />`;
  const app = status.data.application;
  return html`<div data-testid="business-apply">
    ${app ? html`<${Status} ctx=${ctx} app=${app} onDone=${() => status.reload()} />` : null}
    ${!app || app.status === 'declined' || app.status === 'withdrawn'
      ? html`<${ApplyForm} ctx=${ctx} last=${app} onDone=${() => status.reload()} />` : null}
  </div>`;
}

function Status({ ctx, app, onDone }) {
  const withdraw = async () => {
    await ctx.api.withdrawApplication(ctx.wallet, app.id);
    toast(t('apps.withdrawn'));
    onDone();
  };
  const kind = { pending: 'neutral', approved: 'ok', declined: 'bad', withdrawn: 'neutral' }[app.status];
  return html`<${Card} title=${t('apps.yours', { id: app.id })} testid="business-application-status">
    <p><${Badge} kind=${kind} testid="business-application-state">${t(`apps.status.${app.status}`)}<//>
      <strong> ${app.name}</strong> · <span class="muted">${t('apps.appliedAt', { time: formatTime(app.applied_at, { seconds: false }) })}</span></p>
    ${app.status === 'pending' ? html`<p class="muted" data-testid="business-waiting"><span class="spinner dark" aria-hidden="true"></span> ${t('business.waiting')}</p>
      <div class="form-actions"><${Button} small kind="ghost" testid="business-application-withdraw" onClick=${withdraw}>${t('apps.withdraw')}<//></div>` : null}
    ${app.status === 'declined' ? html`<p class="notice warn" data-testid="business-application-reason">${t('apps.declinedBecause', { reason: app.reason })}</p>` : null}
    ${app.status === 'approved' ? html`<p class="notice good">${t('apps.approvedOpening')}</p>` : null}
  <//>`;
}

function ApplyForm({ ctx, last, onDone }) {
  const [name, setName] = useState(last?.name || ctx.wallet.name || '');
  const [contact, setContact] = useState(last?.contact || '');
  const [offers, setOffers] = useState(last?.offers || '');
  const waitLeft = last ? last.decided_at + RETRY_MS - Date.now() : 0;
  const submit = async () => {
    const problem = checkApplication({ name, contact, offers });
    if (problem) throw problem;
    await ctx.api.applyBusiness(ctx.wallet, { name: name.trim(), contact: contact.trim(), offers: offers.trim() });
    toast(t('apps.sent'));
    onDone();
  };
  const counter = (value, field) => html`<span class="muted small">${t('apps.bytes', { n: utf8Length(value), max: LIMITS[field] })}</span>`;
  return html`<${Card} title=${t('business.applyTitle')} testid="business-application" subtitle=${t('apps.applySub')}>
    <ol class="c-steps">
      <li>${t('apps.step1')}</li>
      <li>${t('apps.step2')}</li>
      <li>${t('business.apply3')}</li>
    </ol>
    ${waitLeft > 0 ? html`<p class="notice warn" data-testid="business-application-wait">${t('apps.waitToApply', { duration: formatDuration(waitLeft) })}</p>` : null}
    <div class="form">
      <${Field} label=${t('business.name')}>
        <input data-testid="business-name" value=${name} maxlength=${LIMITS.name} onInput=${(e) => setName(e.currentTarget.value)} placeholder=${t('business.namePlaceholder')} />
      <//>
      <${Field} label=${t('apps.contact')} hint=${counter(contact, 'contact')}>
        <input data-testid="business-contact" value=${contact} onInput=${(e) => setContact(e.currentTarget.value)} placeholder=${t('apps.contactPlaceholder')} />
      <//>
      <${Field} label=${t('apps.offers')} hint=${counter(offers, 'offers')}>
        <input data-testid="business-offers" value=${offers} onInput=${(e) => setOffers(e.currentTarget.value)} placeholder=${t('apps.offersPlaceholder')} />
      <//>
      <div class="form-actions">
        <${Button} testid="business-apply-submit" onClick=${submit} busyLabel=${t('apps.sending')}>${t('apps.submit')}<//>
      </div>
    </div>
  <//>`;
}
