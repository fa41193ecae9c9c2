import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config';

describe('REFUND_START_RECOVERY_AFTER', () => {
  const base = { DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db' };
  it('defaults to 1 minute and reads durations', () => {
    expect(loadConfig(base).refunds.startRecoveryAfterMs).toBe(60_000);
    expect(loadConfig({ ...base, REFUND_START_RECOVERY_AFTER: '300ms' }).refunds.startRecoveryAfterMs).toBe(300);
  });
  it.each(['50ms', '2d', 'soon', ''])('%j stops the process naming the variable', (value) => {
    expect(() => loadConfig({ ...base, REFUND_START_RECOVERY_AFTER: value })).toThrow(/REFUND_START_RECOVERY_AFTER/);
  });
});
