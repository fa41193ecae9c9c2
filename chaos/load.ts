import { formatFenAsYuan } from '../domain/money';
import { formatCompactTime } from '../domain/time';
import { merchantRequest, payerPays, type ChaosMerchant, type CallOutcome } from './merchant-client';
import { sleep } from './supervisor';

/**
 * The load driver: orders through the real signed HTTP API with a mix of outcomes, as merchants and payers would
 * produce them, and a ledger of everything the merchant and the payer were told.
 *   paid              unified order, the payer pays in the sandbox
 *   expire            unified order with tradeTime backdated so the 1-minute orderPeriod runs out within seconds
 *   close             unified order, the merchant closes it (/api/close)
 *   late-after-close  closed, then the payer's money is taken anyway (sandbox afterClose)
 *   late-after-expiry expired (seen through /api/query), then the money is taken anyway
 */
export type Intent = 'paid' | 'expire' | 'close' | 'late-after-close' | 'late-after-expiry';

/** Out of every 10 orders. */
const MIX: Intent[] = ['paid', 'paid', 'paid', 'paid', 'expire', 'expire', 'close', 'close', 'late-after-close', 'late-after-expiry'];
const INTENT_CODE: Record<Intent, string> = { paid: 'P', expire: 'E', close: 'C', 'late-after-close': 'L', 'late-after-expiry': 'X' };

/** An expiring order's tradeTime lies this far back; with orderPeriod 1 (minute) it expires ~15 s after placing. */
const EXPIRE_BACKDATE_MS = 45_000;

export interface LedgerEntry {
  index: number;
  kind: 'load' | 'burst' | 'probe';
  intent: Intent;
  mercNo: string;
  mercOrderNo: string;
  amountFen: number;
  placedAtMs: number;
  /** The orderId the merchant was given (by the unified-order answer, or by a query after a refused retry). */
  orderId?: string;
  pay?: { respCode: string; attempts: number; ms: number; signatureValid: boolean } | { gaveUp: string; attempts: number };
  channelOrderNo?: string;
  payer?: { paid: boolean; sandboxStatus: string; attempts: number; afterClose: boolean } | { gaveUp: string };
  close?: { respCode: string; payStatus?: string; attempts: number } | { gaveUp: string };
  /** late-after-expiry: when the merchant saw p0006 (or why it never did). */
  sawExpired?: boolean;
  /** Anything the merchant saw that the API document does not promise. */
  anomalies: string[];
  done: boolean;
}

export interface LoadOptions {
  apiUrl: string;
  merchants: ChaosMerchant[];
  notifyUrl: string;
  runId: string;
  /** How long one merchant operation is retried before the merchant gives up. */
  opDeadlineMs: number;
  log: (m: string) => void;
  /** The sandbox order number of an order (its cashier page), for an order whose pay answer was never received. */
  channelOrderNoOf: (orderId: string) => Promise<string | undefined>;
}

/** Lets the fault schedule hold the load back: order i starts only once `limit` > i. */
export class Gate {
  private limit = 0;
  private waiters: { i: number; resolve: () => void }[] = [];
  raise(limit: number): void {
    this.limit = Math.max(this.limit, limit);
    this.waiters = this.waiters.filter((w) => (w.i < this.limit ? (w.resolve(), false) : true));
  }
  wait(i: number): Promise<void> {
    if (i < this.limit) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ i, resolve }));
  }
}

export class LoadDriver {
  readonly ledger: LedgerEntry[] = [];
  private next = 0;
  /** Load orders whose unified order has been sent (started). */
  started = 0;

  constructor(private readonly opts: LoadOptions) {}

