// Sign in with Planet, the wallet's side (#/signin?message=…[&redirect_uri=…]): a website
// sends the resident here with the message it wants signed (sdk/signin.js has the format);
// the page says in plain words who asks, what for and until when, and on Approve signs it
// with the current wallet and returns to the site. The answer goes only to the URI the
// message names, which must be on the message's domain and https (or http on this
// machine): by redirect, with the answer in the URI's query, or, when the site opened this
// page as a pop-up and gave no redirect_uri, by postMessage to that URI's origin alone.
// Decline returns error=access_denied the same way. A request that fails the checks is
// shown with its reason and never answered. The strings are in one {zh, en} object, like
// wallet-messages.js, until they move into the app-wide i18n catalogs.
import { useEffect, useMemo, useState } from 'preact/hooks';
import * as sdk from '../sdk/index.js';
import { html, Button, Card, Loading, shortAddr } from './common.js';

export const SIGNIN_MESSAGES = {
  en: {
    title: (domain) => `Sign in to ${domain}`,
    asks: (domain) => `${domain} asks you to prove which Planet resident you are.`,
    as: 'You sign in as',
    says: 'The site says',
    returnTo: 'You return to',
    chain: 'Planet',
    expires: 'This request expires',
    nothingMoves: 'Signing in moves no diamonds or Force and opens nothing in your vault: the site learns your address and nothing else.',
    approve: 'Approve and return',
    decline: 'Decline',
    refused: 'This sign-in request cannot be approved',
    why: {
      malformed: 'The request is not a valid Sign in with Planet message.',
      uri: 'The site asks to return to an address that is not on its own domain.',
      insecure_uri: 'The site asks to return to an address that is not secure (https).',
      chain_id: 'The request is for another planet than this one.',
      expired: 'The request has expired: start again from the site.',
      not_yet_valid: 'The request is dated in the future: check this device’s clock, or start again from the site.',
      address: 'The request is for another account: choose that wallet in the top bar.',
      redirect: 'The return address given does not match the one in the message.',
      noWindow: 'The site that opened this page is gone: start again from the site.',
    },
    notResident: 'This wallet is not a resident of this planet yet: the site will refuse it.',
    needWallet: 'To sign in, create or restore your wallet first, then come back to the site.',
    createWallet: 'Create a wallet',
    locked: 'Your wallet is locked. Unlock it to sign in.',
    unlock: 'Unlock',
    raw: 'The exact message you sign',
    returning: 'Returning to the site…',
  },
  zh: {
    title: (domain) => `登录 ${domain}`,
    asks: (domain) => `${domain} 请你证明你是哪一位星球居民。`,
    as: '你将以此身份登录',
    says: '网站的说明',
    returnTo: '登录后返回',
    chain: '星球',
    expires: '请求的过期时间',
    nothingMoves: '登录不会转移任何黑钻或原力，也不会开放你的数据保险箱：网站只会知道你的地址。',
    approve: '同意并返回',
    decline: '拒绝',
    refused: '无法同意这个登录请求',
    why: {
      malformed: '这不是有效的“用星球登录”请求。',
      uri: '网站要求返回的地址不在它自己的域名下。',
      insecure_uri: '网站要求返回的地址不安全（不是 https）。',
      chain_id: '这个请求属于另一个星球，而不是这里。',
      expired: '请求已过期：请回到网站重新开始。',
      not_yet_valid: '请求的时间在未来：请检查本设备的时钟，或回到网站重新开始。',
      address: '这个请求属于另一个账户：请在顶栏选择那个钱包。',
      redirect: '给出的返回地址与消息中的不一致。',
      noWindow: '打开本页面的网站已关闭：请回到网站重新开始。',
    },
    notResident: '这个钱包还不是本星球的居民：网站会拒绝它。',
    needWallet: '登录前请先创建或恢复你的钱包，然后回到网站。',
    createWallet: '创建钱包',
    locked: '你的钱包已锁定。解锁后即可登录。',
    unlock: '解锁',
    raw: '你签名的完整消息',
    returning: '正在返回网站…',
  },
};

