import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { merchantCall, startStack, testMerchant, type TestStack } from '../support/stack';
import { unifiedOrderFields } from '../support/requests';
import { supportCall } from '../support/support-call';
import { postNotify } from '../support/ipaynow';

// Finding 8 (bad input): a NUL byte in subject was accepted, and the order stuck at p0001 with a failed channel call.
// Every control character in a text field is 100001 at the edge now, and nothing is written.
let stack: TestStack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

describe('control characters in text fields', () => {
  it.each([['subject', 'Coffee\u0000beans'], ['subject', 'bell\u0007'], ['body', 'line\u001bthen'], ['attach', 'x\u007f']])(
    '%s with %j is 400 / 100001 naming the field, and no order is created',
    async (field, value) => {
      const merchant = await testMerchant(stack.pool);
      const res = await merchantCall(stack.api.url, '/api/pay', merchant, unifiedOrderFields({ [field]: value }));
      expect(res.status).toBe(400);
      expect(res.body.respCode).toBe('100001');
      expect(res.body.respDesc).toContain(field);
      expect((await stack.pool.query('SELECT 1 FROM orders WHERE merc_no = $1', [merchant.mercNo])).rowCount).toBe(0);
    },
  );
});

// Issue 15: the same at every other edge, with a 4xx naming the field and the rule (never a 500 from PostgreSQL).
describe('control characters at the other edges', () => {
  it.each([
    ['filter.mercNo', { filter: { mercNo: 'ORG\u0000' }, dryRun: true }],
    ['filter.mercNo', { filter: { mercNo: 'ORG\u001b[31m' }, dryRun: true }],
  ])('support bulk replay: %s with a control character is 400 invalid_request naming it', async (field, body) => {
    const res = await supportCall<{ error: { code: string; field: string } }>(stack.api.adminUrl, 'POST', '/support/v1/notifications/replay', { body });
    expect([res.status, res.body.error.code, res.body.error.field]).toEqual([400, 'invalid_request', field]);
  });

  it('support: a control character in a path or query parameter is 400 naming it', async () => {
    const ref = await supportCall<{ error: { field: string } }>(stack.api.adminUrl, 'GET', '/support/v1/orders/1%00');
    expect([ref.status, ref.body.error.field]).toEqual([400, 'ref']);
    const q = await supportCall<{ error: { field: string } }>(stack.api.adminUrl, 'GET', '/support/v1/notifications/exhausted?mercNo=a%07');
    expect([q.status, q.body.error.field]).toEqual([400, 'mercNo']);
  });

  it('sandbox: a control character in channelOrderNo is 400 / 100001 naming it; in the cashier path it is not found', async () => {
    const res = await fetch(`${stack.api.url}/sandbox/api/pay`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ channelOrderNo: 'SB\u0000' }),
    });
    const body = (await res.json()) as { respCode: string; respDesc: string };
    expect([res.status, body.respCode]).toEqual([400, '100001']);
    expect(body.respDesc).toContain('channelOrderNo');
    expect((await fetch(`${stack.api.url}/sandbox/cashier/SB%00`)).status).toBe(404);
    expect((await fetch(`${stack.api.url}/sandbox/cashier/SB%00/qr.svg`)).status).toBe(404);
  });

  it('IPayNow N001: a control character in any field is refused (success=N), not looked up and not stored', async () => {
    const before = (await stack.pool.query('SELECT count(*)::int AS n FROM channel_callbacks')).rows[0].n as number;
    for (const body of ['funcode=N001&mhtOrderNo=1%07', 'funcode=N001%1B&mhtOrderNo=1', 'funcode=N001&mhtOrderNo=1%00']) {
      expect(await postNotify(stack.api.url, body)).toEqual({ status: 200, text: 'success=N' });
    }
    expect((await stack.pool.query('SELECT count(*)::int AS n FROM channel_callbacks')).rows[0].n).toBe(before);
  });

  it('Alipay notification: a control character in any field is answered fail (never a 5xx), not looked up and not stored', async () => {
    const before = (await stack.pool.query('SELECT count(*)::int AS n FROM channel_callbacks')).rows[0].n as number;
    for (const body of ['notify_type=trade_status_sync&out_trade_no=1%00', 'notify_type=trade_status_sync%07&out_trade_no=1', 'out_trade_no=1&sign=%1B']) {
      const res = await fetch(`${stack.api.url}/channels/alipay/notify`, {
        method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body,
      });
      expect({ status: res.status, text: await res.text() }).toEqual({ status: 200, text: 'fail' });
    }
    expect((await stack.pool.query('SELECT count(*)::int AS n FROM channel_callbacks')).rows[0].n).toBe(before);
  });
});
