// Placeholder until helper B3's page lands (B3 owns and overwrites this file).
import { html, Card } from './common.js';

export function OperatorPage() {
  return html`<div class="page"><${Card} title="Operator"><p>Coming soon.</p><//></div>`;
}
