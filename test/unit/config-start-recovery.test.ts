import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config';

describe.each([
  ['REFUND_START_RECOVERY_AFTER', (c: ReturnType<typeof loadConfig>) => c.refunds.startRecoveryAfterMs],
  ['PAYOUT_START_RECOVERY_AFTER', (c: ReturnType<typeof loadConfig>) => c.payouts.startRecoveryAfterMs],
] as const)('%s', (name, read) => {
  const base = { DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db' };
  it('defaults to 1 minute and reads durations', () => {
    expect(read(loadConfig(base))).toBe(60_000);
    expect(read(loadConfig({ ...base, [name]: '300ms' }))).toBe(300);
  });
  it.each(['50ms', '2d', 'soon', ''])('%j stops the process naming the variable', (value) => {
    expect(() => loadConfig({ ...base, [name]: value })).toThrow(new RegExp(name));
  });
});
