// Webhooks in the business console (issue 17, item 3): add an endpoint for chosen events, see
// its secret once (the node never returns it again, so it is shown here right after adding,
// with a warning and a copy button, and kept nowhere), remove endpoints, and read the delivery
// log with a Redeliver button. Every request is signed by the business's key in this browser
// (sdk/webhooks.js), so only the business sees or changes its endpoints.
import { useState } from 'preact/hooks';
import * as sdk from '../../sdk/index.js';
import { html, t, fail, useLive, Card, Table, ErrorBox, Loading, Button, Field, Badge, toast, ConfirmButton } from '../common.js';
import { getLocale } from '../../i18n/locale.js';

/** Delivery times are the node's wall clock: shown in the reader's own zone, to the second. */
function localTime(ms) {
  if (!ms) return '—';
  return new Intl.DateTimeFormat(getLocale(), { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(Number(ms)));
}

const eventLabel = (type) => t(`webhooks.event.${type}`);
const STATUS_KIND = { delivered: 'ok', pending: 'warn', failed: 'bad' };

/** The answer the receiver last gave: its HTTP code, or the error that stopped the attempt. */
function lastAnswer(d) {
  if (d.response_code) return d.last_error ? `${d.response_code} · ${d.last_error}` : String(d.response_code);
  return d.last_error || '—';
}

export function WebhooksTab({ ctx }) {
  const { api, wallet } = ctx;
  const data = useLive(async () => {
    const [endpoints, deliveries] = await Promise.all([
      sdk.listWebhooks(api, wallet),
      sdk.webhookDeliveries(api, wallet, { limit: 50 }),
    ]);
    return { endpoints, deliveries };
  }, [wallet.address]);
  const [made, setMade] = useState(null);
  const d = data.data;
  return html`<div class="webhooks">
    <${AddEndpoint} ctx=${ctx} onAdded=${(ep) => { setMade(ep); data.reload(); }} />
    ${made ? html`<${SecretOnce} endpoint=${made} onDone=${() => setMade(null)} />` : null}
    <${ErrorBox} error=${data.error} />
    <${Card} title=${t('webhooks.endpoints')} testid="webhook-endpoints">
      ${d ? html`<${Table} testid="webhook" rows=${d.endpoints} rowKey=${(e) => e.id} empty=${t('webhooks.noEndpoint')}
        columns=${[
          { key: 'url', label: t('webhooks.url'), render: (e) => html`<span class="mono wrap url-cell" data-testid="webhook-url-text">${e.url}</span>` },
          { key: 'events', label: t('webhooks.events'), render: (e) => e.events.map((x) => html`<span class="tag">${eventLabel(x)}</span> `) },
          { key: 'created_at', label: t('webhooks.added'), render: (e) => localTime(e.created_at) },
          { key: 'act', label: html`<span class="sr-only">${t('webhooks.actions')}</span>`, render: (e) => html`<${ConfirmButton} kind="danger-ghost" small=${false} testid="webhook-remove"
              question=${t('webhooks.removeConfirm', { url: e.url })} confirmLabel=${t('webhooks.remove')}
              onConfirm=${async () => {
                await sdk.removeWebhook(api, wallet, e.id);
                toast(t('webhooks.removed'));
                data.reload();
              }}>${t('webhooks.remove')}<//>` },
        ]} />` : html`<${Loading} />`}
    <//>
    <${Card} title=${t('webhooks.log')} subtitle=${t('webhooks.logSub')} testid="webhook-log">
      ${d ? html`<${Table} testid="webhook-delivery" rows=${d.deliveries} rowKey=${(x) => x.id} empty=${t('webhooks.noDelivery')}
        columns=${[
          { key: 'type', label: t('webhooks.event'), render: (x) => html`<strong>${eventLabel(x.type)}</strong><br /><span class="muted mono small wrap">${x.event_id}</span>` },
          { key: 'status', label: t('webhooks.status'), render: (x) => html`<${Badge} kind=${STATUS_KIND[x.status] || 'neutral'} testid="webhook-delivery-status">${t(`webhooks.status.${x.status}`)}<//>` },
          { key: 'attempts', label: t('webhooks.attempts'), class: 'num', render: (x) => html`<span data-testid="webhook-delivery-attempts">${x.attempts}</span>` },
          { key: 'answer', label: t('webhooks.lastAnswer'), render: (x) => html`<span class="wrap">${lastAnswer(x)}</span>` },
          { key: 'time', label: t('webhooks.time'), render: (x) => localTime(x.delivered_at || x.created_at) },
          { key: 'act', label: html`<span class="sr-only">${t('webhooks.actions')}</span>`, render: (x) => html`<${Button} kind="secondary" testid="webhook-redeliver"
              onClick=${async () => {
                await sdk.redeliverWebhook(api, wallet, x.id);
                toast(t('webhooks.redelivering'));
                data.reload();
              }}>${t('webhooks.redeliver')}<//>` },
        ]} />` : html`<${Loading} />`}
    <//>
  </div>`;
}

function AddEndpoint({ ctx, onAdded }) {
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState(['redemption.made']);
  const toggle = (e) => setEvents(events.includes(e) ? events.filter((x) => x !== e) : [...events, e]);
  const add = async () => {
    const u = url.trim();
    if (!/^https?:\/\/\S+$/i.test(u)) throw fail('webhooks.needUrl');
    if (!events.length) throw fail('webhooks.needEvent');
    const made = await sdk.addWebhook(ctx.api, ctx.wallet, u, sdk.WEBHOOK_EVENTS.filter((e) => events.includes(e)));
    setUrl('');
    onAdded(made);
  };
  return html`<${Card} title=${t('webhooks.addTitle')} subtitle=${t('webhooks.addSub')} testid="webhook-add-card">
    <div class="form">
      <${Field} label=${t('webhooks.url')} hint=${t('webhooks.urlHint')}>
        <input type="url" inputmode="url" autocapitalize="off" spellcheck="false" data-testid="webhook-url"
          value=${url} onInput=${(e) => setUrl(e.currentTarget.value)} maxlength="2000" placeholder="https://shop.example/planet-hooks" />
      <//>
      <div class="field" role="group" aria-labelledby="webhook-events-label"><span class="field-label" id="webhook-events-label">${t('webhooks.events')}</span>
        <div class="choices" data-testid="webhook-events">
          ${sdk.WEBHOOK_EVENTS.map((e) => html`<label class=${events.includes(e) ? 'choice active' : 'choice'}>
            <input type="checkbox" checked=${events.includes(e)} onChange=${() => toggle(e)} data-testid=${`webhook-event-${e}`} />${eventLabel(e)}</label>`)}
        </div>
      </div>
      <div class="form-actions"><${Button} testid="webhook-add" onClick=${add} busyLabel=${t('webhooks.adding')}>${t('webhooks.add')}<//></div>
    </div>
  <//>`;
}

/** The secret, this once: the node keeps only its own copy and never shows it again. */
function SecretOnce({ endpoint, onDone }) {
  const copy = async () => {
    try { await navigator.clipboard.writeText(endpoint.secret); toast(t('common.copied')); } catch { toast(t('common.copyFailed'), 'error'); }
  };
  return html`<${Card} title=${t('webhooks.secretTitle')} testid="webhook-secret-card">
    <p class="notice warn" role="alert" data-testid="webhook-secret-warning">${t('webhooks.secretWarning')}</p>
    <p><code class="mono wrap" data-testid="webhook-secret">${endpoint.secret}</code></p>
    <div class="form-actions">
      <${Button} kind="secondary" testid="webhook-secret-copy" onClick=${copy}>${t('webhooks.copySecret')}<//>
      <${Button} kind="ghost" testid="webhook-secret-done" onClick=${onDone}>${t('webhooks.secretSaved')}<//>
    </div>
  <//>`;
}
