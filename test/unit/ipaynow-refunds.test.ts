import { describe, expect, it } from 'vitest';
import { q001Request, r001Request, refundStatusOfAnswer } from '../../channels/ipaynow/refunds';
import type { IpaynowAnswer } from '../../channels/ipaynow/transport';

const answer = (fields: Record<string, string>): IpaynowAnswer => ({ kind: 'answer', fields, signRule: 'old' });
const NOW = Date.UTC(2026, 11, 6);

describe('IPayNow R001/Q001 answers as refund states', () => {
  it('R010 with an amount is SUCCESS; R000/R012 pending; refusals FAIL; A003 or no answer UNKNOWN', () => {
    expect(refundStatusOfAnswer(answer({ responseCode: 'R000', refundStatus: 'R010', amount: '120', refundTime: '20261206093000', nowPayRefundNo: 'NR1' }), 'R001', NOW))
      .toEqual({ status: 'SUCCESS', amountFen: 120, refundedAtMs: Date.UTC(2026, 11, 6, 1, 30), channelRefundNo: 'NR1' });
    expect(refundStatusOfAnswer(answer({ responseCode: 'A001', refundStatus: 'R010', amount: '1.20' }), 'Q001', NOW)).toMatchObject({ status: 'UNKNOWN' });
    expect(refundStatusOfAnswer(answer({ responseCode: 'R000', refundStatus: 'R012' }), 'R001', NOW)).toEqual({ status: 'PENDING' });
    expect(refundStatusOfAnswer(answer({ responseCode: 'R000' }), 'R001', NOW)).toEqual({ status: 'PENDING' });
    expect(refundStatusOfAnswer(answer({ responseCode: 'A001' }), 'Q001', NOW)).toMatchObject({ status: 'UNKNOWN' });
    for (const code of ['R011', 'R001', 'R021', 'R022', 'R023', 'R024', 'R025', 'R026', 'R027']) {
      expect(refundStatusOfAnswer(answer({ responseCode: 'A002', refundStatus: code }), 'R001', NOW)).toMatchObject({ status: 'FAIL' });
    }
    expect(refundStatusOfAnswer(answer({ responseCode: 'A003' }), 'R001', NOW)).toMatchObject({ status: 'UNKNOWN' });
    expect(refundStatusOfAnswer(answer({ responseCode: 'A002' }), 'R001', NOW)).toMatchObject({ status: 'UNKNOWN' });
    expect(refundStatusOfAnswer({ kind: 'unknown', reason: 'no answer within 500 ms' }, 'R001', NOW)).toEqual({ status: 'UNKNOWN', reason: 'no answer within 500 ms' });
  });

  it('a Q001 that finds no refund is FAIL with notFound (after a lost R001 it proves nothing)', () => {
    expect(refundStatusOfAnswer(answer({ responseCode: 'A002', responseMsg: 'refund does not exist' }), 'Q001', NOW))
      .toMatchObject({ status: 'FAIL', notFound: true });
  });

  it('requests name the order, our refundId as mhtRefundNo and the amount in fen', () => {
    expect(r001Request({ orderId: 'O1', refundId: 'R1', amountFen: 120, reason: '退货' }, 'APP')).toMatchObject({
      funcode: 'R001', appId: 'APP', mhtOrderNo: 'O1', mhtRefundNo: 'R1', amount: '120', currency: '156', reason: '退货', mhtSignType: 'MD5',
    });
    expect(q001Request({ orderId: 'O1', refundId: 'R1' }, 'APP')).toMatchObject({ funcode: 'Q001', mhtOrderNo: 'O1', mhtRefundNo: 'R1' });
    expect(() => r001Request({ orderId: 'O1', refundId: 'R1', amountFen: 0 }, 'APP')).toThrow(RangeError);
  });
});
