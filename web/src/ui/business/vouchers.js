// Vouchers at scale in the business console (issue 17, item 4), the browser twin of the Python
// SDK's VoucherFulfiller (src/planet/sdk/vouchers.py), with the same rules: a CSV of codes per
// offer (one a row, a header optional; blank rows, extra columns and repeated codes refused
// with their row), and while the console is open each pending redemption of such an offer is
// fulfilled with the next code, sealed to the resident. The codes are secrets: they are kept
// in localStorage only sealed (HPKE) to the wallet's own encryption key, so opening them
// needs the unlocked wallet's non-extractable key; the node never sees them in clear. A code
// is assigned to a redemption and that saved BEFORE the fulfilment is sent, so a closed tab
// or a crash resends the same code to the same redemption and never hands it to another;
// tabs take turns through a Web Lock.
import { useEffect, useRef, useState } from 'preact/hooks';
import * as sdk from '../../sdk/index.js';
import { html, t, fail, onBlock, Card, Table, Button, Field, toast } from '../common.js';
import { queryAll } from '../explorer/kit.js';

const STORE_PREFIX = 'planet.vouchers.v1.';
const SEAL_INFO = sdk.utf8Encode('planet/exchange/v1/voucher-codes');
const HEADERS = new Set(['code', 'codes', 'voucher', 'vouchers', 'voucher_code']);
const MAX_CODE_CHARS = 256;
const SETTLED = 714; // RedemptionSettled: refunded (or fulfilled) meanwhile
const POLL_MS = 4000;

/** One CSV row's cells (RFC 4180 quoting, within one line). */
function cells(line) {
  const out = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i += 1; } else if (c === '"') quoted = false; else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { out.push(cur); cur = ''; } else cur += c;
  }
  out.push(cur);
  return out.map((x) => x.trim());
}

/** The codes of a CSV, or an Error naming the row (the Python SDK's parse_codes). */
export function parseCodes(text) {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  const codes = [];
  const seen = new Map();
  lines.forEach((line, i) => {
    const row = i + 1;
    const c = cells(line);
    if (!c.some((x) => x)) throw fail('vouchers.blankRow', { row });
    if (c.length > 1) throw fail('vouchers.columns', { row, n: c.length });
    const code = c[0];
    if (row === 1 && HEADERS.has(code.toLowerCase())) return;
    if ([...code].length > MAX_CODE_CHARS || /[\p{C}]/u.test(code)) throw fail('vouchers.badCode', { row, n: MAX_CODE_CHARS });
    if (seen.has(code)) throw fail('vouchers.duplicate', { row, first: seen.get(code) });
    seen.set(code, row);
    codes.push(code);
  });
  if (!codes.length) throw fail('vouchers.noCodes');
  return codes;
}

const emptyState = () => ({ version: 1, offers: {} });

/** The business's codes, opened with the unlocked wallet. */
export async function loadBook(wallet, storage = globalThis.localStorage) {
  const raw = storage.getItem(STORE_PREFIX + wallet.address);
  if (!raw) return emptyState();
  const { sealed } = JSON.parse(raw);
  const plain = await sdk.openSealed(sdk.b64decode(sealed, 'vouchers'), wallet, SEAL_INFO);
  return JSON.parse(sdk.utf8Decode(plain));
}

/** Seal the whole book to the wallet's own key and store it: no code is kept in clear. */
export async function saveBook(wallet, book, storage = globalThis.localStorage) {
  const sealed = await sdk.sealTo(sdk.utf8Encode(JSON.stringify(book)), wallet.encryptionPublicKey, SEAL_INFO);
  storage.setItem(STORE_PREFIX + wallet.address, JSON.stringify({ version: 1, sealed: sdk.b64encode(sealed) }));
}

/** Run `fn` while no other tab of this origin runs it for this business. */
function withLock(address, fn) {
  const locks = globalThis.navigator?.locks;
  return locks ? locks.request(`planet-vouchers-${address}`, fn) : fn();
}

/** Add a CSV's codes to an offer's list; the whole file is refused on any bad row or a
 * code already loaded for the offer. Returns how many were added. */
export function addCodes(ctx, offerId, text) {
  const codes = parseCodes(text);
  return withLock(ctx.wallet.address, async () => {
    const book = await loadBook(ctx.wallet);
    const entry = book.offers[offerId] ??= { codes: [], next: 0, given: {}, fulfilled: [] };
    const known = new Set(entry.codes);
    codes.forEach((code, i) => { if (known.has(code)) throw fail('vouchers.already', { n: i + 1, offer: offerId }); });
    entry.codes.push(...codes);
    await saveBook(ctx.wallet, book);
    return codes.length;
  });
}

/** Fulfil every pending redemption of an offer with codes, oldest first, the next code
 * each, until its codes run out: {fulfilled: [ids], outOfCodes: {offer: waiting}}. */
