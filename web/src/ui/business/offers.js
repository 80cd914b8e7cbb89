// The business's offers: listing one, the voucher codes that fulfil them, editing, pausing,
// resuming and stopping one (stopping asked first), and the redemptions to settle.
import { useState } from 'preact/hooks';
import {
  html, t, fail, useLive, formatBD, formatTime, Card, Table, ErrorBox, Loading, Button, Field, Badge, toast,
  ConfirmButton,
} from '../common.js';
import {
  createOfferMsg, pauseOfferMsg, resumeOfferMsg, stopOfferMsg, updateOfferMsg,
} from '../../sdk/messages.js';
import { VoucherCodes } from './vouchers.js';
import { Redemptions } from './redemptions.js';
import {
  sendTx, queryAll, parseBD, parsePositiveInt, DAY_MS, toZonedInput, fromZonedInput, tzOffset,
} from '../explorer/kit.js';

/** Where an offer stands, in words: the ledger's one word (on_sale, paused, stopped, …). */
function OfferStatus({ o }) {
  const kind = { on_sale: 'ok', paused: 'warn', stopped: 'bad', suspended: 'bad' }[o.status] || 'neutral';
  return html`<span data-testid="offer-status" data-offer=${o.id} data-status=${o.status}><${Badge} kind=${kind}>${t(`offers.status.${o.status}`)}<//></span>`;
}

/** µBD as the plain decimal a BD field takes back ("2.5"), without the locale's grouping. */
function bdText(micro) {
  const s = String(micro).padStart(7, '0');
  const frac = s.slice(-6).replace(/0+$/, '');
  return frac ? `${s.slice(0, -6)}.${frac}` : s.slice(0, -6);
}

export function OffersTab({ ctx }) {
  const address = ctx.wallet.address;
  const data = useLive(async () => {
    const [offers, redemptions] = await Promise.all([
      queryAll(ctx, 'exchange/offers', { business: address }),
      queryAll(ctx, 'exchange/redemptions', { address }),
    ]);
    return { offers, redemptions };
  }, [address]);
  const [editing, setEditing] = useState(null);
  const d = data.data;
  const edited = editing && d?.offers.find((o) => o.id === editing);
  return html`
    <${CreateOffer} ctx=${ctx} onDone=${() => data.reload()} />
    <${VoucherCodes} ctx=${ctx} offers=${d?.offers} onFulfilled=${() => data.reload()} />
    <${ErrorBox} error=${data.error} />
    <${Card} title=${t('business.yourOffers')} testid="business-offers" subtitle=${t('offers.sub')}>
      ${d ? html`<${Table} testid="business-offer" rows=${d.offers} rowKey=${(o) => o.id} empty=${t('business.noOffer')}
        columns=${[
          { key: 'id', label: '#', class: 'num' },
          { key: 'item', label: t('shop.col.item'), render: (o) => html`<strong>${o.item}</strong>` },
          { key: 'price', label: t('shop.col.price'), class: 'num', render: (o) => html`<span data-testid="offer-price-text" data-offer=${o.id}>${formatBD(o.price)}</span>` },
          { key: 'stock', label: t('business.col.soldStock'), class: 'num', render: (o) => html`<span data-testid="offer-sold">${o.sold} / ${o.stock}</span>` },
          { key: 'window', label: t('business.col.onSale'), render: (o) => html`${formatTime(o.starts_at, { seconds: false })} → ${formatTime(o.ends_at, { seconds: false })}` },
          { key: 'gate', label: t('business.col.needs'), render: (o) => html`${o.min_force ? t('business.forceN', { n: o.min_force }) : t('business.anyone')}${o.daily_limit ? ` · ${t('business.perDay', { n: o.daily_limit })}` : ''}` },
          { key: 'status', label: t('business.col.state'), render: (o) => html`<${OfferStatus} o=${o} />` },
          { key: 'act', label: html`<span class="sr-only">${t('tasks.col.action')}</span>`,
            render: (o) => html`<${OfferActions} ctx=${ctx} o=${o} onEdit=${() => setEditing(o.id)} onDone=${() => data.reload()} />` },
        ]} />` : html`<${Loading} />`}
    <//>
    ${edited && edited.status !== 'stopped' ? html`<${EditOffer} key=${edited.id} ctx=${ctx} o=${edited}
      onClose=${() => setEditing(null)} onDone=${() => { setEditing(null); data.reload(); }} />` : null}
    <${Redemptions} ctx=${ctx} rows=${d?.redemptions} onDone=${() => data.reload()} />`;
}

