// Redemptions of the business's offers: the ones waiting for a voucher (delivered by hand
// or refunded, refund asked first) and the settled ones.
import { useState } from 'preact/hooks';
import {
  html, t, fail, formatBD, formatTime, Card, Table, Loading, Button, Badge, toast, ConfirmButton,
} from '../common.js';
import { refundMsg } from '../../sdk/messages.js';
import { sendTx, AddrLink, fulfilRedemption } from '../explorer/kit.js';

export function Redemptions({ ctx, rows, onDone }) {
  const [showAll, setShowAll] = useState(false);
  if (!rows) return html`<${Card} title=${t('business.redemptions')}><${Loading} /><//>`;
  const pending = rows.filter((x) => x.status === 'pending');
  const settled = rows.filter((x) => x.status !== 'pending');
  const shown = showAll ? settled : settled.slice(0, 10);
  const cols = [
    { key: 'id', label: '#', class: 'num' },
    { key: 'item', label: t('shop.col.item') },
    { key: 'resident', label: t('business.col.resident'), render: (x) => html`<${AddrLink} address=${x.resident} />` },
    { key: 'price', label: t('requests.col.paid'), class: 'num', render: (x) => formatBD(x.price) },
    { key: 'redeemed_at', label: t('shop.col.when'), render: (x) => formatTime(x.redeemed_at, { seconds: false }) },
    { key: 'status', label: t('business.col.state'), render: (x) => html`<${Badge} kind=${x.status === 'pending' ? 'warn' : x.status === 'fulfilled' ? 'ok' : 'neutral'}>${t(`redemption.${x.status}`)}<//>` },
  ];
  return html`<${Card} title=${t('business.waitingVoucher', { n: pending.length })} testid="business-redemptions" subtitle=${t('business.waitingVoucherSub')}>
    <${Table} testid="business-redemption" rows=${pending} rowKey=${(x) => x.id} empty=${t('business.nothingToDeliver')}
      columns=${[...cols, { key: 'act', label: html`<span class="sr-only">${t('tasks.col.action')}</span>`, render: (x) => html`<${Fulfil} ctx=${ctx} redemption=${x} onDone=${onDone} />` }]} />
    ${settled.length ? html`<h3 class="c-subhead">${t('business.settled', { n: settled.length })}</h3>
      <${Table} testid="business-settled" rows=${shown} rowKey=${(x) => x.id} columns=${cols} />
      ${settled.length > shown.length ? html`<p class="pager"><button type="button" class="link-btn" onClick=${() => setShowAll(true)}>${t('business.showAll', { n: settled.length })}</button></p>` : null}` : null}
  <//>`;
}

function Fulfil({ ctx, redemption, onDone }) {
  const [voucher, setVoucher] = useState('');
  const fulfil = async () => {
    if (!voucher.trim()) throw fail('business.needVoucher');
    await fulfilRedemption(ctx, redemption, voucher.trim());
    toast(t('business.voucherSent', { id: redemption.id }));
    onDone();
  };
  const refund = async () => {
    await sendTx(ctx, [refundMsg(redemption.id)]);
    toast(t('business.refunded', { id: redemption.id }));
    onDone();
  };
  return html`<span class="c-inline">
    <input placeholder=${t('business.voucherCode')} value=${voucher} onInput=${(e) => setVoucher(e.currentTarget.value)} data-testid="fulfil-voucher"
      aria-label=${t('business.voucherFor', { id: redemption.id })} />
    <${Button} small testid="fulfil-submit" onClick=${fulfil}>${t('business.deliver')}<//>
    <${ConfirmButton} kind="ghost" testid="refund-submit" onConfirm=${refund}
      question=${t('confirm.refund', { id: redemption.id, item: redemption.item, amount: formatBD(redemption.price) })}
      confirmLabel=${t('confirm.refundYes')}>${t('business.refund')}<//>
  </span>`;
}
