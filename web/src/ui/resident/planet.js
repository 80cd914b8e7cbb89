// The planet: hourly bubbles of pending diamonds (tap to see how each was computed, then
// collect), balance, Force with its grants and expiries, and the live 48-hour countdown.
import { useState } from 'preact/hooks';
import {
  html, useLive, useNow, Button, Card, Table, ErrorBox, Loading, Stat, Badge, toast,
  formatBD, formatForce, formatTime, formatDuration,
} from '../common.js';
import { queryOrNull } from './data.js';

const ACC_SCALE = 10n ** 18n;

async function loadPlanet(api, address) {
  const [holder, bubbles, force, tasks] = await Promise.all([
    queryOrNull(api, 'emission/holder', { address }),
    queryOrNull(api, 'emission/bubbles', { address }),
    api.query('force/force', { address }),
    api.query('force/tasks'),
  ]);
  return { holder, bubbles, force, tasks, fetchedAt: Date.now() };
}

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
  return `${whole.toLocaleString('en-US')}.${frac.toString().padStart(6, '0')}`;
}

function BubbleDetail({ bubble, shareBps, formula, onClose, onCollect }) {
  const parts = bubble.parts.map((p) => ({ ...p, x: explainPart(p, bubble, shareBps) }));
  const earlier = bubble.hour_start === 0;
  const anyCarried = parts.some((p) => p.x.carried);
  const title = earlier ? 'Earlier earnings'
    : `Bubble of ${formatTime(bubble.hour_start, { seconds: false })} – ${formatTime(bubble.hour_end, { seconds: false }).slice(11)}`;
  return html`<${Card} title=${title}
    subtitle="How this bubble was computed: every number comes from the ledger, so you can recompute it."
    actions=${html`<${Button} small testid="bubble-collect" onClick=${onCollect}>Collect<//>
      <${Button} small kind="ghost" onClick=${onClose}>Close<//>`} testid="bubble-detail">
    <div class="grid grid-4 bubble-facts">
      <${Stat} label="This bubble" value=${formatBD(bubble.amount_micro, { precise: true })} testid="bubble-amount" />
      <${Stat} label="Emission rate" value=${`${formatBD(bubble.rate_micro_per_second, { precise: true, unit: false })} BD/s`}
        hint=${`residents share ${shareBps / 100}%, Lucky Drill's jackpot the rest`} testid="bubble-rate" />
      <${Stat} label="Active Force at the hour mark" value=${bubble.active_force_at_start != null ? formatForce(bubble.active_force_at_start) : '—'}
        hint=${bubble.active_force_at_start != null ? 'all residents together' : 'no mark: the bubble began mid-hour'} testid="bubble-total-force" />
      <${Stat} label="Seconds earning" value=${formatForce(Math.round(parts.reduce((s, p) => s + p.x.seconds, 0) * 1000) / 1000)} testid="bubble-seconds" />
    </div>
    ${earlier ? html`<p class="muted">Older pieces of Force folded into one bubble; its total is exact.</p>` : html`
    <${Table} testid="bubble-parts" rows=${parts} columns=${[
      { label: 'From', render: (p) => formatTime(p.from) },
      { label: 'To', render: (p) => formatTime(p.to).slice(11) },
      { label: 'Seconds', class: 'num', render: (p) => p.x.seconds.toLocaleString('en-US') },
      { label: 'Your Force', class: 'num', render: (p) => html`<span data-testid="part-force">${formatForce(p.force)}</span>` },
      { label: 'Total active Force', class: 'num', render: (p) => html`<span data-testid="part-total">${p.x.total != null ? formatForce(p.x.total) : p.x.carried ? 'carried*' : '—'}</span>` },
      { label: html`<span class="nocase">µBD</span> per Force`, class: 'num', render: (p) => scaledMicro(p.x.perForce) },
      { label: html`Earned (<span class="nocase">µBD</span>)`, class: 'num', render: (p) => scaledMicro(p.x.scaled) },
    ]} />
    ${anyCarried ? html`<p class="muted small" data-testid="bubble-carried">* This part also paid out emission carried from time when no
      Force was active (before you, nobody was earning): it is never lost, only handed to the next active Force.</p>` : null}
    <p class="formula" data-testid="bubble-formula">earned = your Force × rate × ${shareBps / 100}% × seconds ÷ total active Force
      <br /><span class="muted small">${formula}. The bubble rounds down to the µBD on your running total, so bubbles add up exactly to what you collect.</span></p>`}
  <//>`;
}