export function fulfilPending(ctx) {
  const { wallet, api } = ctx;
  return withLock(wallet.address, async () => {
    const report = { fulfilled: [], outOfCodes: {} };
    const book = await loadBook(wallet);
    if (!Object.keys(book.offers).length) return report;
    const pending = (await queryAll(ctx, 'exchange/redemptions', { address: wallet.address, pending: true }))
      .sort((a, b) => a.id - b.id);
    for (const r of pending) {
      const entry = book.offers[r.offer];
      if (!entry) continue;
      let index = entry.given[r.id];
      if (index === undefined) {
        if (entry.next >= entry.codes.length) {
          report.outOfCodes[r.offer] = (report.outOfCodes[r.offer] || 0) + 1;
          continue;
        }
        index = entry.next;
        entry.given[r.id] = index;
        entry.next = index + 1;
        await saveBook(wallet, book); // kept before the code leaves this browser
      }
      try {
        await api.fulfil(wallet, r.id, entry.codes[index]);
      } catch (err) {
        if (err?.code === SETTLED) continue;
        throw err;
      }
      entry.fulfilled.push(r.id);
      await saveBook(wallet, book);
      report.fulfilled.push(r.id);
    }
    return report;
  });
}

function summary(book) {
  return Object.entries(book.offers).map(([offer, e]) => ({
    offer: Number(offer), codes: e.codes.length, used: e.next, left: e.codes.length - e.next, fulfilled: e.fulfilled.length,
  }));
}

/** The console's card: upload a CSV for an offer, see codes left, and fulfil automatically
 * while the console is open (on every block, and every few seconds). */
export function VoucherCodes({ ctx, offers, onFulfilled }) {
  const [book, setBook] = useState(null);
  const [offer, setOffer] = useState('');
  const [file, setFile] = useState(null);
  const [waiting, setWaiting] = useState({});
  const [error, setError] = useState(null);
  const running = useRef(false);
  const refresh = async () => setBook(summary(await loadBook(ctx.wallet)));
  const pass = async () => {
    if (running.current) return;
    running.current = true;
    try {
      const report = await fulfilPending(ctx);
      setWaiting(report.outOfCodes);
      setError(null);
      if (report.fulfilled.length) {
        toast(t('vouchers.sent', { n: report.fulfilled.length }));
        onFulfilled?.();
      }
      await refresh();
    } catch (err) {
      setError(err);
    } finally {
      running.current = false;
    }
  };
  useEffect(() => {
    refresh().catch(setError);
    pass();
    const timer = setInterval(pass, POLL_MS);
    const off = onBlock(() => pass());
    return () => { clearInterval(timer); off(); };
  }, [ctx.wallet.address]);
  const upload = async () => {
    if (!offer) throw fail('vouchers.chooseOffer');
    if (!file) throw fail('vouchers.chooseFile');
    const n = await addCodes(ctx, Number(offer), await file.text());
    toast(t('vouchers.loaded', { n, offer }));
    await refresh();
    pass();
  };
  const mine = (offers || []).filter((o) => o.status !== 'stopped' || (book || []).some((b) => b.offer === o.id));
  return html`<${Card} title=${t('vouchers.title')} subtitle=${t('vouchers.sub')} testid="voucher-codes">
    <div class="form">
      <div class="form-row">
        <${Field} label=${t('vouchers.offer')}>
          <select data-testid="voucher-offer" value=${offer} onChange=${(e) => setOffer(e.currentTarget.value)}>
            <option value="">${t('vouchers.chooseOffer')}</option>
            ${mine.map((o) => html`<option value=${String(o.id)}>#${o.id} ${o.item}</option>`)}
          </select>
        <//>
        <${Field} label=${t('vouchers.file')} hint=${t('vouchers.fileHint')}>
          <input type="file" accept=".csv,text/csv,text/plain" data-testid="voucher-file" onChange=${(e) => setFile(e.currentTarget.files[0] || null)} />
        <//>
      </div>
      <div class="form-actions"><${Button} testid="voucher-upload" onClick=${upload} busyLabel=${t('vouchers.sealing')}>${t('vouchers.upload')}<//></div>
    </div>
    ${error ? html`<p class="notice warn" role="alert" data-testid="voucher-error">${error.message || String(error)}</p>` : null}
    ${Object.entries(waiting).map(([o, n]) => html`<p class="notice warn" data-testid="voucher-out">${t('vouchers.out', { offer: o, n })}</p>`)}
    <${Table} testid="voucher-book" rows=${book || []} rowKey=${(r) => r.offer} empty=${t('vouchers.none')} columns=${[
      { key: 'offer', label: t('vouchers.offer'), render: (r) => `#${r.offer}` },
      { key: 'codes', label: t('vouchers.codes'), class: 'num' },
      { key: 'fulfilled', label: t('vouchers.fulfilled'), class: 'num', render: (r) => html`<span data-testid="voucher-fulfilled">${r.fulfilled}</span>` },
      { key: 'left', label: t('vouchers.left'), class: 'num', render: (r) => html`<span data-testid="voucher-left">${r.left}</span>` },
    ]} />
    <p class="muted small">${t('vouchers.auto')}</p>
  <//>`;
}
