// The planet: hourly bubbles of pending diamonds (tap to see how each was computed, then
// collect), balance, Force with its grants and expiries, and the live 48-hour countdown.
import { useState } from 'preact/hooks';
import {
  html, t, useLive, useNow, Button, Card, Table, ErrorBox, Loading, Stat, Badge, toast,
  formatBD, formatForce, formatNumber, formatTime, formatDuration, formatIn,
} from '../common.js';
import { getLocale } from '../../i18n/index.js';
import { loadPlanet } from './data.js';
import { taskTitle } from '../../i18n/labels.js';

const ACC_SCALE = 10n ** 18n;

/** One part of a bubble, recomputed here from the ledger's numbers. */
function explainPart(part, bubble, shareBps) {
  const ms = part.to - part.from;
  const accDelta = BigInt(part.acc_delta);
  const scaled = BigInt(part.force) * accDelta; // µBD × 10^18
  const rate = BigInt(bubble.rate_micro_per_second ?? 0);
  // One unit of Force earned acc_delta / 10^18 µBD = rate × share × seconds / total, so
  // the active total over the part is rate × share × ms × 10^18 / (acc_delta × 10^4 × 10^3).
  // A total below the resident's own Force means the part also paid out emission carried
  // from time when no Force was active (it is never lost, only handed on).
  let total = null;
  let carried = false;
  if (accDelta > 0n && ms > 0) {
    total = (rate * BigInt(shareBps) * BigInt(ms) * ACC_SCALE) / (accDelta * 10000n * 1000n);
    if (total < BigInt(part.force)) { total = null; carried = true; }
  }
  return { seconds: ms / 1000, scaled, total, carried, perForce: accDelta };
}

/** A value scaled by 10^18 as µBD with six decimals. */
function scaledMicro(scaled) {
  const whole = scaled / ACC_SCALE;
  const frac = ((scaled % ACC_SCALE) * 1000000n) / ACC_SCALE;
  return `${formatNumber(whole)}.${frac.toString().padStart(6, '0')}`;
}

function BubbleDetail({ bubble, shareBps, formula, onClose, onCollect }) {
  const parts = bubble.parts.map((p) => ({ ...p, x: explainPart(p, bubble, shareBps) }));
  const earlier = bubble.hour_start === 0;
  const anyCarried = parts.some((p) => p.x.carried);
  const title = earlier ? t('planet.earlier')
    : t('planet.bubbleOf', { from: formatTime(bubble.hour_start, { seconds: false }), to: formatTime(bubble.hour_end, { seconds: false, date: false }) });
  return html`<${Card} title=${title} subtitle=${t('planet.bubbleSub')}
    actions=${html`<${Button} small testid="bubble-collect" onClick=${onCollect}>${t('planet.collect')}<//>
      <${Button} small kind="ghost" onClick=${onClose}>${t('common.close')}<//>`} testid="bubble-detail">
    <div class="grid grid-4 bubble-facts">
      <${Stat} label=${t('planet.thisBubble')} value=${formatBD(bubble.amount_micro, { precise: true })} testid="bubble-amount" />
      <${Stat} label=${t('planet.rate')} value=${t('planet.perSecond', { amount: formatBD(bubble.rate_micro_per_second, { precise: true, unit: false }) })}
        hint=${t('planet.rateHint', { share: formatNumber(shareBps / 100) })} testid="bubble-rate" />
      <${Stat} label=${t('planet.activeAtMark')} value=${bubble.active_force_at_start != null ? formatForce(bubble.active_force_at_start) : '—'}
        hint=${bubble.active_force_at_start != null ? t('planet.allResidents') : t('planet.noMark')} testid="bubble-total-force" />
      <${Stat} label=${t('planet.secondsEarning')} value=${formatForce(Math.round(parts.reduce((s, p) => s + p.x.seconds, 0) * 1000) / 1000)} testid="bubble-seconds" />
    </div>
    ${earlier ? html`<p class="muted">${t('planet.earlierText')}</p>` : html`
    <${Table} testid="bubble-parts" rows=${parts} columns=${[
      { label: t('planet.col.from'), render: (p) => formatTime(p.from) },
      { label: t('planet.col.to'), render: (p) => formatTime(p.to, { date: false }) },
      { label: t('planet.col.seconds'), class: 'num', render: (p) => formatNumber(p.x.seconds) },
      { label: t('planet.col.yourForce'), class: 'num', render: (p) => html`<span data-testid="part-force">${formatForce(p.force)}</span>` },
      { label: t('planet.col.totalForce'), class: 'num', render: (p) => html`<span data-testid="part-total">${p.x.total != null ? formatForce(p.x.total) : p.x.carried ? t('planet.carried') : '—'}</span>` },
      { label: html`<span class="nocase">${t('planet.col.perForce')}</span>`, class: 'num', render: (p) => scaledMicro(p.x.perForce) },
      { label: html`<span class="nocase">${t('planet.col.earned')}</span>`, class: 'num', render: (p) => scaledMicro(p.x.scaled) },
    ]} />
    ${anyCarried ? html`<p class="muted small" data-testid="bubble-carried">${t('planet.carriedNote')}</p>` : null}
    <p class="formula" data-testid="bubble-formula">${t('planet.formula', { share: formatNumber(shareBps / 100) })}
      <br /><span class="muted small">${getLocale() === 'en' && formula ? `${formula}. ` : ''}${t('planet.rounding')}</span></p>`}
  <//>`;
}

