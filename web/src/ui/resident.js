// The resident's side of the app: onboarding (invitation code, identity) and, once a
// resident, the planet (bubbles, Force, countdown), tasks, invitations, the vault, data
// requests, the shop, Lucky Drill and history. Every read is a ledger query; every
// write is a transaction signed in this browser.
import { html, useLive, Card, Tabs, ErrorBox, Loading, Badge, shortAddr } from './common.js';
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
  { id: 'planet', label: 'Planet', view: PlanetView },
  { id: 'tasks', label: 'Tasks', view: TasksView },
  { id: 'invites', label: 'Invitations', view: InvitesView },
  { id: 'vault', label: 'Vault', view: VaultView },
  { id: 'requests', label: 'Data requests', view: RequestsView },
  { id: 'shop', label: 'Shop', view: ShopView },
  { id: 'drill', label: 'Lucky Drill', view: DrillView },
  { id: 'history', label: 'History', view: HistoryView },
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
    return html`<div class="page"><${Card} title="Not a resident account" testid="not-resident">
      <p>This wallet (${shortAddr(wallet.address)}) is a <b>${account.kind}</b> account on this chain.
        Residents register with their own wallet: create a new one from the wallet switcher.</p>
      <p><a href=${`#/${account.kind === 'business' ? 'business' : account.kind === 'operator' ? 'operator' : 'explorer'}`}>Go to the ${account.kind} pages</a></p>
    <//></div>`;
  }
  const tab = ctx.route.parts[1] || 'planet';
  const current = TABS.find((t) => t.id === tab) || TABS[0];
  const View = current.view;
  return html`<div class="page resident" data-testid="resident-page">
    <div class="page-head">
      <div>
        <h1 class="page-title">${ctx.walletName || 'My planet'}</h1>
        <p class="muted small">Resident ${shortAddr(wallet.address, 14, 8)}
          ${account.verified ? html` · <${Badge} kind="ok" testid="verified-badge">identity verified<//>`
            : html` · <${Badge} kind="warn" testid="unverified-badge">identity not verified<//>`}</p>
      </div>
    </div>
    ${account.verified ? null : html`<${VerifyIdentity} ctx=${ctx} onDone=${acct.reload} compact=${tab !== 'planet'} />`}
    <${Tabs} items=${TABS} current=${current.id} hrefFor=${(id) => `#/resident/${id}`} testid="resident-tabs" />
    <${View} ctx=${ctx} account=${account} reloadAccount=${acct.reload} />
  </div>`;
}
