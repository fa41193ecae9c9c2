import type { EmulatedOrder } from './orders';

/** The payer's page behind a `tn` link: the order and a Pay button. */
export function cashierPage(o: EmulatedOrder, status: string): string {
  const yuan = `${Math.trunc(Number(o.mhtOrderAmt) / 100)}.${String(Number(o.mhtOrderAmt) % 100).padStart(2, '0')}`;
  const action = `/cashier/${encodeURIComponent(o.nowPayOrderNo)}/pay`;
  const body = status === 'A004'
    ? `<form method="post" action="${esc(action)}"><button type="submit">Pay ¥${yuan}</button></form>`
    : `<p>Order state: ${esc(status)}</p>`;
  return page('IPayNow emulator cashier', `<p><b>${esc(o.mhtOrderName)}</b></p><p>Amount: ¥${yuan}</p>
    <p>mhtOrderNo ${esc(o.mhtOrderNo)} · nowPayOrderNo ${esc(o.nowPayOrderNo)}</p>${body}`);
}

export function page(title: string, inner: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title>
<meta name="viewport" content="width=device-width"><style>body{font-family:sans-serif;max-width:30em;margin:2em auto}
button{font-size:1.2em;padding:.5em 2em}</style></head><body><h1>${esc(title)}</h1>${inner}</body></html>`;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
