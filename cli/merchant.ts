import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { dataDir } from '../devstack/paths';
import { formatCompactTime } from '../domain/time';
import { startNotifyReceiver, type ReceivedNotification } from './merchant/notify-receiver';
import { signedCall } from './merchant/signed-call';
import { certify, DEFAULT_ANSWER_LIMIT_MS, DEFAULT_WAIT_MS, formatTable } from './merchant/certify';
import { ALL_SIGN_TYPES, type SignType } from '../domain/signing';

/**
 * A merchant's view of the platform from the command line: signs requests with the demo merchant's key (from
 * .data/demo-merchant.json, written by `npm start`, or MERC_NO / MERC_KEY / API_URL) so nobody has to compute MD5
 * by hand.
 *
 *   npm run merchant -- demo [--notify-url URL]       place an order, pay it in the sandbox, wait, query it
 *                                                     (notified at a receiver of its own unless --notify-url)
 *   npm run merchant -- receive [--port N]            a local notification endpoint: verifies and prints each one
 *   npm run merchant -- pay --notify-url URL [--amount 1.23] [--payway alipay] [--scene scan] [--order-no NO]
 *   npm run merchant -- sandbox-pay <payLink>         pay a test order at the sandbox cashier, as the payer
 *   npm run merchant -- emulator-pay <orderId>        pay an order at the IPayNow emulator (DEMO_CHANNEL=ipaynow)
 *   npm run merchant -- query <mercOrderNo> | --order-id <orderId>
 *   npm run merchant -- refund <mercOrderNo> | --order-id <orderId>  --amount 0.50 [--refund-no NO] [--reason TEXT] [--notify-url URL]
 *   npm run merchant -- refund-query <mercRefundNo> | --refund-id <refundId>
 *   npm run merchant -- certify --notify-url URL [--sign-type HMAC-SHA256-RAW] [--limit-ms 5000] [--wait-ms 30000]
 *                              [--relay-port N] [--relay-host H] [--relay-url URL]
 *                                                     test-mode orders through every case against your notification
 *                                                     endpoint (test key only); a pass/fail table, exit 0 if all pass
 *   npm run merchant -- payout --notify-url URL --payee-account ACCOUNT --payee-name NAME [--payee-type alipay_logon_id]
 *                      [--bank-code ICBC] [--amount 1.00] [--trade-type 02|03] [--order-no NO]
 *                                                     a payout (tradeType 02/03); then queries it until it is final
 */
interface Credentials {
  mercNo: string; key: string; testKey?: string | null; apiUrl: string; ipaynowEmulatorUrl?: string | null; alipayEmulatorUrl?: string | null; wechatpayEmulatorUrl?: string | null;
}

function credentials(): Credentials {
  const file = join(dataDir, 'demo-merchant.json');
  const stored = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Credentials) : null;
  const mercNo = process.env.MERC_NO ?? stored?.mercNo;
  const key = process.env.MERC_KEY ?? stored?.key;
  const apiUrl = process.env.API_URL ?? stored?.apiUrl ?? 'http://127.0.0.1:8080';
  if (!mercNo || !key) {
    throw new Error('no merchant credentials: run `npm start` first (it writes .data/demo-merchant.json) or set MERC_NO and MERC_KEY');
  }
  const ipaynowEmulatorUrl = process.env.IPAYNOW_EMULATOR_URL ?? stored?.ipaynowEmulatorUrl ?? null;
  const alipayEmulatorUrl = process.env.ALIPAY_EMULATOR_URL ?? stored?.alipayEmulatorUrl ?? null;
  const wechatpayEmulatorUrl = process.env.WECHATPAY_EMULATOR_URL ?? stored?.wechatpayEmulatorUrl ?? null;
  const testKey = process.env.MERC_KEY ?? stored?.testKey ?? null;
  return { mercNo, key, testKey, apiUrl, ipaynowEmulatorUrl, alipayEmulatorUrl, wechatpayEmulatorUrl };
}

async function call(c: Credentials, path: string, fields: Record<string, string>): Promise<Record<string, string>> {
  const { httpStatus, body, signature } = await signedCall(c, path, fields, 'MD5');
  console.log(`HTTP ${httpStatus}  respCode ${body.respCode}  ${body.respDesc}  (answer signature ${signature === 'invalid' ? 'INVALID' : signature})`);
  return body;
}

function show(body: Record<string, string>, keys: string[]): void {
  for (const k of keys) if (body[k] !== undefined) console.log(`  ${k.padEnd(14)} ${body[k]}`);
}

