// The business console's shell: who is signed in (an applicant, a business, or neither),
// the purse and today's Force quota, a suspension notice, and the tab it shows. Each tab is a
// page of its own in ui/business/: overview, requests (and one request), tasks it attests,
// deposits, offers with their redemptions, webhooks; the application before approval.
import {
  html, t, useLive, formatBD, formatForce, formatTime, Card, ErrorBox, Loading, Stat, Tabs,
} from './common.js';
import { ApplyScreen } from './business/apply.js';
import { WebhooksTab } from './business/webhooks.js';
import { Overview } from './business/overview.js';
import { RequestsTab, RequestDetail } from './business/requests.js';
import { TasksTab } from './business/attest.js';
import { DepositsTab } from './business/deposits.js';
import { OffersTab } from './business/offers.js';
import { query, getAccount } from './explorer/kit.js';

const TABS = ['overview', 'requests', 'tasks', 'deposits', 'offers', 'webhooks'];

async function loadMe(ctx) {
  if (!ctx.wallet) return null;
  const account = await getAccount(ctx, ctx.wallet.address);
  if (!account || account.kind !== 'business') return { account };
  const [purse, quota, suspension] = await Promise.all([
    query(ctx, 'exchange/purse', { business: account.address }),
    query(ctx, 'force/quota', { address: account.address }).catch(() => null),
    query(ctx, 'exchange/suspension', { business: account.address }).catch(() => null),
  ]);
  return { account, purse, quota, suspension };
}

export function BusinessPage({ ctx }) {
  const me = useLive(() => loadMe(ctx), [ctx.wallet?.address]);
  const registered = me.data?.account?.kind === 'business';
  const tab = TABS.includes(ctx.route.parts[1]) ? ctx.route.parts[1] : 'overview';
  let body;
  if (!ctx.wallet) {
    body = html`<${Card} title=${t('business.walletTitle')}>
      <p>${t('business.walletText')}
        <a href="#/wallet" data-testid="business-go-wallet">${t('landing.createOrRestore')}</a></p><//>`;
  } else if (me.data === undefined) {
    body = me.error ? html`<${ErrorBox} error=${me.error} />` : html`<${Loading} />`;
  } else if (!registered) {
    body = html`<${Application} ctx=${ctx} account=${me.data.account} />`;
  } else if (tab === 'requests') {
    body = ctx.route.parts[2]
      ? html`<${RequestDetail} ctx=${ctx} id=${Number(ctx.route.parts[2])} />`
      : html`<${RequestsTab} ctx=${ctx} purse=${me.data.purse} />`;
  } else if (tab === 'tasks') body = html`<${TasksTab} ctx=${ctx} quota=${me.data.quota} />`;
  else if (tab === 'deposits') body = html`<${DepositsTab} ctx=${ctx} />`;
  else if (tab === 'offers') body = html`<${OffersTab} ctx=${ctx} />`;
  else if (tab === 'webhooks') body = html`<${WebhooksTab} ctx=${ctx} />`;
  else body = html`<${Overview} ctx=${ctx} me=${me.data} />`;
  const a = me.data?.account;
  return html`<div class="page business" data-testid="business-page">
    <div class="page-head">
      <div>
        <h1>${registered ? a.name : t('business.console')}</h1>
        <p class="lead">${registered
          ? html`${t('business.address')} <span class="mono" data-testid="business-address">${a.address}</span>`
          : t('business.lead')}</p>
      </div>
      ${registered ? html`<div class="head-stats">
        <${Stat} label=${t('business.purse')} value=${formatBD(me.data.purse.balance)} testid="business-purse" />
        ${me.data.quota ? html`<${Stat} label=${t('business.quotaToday')} value=${`${formatForce(me.data.quota.left_today)} / ${formatForce(me.data.quota.daily_force)}`} testid="business-quota" />` : null}
      </div>` : null}
    </div>
    ${registered && me.data.suspension?.suspended ? html`<p class="notice warn" data-testid="business-suspended">
      ${t('business.suspended', { since: formatTime(me.data.suspension.since, { seconds: false }), reason: me.data.suspension.reason })}</p>` : null}
    ${registered ? html`<${Tabs} items=${TABS.map((id) => ({ id, label: t(`business.tab.${id}`) }))} current=${tab} hrefFor=${(id) => `#/business/${id}`} testid="business-tabs" />` : null}
    ${body}
  </div>`;
}

// --- application --------------------------------------------------------------------------

function Application({ ctx, account }) {
  if (account && account.kind !== 'business') {
    return html`<${Card} title=${t('business.notBusiness')}>
      <p data-testid="business-wrong-kind">${t('business.notBusinessText', { name: ctx.wallet.name, kind: t(`kind.${account.kind}`) })}
        <a href="#/wallet">${t('business.createNew')}</a></p><//>`;
  }
  return html`<${ApplyScreen} ctx=${ctx} />`;
}
