import fc from 'fast-check';
import { formatCompactTime } from '../../domain/time';

/**
 * fast-check generators of unified-order requests derived from the field rules: each field is either a valid value,
 * or absent, empty, too long, outside its enum, an injection/unicode string, or not a string at all.
 */
const hostileStrings = [
  "' OR 1=1 --", '<script>alert(1)</script>', '${jndi:ldap://x}', '../../etc/passwd', '\u0000', '\u202e', '😀'.repeat(40),
  '１２３', ' 1.23', 'NaN', '-0.01', '1e2', '\n', '%00', '{"a":1}', 'null',
];
const nonStrings: fc.Arbitrary<unknown> = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({}));

export interface GeneratedRequest {
  fields: Record<string, unknown>;
  /** True when every field was drawn from its valid values (the request may still be an unsupported combination). */
  valid: boolean;
}

/** A wrong value for a field of at most `maxLen` characters (or no value at all). */
function mutation(maxLen: number): fc.Arbitrary<{ value: unknown } | null> {
  return fc.oneof(
    fc.constant(null),
    fc.constant({ value: '' }),
    fc.string({ minLength: maxLen + 1, maxLength: maxLen + 20 }).map((value) => ({ value })),
    fc.constantFrom(...hostileStrings).map((value) => ({ value })),
    fc.string({ unit: 'grapheme', maxLength: 20 }).map((value) => ({ value })),
    nonStrings.map((value) => ({ value })),
  );
}

export function unifiedOrderArbitrary(nowMs: number): fc.Arbitrary<GeneratedRequest> {
  const spec: Record<string, [fc.Arbitrary<string>, number]> = {
    mercOrderNo: [fc.stringMatching(/^[A-Za-z0-9_-]{1,32}$/), 32],
    subject: [fc.string({ minLength: 1, maxLength: 100 }), 100],
    tradeType: [fc.constantFrom('01', '01', '01', '02', '03'), 2],
    tradeAmt: [fc.tuple(fc.integer({ min: 0, max: 999999 }), fc.integer({ min: 1, max: 99 })).map(([y, f]) => `${y}.${String(f).padStart(2, '0')}`), 12],
    feeType: [fc.constant('CNY'), 3],
    tradeTime: [fc.integer({ min: 0, max: 600 }).map((s) => formatCompactTime(nowMs - s * 1000)), 14],
    orderPeriod: [fc.integer({ min: 15, max: 1440 }).map(String), 14],
    notifyUrl: [fc.constantFrom('http://127.0.0.1:9/n', 'https://merchant.example/notify?x=1'), 200],
    returnUrl: [fc.constantFrom('https://merchant.example/return'), 200],
    termType: [fc.constantFrom('wap', 'pc', 'app'), 8],
    paywayCode: [fc.constantFrom('alipay', 'wxpay', 'unionpay'), 20],
    sceneCode: [fc.constantFrom('h5', 'app', 'scan', 'jspay', 'gateway'), 20],
    ip: [fc.oneof(fc.ipV4(), fc.ipV6().filter((s) => s.length <= 32)), 32],
    attach: [fc.string({ maxLength: 128 }), 128],
    remark: [fc.string({ maxLength: 100 }), 100],
  };
  const names = Object.keys(spec);
  const validRecord = fc.record(Object.fromEntries(names.map((n) => [n, spec[n]![0]])) as Record<string, fc.Arbitrary<string>>);
  const mutations = fc.uniqueArray(fc.constantFrom(...names), { maxLength: 3 }).chain((picked) =>
    fc.tuple(...picked.map((n) => mutation(spec[n]![1]).map((m) => [n, m] as const))));
  return fc.tuple(validRecord, fc.oneof(fc.constant([] as const), mutations)).map(([record, muts]) => {
    const fields: Record<string, unknown> = { ...record };
    // Cross-field rules: WeChat H5 needs the app fields.
    if (fields.paywayCode === 'wxpay' && fields.sceneCode === 'h5') {
      Object.assign(fields, { deviceInfo: 'WAP_SDK', mchAppName: 'Shop', mchAppId: 'https://shop.example' });
    }
    // Payouts (tradeType 02/03) need their payee.
    if (fields.tradeType === '02' || fields.tradeType === '03') {
      Object.assign(fields, { payeeAccount: 'payee@example.com', payeeName: 'Payee', payeeAccountType: 'alipay_logon_id' });
    }
    let valid = true;
    for (const [name, m] of muts) {
      valid = false;
      if (m === null) delete fields[name];
      else fields[name] = m.value;
    }
    return { fields, valid };
  });
}
