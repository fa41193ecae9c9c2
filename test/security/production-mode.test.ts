import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { merchantCall, startStack, testMerchant, type TestStack } from '../support/stack';
import { unifiedOrderFields } from '../support/requests';
import { ConfigError, loadConfig } from '../../config';
import { deploymentSummary } from '../../config/deployment-summary';
import { TEST_MASTER_KEYS } from '../support/stack-core';

// Finding 1, production defaults: with PAYDURABLE_ENV=production there is no default channel and no sandbox unless
// enabled, so nothing can be paid without a real channel. A real API process over the real stack.
let prod: TestStack;

beforeAll(async () => {
  prod = await startStack({ PAYDURABLE_ENV: 'production', NOTIFY_ALLOW_PRIVATE: 'false' });
});
afterAll(async () => {
  await prod?.stop();
});

describe('a production-mode API', () => {
  it('has no sandbox: its payer routes are not there', async () => {
    for (const [method, path] of [['POST', '/sandbox/api/pay'], ['GET', '/sandbox/cashier/SBX0'], ['POST', '/sandbox/cashier/SBX0/pay']] as const) {
      const res = await fetch(`${prod.api.url}${path}`, {
        method, ...(method === 'POST' ? { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ channelOrderNo: 'SBX0' }) } : {}),
      });
      expect(res.status, path).toBe(404);
    }
  });

  it('refuses test-mode orders (no sandbox) and live orders without a channel route (no default channel) with 200002', async () => {
    const merchant = await testMerchant(prod.pool);
    const test = await merchantCall(prod.api.url, '/api/pay', merchant, unifiedOrderFields());
    expect(test.body).toMatchObject({ respCode: '200002', livemode: 'false' });
    expect(test.body.respDesc).toContain('sandbox is off');
    const live = await merchantCall(prod.api.url, '/api/pay', { ...merchant, signKey: merchant.keys.live }, unifiedOrderFields());
    expect(live.body).toMatchObject({ respCode: '200002', livemode: 'true' });
    expect(live.body.respDesc).toContain('no channel is configured');
    const rows = await prod.pool.query('SELECT 1 FROM orders WHERE merc_no = $1', [merchant.mercNo]);
    expect(rows.rowCount).toBe(0);
  });
});

describe('production configuration', () => {
  const base = { DATABASE_URL: 'postgres://u@127.0.0.1:5432/db', MASTER_KEYS: TEST_MASTER_KEYS };
  const problem = (env: Record<string, string>) => {
    try {
      loadConfig(env);
      return null;
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
  };

  it('NODE_ENV=production means production: sandbox off, no default channel, and it says so', () => {
    const c = loadConfig({ ...base, NODE_ENV: 'production' });
    expect(c).toMatchObject({ env: 'production', channels: { sandboxEnabled: false, defaultLiveChannel: undefined } });
    expect(deploymentSummary(c)).toMatchObject({ env: 'production', sandbox: 'off', defaultLiveChannel: 'none', keysAtRest: 'sealed (master key t1)' });
    expect(loadConfig({ ...base, NODE_ENV: 'production', SANDBOX_ENABLED: 'true' }).channels.sandboxEnabled).toBe(true);
    expect(loadConfig(base)).toMatchObject({ env: 'development', channels: { sandboxEnabled: true } });
  });

  it('refuses the demo conveniences in production: no master key, private notify addresses, the sandbox as a default', () => {
    expect(problem({ DATABASE_URL: base.DATABASE_URL, PAYDURABLE_ENV: 'production' })).toContain('MASTER_KEYS');
    expect(problem({ ...base, PAYDURABLE_ENV: 'production', NOTIFY_ALLOW_PRIVATE: 'true' })).toContain('NOTIFY_ALLOW_PRIVATE');
    expect(problem({ ...base, DEFAULT_CHANNEL: 'sandbox' })).toContain('DEFAULT_CHANNEL');
    expect(problem({ ...base, MASTER_KEYS: 'k1:short' })).toContain('32 bytes');
  });
});
