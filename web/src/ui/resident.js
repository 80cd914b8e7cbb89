// The resident's side of the app: onboarding (invitation code, identity) and, once a
// resident, the planet (bubbles, Force, countdown), tasks, invitations, the vault, data
// requests, the shop, Lucky Drill and history. Every read is a ledger query; every
// write is a transaction signed in this browser.
//
// One navigation serves both screens: on a phone it is a bar fixed at the bottom with the
// five places a thumb needs (planet, tasks, shop, vault, me; "me" holds the rest), on a
// desktop the same links are top tabs listing every page (the "me" hub is not needed there).
import { html, t, useLive, Card, ErrorBox, Loading, Badge, shortAddr } from './common.js';
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

// 24×24 outline icons (stroke = currentColor), one per place in the bottom bar.
const ICONS = {
  planet: html`<circle cx="12" cy="12" r="6.5" /><ellipse cx="12" cy="12" rx="11" ry="4" transform="rotate(-20 12 12)" />`,
  tasks: html`<rect x="4" y="3.5" width="16" height="17" rx="2.5" /><path d="M8 9l2 2 4-4M8 15.5h8" />`,
  shop: html`<path d="M5 8h14l-1.2 11.5H6.2z" /><path d="M9 8V6.5a3 3 0 0 1 6 0V8" />`,
  vault: html`<rect x="3.5" y="5" width="17" height="15" rx="2.5" /><circle cx="12" cy="12.5" r="3" /><path d="M12 9.5V8M7 5V3.5M17 5V3.5" />`,
  me: html`<circle cx="12" cy="8.5" r="4" /><path d="M4.5 20.5c.8-4 3.8-6 7.5-6s6.7 2 7.5 6" />`,
};

// Every page, in the desktop tabs' order; `phone` marks the bottom bar's five.
const TABS = [
  { id: 'planet', view: PlanetView, phone: true },
  { id: 'tasks', view: TasksView, phone: true },
  { id: 'invites', view: InvitesView },
  { id: 'vault', view: VaultView, phone: true },
  { id: 'requests', view: RequestsView },
  { id: 'shop', view: ShopView, phone: true },
  { id: 'drill', view: DrillView },
  { id: 'history', view: HistoryView },
  { id: 'me', view: MeView, phone: true },
];
// The bottom bar's order (a thumb's reach: the planet first, "me" last), set by CSS `order`.
const PHONE_ORDER = ['planet', 'tasks', 'shop', 'vault', 'me'];
// The pages the "me" hub lists (on a phone they have no place of their own in the bar).
const ME_PAGES = ['requests', 'invites', 'history', 'drill'];

/** The resident's navigation: top tabs on a desktop, the fixed bottom bar on a phone. */
function ResidentNav({ current }) {
  const inMe = current === 'me' || ME_PAGES.includes(current);
  return html`<nav class="resident-nav" data-testid="resident-tabs" aria-label=${t('common.sections')}>
    ${TABS.map((x) => {
      const active = x.id === 'me' ? inMe : x.id === current;
      const cls = `rtab${x.phone ? ' rtab-phone' : ''}${x.id === 'me' ? ' rtab-me' : ''}${x.phone ? '' : ' rtab-desk'}${active ? ' active' : ''}`;
      return html`<a key=${x.id} href=${`#/resident/${x.id}`} class=${cls} aria-current=${active ? 'page' : undefined}
        style=${x.phone ? { '--phone-order': PHONE_ORDER.indexOf(x.id) } : undefined} data-testid=${`tab-${x.id}`}>
        ${ICONS[x.id] ? html`<svg class="rtab-icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">${ICONS[x.id]}</svg>` : null}
        <span class="rtab-label">${t(`resident.tab.${x.id}`)}</span></a>`;
    })}
  </nav>`;
}

/** "Me": what has no place of its own in the phone's bar (requests, invitations, history,
 * Lucky Drill), the wallet and its settings, and the other roles' pages. */
function MeView({ ctx, account }) {
  const links = [
    ...ME_PAGES.map((id) => ({ href: `#/resident/${id}`, label: t(`resident.tab.${id}`), hint: t(`me.hint.${id}`), id })),
    { href: '#/wallet/list', label: t('me.wallet'), hint: t('me.hint.wallet'), id: 'wallet' },
    { href: '#/explorer', label: t('shell.role.explorer'), hint: t('me.hint.explorer'), id: 'explorer' },
    { href: '#/', label: t('shell.home'), hint: t('me.hint.home'), id: 'home' },
  ];
  return html`<div class="grid" data-testid="me">
    <${Card} title=${t('me.title')} subtitle=${t('resident.address', { address: shortAddr(ctx.wallet.address, 14, 8) })}>
      <ul class="me-list">
        ${links.map((l) => html`<li key=${l.id}><a class="me-link" href=${l.href} data-testid=${`me-${l.id}`}>
          <span class="me-label">${l.label}</span><span class="me-hint">${l.hint}</span></a></li>`)}
      </ul>
      <p class="muted small">${account.verified ? t('resident.verified') : t('resident.unverified')}</p>
    <//>
  </div>`;
}

export function ResidentPage({ ctx }) {
  const { api, wallet } = ctx;
  // The account changes only by a transaction of this wallet's (registering, verifying).
  const acct = useLive(() => loadAccount(api, wallet.address), [wallet.address], { onTx: true });
  const tab = ctx.route.parts[1] || 'planet';
  if (acct.data === undefined) {
    if (acct.error) return html`<div class="page"><${ErrorBox} error=${acct.error} /></div>`;
    // The planet does not wait for the account: its own reads run alongside, so the balance
    // shows as soon as they are answered (an address that is no resident gets onboarding).
    if (tab !== 'planet') return html`<div class="page"><${Loading} /></div>`;
    return html`<div class="page resident" data-testid="resident-page">
      <div class="page-head"><div><h1 class="page-title">${ctx.walletName || t('resident.myPlanet')}</h1>
        <p class="muted small">${t('resident.address', { address: shortAddr(wallet.address, 14, 8) })}</p></div></div>
      ${null /* where the identity step goes: the same places, so the planet is kept, not remade */}
      <${ResidentNav} current="planet" />
      <${PlanetView} ctx=${ctx} account=${{ verified: false }} reloadAccount=${acct.reload} />
    </div>`;
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
  const current = TABS.find((x) => x.id === tab) || TABS[0];
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
    <${ResidentNav} current=${current.id} />
    <${View} ctx=${ctx} account=${account} reloadAccount=${acct.reload} />
  </div>`;
}
