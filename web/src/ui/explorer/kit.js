// Pieces shared by the business console, the operator dashboard and the explorer: the few
// places that call the browser SDK (so a change in its shape touches one file), links to
// explorer pages, a JSON view, and the parsing of amounts and dates typed into forms.
import * as sdk from '../../sdk/index.js';
import { html, t, fail, shortAddr, errorMessage, formatNumber, localIso, timezoneLabel } from '../common.js';

// --- the SDK, in one place ----------------------------------------------------------------

/** Sign and submit `messages` from the current wallet; resolves once committed and
 * throws the core's message if refused (the SDK's Api.send does both). */
export async function sendTx(ctx, messages) {
  if (!ctx.wallet) throw fail('kit.chooseWallet');
  return ctx.api.send(ctx.wallet, messages);
}

function isNotFound(err) {
  return err?.status === 404;
}

/** GET a node path under /v1 (e.g. "/blocks/3"); a 404 resolves to null when `allow404`. */
export async function getJson(ctx, path, params, { allow404 = false } = {}) {
  try {
    return await ctx.api.get(path, params);
  } catch (err) {
    if (allow404 && isNotFound(err)) return null;
    throw err;
  }
}

/** A core query through the generic /v1/query/{module}/{name} endpoint. */
export function query(ctx, path, args = {}) {
  return ctx.api.query(path, args);
}

/** Every item of a paged core query ({total, items}). */
export function queryAll(ctx, path, args = {}) {
  return ctx.api.queryAll(path, args);
}

/** An account, or null if the address has none on this chain. */
export function getAccount(ctx, address) {
  return ctx.api.account(address);
}

/**
 * A business seals a behaviour record to a resident and deposits it: sealed in the
 * browser to the resident's key, the digest committed (optionally completing a task),
 * then the ciphertext uploaded. Resolves the digest.
 */
export function depositRecord(ctx, { owner, category, text, task = '', timeMs }) {
  if (!ctx.wallet) throw fail('kit.chooseWallet');
  return ctx.api.depositRecord(ctx.wallet, owner, text, category, timeMs, task);
}

/**
 * Fetch and open, in the browser, every record of a request's grants. Unlike a plain
 * loop that stops at the first failure, each record gets its own row and reason.
 */
export async function readGranted(ctx, requestId) {
  const grants = await queryAll(ctx, 'exchange/grants', { request: requestId });
  const out = [];
  for (const grant of grants) {
    for (const item of grant.records) {
      const row = { resident: grant.resident, digest: item.digest, state: grant.state,
        category: '', text: null, error: null };
      out.push(row);
      try {
        const record = await query(ctx, 'vault/record', { digest: item.digest });
        row.category = record.category;
        row.time = record.time;
      } catch { /* the commitment is public; if it cannot be read, say so below */ }
      if (grant.state !== 'active' || !item.live) {
        row.error = grant.state !== 'active' ? t('kit.grantEnded', { state: t(`state.${grant.state}`) }) : t('kit.erasedByOwner');
        continue;
      }
      try {
        const blob = await ctx.api.getBlob(ctx.wallet, item.digest);
        const plain = await sdk.openGranted(blob, item.key, item.digest, ctx.wallet);
        row.text = new TextDecoder('utf-8', { fatal: true }).decode(plain);
      } catch (err) {
        row.error = errorMessage(err);
      }
    }
  }
  return out;
}

/** Seal a voucher (a code, a link) to the resident who redeemed, then fulfil. */
export function fulfilRedemption(ctx, redemption, voucherText) {
  return ctx.api.fulfil(ctx.wallet, redemption.id, voucherText);
}

/** New invitation codes made in this browser; only their hashes go on the ledger. */
export function createInviteCodes(ctx, count) {
  return ctx.api.createInvites(ctx.wallet, count);
}

/**
 * Messages of one type the address sent in its latest transactions (newest first), each
 * with its transaction's hash, height and result: the console's history without a new
 * query in the core.
 */
