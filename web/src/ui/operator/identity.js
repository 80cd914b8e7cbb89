// Which identity authority and code sender the node's verifier uses, from /v1/status: a
// development node says "checksum only — not for production" where the operator looks.
import { html, t, useLive, describeAuthority, describeSender } from '../common.js';

export function IdentitySettings({ ctx }) {
  const status = useLive(() => ctx.api.status(), []);
  const s = status.data;
  if (!s) return null;
  const production = s.identity_authority_kind === 'http' && s.identity_code_sender_kind === 'http';
  return html`<div class=${`notice ${production ? 'good' : 'warn'}`} data-testid="identity-settings">
    <p><b>${t('identity.authorityLabel')}:</b> <span data-testid="identity-authority">${describeAuthority(s.identity_authority_kind, s.identity_authority)}</span>
      · <b>${t('identity.senderLabel')}:</b> <span data-testid="identity-sender">${describeSender(s.identity_code_sender_kind, s.identity_code_sender)}</span></p>
    ${s.identity_authority_kind === 'checksum' ? html`<p>${t('identity.notProduction')}</p>` : null}
  </div>`;
}
