import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, merchantCall, payInSandbox, startStack, testMerchant, type TestStack } from '../support/stack';
import { unifiedOrderFields } from '../support/requests';
import { sign } from '../../domain/signing';
import { setMerchantStatus } from '../../db/merchants';
import type { TestMerchant as Merchant } from '../support/stack-core';
import { orderWorkflowId } from '../../domain/order';

let stack: TestStack;
let merchant: Merchant;

beforeAll(async () => {
  stack = await startStack();
  merchant = await testMerchant(stack.pool);
});
afterAll(async () => {
  await stack?.stop();
});

async function rawPost(path: string, body: string, contentType = 'application/json') {
  const res = await fetch(`${stack.api.url}${path}`, { method: 'POST', headers: { 'Content-Type': contentType }, body });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

describe('merchant API edge', () => {
  it('20 concurrent identical requests create exactly one order and all get the same answer', async () => {
    const fields = unifiedOrderFields({ notifyUrl: 'http://127.0.0.1:9/n' });
    const answers = await Promise.all(Array.from({ length: 20 }, () => merchantCall(stack.api.url, '/api/pay', merchant, fields)));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(new Set(answers.map((a) => a.body.orderId)).size).toBe(1);
    const { rows } = await stack.pool.query('SELECT count(*)::int AS n FROM orders WHERE merc_no = $1 AND merc_order_no = $2', [merchant.mercNo, fields.mercOrderNo]);
    expect(rows[0].n).toBe(1);
  });

  it('keeps the search attributes current so operators can filter orders in the Temporal UI', async () => {
    const fields = unifiedOrderFields({ paywayCode: 'wxpay', sceneCode: 'scan' });
    const placed = await merchantCall(stack.api.url, '/api/pay', merchant, fields);
    const query = `MercNo = "${merchant.mercNo}" AND MercOrderNo = "${fields.mercOrderNo}" AND PayStatus = "p0002" AND PaywayCode = "wxpay" AND Channel = "sandbox" AND OrderId = "${placed.body.orderId}"`;
    const found = await eventually(async () => {
      const ids: string[] = [];
      for await (const wf of stack.client.workflow.list({ query })) ids.push(wf.workflowId);
      return ids.length > 0 ? ids : null;
    }, 15_000, 'visibility');
    expect(found).toEqual([orderWorkflowId(merchant.mercNo, fields.mercOrderNo!)]);
  });

  it('HMAC-SHA256 is accepted as signType and answered with an HMAC-SHA256 signature', async () => {
    const res = await merchantCall(stack.api.url, '/api/pay', merchant, unifiedOrderFields({ signType: 'HMAC-SHA256' }));
    expect(res.body.respCode).toBe('000000');
    const { signature, ...rest } = res.body;
    expect(signature).toBe(sign(rest, merchant.signKey, 'HMAC-SHA256'));
  });

  it('refuses a bad signature (401, 100002), an unknown or disabled merchant (403, 100003) and writes nothing', async () => {
    const fields = unifiedOrderFields();
    const payload = { ...fields, mercNo: merchant.mercNo };
    const bad = await rawPost('/api/pay', JSON.stringify({ ...payload, signature: sign(payload, 'wrong-key', 'MD5') }));
    expect(bad.status).toBe(401);
    expect(bad.body.respCode).toBe('100002');
    const missing = await rawPost('/api/pay', JSON.stringify(payload));
    expect(missing).toMatchObject({ status: 401, body: { respCode: '100002' } });
    const unknown = await rawPost('/api/pay', JSON.stringify({ ...payload, mercNo: 'NOSUCHMERCHANT', signature: 'X' }));
    expect(unknown).toMatchObject({ status: 403, body: { respCode: '100003' } });

    const disabled = await testMerchant(stack.pool);
    await setMerchantStatus(stack.pool, disabled.mercNo, 'disabled');
    expect((await merchantCall(stack.api.url, '/api/pay', disabled, fields)).body.respCode).toBe('100003');

    const { rows } = await stack.pool.query('SELECT count(*)::int AS n FROM orders WHERE merc_order_no = $1', [fields.mercOrderNo]);
    expect(rows[0].n).toBe(0);
  });

  it('answers malformed bodies with 4xx and a respCode, never 5xx', async () => {
    const cases: [string, string, number][] = [
      ['{"mercNo":', 'application/json', 400],
      ['[]', 'application/json', 400],
      ['"just a string"', 'application/json', 400],
      ['mercNo=x&signature=y', 'application/x-www-form-urlencoded', 400],
      [JSON.stringify({ mercNo: merchant.mercNo, tradeAmt: 1.23 }), 'application/json', 400],
      [JSON.stringify({ mercNo: 'x'.repeat(5000) }), 'application/json', 400],
      [JSON.stringify({ mercNo: merchant.mercNo, pad: 'x'.repeat(70_000) }), 'application/json', 413],
    ];
    for (const [body, type, status] of cases) {
      const res = await rawPost('/api/pay', body, type);
      expect(res.status, body.slice(0, 40)).toBe(status);
      expect(res.body.respCode).toBe('100001');
    }
  });

  it('a mercNo that cannot be a merchant number (a colon, NUL, spaces) is 400 / 100001 naming mercNo, for every interface', async () => {
    for (const path of ['/api/pay', '/api/query', '/api/close']) {
      for (const mercNo of [`${merchant.mercNo}:x`, 'A\u0000B', 'has space']) {
        const res = await rawPost(path, JSON.stringify({ mercNo, signType: 'MD5', signature: 'x' }));
        expect(res.status, `${path} ${JSON.stringify(mercNo)}`).toBe(400);
        expect(res.body).toMatchObject({ respCode: '100001' });
        expect(res.body.respDesc).toContain('mercNo');
      }
    }
  });

  it('names the field and the rule of a validation error, in a signed answer', async () => {
    const res = await merchantCall(stack.api.url, '/api/pay', merchant, unifiedOrderFields({ tradeAmt: '1.234' }));
    expect(res.status).toBe(400);
    expect(res.body.respCode).toBe('100001');
    expect(res.body.respDesc).toContain('tradeAmt');
    expect(res.body.respDesc).toContain('two decimals');
    const { signature, ...rest } = res.body;
    expect(signature).toBe(sign(rest, merchant.signKey, 'MD5'));
  });

  it('query of an unknown order answers 404 / 100005', async () => {
    const res = await merchantCall(stack.api.url, '/api/query', merchant, { mercOrderNo: 'NOPE' });
    expect(res).toMatchObject({ status: 404, body: { respCode: '100005' } });
  });

  it('close: an unpaid order becomes p0005 once the channel confirms; again answers the same; a paid order cannot close', async () => {
    const fields = unifiedOrderFields({ notifyUrl: 'http://127.0.0.1:9/n' });
    const placed = await merchantCall(stack.api.url, '/api/pay', merchant, fields);
    const closed = await merchantCall(stack.api.url, '/api/close', merchant, { mercOrderNo: fields.mercOrderNo! });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ respCode: '000000', interfaceCode: 'close', payStatus: 'p0005', orderId: placed.body.orderId });
    const { signature, ...rest } = closed.body;
    expect(signature).toBe(sign(rest, merchant.signKey, 'MD5'));
    // The payer can no longer pay it; the query shows p0005.
    const channelOrderNo = new URL(placed.body.codeUrl!).pathname.split('/').pop()!;
    expect((await payInSandbox(stack.api.url, channelOrderNo)).body.paid).toBe(false);
    expect((await merchantCall(stack.api.url, '/api/query', merchant, { orderId: placed.body.orderId! })).body.payStatus).toBe('p0005');
    // Closing again, also once the workflow has finished, answers the same.
    const again = await merchantCall(stack.api.url, '/api/close', merchant, { orderId: placed.body.orderId! });
    expect(again.body).toMatchObject({ respCode: '000000', payStatus: 'p0005' });

    const paidFields = unifiedOrderFields({ notifyUrl: 'http://127.0.0.1:9/n' });
    const paidOrder = await merchantCall(stack.api.url, '/api/pay', merchant, paidFields);
    await payInSandbox(stack.api.url, new URL(paidOrder.body.codeUrl!).pathname.split('/').pop()!);
    await eventually(async () => (await merchantCall(stack.api.url, '/api/query', merchant, { orderId: paidOrder.body.orderId! })).body.payStatus === 'p0000', 10_000, 'paid');
    const refused = await merchantCall(stack.api.url, '/api/close', merchant, { orderId: paidOrder.body.orderId! });
    expect(refused.status).toBe(409);
    expect(refused.body.respCode).toBe('100006');
    expect(refused.body.respDesc).toContain('p0000');
  });

  it.each([
    ['alipay', 'scan', ['codeUrl', 'imgUrl']],
    ['wxpay', 'scan', ['codeUrl', 'imgUrl']],
    ['unionpay', 'scan', ['codeUrl', 'imgUrl']],
    ['alipay', 'h5', ['mwebUrl']],
    ['wxpay', 'h5', ['mwebUrl']],
    ['unionpay', 'h5', ['mwebUrl']],
    ['alipay', 'app', ['payInfo']],
    ['wxpay', 'jspay', ['payInfo']],
    ['alipay', 'jspay', ['payInfo']],
    ['unionpay', 'app', ['payInfo']],
    ['unionpay', 'ebank', ['resultHtml']],
    ['alipay', 'gateway', ['resultHtml']],
    ['unionpay', 'gateway', ['resultHtml']],
  ])('%s %s answers with %j and only the credential of its scene', async (paywayCode, sceneCode, expected) => {
    const extra: Record<string, string> = paywayCode === 'wxpay' && sceneCode === 'h5'
      ? { deviceInfo: 'WAP_SDK', mchAppName: 'Shop', mchAppId: 'https://shop.example' }
      : sceneCode === 'ebank' ? { bankCode: 'ICBC', payType: '1' } : {};
    const res = await merchantCall(stack.api.url, '/api/pay', merchant, unifiedOrderFields({ paywayCode, sceneCode, ...extra }));
    expect(res.body.respCode).toBe('000000');
    const credentials = ['codeUrl', 'imgUrl', 'mwebUrl', 'payInfo', 'resultHtml'].filter((k) => res.body[k] !== undefined);
    expect(credentials).toEqual(expected);
    if (expected.includes('resultHtml')) expect(res.body.resultHtml).toMatch(/<form[^>]*>.*<\/form>.*submit\(\)/s);
    if (expected.includes('payInfo')) expect(JSON.parse(res.body.payInfo!)).toHaveProperty('payUrl');
    if (expected.includes('imgUrl')) {
      const img = await fetch(res.body.imgUrl!);
      expect(img.status).toBe(200);
      expect(await img.text()).toContain('<svg');
    }
  });
});
