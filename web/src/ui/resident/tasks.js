// Tasks and the daily check-in: the whole catalog, which tasks the resident completes
// alone (attester "resident") and which someone else attests, with what each grants.
import {
  html, t, useLive, Button, Card, Table, ErrorBox, Loading, Badge, toast, formatForce, formatTime,
} from '../common.js';
import { taskLimitReason } from './data.js';
import { attesterLabel, categoryLabel, limitLabel, taskTitle } from '../../i18n/labels.js';

async function loadTasks(api, address) {
  const [tasks, force] = await Promise.all([
    api.query('force/tasks'),
    api.query('force/force', { address }),
  ]);
  const names = await api.businessNames(tasks.map((x) => x.attester).filter((a) => a.startsWith('business:'))
    .map((a) => a.slice(9)));
  return { tasks, force, names };
}

/** A reset time as the clock shows it ("00:00"). */
const resetAt = (ms) => formatTime(ms, { seconds: false, date: false });

export function TasksView({ ctx }) {
  const { api, wallet } = ctx;
  const live = useLive(() => loadTasks(api, wallet.address), [wallet.address]);
  if (live.data === undefined) return live.error ? html`<${ErrorBox} error=${live.error} />` : html`<${Loading} />`;
  const { tasks, force, names } = live.data;
  const lastGrant = {};
  for (const g of force.grants || []) {
    if (!lastGrant[g.task_id] || g.granted_at > lastGrant[g.task_id]) lastGrant[g.task_id] = g.granted_at;
  }
  const complete = async (task) => {
    await api.completeTask(wallet, task.id);
    toast(t('tasks.done', { title: taskTitle(task), force: formatForce(task.force) }));
    live.reload();
  };
  const checkin = tasks.find((x) => x.id === 'daily_checkin');
  const now = ctx.status ? ctx.status.time : null;
  const reasonOf = (x) => taskLimitReason(x, force.grants, now, resetAt);
  const checkedToday = !!(checkin && checkin.enabled && reasonOf(checkin));
  const sorted = [...tasks].sort((a, b) => (a.attester === 'resident' ? 0 : 1) - (b.attester === 'resident' ? 0 : 1)
    || (a.enabled === b.enabled ? 0 : a.enabled ? -1 : 1) || taskTitle(a).localeCompare(taskTitle(b)));
  return html`<div class="grid" data-testid="tasks">
    ${checkin ? html`<${Card} title=${t('tasks.checkin')} testid="checkin-card"
      subtitle=${t(checkin.duration_days ? 'tasks.checkinSubDays' : 'tasks.checkinSub',
        { force: formatForce(checkin.force), days: checkin.duration_days, limit: limitLabel(checkin.limit) })}
      actions=${checkedToday ? html`<${Badge} kind="ok" testid="checked-in">${t('tasks.checkedIn')}<//>`
        : checkin.enabled ? html`<${Button} testid="checkin" onClick=${() => complete(checkin)} busyLabel=${t('tasks.checkingIn')}>${t('tasks.checkIn')}<//>`
        : html`<${Badge} kind="bad" testid="checkin-disabled">${t('tasks.disabledByOperator')}<//>`}>
      ${checkedToday ? html`<p class="refusal" data-testid="checkin-reason">${reasonOf(checkin)}</p>` : null}
      <p class="muted" data-testid="checkin-last">${lastGrant.daily_checkin ? t('tasks.lastCheckin', { time: formatTime(lastGrant.daily_checkin) }) : t('tasks.neverCheckedIn')}</p>
    <//>` : null}
    <${Card} title=${t('tasks.catalog')} subtitle=${t('tasks.catalogSub')}>
      <${Table} testid="task" rows=${sorted} rowKey=${(x) => x.id} columns=${[
        { label: t('tasks.col.task'), render: (x) => html`<div data-testid="task-title" data-task=${x.id}><b>${taskTitle(x)}</b>
          <div class="muted small">${categoryLabel(x.category)} · <code>${x.id}</code></div></div>` },
        { label: t('tasks.col.force'), class: 'num', render: (x) => `+${formatForce(x.force)}` },
        { label: t('tasks.col.lasts'), render: (x) => (x.duration_days ? t('tasks.days', { n: x.duration_days }) : t('planet.permanent')) },
        { label: t('tasks.col.often'), render: (x) => limitLabel(x.limit) },
        { label: t('tasks.col.attester'), render: (x) => (x.attester === 'resident'
          ? html`<${Badge} kind="brand">${t('common.you')}<//>` : attesterLabel(x.attester, names)) },
        { label: t('tasks.col.status'), render: (x) => html`<span data-testid=${`task-status-${x.id}`}>${x.enabled
          ? html`<${Badge} kind="ok">${t('tasks.enabled')}<//>` : html`<${Badge} kind="bad">${t('tasks.disabled')}<//>`}</span>` },
        { label: t('tasks.col.action'), render: (x) => {
          if (x.attester === 'resident' && x.enabled) {
            const why = reasonOf(x);
            return html`<div class="task-action">
              <${Button} small kind="secondary" testid=${`complete-${x.id}`} disabled=${!!why} onClick=${() => complete(x)}>${t('tasks.complete')}<//>
              ${why ? html`<span class="refusal" data-testid=${`complete-reason-${x.id}`}>${why}</span>` : null}</div>`;
          }
          return lastGrant[x.id] ? html`<span class="muted small">${t('tasks.doneAt', { time: formatTime(lastGrant[x.id], { seconds: false }) })}</span>` : null;
        } },
      ]} />
    <//>
  </div>`;
}
