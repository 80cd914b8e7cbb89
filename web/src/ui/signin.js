// Sign in with Planet, the wallet's side (#/signin?message=…[&redirect_uri=…]): a website
// sends the resident here with the message it wants signed (sdk/signin.js has the format);
// the page says in plain words who asks, what for and until when, and on Approve signs it
// with the current wallet and returns to the site. The answer goes only to the URI the
// message names, which must be on the message's domain and https (or http on this
// machine): by redirect, with the answer in the URI's query, or, when the site opened this
// page as a pop-up and gave no redirect_uri, by postMessage to that URI's origin alone.
// Decline returns error=access_denied the same way. A request that fails the checks is
// shown with its reason and never answered. Its strings are the i18n catalogs' signin.*.
import { useEffect, useMemo, useState } from 'preact/hooks';
import * as sdk from '../sdk/base.js';
import { html, Button, Card, Loading, shortAddr } from './common.js';
import { t, fail, has, getLocale, useLocale } from '../i18n/index.js';

/** A refusal by its reason; its words are looked up when shown (they follow the language). */
const refusal = (reason) => ({ reason: has(`signin.why.${reason}`) ? reason : 'malformed' });

/** The request's fields and where the answer goes, or the reason it cannot be answered. */
function readRequest(query, chainId) {
  let fields;
  try {
    fields = sdk.parseSigninMessage(query.message ?? '', { requireAddress: false });
  } catch {
    return { error: refusal('malformed') };
  }
  try {
    sdk.checkSigninRequest(fields, { chainId });
  } catch (err) {
    return { error: refusal(err.reason), fields };
  }
  if (query.redirect_uri !== undefined && query.redirect_uri !== fields.uri) {
    return { error: refusal('redirect'), fields };
  }
  const popup = query.redirect_uri === undefined && Boolean(window.opener);
  return { fields, popup, origin: new URL(fields.uri).origin };
}

/** Hand the answer to the site: postMessage to its origin alone, or a redirect to its URI. */
function answer(request, data) {
  if (request.popup) {
    if (!window.opener || window.opener.closed) throw fail('signin.why.noWindow');
    window.opener.postMessage({ type: 'planet:signin', ...data }, request.origin);
    window.close();
    return;
  }
  window.location.assign(sdk.signinReturnUrl(request.fields.uri, data));
}

export function SigninPage({ ctx, entry, onUnlock }) {
  const { api, wallet, status, route } = ctx;
  const request = useMemo(() => (status ? readRequest(route.query, status.chain_id) : null),
    [route.hash, status?.chain_id]);
  const [kind, setKind] = useState(undefined);
  const [done, setDone] = useState(false);
  useLocale(); // re-render when the visitor switches language
  useEffect(() => {
    setKind(undefined);
    if (!wallet) return;
    api.account(wallet.address).then((a) => setKind(a?.kind ?? null), () => setKind(undefined));
  }, [wallet?.address]);

  if (!request || wallet === undefined) return html`<div class="page"><${Loading} /></div>`;
  const f = request.fields;
  const domain = f?.domain ?? '?';
  if (request.error) {
    return html`<div class="page"><${Card} title=${t('signin.refused')} testid="signin-refused">
      <p data-testid="signin-error" data-reason=${request.error.reason}>${t(`signin.why.${request.error.reason}`)}</p>
      ${f ? html`<p class="muted">${t('signin.title', { domain })}</p>` : null}
    <//></div>`;
  }
  const expires = new Date(Date.parse(f.expirationTime)).toLocaleString(
    getLocale(), { dateStyle: 'medium', timeStyle: 'short' });
  const mismatch = wallet && f.address && f.address !== wallet.address;
  const approve = async () => {
    const signed = await sdk.signSignin(wallet, ctx.route.query.message);
    setDone(true);
    answer(request, signed);
  };
  const decline = async () => {
    setDone(true);
    answer(request, { error: 'access_denied' });
  };
  return html`<div class="page narrow" data-testid="signin-page">
    <${Card} title=${t('signin.title', { domain })}>
      <p data-testid="signin-asks">${t('signin.asks', { domain })}</p>
      <dl class="c-kv">
        <dt>${t('signin.as')}</dt>
        <dd data-testid="signin-as">${wallet ? html`<b>${ctx.walletName || ''}</b> ${shortAddr(wallet.address)}` : '—'}</dd>
        ${f.statement ? html`<dt>${t('signin.says')}</dt><dd data-testid="signin-statement">“${f.statement}”</dd>` : null}
        <dt>${t('signin.returnTo')}</dt><dd class="mono" data-testid="signin-uri">${f.uri}</dd>
        <dt>${t('signin.chain')}</dt><dd>${f.chainId}</dd>
        <dt>${t('signin.expires')}</dt><dd data-testid="signin-expiry">${expires}</dd>
      </dl>
      <p class="note">${t('signin.nothingMoves')}</p>
      ${mismatch ? html`<p class="warn-box" data-testid="signin-mismatch">${t('signin.why.address')}</p>` : null}
      ${wallet && kind === null ? html`<p class="warn-box" data-testid="signin-not-resident">${t('signin.notResident')}</p>` : null}
      ${!wallet && !entry ? html`<p class="warn-box">${t('signin.needWallet')}
        <a href=${`#/wallet/create?next=${encodeURIComponent(route.hash.replace(/^#\//, ''))}`}
          data-testid="signin-create-wallet">${t('signin.createWallet')}</a></p>` : null}
      ${!wallet && entry ? html`<p class="warn-box">${t('signin.locked')}
        <${Button} small kind="secondary" testid="signin-unlock" onClick=${onUnlock}>${t('signin.unlock')}<//></p>` : null}
      ${done ? html`<p class="muted" data-testid="signin-returning">${t('signin.returning')}</p>` : html`<div class="button-row">
        <${Button} testid="signin-approve" disabled=${!wallet || mismatch} onClick=${approve}>${t('signin.approve')}<//>
        <${Button} kind="ghost" testid="signin-decline" onClick=${decline}>${t('signin.decline')}<//>
      </div>`}
      <details class="raw"><summary>${t('signin.raw')}</summary>
        <pre class="mono" data-testid="signin-raw">${wallet && !mismatch ? sdk.buildSigninMessage({ ...f, address: wallet.address }) : ctx.route.query.message}</pre></details>
    <//>
  </div>`;
}
