// The business's data requests: the list, the form that escrows a new one, and one request's
// page with its grants, the records fetched and decrypted in this browser, and closing it
// early (asked first).
import { useState } from 'preact/hooks';
import {
  html, t, fail, useLive, formatBD, formatTime, formatDuration, Card, Table, ErrorBox, Loading, Button, Field,
  Badge, toast, useNow, ConfirmButton,
} from '../common.js';
import { CATEGORIES, categoryLabel } from '../../i18n/labels.js';
import { closeRequestMsg, createRequestMsg } from '../../sdk/messages.js';
import { GrantedRecords } from './granted.js';
import {
  sendTx, query, queryAll, AddrLink, readGranted, parseBD, parsePositiveInt, DAY_MS, toZonedInput, fromZonedInput, tzOffset,
} from '../explorer/kit.js';

const MIN_COHORT = 10; // the genesis default; the node refuses smaller cohorts with its minimum

/** A request's, redemption's or grant's state in words (the ledger's word if unknown). */
export function stateLabel(state) {
  const key = `state.${state}`;
  const text = t(key);
  return text === key ? state : text;
}

export function RequestState({ r, now }) {
  const at = now ?? Date.now();
  if (r.status !== 'open') return html`<${Badge} kind="neutral">${stateLabel(r.status)}<//>`;
  if (r.places_left > 0) return html`<${Badge} kind="ok">${t('state.open')}<//>`;
  if (r.accepted >= r.residents) return html`<${Badge} kind="brand">${t('state.full')}<//>`;
  return html`<${Badge} kind="neutral">${at >= r.expires_at ? t('state.expired') : t('state.closed')}<//>`;
}

function localDate(ms) {
  return toZonedInput(ms).slice(0, 10);
}