// At most this many bubbles around the planet: one per pending hour, the newest first; when
// more hours are pending the last one sums the older ones (all are collected together).
export const MAX_BUBBLES = 8;

/** The bubbles to draw: [{key, bubble}] for single hours and {key: 'rest', rest, amount}. */
export function arrange(list) {
  if (list.length <= MAX_BUBBLES) return list.map((b) => ({ key: `${b.hour_start}`, bubble: b, amount: b.amount_micro }));
  const cut = list.length - (MAX_BUBBLES - 1);
  const rest = list.slice(0, cut);
  const amount = rest.reduce((sum, b) => sum + BigInt(b.amount_micro), 0n).toString();
  return [...list.slice(cut).map((b) => ({ key: `${b.hour_start}`, bubble: b, amount: b.amount_micro })),
    { key: 'rest', rest, amount }];
}

function Bubbles({ bubbles, selected, onSelect }) {
  const shown = arrange(bubbles);
  const max = shown.reduce((m, b) => Math.max(m, Number(b.amount)), 1);
  const placed = shown.map((b, i) => {
    // Around the planet from the top, clockwise; sizes by amount, never below a 48 px target.
    const angle = (-90 + (360 / Math.max(shown.length, 6)) * i) * (Math.PI / 180);
    const size = 52 + Math.round(26 * Math.sqrt(Number(b.amount) / max));
    return { ...b, i, size, x: 50 + 40 * Math.cos(angle), y: 50 + 38 * Math.sin(angle) };
  });
  // The summed bubble is drawn in the last place but comes first in the document, so the
  // last bubble in reading order is always the newest hour.
  const ordered = placed.filter((b) => b.key === 'rest').concat(placed.filter((b) => b.key !== 'rest'));
  return html`<div class="planet-stage" data-testid="planet-stage">
    <div class="planet-orb" aria-hidden="true"><div class="planet-ring"></div></div>
    ${ordered.map((b) => {
      const hour = b.rest ? t('planet.restHours', { n: b.rest.length })
        : b.bubble.hour_start ? formatTime(b.bubble.hour_start, { seconds: false, date: false }) : t('planet.earlierShort');
      const amount = formatBD(b.amount, { unit: false });
      return html`<button type="button" key=${b.key} data-testid="bubble" data-hour=${b.rest ? undefined : b.bubble.hour_start}
        data-rest=${b.rest ? b.rest.length : undefined}
        class=${`bubble${b.rest ? ' bubble-rest' : ''}${selected === b.key ? ' selected' : ''}`}
        style=${`left:calc(${b.x}% - ${b.size / 2}px);top:calc(${b.y}% - ${b.size / 2}px);width:${b.size}px;height:${b.size}px;animation-delay:${(b.i % 5) * 0.4}s`}
        title=${t('planet.tapBubble')}
        aria-pressed=${selected === b.key ? 'true' : 'false'}
        onClick=${() => onSelect(selected === b.key ? null : b.key)}>
        <span class="bubble-amt">${amount}</span>
        <span class="bubble-hour">${hour}</span>
      </button>`;
    })}
  </div>`;
}

/** The summed bubble opened: each older hour and its amount, all collected together. */
function RestDetail({ rest, onClose, onCollect }) {
  return html`<${Card} title=${t('planet.restTitle', { n: rest.length })} subtitle=${t('planet.restSub')}
    actions=${html`<${Button} small testid="bubble-collect" onClick=${onCollect}>${t('planet.collect')}<//>
      <${Button} small kind="ghost" onClick=${onClose}>${t('common.close')}<//>`} testid="bubble-rest-detail">
    <ul class="rest-hours">${rest.map((b) => html`<li key=${b.hour_start} data-testid="rest-hour">
      <span>${b.hour_start ? formatTime(b.hour_start, { seconds: false }) : t('planet.earlier')}</span>
      <b>${formatBD(b.amount_micro, { precise: true })}</b></li>`)}</ul>
  <//>`;
}

