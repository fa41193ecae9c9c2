import type { IncomingMessage, ServerResponse } from 'node:http';
import { escapeHtml, readBody, serveEmulator } from '../http';
import { randomBytes, randomInt } from 'node:crypto';
import { noFaults, type ApiFault, type Faults, type NotifyFaults } from './faults';
import { expireIfDue, handleApiCall, transactionOf, verifyRequest, type ApiDeps, type EmuMerchant } from './api';
import { WechatBillDesk } from './bill';
import { noSeeds, seedStatement } from '../statement-seeds';
import { messageOf, newKeyPair, rsaVerify } from './crypto';
import { Notifier, notificationBody, signMessage, type NotifyAttempt, type SignedMessage, type Signer } from './notifier';
import { OrderBook, type EmuOrder } from './orders';

export { WECHATPAY_NOTIFY_RETRY_MS } from './notifier';
export type { Faults, ApiFault, NotifyFaults } from './faults';

/** A merchant account at the emulator: what our platform configures as its WeChat Pay account. */
export interface WechatpayMerchant {
  mchId: string;
  appId: string;
  /** The merchant's API certificate serial and private key (PKCS#8 PEM): ours to sign requests with. Never stored. */
  serialNo: string;
  privateKey: string;
  apiV3Key: string;
  /** WeChat Pay's key for this merchant, and the serial it signs under (a certificate serial, or PUB_KEY_ID_…). */
  platformSerial: string;
  platformPublicKey: string;
}

export interface WechatpayEmulatorOptions {
  port?: number;
  host?: string;
  /** Multiplies WeChat Pay's notification retry schedule (15s … 6h); 1 = real time, 0.001 = milliseconds for tests. */
  notifyScale?: number;
  /** How long an accepted refund stays PROCESSING before it succeeds (and REFUND.SUCCESS is sent); default 1s. */
  refundDelayMs?: number;
  log?: (line: string) => void;
}

export interface WechatpayEmulator {
  url: string;
  /** A new merchant with its own key pair and APIv3 key; `mode` says how WeChat Pay's key is named to it. */
  createMerchant(mode?: 'certificate' | 'publicKey'): WechatpayMerchant;
  faults: Faults;
  notifications(outTradeNo: string): NotifyAttempt[];
  order(outTradeNo: string): EmuOrder | undefined;
  /**
   * A notification of an order's current transaction, signed as WeChat Pay would, or spoiled for tests: signed with
   * another key, a SIGNTEST probe, an old timestamp, sealed with another APIv3 key, or with fields of the resource
   * replaced (`patch`).
   */
  notificationFor(outTradeNo: string, spoil?: { forgeryKey?: string; signtest?: boolean; timestampS?: number; apiV3Key?: string; patch?: Record<string, unknown> }): SignedMessage;
  stop(): Promise<void>;
}

/**
 * A local stand-in for WeChat Pay API v3 for tests and the demo: native, h5, jsapi and app orders, query, close,
 * domestic refunds and refund query, with requests verified and answers signed by its own crypto code and keys
 * (generated at start); TRANSACTION.SUCCESS and REFUND.SUCCESS notifications on WeChat Pay's retry schedule. Orders
 * stay NOTPAY until the payer pays. Routes and fault switches: docs/channels.md.
 */
