// The words for the ledger's own ids — record categories, the genesis catalog's task titles,
// task limits and attesters — in one place for every page (resident, business, operator,
// explorer). The category list itself is the SDK's (the core's order), so a page that offers
// categories and a page that names them read the same source.
import { CATEGORIES } from '../sdk/messages.js';
import { has, t } from './index.js';
import { GENESIS_TASK_TITLES } from './genesis-tasks.js';

export { CATEGORIES };

/** A record or task category in words (the ledger's id stays as it is in data attributes). */
export function categoryLabel(category) {
  return has(`category.${category}`) ? t(`category.${category}`) : category;
}

/** A task's title in the page's language when it is the genesis catalog's; an operator's
 * own title is shown as the operator wrote it. */
export function taskTitle(task) {
  const key = `task.${task.id}`;
  return has(key) && GENESIS_TASK_TITLES[key] === task.title ? t(key) : task.title;
}

/** "once", "daily:3", "unlimited" in words. */
export function limitLabel(limit) {
  if (limit === 'once') return t('limit.once');
  if (limit === 'unlimited') return t('limit.unlimited');
  const m = /^daily:(\d+)$/.exec(limit || '');
  return m ? t('limit.daily', { n: Number(m[1]) }) : limit;
}

/** Who may grant a task, in words; `names` maps a business's address to its name. */
export function attesterLabel(attester, names = {}) {
  if (attester === 'resident') return t('common.you');
  if (attester === 'verifier') return t('attester.verifier');
  if (attester === 'operator') return t('kind.operator');
  if (attester === 'business') return t('attester.anyBusiness');
  if (attester && attester.startsWith('business:')) {
    const address = attester.slice(9);
    return names[address] || t('attester.business', { id: `${address.slice(0, 12)}…` });
  }
  return attester;
}
