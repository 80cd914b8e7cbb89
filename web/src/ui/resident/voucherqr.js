// A voucher's code as a QR code (issue 17, item 4), drawn in the resident's browser from the
// code it just opened: qrcode-generator (MIT, bundled) lays out the modules and this draws
// them as one SVG path, so nothing is fetched, no inline markup is parsed, and the code
// leaves the page only as pixels on the screen.
import qrcode from 'qrcode-generator';
import { html, t } from '../common.js';

// Byte mode in UTF-8: the library's own default keeps only the low byte of each character.
qrcode.stringToBytes = (s) => Array.from(new TextEncoder().encode(s));

/** The dark modules of `text` at error correction M: {size, path} for an SVG. */
export function qrPath(text) {
  const qr = qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  const n = qr.getModuleCount();
  let path = '';
  for (let r = 0; r < n; r += 1) {
    for (let c = 0; c < n; c += 1) if (qr.isDark(r, c)) path += `M${c + 4} ${r + 4}h1v1h-1z`;
  }
  return { size: n + 8, path }; // a quiet zone of 4 modules on each side
}

export function VoucherQr({ text }) {
  const { size, path } = qrPath(text);
  return html`<svg class="voucher-qr" data-testid="voucher-qr" role="img" aria-label=${t('shop.voucherQr', { code: text })}
    viewBox=${`0 0 ${size} ${size}`} width="160" height="160" shape-rendering="crispEdges">
    <rect width=${size} height=${size} fill="#fff" />
    <path d=${path} fill="#000" />
  </svg>`;
}