const NOTIFY_URL_NEEDED = 'pay needs --notify-url URL: your merchant endpoint, or the one `npm run merchant -- receive` prints';

async function pay(c: Credentials, opts: { amount?: string; payway?: string; scene?: string; 'notify-url'?: string; 'order-no'?: string }) {
  const notifyUrl = opts['notify-url'];
  if (!notifyUrl) throw new Error(NOTIFY_URL_NEEDED);
  const now = Date.now();
  const fields: Record<string, string> = {
    mercOrderNo: opts['order-no'] ?? `DEMO${formatCompactTime(now)}${Math.floor(Math.random() * 1000)}`,
    subject: 'Demo order',
    tradeType: '01',
    tradeAmt: opts.amount ?? '0.01',
    feeType: 'CNY',
    tradeTime: formatCompactTime(now),
    orderPeriod: '30',
    notifyUrl,
    returnUrl: `${c.apiUrl}/healthz`,
    termType: 'wap',
    // WeChat Pay serves wxpay only: the demo's default payway follows DEMO_CHANNEL=wechatpay.
    paywayCode: opts.payway ?? (c.wechatpayEmulatorUrl ? 'wxpay' : 'alipay'),
    sceneCode: opts.scene ?? 'scan',
    ip: '127.0.0.1',
  };
  if (fields.paywayCode === 'wxpay' && fields.sceneCode === 'h5') Object.assign(fields, { deviceInfo: 'WAP_SDK', mchAppName: 'Demo', mchAppId: 'https://demo.example' });
  if (fields.sceneCode === 'ebank') fields.bankCode = 'ICBC';
  const body = await call(c, '/api/pay', fields);
  show(body, ['mercOrderNo', 'orderId', 'tradeAmt', 'codeUrl', 'imgUrl', 'mwebUrl', 'payInfo', 'resultHtml']);
  return body;
}

/** Pays at the sandbox cashier of a test order: its pay link (codeUrl / mwebUrl) or its sandbox order number. */
async function sandboxPay(c: Credentials, linkOrNo: string): Promise<void> {
  const channelOrderNo = /^https?:/.test(linkOrNo)
    ? decodeURIComponent(new URL(linkOrNo).pathname.split('/').filter((p) => p && p !== 'qr.svg').pop() ?? '')
    : linkOrNo;
  const res = await fetch(`${c.apiUrl}/sandbox/api/pay`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ channelOrderNo }),
  });
  const body = (await res.json()) as { paid: boolean; status: string; message?: string; respDesc?: string };
  console.log(`sandbox: ${body.paid ? 'paid' : `not paid (${body.message ?? body.respDesc ?? body.status})`}`);
}

async function emulatorPay(c: Credentials, orderId: string): Promise<void> {
  if (!c.ipaynowEmulatorUrl) throw new Error('no IPayNow emulator: start with DEMO_CHANNEL=ipaynow npm start (or set IPAYNOW_EMULATOR_URL)');
  const res = await fetch(`${c.ipaynowEmulatorUrl}/_emulator/pay`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ mhtOrderNo: orderId }),
  });
  const body = (await res.json()) as { paid: boolean; reason?: string };
  console.log(`ipaynow emulator: ${body.paid ? 'paid (N001 on its way)' : `not paid (${body.reason ?? res.status})`}`);
}

/** The payer pays where the order's pay link leads: the IPayNow emulator or the sandbox cashier. */
async function payAsPayer(c: Credentials, placed: Record<string, string>): Promise<void> {
  const link = placed.codeUrl ?? placed.mwebUrl ?? placed.payInfo ?? placed.resultHtml ?? '';
  if (c.ipaynowEmulatorUrl && link.includes(c.ipaynowEmulatorUrl)) return emulatorPay(c, placed.orderId!);
  if (c.alipayEmulatorUrl && link.includes(c.alipayEmulatorUrl)) {
    // The payer scans the QR code and pays (DEMO_CHANNEL=alipay).
    const res = await fetch(`${c.alipayEmulatorUrl}/_emulator/pay`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ outTradeNo: placed.orderId }),
    });
    const body = (await res.json()) as { ok: boolean; reason?: string };
    return void console.log(`alipay emulator: ${body.ok ? 'paid (notification on its way)' : `not paid (${body.reason ?? res.status})`}`);
  }
  if (c.wechatpayEmulatorUrl && (link.includes(c.wechatpayEmulatorUrl) || link.includes('prepay'))) {
    // The payer scans the QR code (or opens the H5 page or app) and pays (DEMO_CHANNEL=wechatpay).
    const res = await fetch(`${c.wechatpayEmulatorUrl}/_emulator/pay`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ outTradeNo: placed.orderId }),
    });
    const body = (await res.json()) as { ok: boolean; reason?: string };
    return void console.log(`wechatpay emulator: ${body.ok ? 'paid (notification on its way)' : `not paid (${body.reason ?? res.status})`}`);
  }
  return sandboxPay(c, placed.codeUrl ?? placed.mwebUrl ?? '');
}