function Bubbles({ bubbles, selected, onSelect }) {
  const max = bubbles.reduce((m, b) => Math.max(m, Number(b.amount_micro)), 1);
  const shown = bubbles.slice(-12);
  return html`<div class="planet-stage">
    <div class="planet-orb" aria-hidden="true"><div class="planet-ring"></div></div>
    ${shown.map((b, i) => {
      const angle = (-90 + (360 / Math.max(shown.length, 6)) * i) * (Math.PI / 180);
      const size = 58 + Math.round(26 * Math.sqrt(Number(b.amount_micro) / max));
      const x = 50 + 40 * Math.cos(angle);
      const y = 50 + 38 * Math.sin(angle);
      const key = `${b.hour_start}`;
      return html`<button type="button" key=${key} data-testid="bubble" data-hour=${b.hour_start}
        class=${`bubble${selected === key ? ' selected' : ''}`}
        style=${`left:calc(${x}% - ${size / 2}px);top:calc(${y}% - ${size / 2}px);width:${size}px;height:${size}px;animation-delay:${(i % 5) * 0.4}s`}
        title="Tap to see how it was computed" onClick=${() => onSelect(selected === key ? null : key)}>
        <span class="bubble-amt">${formatBD(b.amount_micro, { unit: false })}</span>
        <span class="bubble-hour">${b.hour_start ? formatTime(b.hour_start, { seconds: false }).slice(11) : 'earlier'}</span>
      </button>`;
    })}
    ${bubbles.length > shown.length ? html`<p class="empty-over" data-testid="bubbles-more">and ${bubbles.length - shown.length} earlier
      bubble${bubbles.length - shown.length === 1 ? '' : 's'}, collected together with these</p>` : null}
  </div>`;
}

function Countdown({ holder, fetchedAt }) {
  const now = useNow(1000);
  if (!holder) return html`<${Stat} label="48-hour rule" value="—" hint="starts with your first Force" testid="countdown" />`;
  if (holder.dormant) {
    return html`<${Stat} label="Status" value=${html`<span class="bad">Dormant</span>`} testid="countdown"
      hint="You earn nothing until you collect again." />`;
  }
  const left = Math.max(0, holder.dormant_in_ms - (now - fetchedAt));
  const urgent = left < 6 * 3600000;
  return html`<${Stat} label="Dormant in" value=${html`<span class=${urgent ? 'bad' : ''}>${formatDuration(left, { days: false })}</span>`}
    hint=${`unless you collect before ${formatTime(holder.dormant_at, { seconds: false })}`} testid="countdown" />`;
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
  const taskTitle = Object.fromEntries((tasks || []).map((t) => [t.id, t.title]));
  const collect = async () => {
    const outcome = await api.collect(wallet);
    const paid = (outcome.events || []).find((e) => e.type === 'emission/collected')?.attributes?.amount;
    setSelected(null);
    toast(`Collected ${formatBD(paid ?? 0)} into your balance`);
    live.reload();
  };
  const grants = [...(force.grants || [])].sort((a, b) => a.granted_at - b.granted_at);
  return html`<div class="planet-view" data-testid="planet">
    <div class="grid grid-4">
      <${Stat} label="Balance" value=${formatBD(holder ? holder.balance_micro : 0)} testid="balance" />
      <${Stat} label="Pending" value=${formatBD(pending)} testid="pending" hint=${`${list.length} bubble${list.length === 1 ? '' : 's'}`} />
      <${Stat} label="Original Force" value=${formatForce(force.force)} testid="force"
        hint=${holder && holder.force_in_pool !== force.force ? `${formatForce(holder.force_in_pool)} earning now` : 'all of it earning'} />
      <${Countdown} holder=${holder} fetchedAt=${fetchedAt} />
    </div>
    <${Card} title="Your planet" subtitle="Diamonds bubble up every hour. Tap a bubble to see how it was computed; collect to keep them and stay active."
      actions=${html`<${Button} testid="collect" disabled=${!list.length} onClick=${collect} busyLabel="Collecting…">
        Collect ${list.length ? formatBD(pending) : ''}<//>`} testid="planet-card">
      ${list.length ? html`<${Bubbles} bubbles=${list} selected=${selected} onSelect=${setSelected} />`
        : html`<div class="planet-stage empty-stage"><div class="planet-orb" aria-hidden="true"><div class="planet-ring"></div></div>
          <p class="empty-over" data-testid="no-bubbles">${force.force > 0 ? 'Your next bubble is forming: check back in a moment.'
            : account.verified ? 'Earn Force (check in, tasks) and your bubbles will appear.' : 'Verify your identity to earn Force, then bubbles appear.'}</p></div>`}
    <//>
    ${bubble ? html`<${BubbleDetail} bubble=${bubble} shareBps=${shareBps} formula=${bubbles.formula}
      onClose=${() => setSelected(null)} onCollect=${collect} />` : null}
    <${Card} title="Force and its grants" subtitle="Each completed task grants Force; temporary grants leave your total when they expire." testid="grants">
      <${Table} testid="grant" rows=${grants} rowKey=${(g) => g.grant_id} empty="No Force yet." columns=${[
        { label: 'Task', render: (g) => taskTitle[g.task_id] || g.task_id },
        { label: 'Force', class: 'num', render: (g) => (g.remaining === g.force ? formatForce(g.force) : `${formatForce(g.remaining)} of ${formatForce(g.force)}`) },
        { label: 'Granted', render: (g) => formatTime(g.granted_at, { seconds: false }) },
        { label: 'Expires', render: (g) => (g.expires_at === 0 ? html`<${Badge} kind="ok">permanent<//>`
          : html`${formatTime(g.expires_at, { seconds: false })} <span class="muted small">(in ${formatDuration(g.expires_at - fetchedAt)})</span>`) },
      ]} />
    <//>
  </div>`;
}
