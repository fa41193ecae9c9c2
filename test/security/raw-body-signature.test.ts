import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { merchantCall, payInSandbox, startStack, testMerchant, type TestMerchant, type TestStack } from '../support/stack';
import { MerchantReceiver } from '../support/merchant-receiver';
import { unifiedOrderFields } from '../support/requests';
import { parseSignatureHeader, rawSignatureMatches, SIGNATURE_HEADER, signatureHeaderValue } from '../../domain/raw-signature';

// Finding 2 (signature splitting), the strong form: HMAC-SHA256 over the exact raw body with a timestamp in the
// Paydurable-Signature header, 5-minute tolerance, a replay cache, and per-merchant sign types.
let stack: TestStack;
const receivers: MerchantReceiver[] = [];

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.stop()));
  await stack?.stop();
});

async function rawCall(merchant: TestMerchant, path: string, body: string, header: string) {
  const res = await fetch(`${stack.api.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', [SIGNATURE_HEADER]: header }, body });
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text) as Record<string, string>, header: res.headers.get(SIGNATURE_HEADER) };
}
const nowT = () => Math.floor(Date.now() / 1000);
const verifies = (key: string, header: string | null, text: string) => {
  const parsed = header ? parseSignatureHeader(header) : 'absent';
  return typeof parsed !== 'string' && rawSignatureMatches(key, parsed, text) !== null;
};

describe('raw-body signature (HMAC-SHA256-RAW)', () => {
  it('is accepted once within the tolerance; the answer is signed over its own body; a replay, a stale t or another body is 100002', async () => {
    const merchant = await testMerchant(stack.pool, { signTypes: ['HMAC-SHA256-RAW'] });
    const receiver = await new MerchantReceiver().start();
    receivers.push(receiver);
    const { signType: _fieldForm, ...fields } = unifiedOrderFields({ notifyUrl: receiver.url });
    const body = JSON.stringify({ ...fields, mercNo: merchant.mercNo });
    const header = signatureHeaderValue([merchant.signKey], nowT(), body);
    const first = await rawCall(merchant, '/api/pay', body, header);
    expect(first.body, first.text).toMatchObject({ respCode: '000000', livemode: 'false' });
    expect(first.body.signature).toBeUndefined();
    expect(verifies(merchant.signKey, first.header, first.text)).toBe(true);

    const replay = await rawCall(merchant, '/api/pay', body, header);
    expect(replay.status).toBe(401);
    expect(replay.body).toMatchObject({ respCode: '100002' });
    expect(replay.body.respDesc).toContain('already accepted');

    const stale = await rawCall(merchant, '/api/pay', body, signatureHeaderValue([merchant.signKey], nowT() - 301, body));
    expect(stale.body.respCode).toBe('100002');
    expect(stale.body.respDesc).toContain('300 s');

    // The same header over a body with one byte changed (the amount): refused.
    const tampered = body.replace(`"tradeAmt":"${fields.tradeAmt}"`, '"tradeAmt":"0.02"');
    expect(tampered).not.toBe(body);
    const t = nowT();
    const forged = await rawCall(merchant, '/api/pay', tampered, signatureHeaderValue([merchant.signKey], t, body));
    expect(forged.body).toMatchObject({ respCode: '100002' });
    expect(forged.body.respDesc).toContain('does not match');

    // Signed anew (new t), the repeat is the same order again: idempotent.
    const again = await rawCall(merchant, '/api/pay', body, signatureHeaderValue([merchant.signKey], nowT() + 1, body));
    expect(again.body).toMatchObject({ respCode: '000000', orderId: first.body.orderId });

    // Its notification carries the header over the exact body it sends.
    await payInSandbox(stack.api.url, decodeURIComponent(new URL(first.body.codeUrl!).pathname.split('/').pop()!));
    await receiver.waitFor(1);
    const [sent] = receiver.received;
    expect(sent!.body).toMatchObject({ signType: 'HMAC-SHA256-RAW', livemode: 'false', payStatus: 'p0000' });
    expect(sent!.body.signature).toBeUndefined();
    expect(verifies(merchant.signKey, String(sent!.headers[SIGNATURE_HEADER.toLowerCase()]), sent!.raw)).toBe(true);
  });

  it('a merchant gets only the sign types it has enabled: new merchants the raw-body form, not the legacy MD5', async () => {
    const merchant = await testMerchant(stack.pool, { signTypes: ['HMAC-SHA256-RAW'] });
    const md5 = await merchantCall(stack.api.url, '/api/pay', merchant, unifiedOrderFields({ signType: 'MD5' }));
    expect(md5.status).toBe(400);
    expect(md5.body).toMatchObject({ respCode: '100001' });
    expect(md5.body.respDesc).toContain('MD5 is not enabled for this merchant');
    const def = (await stack.pool.query<{ d: string }>(
      "SELECT column_default AS d FROM information_schema.columns WHERE table_name = 'merchants' AND column_name = 'sign_types'",
    )).rows[0]!.d;
    expect(def).toContain('HMAC-SHA256-RAW');
    expect(def).not.toContain('MD5');
  });

  it('a malformed header is 100002 naming the rule, never a 5xx', async () => {
    const merchant = await testMerchant(stack.pool);
    const body = JSON.stringify({ mercNo: merchant.mercNo, mercOrderNo: 'X1' });
    for (const header of ['garbage', 't=abc,v1=00', `t=${nowT()}`, `t=${nowT()},v1=${'0'.repeat(63)}`]) {
      const res = await rawCall(merchant, '/api/query', body, header);
      expect(res.status, header).toBe(401);
      expect(res.body.respCode, header).toBe('100002');
    }
  });
});
