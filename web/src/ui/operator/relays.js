// The relay report (issue 15): resident → business → resident flows over a window, read
// from the ledger's events by the node (GET /v1/audit/relays), and businesses ranked by
// the share of what residents paid them that they paid back out to residents. Read-only.
import { useState } from 'preact/hooks';
import { html, t, useLive, formatBD, formatNumber, formatTime, Card, Table, ErrorBox, Loading, Field, Button } from '../common.js';
import { AddrLink, DAY_MS } from '../explorer/kit.js';

const share = (bps) => (bps == null ? t('relays.only') : formatNumber(bps / 10000, { style: 'percent', minimumFractionDigits: 2 }));

export function RelaysPanel({ ctx }) {
  const [days, setDays] = useState('7');
  const [span, setSpan] = useState(7);
  const report = useLive(() => ctx.api.relays(Date.now() - span * DAY_MS, undefined), [span]);
  const r = report.data;
  return html`<${Card} title=${t('relays.title')} subtitle=${t('relays.subtitle')} testid="op-relays">
    <div class="form-row">
      <${Field} label=${t('relays.days')}><input type="number" min="1" max="365" value=${days} data-testid="op-relays-days"
        onInput=${(e) => setDays(e.currentTarget.value)} /><//>
      <div class="form-actions"><${Button} small kind="secondary" testid="op-relays-refresh"
        onClick=${() => { setSpan(Math.max(1, Number(days) || 7)); report.reload(); }}>${t('relays.refresh')}<//></div>
    </div>
    <${ErrorBox} error=${report.error} />
    ${r === undefined ? html`<${Loading} />` : html`
      <p class="muted small">${formatTime(r.since, { seconds: false })} – ${formatTime(r.until, { seconds: false })}</p>
      <${Table} testid="op-relay-business" rows=${r.businesses} rowKey=${(b) => b.business} empty=${t('relays.noneBusiness')}
        columns=${[
          { key: 'business', label: t('relays.business'), render: (b) => html`<${AddrLink} address=${b.business} />` },
          { key: 'received_micro', label: t('relays.received'), class: 'num', render: (b) => formatBD(b.received_micro) },
          { key: 'paid_out_micro', label: t('relays.paidOut'), class: 'num', render: (b) => formatBD(b.paid_out_micro) },
          { key: 'payout_bps', label: t('relays.share'), class: 'num', render: (b) => html`<strong data-testid="op-relay-share">${share(b.payout_bps)}</strong>` },
          { key: 'payers', label: t('relays.payers'), class: 'num' },
          { key: 'payees', label: t('relays.payees'), class: 'num' },
        ]} />
      <h4>${t('relays.flows', { n: r.flows_total })}</h4>
      <${Table} testid="op-relay-flow" rows=${r.flows} rowKey=${(f) => `${f.from}/${f.business}/${f.to}`} empty=${t('relays.noneFlow')}
        columns=${[
          { key: 'from', label: t('relays.from'), render: (f) => html`<${AddrLink} address=${f.from} />` },
          { key: 'business', label: t('relays.business'), render: (f) => html`<${AddrLink} address=${f.business} />` },
          { key: 'to', label: t('relays.to'), render: (f) => html`<${AddrLink} address=${f.to} />` },
          { key: 'paid_in_micro', label: t('relays.paidIn'), class: 'num', render: (f) => formatBD(f.paid_in_micro) },
          { key: 'paid_out_micro', label: t('relays.paidOut'), class: 'num', render: (f) => formatBD(f.paid_out_micro) },
          { key: 'first_in', label: t('relays.firstIn'), render: (f) => formatTime(f.first_in, { seconds: false }) },
          { key: 'last_out', label: t('relays.lastOut'), render: (f) => formatTime(f.last_out, { seconds: false }) },
        ]} />`}
  <//>`;
}
