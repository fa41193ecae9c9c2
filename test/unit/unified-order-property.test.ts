import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseUnifiedOrder } from '../../api/schemas/unified-order';
import { ApiError } from '../../domain/errors';
import { unifiedOrderArbitrary } from '../support/arbitraries';

const now = Date.now();

describe('unified order validation, property-based', () => {
  it('every generated request is either a draft or an ApiError naming a field; valid ones never get 100001', () => {
    fc.assert(
      fc.property(unifiedOrderArbitrary(now), ({ fields, valid }) => {
        const strings = Object.fromEntries(Object.entries(fields).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
        try {
          const draft = parseUnifiedOrder({ ...strings, mercNo: 'M1' }, 'MD5', now);
          expect(Number.isSafeInteger(draft.amountFen) && draft.amountFen > 0).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(ApiError);
          const e = err as ApiError;
          expect(['100001', '200002']).toContain(e.respCode);
          expect(e.field).toBeTruthy();
          if (valid && Object.keys(strings).length === Object.keys(fields).length) expect(e.respCode).not.toBe('100001');
        }
      }),
      { numRuns: 10_000 },
    );
  });
});
