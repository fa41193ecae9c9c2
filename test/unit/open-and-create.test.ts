import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { createOpenAndCreate, type OpenAndCreateArgs } from '../../activities/open-and-create';
import type { ChannelCreateResult } from '../../domain/channels';
import type { TransitionArgs } from '../../activities/order-records';
import { PayStatus } from '../../domain/pay-status';

const args: OpenAndCreateArgs = {
  open: { orderId: 'o1', workflowId: 'w1', requestHash: 'h', channel: 'sandbox', draft: {} as OpenAndCreateArgs['open']['draft'] },
  create: { channel: 'sandbox', order: { orderId: 'o1' } as OpenAndCreateArgs['create']['order'] },
  onCreated: {
    orderId: 'o1', from: [PayStatus.SUBMITTED], to: PayStatus.PAYING, eventKey: 'p0002', eventType: 'channel_created', detail: {},
    data: { mercOrderNo: 'm1', tradeType: '01', tradeAmt: '1.00', tradeTime: '20261207000000', feeType: 'CNY', termType: 'wap', orderId: 'o1' },
  },
};

function steps(create: ChannelCreateResult, opts: { openFails?: boolean; transitionFails?: boolean } = {}) {
  const calls: string[] = [];
  const written: TransitionArgs[] = [];
  return {
    calls, written,
    openOrder: async () => {
      calls.push('open');
      if (opts.openFails) throw new Error('database unavailable');
    },
    channelCreate: async () => {
      calls.push('create');
      return create;
    },
    transition: async (t: TransitionArgs) => {
      calls.push('transition');
      if (opts.transitionFails) throw new Error('database unavailable');
      written.push(t);
      return { applied: true, payStatus: t.to, tradeEndTime: null, latePayment: false };
    },
  };
}

const log = pino({ level: 'silent' });
const created: ChannelCreateResult = { kind: 'CREATED', channelOrderNo: 'C1', credential: { codeUrl: 'https://pay.example/1' } };

describe('openAndCreate (the unified order first task in one activity)', () => {
  it('opens, creates and writes p0002 with the stored pay answer made of the data and the credential', async () => {
    const s = steps(created);
    const r = await createOpenAndCreate(s, log).openAndCreate(args);
    expect(s.calls).toEqual(['open', 'create', 'transition']);
    expect(r).toEqual({ created, outcome: { applied: true, payStatus: 'p0002', tradeEndTime: null, latePayment: false } });
    expect(s.written[0]).toMatchObject({
      to: 'p0002', channelOrderNo: 'C1', eventKey: 'p0002',
      payAnswer: { kind: 'ok', data: { ...args.onCreated.data, codeUrl: 'https://pay.example/1' } },
    });
  });

  it('writes nothing more when the channel did not create the order', async () => {
    const declined: ChannelCreateResult = { kind: 'DECLINED', reason: 'no' };
    const s = steps(declined);
    expect(await createOpenAndCreate(s, log).openAndCreate(args)).toEqual({ created: declined, outcome: null });
    expect(s.calls).toEqual(['open', 'create']);
  });

  it('fails before asking the channel when the order row cannot be written (the activity is retried whole)', async () => {
    const s = steps(created, { openFails: true });
    await expect(createOpenAndCreate(s, log).openAndCreate(args)).rejects.toThrow('database unavailable');
    expect(s.calls).toEqual(['open']);
  });

  it('never fails once the channel has answered: a failed transition returns the answer without an outcome', async () => {
    const s = steps(created, { transitionFails: true });
    expect(await createOpenAndCreate(s, log).openAndCreate(args)).toEqual({ created, outcome: null });
    expect(s.calls).toEqual(['open', 'create', 'transition']);
  });
});
