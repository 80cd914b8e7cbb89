// Businesses: the queue of applications, then every business with its purse, its daily
// Force quota (set here) and its suspension (suspending is asked first; lifting is not).
import { useState } from 'preact/hooks';
import {
  html, t, fail, useLive, formatBD, formatForce, formatTime, Card, Table, ErrorBox, Loading, Button, Badge, toast,
  ConfirmButton,
} from '../common.js';
import { liftSuspensionMsg, setBusinessQuotaMsg, suspendBusinessMsg } from '../../sdk/messages.js';
import { sendTx, query, AddrLink } from '../explorer/kit.js';
import { ApplicationsQueue } from './applications.js';

async function loadBusinesses(ctx) {
  const list = (await query(ctx, 'accounts/accounts', { kind: 'business', limit: 1000 }))
    .sort((a, b) => b.created_height - a.created_height);
  return Promise.all(list.map(async (b) => {
    const [quota, purse, suspension] = await Promise.all([
      query(ctx, 'force/quota', { address: b.address }).catch(() => null),
      query(ctx, 'exchange/purse', { business: b.address }).catch(() => null),
      query(ctx, 'exchange/suspension', { business: b.address }).catch(() => null),
    ]);
    return { ...b, quota, purse, suspension };
  }));
}

function SuspensionControl({ ctx, business, disabled, onDone }) {
  const [reason, setReason] = useState('');
  const s = business.suspension;
  const suspend = async () => {
    const out = await sendTx(ctx, [suspendBusinessMsg(business.address, reason.trim())]);
    const closed = (out.events || []).filter((e) => e.type === 'exchange/request_closed').length;
    toast(t('operator.suspendedDone', { name: business.name, n: closed }));
    setReason('');
    onDone();
  };
  const needReason = () => { if (!reason.trim()) throw fail('operator.needReason'); };
  const lift = async () => {
    await sendTx(ctx, [liftSuspensionMsg(business.address)]);
    toast(t('operator.lifted', { name: business.name }));
    onDone();
  };
  if (s?.suspended) {
    return html`<div data-testid="op-business-suspension"><${Badge} kind="bad">${t('operator.suspended')}<//>
      <div class="muted small">${formatTime(s.since, { seconds: false })} · ${s.reason}</div>
      <${Button} small kind="secondary" testid="op-business-lift" disabled=${disabled} onClick=${lift}>${t('operator.lift')}<//></div>`;
  }
  return html`<span class="c-inline" data-testid="op-business-suspension"><${Badge} kind="ok">${t('state.active')}<//>
    <input class="small-input" value=${reason} placeholder=${t('operator.reason')} aria-label=${t('operator.reasonFor', { name: business.name })}
      data-testid="op-business-suspend-reason" disabled=${disabled} onInput=${(e) => setReason(e.currentTarget.value)} />
    <${ConfirmButton} kind="danger-ghost" testid="op-business-suspend" disabled=${disabled} before=${needReason} onConfirm=${suspend}
      question=${t('confirm.suspend', { name: business.name, reason: reason.trim() })} confirmLabel=${t('confirm.suspendYes')}>${t('operator.suspend')}<//></span>`;
}

export function BusinessesTab({ ctx, isOperator }) {
  const list = useLive(() => loadBusinesses(ctx), []);
  return html`
    <${ApplicationsQueue} ctx=${ctx} isOperator=${isOperator} onDecided=${() => list.reload()} />
    <${Card} title=${t('operator.tab.businesses')} testid="op-businesses">
      <${ErrorBox} error=${list.error} />
      ${list.data === undefined ? html`<${Loading} />` : html`<${Table} testid="op-business" rows=${list.data} rowKey=${(b) => b.address}
        empty=${t('operator.noBusiness')}
        columns=${[
          { key: 'name', label: t('requests.col.business'), render: (b) => html`<div><strong>${b.name}</strong><div><${AddrLink} address=${b.address} /></div></div>` },
          { key: 'created_at', label: t('business.col.approved'), render: (b) => formatTime(b.created_at, { seconds: false }) },
          { key: 'purse', label: t('business.purse'), class: 'num', render: (b) => (b.purse ? formatBD(b.purse.balance) : '—') },
          { key: 'quota', label: t('operator.quota'), class: 'num', render: (b) => (b.quota ? html`<span data-testid="op-business-quota">${t('operator.perDay', { n: formatForce(b.quota.daily_force) })}</span><div class="muted small">${t('operator.leftToday', { n: formatForce(b.quota.left_today) })}</div>` : '—') },
          { key: 'set', label: html`<span class="sr-only">${t('operator.setQuota')}</span>`, render: (b) => html`<${QuotaForm} ctx=${ctx} business=${b} disabled=${!isOperator} onDone=${() => list.reload()} />` },
          { key: 'suspension', label: t('business.col.state'), render: (b) => html`<${SuspensionControl} ctx=${ctx} business=${b} disabled=${!isOperator} onDone=${() => list.reload()} />` },
        ]} />`}
    <//>`;
}

function QuotaForm({ ctx, business, disabled, onDone }) {
  const [value, setValue] = useState(String(business.quota?.daily_force ?? ''));
  const save = async () => {
    const n = /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
    if (!Number.isFinite(n)) throw fail('kit.wholeNumber', { field: t('operator.dailyQuota') });
    await sendTx(ctx, [setBusinessQuotaMsg(business.address, n)]);
    toast(t('operator.quotaSet', { name: business.name, n }));
    onDone();
  };
  return html`<span class="c-inline">
    <input type="number" min="0" class="small-input" value=${value} onInput=${(e) => setValue(e.currentTarget.value)}
      aria-label=${t('operator.quotaOf', { name: business.name })} disabled=${disabled} />
    <${Button} small kind="secondary" disabled=${disabled} onClick=${save}>${t('operator.set')}<//>
  </span>`;
}
