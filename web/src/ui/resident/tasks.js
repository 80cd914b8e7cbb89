// Tasks and the daily check-in: the whole catalog, which tasks the resident completes
// alone (attester "resident") and which someone else attests, with what each grants.
import {
  html, useLive, Button, Card, Table, ErrorBox, Loading, Badge, toast, formatForce, formatTime,
} from '../common.js';
import { attesterLabel, limitLabel } from './data.js';

async function loadTasks(api, address) {
  const [tasks, force] = await Promise.all([
    api.query('force/tasks'),
    api.query('force/force', { address }),
  ]);
  return { tasks, force };
}

/** The local day (in the deployment's zone) of a block time, as YYYY-MM-DD. */
const dayOf = (ms) => formatTime(ms).slice(0, 10);

export function TasksView({ ctx }) {
  const { api, wallet } = ctx;
  const live = useLive(() => loadTasks(api, wallet.address), [wallet.address]);
  if (live.data === undefined) return live.error ? html`<${ErrorBox} error=${live.error} />` : html`<${Loading} />`;
  const { tasks, force } = live.data;
  const lastGrant = {};
  for (const g of force.grants || []) {
    if (!lastGrant[g.task_id] || g.granted_at > lastGrant[g.task_id]) lastGrant[g.task_id] = g.granted_at;
  }
  const complete = async (task) => {
    await api.completeTask(wallet, task.id);
    toast(`${task.title}: +${task.force} Force`);
    live.reload();
  };
  const checkin = tasks.find((t) => t.id === 'daily_checkin');
  const today = ctx.status ? dayOf(ctx.status.time) : null;
  const checkedToday = checkin && checkin.limit === 'daily:1' && lastGrant.daily_checkin
    && today && dayOf(lastGrant.daily_checkin) === today;
  const sorted = [...tasks].sort((a, b) => (a.attester === 'resident' ? 0 : 1) - (b.attester === 'resident' ? 0 : 1)
    || (a.enabled === b.enabled ? 0 : a.enabled ? -1 : 1) || a.title.localeCompare(b.title));
  return html`<div class="grid" data-testid="tasks">
    ${checkin ? html`<${Card} title="Daily check-in" testid="checkin-card"
      subtitle=${`+${checkin.force} Force${checkin.duration_days ? ` for ${checkin.duration_days} days` : ''}, ${limitLabel(checkin.limit)}.`}
      actions=${checkedToday ? html`<${Badge} kind="ok" testid="checked-in">checked in today ✓<//>`
        : checkin.enabled ? html`<${Button} testid="checkin" onClick=${() => complete(checkin)} busyLabel="Checking in…">Check in<//>`
        : html`<${Badge} kind="bad" testid="checkin-disabled">disabled by the operator<//>`}>
      <p class="muted" data-testid="checkin-last">${lastGrant.daily_checkin ? `Last check-in: ${formatTime(lastGrant.daily_checkin)}` : 'You have not checked in yet.'}</p>
    <//>` : null}
    <${Card} title="Task catalog" subtitle="What each task grants, how often, and who attests it. You complete the ones marked “you” yourself.">
      <${Table} testid="task" rows=${sorted} rowKey=${(t) => t.id} columns=${[
        { label: 'Task', render: (t) => html`<div data-testid="task-title" data-task=${t.id}><b>${t.title}</b>
          <div class="muted small">${t.category} · <code>${t.id}</code></div></div>` },
        { label: 'Force', class: 'num', render: (t) => `+${formatForce(t.force)}` },
        { label: 'Lasts', render: (t) => (t.duration_days ? `${t.duration_days} days` : 'permanent') },
        { label: 'How often', render: (t) => limitLabel(t.limit) },
        { label: 'Attested by', render: (t) => (t.attester === 'resident'
          ? html`<${Badge} kind="brand">you<//>` : attesterLabel(t.attester)) },
        { label: 'Status', render: (t) => html`<span data-testid=${`task-status-${t.id}`}>${t.enabled
          ? html`<${Badge} kind="ok">enabled<//>` : html`<${Badge} kind="bad">disabled<//>`}</span>` },
        { label: '', render: (t) => (t.attester === 'resident' && t.enabled
          ? html`<${Button} small kind="secondary" testid=${`complete-${t.id}`} onClick=${() => complete(t)}>Complete<//>`
          : lastGrant[t.id] ? html`<span class="muted small">done ${formatTime(lastGrant[t.id], { seconds: false })}</span>` : null) },
      ]} />
    <//>
  </div>`;
}
