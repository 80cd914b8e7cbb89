// The console's first tab: the latest requests and offers, getting started, and the keys.
import {
  html, t, useLive, formatBD, formatTime, Card, Table, ErrorBox, Loading, Copyable,
} from '../common.js';
import { query } from '../explorer/kit.js';
import { RequestState } from './requests.js';

export function Overview({ ctx, me }) {
  const address = me.account.address;
  const data = useLive(async () => {
    const [requests, offers, pending] = await Promise.all([
      query(ctx, 'exchange/requests', { business: address, limit: 5 }),
      query(ctx, 'exchange/offers', { business: address, limit: 5 }),
      query(ctx, 'exchange/redemptions', { address, pending: true, limit: 5 }),
    ]);
    return { requests, offers, pending };
  }, [address]);
  const d = data.data;
  const fresh = d && d.offers.total === 0 && d.requests.total === 0;
  return html`
    <${ErrorBox} error=${data.error} />
    ${fresh ? html`<${Card} title=${t('business.gettingStarted')} testid="business-getting-started">
      <ol class="c-steps">
        <li><a href="#/business/offers">${t('business.start1Link')}</a>${t('business.start1')}</li>
        <li><a href="#/business/tasks">${t('business.start2Link')}</a>${t('business.start2')}</li>
        <li><a href="#/business/requests">${t('business.start3Link')}</a>${t('business.start3')}</li>
      </ol>
    <//>` : null}
    <div class="grid grid-2">
      <${Card} title=${t('business.tab.requests')} actions=${html`<a class="btn btn-ghost btn-small" href="#/business/requests">${t('business.allRequests')}</a>`}>
        ${d ? html`<p class="muted">${t('business.requestsTotal', { n: d.requests.total })}</p>
          <${Table} rows=${d.requests.items} empty=${t('business.noRequest')} onRowClick=${(r) => ctx.navigate(`#/business/requests/${r.id}`)}
            columns=${[
              { key: 'id', label: '#', class: 'num' },
              { key: 'purpose', label: t('requests.col.purpose') },
              { key: 'accepted', label: t('business.col.granted'), class: 'num', render: (r) => `${r.accepted} / ${r.residents}` },
              { key: 'status', label: t('business.col.state'), render: (r) => html`<${RequestState} r=${r} />` },
            ]} />` : html`<${Loading} />`}
      <//>
      <${Card} title=${t('shop.title')} actions=${html`<a class="btn btn-ghost btn-small" href="#/business/offers">${t('business.tab.offers')}</a>`}>
        ${d ? html`<p class="muted">${t('business.offersTotal', { n: d.offers.total, pending: d.pending.total })}</p>
          <${Table} rows=${d.offers.items} empty=${t('business.noOffer')}
            columns=${[
              { key: 'item', label: t('shop.col.item') },
              { key: 'price', label: t('shop.col.price'), class: 'num', render: (o) => formatBD(o.price) },
              { key: 'sold', label: t('business.col.sold'), class: 'num', render: (o) => `${o.sold} / ${o.stock}` },
            ]} />` : html`<${Loading} />`}
      <//>
    </div>
    <${Card} title=${t('business.keys')} subtitle=${t('business.keysSub')}>
      <dl class="c-kv">
        <dt>${t('business.col.address')}</dt><dd><${Copyable} text=${address} /></dd>
        <dt>${t('business.col.encryptionKey')}</dt><dd><span class="mono">${me.account.encryption_key}</span></dd>
        <dt>${t('business.col.approved')}</dt><dd>${formatTime(me.account.created_at)}</dd>
      </dl>
    <//>`;
}
