import type { Faults } from './faults';
import { contentOf, rsa2Sign } from './rsa';
import type { Trade } from './trades';

/** Alipay's notification retries after a delivery that was not answered `success`: 4m, 10m, 10m, 1h, 2h, 6h, 15h. */
export const ALIPAY_NOTIFY_RETRY_MS = [4, 10, 10, 60, 120, 360, 900].map((min) => min * 60_000);

export interface NotifyAttempt {
  outTradeNo: string;
  copy: number;
  attempt: number;
  tradeStatus: string;
  atMs: number;
  answer: string;
  acknowledged: boolean;
}

/** Alipay's time format, `yyyy-MM-dd HH:mm:ss` in China Standard Time. */
export function alipayTime(ms: number): string {
  const d = new Date(ms + 8 * 3_600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

/**
 * Sends trade_status_sync notifications to a trade's notify_url, signed with the emulator's Alipay key over the
 * sorted parameters without sign and sign_type, and retries each on Alipay's schedule (× scale) until the answer is
 * exactly `success`.
 */
export class Notifier {
  readonly attempts: NotifyAttempt[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly deps: { alipayPrivateKey: string; faults: () => Faults; scale: number; log: (line: string) => void }) {}

  paid(trade: Trade): void {
    const f = this.deps.faults().notify;
    if (!trade.notifyUrl) return;
    if (f.missing) return this.deps.log(`notification of ${trade.outTradeNo} suppressed (fault notify.missing)`);
    const copies = f.duplicate ? 2 : 1;
    for (let copy = 1; copy <= copies; copy++) this.later(f.lateMs, () => this.attempt(trade, copy, 1));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
  }

  private later(ms: number, run: () => Promise<void>): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      void run();
    }, ms);
    this.timers.add(t);
  }

  private fields(trade: Trade): Record<string, string> {
    const f: Record<string, string> = {
      notify_time: alipayTime(Date.now()), notify_type: 'trade_status_sync', notify_id: `${trade.tradeNo}${Date.now()}`,
      app_id: trade.appId, charset: 'utf-8', version: '1.0', sign_type: 'RSA2',
      trade_no: trade.tradeNo, out_trade_no: trade.outTradeNo, trade_status: trade.state,
      total_amount: trade.totalAmount, receipt_amount: trade.totalAmount, buyer_id: trade.buyerId, subject: trade.subject,
      gmt_create: alipayTime(trade.paidAtMs ?? Date.now()),
      ...(trade.paidAtMs !== null ? { gmt_payment: alipayTime(trade.paidAtMs) } : {}),
    };
    const sign = rsa2Sign(contentOf(f, true), this.deps.alipayPrivateKey);
    return { ...f, sign: this.deps.faults().notify.badSignature ? `${sign.slice(0, -8)}AAAAAAA=` : sign };
  }

  private async attempt(trade: Trade, copy: number, attempt: number): Promise<void> {
    if (this.stopped || !trade.notifyUrl) return;
    const body = new URLSearchParams(this.fields(trade)).toString();
    let answer: string;
    try {
      const res = await fetch(trade.notifyUrl, {
        method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, signal: AbortSignal.timeout(5_000),
      });
      answer = (await res.text()).slice(0, 200);
      if (res.status !== 200) answer = `HTTP ${res.status} ${answer}`;
    } catch (err) {
      answer = `error: ${(err as Error).message}`;
    }
    const acknowledged = answer.trim() === 'success';
    this.attempts.push({ outTradeNo: trade.outTradeNo, copy, attempt, tradeStatus: trade.state, atMs: Date.now(), answer, acknowledged });
    if (acknowledged) return;
    const delay = ALIPAY_NOTIFY_RETRY_MS[attempt - 1];
    if (delay === undefined) return this.deps.log(`notification of ${trade.outTradeNo} given up after ${attempt} attempts`);
    this.later(delay * this.deps.scale, () => this.attempt(trade, copy, attempt + 1));
  }
}
