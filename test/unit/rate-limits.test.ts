import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config';
import { createLogger } from '../../config/logger';
import { createPool } from '../../db/pool';
import { createApiMetrics } from '../../observability/api-metrics';
import { createRateLimits } from '../../api/rate-limits';

const base = { DATABASE_URL: 'postgres://u@127.0.0.1:5432/db' };

describe('rate-limit configuration', () => {
  it('defaults: 100 requests/s per merchant plus 200 per 10 s, 100 N001/s per address, 10,000 open orders, 2 bulk jobs', () => {
    expect(loadConfig(base).limits).toEqual({
      merchantRps: 100, merchantBurst: 200, n001Rps: 100, maxOpenOrdersPerMerchant: 10_000, maxConcurrentBulkJobs: 2,
    });
    const off = loadConfig({ ...base, RATE_LIMIT_MERCHANT_RPS: '0', RATE_LIMIT_N001_RPS: '0', MAX_OPEN_ORDERS_PER_MERCHANT: '0' });
    expect(off.limits).toMatchObject({ merchantRps: 0, n001Rps: 0, maxOpenOrdersPerMerchant: 0 });
  });

  it('refuses what is not a whole number in range, naming the variable', () => {
    const bad: [string, string][] = [
      ['RATE_LIMIT_MERCHANT_RPS', '-1'], ['RATE_LIMIT_MERCHANT_BURST', '1.5'], ['RATE_LIMIT_N001_RPS', 'many'],
      ['MAX_OPEN_ORDERS_PER_MERCHANT', '2000000'], ['MAX_CONCURRENT_BULK_JOBS', '0'],
    ];
    for (const [variable, value] of bad) {
      expect(() => loadConfig({ ...base, [variable]: value }), variable).toThrow(ConfigError);
      expect(() => loadConfig({ ...base, [variable]: value }), variable).toThrow(variable);
    }
  });
});

describe('rate limits when their store fails', () => {
  // A pool to a port nothing listens on: every store call fails at once.
  const pool = createPool('postgres://nobody@127.0.0.1:1/none', 1);
  afterAll(() => pool.end());

  function limitsOverBrokenStore(env: Record<string, string>) {
    const lines: string[] = [];
    const stream = new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(...chunk.toString().split('\n').filter(Boolean)), done()) });
    const metrics = createApiMetrics();
    const limits = createRateLimits({ config: loadConfig({ ...base, ...env }), pool, log: createLogger('warn', 'test', stream), metrics });
    return { limits, metrics, lines };
  }

  it('fail open into a per-process limit with the same numbers: no error, a counted store error, one warning', async () => {
    const { limits, metrics, lines } = limitsOverBrokenStore({ RATE_LIMIT_MERCHANT_RPS: '2', RATE_LIMIT_MERCHANT_BURST: '0' });
    const verdicts = [];
    for (let i = 0; i < 4; i++) verdicts.push(await limits.merchantRequests.consume('M1'));
    expect(verdicts.slice(0, 2)).toEqual([{ ok: true }, { ok: true }]);
    expect(verdicts.slice(2)).toEqual([{ ok: false, retryAfterSeconds: 1 }, { ok: false, retryAfterSeconds: 1 }]);
    expect(await limits.merchantRequests.consume('M2')).toEqual({ ok: true });

    const text = await metrics.registry.metrics();
    expect(text).toMatch(/paydurable_rate_limit_store_errors_total\{limiter="merchant"\} [1-9]/);
    const warnings = lines.map((l) => JSON.parse(l) as { msg: string; limiter: string });
    expect(warnings).toHaveLength(1); // at most one a minute per limiter
    expect(warnings[0]).toMatchObject({ limiter: 'merchant', msg: 'rate-limit store failed: limiting in this process only' });
  });

  it('a limit set to 0 is off and never touches the store', async () => {
    const { limits, metrics } = limitsOverBrokenStore({ RATE_LIMIT_N001_RPS: '0' });
    for (let i = 0; i < 500; i++) expect(await limits.n001Sources.consume('203.0.113.9')).toEqual({ ok: true });
    expect(await metrics.registry.metrics()).not.toContain('paydurable_rate_limit_store_errors_total{');
  });
});
