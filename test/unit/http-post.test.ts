import { afterEach, describe, expect, it } from 'vitest';
import { postNotification } from '../../activities/http-post';
import { MerchantReceiver, type Behaviour } from '../support/merchant-receiver';
import { freePort } from '../../devstack/paths';

// The delivery primitive against a real HTTP server on loopback: every receiver misbehaviour is an outcome, not a throw.
let receiver: MerchantReceiver | undefined;
afterEach(async () => {
  await receiver?.stop();
  receiver = undefined;
});

async function deliverTo(b: Behaviour, timeoutMs = 300) {
  receiver = await new MerchantReceiver([b]).start();
  return postNotification(receiver.url, { a: '1' }, { timeoutMs, headers: { 'X-Notify-Id': 'n1', 'X-Notify-Attempt': '1' }, allowPrivate: true });
}

describe('notification POST', () => {
  it('sends JSON with the notify headers and reads the answer', async () => {
    const answer = await deliverTo({ kind: 'answer', body: ' success\n' });
    expect(answer).toMatchObject({ ok: true, httpStatus: 200, body: ' success\n', error: null });
    const got = receiver!.received[0]!;
    expect(got.body).toEqual({ a: '1' });
    expect(got.headers['x-notify-id']).toBe('n1');
    expect(got.headers['content-type']).toContain('application/json');
  });

  it.each([
    [{ kind: 'answer', body: 'success', status: 500 }, 'HTTP 500'],
    [{ kind: 'answer', body: 'success', status: 302 }, 'HTTP 302'],
  ] as const)('a non-2xx status is a failure: %j', async (b, error) => {
    expect(await deliverTo(b)).toMatchObject({ ok: false, error });
  });

  it('a slow answer is abandoned at the timeout', async () => {
    const answer = await deliverTo({ kind: 'delay', ms: 2_000, body: 'success' }, 200);
    expect(answer.ok).toBe(false);
    expect(answer.error).toContain('200 ms');
    expect(answer.latencyMs).toBeLessThan(1_500);
  });

  it('a reset connection and a refused connection are failures with a reason', async () => {
    expect((await deliverTo({ kind: 'reset' })).ok).toBe(false);
    const port = await freePort();
    const refused = await postNotification(`http://127.0.0.1:${port}/`, {}, { timeoutMs: 500, headers: {}, allowPrivate: true });
    expect(refused).toMatchObject({ ok: false, httpStatus: null });
    expect(refused.error).toContain('ECONNREFUSED');
  });

  it('reads at most 1 KiB of a large HTML error page', async () => {
    const answer = await deliverTo({ kind: 'answer', body: `<html>${'x'.repeat(100_000)}</html>`, contentType: 'text/html' });
    expect(answer.ok).toBe(true);
    expect(answer.body.length).toBeLessThanOrEqual(1024);
    expect(answer.body.trim()).not.toBe('success');
  });

  describe('SSRF policy (the default): only public addresses are connected to', () => {
    it.each([
      'http://127.0.0.1:PORT/n', 'http://169.254.169.254/latest/meta-data/', 'http://10.0.0.8/n', 'http://[::1]:PORT/n',
      'http://[::ffff:127.0.0.1]:PORT/n', 'http://0.0.0.0:PORT/n', 'http://100.64.0.1/n', 'http://[fd00::1]/n',
    ])('%s is refused before connecting', async (template) => {
      receiver = await new MerchantReceiver([{ kind: 'answer', body: 'success' }]).start();
      const url = template.replace('PORT', new URL(receiver.url).port);
      const answer = await postNotification(url, { a: '1' }, { timeoutMs: 1000, headers: {} });
      expect(answer).toMatchObject({ ok: false, httpStatus: null });
      expect(answer.error).toMatch(/^refused: .* is not a public address/);
      expect(receiver.received).toHaveLength(0);
    });

    it('a host name that resolves to loopback is refused after DNS, at connect time', async () => {
      receiver = await new MerchantReceiver([{ kind: 'answer', body: 'success' }]).start();
      const answer = await postNotification(`http://localhost:${new URL(receiver.url).port}/n`, { a: '1' }, { timeoutMs: 1000, headers: {} });
      expect(answer.error).toMatch(/^refused: localhost resolves to .*, which is not a public address/);
      expect(receiver.received).toHaveLength(0);
    });

    it('allowPrivate (npm start, tests) connects to loopback', async () => {
      receiver = await new MerchantReceiver([{ kind: 'answer', body: 'success' }]).start();
      const answer = await postNotification(`http://localhost:${new URL(receiver.url).port}/n`, { a: '1' }, { timeoutMs: 1000, headers: {}, allowPrivate: true });
      expect(answer.ok).toBe(true);
      expect(receiver.received).toHaveLength(1);
    });
  });
});
