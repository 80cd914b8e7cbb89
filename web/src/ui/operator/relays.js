// The relay report (issue 15): resident → business → resident flows over a window, read
// from the ledger's events by the node (GET /v1/audit/relays), and businesses ranked by
// the share of what residents paid them that they paid back out to residents. Read-only.
import { useState } from 'preact/hooks';
import { html, useLive, formatBD, formatTime, Card, Table, ErrorBox, Loading, Field, Button } from '../common.js';
import { AddrLink, DAY_MS } from '../explorer/kit.js';

// Chinese first, until the app's i18n layer (issue 16) takes these in.
const MESSAGES = {
  zh: {
    title: '转移报告：居民 → 商家 → 居民',
    subtitle: '依据账本事件计算（只读）：谁付给了商家，商家又付给了谁；按商家付还给居民的比例排序。',
    days: '最近天数',
    refresh: '刷新',
    business: '商家', received: '收到', paidOut: '付出', share: '付出 / 收到', payers: '付款居民', payees: '收款居民',
    from: '付款人', to: '收款人', paidIn: '付入', firstIn: '首次付入', lastOut: '最后付出',
    noneBusiness: '此期间没有商家收付钻石。',
    noneFlow: '此期间没有居民 → 商家 → 居民的流向。',
    flows: (n) => `流向（共 ${n} 条，按金额排序）`,
    only: '只付出、未收到',
  },
  en: {
    title: 'Relay report: resident → business → resident',
    subtitle: 'Computed from the ledger\'s events (read-only): who paid a business, whom it then paid; businesses ranked by the share they paid back out to residents.',
    days: 'Last days',
    refresh: 'Refresh',
    business: 'Business', received: 'Received', paidOut: 'Paid out', share: 'Paid out / received', payers: 'Payers', payees: 'Payees',
    from: 'From', to: 'To', paidIn: 'Paid in', firstIn: 'First in', lastOut: 'Last out',
    noneBusiness: 'No business received or paid diamonds in this window.',
    noneFlow: 'No resident → business → resident flow in this window.',
    flows: (n) => `Flows (${n}, the largest first)`,
    only: 'paid out, nothing in',
  },
};
const T = MESSAGES[(globalThis.navigator?.language || 'zh').toLowerCase().startsWith('en') ? 'en' : 'zh'];

const share = (bps) => (bps == null ? T.only : `${(bps / 100).toFixed(2)} %`);

export function RelaysPanel({ ctx }) {
  const [days, setDays] = useState('7');
  const [span, setSpan] = useState(7);
  const report = useLive(() => ctx.api.relays(Date.now() - span * DAY_MS, undefined), [span]);
  const r = report.data;
  return html`<${Card} title=${T.title} subtitle=${T.subtitle} testid="op-relays">
    <div class="form-row">
      <${Field} label=${T.days}><input type="number" min="1" max="365" value=${days} data-testid="op-relays-days"
        onInput=${(e) => setDays(e.currentTarget.value)} /><//>
      <div class="form-actions"><${Button} small kind="secondary" testid="op-relays-refresh"
        onClick=${() => { setSpan(Math.max(1, Number(days) || 7)); report.reload(); }}>${T.refresh}<//></div>
    </div>
    <${ErrorBox} error=${report.error} />
    ${r === undefined ? html`<${Loading} />` : html`
      <p class="muted small">${formatTime(r.since, { seconds: false })} – ${formatTime(r.until, { seconds: false })}</p>
      <${Table} testid="op-relay-business" rows=${r.businesses} rowKey=${(b) => b.business} empty=${T.noneBusiness}
        columns=${[
          { key: 'business', label: T.business, render: (b) => html`<${AddrLink} address=${b.business} />` },
          { key: 'received_micro', label: T.received, class: 'num', render: (b) => formatBD(b.received_micro) },
          { key: 'paid_out_micro', label: T.paidOut, class: 'num', render: (b) => formatBD(b.paid_out_micro) },
          { key: 'payout_bps', label: T.share, class: 'num', render: (b) => html`<strong data-testid="op-relay-share">${share(b.payout_bps)}</strong>` },
          { key: 'payers', label: T.payers, class: 'num' },
          { key: 'payees', label: T.payees, class: 'num' },
        ]} />
      <h4>${T.flows(r.flows_total)}</h4>
      <${Table} testid="op-relay-flow" rows=${r.flows} rowKey=${(f) => `${f.from}/${f.business}/${f.to}`} empty=${T.noneFlow}
        columns=${[
          { key: 'from', label: T.from, render: (f) => html`<${AddrLink} address=${f.from} />` },
          { key: 'business', label: T.business, render: (f) => html`<${AddrLink} address=${f.business} />` },
          { key: 'to', label: T.to, render: (f) => html`<${AddrLink} address=${f.to} />` },
          { key: 'paid_in_micro', label: T.paidIn, class: 'num', render: (f) => formatBD(f.paid_in_micro) },
          { key: 'paid_out_micro', label: T.paidOut, class: 'num', render: (f) => formatBD(f.paid_out_micro) },
          { key: 'first_in', label: T.firstIn, render: (f) => formatTime(f.first_in, { seconds: false }) },
          { key: 'last_out', label: T.lastOut, render: (f) => formatTime(f.last_out, { seconds: false }) },
        ]} />`}
  <//>`;
}
