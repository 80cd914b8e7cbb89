// The web app's one i18n layer: a plain catalog per locale (zh-CN.js, en.js, the same keys),
// t(key, vars) to read one, the locale chosen once from the browser (zh* → zh-CN, else en)
// unless the visitor picked one with the switch (remembered in localStorage), and
// <html lang> kept in step so screen readers and fonts follow the language.
import { useEffect, useState } from 'preact/hooks';
import { getLocale, onLocale } from './locale.js';

/** The current locale, re-rendering the component when it changes. */
export function useLocale() {
  const [locale, set] = useState(getLocale());
  useEffect(() => onLocale(set), []);
  return locale;
}

export {
  LOCALES, LOCALE_NAMES, matchLocale, detectLocale, getLocale, setLocale, onLocale,
} from './locale.js';
export { CATALOGS, t, format, has, fail, loadCatalog } from './messages.js';
export {
  formatBD, formatForce, formatNumber, formatTime, formatDate, formatDuration, formatIn,
  setTimezone, timezoneLabel, localIso, nextMidnight,
} from './format.js';
export { errorMessage } from './errors.js';
