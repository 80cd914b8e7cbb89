// Invitation codes to share. Only their hashes are on the ledger; the codes are derived
// from the wallet's key (sdk/invites.js), so this page regenerates them on any device that
// holds the wallet and matches them to the ledger, used or not. Codes made at random before
// that, kept in the browser that made them, are still shown there.
import { useState } from 'preact/hooks';
import { inviteHash, inviteSeed, matchInviteCodes } from '../../sdk/base.js';
import {
  html, t, tr, useLive, Button, Card, ErrorBox, Loading, Badge, Copyable, toast, formatTime, shortAddr,
} from '../common.js';
import { loadInviteCodes } from './data.js';

async function loadInvites(api, wallet) {
  const onChain = await api.query('accounts/invites_of', { address: wallet.address });
  const { mine, other } = await matchInviteCodes(await inviteSeed(wallet), onChain);
  const rows = mine.map((m) => ({ code: m.code, hash: m.hash, created: null, invite: m.invite }));
  // random codes this browser made before codes were derived
  const left = new Map(other.map((i) => [i.code_hash, i]));
  const derived = new Set(rows.map((r) => r.hash));
  for (const c of loadInviteCodes(wallet.address)) {
    const h = await inviteHash(c.code);
    if (derived.has(h)) continue;
    rows.push({ code: c.code, hash: h, created: c.created, invite: left.get(h) || null });
    left.delete(h);
  }
  return { rows, elsewhere: [...left.values()] };
}

export function InvitesView({ ctx, account, reloadAccount }) {
  const { api, wallet } = ctx;
  const live = useLive(() => loadInvites(api, wallet), [wallet.address]);
  const [count, setCount] = useState(1);
  if (live.data === undefined) {
    return live.error ? html`<${ErrorBox} error=${live.error} />` : html`<${Loading} text=${t('ledger.invitesRecovering')} />`;
  }
  const { rows, elsewhere } = live.data;
  const left = account.invites_left ?? 0;
  const create = async () => {
    const codes = await api.createInvites(wallet, Math.min(count, left));
    toast(t('invites.made', { n: codes.length }));
    reloadAccount();
    live.reload();
  };
  const used = rows.filter((r) => r.invite && r.invite.used_by).length;
  return html`<div class="grid" data-testid="invites">
    <${Card} title=${t('invites.title')} subtitle=${t('ledger.invitesSub', { unused: rows.length - used, used })}
      actions=${left > 0 ? html`<span class="inline-form">
        <select value=${count} onChange=${(e) => setCount(Number(e.target.value))} aria-label=${t('invites.howMany')}>
          ${Array.from({ length: Math.min(left, 10) }, (_, i) => html`<option value=${i + 1}>${i + 1}</option>`)}
        </select>
        <${Button} small testid="invites-create" onClick=${create}>${t('invites.create')}<//></span>` : html`<span class="muted small">${t('invites.noMore')}</span>`}>
      <p class="muted small">${tr('ledger.invitesLeft', { n: html`<b data-testid="invites-left">${left}</b>` })}</p>
      ${rows.length ? html`<ul class="records" data-testid="invite">${rows.map((r) => html`<li key=${r.code} class="record" data-testid="invite-row">
        <div class="record-main">
          <span class="record-title"><${Copyable} text=${r.code} testid="invite-code-value" />
            ${!r.invite ? html`<${Badge} kind="warn">${t('invites.notOnChain')}<//>`
              : r.invite.used_by ? html`<${Badge} testid="invite-used">${t('invites.used')}<//>`
                : html`<${Badge} kind="ok" testid="invite-unused">${t('invites.unused')}<//>`}</span>
          <span class="muted small">${t('invites.col.made')}: ${r.created ? formatTime(r.created, { seconds: false })
            : r.invite ? t('invites.inBlock', { height: r.invite.created_height }) : '—'}${r.invite && r.invite.used_by
            ? html` · ${t('invites.col.usedBy')}: <a href=${`#/explorer/account/${r.invite.used_by}`}>${shortAddr(r.invite.used_by)}</a> ${t('invites.inBlock', { height: r.invite.used_height })}` : null}</span>
        </div>
      </li>`)}</ul>` : html`<p class="empty" data-testid="invite-empty">${t('ledger.invitesNone')}</p>`}
      ${elsewhere.length ? html`<p class="muted small">${t('ledger.invitesOld', { n: elsewhere.length, used: elsewhere.filter((i) => i.used_by).length })}</p>` : null}
    <//>
  </div>`;
}
