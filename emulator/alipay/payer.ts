import type { GatewayDeps } from './gateway';
import { openFromParams } from './gateway';
import type { Notifier } from './notifier';
import type { Trade } from './trades';

/**
 * The payer's side of the emulator: scanning a QR code, opening a pay page or app order string, paying. Tests call
 * these over HTTP as the payer would act (POST /_emulator/scan, /open, /pay); the demo's pages use them too.
 */
export type PayerResult = { ok: true; trade: Trade } | { ok: false; status: number; reason: string };

export function scan(deps: GatewayDeps, outTradeNo: string): PayerResult {
  const trade = deps.book.findByOutTradeNo(outTradeNo);
  if (!trade) return { ok: false, status: 404, reason: 'no such trade' };
  if (trade.state === 'NOT_SCANNED') trade.state = 'WAIT_BUYER_PAY';
  return { ok: true, trade };
}

/** The signed parameters inside a credential: a link (mwebUrl), a form (resultHtml) or an order string (payInfo). */
export function paramsOfCredential(credential: string): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (query: string) => { for (const [k, v] of new URLSearchParams(query)) out[k] = v; };
  const trimmed = credential.trim();
  if (/^https?:\/\//.test(trimmed)) {
    add(new URL(trimmed).search);
  } else if (trimmed.includes('<form')) {
    const action = /action="([^"]*)"/.exec(trimmed)?.[1] ?? '';
    add(new URL(action.replace(/&amp;/g, '&')).search);
    for (const m of trimmed.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)) {
      out[m[1]!] = m[2]!.replace(/&quot;/g, '"').replace(/&amp;/g, '&');
    }
  } else {
    add(trimmed);
  }
  return out;
}

export function openCredential(deps: GatewayDeps, credential: string): PayerResult {
  const opened = openFromParams(deps, paramsOfCredential(credential));
  return 'error' in opened ? { ok: false, status: 400, reason: opened.error } : { ok: true, trade: opened.trade };
}

/** The payer pays a trade they can see (scanned, opened, or created for them): once, before it expires or closes. */
export function pay(deps: GatewayDeps, notifier: Notifier, outTradeNo: string): PayerResult {
  const trade = deps.book.findByOutTradeNo(outTradeNo);
  if (!trade) return { ok: false, status: 404, reason: 'no such trade (a page or app order must be opened first)' };
  if (trade.state === 'NOT_SCANNED') trade.state = 'WAIT_BUYER_PAY';
  if (trade.state !== 'WAIT_BUYER_PAY') return { ok: false, status: 409, reason: `trade is ${trade.state}` };
  if (trade.expireAtMs !== null && deps.now() > trade.expireAtMs) {
    trade.state = 'TRADE_CLOSED';
    return { ok: false, status: 409, reason: 'trade has expired' };
  }
  trade.state = 'TRADE_SUCCESS';
  trade.paidAtMs = deps.now();
  notifier.paid(trade);
  return { ok: true, trade };
}
