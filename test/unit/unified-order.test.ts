import { describe, expect, it } from 'vitest';
import { parseUnifiedOrder } from '../../api/schemas/unified-order';
import { ApiError } from '../../domain/errors';
import { unifiedOrderFields } from '../support/requests';

const now = Date.UTC(2026, 10, 22, 2, 0, 0);

function errorOf(overrides: Record<string, string>, remove: string[] = []): ApiError {
  const fields = unifiedOrderFields(overrides, now);
  for (const f of remove) delete fields[f];
  try {
    parseUnifiedOrder(fields, 'MD5', now);
  } catch (err) {
    if (err instanceof ApiError) return err;
    throw err;
  }
  throw new Error('expected a validation error');
}

describe('unified order validation', () => {
  it('turns a valid request into a draft with integer fen and the expiry', () => {
    const draft = parseUnifiedOrder(unifiedOrderFields({ tradeAmt: '19.9', orderPeriod: '15' }, now), 'MD5', now);
    expect(draft.amountFen).toBe(1990);
    expect(draft.expireAtMs - now).toBe(15 * 60_000);
    expect(draft.feeType).toBe('CNY');
  });

  it.each([
    [{ mercOrderNo: '' }, [], 'mercOrderNo', 'is required'],
    [{ mercOrderNo: 'x'.repeat(33) }, [], 'mercOrderNo', 'at most 32'],
    [{ mercOrderNo: 'has space' }, [], 'mercOrderNo', 'visible ASCII'],
    [{ subject: '', body: '' }, [], 'subject', 'or body is required'],
    [{ subject: 's'.repeat(101) }, [], 'subject', 'at most 100'],
    [{ subject: 'a\u0000b' }, [], 'subject', 'control characters'],
    [{ attach: '\u001b[31m' }, [], 'attach', 'control characters'],
    [{ tradeType: '09' }, [], 'tradeType', 'one of 01, 02, 03'],
    [{ tradeAmt: '1.234' }, [], 'tradeAmt', 'two decimals'],
    [{ tradeAmt: '0.00' }, [], 'tradeAmt', 'greater than 0'],
    [{ tradeAmt: '1234567890123' }, [], 'tradeAmt', 'at most 12'],
    [{ feeType: 'USD' }, [], 'feeType', 'CNY'],
    [{ tradeTime: '2026-11-22' }, [], 'tradeTime', 'yyyyMMddHHmmss'],
    [{ tradeTime: '20261131100000' }, [], 'tradeTime', 'real time'],
    [{ tradeTime: '20200101000000' }, [], 'tradeTime', 'already in the past'],
    [{ orderPeriod: '0' }, [], 'orderPeriod', 'between 1 and 1440'],
    [{ orderPeriod: '1.5' }, [], 'orderPeriod', 'whole number'],
    [{ notifyUrl: 'ftp://x/y' }, [], 'notifyUrl', 'http or https'],
    [{}, ['returnUrl'], 'returnUrl', 'is required'],
    [{ termType: 'tv' }, [], 'termType', 'one of wap, pc, app'],
    [{ paywayCode: 'paypal' }, [], 'paywayCode', 'one of alipay, wxpay, unionpay'],
    [{ sceneCode: 'nfc' }, [], 'sceneCode', 'one of'],
    [{ ip: '999.1.1.1' }, [], 'ip', 'IPv4 or IPv6'],
    [{ paywayCode: 'wxpay', sceneCode: 'h5' }, [], 'deviceInfo', 'WeChat H5'],
    [{ paywayCode: 'unionpay', sceneCode: 'ebank' }, [], 'bankCode', 'e-bank'],
    [{ payType: '2' }, [], 'payType', 'only for e-bank'],
    [{ deviceInfo: 'PS5' }, [], 'deviceInfo', 'one of IOS_SDK'],
  ] as const)('%j %j → 100001 naming %s', (overrides, remove, field, rule) => {
    const err = errorOf(overrides as Record<string, string>, [...remove]);
    expect(err.respCode).toBe('100001');
    expect(err.field).toBe(field);
    expect(err.message).toContain(rule);
  });

  it.each([
    [{ paywayCode: 'wxpay', sceneCode: 'gateway' }, 'sceneCode'],
    [{ paywayCode: 'alipay', sceneCode: 'ebank', bankCode: 'ICBC' }, 'sceneCode'],
  ])('%j is valid but not offered → 200002', (overrides, field) => {
    const err = errorOf(overrides);
    expect(err.respCode).toBe('200002');
    expect(err.field).toBe(field);
  });
});
