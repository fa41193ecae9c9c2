import type { WechatpayAccount } from './accounts';
import { meaningOfError, type ErrorMeaning } from './codes';
import { authorization, newNonce, signedHeadersOf, verifySigned } from './signing';
import { WECHATPAY_MAX_SKEW_MS } from './settings';

/**
 * One API v3 call: JSON over HTTPS, signed with the account's key (`WECHATPAY2-SHA256-RSA2048`), its answer verified
 * with WeChat Pay's key named by `Wechatpay-Serial`. An answer that does not verify, a timeout or a network error is
 * `unknown`: what happened at WeChat Pay is not known.
 */
export type ApiAnswer =
  | { kind: 'ok'; status: number; body: Record<string, unknown> }
  | { kind: 'error'; status: number; meaning: ErrorMeaning; code: string; message: string }
  | { kind: 'unknown'; reason: string };

export interface ApiCall {
  method: 'GET' | 'POST';
  /** Path and query, e.g. `/v3/pay/transactions/out-trade-no/P1?mchid=1900000001`. */
  path: string;
  body?: Record<string, unknown>;
}

export async function callWechatpay(account: WechatpayAccount, call: ApiCall, timeoutMs: number, now: () => number): Promise<ApiAnswer> {
  const body = call.body === undefined ? '' : JSON.stringify(call.body);
  const what = `wechatpay ${call.method} ${call.path.replace(/\?.*$/, '')}`;
  let res: Response;
  let text: string;
  try {
    const auth = authorization(account, call.method, call.path, body, Math.floor(now() / 1000), newNonce());
    res = await fetch(`${account.baseUrl}${call.path}`, {
      method: call.method,
      headers: { Authorization: auth, Accept: 'application/json', 'User-Agent': 'paydurable', ...(body ? { 'Content-Type': 'application/json' } : {}) },
      ...(body ? { body } : {}),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'manual',
    });
    text = await res.text();
  } catch (err) {
    const e = err as Error;
    return { kind: 'unknown', reason: `${what}: ${e.name === 'TimeoutError' ? 'timed out' : e.message.slice(0, 60)}` };
  }
  if (res.status >= 500) return { kind: 'unknown', reason: `${what}: HTTP ${res.status}` };
  const verified = verifySigned(signedHeadersOf(Object.fromEntries(res.headers)), text, account.platformKeys, now(), WECHATPAY_MAX_SKEW_MS);
  if (!verified.ok) return { kind: 'unknown', reason: `${what}: answer not verified (${verified.reason})` };
  let parsed: Record<string, unknown> = {};
  if (text !== '') {
    try {
      const v: unknown = JSON.parse(text);
      if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
      parsed = v as Record<string, unknown>;
    } catch {
      return { kind: 'unknown', reason: `${what}: HTTP ${res.status} with an unreadable body` };
    }
  }
  if (res.status >= 200 && res.status < 300) return { kind: 'ok', status: res.status, body: parsed };
  const code = typeof parsed.code === 'string' ? parsed.code : '';
  const message = typeof parsed.message === 'string' ? parsed.message.slice(0, 80) : '';
  return { kind: 'error', status: res.status, meaning: meaningOfError(res.status, code || undefined), code: code || `HTTP_${res.status}`, message };
}
