// Placeholder until helper B3's page lands (B3 owns and overwrites this file).
import { html, Card } from './common.js';

export function BusinessPage() {
  return html`<div class="page"><${Card} title="Business"><p>Coming soon.</p><//></div>`;
}
