import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../config/logger';

/** A logger writing into an array of lines (pino writes one JSON line per call). */
function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { log: createLogger('info', 'test', stream), lines };
}

const SECRETS = {
  merchantKey: 'MERCHANT-KEY-0123456789ABCDEF',
  signature: 'B130A883BEC11810A5F2C53DBB944FE0',
  appKey: 'IPAYNOW-APP-KEY-secret',
  body: 'tradeAmt=88.00&mercOrderNo=D20240618125826',
  bearer: 'Bearer admin-token-secret',
  apiKey: 'temporal-cloud-api-key-secret',
};

describe('structured logs redact keys, signatures and payloads', () => {
  it('a line carrying a key, a signature and a body keeps identifiers and loses the secrets', () => {
    const { log, lines } = capture();
    log.info({
      orderId: '2024061812582900001378',
      mercNo: 'ORG1000000000001',
      key: SECRETS.merchantKey,
      signature: SECRETS.signature,
      body: SECRETS.body,
      request: { signature: SECRETS.signature, mhtSignature: SECRETS.signature, appKey: SECRETS.appKey, payload: SECRETS.body },
      req: { headers: { authorization: SECRETS.bearer } },
      merchant: { mercNo: 'ORG1000000000001', signKey: SECRETS.merchantKey },
      temporal: { address: 'ns.example:7233', apiKey: SECRETS.apiKey },
    }, 'notification sent');
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    for (const [name, secret] of Object.entries(SECRETS)) expect(line, name).not.toContain(secret);
    const entry = JSON.parse(line) as Record<string, unknown> & { request: Record<string, unknown>; merchant: Record<string, unknown> };
    expect(entry).toMatchObject({ orderId: '2024061812582900001378', mercNo: 'ORG1000000000001', msg: 'notification sent', name: 'test' });
    expect(entry.key).toBe('[redacted]');
    expect(entry.signature).toBe('[redacted]');
    expect(entry.body).toBe('[redacted]');
    expect(entry.request).toEqual({ signature: '[redacted]', mhtSignature: '[redacted]', appKey: '[redacted]', payload: '[redacted]' });
    expect(entry.merchant).toEqual({ mercNo: 'ORG1000000000001', signKey: '[redacted]' });
  });

  it('the admin API\'s key material (new merchant keys, channel account credentials) is redacted too', () => {
    const { log, lines } = capture();
    const material = { liveKey: 'LIVE-KEY-secret-0001', testKey: 'TEST-KEY-secret-0002', secret: 'ROTATED-secret-0003', privateKey: '-----BEGIN PRIVATE KEY-----secret', apiV3Key: 'APIV3-secret-000000000000000000' };
    log.warn({ mercNo: 'ORG1', ...material, account: { appId: 'wx0123456789abcdef', privateKey: material.privateKey, apiV3Key: material.apiV3Key } }, 'admin change');
    for (const [name, secret] of Object.entries(material)) expect(lines[0], name).not.toContain(secret);
    expect(JSON.parse(lines[0]!)).toMatchObject({ mercNo: 'ORG1', account: { appId: 'wx0123456789abcdef', privateKey: '[redacted]' } });
  });

  it('a whole body object is replaced, not walked', () => {
    const { log, lines } = capture();
    log.warn({ body: { mercOrderNo: 'X1', signature: SECRETS.signature, tradeAmt: '88.00' } }, 'unexpected answer');
    expect(JSON.parse(lines[0]!).body).toBe('[redacted]');
  });
});
