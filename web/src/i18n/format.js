// Numbers, BD amounts, times and durations through Intl for the page's locale. Times are
// block times (ms since the epoch) shown in the deployment's timezone (genesis `timezone`,
// from /v1/status), never the browser's: a resident in Lisbon sees Shanghai's day, as the
// ledger's daily limits count it.
import { getLocale } from './locale.js';

let tzOffsetMinutes = 8 * 60;

/** The deployment's UTC offset, as minutes or "+08:00" (genesis `timezone`). */
export function setTimezone(value) {
  if (typeof value === 'number' && Number.isFinite(value)) { tzOffsetMinutes = value; return; }
  const m = typeof value === 'string' && /^([+-])(\d{2}):(\d{2})$/.exec(value);
  if (m) tzOffsetMinutes = (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

export function timezoneLabel() {
  const sign = tzOffsetMinutes < 0 ? '-' : '+';
  const a = Math.abs(tzOffsetMinutes);
  return `UTC${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}

const cache = new Map();
/** One Intl formatter per kind, locale and options (they are costly to make). */
function intl(Kind, options) {
  const locale = getLocale();
  const key = `${Kind.name}|${locale}|${JSON.stringify(options)}`;
  if (!cache.has(key)) cache.set(key, new Kind(locale, options));
  return cache.get(key);
}

/** The deployment's wall clock as a Date whose UTC fields are that local time. */
function shifted(ms) {
  if (ms == null || ms === '') return null;
  const d = new Date(Number(ms) + tzOffsetMinutes * 60000);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Block time as "2026-12-01 20:15:03" in the deployment's zone: for inputs and day
 * comparisons, not for reading. */
export function localIso(ms, { seconds = true } = {}) {
  const d = shifted(ms);
  if (!d) return '';
  const iso = d.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, seconds ? 19 : 16)}`;
}

/** Block time for reading, in the locale's words and the deployment's zone
 * ("Dec 1, 2026, 20:15:03" / "2026年12月1日 20:15:03"); `date: false` gives the time only. */
export function formatTime(ms, { seconds = true, date = true } = {}) {
  const d = shifted(ms);
  if (!d) return '—';
  const options = { timeZone: 'UTC', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
  if (seconds) options.second = '2-digit';
  if (date) Object.assign(options, { year: 'numeric', month: 'short', day: 'numeric' });
  return intl(Intl.DateTimeFormat, options).format(d);
}

/** The day of a block time, in the deployment's zone. */
export function formatDate(ms) {
  const d = shifted(ms);
  if (!d) return '—';
  return intl(Intl.DateTimeFormat, { timeZone: 'UTC', year: 'numeric', month: 'short', day: 'numeric' }).format(d);
}

/** The next midnight in the deployment's zone after `ms`: when daily limits reset. */
export function nextMidnight(ms = Date.now()) {
  const day = 86400000;
  const local = Number(ms) + tzOffsetMinutes * 60000;
  return Math.floor(local / day) * day + day - tzOffsetMinutes * 60000;
}

export function formatNumber(n, options) {
  if (n == null || n === '' || Number.isNaN(Number(n))) return '—';
  return intl(Intl.NumberFormat, options || {}).format(typeof n === 'bigint' ? n : Number(n));
}

function toBig(micro) {
  if (typeof micro === 'bigint') return micro;
  if (typeof micro === 'number' && Number.isFinite(micro)) return BigInt(Math.trunc(micro));
  if (typeof micro === 'string' && /^-?\d+$/.test(micro)) return BigInt(micro);
  return null;
}

/**
 * µBD as BD, the one way amounts are shown: "1,234.50 BD"; `precise` keeps all six decimals
 * ("1,234.500000 BD"). Exact (BigInt, never a float); grouping and decimal sign from Intl.
 */
export function formatBD(micro, { precise = false, unit = true } = {}) {
  const v = toBig(micro);
  if (v === null) return '—';
  const neg = v < 0n;
  const a = neg ? -v : v;
  const whole = intl(Intl.NumberFormat, {}).format(a / 1000000n);
  const point = intl(Intl.NumberFormat, { minimumFractionDigits: 1 }).formatToParts(1.5)
    .find((p) => p.type === 'decimal')?.value || '.';
  let frac = (a % 1000000n).toString().padStart(6, '0');
  if (!precise) {
    frac = frac.replace(/0+$/, '');
    if (frac.length < 2 && a >= 1000000n) frac = frac.padEnd(2, '0');
    if (frac.length === 0) frac = '00';
  }
  return `${neg ? '−' : ''}${whole}${point}${frac}${unit ? ' BD' : ''}`;
}

/** Force units: an integer with the locale's separators. */
export function formatForce(n) {
  return formatNumber(n);
}

/**
 * A span of time, largest unit first ("1d 2h 3m" / "1天2小时3分钟"); `{ days: false }` counts
 * in hours ("47h 59m 58s"), as the 48-hour rule does. Intl.DurationFormat where the
 * browser has it, else Intl.NumberFormat's units.
 */
export function formatDuration(ms, { days = true } = {}) {
  if (ms == null || !Number.isFinite(Number(ms))) return '—';
  let s = Math.max(0, Math.floor(Number(ms) / 1000));
  const d = days ? Math.floor(s / 86400) : 0; s -= d * 86400;
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  // Whole days need no seconds; hours, minutes and seconds show as much as is useful.
  const parts = d ? { days: d, hours: h, minutes: m } : h ? { hours: h, minutes: m, seconds: s }
    : m ? { minutes: m, seconds: s } : { seconds: s };
  if (d && !h && !m) { delete parts.hours; delete parts.minutes; }
  if (typeof Intl.DurationFormat === 'function') {
    return intl(Intl.DurationFormat, { style: 'narrow' }).format(parts);
  }
  const unit = { days: 'day', hours: 'hour', minutes: 'minute', seconds: 'second' };
  return Object.entries(parts).map(([k, v]) => intl(Intl.NumberFormat, { style: 'unit', unit: unit[k], unitDisplay: 'narrow' })
    .format(v)).join(' ');
}

/** A time ahead (or behind) of now in words: "in 3 days", "3天后" (Intl.RelativeTimeFormat). */
export function formatIn(ms) {
  if (ms == null || !Number.isFinite(Number(ms))) return '—';
  const units = [['day', 86400000], ['hour', 3600000], ['minute', 60000], ['second', 1000]];
  const v = Number(ms);
  const [unit, size] = units.find(([, u]) => Math.abs(v) >= u) || units[3];
  return intl(Intl.RelativeTimeFormat, { numeric: 'always' }).format(Math.trunc(v / size), unit);
}
