// The task catalog: every task with who grants it, switched on and off by the operator
// (switching one off is asked first: residents stop earning its Force at once).
import {
  html, t, useLive, Card, Table, ErrorBox, Loading, Button, Badge, toast, ConfirmButton,
} from '../common.js';
import { attesterLabel, categoryLabel, limitLabel, taskTitle } from '../../i18n/labels.js';
import { setTaskEnabledMsg } from '../../sdk/messages.js';
import { sendTx, query } from '../explorer/kit.js';

export function TasksTab({ ctx, isOperator }) {
  const tasks = useLive(() => query(ctx, 'force/tasks'), []);
  const toggle = async (task) => {
    await sendTx(ctx, [setTaskEnabledMsg(task.id, !task.enabled)]);
    toast(`${taskTitle(task)}: ${task.enabled ? t('tasks.disabled') : t('tasks.enabled')}`);
    tasks.reload();
  };
  return html`<${Card} title=${t('tasks.catalog')} testid="op-tasks" subtitle=${t('operator.tasksSub')}>
    <${ErrorBox} error=${tasks.error} />
    ${tasks.data === undefined ? html`<${Loading} />` : html`<${Table} testid="op-task" rows=${tasks.data} rowKey=${(x) => x.id}
      columns=${[
        { key: 'title', label: t('tasks.col.task'), render: (x) => html`<div><strong>${taskTitle(x)}</strong><div class="muted mono small">${x.id}</div></div>` },
        { key: 'category', label: t('vault.category'), render: (x) => categoryLabel(x.category) },
        { key: 'force', label: t('tasks.col.force'), class: 'num', render: (x) => `+${x.force}` },
        { key: 'duration_days', label: t('tasks.col.lasts'), render: (x) => (x.duration_days ? t('tasks.days', { n: x.duration_days }) : t('planet.permanent')) },
        { key: 'limit', label: t('operator.limit'), render: (x) => limitLabel(x.limit) },
        { key: 'attester', label: t('operator.grantedBy'), render: (x) => (x.attester === 'resident' ? t('kind.resident') : attesterLabel(x.attester)) },
        { key: 'enabled', label: t('business.col.state'), render: (x) => html`<span data-testid=${`op-task-state-${x.id}`}>${x.enabled ? html`<${Badge} kind="ok">${t('tasks.enabled')}<//>` : html`<${Badge} kind="bad">${t('tasks.disabled')}<//>`}</span>` },
        { key: 'action', label: html`<span class="sr-only">${t('tasks.col.action')}</span>`, render: (x) => (x.enabled
          ? html`<${ConfirmButton} disabled=${!isOperator} testid=${`op-task-toggle-${x.id}`} title=${isOperator ? '' : t('operator.onlyOperator')}
              onConfirm=${() => toggle(x)} question=${t('confirm.disableTask', { task: taskTitle(x) })}
              confirmLabel=${t('confirm.disableYes')}>${t('operator.disable')}<//>`
          : html`<${Button} small kind="secondary" disabled=${!isOperator} testid=${`op-task-toggle-${x.id}`}
              title=${isOperator ? '' : t('operator.onlyOperator')} onClick=${() => toggle(x)}>${t('operator.enable')}<//>`) },
      ]} />`}
  <//>`;
}
