import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config';
import { errorExcerpt } from '../../db/channel-calls';
import { ApiError, SupportError } from '../../domain/errors';
import { RESP_CODES } from '../../domain/resp-codes';
import { BulkReplayBodySchema, parseSupport } from '../../api/schemas/support';

const base = { DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db' };

describe('ADMIN_TOKENS', () => {
  it('is a comma-separated list; unset or empty means the support API is off', () => {
    expect(loadConfig(base).support.adminTokens).toEqual([]);
    expect(loadConfig({ ...base, ADMIN_TOKENS: ' ' }).support.adminTokens).toEqual([]);
    const tokens = loadConfig({ ...base, ADMIN_TOKENS: 'a'.repeat(16) + ', ' + 'b'.repeat(40) }).support.adminTokens;
    expect(tokens).toEqual(['a'.repeat(16), 'b'.repeat(40)]);
  });

  it('refuses short or non-printable tokens at boot, naming the variable', () => {
    for (const bad of ['short', `${'a'.repeat(20)},tiny`, `${'a'.repeat(10)} ${'b'.repeat(10)}`]) {
      expect(() => loadConfig({ ...base, ADMIN_TOKENS: bad })).toThrow(ConfigError);
      expect(() => loadConfig({ ...base, ADMIN_TOKENS: bad })).toThrow(/ADMIN_TOKENS: token #\d must be 16 to 256 visible ASCII/);
    }
  });
});

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
    expect(Object.keys(RESP_CODES).sort()).toEqual(['000000', '100001', '100002', '100003', '100004', '100005', '100006', '100009', '200001', '200002', '999999']);
  });

  it('parseSupport names the field and the rule', () => {
    expect(() => parseSupport(BulkReplayBodySchema, { filter: {}, ratePerSecond: 0 })).toThrow('ratePerSecond must be at least 1');
    expect(() => parseSupport(BulkReplayBodySchema, { filter: { merc: 'x' } })).toThrow('merc is not a known field');
    expect(parseSupport(BulkReplayBodySchema, { filter: { from: '2025-01-01' } })).toEqual({
      filter: { from: Date.UTC(2025, 0, 1) }, dryRun: false, ratePerSecond: 5,
    });
  });
});
