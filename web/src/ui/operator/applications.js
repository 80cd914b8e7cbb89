// The operator's queue of business applications (issue 17): each pending application on the
// ledger with its name, contact and offer; Approve asks to confirm (and takes the daily Force
// quota, set in the same transaction), Decline asks for the reason the applicant will read.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html, t, fail, useLive, formatTime, Card, Table, ErrorBox, Loading, Button, Field, toast } from '../common.js';
import { AddrLink, parsePositiveInt } from '../explorer/kit.js';

const PAGE = 50;
/** The ledger's bound on a decline's reason, in UTF-8 bytes (core/applications/messages.py). */
export const MAX_REASON_BYTES = 240;

export const utf8Length = (text) => new TextEncoder().encode(text).length;

export function ApplicationsQueue({ ctx, isOperator, onDecided }) {
  const [after, setAfter] = useState(0);
  const queue = useLive(() => ctx.api.applications({ limit: PAGE, after }), [after]);
  const decided = () => { queue.reload(); onDecided?.(); };
  const page = queue.data;
  return html`<${Card} title=${t('apps.queueTitle')} testid="op-applications"
      subtitle=${page ? t('apps.queueSub', { n: page.pending }) : null}>
    <${ErrorBox} error=${queue.error} />
    ${page === undefined ? html`<${Loading} />` : html`<${Table} testid="op-application" rows=${page.items} rowKey=${(a) => a.id}
      empty=${t('apps.queueEmpty')}
      columns=${[
        { key: 'name', label: t('apps.col.business'), render: (a) => html`<div><strong data-testid="op-application-name">${a.name}</strong>
          <div class="muted small">${t('apps.number', { id: a.id })} · <${AddrLink} address=${a.applicant} /></div></div>` },
        { key: 'contact', label: t('apps.col.contact'), render: (a) => html`<span class="wrap">${a.contact}</span>` },
        { key: 'offers', label: t('apps.col.offers'), render: (a) => html`<span class="wrap">${a.offers}</span>` },
        { key: 'applied_at', label: t('apps.col.applied'), render: (a) => formatTime(a.applied_at, { seconds: false }) },
        { key: 'decide', label: html`<span class="sr-only">${t('apps.col.decide')}</span>`,
          render: (a) => html`<${Decide} ctx=${ctx} application=${a} disabled=${!isOperator} onDone=${decided} />` },
      ]} />`}
    ${page && (after || page.next_after != null) ? html`<div class="form-actions">
      ${after ? html`<${Button} small kind="ghost" testid="op-applications-first" onClick=${() => setAfter(0)}>${t('apps.firstPage')}<//>` : null}
      ${page.next_after != null ? html`<${Button} small kind="secondary" testid="op-applications-more"
        onClick=${() => setAfter(page.next_after)}>${t('apps.nextPage')}<//>` : null}
    </div>` : null}
  <//>`;
}

/** Approve or Decline one application; each asks first (a confirmation, a reason). */
function Decide({ ctx, application: a, disabled, onDone }) {
  const [asking, setAsking] = useState(null); // null | 'approve' | 'decline'
  const [quota, setQuota] = useState('100');
  const [reason, setReason] = useState('');
  const box = useRef(null);
  // Like every confirmation of the dashboard: focus moves into the question, Escape goes back.
  useEffect(() => { if (asking) box.current?.querySelector('input, button')?.focus(); }, [asking]);
  const onKeyDown = (e) => { if (e.key === 'Escape') { e.stopPropagation(); setAsking(null); } };
  const approve = async () => {
    const daily = quota.trim() === '' ? undefined : parsePositiveInt(quota, t('operator.dailyQuota'));
    await ctx.api.approveApplication(ctx.wallet, a.id, daily);
    toast(t('apps.approved', { name: a.name }));
    setAsking(null);
    onDone();
  };
  const decline = async () => {
    const why = reason.trim();
    if (!why) throw fail('apps.needReason');
    if (utf8Length(why) > MAX_REASON_BYTES) throw fail('apps.reasonTooLong', { n: MAX_REASON_BYTES });
    await ctx.api.declineApplication(ctx.wallet, a.id, why);
    toast(t('apps.declined', { name: a.name }));
    setAsking(null);
    setReason('');
    onDone();
  };
  if (asking === 'approve') {
    return html`<div class="c-confirm" data-testid="op-application-confirm" role="alertdialog" aria-label=${t('apps.confirmApprove', { name: a.name })}
      ref=${box} onKeyDown=${onKeyDown}>
      <p>${t('apps.confirmApprove', { name: a.name })}</p>
      <${Field} label=${t('operator.dailyQuota')} hint=${t('apps.quotaHint')}>
        <input type="number" min="0" class="small-input" value=${quota} data-testid="op-application-quota"
          onInput=${(e) => setQuota(e.currentTarget.value)} />
      <//>
      <${Button} small testid="op-application-approve-confirm" onClick=${approve} busyLabel=${t('operator.approving')}>${t('apps.confirm')}<//>
      <${Button} small kind="ghost" testid="op-application-cancel" onClick=${() => setAsking(null)}>${t('apps.cancel')}<//>
    </div>`;
  }
  if (asking === 'decline') {
    return html`<div class="c-confirm" data-testid="op-application-decline-form" role="alertdialog" aria-label=${t('apps.reason')}
      ref=${box} onKeyDown=${onKeyDown}>
      <${Field} label=${t('apps.reason')} hint=${t('apps.reasonHint', { n: MAX_REASON_BYTES })}>
        <input value=${reason} data-testid="op-application-reason" onInput=${(e) => setReason(e.currentTarget.value)} />
      <//>
      <${Button} small kind="danger" testid="op-application-decline-confirm" onClick=${decline}>${t('apps.decline')}<//>
      <${Button} small kind="ghost" testid="op-application-cancel" onClick=${() => setAsking(null)}>${t('apps.cancel')}<//>
    </div>`;
  }
  return html`<span class="c-inline">
    <${Button} small testid="op-application-approve" disabled=${disabled} title=${disabled ? t('operator.onlyOperator') : ''}
      onClick=${() => setAsking('approve')}>${t('operator.approve')}<//>
    <${Button} small kind="danger-ghost" testid="op-application-decline" disabled=${disabled} title=${disabled ? t('operator.onlyOperator') : ''}
      onClick=${() => setAsking('decline')}>${t('apps.decline')}<//>
  </span>`;
}

