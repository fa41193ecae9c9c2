import { RAW_SIGN_TYPE, sign, verifySignature, type SignType } from '../domain/signing';
import { rawSignatureMatches, parseSignatureHeader, signatureHeaderValue, SIGNATURE_HEADER } from '../domain/raw-signature';
import { sleep } from './supervisor';

export interface ChaosMerchant {
  mercNo: string;
  key: string;
  signType: SignType;
}

export type CallOutcome =
  | { kind: 'answered'; status: number; body: Record<string, string>; attempts: number; ms: number; signatureValid: boolean }
  | { kind: 'gave-up'; lastError: string; attempts: number; ms: number };

const BACKOFF_MS = [100, 200, 400, 800, 1000, 2000];
const REQUEST_TIMEOUT_MS = 15_000;

/**
 * A merchant's HTTP client, as the API document asks merchants to behave: every request signed, and on 999999, a
 * network error, a timeout or any 5xx the SAME request (same bytes, same signature) is sent again, with backoff, until
 * `deadlineMs`. `retryAlso` names further respCodes worth retrying (e.g. 200001 for close).
 */
export async function merchantRequest(
  apiUrl: string,
  path: string,
  merchant: ChaosMerchant,
  fields: Record<string, string>,
  opts: { deadlineMs: number; retryAlso?: string[] },
): Promise<CallOutcome> {
  const raw = merchant.signType === RAW_SIGN_TYPE;
  const payload = { ...fields, mercNo: merchant.mercNo, signType: merchant.signType };
  // Field form: the same bytes every attempt. Raw-body form: the same body, signed anew for every attempt (each
  // signature is accepted once), with a timestamp that moves on even within one second.
  const body = raw ? JSON.stringify(payload) : JSON.stringify({ ...payload, signature: sign(payload, merchant.key, merchant.signType as 'MD5') });
  let lastT = 0;
  const headersFor = (): Record<string, string> => {
    if (!raw) return { 'Content-Type': 'application/json' };
    lastT = Math.max(Math.floor(Date.now() / 1000), lastT + 1);
    return { 'Content-Type': 'application/json', [SIGNATURE_HEADER]: signatureHeaderValue([merchant.key], lastT, body) };
  };
  const started = Date.now();
  let lastError = 'no attempt';
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(`${apiUrl}${path}`, {
        method: 'POST', headers: headersFor(), body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await res.text();
      const answer = parseObject(text);
      const retryable = res.status >= 500 || answer === null || answer.respCode === '999999' ||
        (answer.respCode !== undefined && (opts.retryAlso ?? []).includes(answer.respCode));
      if (!retryable && answer !== null) {
        const signatureValid = answerSignatureValid(merchant, answer, text, res.headers.get(SIGNATURE_HEADER));
        return { kind: 'answered', status: res.status, body: answer, attempts: attempt, ms: Date.now() - started, signatureValid };
      }
      lastError = `HTTP ${res.status} ${answer?.respCode ?? ''} ${answer?.respDesc ?? text.slice(0, 80)}`.trim();
    } catch (err) {
      lastError = (err as Error).message;
    }
    if (Date.now() - started > opts.deadlineMs) return { kind: 'gave-up', lastError, attempts: attempt, ms: Date.now() - started };
    await sleep(BACKOFF_MS[Math.min(attempt - 1, BACKOFF_MS.length - 1)]!);
  }
}

export type PayerOutcome =
  | { kind: 'answered'; status: number; paid: boolean; sandboxStatus: string; attempts: number }
  | { kind: 'gave-up'; lastError: string; attempts: number };

/** The payer pays at the sandbox cashier's JSON endpoint; retried on network errors and 5xx (not on 409). */
export async function payerPays(apiUrl: string, channelOrderNo: string, afterClose: boolean, deadlineMs: number): Promise<PayerOutcome> {
  const started = Date.now();
  let lastError = 'no attempt';
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(`${apiUrl}/sandbox/api/pay`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ channelOrderNo, afterClose }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await res.text();
      const answer = parseObject(text) as { paid?: unknown; status?: unknown } | null;
      if (res.status < 500 && answer !== null) {
        return { kind: 'answered', status: res.status, paid: answer.paid === true, sandboxStatus: String(answer.status ?? ''), attempts: attempt };
      }
      lastError = `HTTP ${res.status} ${text.slice(0, 80)}`;
    } catch (err) {
      lastError = (err as Error).message;
    }
    if (Date.now() - started > deadlineMs) return { kind: 'gave-up', lastError, attempts: attempt };
    await sleep(BACKOFF_MS[Math.min(attempt - 1, BACKOFF_MS.length - 1)]!);
  }
}

function parseObject(text: string): Record<string, string> | null {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, string>) : null;
  } catch {
    return null;
  }
}

/** Whether an answer is signed with the merchant's key, in the form of its request. */
function answerSignatureValid(merchant: ChaosMerchant, answer: Record<string, string>, text: string, header: string | null): boolean {
  if (merchant.signType === RAW_SIGN_TYPE) {
    const parsed = header ? parseSignatureHeader(header) : 'absent';
    return typeof parsed !== 'string' && rawSignatureMatches(merchant.key, parsed, text) !== null;
  }
  return typeof answer.signature === 'string' && verifySignature(answer, merchant.key, merchant.signType, answer.signature);
}
