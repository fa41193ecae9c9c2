import { describe, expect, it } from 'vitest';
import { answeredSuccess, rejected } from '../../cli/merchant/certify-checks';
import { formatTable } from '../../cli/merchant/certify';

const answer = (httpStatus: number | null, body: string, latencyMs = 10, error: string | null = null) => ({ httpStatus, body, latencyMs, error });

describe('merchant certify checks', () => {
  it('success is a 2xx with the body `success` (surrounding whitespace ignored, as the platform does) within the limit', () => {
    expect(answeredSuccess(answer(200, 'success'), 5_000).pass).toBe(true);
    expect(answeredSuccess(answer(204, ' success\n'), 5_000).pass).toBe(true);
    expect(answeredSuccess(answer(200, 'SUCCESS'), 5_000).pass).toBe(false);
    expect(answeredSuccess(answer(200, '{"code":"success"}'), 5_000).pass).toBe(false);
    expect(answeredSuccess(answer(500, 'success'), 5_000).pass).toBe(false);
    expect(answeredSuccess(answer(302, 'success'), 5_000).pass).toBe(false);
    const slow = answeredSuccess(answer(200, 'success', 5_001), 5_000);
    expect(slow).toMatchObject({ pass: false, check: 'answered `success` within 5 s' });
    expect(slow.detail).toContain('too slow');
    expect(answeredSuccess(answer(null, '', 10_000, 'no answer within 10000 ms'), 5_000).detail).toContain('no answer');
  });

  it('a forged notification must be answered, and not with success', () => {
    expect(rejected(answer(200, 'fail')).pass).toBe(true);
    expect(rejected(answer(401, 'bad signature')).pass).toBe(true);
    expect(rejected(answer(200, 'success'))).toMatchObject({ pass: false, detail: expect.stringContaining('forged notification was accepted') });
    expect(rejected(answer(null, '', 10_000, 'ECONNRESET')).pass).toBe(false);
  });

  it('the table lists every check of each case, the case named once', () => {
    const table = formatTable([
      { name: 'paid', checks: [answeredSuccess(answer(200, 'success', 3), 5_000)] },
      { name: 'slow retry', checks: [{ check: 'the platform retried', pass: true, detail: 'attempt 2' }, answeredSuccess(answer(200, 'fail'), 5_000)] },
    ]).split('\n');
    expect(table[0]).toMatch(/^case\s+check\s+result\s+detail$/);
    expect(table[2]).toMatch(/^paid\s+answered `success` within 5 s\s+PASS\s+HTTP 200 "success" in 3 ms$/);
    expect(table[3]).toMatch(/^slow retry\s+the platform retried\s+PASS\s+attempt 2$/);
    expect(table[4]).toMatch(/^\s+answered `success` within 5 s\s+FAIL\s+HTTP 200 "fail" in 10 ms$/);
  });
});
