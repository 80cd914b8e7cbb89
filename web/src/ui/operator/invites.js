// Invitation codes for the beta: made in this browser (only their hashes go on the ledger)
// and kept here beside the operator's wallet.
import { useState } from 'preact/hooks';
import {
  html, t, fail, useLive, Card, Button, Field, Copyable, toast,
} from '../common.js';
import { query, createInviteCodes, parsePositiveInt } from '../explorer/kit.js';

const inviteStoreKey = (address) => `planet.operator.invites.${address}`;

function storedCodes(address) {
  try { return JSON.parse(localStorage.getItem(inviteStoreKey(address)) || '[]'); } catch { return []; }
}

export function InvitesTab({ ctx, isOperator }) {
  const address = ctx.wallet?.address;
  const [count, setCount] = useState('5');
  const [fresh, setFresh] = useState([]);
  const invites = useLive(() => (address && isOperator ? query(ctx, 'accounts/invites_of', { address }) : []), [address, isOperator]);
  const create = async () => {
    const n = parsePositiveInt(count, t('invites.howMany'));
    if (n > 100) throw fail('operator.atMost100');
    const codes = await createInviteCodes(ctx, n);
    localStorage.setItem(inviteStoreKey(address), JSON.stringify([...codes, ...storedCodes(address)]));
    setFresh(codes);
    toast(t('operator.codesMade', { n: codes.length }));
    invites.reload();
  };
  const known = address ? storedCodes(address) : [];
  const used = (invites.data || []).filter((i) => i.used || i.used_by || i.resident).length;
  return html`<${Card} title=${t('operator.invitesTitle')} testid="op-invites" subtitle=${t('operator.invitesSub')}>
    <div class="form-row">
      <${Field} label=${t('invites.howMany')}><input type="number" min="1" max="100" value=${count} data-testid="op-invite-count" onInput=${(e) => setCount(e.currentTarget.value)} /><//>
      <div class="form-actions"><${Button} testid="op-invite-create" disabled=${!isOperator} onClick=${create} busyLabel=${t('operator.creating')}>${t('invites.create')}<//></div>
    </div>
    ${fresh.length ? html`<div class="notice good"><p>${t('operator.newCodes')}</p>
      <ul class="codes">${fresh.map((c) => html`<li><${Copyable} text=${c} testid="op-invite-code" /></li>`)}</ul></div>` : null}
    ${isOperator ? html`<p class="muted" data-testid="op-invite-summary">${t('operator.invitesSummary', { n: (invites.data || []).length, used, kept: known.length })}</p>` : null}
    ${known.length ? html`<details><summary>${t('operator.keptCodes', { n: known.length })}</summary>
      <ul class="codes">${known.map((c) => html`<li><code>${c}</code></li>`)}</ul></details>` : null}
  <//>`;
}
