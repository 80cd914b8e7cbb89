// Lucky Drill: the current round, the jackpot, entering (paid in Force, open to residents
// with more than the minimum), and past rounds with their winners, all re-checkable with
// `planet drill verify`.
import {
  html, t, useLive, useNow, Button, Card, Table, ErrorBox, Loading, Badge, Stat, toast, formatBD,
  formatForce, formatTime, formatDuration, shortAddr,
} from '../common.js';

async function loadDrill(api, address) {
  const [current, rounds, force] = await Promise.all([
    api.query('drill/current', { address }),
    api.query('drill/rounds', { limit: 10 }),
    api.query('force/force', { address }),
  ]);
  return { current, rounds, force: force.force, fetchedAt: Date.now() };
}

function stateBadge(state) {
  if (state === 'drawn') return html`<${Badge} kind="ok">${t('drill.drawn')}<//>`;
  if (state === 'void') return html`<${Badge} kind="warn">${t('drill.void')}<//>`;
  if (state === 'still open') return html`<${Badge} kind="brand">${t('drill.open')}<//>`;
  return html`<${Badge}>${state}<//>`;
}

export function DrillView({ ctx }) {
  const { api, wallet } = ctx;
  const live = useLive(() => loadDrill(api, wallet.address), [wallet.address]);
  const now = useNow(1000);
  if (live.data === undefined) return live.error ? html`<${ErrorBox} error=${live.error} />` : html`<${Loading} />`;
  const { current: c, rounds, force } = live.data;
  const canEnter = c.committed && !c.entered && force > c.min_force;
  const next = rounds.filter((r) => r.state === 'not open yet').sort((a, b) => a.round - b.round);
  const past = rounds.filter((r) => r.state !== 'not open yet' && r.round !== c.round);
  const why = !c.committed && c.round === 0
    ? (next.length ? t('drill.firstOpening', { time: formatTime(next[0].opens_at, { seconds: false }) }) : t('drill.first'))
    : !c.committed ? t('drill.noCommitment')
    : c.entered ? t('drill.youAreIn') : force <= c.min_force ? t('drill.needsForce', { min: c.min_force, force }) : null;
  const enter = async () => {
    await api.enterDrill(wallet, c.round);
    toast(t('drill.entered', { round: c.round, force: c.entry_force }));
    live.reload();
  };
  const waitingFirst = c.round === 0 && !c.committed && next.length > 0;
  const shown = waitingFirst ? { n: next[0].round, label: 'drill.opensIn', at: next[0].opens_at, verb: 'drill.opens' }
    : { n: c.round, label: 'drill.closesIn', at: c.closes_at, verb: 'drill.closes' };
  const left = Math.max(0, shown.at - now);
  return html`<div class="grid" data-testid="drill">
    <div class="grid grid-4">
      <${Stat} label=${t('drill.jackpot')} value=${formatBD(c.jackpot_micro)} testid="drill-jackpot" hint=${t('drill.jackpotHint')} />
      <${Stat} label=${t(shown.label, { round: shown.n })} value=${formatDuration(left, { days: false })} hint=${t(shown.verb, { time: formatTime(shown.at, { seconds: false }) })} testid="drill-round" />
      <${Stat} label=${t('drill.entries')} value=${c.entries} hint=${t('drill.winners', { n: c.winners })} />
      <${Stat} label=${t('drill.yourForce')} value=${formatForce(force)} hint=${t('drill.entryCost', { force: c.entry_force })} />
    </div>
    <${Card} title=${t('drill.enterTitle')} subtitle=${t('drill.enterSub')}>
      <div class="button-row center">
        <${Button} testid="drill-enter" disabled=${!canEnter} onClick=${enter} busyLabel=${t('drill.entering')}>${t('drill.enter', { round: shown.n })}<//>
        ${why ? html`<span class=${c.entered ? 'ok-text' : 'muted'} data-testid="drill-why">${why}</span>` : null}
      </div>
    <//>
    ${next.length ? html`<p class="muted small" data-testid="drill-next">${t('drill.ahead', {
      rounds: next.map((r) => t('drill.roundAt', { round: r.round, time: formatTime(r.opens_at, { seconds: false }) })).join(t('list.sep')) })}</p>` : null}
    <${Card} title=${t('drill.past')}>
      <${Table} testid="drill-round-row" rows=${past} rowKey=${(r) => r.round} empty=${t('drill.noRounds')} columns=${[
        { label: t('drill.col.round'), render: (r) => r.round },
        { label: t('drill.col.closed'), render: (r) => formatTime(r.closes_at, { seconds: false }) },
        { label: t('drill.entries'), class: 'num', render: (r) => r.entries },
        { label: t('drill.col.state'), render: (r) => stateBadge(r.state) },
        { label: t('drill.col.winners'), render: (r) => (r.winners && r.winners.length ? r.winners.map((w) => html`<span class=${w === wallet.address ? 'me' : ''}>
          ${w === wallet.address ? t('common.you') : shortAddr(w)} </span>`) : '—') },
        { label: t('drill.col.prize'), class: 'num', render: (r) => (r.prize_each ? formatBD(r.prize_each) : '—') },
      ]} />
    <//>
  </div>`;
}
