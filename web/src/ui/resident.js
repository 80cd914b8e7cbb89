// The resident's planet (work in progress: helper B2).
import { html, Card } from './common.js';

export function ResidentPage() {
  return html`<div class="page"><${Card} title="Resident"><p>Coming soon.</p><//></div>`;
}
