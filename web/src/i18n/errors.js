// The node's refusals in plain words. Every refusal carries a numeric code (core/errors.py),
// so the sentence comes from the catalog by code, never from the node's English text: in
// English the node's own words follow as a detail (they name the amount, the field…), in
// Chinese they are left out. A code without an entry gets a generic sentence and the code.
import { getLocale } from './locale.js';
import { has, t } from './messages.js';
import { formatTime, nextMidnight } from './format.js';

/** The node's own words for an error, if any: a refusal's log, a body's message or detail. */
function rawText(err) {
  if (err == null) return '';
  if (typeof err === 'string') return err;
  const b = err.body;
  if (b && typeof b === 'object') {
    const inner = b.committed?.result?.log || b.check?.log || b.message || b.detail;
    if (typeof inner === 'string' && inner) return inner;
  }
  return typeof err.message === 'string' ? err.message : String(err);
}

/** The core's numeric code of an error (0 if it has none). */
export function errorCode(err) {
  if (!err || typeof err !== 'object') return 0;
  const b = err.body && typeof err.body === 'object' ? err.body : {};
  return Number(err.code || b.code || b.check?.code || b.committed?.code || b.committed?.result?.code || 0) || 0;
}

/** What to tell the person about `err`, in the page's language. */
export function errorMessage(err) {
  if (err == null) return '';
  if (typeof err === 'string') return err;
  const english = getLocale() === 'en';
  const raw = rawText(err);
  const code = errorCode(err);
  if (code) {
    const key = `error.${code}`;
    const sentence = has(key) ? t(key, { resetAt: formatTime(nextMidnight(), { seconds: false }) })
      : t('error.generic', { code });
    return english && raw && raw !== sentence ? `${sentence} (${raw})` : sentence;
  }
  if (err.localized) return err.message;
  if (err.status === 0 && err.body) return english ? `${t('error.network')} (${raw})` : t('error.network');
  if (err.status) return english && raw ? `${t('error.http', { status: err.status })} (${raw})` : t('error.http', { status: err.status });
  return english ? raw : t('error.unexpected');
}