/** `payout`: a payout (tradeType 02/03) to the payee given; then queries it until it is final (or 10 s have passed). */
async function payout(c: Credentials, opts: {
  amount?: string; 'notify-url'?: string; 'order-no'?: string; 'payee-account'?: string; 'payee-name'?: string; 'payee-type'?: string;
  'bank-code'?: string; 'trade-type'?: string;
}) {
  if (!opts['notify-url']) throw new Error(NOTIFY_URL_NEEDED);
  if (!opts['payee-account'] || !opts['payee-name']) throw new Error('payout needs --payee-account and --payee-name');
  const now = Date.now();
  const body = await call(c, '/api/pay', {
    mercOrderNo: opts['order-no'] ?? `PO${formatCompactTime(now)}${Math.floor(Math.random() * 1000)}`, subject: 'Demo payout',
    tradeType: opts['trade-type'] ?? '02', tradeAmt: opts.amount ?? '1.00', feeType: 'CNY', tradeTime: formatCompactTime(now), orderPeriod: '30',
    notifyUrl: opts['notify-url'], returnUrl: `${c.apiUrl}/healthz`, termType: 'pc', paywayCode: 'alipay', sceneCode: 'scan', ip: '127.0.0.1',
    payeeAccount: opts['payee-account'], payeeName: opts['payee-name'], payeeAccountType: opts['payee-type'] ?? 'alipay_logon_id',
    ...(opts['bank-code'] ? { bankCode: opts['bank-code'] } : {}),
  });
  show(body, ['mercOrderNo', 'orderId', 'tradeType', 'tradeAmt']);
  if (body.respCode !== '000000') return body;
  let last: Record<string, string> = { payStatus: 'p0001' };
  for (let i = 0; i < 50 && (last.payStatus === 'p0001' || last.payStatus === 'p0002'); i++) {
    await new Promise((r) => setTimeout(r, 200));
    last = await call(c, '/api/query', { orderId: body.orderId! });
  }
  show(last, ['payStatus', 'tradeEndTime', 'notifyState']);
  return body;
}

async function query(c: Credentials, ref: Record<string, string>) {
  const body = await call(c, '/api/query', ref);
  show(body, ['mercOrderNo', 'orderId', 'tradeAmt', 'payStatus', 'tradeEndTime', 'notifyState', 'notifyAttempts', 'notifyNextTime', 'refundedAmt']);
  if (body.refunds) {
    for (const r of JSON.parse(body.refunds) as Record<string, string>[]) {
      console.log(`  refund         ${r.mercRefundNo} ${r.refundAmt} ${r.refundStatus}${r.refundEndTime ? ` at ${r.refundEndTime}` : ''} (refundId ${r.refundId})`);
    }
  }
  return body;
}

const REFUND_FIELDS = ['mercOrderNo', 'orderId', 'mercRefundNo', 'refundId', 'refundAmt', 'refundStatus', 'refundTime', 'refundEndTime', 'failReason', 'notifyState'];

/** `refund`: asks for a refund of a paid order; then queries it until it is final (or 10 s have passed). */
async function refund(c: Credentials, ref: Record<string, string>, opts: { amount?: string; 'refund-no'?: string; reason?: string; 'notify-url'?: string }) {
  if (!opts.amount) throw new Error('refund needs --amount (yuan, e.g. 0.50)');
  const mercRefundNo = opts['refund-no'] ?? `RF${formatCompactTime(Date.now())}${Math.floor(Math.random() * 1000)}`;
  const body = await call(c, '/api/refund', {
    ...ref, mercRefundNo, refundAmt: opts.amount, ...(opts.reason ? { reason: opts.reason } : {}), ...(opts['notify-url'] ? { notifyUrl: opts['notify-url'] } : {}),
  });
  show(body, REFUND_FIELDS);
  if (body.respCode !== '000000') return body;
  let last = body;
  for (let i = 0; i < 50 && (last.refundStatus === 'r0001' || last.refundStatus === 'r0002'); i++) {
    await new Promise((r) => setTimeout(r, 200));
    last = await call(c, '/api/refund/query', { mercRefundNo });
  }
  if (last !== body) show(last, ['refundStatus', 'refundEndTime', 'failReason', 'notifyState']);
  return last;
}

