import { LIVE_CHANNEL_NAMES } from '../../domain/channels';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { eventually, merchantCall, payInSandbox, startStack, testMerchant, type TestStack } from '../support/stack';
import { MerchantReceiver } from '../support/merchant-receiver';
import { unifiedOrderFields } from '../support/requests';
import { freePort } from '../../devstack/paths';
import { buildOpenApiDocument } from '../../api/openapi/document';
import {
  CloseAnswerSchema, ErrorAnswerSchema, NotificationSchema, PayAnswerSchema, QueryAnswerSchema,
} from '../../api/schemas/answers';

// Metrics, health and the API document over the real system: API and worker (with its own HTTP server) on the
// Temporal dev server and PostgreSQL of the global setup.
let stack: TestStack;
let receiver: MerchantReceiver;
beforeAll(async () => {
  stack = await startStack({ WORKER_HTTP_PORT: String(await freePort()) });
  receiver = await new MerchantReceiver().start();
});
afterAll(async () => {
  await receiver?.stop();
  await stack?.stop();
});

const workerUrl = () => {
  const url = stack.worker?.opsUrl;
  if (!url) throw new Error('the worker has no HTTP server');
  return url;
};
const scrape = async (base: string) => {
  const res = await fetch(`${base}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
};

/** Sum of the samples of `name` whose labels include `labels` (0 when there is none). */
function sampleValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? ([^ ]+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) total += Number(m[3]);
  }
  return total;
}

const channelOrderNoOf = (payUrl: string) => new URL(payUrl).pathname.split('/').pop()!;
const strictParse = (schema: z.ZodObject, value: unknown) => {
  const parsed = schema.strict().safeParse(value);
  expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues)).toBe(true);
};

describe('metrics', () => {
  it('after an order paid in the sandbox: transitions p0002→p0000, a successful notification, timed channel calls and pay answers', async () => {
    const merchant = await testMerchant(stack.pool);
    const before = { worker: await scrape(workerUrl()), api: await scrape(stack.api.adminUrl) };
    const transitionToPaid = { from: 'p0002', to: 'p0000', channel: 'sandbox' };

    const placed = await merchantCall(stack.api.url, '/api/pay', merchant, unifiedOrderFields({ notifyUrl: receiver.url }));
    expect(placed.body.respCode).toBe('000000');
    strictParse(PayAnswerSchema, placed.body);
    expect((await payInSandbox(stack.api.url, channelOrderNoOf(placed.body.codeUrl!))).body.paid).toBe(true);

    const after = await eventually(async () => {
      const text = await scrape(workerUrl());
      return sampleValue(text, 'paydurable_notify_attempts_total', { outcome: 'success' }) > sampleValue(before.worker, 'paydurable_notify_attempts_total', { outcome: 'success' })
        ? text : null;
    }, 20_000, 'a successful notification in the worker metrics');

    const moved = (name: string, labels: Record<string, string>) => sampleValue(after, name, labels) - sampleValue(before.worker, name, labels);
    expect(moved('paydurable_order_transitions_total', transitionToPaid)).toBe(1);
    expect(moved('paydurable_order_transitions_total', { from: 'none', to: 'p0001', channel: 'sandbox' })).toBe(1);
    expect(moved('paydurable_order_transitions_total', { from: 'p0001', to: 'p0002', channel: 'sandbox' })).toBe(1);
    expect(moved('paydurable_notify_attempts_total', { outcome: 'success' })).toBe(1);
    expect(moved('paydurable_notify_delivery_duration_seconds_count', { outcome: 'success' })).toBe(1);
    expect(moved('paydurable_channel_call_duration_seconds_count', { channel: 'sandbox', op: 'create', result: 'CREATED' })).toBe(1);
    expect(sampleValue(after, 'paydurable_channel_call_duration_seconds_bucket', { channel: 'sandbox', op: 'create', le: '+Inf' })).toBeGreaterThan(0);
    // Both of the worker's PostgreSQL pools: the order path's, and the poller's own (POLL_PG_POOL_MAX, default 4).
    for (const pool of ['orders', 'poll']) {
      for (const state of ['in_use', 'idle', 'waiting']) expect(after).toMatch(new RegExp(`^paydurable_pg_pool_clients\\{pool="${pool}",state="${state}"\\} \\d+$`, 'm'));
    }
    const pollClients = sampleValue(after, 'paydurable_pg_pool_clients', { pool: 'poll', state: 'in_use' }) + sampleValue(after, 'paydurable_pg_pool_clients', { pool: 'poll', state: 'idle' });
    expect(pollClients).toBeGreaterThanOrEqual(1); // the poller has claimed (each tick asks for due orders)
    expect(pollClients).toBeLessThanOrEqual(4);
    expect(after).toContain('process_cpu_user_seconds_total');
    expect(after).toContain('nodejs_heap_size_used_bytes');

    const api = await scrape(stack.api.adminUrl);
    expect(sampleValue(api, 'paydurable_pay_answer_duration_seconds_count', { status: '200' })
      - sampleValue(before.api, 'paydurable_pay_answer_duration_seconds_count', { status: '200' })).toBe(1);
    expect(api).toContain('process_resident_memory_bytes');
    expect(api).not.toContain('paydurable_order_transitions_total'); // activities run in the worker, not here
  });
});

describe('answers match the documented schemas', () => {
  it('pay, query, close, an error answer and the notification carry exactly the documented fields', async () => {
    const merchant = await testMerchant(stack.pool);
    const paid = await merchantCall(stack.api.url, '/api/pay', merchant, unifiedOrderFields({ notifyUrl: receiver.url }));
    await payInSandbox(stack.api.url, channelOrderNoOf(paid.body.codeUrl!));
    const orderId = paid.body.orderId!;
    const delivered = await eventually(async () => {
      const q = await merchantCall(stack.api.url, '/api/query', merchant, { orderId });
      return q.body.notifyState === 'delivered' ? q : null;
    }, 20_000, 'notification delivered');
    strictParse(QueryAnswerSchema, delivered.body);
    const notification = receiver.forOrder(orderId)[0];
    strictParse(NotificationSchema, notification?.body);

    const open = await merchantCall(stack.api.url, '/api/pay', merchant, unifiedOrderFields({ notifyUrl: receiver.url }));
    const closed = await merchantCall(stack.api.url, '/api/close', merchant, { orderId: open.body.orderId! });
    expect(closed.body.respCode).toBe('000000');
    strictParse(CloseAnswerSchema, closed.body);

    const missing = await merchantCall(stack.api.url, '/api/query', merchant, { mercOrderNo: 'NO-SUCH-ORDER' });
    expect(missing.status).toBe(404);
    strictParse(ErrorAnswerSchema, missing.body);
  });
});

describe('health and documentation endpoints', () => {
  it('each listener serves its own OpenAPI document and docs page: merchant interfaces on one, internal ones on the other', async () => {
    const listeners = [
      { base: stack.api.url, audience: 'merchant', paths: ['/api/pay', '/api/query', '/api/close'] },
      { base: stack.api.adminUrl, audience: 'admin', paths: ['/support/v1/orders/{ref}', '/metrics'] },
    ] as const;
    for (const { base, audience, paths } of listeners) {
      const res = await fetch(`${base}/openapi.json`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument(audience, { sandbox: stack.config.channels.sandboxEnabled }))));
      const page = await fetch(`${base}/docs`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      const html = await page.text();
      for (const path of paths) expect(html).toContain(`<code>${path}</code>`);
    }
  });

  it('the API (both listeners) and the worker are alive and ready; only the internal ones name their checks', async () => {
    for (const base of [stack.api.url, stack.api.adminUrl, workerUrl()]) {
      const live = await fetch(`${base}/healthz`);
      expect(live.status).toBe(200);
      expect(await live.json()).toEqual({ status: 'ok' });
    }
    const api = await fetch(`${stack.api.url}/readyz`);
    expect(api.status).toBe(200);
    expect(await api.json()).toEqual({ status: 'ready' });
    const admin = await fetch(`${stack.api.adminUrl}/readyz`);
    expect(admin.status).toBe(200);
    const adminBody = (await admin.json()) as { circuits: { channel: string; state: string; worker: string }[] };
    expect(adminBody).toMatchObject({ status: 'ready', checks: { database: 'ok', temporal: 'ok' } });
    expect(Object.keys(adminBody)).toEqual(['status', 'checks', 'circuits']);
    const worker = await fetch(`${workerUrl()}/readyz`);
    expect(worker.status).toBe(200);
    const workerBody = (await worker.json()) as { circuits: { channel: string; state: string; worker: string }[] };
    expect(workerBody).toMatchObject({ status: 'ready', checks: { database: 'ok', temporal: 'ok', worker: 'ok' } });
    // The worker's circuit breakers (one per live channel, all closed), and the same as it reported them to the API.
    expect(workerBody.circuits.map((c) => [c.channel, c.state])).toEqual(LIVE_CHANNEL_NAMES.map((name) => [name, 'closed']));
    const reported = adminBody.circuits.filter((c) => c.worker === workerBody.circuits[0]!.worker);
    expect(reported.map((c) => [c.channel, c.state]).sort()).toEqual(LIVE_CHANNEL_NAMES.map((name) => [name, 'closed']).sort());
  });

  it('a worker that is shutting down is no longer ready', async () => {
    stack.worker!.worker.shutdown();
    const res = await fetch(`${workerUrl()}/readyz`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { checks: Record<string, string> };
    expect(body.checks.worker).toMatch(/^failed: worker is /);
    expect((await fetch(`${workerUrl()}/healthz`)).status).toBe(200);
  });
});
