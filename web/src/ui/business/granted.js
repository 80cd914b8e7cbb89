// Granted data a business can use (issue 17, item 5), in the console: the records residents
// granted on a request, decrypted in this browser (kit.readGranted), as a table with a summary
// per category, and downloads made here as CSV or JSON (a Blob and a link: nothing goes back
// to the node). The same columns and summary as the Python SDK's planet.sdk.granted.
import { useState } from 'preact/hooks';
import { html, t, Card, Table, Button, formatTime, toast } from '../common.js';
import { categoryLabel } from '../../i18n/labels.js';
import { readGranted } from '../explorer/kit.js';

export const COLUMNS = ['request', 'resident', 'category', 'time', 'digest', 'text'];

/** The rows that opened, in a stable order (resident, then record time). */
export function grantedRows(requestId, opened) {
  return opened.filter((x) => x.text != null)
    .map((x) => ({ request: requestId, resident: x.resident, category: x.category, time: x.time ?? 0, digest: x.digest, text: x.text }))
    .sort((a, b) => (a.resident < b.resident ? -1 : a.resident > b.resident ? 1 : a.time - b.time || (a.digest < b.digest ? -1 : 1)));
}

/** Per category: records and distinct residents, most records first. */
export function summarize(rows) {
  const by = new Map();
  for (const r of rows) {
    const s = by.get(r.category) || { category: r.category, records: 0, residents: new Set() };
    s.records += 1;
    s.residents.add(r.resident);
    by.set(r.category, s);
  }
  return [...by.values()].map((s) => ({ category: s.category, records: s.records, residents: s.residents.size }))
    .sort((a, b) => b.records - a.records || (a.category < b.category ? -1 : 1));
}

function csvCell(value) {
  let s = String(value);
  if (/^[=+\-@]/.test(s)) s = `'${s}`; // a spreadsheet would run it as a formula
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RFC 4180 CSV with a header row, as planet.sdk.granted.export_csv writes it. */
export function toCsv(rows) {
  return [COLUMNS, ...rows.map((r) => COLUMNS.map((c) => r[c]))].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** {"records": [...], "summary": [...]}, as planet.sdk.granted.export_json writes it. */
export function toJson(rows) {
  return `${JSON.stringify({ records: rows, summary: summarize(rows) }, null, 2)}\n`;
}

function download(name, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The card on a request's page: decrypt, summarize, download. */
export function GrantedRecords({ ctx, requestId }) {
  const [opened, setOpened] = useState(null);
  const rows = opened ? grantedRows(requestId, opened) : [];
  const decrypt = async () => {
    const all = await readGranted(ctx, requestId);
    setOpened(all);
    toast(t('granted.decrypted', { n: grantedRows(requestId, all).length }));
  };
  return html`<${Card} title=${t('granted.title')} subtitle=${t('granted.sub')} testid="granted-records"
    actions=${html`<${Button} testid="granted-decrypt" onClick=${decrypt} busyLabel=${t('granted.decrypting')}>${t('granted.decrypt')}<//>`}>
    ${opened ? html`
      <${Table} testid="granted-summary" rows=${summarize(rows)} rowKey=${(s) => s.category} empty=${t('granted.none')} columns=${[
        { key: 'category', label: t('granted.col.category'), render: (s) => categoryLabel(s.category) },
        { key: 'records', label: t('granted.col.records'), class: 'num' },
        { key: 'residents', label: t('granted.col.residents'), class: 'num' },
      ]} />
      <div class="form-actions">
        <${Button} small kind="secondary" testid="granted-csv" disabled=${!rows.length}
          onClick=${() => download(`request-${requestId}-granted.csv`, 'text/csv;charset=utf-8', toCsv(rows))}>${t('granted.csv')}<//>
        <${Button} small kind="secondary" testid="granted-json" disabled=${!rows.length}
          onClick=${() => download(`request-${requestId}-granted.json`, 'application/json', toJson(rows))}>${t('granted.json')}<//>
      </div>
      <${Table} testid="granted-record" rows=${rows} rowKey=${(r) => r.digest} columns=${[
        { key: 'resident', label: t('granted.col.resident'), render: (r) => html`<span class="mono small">${r.resident.slice(0, 14)}…</span>` },
        { key: 'category', label: t('granted.col.category'), render: (r) => html`<span class="tag">${categoryLabel(r.category)}</span>` },
        { key: 'time', label: t('granted.col.time'), render: (r) => formatTime(r.time, { seconds: false }) },
        { key: 'text', label: t('granted.col.text'), render: (r) => html`<span data-testid="granted-text">${r.text}</span>` },
      ]} />` : html`<p class="muted">${t('granted.hint')}</p>`}
  <//>`;
}
