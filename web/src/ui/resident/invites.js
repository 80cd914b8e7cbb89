// Invitation codes to share. The codes were made in this browser and only their hashes
// are on the ledger, so this page matches the two: codes kept here, used or not on chain.
import { useState } from 'preact/hooks';
import { inviteHash } from '../../sdk/index.js';
import {
  html, useLive, Button, Card, Table, ErrorBox, Loading, Badge, Copyable, toast, formatTime, shortAddr,
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
    toast(`${codes.length} new code${codes.length === 1 ? '' : 's'}`);
    reloadAccount();
    live.reload();
  };
  const used = rows.filter((r) => r.invite && r.invite.used_by).length;
  return html`<div class="grid" data-testid="invites">
    <${Card} title="Invitation codes to share" subtitle=${`${rows.length - used} unused, ${used} used. Share a code with a friend: they join with it, and you earn Force when they verify.`}
      actions=${left > 0 ? html`<span class="inline-form">
        <select value=${count} onChange=${(e) => setCount(Number(e.target.value))} aria-label="How many">
          ${Array.from({ length: Math.min(left, 10) }, (_, i) => html`<option value=${i + 1}>${i + 1}</option>`)}
        </select>
        <${Button} small testid="invites-create" onClick=${create}>Create codes<//></span>` : html`<span class="muted small">no more codes to create</span>`}>
      <p class="muted small">You may still create <b data-testid="invites-left">${left}</b> code${left === 1 ? '' : 's'}.
        Codes are kept in this browser with your wallet: nobody else can read them from the ledger.</p>
      <${Table} testid="invite" rows=${rows} rowKey=${(r) => r.code} empty="No codes in this browser." columns=${[
        { label: 'Code', render: (r) => html`<${Copyable} text=${r.code} testid="invite-code-value" />` },
        { label: 'Status', render: (r) => (!r.invite ? html`<${Badge} kind="warn">not on chain<//>`
          : r.invite.used_by ? html`<${Badge} testid="invite-used">used<//>` : html`<${Badge} kind="ok" testid="invite-unused">unused<//>`) },
        { label: 'Used by', render: (r) => (r.invite && r.invite.used_by
          ? html`<a href=${`#/explorer/account/${r.invite.used_by}`}>${shortAddr(r.invite.used_by)}</a> <span class="muted small">block #${r.invite.used_height}</span>` : '—') },
        { label: 'Made', render: (r) => (r.created ? formatTime(r.created, { seconds: false }) : '—') },
      ]} />
      ${elsewhere.length ? html`<p class="muted small">${elsewhere.length} more code${elsewhere.length === 1 ? ' was' : 's were'} made in another browser
        (${elsewhere.filter((i) => i.used_by).length} used).</p>` : null}
    <//>
  </div>`;
}
