import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { authorization, checkSignedHeaders, decryptResource, signLines, verifySigned, type SignedHeaders } from '../../channels/wechatpay/signing';
import { loadWechatpaySettings, platformKeyOf } from '../../channels/wechatpay/settings';
import { appPayInfo, h5SceneInfo, jsapiPayInfo, openIdOf, productOf } from '../../channels/wechatpay/credential';
import { ERROR_CODES, meaningOfError, meaningOfTradeState, TRADE_STATES } from '../../channels/wechatpay/codes';
import { formatWechatTime, parseWechatTime, statusOfRefund, statusOfTransaction } from '../../channels/wechatpay/report';
import { SCENE_CODES } from '../../domain/order';

// Vectors computed independently (Python `cryptography`), see test/fixtures/wechatpay/README.md.
const fixture = (name: string) => readFileSync(join(__dirname, '../fixtures/wechatpay', name), 'utf8');
const privateKey = fixture('test-vector-private-key.pem');
const publicKey = fixture('test-vector-public-key.pem');
const certificate = fixture('test-vector-platform-cert.pem');
const CERT_SERIAL = '5157F09EFDC096DE15EBE81A47057A7232F1B8E1';

const BODY = '{"appid":"wxd678efh567hg6787","mchid":"1230000109","description":"Image形象店-深圳腾大-QQ公仔","out_trade_no":"1217752501201407033233368018","notify_url":"https://www.weixin.qq.com/wxpay/pay.php","amount":{"total":100,"currency":"CNY"}}';
const REQUEST_SIGNATURE = 'Te/nipIeBxMyZtyi0Pp+ak7Mpot9PfXw69rkvgWEMOK/8nnmDmcXRAidoh9nbUjIktVCa4yCwYpdBxO+soiZB12BJ8Q4k/dOm/XW/DZHIzycDt1rLscGtrT+ie1r8Pe394c3OXoVlqgf8ZTjEXWhMj3I5PDdYDHPppG2A7T7qg9eVWwBJwttCVosAZfbqCfAlMwYGNGaubH4ht/wwPCZ7xzoO8Wid6Xe+CSpXA4aFyGJTZo/uJIFu0DBXMj/wsAie8sLvj8rloWmi6FUULjWVNtYWwpoGZnxdUWHNJ17rlXszpEs5ZQ7A/VdAVg8gu8VQwjJvO8anM99YyngeqID6A==';
const PAY_SIGN = 'ec7lUTPmiJgPpRCdAWhqInOWeJPK0bkkQ4hQ/Lzo71sac7+MORIDWTLGrSzdWBrr2uZTmWIeJiwSgb/5uuLZEqHgIfVjBuOiOWlVO+lI8NnXqDnU/jDmtKdK8Fk+XW+y24LlAh3O0xUqXAR64jUHtph29mbuuLo0FVPlXc1T/oA4M88b1jc0lKwRwnbnom/a/0jP/u3eX9lqsZ5xVfb6tZT7Y+Tq73qAblfiCYtfVi9ZZu400BfHPtWdbswBhdMM3pEujjbY8dAjjg6W6rWjFFxRhQCjE+b9VMODXJWWo2JE1pSCzCWyTAn8DLyn/R3urAy8qqS6z1D85F3ABmmgOw==';
const API_V3_KEY = '0123456789abcdefghijABCDEFGHIJ++';
const RESOURCE = '{"mchid":"1230000109","appid":"wxd678efh567hg6787","out_trade_no":"1217752501201407033233368018","transaction_id":"1217752501201407033233368018","trade_type":"NATIVE","trade_state":"SUCCESS","trade_state_desc":"支付成功","bank_type":"CMC","success_time":"2018-06-08T10:34:56+08:00","payer":{"openid":"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},"amount":{"total":100,"payer_total":100,"currency":"CNY","payer_currency":"CNY"}}';
const ENVELOPE = '{"id":"EV-2018022511223320873","create_time":"2018-06-08T10:34:56+08:00","resource_type":"encrypt-resource","event_type":"TRANSACTION.SUCCESS","summary":"支付成功","resource":{"original_type":"transaction","algorithm":"AEAD_AES_256_GCM","ciphertext":"Rsw8gSMh3RIAxHvHaUB5ffq+l4vKF1nUib8Z4efIS76mOrDYmoZLZJ5qlywL/sK6kvaJeD+0Zv2jTbYyRwGj9aMw5MBuILeE8h1Y/EbVek/DHKEZR/RRci3dDMS9UBzDQJFpZDXufUdfV7mfLa7clVQcE99BhXfwllgSqYSboCkICL0SzGwInvAzLjCqjLxL1HiWmf0Gp5kDbZAZhNnUffmv0PNxt7xAfbIwdlqpeJ96s1RBHvw51U8qRE7AKwIs9GDXoobGYsOkpfd0vMpPGG23xKLfr+g8c0Q/TpeCSjV5ia8z/hDAZ2ke4dxMrRiNVnAjCLH4P8YFFAdNHJNWfOaYOK1AY2kz/kYNBcxTNFSY7S3PswNhxND078KvMCcZXT5oJB08iCjKVQrE0w0WxjA3R2eiChvEZ0jVXP5novgSAd6XNoZ54MIjv1uFCV4YhS/ZXT3fe7AjVZFaOVVYO4AEs/rPHvNRToaKmlDBrhq4GkJ4Wzaa5Ro6+CQ9dk/yQaMyMmOJXgr7Kk3hPwuQgGnmu49U8XUOE+ua8u0ROKd0LJHCAvIX01WRLzJcWu5ouA==","associated_data":"transaction","nonce":"fdasflkja484"}}';
const NOTIFY_SIGNATURE = 'nsBQhaBNaW6Ek+pBtxj0ifEOFVmualgMRv42TbVY3UZ+/ETY0E6YTyujzOOylA5XuSbk4UzO9yGBq/1GLQZ1SUd6pHUDYkcMF3at4x1jhD9XyTCjrhceipdhkYhISHJvtW7wf4drKpw3EG/PSByirl3TMZFNAqnDSfazI2qAE2JRHBr3/zfzCw+nbj7xudEP1oMXpHan8vcqHE42GS9VuWWpIANNhk3CtaPaI6VDhuo1cLK5Bcs+5Z0N9GMsjHk3aJU9FVVeuzDlLMWKa7yviK3H7r7UOTR7jxcKvz+gqr7WswV7q+BEuplUyKKIr91Le9gXDPr5HS7VkLDfQuWdPQ==';
const NOTIFY_TS = 1554209980;
const headers = (over: Partial<SignedHeaders> = {}): SignedHeaders =>
  ({ timestamp: String(NOTIFY_TS), nonce: 'c5ac7061fccab6bf3e254dcf98995b8c', signature: NOTIFY_SIGNATURE, serial: CERT_SERIAL, ...over });
