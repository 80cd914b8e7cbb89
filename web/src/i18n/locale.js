// The page's locale: chosen once from the browser (zh* → zh-CN, else en) unless the visitor
// picked one with the switch (remembered in localStorage), with <html lang> kept in step.
export const LOCALES = ['zh-CN', 'en'];
/** What the switch shows for each locale: its own name, in its own language. */
export const LOCALE_NAMES = { 'zh-CN': '中文', en: 'English' };
const STORAGE_KEY = 'planet.locale';

/** zh, zh-CN, zh-Hans-SG… → zh-CN; anything else → en. */
export function matchLocale(tag) {
  return String(tag || '').toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

/** The locale remembered from the switch, else the browser's first language's. */
export function detectLocale() {
  try {
    const saved = globalThis.localStorage?.getItem(STORAGE_KEY);
    if (LOCALES.includes(saved)) return saved;
  } catch { /* storage blocked: follow the browser */ }
  const nav = globalThis.navigator;
  const first = (nav?.languages && nav.languages[0]) || nav?.language || 'en';
  return matchLocale(first);
}

let current = detectLocale();
const listeners = new Set();

function applyLang() {
  if (globalThis.document?.documentElement) globalThis.document.documentElement.lang = current;
}
applyLang();

export function getLocale() { return current; }

let loadCatalog = () => null;
let wanted = current;
/** messages.js: how to fetch a locale's catalog (a promise, or null when it is loaded). */
export function setCatalogLoader(fn) { loadCatalog = fn; }

/**
 * Switch the language of every page (remembered for the next visit), once its catalog is
 * loaded: at once when it is, else when the import resolves (the promise returned).
 */
export function setLocale(locale) {
  const next = LOCALES.includes(locale) ? locale : matchLocale(locale);
  try { globalThis.localStorage?.setItem(STORAGE_KEY, next); } catch { /* not remembered */ }
  wanted = next;
  const apply = () => {
    // a later pick wins over one whose catalog came in after it
    if (wanted !== next || next === current) return;
    current = next;
    applyLang();
    for (const fn of [...listeners]) fn(current);
  };
  const loading = loadCatalog(next);
  if (!loading) { apply(); return Promise.resolve(); }
  return loading.then(apply);
}

export function onLocale(fn) { listeners.add(fn); return () => listeners.delete(fn); }