export function RequestsTab({ ctx, purse }) {
  const address = ctx.wallet.address;
  const list = useLive(() => queryAll(ctx, 'exchange/requests', { business: address }), [address]);
  return html`
    <${CreateRequest} ctx=${ctx} purse=${purse} onDone=${() => list.reload()} />
    <${Card} title=${t('business.yourRequests')} testid="business-requests">
      <${ErrorBox} error=${list.error} />
      ${list.data === undefined ? html`<${Loading} />` : html`<${Table} testid="business-request" rows=${list.data} rowKey=${(r) => r.id}
        empty=${t('business.noRequest')} onRowClick=${(r) => ctx.navigate(`#/business/requests/${r.id}`)}
        columns=${[
          { key: 'id', label: '#', class: 'num', render: (r) => html`<a href=${`#/business/requests/${r.id}`} data-testid="business-request-link">#${r.id}</a>` },
          { key: 'purpose', label: t('requests.col.purpose') },
          { key: 'categories', label: t('business.col.categories'), render: (r) => r.categories.map((c) => html`<span class="tag">${categoryLabel(c)}</span> `) },
          { key: 'reward', label: t('business.col.reward'), class: 'num', render: (r) => formatBD(r.reward) },
          { key: 'accepted', label: t('business.col.granted'), class: 'num', render: (r) => `${r.accepted} / ${r.residents}` },
          { key: 'waiting', label: t('business.cohortCol'), class: 'num', render: (r) => `${r.accepted} / ${r.waiting ?? 0} (${r.cohort ?? 1})` },
          { key: 'escrow', label: t('business.col.inEscrow'), class: 'num', render: (r) => formatBD(r.escrow) },
          { key: 'expires_at', label: t('business.col.openUntil'), render: (r) => formatTime(r.expires_at, { seconds: false }) },
          { key: 'status', label: t('business.col.state'), render: (r) => html`<${RequestState} r=${r} />` },
        ]} />`}
    <//>`;
}

function CreateRequest({ ctx, purse, onDone }) {
  const now = Date.now();
  const [f, setF] = useState({
    categories: ['travel'], periodStart: localDate(now - 365 * DAY_MS), periodEnd: localDate(now + 30 * DAY_MS),
    purpose: '', reward: '0.5', residents: '10', cohort: String(MIN_COHORT), expiresDays: '7', accessDays: '30',
  });
  const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });
  const toggleCat = (c) => setF({ ...f, categories: f.categories.includes(c) ? f.categories.filter((x) => x !== c) : [...f.categories, c] });
  let budget = null;
  try { budget = parseBD(f.reward, t('business.col.reward')) * parsePositiveInt(f.residents, t('business.residents')); } catch { budget = null; }
  const create = async () => {
    if (!f.categories.length) throw fail('business.needCategory');
    if (!f.purpose.trim()) throw fail('business.needPurpose');
    const reward = parseBD(f.reward, t('business.col.reward'));
    const residents = parsePositiveInt(f.residents, t('business.residents'));
    const cohort = parsePositiveInt(f.cohort, t('business.cohort'));
    if (residents % cohort) throw fail('business.cohortHint', { min: MIN_COHORT });
    const start = fromZonedInput(f.periodStart, 'T00:00:00');
    const end = fromZonedInput(f.periodEnd, 'T23:59:59');
    if (start > end) throw fail('business.periodOrder');
    const expires = parsePositiveInt(f.expiresDays, t('business.openDays'));
    const access = parsePositiveInt(f.accessDays, t('business.accessDays'));
    await sendTx(ctx, [createRequestMsg({ categories: f.categories, periodStart: start, periodEnd: end + 999,
      purpose: f.purpose.trim(), reward, residents, cohort, expiresAt: Date.now() + expires * DAY_MS, accessMs: access * DAY_MS })]);
    toast(t('business.requestCreated', { amount: formatBD(reward * residents) }));
    setF({ ...f, purpose: '' });
    onDone();
  };
  return html`<${Card} title=${t('business.askTitle')} testid="business-create-request" subtitle=${t('business.askSub')}>
    <div class="form">
      <div class="field" role="group" aria-labelledby="request-categories-label"><span class="field-label" id="request-categories-label">${t('business.col.categories')}</span>
        <div class="choices" data-testid="request-categories">
          ${CATEGORIES.map((c) => html`<label class=${f.categories.includes(c) ? 'choice active' : 'choice'}>
            <input type="checkbox" checked=${f.categories.includes(c)} onChange=${() => toggleCat(c)} data-testid=${`request-category-${c}`} />${categoryLabel(c)}</label>`)}
        </div>
      </div>
      <${Field} label=${t('requests.col.purpose')} hint=${t('business.purposeHint')}>
        <input data-testid="request-purpose" value=${f.purpose} onInput=${set('purpose')} maxlength="200" placeholder=${t('business.purposePlaceholder')} />
      <//>
      <div class="form-row">
        <${Field} label=${t('business.recordsFrom', { tz: tzOffset() })}><input type="date" data-testid="request-period-start" value=${f.periodStart} onInput=${set('periodStart')} /><//>
        <${Field} label=${t('business.to')}><input type="date" data-testid="request-period-end" value=${f.periodEnd} onInput=${set('periodEnd')} /><//>
      </div>
      <div class="form-row">
        <${Field} label=${t('business.rewardPer')}><input data-testid="request-reward" inputmode="decimal" value=${f.reward} onInput=${set('reward')} /><//>
        <${Field} label=${t('business.residents')}><input type="number" min="1" data-testid="request-residents" value=${f.residents} onInput=${set('residents')} /><//>
        <${Field} label=${t('business.cohort')} hint=${t('business.cohortHint', { min: MIN_COHORT })}><input type="number" min="1" data-testid="request-cohort" value=${f.cohort} onInput=${set('cohort')} /><//>
        <${Field} label=${t('business.openDays')}><input type="number" min="1" data-testid="request-expires" value=${f.expiresDays} onInput=${set('expiresDays')} /><//>
        <${Field} label=${t('business.accessDays')} hint=${t('business.accessHint')}><input type="number" min="1" max="365" data-testid="request-access" value=${f.accessDays} onInput=${set('accessDays')} /><//>
      </div>
      <div class="form-actions">
        <${Button} testid="request-create" onClick=${create} busyLabel=${t('business.escrowing')}>${t('business.createRequest')}<//>
        <span class="muted">${t('business.budget')} <strong data-testid="request-budget">${budget == null ? '—' : formatBD(budget)}</strong>${' · '}${t('business.purseAmount', { amount: formatBD(purse?.balance ?? 0) })}</span>
      </div>
      ${budget != null && purse && budget > purse.balance ? html`<p class="notice warn" data-testid="request-purse-low">
        ${t('business.purseLow')}</p>` : null}
    </div>
  <//>`;
}

