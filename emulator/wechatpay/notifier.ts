import { randomUUID } from 'node:crypto';
import type { Faults } from './faults';
import { messageOf, rsaSign, sealResource, wechatTime } from './crypto';
import { refundOf, transactionOf, type EmuMerchant } from './api';
import type { EmuOrder, Refund } from './orders';

/**
 * WeChat Pay's notification retries after a delivery that was not answered 200/204: 15s, 15s, 30s, 3m, 10m, 20m, 30m,
 * 30m, 30m, 60m, 3h, 3h, 3h, 6h, 6h (about 24 hours in all).
 */
export const WECHATPAY_NOTIFY_RETRY_MS = [15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600].map((s) => s * 1000);

export interface NotifyAttempt {
  outTradeNo: string;
  eventType: string;
  copy: number;
  attempt: number;
  atMs: number;
  status: number | null;
  answer: string;
  acknowledged: boolean;
}

export interface SignedMessage {
  headers: Record<string, string>;
  body: string;
}

/** What signs a message: WeChat Pay's private key, and the serial its merchant knows it by. */
export interface Signer {
  privateKey: string;
  serialOf(m: EmuMerchant): string;
}

/** Signs a body as WeChat Pay does (Wechatpay-* headers over `ts\nnonce\nbody\n`); `badSignature` spoils it. */
export function signMessage(signer: Signer, m: EmuMerchant, body: string, opts: { timestampS?: number; badSignature?: boolean; signtest?: boolean } = {}): Record<string, string> {
  const ts = String(opts.timestampS ?? Math.floor(Date.now() / 1000));
  const nonce = randomUUID().replace(/-/g, '').toUpperCase();
  let signature = rsaSign(messageOf(ts, nonce, body), signer.privateKey);
  if (opts.badSignature) signature = `${signature.slice(0, -8)}AAAAAAA=`;
  if (opts.signtest) signature = `WECHATPAY/SIGNTEST/${signature}`;
  return {
    'Wechatpay-Timestamp': ts, 'Wechatpay-Nonce': nonce, 'Wechatpay-Signature': signature, 'Wechatpay-Serial': signer.serialOf(m),
    'Wechatpay-Signature-Type': 'WECHATPAY2-SHA256-RSA2048',
  };
}

/** The body of a notification: its resource sealed with the merchant's APIv3 key. */
export function notificationBody(m: EmuMerchant, eventType: string, resource: Record<string, unknown>, apiV3Key = m.apiV3Key): string {
  const originalType = eventType.startsWith('REFUND.') ? 'refund' : 'transaction';
  const sealed = sealResource(JSON.stringify(resource), apiV3Key, originalType);
  return JSON.stringify({
    id: randomUUID(), create_time: wechatTime(Date.now()), resource_type: 'encrypt-resource', event_type: eventType,
    summary: originalType === 'refund' ? '退款成功' : '支付成功',
    resource: { original_type: originalType, algorithm: 'AEAD_AES_256_GCM', ciphertext: sealed.ciphertext, associated_data: originalType, nonce: sealed.nonce },
  });
}

/** Sends TRANSACTION.SUCCESS and REFUND.SUCCESS notifications, each retried on WeChat Pay's schedule (× scale). */
export class Notifier {
  readonly attempts: NotifyAttempt[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly deps: { signer: Signer; merchant: (mchId: string) => EmuMerchant | undefined; faults: () => Faults; scale: number; log: (line: string) => void }) {}

  paid(o: EmuOrder): void {
    this.send(o, 'TRANSACTION.SUCCESS', o.notifyUrl, () => transactionOf(o));
  }

  refunded(o: EmuOrder, r: Refund): void {
    if (r.notifyUrl) this.send(o, 'REFUND.SUCCESS', r.notifyUrl, () => ({ mchid: o.mchId, refund_status: r.status, ...refundOf(o, r) }));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
  }

  private send(o: EmuOrder, eventType: string, url: string, resource: () => Record<string, unknown>): void {
    const f = this.deps.faults().notify;
    if (f.missing) return this.deps.log(`${eventType} of ${o.outTradeNo} suppressed (fault notify.missing)`);
    const copies = f.duplicate ? 2 : 1;
    for (let copy = 1; copy <= copies; copy++) this.later(f.lateMs, () => this.attempt(o, eventType, url, resource, copy, 1));
  }

  private later(ms: number, run: () => Promise<void>): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      void run();
    }, ms);
    this.timers.add(t);
  }

  private async attempt(o: EmuOrder, eventType: string, url: string, resource: () => Record<string, unknown>, copy: number, attempt: number): Promise<void> {
    const m = this.deps.merchant(o.mchId);
    if (this.stopped || !m) return;
    const body = notificationBody(m, eventType, resource());
    const headers = signMessage(this.deps.signer, m, body, { badSignature: this.deps.faults().notify.badSignature });
    let status: number | null = null;
    let answer: string;
    try {
      const res = await fetch(url, { method: 'POST', body, headers: { ...headers, 'Content-Type': 'application/json' }, signal: AbortSignal.timeout(5_000) });
      status = res.status;
      answer = (await res.text()).slice(0, 200);
    } catch (err) {
      answer = `error: ${(err as Error).message}`;
    }
    const acknowledged = status === 200 || status === 204;
    this.attempts.push({ outTradeNo: o.outTradeNo, eventType, copy, attempt, atMs: Date.now(), status, answer, acknowledged });
    if (acknowledged) return;
    const delay = WECHATPAY_NOTIFY_RETRY_MS[attempt - 1];
    if (delay === undefined) return this.deps.log(`${eventType} of ${o.outTradeNo} given up after ${attempt} attempts`);
    this.later(delay * this.deps.scale, () => this.attempt(o, eventType, url, resource, copy, attempt + 1));
  }
}
