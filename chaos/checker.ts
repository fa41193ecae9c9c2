import type { Pool } from 'pg';
import type { ChaosReceiver, Delivery } from './receiver';
import type { LedgerEntry } from './load';
import { sleep } from './supervisor';
import { parseYuanToFen } from '../domain/money';

/**
 * The checker: what PostgreSQL (orders, sandbox_orders, notify_attempts), the merchants' receiver and the load
 * driver's ledger say happened, compared with what must have happened. Statuses are the merchant API's public codes.
 *
 *   lost   the merchant got an orderId, or the sandbox took money, but no order row holds it
 *   stuck  not final, or final but its notification never acknowledged, after the deadline; open although paid;
 *          a unified order never answered while no row exists
 *   wrong  the outcome differs from the truth: money taken => p0000 and p0000 notified last; never p0000 (row or
 *          notification) without money; a confirmed close => p0005 unless money was taken; notifications that
 *          do not verify or name another amount
 */
const FINAL = new Set(['p0000', 'p0004', 'p0005', 'p0006']);

export interface OrderRow {
  orderId: string;
  mercNo: string;
  mercOrderNo: string;
  payStatus: string;
  notifyState: string;
  latePayment: boolean;
  amountFen: number;
  expireAtMs: number;
  sandboxStatus: string | null;
}

export async function readOrders(pool: Pool, ids?: string[]): Promise<OrderRow[]> {
  const { rows } = await pool.query<{
    order_id: string; merc_no: string; merc_order_no: string; pay_status: string; notify_state: string;
    late_payment: boolean; trade_amt_fen: string; expire_at: Date; sandbox_status: string | null;
  }>(
    `SELECT o.order_id, o.merc_no, o.merc_order_no, o.pay_status, o.notify_state, o.late_payment, o.trade_amt_fen,
            o.expire_at, s.status AS sandbox_status
       FROM orders o LEFT JOIN sandbox_orders s ON s.order_id = o.order_id
      ${ids ? 'WHERE o.order_id = ANY($1::text[])' : ''}`,
    ids ? [ids] : [],
  );
  return rows.map((r) => ({
    orderId: r.order_id, mercNo: r.merc_no, mercOrderNo: r.merc_order_no, payStatus: r.pay_status,
    notifyState: r.notify_state, latePayment: r.late_payment, amountFen: Number(r.trade_amt_fen),
    expireAtMs: r.expire_at.getTime(), sandboxStatus: r.sandbox_status,
  }));
}

/** Acknowledged (answered `success`) deliveries by `<orderId>|<payStatus>` from the notification bodies. */
function ackIndex(receiver: ChaosReceiver): Set<string> {
  const out = new Set<string>();
  for (const d of receiver.deliveries) if (d.answer === 'success') out.add(`${d.orderId}|${d.payStatus}`);
  return out;
}

/** The order has reached its end: final, its final status acknowledged by the merchant, p0000 when money was taken. */
function settled(row: OrderRow, acks: Set<string>): boolean {
  return FINAL.has(row.payStatus) && acks.has(`${row.orderId}|${row.payStatus}`) && (row.sandboxStatus !== 'paid' || row.payStatus === 'p0000');
}

/** Orders the system owes something (an answer, a final state, a notification); open unpaid unexpired ones owe nothing. */
export async function backlog(pool: Pool, receiver: ChaosReceiver, ids?: string[]): Promise<string[]> {
  const acks = ackIndex(receiver);
  const now = Date.now();
  return (await readOrders(pool, ids))
    .filter((r) => !settled(r, acks) && (r.payStatus === 'p0001' || r.sandboxStatus === 'paid' || FINAL.has(r.payStatus) || r.expireAtMs < now))
    .map((r) => r.orderId);
}

/** Waits (bounded) until the driver is done and every order is settled; returns whether that happened. */
export async function waitConverged(pool: Pool, receiver: ChaosReceiver, ledger: LedgerEntry[], timeoutMs: number, log: (m: string) => void): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let lastLog = 0;
  for (;;) {
    const driving = ledger.filter((e) => !e.done).length;
    let unsettled = -1;
    try {
      const acks = ackIndex(receiver);
      unsettled = (await readOrders(pool)).filter((r) => !settled(r, acks)).length;
    } catch (err) {
      log(`converge: database read failed: ${(err as Error).message}`);
    }
    if (driving === 0 && unsettled === 0) return true;
    if (Date.now() > deadline) return false;
    if (Date.now() - lastLog > 10_000) {
      log(`converging: ${driving} merchant/payer operations running, ${unsettled} orders not settled`);
      lastLog = Date.now();
    }
    await sleep(500);
  }
}

