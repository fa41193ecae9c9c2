import { describe, expect, it } from 'vitest';
import { errorExcerpt } from '../../db/channel-calls';
import { ApiError, SupportError } from '../../domain/errors';
import { RESP_CODES } from '../../domain/resp-codes';
import { BulkReplayBodySchema, parseSupport } from '../../api/schemas/support';

describe('channel call error excerpts', () => {
  it('mask credentials and stay short', () => {
    expect(errorExcerpt('POST failed: appKey=abc123&mhtSignature=DEADBEEF&x=1')).toBe('POST failed: appKey=[redacted]&mhtSignature=[redacted]&x=1');
    expect(errorExcerpt('{"token": "s3cret", "ok": 1}')).toBe('{"token": "[redacted]", "ok": 1}');
    expect(errorExcerpt('x'.repeat(500))).toHaveLength(200);
    expect(errorExcerpt(null)).toBeNull();
  });
});

describe('SupportError', () => {
  it('is an ApiError whose respCode has the same HTTP status as its code; the merchant table is unchanged', () => {
    const cases = [['invalid_request', 400], ['unauthorized', 401], ['not_found', 404], ['conflict', 409], ['too_many_requests', 429], ['not_configured', 503]] as const;
    for (const [code, status] of cases) {
      const e = new SupportError(code, 'plain message');
      expect(e).toBeInstanceOf(ApiError);
      expect(e.httpStatus).toBe(status);
      expect(e.message).toBe('plain message');
    }
    expect(Object.keys(RESP_CODES).sort()).toEqual(['000000', '100001', '100002', '100003', '100004', '100005', '100006', '100009', '100010', '100011', '100012', '200001', '200002', '999999']);
  });

  it('parseSupport names the field and the rule', () => {
    expect(() => parseSupport(BulkReplayBodySchema, { filter: {}, ratePerSecond: 0 })).toThrow('ratePerSecond must be at least 1');
    expect(() => parseSupport(BulkReplayBodySchema, { filter: { merc: 'x' } })).toThrow('merc is not a known field');
    expect(parseSupport(BulkReplayBodySchema, { filter: { from: '2025-01-01' } })).toEqual({
      filter: { from: Date.UTC(2025, 0, 1) }, dryRun: false, ratePerSecond: 5,
    });
  });
});