const at = NOTIFY_TS * 1000 + 30_000;
const FIVE_MIN = 300_000;

describe('WeChat Pay API v3 signing (test vectors)', () => {
  it('signs a request as WECHATPAY2-SHA256-RSA2048 over METHOD, path, timestamp, nonce and body', () => {
    const header = authorization({ mchId: '1230000109', serialNo: '1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C', privateKey },
      'POST', '/v3/pay/transactions/native', BODY, 1554208460, '593BEC0C930BF1AFEB40B4A08C8FB242');
    expect(header).toBe(`WECHATPAY2-SHA256-RSA2048 mchid="1230000109",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",signature="${REQUEST_SIGNATURE}",timestamp="1554208460",serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C"`);
  });

  it('signs a JSAPI / app pay sign over its fields, one per line', () => {
    expect(signLines(['wxd678efh567hg6787', '1554208460', '593BEC0C930BF1AFEB40B4A08C8FB242', 'prepay_id=wx201410272009395522657a690389285100'], privateKey)).toBe(PAY_SIGN);
    const signer = { appId: 'wxd678efh567hg6787', mchId: '1230000109', privateKey };
    const js = JSON.parse(jsapiPayInfo(signer, 'wx2014', 1554208460_000)) as Record<string, string>;
    expect(js).toMatchObject({ appId: signer.appId, timeStamp: '1554208460', package: 'prepay_id=wx2014', signType: 'RSA' });
    expect(js.paySign).toBe(signLines([signer.appId, js.timeStamp!, js.nonceStr!, js.package!], privateKey));
    const app = JSON.parse(appPayInfo(signer, 'wx2014', 1554208460_000)) as Record<string, string>;
    expect(app).toMatchObject({ appid: signer.appId, partnerid: '1230000109', prepayid: 'wx2014', package: 'Sign=WXPay', timestamp: '1554208460' });
    expect(app.sign).toBe(signLines([signer.appId, app.timestamp!, app.noncestr!, 'wx2014'], privateKey));
  });

  it('verifies a notification by the key its serial names: certificate mode and public-key mode', () => {
    const byCert = platformKeyOf(certificate, undefined)!;
    expect(byCert.serial).toBe(CERT_SERIAL);
    expect(verifySigned(headers(), ENVELOPE, [byCert], at, FIVE_MIN)).toEqual({ ok: true });
    const byId = platformKeyOf(publicKey, 'PUB_KEY_ID_0114232134912410000000000000')!;
    expect(verifySigned(headers({ serial: byId.serial }), ENVELOPE, [byId], at, FIVE_MIN)).toEqual({ ok: true });
    // A public key needs its id; a certificate's serial must match the one given.
    expect(platformKeyOf(publicKey, undefined)).toBeNull();
    expect(platformKeyOf(certificate, 'ABCDEF0123')).toBeNull();
    expect(platformKeyOf('-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----', 'PUB_KEY_ID_1')).toBeNull();
  });

  it('refuses a changed body, another serial, a SIGNTEST probe, missing headers and a timestamp over five minutes away', () => {
    const key = platformKeyOf(certificate, undefined)!;
    expect(verifySigned(headers(), ENVELOPE.replace('EV-2018', 'EV-2019'), [key], at, FIVE_MIN)).toEqual({ ok: false, reason: 'bad signature' });
    expect(verifySigned(headers({ serial: 'PUB_KEY_ID_0000' }), ENVELOPE, [key], at, FIVE_MIN)).toMatchObject({ ok: false });
    expect(verifySigned(headers({ signature: `WECHATPAY/SIGNTEST/${NOTIFY_SIGNATURE}` }), ENVELOPE, [key], at, FIVE_MIN)).toEqual({ ok: false, reason: 'a SIGNTEST probe' });
    expect(verifySigned(headers({ nonce: undefined }), ENVELOPE, [key], at, FIVE_MIN)).toMatchObject({ ok: false });
    expect(checkSignedHeaders(headers(), NOTIFY_TS * 1000 + FIVE_MIN + 1_000, FIVE_MIN)).toEqual({ ok: false, reason: 'Wechatpay-Timestamp too far from now' });
    expect(checkSignedHeaders(headers(), NOTIFY_TS * 1000 - FIVE_MIN - 1_000, FIVE_MIN)).toMatchObject({ ok: false });
    expect(checkSignedHeaders(headers({ timestamp: '1e9' }), at, FIVE_MIN)).toMatchObject({ ok: false });
  });

  it('decrypts an AEAD_AES_256_GCM resource with the APIv3 key; any change or another key fails', () => {
    const resource = (JSON.parse(ENVELOPE) as { resource: { algorithm: string; ciphertext: string; nonce: string; associated_data: string } }).resource;
    expect(decryptResource(resource, API_V3_KEY)).toBe(RESOURCE);
    expect(decryptResource(resource, 'x'.repeat(32))).toBeNull();
    expect(decryptResource({ ...resource, associated_data: 'refund' }, API_V3_KEY)).toBeNull();
    expect(decryptResource({ ...resource, nonce: 'fdasflkja485' }, API_V3_KEY)).toBeNull();
    const flipped = Buffer.from(resource.ciphertext, 'base64');
    flipped[3]! ^= 1;
    expect(decryptResource({ ...resource, ciphertext: flipped.toString('base64') }, API_V3_KEY)).toBeNull();
    expect(decryptResource({ ...resource, algorithm: 'AES_128_CBC' }, API_V3_KEY)).toBeNull();
    expect(decryptResource(resource, 'short')).toBeNull();
  });
});