/** Edit, pause or resume, and stop (asked first): only what the ledger still allows. A stopped
 * offer is final, so it has no actions; a paused one resumes rather than pauses. */
function OfferActions({ ctx, o, onEdit, onDone }) {
  if (o.status === 'stopped') return html`<span class="muted small">${t('offers.final')}</span>`;
  const act = (msg, done) => async () => {
    await sendTx(ctx, [msg]);
    toast(t(done, { item: o.item }));
    onDone();
  };
  const paused = o.status === 'paused';
  return html`<span class="c-inline c-actions">
    <${Button} small kind="secondary" testid=${`offer-edit-${o.id}`} onClick=${onEdit}>${t('offers.edit')}<//>
    ${paused
      ? html`<${Button} small kind="secondary" testid=${`offer-resume-${o.id}`} onClick=${act(resumeOfferMsg(o.id), 'offers.resumed')}>${t('offers.resume')}<//>`
      : html`<${Button} small kind="secondary" testid=${`offer-pause-${o.id}`} onClick=${act(pauseOfferMsg(o.id), 'offers.paused')}>${t('offers.pause')}<//>`}
    <${ConfirmButton} kind="danger-ghost" testid=${`offer-stop-${o.id}`} onConfirm=${act(stopOfferMsg(o.id), 'offers.stopped')}
      question=${t('confirm.stopOffer', { item: o.item })} confirmLabel=${t('confirm.stopYes')}>${t('offers.stop')}<//>
  </span>`;
}

/** The fields an update may change, prefilled; only the ones edited are sent. The rules the
 * core applies are checked first with its own words (errors 725-727). */
function EditOffer({ ctx, o, onClose, onDone }) {
  const initial = {
    price: bdText(o.price), stock: String(o.stock), starts: toZonedInput(o.starts_at), ends: toZonedInput(o.ends_at),
    minForce: String(o.min_force), dailyLimit: String(o.daily_limit),
  };
  const [f, setF] = useState(initial);
  const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });
  const toInt = (v, name) => { if (!/^\d+$/.test(String(v).trim())) throw fail('kit.wholeNumber', { field: name }); return Number(v); };
  const save = async () => {
    const changes = {};
    if (f.price !== initial.price) changes.price = parseBD(f.price, t('shop.col.price'));
    if (f.stock !== initial.stock) changes.stock = parsePositiveInt(f.stock, t('business.stock'));
    if (f.starts !== initial.starts) changes.startsAt = fromZonedInput(f.starts);
    if (f.ends !== initial.ends) changes.endsAt = fromZonedInput(f.ends);
    if (f.minForce !== initial.minForce) changes.minForce = toInt(f.minForce, t('business.minForce'));
    if (f.dailyLimit !== initial.dailyLimit) changes.dailyLimit = toInt(f.dailyLimit, t('business.perResidentDay'));
    if (changes.price === o.price) delete changes.price;
    if (!Object.keys(changes).length) throw fail('error.727');
    if (changes.stock !== undefined && changes.stock < o.sold) throw fail('error.725');
    const starts = changes.startsAt ?? o.starts_at;
    const ends = changes.endsAt ?? o.ends_at;
    if (ends <= starts || (changes.endsAt !== undefined && ends <= Date.now())) throw fail('error.726');
    await sendTx(ctx, [updateOfferMsg(o.id, changes)]);
    toast(t('offers.updated', { item: o.item }));
    onDone();
  };
  return html`<${Card} title=${t('offers.editTitle', { item: o.item, id: o.id })} testid="offer-edit-form" subtitle=${t('offers.editSub', { sold: o.sold })}>
    <div class="form">
      <div class="form-row">
        <${Field} label=${t('business.priceBD')}><input data-testid="edit-price" inputmode="decimal" value=${f.price} onInput=${set('price')} /><//>
        <${Field} label=${t('business.stock')} hint=${t('offers.stockHint', { sold: o.sold })}><input type="number" min=${Math.max(1, o.sold)} data-testid="edit-stock" value=${f.stock} onInput=${set('stock')} /><//>
        <${Field} label=${t('business.minForce')}><input type="number" min="0" data-testid="edit-min-force" value=${f.minForce} onInput=${set('minForce')} /><//>
        <${Field} label=${t('business.perResidentDay')} hint=${t('business.noLimitHint')}><input type="number" min="0" data-testid="edit-daily-limit" value=${f.dailyLimit} onInput=${set('dailyLimit')} /><//>
      </div>
      <div class="form-row">
        <${Field} label=${t('business.onSaleFrom', { tz: tzOffset() })}><input type="datetime-local" data-testid="edit-starts" value=${f.starts} onInput=${set('starts')} /><//>
        <${Field} label=${t('business.until')}><input type="datetime-local" data-testid="edit-ends" value=${f.ends} onInput=${set('ends')} /><//>
      </div>
      <div class="form-actions">
        <${Button} testid="offer-edit-save" onClick=${save} busyLabel=${t('offers.saving')}>${t('offers.save')}<//>
        <${Button} kind="ghost" testid="offer-edit-cancel" onClick=${onClose}>${t('confirm.cancel')}<//>
      </div>
    </div>
  <//>`;
}