function describeNotification(n: ReceivedNotification): string {
  const f = n.fields;
  if (f.notifyType === 'refund') {
    return `refund notification ${n.notifyId || '?'} attempt ${n.attempt || '?'}: refund ${f.mercRefundNo ?? '?'} of order ${f.mercOrderNo ?? '?'} ` +
      `${f.refundStatus ?? '?'} ${f.refundAmt ?? ''} — signature ${n.verified ? 'verified, answered success' : `INVALID (${n.problem}), answered fail`}`;
  }
  return `notification ${n.notifyId || '?'} attempt ${n.attempt || '?'}: order ${f.orderId ?? '?'} (${f.mercOrderNo ?? '?'}) ` +
    `${f.payStatus ?? '?'} ${f.tradeAmt ?? ''} — signature ${n.verified ? 'verified, answered success' : `INVALID (${n.problem}), answered fail`}`;
}

/** `receive`: the local notification endpoint, until Ctrl-C. */
async function receive(c: Credentials, port: string | undefined): Promise<void> {
  if (port !== undefined && !/^\d{1,5}$/.test(port)) throw new Error('--port must be a port number');
  const receiver = await startNotifyReceiver({ key: c.key, ...(port ? { port: Number(port) } : {}), onNotification: (n) => console.log(describeNotification(n)) });
  console.log(`receiving notifications at ${receiver.url}  (pass it as --notify-url; Ctrl-C stops)`);
  await new Promise<void>((resolve) => process.once('SIGINT', resolve));
  await receiver.stop();
}

const wholeNumber = (name: string, v: string | undefined, fallback?: number): number | undefined => {
  if (v === undefined) return fallback;
  if (!/^\d{1,7}$/.test(v)) throw new Error(`--${name} must be a whole number`);
  return Number(v);
};