describe('WeChat Pay code tables and shaping', () => {
  it('every trade_state has one meaning; a payment needs its order, its account and a readable amount', () => {
    expect(Object.fromEntries(TRADE_STATES.map((s) => [s, meaningOfTradeState(s)]))).toEqual({
      SUCCESS: 'paid', REFUND: 'paid', NOTPAY: 'waiting', USERPAYING: 'waiting', CLOSED: 'closed', REVOKED: 'closed', PAYERROR: 'failed',
    });
    const expected = { orderId: '1217752501201407033233368018', mchId: '1230000109' };
    expect(statusOfTransaction(JSON.parse(RESOURCE) as Record<string, unknown>, expected, 0)).toEqual({
      status: 'SUCCESS', amountFen: 100, paidAtMs: Date.UTC(2018, 5, 8, 2, 34, 56), channelOrderNo: '1217752501201407033233368018', bankType: 'CMC',
    });
    const t = (over: Record<string, unknown>) => statusOfTransaction({ out_trade_no: expected.orderId, mchid: '1230000109', ...over }, expected, 0);
    expect(t({ trade_state: 'NOTPAY' })).toEqual({ status: 'PENDING' });
    expect(t({ trade_state: 'CLOSED' })).toMatchObject({ status: 'FAIL' });
    expect(t({ trade_state: 'PAYERROR' })).toMatchObject({ status: 'FAIL' });
    expect(t({ trade_state: 'SUCCESS', amount: { total: 1.5 } })).toMatchObject({ status: 'UNKNOWN' });
    expect(t({ trade_state: 'SUCCESS', amount: { total: '100' } })).toMatchObject({ status: 'UNKNOWN' });
    expect(t({ trade_state: 'ACCEPT' })).toMatchObject({ status: 'UNKNOWN' });
    expect(t({ trade_state: 'SUCCESS', amount: { total: 100 }, mchid: '1230000110' })).toMatchObject({ status: 'UNKNOWN' });
    expect(statusOfTransaction({ out_trade_no: 'other', trade_state: 'SUCCESS', amount: { total: 100 } }, expected, 0)).toMatchObject({ status: 'UNKNOWN' });
  });

  it('errors: 5xx, 429, SYSTEM_ERROR and unknown codes are unknown, never a refusal', () => {
    expect(meaningOfError(500, 'PARAM_ERROR')).toBe('unknown');
    expect(meaningOfError(503, undefined)).toBe('unknown');
    expect(meaningOfError(429, 'FREQUENCY_LIMITED')).toBe('unknown');
    expect(meaningOfError(400, 'SYSTEM_ERROR')).toBe('unknown');
    expect(meaningOfError(400, 'SOMETHING_NEW')).toBe('unknown');
    expect(meaningOfError(404, 'ORDER_NOT_EXIST')).toBe('not_exist');
    expect(meaningOfError(400, 'ORDERPAID')).toBe('paid');
    expect(meaningOfError(400, 'PARAM_ERROR')).toBe('declined');
    expect(meaningOfError(401, 'SIGN_ERROR')).toBe('declined');
    expect(ERROR_CODES.map((c) => meaningOfError(400, c)).every((m) => ['unknown', 'not_exist', 'paid', 'closed', 'declined'].includes(m))).toBe(true);
  });

  it('refunds: SUCCESS needs amount.refund; PROCESSING pending; CLOSED and ABNORMAL fail; another refund is unknown', () => {
    const r = (over: Record<string, unknown>) => statusOfRefund({ out_refund_no: 'R1', ...over }, { refundId: 'R1' }, 7);
    expect(r({ status: 'SUCCESS', amount: { refund: 50 }, refund_id: '5030', success_time: '2018-06-08T10:34:56+08:00' }))
      .toEqual({ status: 'SUCCESS', amountFen: 50, refundedAtMs: Date.UTC(2018, 5, 8, 2, 34, 56), channelRefundNo: '5030' });
    expect(r({ refund_status: 'SUCCESS', amount: { refund: 50 } })).toMatchObject({ status: 'SUCCESS', refundedAtMs: 7 });
    expect(r({ status: 'PROCESSING' })).toEqual({ status: 'PENDING' });
    expect(r({ status: 'CLOSED' })).toMatchObject({ status: 'FAIL' });
    expect(r({ status: 'ABNORMAL' })).toMatchObject({ status: 'FAIL' });
    expect(r({ status: 'SUCCESS' })).toMatchObject({ status: 'UNKNOWN' });
    expect(statusOfRefund({ out_refund_no: 'R2', status: 'SUCCESS', amount: { refund: 1 } }, { refundId: 'R1' }, 0)).toMatchObject({ status: 'UNKNOWN' });
  });

  it('scenes, h5 scene_info, the jspay payer from attach, and RFC 3339 times in China Standard Time', () => {
    expect(Object.fromEntries(SCENE_CODES.map((s) => [s, productOf(s)]))).toEqual({ scan: 'native', h5: 'h5', jspay: 'jsapi', app: 'app', gateway: null, ebank: null });
    expect(h5SceneInfo({ ip: '203.0.113.7', deviceInfo: 'IOS_SDK', mchAppName: 'Shop', mchAppId: 'com.shop' }))
      .toEqual({ payer_client_ip: '203.0.113.7', h5_info: { type: 'iOS', app_name: 'Shop', bundle_id: 'com.shop' } });
    expect(h5SceneInfo({ ip: '203.0.113.7', deviceInfo: 'AND_SDK', mchAppName: 'Shop', mchAppId: 'com.shop' })).toMatchObject({ h5_info: { type: 'Android', package_name: 'com.shop' } });
    expect(h5SceneInfo({ ip: '203.0.113.7', deviceInfo: 'WAP_SDK', mchAppName: 'Shop' })).toBeNull();
    expect(openIdOf('{"wechatOpenId":"oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}')).toBe('oUpF8uMuAJO_M2pxb1Q9zNjWeS6o');
    expect(openIdOf('{"wechatOpenId":"has space"}')).toBeNull();
    expect(openIdOf('not json')).toBeNull();
    expect(openIdOf(null)).toBeNull();
    expect(formatWechatTime(Date.UTC(2018, 5, 8, 2, 34, 56, 789))).toBe('2018-06-08T10:34:56+08:00');
    expect(parseWechatTime('2018-06-08T10:34:56+08:00')).toBe(Date.UTC(2018, 5, 8, 2, 34, 56));
    expect(parseWechatTime('2018-06-08 10:34:56')).toBeNull();
  });

  it('settings: the six account variables together, keys as PEM, the APIv3 key 32 characters; certificate or key id', () => {
    const env = {
      WECHATPAY_MCH_ID: '1230000109', WECHATPAY_APP_ID: 'wxd678efh567hg6787', WECHATPAY_SERIAL_NO: '1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C',
      WECHATPAY_PRIVATE_KEY: privateKey.replace(/\n/g, '\\n'), WECHATPAY_API_V3_KEY: API_V3_KEY, WECHATPAY_PLATFORM_PUBLIC_KEY: certificate,
    };
    const s = loadWechatpaySettings(env);
    expect(s.account).toMatchObject({ mchId: '1230000109', platformKeys: [{ serial: CERT_SERIAL }] });
    expect(s.account!.privateKey).toBe(privateKey);
    expect(s).toMatchObject({ baseUrl: 'https://api.mch.weixin.qq.com', timeoutMs: 10_000 });
    expect(loadWechatpaySettings({})).toEqual({ baseUrl: 'https://api.mch.weixin.qq.com', timeoutMs: 10_000 });
    expect(loadWechatpaySettings({ ...env, WECHATPAY_PLATFORM_PUBLIC_KEY: publicKey, WECHATPAY_PLATFORM_KEY_ID: 'PUB_KEY_ID_0114' }).account!.platformKeys)
      .toEqual([{ serial: 'PUB_KEY_ID_0114', publicKey }]);
    expect(() => loadWechatpaySettings({ ...env, WECHATPAY_PLATFORM_PUBLIC_KEY: publicKey })).toThrow('WECHATPAY_PLATFORM_PUBLIC_KEY');
    expect(() => loadWechatpaySettings({ ...env, WECHATPAY_API_V3_KEY: 'short' })).toThrow('WECHATPAY_API_V3_KEY');
    const { WECHATPAY_SERIAL_NO: _s, ...partial } = env;
    expect(() => loadWechatpaySettings(partial)).toThrow('go together');
    let message = '';
    try {
      loadWechatpaySettings({ ...env, WECHATPAY_API_V3_KEY: 'not-the-right-length-secret' });
    } catch (err) {
      message = String(err);
    }
    expect(message).toContain('WECHATPAY_API_V3_KEY');
    expect(message).not.toContain('not-the-right-length-secret');
  });
});
