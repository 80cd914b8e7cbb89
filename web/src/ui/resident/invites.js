// Invitation codes to share. The codes were made in this browser and only their hashes
// are on the ledger, so this page matches the two: codes kept here, used or not on chain.
import { useState } from 'preact/hooks';
import { inviteHash } from '../../sdk/index.js';
import {
  html, t, tr, useLive, Button, Card, Table, ErrorBox, Loading, Badge, Copyable, toast, formatTime, shortAddr,
} from '../common.js';
import { loadInviteCodes, saveInviteCodes } from './data.js';

async function loadInvites(api, address) {
  const onChain = await api.query('accounts/invites_of', { address });
  const byHash = Object.fromEntries(onChain.map((i) => [i.code_hash, i]));
  const local = loadInviteCodes(address);
  const rows = [];
  const known = new Set();
  for (const c of local) {
    const h = await inviteHash(c.code);
    known.add(h);
    rows.push({ code: c.code, hash: h, created: c.created, invite: byHash[h] || null });
  }
  const elsewhere = onChain.filter((i) => !known.has(i.code_hash));
  return { rows, elsewhere };
}

export function InvitesView({ ctx, account, reloadAccount }) {
  const { api, wallet } = ctx;
  const live = useLive(() => loadInvites(api, wallet.address), [wallet.address]);
  const [count, setCount] = useState(1);
  if (live.data === undefined) return live.error ? html`<${ErrorBox} error=${live.error} />` : html`<${Loading} />`;
  const { rows, elsewhere } = live.data;
  const left = account.invites_left ?? 0;
  const create = async () => {
    const codes = await api.createInvites(wallet, Math.min(count, left));
    saveInviteCodes(wallet.address, codes);
    toast(t('invites.made', { n: codes.length }));
    reloadAccount();
    live.reload();
  };
  const used = rows.filter((r) => r.invite && r.invite.used_by).length;
  return html`<div class="grid" data-testid="invites">
    <${Card} title=${t('invites.title')} subtitle=${t('invites.sub', { unused: rows.length - used, used })}
      actions=${left > 0 ? html`<span class="inline-form">
        <select value=${count} onChange=${(e) => setCount(Number(e.target.value))} aria-label=${t('invites.howMany')}>
          ${Array.from({ length: Math.min(left, 10) }, (_, i) => html`<option value=${i + 1}>${i + 1}</option>`)}
        </select>
        <${Button} small testid="invites-create" onClick=${create}>${t('invites.create')}<//></span>` : html`<span class="muted small">${t('invites.noMore')}</span>`}>
      <p class="muted small">${tr('invites.left', { n: html`<b data-testid="invites-left">${left}</b>` })}</p>
      <${Table} testid="invite" rows=${rows} rowKey=${(r) => r.code} empty=${t('invites.none')} columns=${[
        { label: t('invites.col.code'), render: (r) => html`<${Copyable} text=${r.code} testid="invite-code-value" />` },
        { label: t('invites.col.status'), render: (r) => (!r.invite ? html`<${Badge} kind="warn">${t('invites.notOnChain')}<//>`
          : r.invite.used_by ? html`<${Badge} testid="invite-used">${t('invites.used')}<//>` : html`<${Badge} kind="ok" testid="invite-unused">${t('invites.unused')}<//>`) },
        { label: t('invites.col.usedBy'), render: (r) => (r.invite && r.invite.used_by
          ? html`<a href=${`#/explorer/account/${r.invite.used_by}`}>${shortAddr(r.invite.used_by)}</a> <span class="muted small">${t('invites.inBlock', { height: r.invite.used_height })}</span>` : '—') },
        { label: t('invites.col.made'), render: (r) => (r.created ? formatTime(r.created, { seconds: false }) : '—') },
      ]} />
      ${elsewhere.length ? html`<p class="muted small">${t('invites.elsewhere', { n: elsewhere.length, used: elsewhere.filter((i) => i.used_by).length })}</p>` : null}
    <//>
  </div>`;
}
