// The shop: partner offers bought with diamonds (the only way diamonds leave a resident),
// with the reason an offer cannot be bought shown before trying, and vouchers that only
// this browser can open.
import { useState } from 'preact/hooks';
import {
  html, t, useLive, Button, Card, Table, ErrorBox, Loading, Badge, toast, formatBD, formatForce, formatTime, shortAddr,
} from '../common.js';
import { queryOrNull } from './data.js';
import { VoucherQr } from './voucherqr.js';

async function loadShop(api, address) {
  const [offers, redemptions, holder, force, status] = await Promise.all([
    api.queryAll('exchange/offers'),
    api.queryAll('exchange/redemptions', { address }),
    queryOrNull(api, 'emission/holder', { address }),
    api.query('force/force', { address }),
    api.status(),
  ]);
  const shops = {};
  await Promise.all([...new Set(offers.map((o) => o.business))].map(async (b) => {
    const a = await api.account(b).catch(() => null);
    shops[b] = (a && a.name) || shortAddr(b);
  }));
  return { offers, redemptions, balance: holder ? holder.balance_micro : 0, force: force.force, now: status.time, shops };
}

/** Why this resident cannot buy this offer now, or null. */
function refusal(offer, { balance, force, now }) {
  if (offer.left <= 0) return t('shop.soldOut');
  if (now < offer.starts_at) return t('shop.from', { time: formatTime(offer.starts_at, { seconds: false }) });
  if (now >= offer.ends_at) return t('shop.ended');
  if (force < offer.min_force) return t('shop.needsForce', { min: offer.min_force, force });
  if (BigInt(balance) < BigInt(offer.price)) return t('shop.notEnough');
  return null;
}

function Voucher({ ctx, redemption }) {
  const [text, setText] = useState(null);
  const open = async () => setText(await ctx.api.readVoucher(ctx.wallet, redemption));
  if (text !== null) return html`<span class="voucher-open"><code class="voucher" data-testid="voucher-text">${text}</code><${VoucherQr} text=${text} /></span>`;
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
      <div class="offer-grid">${current.map((o) => {
        const why = refusal(o, data);
        return html`<div class="offer" key=${o.id} data-testid="offer" data-offer=${o.id}>
          <div class="offer-item">${o.item}</div>
          <div class="muted small">${data.shops[o.business]}</div>
          <div class="offer-price">${formatBD(o.price)}</div>
          <div class="muted small">${t('shop.left', { left: o.left, stock: o.stock })} · ${t('shop.until', { time: formatTime(o.ends_at, { seconds: false }) })}
            ${o.min_force ? html` · ${t('shop.minForce', { min: o.min_force })}` : null}${o.daily_limit ? html` · ${t('shop.perDay', { n: o.daily_limit })}` : null}</div>
          ${why ? html`<p class="refusal" data-testid="offer-refusal">${why}</p>` : null}
          <${Button} small testid="offer-redeem" disabled=${!!why} onClick=${() => redeem(o)} busyLabel=${t('shop.redeeming')}>${t('shop.redeem')}<//>
        </div>`;
      })}</div>`}
    <//>
    <${Card} title=${t('shop.mine')}>
      <${Table} testid="redemption" rows=${data.redemptions} rowKey=${(r) => r.id} empty=${t('shop.noneMine')} columns=${[
        { label: '#', render: (r) => r.id },
        { label: t('shop.col.item'), render: (r) => r.item },
        { label: t('shop.col.price'), class: 'num', render: (r) => formatBD(r.price) },
        { label: t('shop.col.when'), render: (r) => formatTime(r.redeemed_at, { seconds: false }) },
        { label: t('shop.col.status'), render: (r) => (r.status === 'fulfilled' ? html`<${Badge} kind="ok">${t('redemption.fulfilled')}<//>`
          : r.status === 'refunded' ? html`<${Badge} kind="warn">${t('redemption.refunded')}<//>` : html`<${Badge}>${t('shop.waiting')}<//>`) },
        { label: t('shop.col.voucher'), render: (r) => (r.status === 'fulfilled' && r.voucher ? html`<${Voucher} ctx=${ctx} redemption=${r} />` : '—') },
      ]} />
    <//>
  </div>`;
}
