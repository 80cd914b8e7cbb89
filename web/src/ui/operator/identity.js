// Which identity authority and code sender the node's verifier uses, from /v1/status: a
// development node says "checksum only — not for production" where the operator looks.
import { html, useLive } from '../common.js';
import { describeAuthority, describeSender, identityMessages } from '../identity-messages.js';

export function IdentitySettings({ ctx }) {
  const status = useLive(() => ctx.api.status(), []);
  const s = status.data;
  if (!s) return null;
  const m = identityMessages();
  const production = s.identity_authority_kind === 'http' && s.identity_code_sender_kind === 'http';
  return html`<div class=${`notice ${production ? 'good' : 'warn'}`} data-testid="identity-settings">
    <p><b>${m.authorityLabel}:</b> <span data-testid="identity-authority">${describeAuthority(s.identity_authority_kind, s.identity_authority, m)}</span>
      · <b>${m.senderLabel}:</b> <span data-testid="identity-sender">${describeSender(s.identity_code_sender_kind, s.identity_code_sender, m)}</span></p>
    ${s.identity_authority_kind === 'checksum' ? html`<p>${m.notProduction}</p>` : null}
  </div>`;
}
