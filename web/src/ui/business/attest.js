// Tasks the business attests (within its daily Force quota) and what it attested lately.
import { useState } from 'preact/hooks';
import {
  html, t, fail, useLive, formatForce, Card, Table, ErrorBox, Button, Field, Badge, toast,
} from '../common.js';
import { limitLabel, taskTitle } from '../../i18n/labels.js';
import { attestTasksMsg } from '../../sdk/messages.js';
import { sendTx, query, AddrLink, TxLink, sentMessages, BlockLink } from '../explorer/kit.js';

export function TasksTab({ ctx, quota }) {
  const tasks = useLive(() => query(ctx, 'force/tasks'), []);
  const [task, setTask] = useState('');
  const [residents, setResidents] = useState('');
  const [last, setLast] = useState(null);
  const mineList = (tasks.data || []).filter((x) => x.attester === 'business');
  const chosen = task || mineList.find((x) => x.enabled)?.id || '';
  const attest = async () => {
    const list = [...new Set(residents.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean))];
    if (!chosen) throw fail('business.chooseTask');
    if (!list.length) throw fail('business.listResidents');
    const out = await sendTx(ctx, [attestTasksMsg(chosen, list)]);
    setLast({ count: list.length, hash: out.hash, task: chosen });
    setResidents('');
    toast(t('business.credited', { n: list.length }));
  };
  const task_ = mineList.find((x) => x.id === chosen);
  return html`
    <${Card} title=${t('business.attestTitle')} testid="business-attest" subtitle=${t('business.attestSub')}>
      <div class="form">
        <div class="form-row">
          <${Field} label=${t('tasks.col.task')}>
            <select data-testid="attest-task" value=${chosen} onChange=${(e) => setTask(e.currentTarget.value)}>
              ${mineList.map((x) => html`<option value=${x.id} disabled=${!x.enabled}>${taskTitle(x)} (+${x.force})${x.enabled ? '' : ` — ${t('tasks.disabled')}`}</option>`)}
            </select>
          <//>
        </div>
        <${Field} label=${t('business.residents')} hint=${t('business.residentsHint')}>
          <textarea rows="4" class="mono" data-testid="attest-residents" value=${residents} onInput=${(e) => setResidents(e.currentTarget.value)} placeholder="planet1…"></textarea>
        <//>
        <div class="form-actions">
          <${Button} testid="attest-submit" onClick=${attest} busyLabel=${t('business.attesting')}>${task_ ? t('business.attestEach', { force: task_.force }) : t('business.attest')}<//>
          <span class="muted">${t('business.quotaLeft')} <strong data-testid="attest-quota">${quota ? t('business.quotaOf', { left: formatForce(quota.left_today), all: formatForce(quota.daily_force) }) : '—'}</strong></span>
          ${last ? html`<span class="muted" data-testid="attest-done">${t('business.creditedFor', { n: last.count, task: last.task })} · <${TxLink} hash=${last.hash} /></span>` : null}
        </div>
      </div>
    <//>
    <${Attestations} ctx=${ctx} />
    <${Card} title=${t('business.attestable')}>
      <${ErrorBox} error=${tasks.error} />
      <${Table} rows=${mineList} rowKey=${(x) => x.id} empty=${t('business.noAttestable')}
        columns=${[
          { key: 'title', label: t('tasks.col.task'), render: (x) => html`<strong>${taskTitle(x)}</strong> <span class="muted mono small">${x.id}</span>` },
          { key: 'force', label: t('tasks.col.force'), class: 'num', render: (x) => `+${x.force}` },
          { key: 'duration_days', label: t('tasks.col.lasts'), render: (x) => (x.duration_days ? t('tasks.days', { n: x.duration_days }) : t('planet.permanent')) },
          { key: 'limit', label: t('business.col.perResident'), render: (x) => limitLabel(x.limit) },
          { key: 'enabled', label: t('business.col.state'), render: (x) => (x.enabled ? html`<${Badge} kind="ok">${t('tasks.enabled')}<//>` : html`<${Badge} kind="bad">${t('tasks.disabled')}<//>`) },
        ]} />
    <//>`;
}

function Attestations({ ctx }) {
  const address = ctx.wallet.address;
  const sent = useLive(() => sentMessages(ctx, address, 'force/attest_tasks'), [address]);
  const rows = (sent.data || []).filter((d) => !d.code);
  return html`<${Card} title=${t('business.recentAttestations')} testid="business-attestations">
    <${ErrorBox} error=${sent.error} />
    <${Table} testid="attestation" rows=${rows} rowKey=${(d) => d.hash} empty=${t('business.noAttestation')}
      columns=${[
        { key: 'task', label: t('tasks.col.task'), render: (d) => d.msg.task_id },
        { key: 'residents', label: t('business.residents'), render: (d) => html`${d.msg.residents.slice(0, 3).map((a) => html`<${AddrLink} address=${a} /> `)}${d.msg.residents.length > 3 ? html`<span class="muted">${t('business.more', { n: d.msg.residents.length - 3 })}</span>` : null}` },
        { key: 'count', label: t('business.col.credited'), class: 'num', render: (d) => d.msg.residents.length },
        { key: 'height', label: t('history.col.block'), render: (d) => html`<${BlockLink} height=${d.height} />` },
        { key: 'hash', label: t('history.col.tx'), render: (d) => html`<${TxLink} hash=${d.hash} />` },
      ]} />
  <//>`;
}
