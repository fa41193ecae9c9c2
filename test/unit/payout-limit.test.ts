import { describe, expect, it } from 'vitest';
import { parsePayoutLimit } from '../../domain/payout';

describe('parsePayoutLimit (admin API dailyLimit, CLI --daily-limit, create-merchant --payout-daily-limit)', () => {
  it.each([['0', 0], ['0.0', 0], ['0.00', 0], ['0.01', 1], ['200.5', 20_050], ['20000.00', 2_000_000], ['9999999999999.99', 999_999_999_999_999]])('%s yuan is %d fen', (text, fen) => {
    expect(parsePayoutLimit(text)).toEqual({ ok: true, fen });
  });
  it.each(['', '1.234', '-1', '01', '00', '1e5', ' 1', '1,000.00', '10000000000000', '.5', '5.'])('refuses %j naming the rule', (text) => {
    expect(parsePayoutLimit(text)).toEqual({ ok: false, rule: expect.stringContaining('must be yuan with at most two decimals') });
  });
});
