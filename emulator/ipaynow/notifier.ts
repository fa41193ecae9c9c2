import type { Faults } from './faults';
import { writeForm } from './form';
import { orderReport, signed } from './messages';
import type { EmulatedOrder } from './orders';

/** IPayNow's N001 retry schedule after a failed delivery: 2m, 10m, 30m, 1h, 2h, 6h, 10h, 15h. */
export const IPAYNOW_NOTIFY_RETRY_MS = [2, 10, 30, 60, 120, 360, 600, 900].map((min) => min * 60_000);

export interface NotifyAttemptRecord {
  mhtOrderNo: string;
  /** Which copy (duplicates fault) and which attempt of it (1 = first push). */
  copy: number;
  attempt: number;
  transStatus: string;
  atMs: number;
  /** The receiver's answer body (trimmed, at most 200 characters) or the network error. */
  answer: string;
  acknowledged: boolean;
}

export interface NotifierDeps {
  appKeyOf(appId: string): string | undefined;
  faults(): Faults;
  /** Multiplies the retry schedule (e.g. 0.001 turns 2 minutes into 120 ms). */
  scale: number;
  now(): number;
  log(line: string): void;
}

const ATTEMPT_TIMEOUT_MS = 5_000;

/**
 * Pushes N001 notifications to an order's notifyUrl and retries each on IPayNow's schedule until the answer is
 * `success=Y`. Each attempt is built and signed when it is sent, so fault switches changed meanwhile apply.
 */
export class Notifier {
  readonly attempts: NotifyAttemptRecord[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();
  private stopped = false;

  constructor(private readonly deps: NotifierDeps) {}

  /** A payment happened: notify it (as the fault switches say). */
  paid(order: EmulatedOrder): void {
    const f = this.deps.faults();
    if (f.notify.mode === 'never') {
      this.deps.log(`N001 for ${order.mhtOrderNo} suppressed (fault notify.mode=never)`);
      return;
    }
    for (let copy = 1; copy <= Math.max(1, f.notify.copies); copy++) {
      this.schedule(f.notify.delayMs, () => this.attempt(order, 'A001', copy, 1, f.notify.staleAfter && copy === 1));
    }
  }

  /** Sends the notification of an order's current state again (a fresh chain with its own retries). */
  resend(order: EmulatedOrder, transStatus: string): void {
    this.schedule(0, () => this.attempt(order, transStatus, 1, 1, false));
  }

  forOrder(mhtOrderNo: string): NotifyAttemptRecord[] {
    return this.attempts.filter((a) => a.mhtOrderNo === mhtOrderNo);
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const c of this.inFlight) c.abort();
  }

  private schedule(ms: number, run: () => Promise<void>): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void run();
    }, ms);
    this.timers.add(timer);
  }

  private async attempt(order: EmulatedOrder, transStatus: string, copy: number, attempt: number, staleAfter: boolean): Promise<void> {
    const appKey = this.deps.appKeyOf(order.appId);
    if (this.stopped || appKey === undefined) return;
    const f = this.deps.faults();
    const body = signed({ funcode: 'N001', version: '1.0.0', ...orderReport(order, transStatus) }, {
      appKey, legacy: f.legacyFormat, forge: f.badSignature.notify,
    });
    const answer = await this.post(order.notifyUrl, writeForm(body));
    const acknowledged = answer === 'success=Y';
    this.attempts.push({ mhtOrderNo: order.mhtOrderNo, copy, attempt, transStatus, atMs: this.deps.now(), answer: answer.slice(0, 200), acknowledged });
    this.deps.log(`N001 ${order.mhtOrderNo} ${transStatus} copy ${copy} attempt ${attempt}: ${acknowledged ? 'acknowledged' : `not acknowledged (${answer.slice(0, 60)})`}`);
    if (acknowledged) {
      if (staleAfter) this.schedule(0, () => this.attempt(order, 'A004', copy + 1000, 1, false));
      return;
    }
    const delay = IPAYNOW_NOTIFY_RETRY_MS[attempt - 1];
    if (delay === undefined) return; // 8 retries done: IPayNow gives up
    this.schedule(Math.round(delay * this.deps.scale), () => this.attempt(order, transStatus, copy, attempt + 1, staleAfter));
  }

  private async post(url: string, body: string): Promise<string> {
    const controller = new AbortController();
    this.inFlight.add(controller);
    const timer = setTimeout(() => controller.abort(), ATTEMPT_TIMEOUT_MS);
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8' },
        body,
        signal: controller.signal,
      });
      const text = (await res.text()).trim();
      return res.ok ? text : `HTTP ${res.status} ${text}`;
    } catch (err) {
      return `error: ${(err as Error).message}`;
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
    }
  }
}