function CreateOffer({ ctx, onDone }) {
  const now = Date.now();
  const [f, setF] = useState({ item: '', price: '2', stock: '50', starts: toZonedInput(now), ends: toZonedInput(now + 30 * DAY_MS), minForce: '0', dailyLimit: '0' });
  const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });
  const create = async () => {
    if (!f.item.trim()) throw fail('business.needItem');
    const startsAt = fromZonedInput(f.starts);
    const endsAt = fromZonedInput(f.ends);
    const toInt = (v, name) => { if (!/^\d+$/.test(String(v).trim())) throw fail('kit.wholeNumber', { field: name }); return Number(v); };
    await sendTx(ctx, [createOfferMsg({ item: f.item.trim(), price: parseBD(f.price, t('shop.col.price')),
      stock: parsePositiveInt(f.stock, t('business.stock')), startsAt, endsAt,
      minForce: toInt(f.minForce, t('business.minForce')), dailyLimit: toInt(f.dailyLimit, t('business.perResidentDay')) })]);
    toast(t('business.listed', { item: f.item.trim() }));
    setF({ ...f, item: '' });
    onDone();
  };
  return html`<${Card} title=${t('business.newOffer')} testid="business-create-offer" subtitle=${t('business.newOfferSub')}>
    <div class="form">
      <div class="form-row">
        <${Field} label=${t('shop.col.item')}><input data-testid="offer-item" value=${f.item} maxlength="80" onInput=${set('item')} placeholder=${t('business.itemPlaceholder')} /><//>
        <${Field} label=${t('business.priceBD')}><input data-testid="offer-price" inputmode="decimal" value=${f.price} onInput=${set('price')} /><//>
        <${Field} label=${t('business.stock')}><input type="number" min="1" data-testid="offer-stock" value=${f.stock} onInput=${set('stock')} /><//>
      </div>
      <div class="form-row">
        <${Field} label=${t('business.onSaleFrom', { tz: tzOffset() })}><input type="datetime-local" data-testid="offer-starts" value=${f.starts} onInput=${set('starts')} /><//>
        <${Field} label=${t('business.until')}><input type="datetime-local" data-testid="offer-ends" value=${f.ends} onInput=${set('ends')} /><//>
        <${Field} label=${t('business.minForce')}><input type="number" min="0" data-testid="offer-min-force" value=${f.minForce} onInput=${set('minForce')} /><//>
        <${Field} label=${t('business.perResidentDay')} hint=${t('business.noLimitHint')}><input type="number" min="0" data-testid="offer-daily-limit" value=${f.dailyLimit} onInput=${set('dailyLimit')} /><//>
      </div>
      <div class="form-actions"><${Button} testid="offer-create" onClick=${create} busyLabel=${t('business.listing')}>${t('business.listOffer')}<//></div>
    </div>
  <//>`;
}
