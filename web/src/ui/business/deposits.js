// Records the business deposits to residents who allowed it, sealed here to their key.
import { useState } from 'preact/hooks';
import {
  html, t, fail, useLive, formatTime, Card, Table, ErrorBox, Button, Field, toast,
} from '../common.js';
import { CATEGORIES, categoryLabel, taskTitle } from '../../i18n/labels.js';
import { query, AddrLink, depositRecord, sentMessages, BlockLink } from '../explorer/kit.js';

export function DepositsTab({ ctx }) {
  const address = ctx.wallet.address;
  const data = useLive(async () => {
    const [tasks, sent] = await Promise.all([
      query(ctx, 'force/tasks'),
      sentMessages(ctx, address, 'vault/deposit_record'),
    ]);
    return { tasks, sent };
  }, [address]);
  const [f, setF] = useState({ owner: '', category: 'shopping', text: '', task: '' });
  const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });
  const deposit = async () => {
    const owner = f.owner.trim();
    if (!owner) throw fail('business.needOwner');
    if (!f.text.trim()) throw fail('business.needRecord');
    await depositRecord(ctx, { owner, category: f.category, text: f.text, task: f.task, timeMs: Date.now() });
    setF({ ...f, text: '' });
    toast(t('business.deposited'));
    data.reload();
  };
  const attestable = (data.data?.tasks || []).filter((x) => x.attester === 'business' && x.enabled);
  const done = (data.data?.sent || []).filter((d) => !d.code);
  return html`
    <${Card} title=${t('business.depositTitle')} testid="business-deposit" subtitle=${t('business.depositSub')}>
      <p class="muted small" data-testid="deposit-consent">${t('business.depositConsent')}</p>
      <div class="form">
        <${Field} label=${t('business.col.resident')}><input class="mono" data-testid="deposit-owner" value=${f.owner} onInput=${set('owner')} placeholder="planet1…" /><//>
        <div class="form-row">
          <${Field} label=${t('vault.category')}>
            <select data-testid="deposit-category" value=${f.category} onChange=${set('category')}>${CATEGORIES.map((c) => html`<option value=${c}>${categoryLabel(c)}</option>`)}</select>
          <//>
          <${Field} label=${t('business.taskOptional')}>
            <select data-testid="deposit-task" value=${f.task} onChange=${set('task')}>
              <option value="">${t('common.none')}</option>
              ${attestable.map((x) => html`<option value=${x.id}>${taskTitle(x)} (+${x.force})</option>`)}
            </select>
          <//>
        </div>
        <${Field} label=${t('business.record')}><textarea rows="3" data-testid="deposit-text" value=${f.text} onInput=${set('text')} placeholder=${t('business.recordPlaceholder')}></textarea><//>
        <div class="form-actions"><${Button} testid="deposit-submit" onClick=${deposit} busyLabel=${t('business.sealing')}>${t('business.sealDeposit')}<//></div>
      </div>
    <//>
    <${Card} title=${t('business.yourDeposits')} subtitle=${t('business.yourDepositsSub')}>
      <${ErrorBox} error=${data.error} />
      <${Table} testid="deposit" rows=${done} rowKey=${(d) => d.msg.digest} empty=${t('business.noDeposit')}
        columns=${[
          { key: 'owner', label: t('business.col.resident'), render: (d) => html`<${AddrLink} address=${d.msg.owner} />` },
          { key: 'category', label: t('vault.category'), render: (d) => html`<span class="tag">${categoryLabel(d.msg.category)}</span>` },
          { key: 'time', label: t('business.col.time'), render: (d) => formatTime(d.msg.time, { seconds: false }) },
          { key: 'task', label: t('tasks.col.task'), render: (d) => d.msg.task || '—' },
          { key: 'digest', label: t('business.record'), render: (d) => html`<a class="mono" href=${`#/explorer/tx/${d.msg.digest}`}>${d.msg.digest.slice(0, 12)}…</a>` },
          { key: 'height', label: t('history.col.block'), render: (d) => html`<${BlockLink} height=${d.height} />` },
        ]} />
    <//>`;
}
