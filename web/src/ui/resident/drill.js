// Lucky Drill: the current round, the jackpot, entering (paid in Force, open to residents
// with more than the minimum), and past rounds with their winners, all re-checkable with
// `planet drill verify`.
import {
  html, useLive, useNow, Button, Card, Table, ErrorBox, Loading, Badge, Stat, toast, formatBD,
  formatTime, formatDuration, shortAddr,
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
  if (state === 'drawn') return html`<${Badge} kind="ok">drawn<//>`;
  if (state === 'void') return html`<${Badge} kind="warn">void (refunded)<//>`;
  if (state === 'still open') return html`<${Badge} kind="brand">open<//>`;
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
  const why = !c.committed && c.round === 0 ? `the first drill is round 1${next.length ? `, opening ${formatTime(next[0].opens_at, { seconds: false })}` : ''}`
    : !c.committed ? 'this round has no commitment yet: entries open once the operator commits it'
    : c.entered ? 'you are in this round' : force <= c.min_force ? `entering needs more than ${c.min_force} Force; you have ${force}` : null;
  const enter = async () => {
    await api.enterDrill(wallet, c.round);
    toast(`You are in round ${c.round} (−${c.entry_force} Force)`);
    live.reload();
  };
  const waitingFirst = c.round === 0 && !c.committed && next.length > 0;
  const shown = waitingFirst ? { n: next[0].round, label: 'opens in', at: next[0].opens_at, verb: 'opens' }
    : { n: c.round, label: 'closes in', at: c.closes_at, verb: 'closes' };
  const left = Math.max(0, shown.at - now);
  return html`<div class="grid" data-testid="drill">
    <div class="grid grid-4">
      <${Stat} label="Jackpot" value=${formatBD(c.jackpot_micro)} testid="drill-jackpot" hint="5% of all emission" />
      <${Stat} label=${`Round ${shown.n} ${shown.label}`} value=${formatDuration(left, { days: false })} hint=${`${shown.verb} ${formatTime(shown.at, { seconds: false })}`} testid="drill-round" />
      <${Stat} label="Entries" value=${c.entries} hint=${`${c.winners} winner${c.winners === 1 ? '' : 's'}`} />
      <${Stat} label="Your Force" value=${force} hint=${`entry costs ${c.entry_force} Force`} />
    </div>
    <${Card} title="Enter the current round" subtitle="Entries are paid in Force, never in diamonds. The draw uses a secret committed before the round opened and the hash of the block that seals it.">
      <div class="button-row center">
        <${Button} testid="drill-enter" disabled=${!canEnter} onClick=${enter} busyLabel="Entering…">Enter round ${shown.n}<//>
        ${why ? html`<span class=${c.entered ? 'ok-text' : 'muted'} data-testid="drill-why">${why}</span>` : null}
      </div>
    <//>
    ${next.length ? html`<p class="muted small" data-testid="drill-next">Committed ahead: ${next.map((r) => `round ${r.round} (${formatTime(r.opens_at, { seconds: false })})`).join(', ')}.
      Each commitment binds the secret before anyone can enter.</p>` : null}
    <${Card} title="Past rounds">
      <${Table} testid="drill-round-row" rows=${past} rowKey=${(r) => r.round} empty="No rounds yet." columns=${[
        { label: 'Round', render: (r) => r.round },
        { label: 'Closed', render: (r) => formatTime(r.closes_at, { seconds: false }) },
        { label: 'Entries', class: 'num', render: (r) => r.entries },
        { label: 'State', render: (r) => stateBadge(r.state) },
        { label: 'Winners', render: (r) => (r.winners && r.winners.length ? r.winners.map((w) => html`<span class=${w === wallet.address ? 'me' : ''}>
          ${w === wallet.address ? 'you' : shortAddr(w)} </span>`) : '—') },
        { label: 'Prize each', class: 'num', render: (r) => (r.prize_each ? formatBD(r.prize_each) : '—') },
      ]} />
    <//>
  </div>`;
}