function Countdown({ holder, fetchedAt }) {
  const now = useNow(1000);
  if (!holder) return html`<${Stat} label=${t('planet.rule48')} value="—" hint=${t('planet.rule48Hint')} testid="countdown" />`;
  if (holder.dormant) {
    return html`<${Stat} label=${t('planet.status')} value=${html`<span class="bad">${t('planet.dormant')}</span>`} testid="countdown"
      hint=${t('planet.dormantHint')} />`;
  }
  const left = Math.max(0, holder.dormant_in_ms - (now - fetchedAt));
  const urgent = left < 6 * 3600000;
  return html`<${Stat} label=${t('planet.dormantIn')} value=${html`<span class=${urgent ? 'bad' : ''}>${formatDuration(left, { days: false })}</span>`}
    hint=${t('planet.dormantInHint', { time: formatTime(holder.dormant_at, { seconds: false }) })} testid="countdown" />`;
}

export function PlanetView({ ctx, account }) {
  const { api, wallet } = ctx;
  const live = useLive(() => loadPlanet(api, wallet.address), [wallet.address]);
  const [selected, setSelected] = useState(null);
  if (live.data === undefined) return live.error ? html`<${ErrorBox} error=${live.error} />` : html`<${Loading} />`;
  const { holder, bubbles, force, tasks, fetchedAt } = live.data;
  const list = bubbles ? bubbles.bubbles.filter((b) => BigInt(b.amount_micro) > 0n) : [];
  const pending = holder ? holder.pending_micro : 0;
  const shareBps = bubbles ? bubbles.residents_share_bps : 9500;
  const bubble = list.find((b) => `${b.hour_start}` === selected);
  const titles = Object.fromEntries((tasks || []).map((x) => [x.id, taskTitle(x)]));
  const collect = async () => {
    const outcome = await api.collect(wallet);
    const paid = (outcome.events || []).find((e) => e.type === 'emission/collected')?.attributes?.amount;
    setSelected(null);
    toast(t('planet.collected', { amount: formatBD(paid ?? 0) }));
    live.reload();
  };
  const grants = [...(force.grants || [])].sort((a, b) => a.granted_at - b.granted_at);
  return html`<div class="planet-view" data-testid="planet">
    <div class="grid grid-4">
      <${Stat} label=${t('planet.balance')} value=${formatBD(holder ? holder.balance_micro : 0)} testid="balance" />
      <${Stat} label=${t('planet.pending')} value=${formatBD(pending)} testid="pending" hint=${t('planet.bubbles', { n: list.length })} />
      <${Stat} label=${t('planet.force')} value=${formatForce(force.force)} testid="force"
        hint=${holder && holder.force_in_pool !== force.force ? t('planet.earningNow', { force: formatForce(holder.force_in_pool) }) : t('planet.allEarning')} />
      <${Countdown} holder=${holder} fetchedAt=${fetchedAt} />
    </div>
    <${Card} title=${t('planet.title')} subtitle=${t('planet.sub')}
      actions=${html`<${Button} testid="collect" disabled=${!list.length} onClick=${collect} busyLabel=${t('planet.collecting')}>
        ${list.length ? t('planet.collectAmount', { amount: formatBD(pending) }) : t('planet.collect')}<//>`} testid="planet-card">
      ${list.length ? html`<${Bubbles} bubbles=${list} selected=${selected} onSelect=${setSelected} />`
        : html`<div class="planet-stage empty-stage"><div class="planet-orb" aria-hidden="true"><div class="planet-ring"></div></div>
          <p class="empty-over" data-testid="no-bubbles">${force.force > 0 ? t('planet.forming')
            : account.verified ? t('planet.earnForce') : t('planet.verifyFirst')}</p></div>`}
    <//>
    ${bubble ? html`<${BubbleDetail} bubble=${bubble} shareBps=${shareBps} formula=${bubbles.formula}
      onClose=${() => setSelected(null)} onCollect=${collect} />` : null}
    ${selected === 'rest' && list.length > MAX_BUBBLES ? html`<${RestDetail} rest=${list.slice(0, list.length - (MAX_BUBBLES - 1))}
      onClose=${() => setSelected(null)} onCollect=${collect} />` : null}
    <${Card} title=${t('planet.grantsTitle')} subtitle=${t('planet.grantsSub')} testid="grants">
      <${Table} testid="grant" rows=${grants} rowKey=${(g) => g.grant_id} empty=${t('planet.noForce')} columns=${[
        { label: t('planet.col.task'), render: (g) => titles[g.task_id] || g.task_id },
        { label: t('planet.col.force'), class: 'num', render: (g) => (g.remaining === g.force ? formatForce(g.force) : t('planet.remainingOf', { left: formatForce(g.remaining), all: formatForce(g.force) })) },
        { label: t('planet.col.granted'), render: (g) => formatTime(g.granted_at, { seconds: false }) },
        { label: t('planet.col.expires'), render: (g) => (g.expires_at === 0 ? html`<${Badge} kind="ok">${t('planet.permanent')}<//>`
          : html`${formatTime(g.expires_at, { seconds: false })} <span class="muted small">(${formatIn(g.expires_at - fetchedAt)})</span>`) },
      ]} />
    <//>
  </div>`;
}
