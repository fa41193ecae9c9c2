import { formatCompactTime } from '../../domain/time';

/** A valid unified-order request body (unsigned) for tests; override any field. */
export function unifiedOrderFields(overrides: Record<string, string> = {}, nowMs = Date.now()): Record<string, string> {
  return {
    mercNo: 'ORG1000000000001',
    mercOrderNo: `T${nowMs}${Math.floor(Math.random() * 1e6)}`,
    subject: 'Test goods',
    tradeType: '01',
    tradeAmt: '1.23',
    feeType: 'CNY',
    tradeTime: formatCompactTime(nowMs),
    orderPeriod: '30',
    notifyUrl: 'http://127.0.0.1:9/notify',
    returnUrl: 'http://127.0.0.1:9/return',
    termType: 'wap',
    paywayCode: 'alipay',
    sceneCode: 'scan',
    ip: '203.0.113.7',
    signType: 'MD5',
    ...overrides,
  };
}
