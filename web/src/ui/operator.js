// The operator's dashboard's shell: who is signed in (reads are public; every change is a
// transaction the operator's key signs in this browser), identity settings, and the tab it
// shows. Each tab is a page of its own in ui/operator/: overview (supply, census), tasks,
// businesses (applications, quotas, suspensions), relays, invites.
import {
  html, t, useLive, Tabs,
} from './common.js';
import { getAccount } from './explorer/kit.js';
import { IdentitySettings } from './operator/identity.js';
import { RelaysPanel } from './operator/relays.js';
import { Overview } from './operator/overview.js';
import { TasksTab } from './operator/tasks.js';
import { BusinessesTab } from './operator/businesses.js';
import { InvitesTab } from './operator/invites.js';

const TABS = ['overview', 'tasks', 'businesses', 'relays', 'invites'];

export function OperatorPage({ ctx }) {
  const tab = TABS.includes(ctx.route.parts[1]) ? ctx.route.parts[1] : 'overview';
  const me = useLive(() => (ctx.wallet ? getAccount(ctx, ctx.wallet.address) : null), [ctx.wallet?.address]);
  const isOperator = me.data?.kind === 'operator';
  let body;
  if (tab === 'tasks') body = html`<${TasksTab} ctx=${ctx} isOperator=${isOperator} />`;
  else if (tab === 'businesses') body = html`<${BusinessesTab} ctx=${ctx} isOperator=${isOperator} />`;
  else if (tab === 'invites') body = html`<${InvitesTab} ctx=${ctx} isOperator=${isOperator} />`;
  else if (tab === 'relays') body = html`<${RelaysPanel} ctx=${ctx} />`;
  else body = html`<${Overview} ctx=${ctx} />`;
  return html`<div class="page operator" data-testid="operator-page">
    <div class="page-head">
      <div>
        <h1>${t('operator.title')}</h1>
        <p class="lead">${t('operator.lead')}</p>
      </div>
      <${WhoAmI} ctx=${ctx} me=${me} isOperator=${isOperator} />
    </div>
    <${IdentitySettings} ctx=${ctx} />
    <${Tabs} items=${TABS.map((id) => ({ id, label: t(`operator.tab.${id}`) }))} current=${tab} hrefFor=${(id) => `#/operator/${id}`} testid="operator-tabs" />
    ${body}
  </div>`;
}

function WhoAmI({ ctx, me, isOperator }) {
  if (!ctx.wallet) return html`<div class="notice warn" data-testid="operator-role">${t('operator.readOnly')} <a href="#/wallet">${t('operator.importKey')}</a></div>`;
  if (me.data === undefined) return null;
  if (isOperator) return html`<div class="notice good" data-testid="operator-role">${t('operator.signedIn')} · <span class="mono">${ctx.wallet.name}</span></div>`;
  return html`<div class="notice warn" data-testid="operator-role">${t('operator.notOperator', { name: ctx.wallet.name })} <a href="#/wallet">${t('operator.importKey')}</a> (HOME/keys/operator.json)</div>`;
}