export async function sentMessages(ctx, address, type, limit = 100) {
  const page = await ctx.api.get(`/accounts/${address}/txs`, { limit });
  const items = Array.isArray(page) ? page : page.items || [];
  const out = [];
  for (const t of items) {
    for (const msg of t.tx?.body?.messages || []) {
      if (msg.type === type) out.push({ hash: t.hash, height: t.height, code: t.code ?? t.result?.code ?? 0, msg });
    }
  }
  return out;
}

/** The wallet's public keys as base64 (raw Ed25519, raw X25519). */
export function walletKeys(wallet) {
  const info = wallet.publicInfo();
  return { publicKey: info.public_key, encryptionKey: info.encryption_key };
}

// --- forms ---------------------------------------------------------------------------------

/** "1.5" BD → 1500000 µBD, exactly (no float); throws with a readable message. */
export function parseBD(text, field = t('kit.amount')) {
  const s = String(text ?? '').trim().replace(/,/g, '');
  const m = /^(\d+)(?:\.(\d{0,6}))?$/.exec(s);
  if (!m) throw fail('kit.badBD', { field });
  return Number(BigInt(m[1]) * 1000000n + BigInt((m[2] || '').padEnd(6, '0')));
}

export function parsePositiveInt(text, field) {
  const s = String(text ?? '').trim();
  if (!/^\d+$/.test(s) || Number(s) < 1) throw fail('kit.positiveInt', { field });
  return Number(s);
}

export const DAY_MS = 86400000;

/** The deployment's offset as ISO 8601 wants it ("+08:00"), from the shell's timezone. */
export function tzOffset() {
  return timezoneLabel().replace(/^UTC/, '');
}

/** ms → the value of a datetime-local input, in the deployment's timezone (not the browser's). */
export function toZonedInput(ms) {
  return localIso(ms, { seconds: false }).replace(' ', 'T');
}

/** A datetime-local (or date, at `time`) input's value, read in the deployment's timezone. */
export function fromZonedInput(value, time = '') {
  const ms = Date.parse(`${value}${time}${value.length > 10 || time ? '' : 'T00:00'}${tzOffset()}`);
  if (!Number.isFinite(ms)) throw fail('kit.notDate', { value: value || '—' });
  return ms;
}

/** Form state as one object with a setter per field: const [f, set] = useForm({...}). */
export function bindInput(state, setState, key) {
  return {
    value: state[key],
    onInput: (e) => setState({ ...state, [key]: e.currentTarget.type === 'checkbox' ? e.currentTarget.checked : e.currentTarget.value }),
  };
}

// --- display -------------------------------------------------------------------------------

export function AddrLink({ address, full = false, testid }) {
  if (!address) return html`<span class="muted">—</span>`;
  return html`<a class="mono" href=${`#/explorer/account/${address}`} title=${address}
    data-testid=${testid}>${full ? address : shortAddr(address)}</a>`;
}

export function BlockLink({ height }) {
  if (height == null) return html`<span class="muted">—</span>`;
  return html`<a class="mono" href=${`#/explorer/block/${height}`}>#${formatNumber(height)}</a>`;
}

export function TxLink({ hash, full = false }) {
  if (!hash) return html`<span class="muted">—</span>`;
  return html`<a class="mono" href=${`#/explorer/tx/${hash}`} title=${hash}>${full ? hash : `${hash.slice(0, 10)}…${hash.slice(-6)}`}</a>`;
}

export function JsonView({ value, testid }) {
  return html`<pre class="json" data-testid=${testid}>${JSON.stringify(value, null, 2)}</pre>`;
}

/** Definition list of [label, value] pairs. */
export function Facts({ items, testid }) {
  return html`<dl class="c-kv" data-testid=${testid}>
    ${items.filter(Boolean).map(([k, v, id]) => html`<dt>${k}</dt><dd data-testid=${id}>${v}</dd>`)}
  </dl>`;
}

export function shortHash(hash) {
  return hash ? `${hash.slice(0, 10)}…${hash.slice(-6)}` : '—';
}
