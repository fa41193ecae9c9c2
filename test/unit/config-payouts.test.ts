import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config';
import { TEST_MASTER_KEYS } from '../support/stack-core';
import { loadChannelSettings } from '../../channels/registry';

const base = { DATABASE_URL: 'postgres://u@127.0.0.1:5432/db' };
const production = { ...base, PAYDURABLE_ENV: 'production', MASTER_KEYS: TEST_MASTER_KEYS };

describe('payout settings (PAYOUT_*)', () => {
  it('the default daily limit: 50000.00 yuan in development, none (0: no payouts) in production', () => {
    expect(loadConfig(base).payouts).toEqual({ defaultDailyLimitFen: 5_000_000, queryScheduleMs: [5_000, 10_000, 30_000, 60_000, 120_000, 300_000, 600_000], escalateAfterMs: 3_600_000, transferTimeoutMs: 60_000, startRecoveryAfterMs: 60_000 });
    expect(loadConfig(production).payouts.defaultDailyLimitFen).toBe(0);
    expect(loadConfig({ ...production, PAYOUT_DAILY_LIMIT: '20000.50' }).payouts.defaultDailyLimitFen).toBe(2_000_050);
    expect(loadConfig({ ...base, PAYOUT_DAILY_LIMIT: '0.00' }).payouts.defaultDailyLimitFen).toBe(0);
  });

  it('takes its schedules and durations', () => {
    expect(loadConfig({ ...base, PAYOUT_QUERY_SCHEDULE: '100ms,1s', PAYOUT_ESCALATE_AFTER: '2m', PAYOUT_TRANSFER_TIMEOUT: '5s' }).payouts)
      .toMatchObject({ queryScheduleMs: [100, 1_000], escalateAfterMs: 120_000, transferTimeoutMs: 5_000 });
  });

  it.each([['1.234'], ['-1'], ['ten'], ['1e5']])('refuses PAYOUT_DAILY_LIMIT=%s naming the variable', (limit) => {
    expect(() => loadConfig({ ...base, PAYOUT_DAILY_LIMIT: limit })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, PAYOUT_DAILY_LIMIT: limit })).toThrow(/PAYOUT_DAILY_LIMIT: must be a yuan amount/);
  });

  it('the sandbox payout mode: instant by default; an unknown one refused at boot naming the variable', () => {
    // Channel settings are validated when the channels are built (channels/registry.ts loadChannelSettings).
    expect((loadChannelSettings(loadConfig(base)).sandbox as { payoutMode: string }).payoutMode).toBe('instant');
    expect((loadChannelSettings(loadConfig({ ...base, SANDBOX_PAYOUT_MODE: 'unknown', SANDBOX_PAYOUT_DELAY: '2s' })).sandbox as object))
      .toMatchObject({ payoutMode: 'unknown', payoutDelayMs: 2_000 });
    expect(() => loadChannelSettings(loadConfig({ ...base, SANDBOX_PAYOUT_MODE: 'sometimes' }))).toThrow(/SANDBOX_PAYOUT_MODE/);
  });
});
