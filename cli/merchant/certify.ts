import { startCertifyRelay } from './certify-relay';
import { runCases } from './certify-cases';
import type { CaseResult } from './certify-checks';
import { signedCall, type MerchantCredentials } from './signed-call';
import type { SignType } from '../../domain/signing';

/** The platform counts a notification as delivered only when `success` comes back within 5 s (NOTIFY_TIMEOUT). */
export const DEFAULT_ANSWER_LIMIT_MS = 5_000;
export const DEFAULT_WAIT_MS = 30_000;
const BUSY_RETRIES = 5;
/** A second at least: the same raw-form request signed within the same second is a replay the API refuses. */
const BUSY_RETRY_DELAY_MS = 1_000;

export interface CertifyOptions {
  /** The merchant's notification endpoint under test. */
  notifyUrl: string;
  signType: SignType;
  limitMs?: number;
  waitMs?: number;
  /** Where the relay listens (default: loopback, any free port) and the URL the platform reaches it at. */
  relayPort?: number;
  relayHost?: string;
  relayUrl?: string;
}

export interface Certification {
  results: CaseResult[];
  passed: boolean;
  /** Where the platform sent the test orders' notifications, and how many arrived there. */
  relayUrl: string;
  relayed: number;
}

/**
 * The certification run (`npm run merchant -- certify --notify-url URL`): test-mode orders whose notifications reach
 * the merchant's endpoint through a local relay, through every case (cases in certify-cases.ts). Refuses to run
 * with a live key: it places orders and pays them.
 */
export async function certify(c: MerchantCredentials, o: CertifyOptions): Promise<Certification> {
  const limitMs = o.limitMs ?? DEFAULT_ANSWER_LIMIT_MS;
  // 999999 means "send the same request again" (every interface is idempotent): a merchant does, and so does this.
  const call = async (path: string, fields: Record<string, string>) => {
    let answer = await signedCall(c, path, fields, o.signType);
    for (let i = 0; i < BUSY_RETRIES && answer.body.respCode === '999999'; i++) {
      await new Promise((resolve) => setTimeout(resolve, BUSY_RETRY_DELAY_MS));
      answer = await signedCall(c, path, fields, o.signType);
    }
    return answer;
  };
  // The key's mode first: a query of an order that cannot exist is answered (signed, with livemode) without side effects.
  const probe = await call('/api/query', { mercOrderNo: 'CERTIFY-MODE-PROBE' });
  if (probe.signature !== 'verified') {
    throw new Error(`the API refused the certification's signed request: HTTP ${probe.httpStatus} ${probe.body.respCode ?? ''} ${probe.body.respDesc ?? ''}`.trim());
  }
  if (probe.body.livemode !== 'false') throw new Error('certify places and pays test-mode orders only: sign with the merchant\'s test key');

  const relay = await startCertifyRelay({
    target: o.notifyUrl,
    // Longer than the limit, so that a slow answer is measured and reported rather than cut off.
    forwardTimeoutMs: limitMs + 5_000,
    ...(o.relayPort !== undefined ? { port: o.relayPort } : {}),
    ...(o.relayHost !== undefined ? { host: o.relayHost } : {}),
    ...(o.relayUrl !== undefined ? { publicUrl: o.relayUrl } : {}),
  });
  try {
    const results = await runCases({ call, apiUrl: c.apiUrl, relay, signType: o.signType, limitMs, waitMs: o.waitMs ?? DEFAULT_WAIT_MS });
    const passed = results.every((r) => r.checks.length > 0 && r.checks.every((k) => k.pass));
    return { results, passed, relayUrl: relay.url, relayed: relay.relayed.length };
  } finally {
    await relay.stop();
  }
}

/** The pass/fail table: one line per check of each case. */
export function formatTable(results: CaseResult[]): string {
  const rows = results.flatMap((r) => r.checks.map((k, i) => [i === 0 ? r.name : '', k.check, k.pass ? 'PASS' : 'FAIL', k.detail]));
  const header = ['case', 'check', 'result', 'detail'];
  const widths = header.slice(0, 3).map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w)).concat('------')), ...rows.map(line)].join('\n');
}