/** `certify`: the certification run against the merchant's notification endpoint; true when every check passed. */
async function runCertify(c: Credentials, o: Record<string, string | boolean | undefined>): Promise<boolean> {
  const notifyUrl = o['notify-url'];
  if (typeof notifyUrl !== 'string') throw new Error('certify needs --notify-url URL: your notification endpoint (test mode)');
  const signType = (typeof o['sign-type'] === 'string' ? o['sign-type'] : 'HMAC-SHA256-RAW') as SignType;
  if (!(ALL_SIGN_TYPES as readonly string[]).includes(signType)) throw new Error(`--sign-type must be one of ${ALL_SIGN_TYPES.join(', ')}`);
  const str = (k: string) => (typeof o[k] === 'string' ? o[k] : undefined);
  const limitMs = wholeNumber('limit-ms', str('limit-ms'), DEFAULT_ANSWER_LIMIT_MS)!;
  const waitMs = wholeNumber('wait-ms', str('wait-ms'), DEFAULT_WAIT_MS)!;
  const relayPort = wholeNumber('relay-port', str('relay-port'));
  console.log(`certifying ${notifyUrl}: test-mode orders of merchant ${c.mercNo}, notifications signed ${signType}, answers within ${limitMs} ms…`);
  const { results, passed, relayed, relayUrl } = await certify({ mercNo: c.mercNo, key: c.testKey ?? c.key, apiUrl: c.apiUrl }, {
    notifyUrl, signType, limitMs, waitMs,
    ...(relayPort !== undefined ? { relayPort } : {}),
    ...(str('relay-host') ? { relayHost: str('relay-host')! } : {}),
    ...(str('relay-url') ? { relayUrl: str('relay-url')! } : {}),
  });
  console.log(`\n${formatTable(results)}\n`);
  console.log(passed ? 'PASSED: every case answered as the platform expects.' : 'FAILED: see the rows marked FAIL.');
  if (relayed === 0) {
    console.log(`No notification reached the relay at ${relayUrl}: the platform must be able to reach it (a local stack allows ` +
      'loopback with NOTIFY_ALLOW_PRIVATE; otherwise pass --relay-host/--relay-url with an address the platform reaches).');
  }
  return passed;
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      amount: { type: 'string' }, payway: { type: 'string' }, scene: { type: 'string' },
      'notify-url': { type: 'string' }, 'order-no': { type: 'string' }, 'order-id': { type: 'string' }, port: { type: 'string' },
      'refund-no': { type: 'string' }, 'refund-id': { type: 'string' }, reason: { type: 'string' },
      'sign-type': { type: 'string' }, 'limit-ms': { type: 'string' }, 'wait-ms': { type: 'string' },
      'relay-port': { type: 'string' }, 'relay-host': { type: 'string' }, 'relay-url': { type: 'string' },
      'payee-account': { type: 'string' }, 'payee-name': { type: 'string' }, 'payee-type': { type: 'string' }, 'bank-code': { type: 'string' },
      'trade-type': { type: 'string' },
    },
  });
  const [command, arg] = positionals;
  const c = credentials();
  switch (command) {
    case 'pay':
      await pay(c, values);
      break;
    case 'sandbox-pay':
      if (!arg) throw new Error('usage: sandbox-pay <pay link | sandbox order number>');
      await sandboxPay(c, arg);
      break;
    case 'emulator-pay':
      if (!arg) throw new Error('usage: emulator-pay <orderId>');
      await emulatorPay(c, arg);
      break;
    case 'receive':
      await receive(c, values.port);
      break;
    case 'query':
      if (!arg && !values['order-id']) throw new Error('usage: query <mercOrderNo> | --order-id <orderId>');
      await query(c, values['order-id'] ? { orderId: values['order-id'] } : { mercOrderNo: arg! });
      break;
    case 'refund':
      if (!arg && !values['order-id']) throw new Error('usage: refund <mercOrderNo> | --order-id <orderId>  --amount 0.50 [--refund-no NO] [--reason TEXT]');
      if ((await refund(c, values['order-id'] ? { orderId: values['order-id'] } : { mercOrderNo: arg! }, values)).respCode !== '000000') process.exit(1);
      break;
    case 'payout':
      if ((await payout(c, values)).respCode !== '000000') process.exit(1);
      break;
    case 'refund-query':
      if (!arg && !values['refund-id']) throw new Error('usage: refund-query <mercRefundNo> | --refund-id <refundId>');
      show(await call(c, '/api/refund/query', values['refund-id'] ? { refundId: values['refund-id'] } : { mercRefundNo: arg! }), REFUND_FIELDS);
      break;
    case 'certify':
      process.exit(await runCertify(c, values) ? 0 : 1);
      break;
    case 'demo': {
      // Without --notify-url the demo is its own merchant server: a receiver on this machine that verifies the
      // notification's signature (the API must be allowed to reach loopback: npm start sets NOTIFY_ALLOW_PRIVATE).
      const receiver = values['notify-url'] ? null : await startNotifyReceiver({ key: c.key, onNotification: (n) => console.log(`  ${describeNotification(n)}`) });
      console.log(`1. unified order${receiver ? ` (notifications to this demo's receiver, ${receiver.url})` : ''}`);
      const placed = await pay(c, { ...values, 'notify-url': values['notify-url'] ?? receiver!.url });
      if (placed.respCode !== '000000') process.exit(1);
      console.log('\n2. the payer pays (sandbox cashier, or the IPayNow emulator when the order went there)');
      await payAsPayer(c, placed);
      console.log('\n3. query until the merchant notification is delivered');
      let last: Record<string, string> = {};
      for (let i = 0; i < 50; i++) {
        last = await query(c, { mercOrderNo: placed.mercOrderNo! });
        if (last.payStatus === 'p0000' && last.notifyState === 'delivered') break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const ok = last.payStatus === 'p0000' && last.notifyState === 'delivered';
      await receiver?.stop();
      console.log(ok ? '\nDone: paid and the merchant was notified.' : '\nThe order did not complete in time.');
      process.exit(ok ? 0 : 1);
    }
    default:
      console.log('usage: npm run merchant -- demo [--notify-url URL] | receive [--port N] | pay --notify-url URL [--amount 1.23 --payway alipay --scene scan] | sandbox-pay <payLink> | emulator-pay <orderId> | query <mercOrderNo> | query --order-id <orderId> | refund <mercOrderNo> --amount 0.50 [--refund-no NO] [--reason TEXT] | refund-query <mercRefundNo> | certify --notify-url URL [--sign-type T] | payout --notify-url URL --payee-account ACCOUNT --payee-name NAME [--payee-type alipay_logon_id|alipay_user_id|bank_card] [--bank-code CODE] [--amount 1.00]');
      process.exit(command ? 1 : 0);
  }
}

main().catch((err: unknown) => {
  console.error(`merchant: ${(err as Error).message}`);
  process.exit(1);
});
