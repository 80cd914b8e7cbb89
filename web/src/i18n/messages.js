// The catalogs and t(): a plain message per key and locale, with {name} placeholders.
// Only the default (zh-CN) is in the first download; English (a third of the app's script
// on a phone) is fetched when the browser or the switch picks it, and the page re-renders
// then (setLocale waits for it; a page opened in English waits for it at start).
import zhCN from './zh-CN.js';
import { getLocale, setCatalogLoader } from './locale.js';

/** The catalogs loaded so far, by locale (English once fetched). */
export const CATALOGS = { 'zh-CN': zhCN };
const IMPORTS = { en: () => import('./en.js') };
const pending = {};

/** Fetch `locale`'s catalog: a promise while it loads, null once it is there. */
export function loadCatalog(locale) {
  if (CATALOGS[locale] || !IMPORTS[locale]) return null;
  pending[locale] ??= IMPORTS[locale]().then((m) => { CATALOGS[locale] = m.default; });
  return pending[locale];
}
setCatalogLoader(loadCatalog);
// An English page waits here for its catalog, so every t() finds it (the default waits not).
await loadCatalog(getLocale());
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
export function has(key) { return key in (CATALOGS[getLocale()] ?? zhCN) || key in zhCN; }

/** The message `key` in the current language, with `vars` filled in; the key if unknown. */
export function t(key, vars) {
  const message = CATALOGS[getLocale()]?.[key] ?? zhCN[key];
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

