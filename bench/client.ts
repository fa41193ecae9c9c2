import { sign } from '../domain/signing';
import { formatCompactTime } from '../domain/time';

// Node's fetch keeps connections alive, as a merchant's HTTP client would.

export interface Merchant { mercNo: string; key: string }

export async function placeOrder(apiUrl: string, m: Merchant, mercOrderNo: string, notifyUrl: string, orderPeriodMin = 30): Promise<Record<string, string>> {
  const fields: Record<string, string> = {
    mercNo: m.mercNo, mercOrderNo, subject: 'Benchmark order', tradeType: '01', tradeAmt: '0.01', feeType: 'CNY',
    tradeTime: formatCompactTime(Date.now()), orderPeriod: String(orderPeriodMin), notifyUrl,
    returnUrl: 'http://127.0.0.1/return', termType: 'wap', paywayCode: 'alipay', sceneCode: 'scan', ip: '127.0.0.1',
    signType: 'MD5',
  };
  const body = JSON.stringify({ ...fields, signature: sign(fields, m.key, 'MD5') });
  // 999999 means "busy: send the same request again" — a merchant retries it, and so does the benchmark.
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(`${apiUrl}/api/pay`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    const answer = (await res.json()) as Record<string, string>;
    if (answer.respCode === '000000') return { ...answer, attempts: String(attempt) };
    if (answer.respCode !== '999999' || attempt >= 5) throw new Error(`unified order failed: ${answer.respCode} ${answer.respDesc}`);
  }
}

/** The payer pays at the cashier the unified-order answer's codeUrl points at. */
export async function payInSandbox(apiUrl: string, codeUrl: string): Promise<void> {
  const channelOrderNo = decodeURIComponent(new URL(codeUrl).pathname.split('/').pop() ?? '');
  const res = await fetch(`${apiUrl}/sandbox/api/pay`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ channelOrderNo }),
  });
  const body = (await res.json()) as { paid?: boolean };
  if (!body.paid) throw new Error(`sandbox payment of ${channelOrderNo} failed`);
}
