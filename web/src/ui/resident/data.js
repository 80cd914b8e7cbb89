// What the resident pages read and keep: the reads the planet primes at boot, the account,
// the task catalog, when a daily limit resets, and the invitation codes this browser made
// before codes were derived from the wallet's key (those exist only here). The words for
// categories, tasks and limits are i18n/labels.js's.
import { localIso, t } from '../../i18n/index.js';

// --- first render: the reads a resident's planet needs, started at boot -------------------
// The app primes them as soon as it knows the current wallet's address (from localStorage,
// before the session's keys are resumed and before the first render), so the account and the
// planet's queries travel together instead of one after the other. Each primed read is
// taken once, by the first render that asks for it, and only while fresh.

const PRIMED_MS = 10000;
const primed = new Map(); // `${what}:${address}` -> {promise, at}

function take(key) {
  const hit = primed.get(key);
  primed.delete(key);
  return hit && Date.now() - hit.at < PRIMED_MS ? hit.promise : null;
}

function keep(key, promise) {
  promise.catch(() => {}); // a primed read that fails is read again by the page, which shows why
  primed.set(key, { promise, at: Date.now() });
}

/** Start the account's and the planet's reads for `address` now (see above). */
export function primeResident(api, address) {
  keep(`account:${address}`, api.account(address));
  keep(`planet:${address}`, fetchPlanet(api, address));
}

/** The account, or null when the address has none yet. */
export async function loadAccount(api, address) {
  return take(`account:${address}`) ?? api.account(address);
}

/** The planet page's reads: the holder (balance, pending), its bubbles, Force and grants,
 * and the task catalog (for the grants' titles). */
export async function loadPlanet(api, address) {
  return take(`planet:${address}`) ?? fetchPlanet(api, address);
}

async function fetchPlanet(api, address) {
  const [holder, bubbles, force, tasks] = await Promise.all([
    queryOrNull(api, 'emission/holder', { address }),
    queryOrNull(api, 'emission/bubbles', { address }),
    api.query('force/force', { address }),
    taskCatalog(api),
  ]);
  return { holder, bubbles, force, tasks, fetchedAt: Date.now() };
}

// The task catalog changes only when the operator edits it: it is read again at most once a
// minute, not on every block like the resident's own figures.
const CATALOG_MS = 60000;
let catalog = null; // {api, promise, at}

/** The task catalog (force/tasks), cached for a minute per Api. */
export function taskCatalog(api) {
  if (!catalog || catalog.api !== api || Date.now() - catalog.at > CATALOG_MS) {
    const promise = api.query('force/tasks');
    promise.catch(() => { if (catalog?.promise === promise) catalog = null; });
    catalog = { api, promise, at: Date.now() };
  }
  return catalog.promise;
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

const DAY_MS = 86400000;

/** The local day (in the deployment's zone) of a block time, as YYYY-MM-DD. */
export const dayOf = (ms) => localIso(ms).slice(0, 10);

/** The first millisecond of the local day after `ms`'s (when daily limits reset). */
export function nextLocalMidnight(ms) {
  const iso = localIso(ms);
  const offset = Date.parse(`${iso.replace(' ', 'T')}Z`) - Math.floor(ms / 1000) * 1000;
  return Date.parse(`${iso.slice(0, 10)}T00:00:00Z`) + DAY_MS - offset;
}

/** Why a resident cannot complete a task they attest themselves right now, or null:
 * `grants` are their Force grants, `now` the chain's time. Said before the click, with when
 * the limit resets, so the button never leads to a refusal the page could have foreseen. */
export function taskLimitReason(task, grants, now, formatReset) {
  if (!task.enabled) return t('tasks.disabledByOperator');
  const mine = (grants || []).filter((g) => g.task_id === task.id);
  if (task.limit === 'once') return mine.length ? t('limits.onceDone') : null;
  const m = /^daily:(\d+)$/.exec(task.limit || '');
  if (!m || now == null) return null;
  const today = dayOf(now);
  const done = mine.filter((g) => dayOf(g.granted_at) === today).length;
  if (done < Number(m[1])) return null;
  const n = Number(m[1]);
  return t(n === 1 ? 'limits.dailyDone' : 'limits.dailyDoneN', { n, time: formatReset(nextLocalMidnight(now)) });
}
