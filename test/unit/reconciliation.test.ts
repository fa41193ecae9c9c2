import { describe, expect, it } from 'vitest';
import { compareStatement, countByKind, isStatementDate, previousShanghaiDate, shanghaiDateOf, shanghaiDayWindow, type StatementLine } from '../../domain/reconciliation';

const pay = (orderId: string, amountFen: number): StatementLine => ({ type: 'pay', channelTradeNo: `T${orderId}`, orderId, amountFen, status: 'SUCCESS', atMs: 0 });
const refund = (orderId: string, refundId: string, amountFen: number): StatementLine => ({ ...pay(orderId, amountFen), type: 'refund', refundId });

describe('compareStatement', () => {
  it('finds every discrepancy kind and counts the matches', () => {
    const lines = [pay('OK', 100), pay('OK', 100), pay('LATE', 200), pay('NOBODY', 5), pay('DIFF', 300), pay('TWICE', 50), pay('MOVED', 60),
      refund('OK', 'R-OK', 10), refund('DIFF', 'R-DIFF', 20), refund('OK', 'R-NOBODY', 1)];
    const orders = [
      { orderId: 'OK', amountFen: 100, paid: true, paidThatDay: true },
      { orderId: 'LATE', amountFen: 200, paid: false, paidThatDay: false },
      { orderId: 'DIFF', amountFen: 301, paid: true, paidThatDay: true },
      { orderId: 'GONE', amountFen: 400, paid: true, paidThatDay: true },
      { orderId: 'YESTERDAY', amountFen: 400, paid: true, paidThatDay: false },
      // Served by another channel now (failed over): paid there too, or not paid at all.
      { orderId: 'TWICE', amountFen: 50, paid: true, paidThatDay: false, elsewhere: true },
      { orderId: 'MOVED', amountFen: 60, paid: false, paidThatDay: false, elsewhere: true },
    ];
    const refunds = [
      { refundId: 'R-OK', orderId: 'OK', amountFen: 10, refunded: true, refundedThatDay: true },
      { refundId: 'R-DIFF', orderId: 'DIFF', amountFen: 25, refunded: true, refundedThatDay: true },
      { refundId: 'R-GONE', orderId: 'OK', amountFen: 3, refunded: true, refundedThatDay: true },
    ];
    const c = compareStatement(lines, orders, refunds);
    expect(c.lines).toBe(9);
    expect(c.matched).toBe(2);
    expect(c.discrepancies.map((d) => d.key).sort()).toEqual([
      'amount_mismatch:DIFF', 'missing_at_channel:GONE', 'paid_elsewhere:TWICE', 'paid_not_ours:LATE', 'paid_not_ours:MOVED', 'refund_mismatch:R-DIFF', 'refund_mismatch:R-GONE',
      'refund_mismatch:R-NOBODY', 'unknown_order:NOBODY',
    ]);
    expect(countByKind(c.discrepancies)).toEqual({ paid_not_ours: 2, unknown_order: 1, amount_mismatch: 1, paid_elsewhere: 1, missing_at_channel: 1, refund_mismatch: 3 });
    expect(c.discrepancies.find((d) => d.kind === 'paid_not_ours')?.line).toEqual(pay('LATE', 200));
  });
});

describe('Asia/Shanghai days', () => {
  it('maps dates to UTC+8 windows and back', () => {
    expect(shanghaiDayWindow('2026-12-05')).toEqual({ startMs: Date.parse('2026-12-04T16:00:00Z'), endMs: Date.parse('2026-12-05T16:00:00Z') });
    expect(shanghaiDateOf(Date.parse('2026-12-04T16:00:00Z'))).toBe('2026-12-05');
    expect(shanghaiDateOf(Date.parse('2026-12-04T15:59:59Z'))).toBe('2026-12-04');
    expect(previousShanghaiDate(Date.parse('2026-12-06T02:00:00Z'))).toBe('2026-12-05');
    expect(isStatementDate('2026-02-30')).toBe(false);
    expect(isStatementDate('2026-02-28')).toBe(true);
    expect(isStatementDate('0001-01-01')).toBe(true);
    expect(isStatementDate('0000-01-01')).toBe(false);
    expect(isStatementDate('2024-02-29')).toBe(true);
  });
});