function language() {
  return String(globalThis.navigator?.language || 'en').toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

/** The message `key` (a dotted path) in the browser's language; a function is called with `args`. */
export function ts(key, ...args) {
  const find = (table) => key.split('.').reduce((v, k) => (v == null ? v : v[k]), table);
  const value = find(SIGNIN_MESSAGES[language()]) ?? find(SIGNIN_MESSAGES.en);
  return typeof value === 'function' ? value(...args) : value;
}

function refusal(reason) {
  const err = new Error(ts(`why.${reason}`) || ts('why.malformed'));
  err.reason = reason;
  return err;
}

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
    if (!window.opener || window.opener.closed) throw refusal('noWindow');
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
  useEffect(() => {
    setKind(undefined);
    if (!wallet) return;
    api.account(wallet.address).then((a) => setKind(a?.kind ?? null), () => setKind(undefined));
  }, [wallet?.address]);

  if (!request || wallet === undefined) return html`<div class="page"><${Loading} /></div>`;
  const f = request.fields;
  const domain = f?.domain ?? '?';
  if (request.error) {
    return html`<div class="page"><${Card} title=${ts('refused')} testid="signin-refused">
      <p data-testid="signin-error" data-reason=${request.error.reason}>${request.error.message}</p>
      ${f ? html`<p class="muted">${ts('title', domain)}</p>` : null}
    <//></div>`;
  }
  const expires = new Date(Date.parse(f.expirationTime)).toLocaleString(
    language() === 'zh' ? 'zh-CN' : undefined, { dateStyle: 'medium', timeStyle: 'short' });
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
    <${Card} title=${ts('title', domain)}>
      <p data-testid="signin-asks">${ts('asks', domain)}</p>
      <dl class="c-kv">
        <dt>${ts('as')}</dt>
        <dd data-testid="signin-as">${wallet ? html`<b>${ctx.walletName || ''}</b> ${shortAddr(wallet.address)}` : '—'}</dd>
        ${f.statement ? html`<dt>${ts('says')}</dt><dd data-testid="signin-statement">“${f.statement}”</dd>` : null}
        <dt>${ts('returnTo')}</dt><dd class="mono" data-testid="signin-uri">${f.uri}</dd>
        <dt>${ts('chain')}</dt><dd>${f.chainId}</dd>
        <dt>${ts('expires')}</dt><dd data-testid="signin-expiry">${expires}</dd>
      </dl>
      <p class="note">${ts('nothingMoves')}</p>
      ${mismatch ? html`<p class="warn-box" data-testid="signin-mismatch">${ts('why.address')}</p>` : null}
      ${wallet && kind === null ? html`<p class="warn-box" data-testid="signin-not-resident">${ts('notResident')}</p>` : null}
      ${!wallet && !entry ? html`<p class="warn-box">${ts('needWallet')}
        <a href=${`#/wallet/create?next=${encodeURIComponent(route.hash.replace(/^#\//, ''))}`}
          data-testid="signin-create-wallet">${ts('createWallet')}</a></p>` : null}
      ${!wallet && entry ? html`<p class="warn-box">${ts('locked')}
        <${Button} small kind="secondary" testid="signin-unlock" onClick=${onUnlock}>${ts('unlock')}<//></p>` : null}
      ${done ? html`<p class="muted" data-testid="signin-returning">${ts('returning')}</p>` : html`<div class="button-row">
        <${Button} testid="signin-approve" disabled=${!wallet || mismatch} onClick=${approve}>${ts('approve')}<//>
        <${Button} kind="ghost" testid="signin-decline" onClick=${decline}>${ts('decline')}<//>
      </div>`}
      <details class="raw"><summary>${ts('raw')}</summary>
        <pre class="mono" data-testid="signin-raw">${wallet && !mismatch ? sdk.buildSigninMessage({ ...f, address: wallet.address }) : ctx.route.query.message}</pre></details>
    <//>
  </div>`;
}