  /** Runs `orders` load orders at `concurrency`, each waiting for the gate. */
  async run(orders: number, concurrency: number, gate: Gate): Promise<void> {
    let i = 0;
    const lane = async (): Promise<void> => {
      for (;;) {
        const mine = i++;
        if (mine >= orders) return;
        await gate.wait(mine);
        this.started++;
        const entry = this.newEntry('load', MIX[mine % MIX.length]!);
        await this.runOrder(entry);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
  }

  /** Places `n` paid orders and returns them unpaid: the fault schedule fires their pays as a burst. */
  async placeHeld(n: number, concurrency: number): Promise<LedgerEntry[]> {
    const entries = Array.from({ length: n }, () => this.newEntry('burst', 'paid'));
    let k = 0;
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (k < entries.length) await this.place(entries[k++]!);
    }));
    return entries;
  }

  /** The payer pays a held order (the burst). */
  async payHeld(entry: LedgerEntry): Promise<void> {
    if (entry.channelOrderNo) await this.pay(entry, false);
    entry.done = true;
  }

  /** A probe order (paid): `placed` resolves when the API answered the unified order (the API answers again). */
  probe(): { entry: LedgerEntry; placed: Promise<void>; finished: Promise<void> } {
    const entry = this.newEntry('probe', 'paid');
    const placed = this.place(entry);
    const finished = placed.then(async () => {
      if (entry.channelOrderNo) await this.pay(entry, false);
      entry.done = true;
    });
    return { entry, placed, finished };
  }

  private newEntry(kind: LedgerEntry['kind'], intent: Intent): LedgerEntry {
    const index = this.next++;
    const merchant = this.opts.merchants[index % this.opts.merchants.length]!;
    const entry: LedgerEntry = {
      index, kind, intent, mercNo: merchant.mercNo,
      mercOrderNo: `${this.opts.runId}${kind[0]!.toUpperCase()}${INTENT_CODE[intent]}${index}`,
      amountFen: 1 + ((index * 37) % 99_999),
      placedAtMs: 0, anomalies: [], done: false,
    };
    this.ledger.push(entry);
    return entry;
  }

  private merchantOf(entry: LedgerEntry): ChaosMerchant {
    return this.opts.merchants.find((m) => m.mercNo === entry.mercNo)!;
  }

  private async runOrder(entry: LedgerEntry): Promise<void> {
    try {
      await this.place(entry);
      if (!entry.channelOrderNo) return;
      switch (entry.intent) {
        case 'paid':
          await this.pay(entry, false);
          break;
        case 'expire':
          break;
        case 'close':
          await this.close(entry);
          break;
        case 'late-after-close':
          if (await this.close(entry)) await this.pay(entry, true);
          break;
        case 'late-after-expiry':
          if (await this.waitExpired(entry)) await this.pay(entry, true);
          break;
      }
    } catch (err) {
      entry.anomalies.push(`driver error: ${(err as Error).message}`);
    } finally {
      entry.done = true;
    }
  }

  private async place(entry: LedgerEntry): Promise<void> {
    const now = Date.now();
    const expiring = entry.intent === 'expire' || entry.intent === 'late-after-expiry';
    const fields: Record<string, string> = {
      mercOrderNo: entry.mercOrderNo, subject: 'Chaos order', tradeType: '01', tradeAmt: formatFenAsYuan(entry.amountFen),
      feeType: 'CNY', tradeTime: formatCompactTime(expiring ? now - EXPIRE_BACKDATE_MS : now), orderPeriod: expiring ? '1' : '30',
      notifyUrl: this.opts.notifyUrl, returnUrl: 'http://127.0.0.1/return', termType: 'wap', paywayCode: 'alipay',
      sceneCode: 'scan', ip: '127.0.0.1',
    };
    entry.placedAtMs = now;
    const out = await merchantRequest(this.opts.apiUrl, '/api/pay', this.merchantOf(entry), fields, { deadlineMs: this.opts.opDeadlineMs });
    if (out.kind === 'gave-up') {
      entry.pay = { gaveUp: out.lastError, attempts: out.attempts };
      return;
    }
    entry.pay = { respCode: out.body.respCode ?? '', attempts: out.attempts, ms: out.ms, signatureValid: out.signatureValid };
    if (!out.signatureValid) entry.anomalies.push('unified-order answer signature did not verify');
    if (out.body.respCode === '000000') {
      this.learn(entry, out.body);
      return;
    }
    entry.anomalies.push(`unified order answered ${out.body.respCode} ${out.body.respDesc ?? ''} after ${out.attempts} attempts`);
    // A retried request may be refused (e.g. its tradeTime + orderPeriod has passed meanwhile): the merchant asks
    // whether the order exists.
    if (out.attempts > 1) await this.queryLearn(entry);
  }

  private learn(entry: LedgerEntry, body: Record<string, string>): void {
    if (body.orderId) {
      if (entry.orderId && entry.orderId !== body.orderId) entry.anomalies.push(`orderId changed from ${entry.orderId} to ${body.orderId}`);
      entry.orderId = body.orderId;
    }
    const url = body.codeUrl;
    if (url) entry.channelOrderNo = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? '');
  }

  private async queryLearn(entry: LedgerEntry): Promise<CallOutcome> {
    const q = await merchantRequest(this.opts.apiUrl, '/api/query', this.merchantOf(entry), { mercOrderNo: entry.mercOrderNo }, { deadlineMs: this.opts.opDeadlineMs });
    if (q.kind === 'answered' && q.body.respCode === '000000' && q.body.orderId) {
      if (entry.orderId && entry.orderId !== q.body.orderId) entry.anomalies.push(`query shows orderId ${q.body.orderId}, pay answered ${entry.orderId}`);
      entry.orderId ??= q.body.orderId;
      entry.channelOrderNo ??= await this.opts.channelOrderNoOf(q.body.orderId);
    }
    return q;
  }

  private async pay(entry: LedgerEntry, afterClose: boolean): Promise<void> {
    const out = await payerPays(this.opts.apiUrl, entry.channelOrderNo!, afterClose, this.opts.opDeadlineMs);
    entry.payer = out.kind === 'gave-up'
      ? { gaveUp: out.lastError }
      : { paid: out.paid, sandboxStatus: out.sandboxStatus, attempts: out.attempts, afterClose };
  }

  /** Closes the order; true when the close was confirmed (000000 p0005). */
  private async close(entry: LedgerEntry): Promise<boolean> {
    const out = await merchantRequest(this.opts.apiUrl, '/api/close', this.merchantOf(entry), { mercOrderNo: entry.mercOrderNo }, {
      deadlineMs: this.opts.opDeadlineMs, retryAlso: ['200001'],
    });
    if (out.kind === 'gave-up') {
      entry.close = { gaveUp: out.lastError };
      return false;
    }
    const payStatus = out.body.payStatus;
    entry.close = { respCode: out.body.respCode ?? '', attempts: out.attempts, ...(payStatus ? { payStatus } : {}) };
    if (out.body.respCode !== '000000') entry.anomalies.push(`close answered ${out.body.respCode} ${out.body.respDesc ?? ''}`);
    return out.body.respCode === '000000' && payStatus === 'p0005';
  }

  /** Queries until the order is expired (p0006) or the deadline passes. */
  private async waitExpired(entry: LedgerEntry): Promise<boolean> {
    const deadline = Date.now() + this.opts.opDeadlineMs;
    while (Date.now() < deadline) {
      const q = await this.queryLearn(entry);
      if (q.kind === 'answered' && q.body.payStatus === 'p0006') return (entry.sawExpired = true);
      await sleep(500);
    }
    entry.sawExpired = false;
    entry.anomalies.push('never saw the order expire');
    return false;
  }
}