export function RequestDetail({ ctx, id }) {
  const now = useNow(5000);
  const data = useLive(async () => {
    const [request, grants] = await Promise.all([
      query(ctx, 'exchange/request', { id }),
      queryAll(ctx, 'exchange/grants', { request: id }),
    ]);
    return { request, grants };
  }, [id]);
  const [opened, setOpened] = useState(null);
  if (data.data === undefined) return data.error ? html`<${ErrorBox} error=${data.error} />` : html`<${Loading} />`;
  const { request: r, grants } = data.data;
  const mine = r.business === ctx.wallet.address;
  const fetchAll = async () => {
    const rows = await readGranted(ctx, id);
    setOpened(rows);
    const ok = rows.filter((x) => x.text != null).length;
    toast(t('business.decrypted', { n: ok }));
  };
  const close = async () => {
    await sendTx(ctx, [closeRequestMsg(id)]);
    toast(t('business.requestClosed'));
    data.reload();
  };
  const open = r.status === 'open' && now < r.expires_at;
  return html`
    <p><a href="#/business/requests">${t('business.backToRequests')}</a></p>
    <${Card} title=${t('business.requestN', { id: r.id })} subtitle=${r.purpose} testid="business-request-detail"
      actions=${mine && open && r.escrow > 0 ? html`<${ConfirmButton} testid="request-close" onConfirm=${close}
        question=${t('confirm.closeRequest', { id: r.id, amount: formatBD(r.escrow) })} confirmLabel=${t('confirm.closeYes')}>${t('business.closeEarly')}<//>` : null}>
      <dl class="c-kv">
        <dt>${t('business.col.state')}</dt><dd data-testid="request-state"><${RequestState} r=${r} now=${now} /></dd>
        <dt>${t('business.col.categories')}</dt><dd>${r.categories.map((c) => html`<span class="tag">${categoryLabel(c)}</span> `)}</dd>
        <dt>${t('business.recordsFromLabel')}</dt><dd>${t('business.fromTo', { from: formatTime(r.period_start, { seconds: false }), to: formatTime(r.period_end, { seconds: false }) })}</dd>
        <dt>${t('business.col.reward')}</dt><dd>${t('business.rewardEach', { amount: formatBD(r.reward) })}</dd>
        <dt>${t('business.col.granted')}</dt><dd data-testid="request-accepted">${t('business.grantedOf', { accepted: r.accepted, residents: r.residents })}</dd>
        <dt>${t('business.escrow')}</dt><dd>${t('business.escrowLine', { escrowed: formatBD(r.escrowed), paid: formatBD(r.paid), left: formatBD(r.escrow) })}${r.refunded ? ` · ${t('business.refundedAmount', { amount: formatBD(r.refunded) })}` : ''}</dd>
        <dt>${t('business.col.openUntil')}</dt><dd>${formatTime(r.expires_at)}${open ? html` <span class="muted">(${t('common.left', { duration: formatDuration(r.expires_at - now) })})</span>` : null}</dd>
        <dt>${t('requests.col.access')}</dt><dd>${t('business.accessFrom', { duration: formatDuration(r.access_ms) })}</dd>
      </dl>
    <//>
    <${Card} title=${t('business.grantsN', { n: grants.length })} testid="business-grants" subtitle=${t('business.grantsSub')}
      actions=${mine && grants.length ? html`<${Button} testid="request-fetch" onClick=${fetchAll} busyLabel=${t('business.decrypting')}>${t('business.fetch')}<//>` : null}>
      <${Table} testid="business-grant" rows=${grants} rowKey=${(g) => g.resident} empty=${t('business.noGrant')}
        columns=${[
          { key: 'resident', label: t('business.col.resident'), render: (g) => html`<${AddrLink} address=${g.resident} />` },
          { key: 'records', label: t('requests.col.records'), class: 'num', render: (g) => `${g.records.filter((x) => x.live).length} / ${g.records.length}` },
          { key: 'granted_at', label: t('business.col.granted'), render: (g) => formatTime(g.granted_at, { seconds: false }) },
          { key: 'access_until', label: t('business.col.accessUntil'), render: (g) => formatTime(g.access_until, { seconds: false }) },
          { key: 'state', label: t('business.col.state'), render: (g) => html`<${Badge} kind=${g.state === 'active' ? 'ok' : 'neutral'}>${stateLabel(g.state)}<//>` },
        ]} />
    <//>
    ${opened ? html`<${Card} title=${t('business.grantedTitle')} testid="business-granted">
      <${Table} testid="granted" rows=${opened} rowKey=${(x) => x.digest} empty=${t('business.nothingShared')}
        columns=${[
          { key: 'resident', label: t('business.col.resident'), render: (x) => html`<${AddrLink} address=${x.resident} />` },
          { key: 'category', label: t('vault.category'), render: (x) => (x.category ? html`<span class="tag">${categoryLabel(x.category)}</span>` : '—') },
          { key: 'time', label: t('business.col.time'), render: (x) => (x.time ? formatTime(x.time, { seconds: false }) : '—') },
          { key: 'text', label: t('vault.content'), render: (x) => (x.text != null
            ? html`<span class="c-plaintext" data-testid="granted-plaintext">${x.text}</span>`
            : html`<span class="muted" data-testid="granted-unavailable">${x.error}</span>`) },
        ]} />
    <//>` : null}
    ${mine ? html`<${GrantedRecords} ctx=${ctx} requestId=${id} />` : null}`;
}
