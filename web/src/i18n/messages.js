// The catalogs and t(): a plain message per key and locale, with {name} placeholders.
import en from './en.js';
import zhCN from './zh-CN.js';
import { getLocale } from './locale.js';

export const CATALOGS = { 'zh-CN': zhCN, en };
const PLURAL = {};
function pluralOne(n) {
  if (!PLURAL[getLocale()]) PLURAL[getLocale()] = new Intl.PluralRules(getLocale());
  return PLURAL[getLocale()].select(Number(n)) === 'one';
}

/**
 * Fill {name} placeholders; {n|one|other} picks a form by the plural rule of n, # in it
 * standing for n (English needs it, Chinese does not: its catalog writes {n} alone).
 */
export function format(message, vars = {}) {
  return message.replace(/\{(\w+)(?:\|([^{}|]*)\|([^{}]*))?\}/g, (match, name, one, other) => {
    if (!(name in vars)) return match;
    if (one !== undefined) return (pluralOne(vars[name]) ? one : other).replace('#', String(vars[name]));
    const v = vars[name];
    return v == null ? '' : String(v);
  });
}

/** Whether the catalogs hold `key`. */
export function has(key) { return key in CATALOGS[getLocale()] || key in CATALOGS.en; }

/** The message `key` in the current language, with `vars` filled in; the key if unknown. */
export function t(key, vars) {
  const message = CATALOGS[getLocale()][key] ?? CATALOGS.en[key];
  if (message === undefined) {
    console.warn(`i18n: no message ${key}`);
    return key;
  }
  return vars ? format(message, vars) : message;
}

/** An Error whose message is already in the page's language (shown as it is). */
export function fail(key, vars) {
  const err = new Error(t(key, vars));
  err.localized = true;
  return err;
}

