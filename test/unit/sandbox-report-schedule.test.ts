import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config';
import {
  DEFAULT_SANDBOX_REPORT_SCHEDULE, maxReportAttempts, nextReportDelayMs, parseReportSchedule, reportClaimLeaseMs,
} from '../../domain/report-schedule';
import { createSandboxChannel } from '../../channels/sandbox';
import type { Pool } from '../../db/pool';

const base = { DATABASE_URL: 'postgres://u@127.0.0.1:5432/db' };

function configError(env: Record<string, string>): string {
  try {
    loadConfig({ ...base, ...env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('sandbox report schedule', () => {
  it('defaults to a real channel\'s callback retries: 12 retries over about 22 hours, 5 s hand-over timeout', () => {
    const c = loadConfig(base);
    expect(c.channels.sandboxReportScheduleMs).toEqual([
      2_000, 10_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000, 3_600_000, 7_200_000, 21_600_000, 43_200_000,
    ]);
    expect(parseReportSchedule(DEFAULT_SANDBOX_REPORT_SCHEDULE)).toEqual(c.channels.sandboxReportScheduleMs);
    expect(maxReportAttempts(c.channels.sandboxReportScheduleMs)).toBe(13);
    const totalH = c.channels.sandboxReportScheduleMs.reduce((a, b) => a + b, 0) / 3_600_000;
    expect(totalH).toBeGreaterThan(21);
    expect(totalH).toBeLessThan(23);
    expect(c.channels.reportTimeoutMs).toBe(5_000);
  });

  it('reads SANDBOX_REPORT_SCHEDULE and CHANNEL_REPORT_TIMEOUT', () => {
    const c = loadConfig({ ...base, SANDBOX_REPORT_SCHEDULE: ' 100ms, 1s ,2m', CHANNEL_REPORT_TIMEOUT: '750ms' });
    expect(c.channels.sandboxReportScheduleMs).toEqual([100, 1_000, 120_000]);
    expect(c.channels.reportTimeoutMs).toBe(750);
  });

  it('refuses at boot, naming the variable: empty, unparsable, too short or long a delay, too many, a bad timeout', () => {
    const bad: [string, Record<string, string>][] = [
      ['SANDBOX_REPORT_SCHEDULE', { SANDBOX_REPORT_SCHEDULE: '' }],
      ['SANDBOX_REPORT_SCHEDULE', { SANDBOX_REPORT_SCHEDULE: ' , ' }],
      ['SANDBOX_REPORT_SCHEDULE', { SANDBOX_REPORT_SCHEDULE: '2s,ten' }],
      ['SANDBOX_REPORT_SCHEDULE', { SANDBOX_REPORT_SCHEDULE: '2s,-1s' }],
      ['SANDBOX_REPORT_SCHEDULE', { SANDBOX_REPORT_SCHEDULE: '0ms' }],
      ['SANDBOX_REPORT_SCHEDULE', { SANDBOX_REPORT_SCHEDULE: '2s,25h' }],
      ['SANDBOX_REPORT_SCHEDULE', { SANDBOX_REPORT_SCHEDULE: Array.from({ length: 51 }, () => '1s').join(',') }],
      ['CHANNEL_REPORT_TIMEOUT', { CHANNEL_REPORT_TIMEOUT: '50ms' }],
      ['CHANNEL_REPORT_TIMEOUT', { CHANNEL_REPORT_TIMEOUT: '31s' }],
      ['CHANNEL_REPORT_TIMEOUT', { CHANNEL_REPORT_TIMEOUT: 'soon' }],
    ];
    for (const [variable, env] of bad) expect(configError(env), JSON.stringify(env)).toContain(variable);
    expect(parseReportSchedule(Array.from({ length: 50 }, () => '1s').join(','))).toHaveLength(50);
  });

  it('the next attempt: after attempt n fails, the n-th delay; after the last delay, exhausted (null)', () => {
    const schedule = [2_000, 10_000, 30_000];
    expect(nextReportDelayMs(0, schedule)).toBe(0);
    expect(nextReportDelayMs(1, schedule)).toBe(2_000);
    expect(nextReportDelayMs(2, schedule)).toBe(10_000);
    expect(nextReportDelayMs(3, schedule)).toBe(30_000);
    expect(nextReportDelayMs(4, schedule)).toBeNull();
    expect(nextReportDelayMs(40, schedule)).toBeNull();
    expect(maxReportAttempts(schedule)).toBe(4);
  });

  it('a claim outlasts the longest hand-over, so only a dead claimant lets it lapse', () => {
    for (const timeout of [100, 5_000, 30_000]) expect(reportClaimLeaseMs(timeout)).toBeGreaterThan(timeout + 5_000);
  });
});

describe('sandbox watch after close', () => {
  it('a closed or expired sandbox order is watched until its expiry plus CHANNEL_WATCH_MARGIN', () => {
    const sandbox = createSandboxChannel({ pool: {} as Pool, publicBaseUrl: 'http://127.0.0.1:1' });
    const createdAtMs = Date.UTC(2026, 0, 1, 12, 0, 0);
    const expireAtMs = createdAtMs + 30 * 60_000;
    expect(sandbox.watchUntilMs({ createdAtMs, expireAtMs }, 600_000)).toBe(expireAtMs + 600_000);
    expect(sandbox.watchUntilMs({ createdAtMs, expireAtMs }, 0)).toBe(expireAtMs);
  });
});
