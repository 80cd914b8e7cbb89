// The dashboard's first tab: supply against the schedule, the Lucky Drill's jackpot, what
// businesses hold, and who is active (the census) with their Force.
import {
  html, t, useLive, formatBD, formatForce, formatNumber, formatDate, formatDuration, Card, ErrorBox, Loading, Stat,
} from '../common.js';
import { query } from '../explorer/kit.js';
import { SupplyChart, ForceHistogram, compactBD } from './charts.js';

/** Headline figures: to the hundredth of a BD, or in millions past a million (the exact
 * values are in the chart's legend). */
const bd2 = (micro) => (Number(micro) >= 1e12
  ? `${formatNumber(Number(micro) / 1e12, { minimumFractionDigits: 2, maximumFractionDigits: 2 })} M BD`
  : formatBD(Math.floor(Number(micro) / 10000) * 10000));

async function loadOverview(ctx) {
  const [schedule, supply, census, drill, books] = await Promise.all([
    query(ctx, 'emission/schedule', { points: 240 }),
    query(ctx, 'emission/supply'),
    query(ctx, 'emission/census').catch(() => null),
    query(ctx, 'drill/current').catch(() => null),
    query(ctx, 'exchange/books').catch(() => null),
  ]);
  return { schedule, supply, census, drill, books };
}

export function Overview({ ctx }) {
  const res = useLive(() => loadOverview(ctx), []);
  if (res.data === undefined) return res.error ? html`<${ErrorBox} error=${res.error} />` : html`<${Loading} />`;
  const { schedule: s, supply, census: c, drill, books } = res.data;
  const pct = s.cap_micro ? (100 * supply.emitted_micro) / s.cap_micro : 0;
  const halvingAt = s.halving_interval_ms ? s.genesis_time + (s.era + 1) * s.halving_interval_ms : null;
  return html`
    <${ErrorBox} error=${res.error} />
    <div class="stats-row">
      <${Stat} label=${t('operator.emitted')} value=${bd2(supply.emitted_micro)} testid="op-emitted"
        hint=${pct < 0.01 ? t('operator.underCap') : t('operator.ofCap', { pct: formatNumber(pct, { minimumFractionDigits: 2, maximumFractionDigits: 2 }) })} />
      <${Stat} label=${t('operator.cap')} value=${`${compactBD(s.cap_micro)} BD`} hint=${t('operator.capHint', { amount: formatBD(s.cap_micro) })} />
      <${Stat} label=${t('operator.collected')} value=${bd2(supply.collected_micro)} testid="op-collected" hint=${t('operator.collectedHint')} />
      <${Stat} label=${t('operator.rate')} value=${`${formatBD(supply.rate_micro_per_second)}/s`} testid="op-rate"
        hint=${halvingAt && halvingAt < s.end_time ? t('operator.eraHalves', { era: supply.era, date: formatDate(halvingAt) }) : t('operator.eraLast', { era: supply.era })} />
      <${Stat} label=${t('drill.jackpot')} value=${bd2(supply.jackpot_micro)} testid="op-jackpot"
        hint=${drill ? t('operator.drillRound', { round: drill.round, n: drill.entries }) : t('resident.tab.drill')} />
      ${books ? html`<${Stat} label=${t('operator.businessesHold')} value=${bd2(books.purses_micro + books.escrow_micro)} testid="op-books"
        hint=${t('operator.booksHint', { purses: bd2(books.purses_micro), escrow: bd2(books.escrow_micro) })} />` : null}
    </div>
    <${Card} title=${t('operator.supplyTitle')} testid="op-supply"
      subtitle=${t('operator.supplySub', { rate: formatBD(supply.rate_micro_per_second), era: supply.era, halving: formatDuration(s.halving_interval_ms) })}>
      <${SupplyChart} s=${s} />
    <//>
    <div class="grid grid-2">
      <${Card} title=${t('operator.residents')} testid="op-census" subtitle=${c ? t('operator.census', { height: c.height }) : null}>
        ${c ? html`
          <div class="stats-row compact">
            <${Stat} label=${t('operator.residents')} value=${formatForce(c.residents)} testid="census-residents" />
            <${Stat} label=${t('operator.active')} value=${formatForce(c.active)} testid="census-active" hint=${t('operator.activeHint')} />
            <${Stat} label=${t('operator.dormant')} value=${formatForce(c.dormant)} testid="census-dormant" hint=${t('operator.dormantHint')} />
            <${Stat} label=${t('operator.never')} value=${formatForce(c.inactive)} testid="census-inactive" />
          </div>
          <${ActivityBar} c=${c} />` : html`<p class="muted">${t('operator.noCensus')}</p>`}
      <//>
      <${Card} title=${t('operator.forceTitle')} testid="op-force"
        subtitle=${c ? t('operator.forceSub', { total: formatForce(c.total_force), active: formatForce(c.active_force) }) : null}>
        ${c ? html`<${ForceHistogram} histogram=${c.force_histogram} />` : null}
      <//>
    </div>`;
}

function ActivityBar({ c }) {
  const total = Math.max(1, c.residents);
  const seg = (n, cls, label) => (n ? html`<span class=${`seg ${cls}`} style=${`width:${(100 * n) / total}%`} title=${`${label}: ${n}`}></span>` : null);
  return html`<div class="activity-bar" role="img" aria-label=${t('operator.activityLabel', { active: c.active, dormant: c.dormant, never: c.inactive })}>
    ${seg(c.active, 'seg-active', t('operator.active'))}${seg(c.dormant, 'seg-dormant', t('operator.dormant'))}${seg(c.inactive, 'seg-inactive', t('operator.never'))}
  </div>
  <div class="legend"><span><i class="sw seg-active"></i>${t('operator.active')}</span><span><i class="sw seg-dormant"></i>${t('operator.dormant')}</span><span><i class="sw seg-inactive"></i>${t('operator.never')}</span></div>`;
}
