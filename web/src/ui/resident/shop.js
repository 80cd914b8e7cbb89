// The shop: partner offers bought with diamonds (the only way diamonds leave a resident),
// with the reason an offer cannot be bought shown before trying, and vouchers that only
// this browser can open.
import { useState } from 'preact/hooks';
import {
  html, t, useLive, Button, Card, Table, ErrorBox, Loading, Badge, toast, formatBD, formatForce, formatTime, shortAddr,
} from '../common.js';
import { dayOf, nextLocalMidnight, queryOrNull } from './data.js';

async function loadShop(api, address) {
  const [offers, redemptions, holder, force, status] = await Promise.all([
    api.queryAll('exchange/offers'),
    api.queryAll('exchange/redemptions', { address }),
    queryOrNull(api, 'emission/holder', { address }),
    api.query('force/force', { address }),
    api.status(),
  ]);
  const names = await api.businessNames([...offers, ...redemptions].map((o) => o.business));
  const shops = Object.fromEntries(Object.entries(names).map(([a, name]) => [a, name || shortAddr(a)]));
  return { offers, redemptions, balance: holder ? holder.balance_micro : 0, force: force.force, now: status.time, shops };
}

/** Why this resident cannot buy this offer now, or null (the ledger's own checks, in its
 * order, including the offer's daily limit counted on the deployment's local day). */
function refusal(offer, { balance, force, now, redemptions }) {
  if (offer.status === 'paused') return t('error.722');
  if (offer.status === 'stopped') return t('error.723');
  if (offer.left <= 0) return t('shop.soldOut');
  if (now < offer.starts_at) return t('shop.from', { time: formatTime(offer.starts_at, { seconds: false }) });
  if (now >= offer.ends_at) return t('shop.ended');
  if (force < offer.min_force) return t('shop.needsForce', { min: offer.min_force, force });
  if (offer.daily_limit) {
    const today = dayOf(now);
    const mine = redemptions.filter((r) => r.offer === offer.id && dayOf(r.redeemed_at) === today).length;
    if (mine >= offer.daily_limit) {
      return t('limits.shopDailyDone', { n: offer.daily_limit, time: formatTime(nextLocalMidnight(now), { seconds: false, date: false }) });
    }
  }
  if (BigInt(balance) < BigInt(offer.price)) return t('shop.notEnough');
  return null;
}

/** Redeem asks first: what it costs and what the balance will be after, then spends. */
function Offer({ offer: o, data, onRedeem }) {
  const [asking, setAsking] = useState(false);
  const why = refusal(o, data);
  const after = (BigInt(data.balance) - BigInt(o.price)).toString();
  return html`<div class="offer" data-testid="offer" data-offer=${o.id}>
    <div class="offer-item">${o.item}</div>
    <div class="muted small" data-testid="offer-shop">${data.shops[o.business]}</div>
    <div class="offer-price">${formatBD(o.price)}</div>
    <div class="muted small">${t('shop.left', { left: o.left, stock: o.stock })} · ${t('shop.until', { time: formatTime(o.ends_at, { seconds: false }) })}
      ${o.min_force ? html` · ${t('shop.minForce', { min: o.min_force })}` : null}${o.daily_limit ? html` · ${t('shop.perDay', { n: o.daily_limit })}` : null}</div>
    ${why ? html`<p class="refusal" data-testid="offer-refusal">${why}</p>` : null}
    ${asking && !why ? html`<div class="confirm-box" role="group" aria-label=${t('shop.confirmTitle')} data-testid="redeem-confirm">
        <p>${t('shop.confirmText', { item: o.item, price: formatBD(o.price), after: formatBD(after) })}</p>
        <div class="button-row">
          <${Button} testid="offer-redeem-confirm" onClick=${async () => { await onRedeem(o); setAsking(false); }}
            busyLabel=${t('shop.redeeming')}>${t('shop.confirmRedeem', { price: formatBD(o.price) })}<//>
          <${Button} kind="ghost" testid="offer-redeem-cancel" onClick=${() => setAsking(false)}>${t('shop.cancel')}<//>
        </div></div>`
      : html`<${Button} small testid="offer-redeem" disabled=${!!why} onClick=${() => setAsking(true)}>${t('shop.redeem')}<//>`}
  </div>`;
}

function Voucher({ ctx, redemption }) {
  const [text, setText] = useState(null);
  const [Qr, setQr] = useState(null);
  // The QR code's library comes with the first voucher opened (its own chunk), not with the shop.
  const open = async () => {
    const [voucher, qr] = await Promise.all([ctx.api.readVoucher(ctx.wallet, redemption), import('./voucherqr.js')]);
    setQr(() => qr.VoucherQr);
    setText(voucher);
  };
  if (text !== null) return html`<span class="voucher-open"><code class="voucher" data-testid="voucher-text">${text}</code><${Qr} text=${text} /></span>`;
  return html`<${Button} small kind="secondary" testid="voucher-open" onClick=${open}>${t('shop.openVoucher')}<//>`;
}

export function ShopView({ ctx }) {
  const { api, wallet } = ctx;
  const live = useLive(() => loadShop(api, wallet.address), [wallet.address]);
  if (live.data === undefined) return live.error ? html`<${ErrorBox} error=${live.error} />` : html`<${Loading} />`;
  const data = live.data;
  const current = data.offers.filter((o) => data.now < o.ends_at);
  const redeem = async (o) => {
    await api.redeem(wallet, o.id);
    toast(t('shop.redeemed', { item: o.item, amount: formatBD(o.price) }));
    live.reload();
  };
  return html`<div class="grid" data-testid="shop">
    <${Card} title=${t('shop.title')} subtitle=${t('shop.sub', { balance: formatBD(data.balance), force: formatForce(data.force) })}>
      ${current.length === 0 ? html`<p class="empty" data-testid="offers-empty">${t('shop.empty')}</p>` : html`
      <div class="offer-grid">${current.map((o) => html`<${Offer} key=${o.id} offer=${o} data=${data} onRedeem=${redeem} />`)}</div>`}
    <//>
    <${Card} title=${t('shop.mine')}>
      <${Table} testid="redemption" rows=${data.redemptions} rowKey=${(r) => r.id} empty=${t('shop.noneMine')} columns=${[
        { label: '#', render: (r) => r.id },
        { label: t('shop.col.item'), render: (r) => r.item },
        { label: t('shop.col.shop'), render: (r) => data.shops[r.business] || shortAddr(r.business) },
        { label: t('shop.col.price'), class: 'num', render: (r) => formatBD(r.price) },
        { label: t('shop.col.when'), render: (r) => formatTime(r.redeemed_at, { seconds: false }) },
        { label: t('shop.col.status'), render: (r) => (r.status === 'fulfilled' ? html`<${Badge} kind="ok">${t('redemption.fulfilled')}<//>`
          : r.status === 'refunded' ? html`<${Badge} kind="warn">${t('redemption.refunded')}<//>` : html`<${Badge}>${t('shop.waiting')}<//>`) },
        { label: t('shop.col.voucher'), render: (r) => (r.status === 'fulfilled' && r.voucher ? html`<${Voucher} ctx=${ctx} redemption=${r} />` : '—') },
      ]} />
    <//>
  </div>`;
}