export interface Example {
  orderId?: string;
  mercNo: string;
  mercOrderNo: string;
  intent?: string;
  payStatus?: string;
  notifyState?: string;
  sandbox?: string | null;
  reason: string;
}

export interface CheckResult {
  created: number;
  answered: number;
  paid: number;
  notified: number;
  lost: number;
  stuck: number;
  wrong: number;
  duplicateDeliveries: number;
  notifyIdsAckedMoreThanOnce: number;
  deliveries: number;
  failedDeliveriesByDesign: number;
  notifyAttemptsRecorded: number;
  acksWithoutSuccessRow: number;
  unanswered: number;
  anomalies: number;
  reasons: { lost: Record<string, number>; stuck: Record<string, number>; wrong: Record<string, number> };
  examples: { lost: Example[]; stuck: Example[]; wrong: Example[]; anomalies: { mercOrderNo: string; what: string }[] };
}

const MAX_EXAMPLES = 8;

export async function check(pool: Pool, receiver: ChaosReceiver, ledger: LedgerEntry[]): Promise<CheckResult> {
  const rows = await readOrders(pool);
  const byId = new Map(rows.map((r) => [r.orderId, r]));
  const byMercOrder = new Map(rows.map((r) => [`${r.mercNo}|${r.mercOrderNo}`, r]));
  const { rows: sandbox } = await pool.query<{ order_id: string; status: string }>('SELECT order_id, status FROM sandbox_orders');
  const { rows: attemptRows } = await pool.query<{ notify_id: string; outcome: string }>('SELECT notify_id, outcome FROM notify_attempts');
  const ledgerById = new Map(ledger.filter((e) => e.orderId).map((e) => [e.orderId!, e]));
  const ledgerByMercOrder = new Map(ledger.map((e) => [`${e.mercNo}|${e.mercOrderNo}`, e]));
  const deliveriesByOrder = receiver.byOrder();
  const acks = ackIndex(receiver);

  const categories = { lost: new Map<string, Example>(), stuck: new Map<string, Example>(), wrong: new Map<string, Example>() };
  const reasons = { lost: {} as Record<string, number>, stuck: {} as Record<string, number>, wrong: {} as Record<string, number> };
  const flag = (cat: keyof typeof categories, key: string, ex: Example): void => {
    reasons[cat][ex.reason] = (reasons[cat][ex.reason] ?? 0) + 1;
    if (!categories[cat].has(key)) categories[cat].set(key, ex);
  };
  const describe = (r: OrderRow, reason: string): Example => ({
    orderId: r.orderId, mercNo: r.mercNo, mercOrderNo: r.mercOrderNo, intent: ledgerByMercOrder.get(`${r.mercNo}|${r.mercOrderNo}`)?.intent,
    payStatus: r.payStatus, notifyState: r.notifyState, sandbox: r.sandboxStatus, reason,
  });

  // Lost: ids the merchant holds and money the sandbox took, without an order row.
  for (const e of ledger) {
    if (!e.orderId || byId.has(e.orderId)) continue;
    const other = byMercOrder.get(`${e.mercNo}|${e.mercOrderNo}`);
    flag('lost', `${e.mercNo}|${e.mercOrderNo}`, {
      orderId: e.orderId, mercNo: e.mercNo, mercOrderNo: e.mercOrderNo, intent: e.intent,
      payStatus: other?.payStatus, sandbox: other?.sandboxStatus ?? null,
      reason: other ? 'merchant-id-differs-from-row' : 'merchant-id-without-row',
    });
  }
  for (const s of sandbox) {
    if (s.status !== 'paid' || byId.has(s.order_id)) continue;
    const e = ledgerById.get(s.order_id);
    flag('lost', e ? `${e.mercNo}|${e.mercOrderNo}` : s.order_id, {
      orderId: s.order_id, mercNo: e?.mercNo ?? '?', mercOrderNo: e?.mercOrderNo ?? '?', intent: e?.intent, sandbox: 'paid', reason: 'money-without-row',
    });
  }
  // Stuck: a unified order the merchant never got answered, with no row either.
  for (const e of ledger) {
    if (e.pay && 'gaveUp' in e.pay && !byMercOrder.has(`${e.mercNo}|${e.mercOrderNo}`)) {
      flag('stuck', `${e.mercNo}|${e.mercOrderNo}`, { mercNo: e.mercNo, mercOrderNo: e.mercOrderNo, intent: e.intent, reason: 'pay-never-answered-no-row' });
    }
  }

  for (const r of rows) {
    const key = `${r.mercNo}|${r.mercOrderNo}`;
    const moneyTaken = r.sandboxStatus === 'paid';
    const entry = ledgerByMercOrder.get(key);
    const deliveries = (deliveriesByOrder.get(r.orderId) ?? []).slice().sort((a, b) => a.atMs - b.atMs);
    const acked = deliveries.filter((d) => d.answer === 'success');

    // Stuck.
    if (!FINAL.has(r.payStatus)) flag('stuck', key, describe(r, moneyTaken ? `paid-at-channel-but-${r.payStatus}` : `open-${r.payStatus}`));
    else if (!acks.has(`${r.orderId}|${r.payStatus}`)) flag('stuck', key, describe(r, `final-${r.payStatus}-not-notified`));

    // Wrong.
    if (moneyTaken && FINAL.has(r.payStatus) && r.payStatus !== 'p0000') flag('wrong', key, describe(r, `money-taken-but-${r.payStatus}`));
    if (!moneyTaken && r.payStatus === 'p0000') flag('wrong', key, describe(r, 'p0000-without-money'));
    if (!moneyTaken && acked.some((d) => d.payStatus === 'p0000')) flag('wrong', key, describe(r, 'notified-p0000-without-money'));
    const last = acked[acked.length - 1];
    if (last && FINAL.has(r.payStatus) && last.payStatus !== r.payStatus) flag('wrong', key, describe(r, `last-notified-${last.payStatus}-but-order-${r.payStatus}`));
    if (deliveries.some((d) => !d.signatureValid)) flag('wrong', key, describe(r, 'notification-signature-invalid'));
    if (deliveries.some((d) => d.mercOrderNo !== r.mercOrderNo || d.mercNo !== r.mercNo)) flag('wrong', key, describe(r, 'notification-names-another-order'));
    if (deliveries.some((d) => parseYuan(d.tradeAmt) !== r.amountFen)) flag('wrong', key, describe(r, 'notification-amount-differs'));
    if (entry && entry.amountFen !== r.amountFen) flag('wrong', key, describe(r, 'row-amount-differs-from-request'));
    const closeConfirmed = entry?.close && 'respCode' in entry.close && entry.close.respCode === '000000' && entry.close.payStatus === 'p0005';
    if (closeConfirmed && !moneyTaken && FINAL.has(r.payStatus) && r.payStatus !== 'p0005') flag('wrong', key, describe(r, `close-confirmed-but-${r.payStatus}`));
    if (entry && (entry.intent === 'expire') && !moneyTaken && FINAL.has(r.payStatus) && r.payStatus !== 'p0006') flag('wrong', key, describe(r, `expired-unpaid-but-${r.payStatus}`));
  }

  // Duplicates: the same notifyId acknowledged more than once (allowed by at-least-once; reported as a figure).
  let duplicateDeliveries = 0;
  let notifyIdsAckedMoreThanOnce = 0;
  for (const list of receiver.acknowledged().values()) {
    if (list.length > 1) {
      duplicateDeliveries += list.length - 1;
      notifyIdsAckedMoreThanOnce++;
    }
  }
  const successIds = new Set(attemptRows.filter((a) => a.outcome === 'success').map((a) => a.notify_id));
  const acksWithoutSuccessRow = [...receiver.acknowledged().keys()].filter((id) => !successIds.has(id)).length;

  const anomalies = ledger.flatMap((e) => e.anomalies.map((what) => ({ mercOrderNo: e.mercOrderNo, what })));
  const notified = rows.filter((r) => FINAL.has(r.payStatus) && acks.has(`${r.orderId}|${r.payStatus}`)).length;
  return {
    created: rows.length,
    answered: ledger.filter((e) => e.orderId).length,
    paid: sandbox.filter((s) => s.status === 'paid').length,
    notified,
    lost: categories.lost.size,
    stuck: categories.stuck.size,
    wrong: categories.wrong.size,
    duplicateDeliveries,
    notifyIdsAckedMoreThanOnce,
    deliveries: receiver.deliveries.length,
    failedDeliveriesByDesign: receiver.deliveries.filter((d: Delivery) => d.answer !== 'success' && d.signatureValid).length,
    notifyAttemptsRecorded: attemptRows.length,
    acksWithoutSuccessRow,
    unanswered: ledger.filter((e) => e.pay && 'gaveUp' in e.pay).length,
    anomalies: anomalies.length,
    reasons,
    examples: {
      lost: [...categories.lost.values()].slice(0, MAX_EXAMPLES),
      stuck: [...categories.stuck.values()].slice(0, MAX_EXAMPLES),
      wrong: [...categories.wrong.values()].slice(0, MAX_EXAMPLES),
      anomalies: anomalies.slice(0, MAX_EXAMPLES),
    },
  };
}

/** Notification amounts are yuan strings; NaN when malformed. */
function parseYuan(text: string): number {
  const parsed = parseYuanToFen(text);
  return parsed.ok ? parsed.fen : Number.NaN;
}
