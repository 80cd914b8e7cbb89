// What the resident pages read and keep: the account (null before registration) and the
// invitation codes this browser made (only their hashes are on the ledger, so the codes
// themselves exist only here, next to the wallet).
import { CATALOGS, has, t } from '../../i18n/index.js';

/** The account, or null when the address has none yet. */
export async function loadAccount(api, address) {
  return api.account(address);
}

/** A query that answers 404 for "nothing yet" (e.g. a holder before any Force): null. */
export async function queryOrNull(api, path, args) {
  try {
    return await api.query(path, args);
  } catch (err) {
    if (err && err.status === 404) return null;
    throw err;
  }
}

const invitesKey = (address) => `planet.invites.${address}`;

/** [{code, created}] this browser made for `address`. */
export function loadInviteCodes(address) {
  try {
    const xs = JSON.parse(localStorage.getItem(invitesKey(address)) || '[]');
    return Array.isArray(xs) ? xs : [];
  } catch { return []; }
}

export function saveInviteCodes(address, codes) {
  const known = loadInviteCodes(address);
  const have = new Set(known.map((c) => c.code));
  for (const code of codes) if (!have.has(code)) known.push({ code, created: Date.now() });
  localStorage.setItem(invitesKey(address), JSON.stringify(known));
  return known;
}

export const CATEGORIES = ['identity', 'credit', 'browsing', 'shopping', 'entertainment', 'travel',
  'health', 'location', 'social', 'other'];

/** "once", "daily:3", "unlimited" in words. */
export function limitLabel(limit) {
  if (limit === 'once') return t('limit.once');
  if (limit === 'unlimited') return t('limit.unlimited');
  const m = /^daily:(\d+)$/.exec(limit || '');
  return m ? t('limit.daily', { n: Number(m[1]) }) : limit;
}

export function attesterLabel(attester) {
  if (attester === 'resident') return t('common.you');
  if (attester === 'verifier') return t('attester.verifier');
  if (attester === 'operator') return t('kind.operator');
  if (attester === 'business') return t('attester.anyBusiness');
  if (attester && attester.startsWith('business:')) return t('attester.business', { id: `${attester.slice(9, 21)}…` });
  return attester;
}

/** A record or task category in words (the ledger's id stays as it is in data attributes). */
export function categoryLabel(category) {
  return has(`category.${category}`) ? t(`category.${category}`) : category;
}

/** A task's title in the page's language when it is the genesis catalog's; an operator's
 * own title is shown as the operator wrote it. */
export function taskTitle(task) {
  const key = `task.${task.id}`;
  return has(key) && CATALOGS.en[key] === task.title ? t(key) : task.title;
}
