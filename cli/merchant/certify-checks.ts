import type { MerchantAnswer } from './certify-relay';

/** One line of the certification table: a check of one case, passed or not, and what was seen. */
export interface Check {
  check: string;
  pass: boolean;
  detail: string;
}

export interface CaseResult {
  name: string;
  checks: Check[];
}

/** The answer the platform counts as delivered: 2xx and the body `success` (surrounding whitespace ignored). */
export const isSuccess = (a: MerchantAnswer): boolean =>
  a.httpStatus !== null && a.httpStatus >= 200 && a.httpStatus < 300 && a.body.trim() === 'success';

export function describeAnswer(a: MerchantAnswer): string {
  if (a.httpStatus === null) return `no answer (${a.error ?? 'unknown error'}) after ${a.latencyMs} ms`;
  const body = a.body.length > 40 ? `${JSON.stringify(a.body.slice(0, 40))}…` : JSON.stringify(a.body);
  return `HTTP ${a.httpStatus} ${body} in ${a.latencyMs} ms`;
}

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(3))} s`;

export const successLabel = (limitMs: number, what = 'answered `success`') => `${what} within ${seconds(limitMs)}`;
export const REJECTED_LABEL = 'rejected (not `success`; `fail` expected)';

/** The merchant answered exactly `success` within the limit (5 s: what the platform waits). */
export function answeredSuccess(a: MerchantAnswer, limitMs: number, what?: string): Check {
  const check = successLabel(limitMs, what);
  if (!isSuccess(a)) return { check, pass: false, detail: describeAnswer(a) };
  if (a.latencyMs > limitMs) return { check, pass: false, detail: `${describeAnswer(a)}: too slow, the platform counts it as failed` };
  return { check, pass: true, detail: describeAnswer(a) };
}

/** The merchant refused a notification whose signature is wrong: it answered, and not `success` (`fail` expected). */
export function rejected(a: MerchantAnswer): Check {
  const check = REJECTED_LABEL;
  if (a.httpStatus === null) return { check, pass: false, detail: `${describeAnswer(a)}: answer \`fail\` at once` };
  if (isSuccess(a)) return { check, pass: false, detail: `${describeAnswer(a)}: a forged notification was accepted` };
  return { check, pass: true, detail: describeAnswer(a) };
}

/** A case that could not be run to its end: every check it would have made fails with the reason. */
export const notRun = (check: string, reason: string): Check => ({ check, pass: false, detail: reason });