export async function startWechatpayEmulator(opts: WechatpayEmulatorOptions = {}): Promise<WechatpayEmulator> {
  const log = opts.log ?? (() => undefined);
  const platform = newKeyPair();
  const certSerial = randomBytes(20).toString('hex').toUpperCase();
  const publicKeyId = `PUB_KEY_ID_0114${String(randomInt(0, 1e12)).padStart(12, '0')}`;
  const merchants = new Map<string, EmuMerchant>();
  const book = new OrderBook();
  const faults = noFaults();
  const signer: Signer = { privateKey: platform.privateKey, serialOf: (m) => (m.mode === 'publicKey' ? publicKeyId : certSerial) };
  const notifier = new Notifier({ signer, merchant: (id) => merchants.get(id), faults: () => faults, scale: opts.notifyScale ?? 1, log });
  const timers = new Set<NodeJS.Timeout>();
  let url = '';
  const seeds = noSeeds();
  const bills = new WechatBillDesk(book, () => seeds, Date.now);
  const deps: ApiDeps = {
    bills, billUrl: (token) => `${url}/v3/billdownload/file?token=${token}`,
    book, merchant: (id) => merchants.get(id), faults: () => faults, now: Date.now,
    payerUrl: (kind, o) => `${url}/${kind}/${encodeURIComponent(o.outTradeNo)}${kind === 'h5' ? `?prepay_id=${o.prepayId}` : ''}`,
    refunded(o, r) {
      const t = setTimeout(() => {
        timers.delete(t);
        r.status = 'SUCCESS';
        r.successAtMs = Date.now();
        notifier.refunded(o, r);
      }, opts.refundDelayMs ?? 1_000);
      timers.add(t);
    },
  };

  type PayerResult = { ok: true; order: EmuOrder } | { ok: false; status: number; reason: string };
  const found = (o: EmuOrder | undefined): PayerResult => (o ? { ok: true, order: o } : { ok: false, status: 404, reason: 'no such order' });
  /** The payer opens a credential: an h5_url, or an app / JSAPI payInfo whose pay sign the merchant's key must verify. */
  function open(credential: string): PayerResult {
    if (/^https?:\/\//.test(credential)) {
      const u = new URL(credential);
      const o = book.findByPrepayId(u.searchParams.get('prepay_id') ?? '');
      return o && u.pathname === `/h5/${encodeURIComponent(o.outTradeNo)}` ? found(o) : { ok: false, status: 400, reason: 'not an h5_url of ours' };
    }
    let info: Record<string, string>;
    try {
      info = JSON.parse(credential) as Record<string, string>;
    } catch {
      return { ok: false, status: 400, reason: 'payInfo is not JSON' };
    }
    const app = info.prepayid !== undefined;
    const prepayId = app ? info.prepayid : /^prepay_id=(.+)$/.exec(info.package ?? '')?.[1];
    const o = book.findByPrepayId(prepayId ?? '');
    const m = o ? merchants.get(o.mchId) : undefined;
    if (!o || !m) return { ok: false, status: 404, reason: 'no order of this prepay_id' };
    const message = app ? messageOf(info.appid ?? '', info.timestamp ?? '', info.noncestr ?? '', info.prepayid ?? '')
      : messageOf(info.appId ?? '', info.timeStamp ?? '', info.nonceStr ?? '', info.package ?? '');
    const sign = app ? info.sign : info.paySign;
    if ((app ? info.appid : info.appId) !== m.appId || !sign || !rsaVerify(message, sign, m.publicKey)) return { ok: false, status: 400, reason: 'pay sign wrong' };
    return found(o);
  }
  function pay(outTradeNo: string): PayerResult {
    const o = book.findByOutTradeNo(outTradeNo);
    if (!o) return { ok: false, status: 404, reason: 'no such order' };
    expireIfDue(deps, o);
    if (o.state !== 'NOTPAY') return { ok: false, status: 409, reason: `order is ${o.state}` };
    o.state = 'SUCCESS';
    o.paidAtMs = Date.now();
    o.transactionId = OrderBook.newTransactionId();
    notifier.paid(o);
    return { ok: true, order: o };
  }

  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const u = new URL(req.url ?? '/', 'http://emulator');
    const body = await readBody(req);
    const send = (status: number, type: string, text: string, headers: Record<string, string> = {}) =>
      void res.writeHead(status, { 'content-type': type, ...headers }).end(text);
    const json = (status: number, value: unknown) => send(status, 'application/json; charset=utf-8', JSON.stringify(value));
    const payer = (r: PayerResult) => (r.ok ? json(200, { ok: true, outTradeNo: r.order.outTradeNo, state: r.order.state, transactionId: r.order.transactionId })
      : json(r.status, { ok: false, reason: r.reason }));

    if (u.pathname === '/v3/billdownload/file' && req.method === 'GET') {
      // The download itself: a signed request, answered with the gzipped bill (not signed: its hash was).
      const m = verifyRequest(deps, 'GET', req.url ?? '/', '', req.headers.authorization);
      if (typeof m === 'string') return json(401, { code: 'SIGN_ERROR', message: m });
      const gz = bills.download(u.searchParams.get('token') ?? '', m.mchId);
      if (!gz) return json(404, { code: 'RESOURCE_NOT_EXISTS', message: 'no such bill (a download URL serves once)' });
      return void res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(gz);
    }
    if (u.pathname.startsWith('/v3/')) {
      const reply = handleApiCall(deps, req.method ?? 'GET', req.url ?? '/', body, req.headers.authorization);
      if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
      const m = reply.merchant;
      const headers = m ? signMessage(signer, m, reply.body, { badSignature: reply.badSignature ?? false }) : {};
      return send(reply.status, 'application/json; charset=utf-8', reply.body, { ...headers, 'Request-ID': randomBytes(8).toString('hex') });
    }
    const page = /^\/(qr|h5)\/([^/]+)(\/pay)?$/.exec(u.pathname);
    if (page) {
      const no = decodeURIComponent(page[2]!);
      const r = page[3] && req.method === 'POST' ? pay(no) : found(book.findByOutTradeNo(no));
      return r.ok ? send(200, 'text/html; charset=utf-8', cashierPage(page[1]!, r.order)) : send(r.status, 'text/plain', r.reason);
    }
    const input = (() => { try { return JSON.parse(body || '{}') as Record<string, unknown>; } catch { return {}; } })();
    const no = typeof input.outTradeNo === 'string' ? input.outTradeNo : '';
    if (req.method === 'POST' && u.pathname === '/_emulator/scan') return payer(found(book.findByOutTradeNo(no)));
    if (req.method === 'POST' && u.pathname === '/_emulator/open') return payer(open(String(input.credential ?? '')));
    if (req.method === 'POST' && u.pathname === '/_emulator/pay') return payer(pay(no));
    if (req.method === 'POST' && u.pathname === '/_emulator/faults') {
      if (Array.isArray(input.api)) faults.api = input.api as ApiFault[];
      if (input.notify && typeof input.notify === 'object') Object.assign(faults.notify, input.notify as Partial<NotifyFaults>);
      return json(200, faults);
    }
    if (req.method === 'POST' && u.pathname === '/_emulator/statement') {
      const problem = seedStatement(seeds, input, Date.now());
      return problem ? json(400, { ok: false, reason: problem }) : json(200, { ok: true });
    }
    if (u.pathname === '/_emulator/notifications') return json(200, notifier.attempts.filter((a) => a.outTradeNo === u.searchParams.get('outTradeNo')));
    send(404, 'text/plain', 'not found');
  };

  const server = await serveEmulator(handler, opts, log);
  url = server.url;
  return {
    url,
    createMerchant(mode = 'certificate') {
      const keys = newKeyPair();
      const m: EmuMerchant = {
        mchId: `19${String(randomInt(0, 1e8)).padStart(8, '0')}`, appId: `wx${randomBytes(8).toString('hex')}`,
        serialNo: randomBytes(20).toString('hex').toUpperCase(), publicKey: keys.publicKey,
        apiV3Key: randomBytes(24).toString('base64').slice(0, 32), mode,
      };
      merchants.set(m.mchId, m);
      return {
        mchId: m.mchId, appId: m.appId, serialNo: m.serialNo, privateKey: keys.privateKey, apiV3Key: m.apiV3Key,
        platformSerial: signer.serialOf(m), platformPublicKey: platform.publicKey,
      };
    },
    faults,
    notifications: (no) => notifier.attempts.filter((a) => a.outTradeNo === no),
    order: (no) => book.findByOutTradeNo(no),
    notificationFor(no, spoil = {}) {
      const o = book.findByOutTradeNo(no);
      const m = o ? merchants.get(o.mchId) : undefined;
      if (!o || !m) throw new Error(`no emulated order ${no}`);
      const resource = { ...transactionOf(o), ...spoil.patch };
      const messageBody = notificationBody(m, 'TRANSACTION.SUCCESS', resource, spoil.apiV3Key);
      const s: Signer = spoil.forgeryKey ? { ...signer, privateKey: spoil.forgeryKey } : signer;
      return { body: messageBody, headers: signMessage(s, m, messageBody, { ...(spoil.timestampS !== undefined ? { timestampS: spoil.timestampS } : {}), signtest: spoil.signtest ?? false }) };
    },
    async stop() {
      notifier.stop();
      for (const t of timers) clearTimeout(t);
      await server.stop();
    },
  };
}


function cashierPage(kind: string, o: EmuOrder): string {
  const yuan = `${Math.floor(o.totalFen / 100)}.${String(o.totalFen % 100).padStart(2, '0')}`;
  const action = o.state === 'NOTPAY'
    ? `<form method="post" action="/${kind}/${encodeURIComponent(o.outTradeNo)}/pay"><button type="submit">Pay ¥${yuan}</button></form>`
    : `<p>This order is ${o.state}.</p>`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>WeChat Pay emulator</title></head><body>
<h1>WeChat Pay emulator</h1><p><b>${escapeHtml(o.description)}</b></p><p>¥${yuan} · ${escapeHtml(o.outTradeNo)}</p>${action}</body></html>`;
}
