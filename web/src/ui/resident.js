// The resident's side of the app: onboarding (invitation code, identity) and, once a
// resident, the planet (bubbles, Force, countdown), tasks, invitations, the vault, data
// requests, the shop, Lucky Drill and history. Every read is a ledger query; every
// write is a transaction signed in this browser.
import { html, t, useLive, Card, Tabs, ErrorBox, Loading, Badge, shortAddr } from './common.js';
import { Onboarding, VerifyIdentity } from './resident/onboarding.js';
import { PlanetView } from './resident/planet.js';
import { TasksView } from './resident/tasks.js';
import { InvitesView } from './resident/invites.js';
import { VaultView } from './resident/vault.js';
import { RequestsView } from './resident/requests.js';
import { ShopView } from './resident/shop.js';
import { DrillView } from './resident/drill.js';
import { HistoryView } from './resident/history.js';
import { loadAccount } from './resident/data.js';

const TABS = [
  { id: 'planet', view: PlanetView },
  { id: 'tasks', view: TasksView },
  { id: 'invites', view: InvitesView },
  { id: 'vault', view: VaultView },
  { id: 'requests', view: RequestsView },
  { id: 'shop', view: ShopView },
  { id: 'drill', view: DrillView },
  { id: 'history', view: HistoryView },
];

export function ResidentPage({ ctx }) {
  const { api, wallet } = ctx;
  const acct = useLive(() => loadAccount(api, wallet.address), [wallet.address]);
  if (acct.data === undefined) {
    return html`<div class="page">${acct.error ? html`<${ErrorBox} error=${acct.error} />` : html`<${Loading} />`}</div>`;
  }
  const account = acct.data;
  if (!account) {
    return html`<${Onboarding} ctx=${ctx} onDone=${acct.reload} />`;
  }
  if (account.kind !== 'resident') {
    const kind = t(`kind.${account.kind}`);
    return html`<div class="page"><${Card} title=${t('resident.notResident')} testid="not-resident">
      <p>${t('resident.notResidentText', { address: shortAddr(wallet.address), kind })}</p>
      <p><a href=${`#/${account.kind === 'business' ? 'business' : account.kind === 'operator' ? 'operator' : 'explorer'}`}>${t('resident.goTo', { kind })}</a></p>
    <//></div>`;
  }
  const tab = ctx.route.parts[1] || 'planet';
  const current = TABS.find((t) => t.id === tab) || TABS[0];
  const View = current.view;
  return html`<div class="page resident" data-testid="resident-page">
    <div class="page-head">
      <div>
        <h1 class="page-title">${ctx.walletName || t('resident.myPlanet')}</h1>
        <p class="muted small">${t('resident.address', { address: shortAddr(wallet.address, 14, 8) })}
          ${account.verified ? html` · <${Badge} kind="ok" testid="verified-badge">${t('resident.verified')}<//>`
            : html` · <${Badge} kind="warn" testid="unverified-badge">${t('resident.unverified')}<//>`}</p>
      </div>
    </div>
    ${account.verified ? null : html`<${VerifyIdentity} ctx=${ctx} onDone=${acct.reload} compact=${tab !== 'planet'} />`}
    <${Tabs} items=${TABS.map((x) => ({ ...x, label: t(`resident.tab.${x.id}`) }))} current=${current.id} hrefFor=${(id) => `#/resident/${id}`} testid="resident-tabs" />
    <${View} ctx=${ctx} account=${account} reloadAccount=${acct.reload} />
  </div>`;
}
