import type { IncomingMessage, ServerResponse } from 'node:http';
import { escapeHtml, readBody, serveEmulator } from '../http';
import { randomInt } from 'node:crypto';
import { noFaults, type Faults, type GatewayFault, type NotifyFaults } from './faults';
import { handleGatewayCall, openFromParams, type GatewayDeps } from './gateway';
import { Notifier, type NotifyAttempt } from './notifier';
import { openCredential, pay, scan, type PayerResult } from './payer';
import { newKeyPair, type KeyPair } from './rsa';
import { TradeBook, type Trade } from './trades';
import { TransferBook, type Transfer } from './transfers';
import { BillDesk } from './bill';
import { noSeeds, seedStatement } from '../statement-seeds';

export { ALIPAY_NOTIFY_RETRY_MS } from './notifier';
export type { Faults, GatewayFault, NotifyFaults } from './faults';

/** An application at the emulator: what the merchant (our platform) configures as its Alipay account. */
export interface AlipayApp {
  appId: string;
  /** The application's private key (PKCS#8 PEM): ours to sign requests with. Generated at start, never stored. */
  privateKey: string;
  /** The emulator's "Alipay public key" for this application. */
  alipayPublicKey: string;
}

export interface AlipayEmulatorOptions {
  port?: number;
  host?: string;
  /** Multiplies Alipay's notification retry schedule (4m … 15h); 1 = real time, 0.001 = milliseconds for tests. */
  notifyScale?: number;
  log?: (line: string) => void;
}

export interface AlipayEmulator {
  url: string;
  gatewayUrl: string;
  /** A new application with its own fresh 2048-bit key pair. */
  createApp(): AlipayApp;
  faults: Faults;
  notifications(outTradeNo: string): NotifyAttempt[];
  trade(outTradeNo: string): Trade | undefined;
  /** A payout the emulator made (alipay.fund.trans.uni.transfer), by out_biz_no. */
  transfer(outBizNo: string): Transfer | undefined;
  /** How many transfer requests it received for out_biz_no (made, repeated or refused). */
  transferRequests(outBizNo: string): number;
  stop(): Promise<void>;
}

/**
 * A local stand-in for Alipay's OpenAPI v2 gateway (gateway.do) for tests and the demo: precreate, create, query,
 * close, refund and refund query as server calls, and payouts (fund.trans.uni.transfer, fund.trans.common.query); wap.pay and page.pay links and app.pay order strings opened by the
 * payer; trade_status_sync notifications on Alipay's retry schedule. It signs and verifies with its own RSA code and
 * its own key pairs, generated at start. Routes and fault switches: docs/channels.md.
 */
export async function startAlipayEmulator(opts: AlipayEmulatorOptions = {}): Promise<AlipayEmulator> {
  const log = opts.log ?? (() => undefined);
  const alipayKeys: KeyPair = newKeyPair();
  const apps = new Map<string, string>();
  const book = new TradeBook();
  const transfers = new TransferBook();
  const faults = noFaults();
  const seeds = noSeeds();
  const bills = new BillDesk(book, () => seeds, Date.now);
  let url = '';
  const deps: GatewayDeps = {
    bills, billUrl: (token) => `${url}/bill/download?token=${token}`,
    book, transfers, appKeyOf: (id) => apps.get(id), alipayPrivateKey: alipayKeys.privateKey, faults: () => faults, now: Date.now,
    qrUrl: (t) => `${url}/qr/${encodeURIComponent(t.outTradeNo)}`,
  };
  const notifier = new Notifier({ alipayPrivateKey: alipayKeys.privateKey, faults: () => faults, scale: opts.notifyScale ?? 1, log });

  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const u = new URL(req.url ?? '/', 'http://emulator');
    const body = await readBody(req);
    const send = (status: number, type: string, text: string) => void res.writeHead(status, { 'content-type': type }).end(text);
    const json = (status: number, value: unknown) => send(status, 'application/json; charset=utf-8', JSON.stringify(value));
    const payer = (r: PayerResult) => (r.ok ? json(200, { ok: true, outTradeNo: r.trade.outTradeNo, tradeNo: r.trade.tradeNo, state: r.trade.state })
      : json(r.status, { ok: false, reason: r.reason }));

    if (u.pathname === '/gateway.do') {
      const params: Record<string, string> = {};
      for (const [k, v] of u.searchParams) params[k] = v;
      for (const [k, v] of new URLSearchParams(body)) params[k] = v;
      if (['alipay.trade.wap.pay', 'alipay.trade.page.pay'].includes(params.method ?? '')) {
        // The payer's browser following a pay link or submitting a pay form.
        const opened = openFromParams(deps, params);
        if ('error' in opened) return send(400, 'text/html; charset=utf-8', `<p>${escapeHtml(opened.error)}</p>`);
        return send(200, 'text/html; charset=utf-8', cashierPage(opened.trade));
      }
      if (req.method !== 'POST') return send(405, 'text/plain', 'POST only');
      const reply = handleGatewayCall(deps, params);
      if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
      return send(reply.status, 'application/json; charset=utf-8', reply.body);
    }
    const qr = /^\/qr\/([^/]+)(\/pay)?$/.exec(u.pathname);
    if (qr) {
      const no = decodeURIComponent(qr[1]!);
      const r = qr[2] && req.method === 'POST' ? pay(deps, notifier, no) : scan(deps, no);
      return r.ok ? send(200, 'text/html; charset=utf-8', cashierPage(r.trade)) : send(r.status, 'text/plain', r.reason);
    }
    if (req.method === 'GET' && u.pathname === '/bill/download') {
      const zip = bills.download(u.searchParams.get('token') ?? '');
      if (!zip) return send(404, 'text/plain', 'no such bill (a download URL serves once)');
      return void res.writeHead(200, { 'content-type': 'application/zip' }).end(zip);
    }
    const input = (() => { try { return JSON.parse(body || '{}') as Record<string, unknown>; } catch { return {}; } })();
    const no = typeof input.outTradeNo === 'string' ? input.outTradeNo : '';
    if (req.method === 'POST' && u.pathname === '/_emulator/scan') return payer(scan(deps, no));
    if (req.method === 'POST' && u.pathname === '/_emulator/open') return payer(openCredential(deps, String(input.credential ?? '')));
    if (req.method === 'POST' && u.pathname === '/_emulator/pay') return payer(pay(deps, notifier, no));
    if (req.method === 'POST' && u.pathname === '/_emulator/faults') {
      if (Array.isArray(input.gateway)) faults.gateway = input.gateway as GatewayFault[];
      if (input.notify && typeof input.notify === 'object') Object.assign(faults.notify, input.notify as Partial<NotifyFaults>);
      return json(200, faults);
    }
    if (u.pathname === '/_emulator/transfers') {
      const outBizNo = u.searchParams.get('outBizNo') ?? '';
      return json(200, { transfer: transfers.findByOutBizNo(outBizNo) ?? null, requests: transfers.requests.get(outBizNo) ?? 0 });
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
    gatewayUrl: `${url}/gateway.do`,
    createApp() {
      const appKeys = newKeyPair();
      const appId = `2021${String(randomInt(0, 1e12)).padStart(12, '0')}`;
      apps.set(appId, appKeys.publicKey);
      return { appId, privateKey: appKeys.privateKey, alipayPublicKey: alipayKeys.publicKey };
    },
    faults,
    notifications: (no) => notifier.attempts.filter((a) => a.outTradeNo === no),
    trade: (no) => book.findByOutTradeNo(no),
    transfer: (no) => transfers.findByOutBizNo(no),
    transferRequests: (no) => transfers.requests.get(no) ?? 0,
    async stop() {
      notifier.stop();
      await server.stop();
    },
  };
}


function cashierPage(t: Trade): string {
  const action = t.state === 'WAIT_BUYER_PAY'
    ? `<form method="post" action="/qr/${encodeURIComponent(t.outTradeNo)}/pay"><button type="submit">Pay ¥${escapeHtml(t.totalAmount)}</button></form>`
    : `<p>This trade is ${t.state}.</p>`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>Alipay emulator</title></head><body>
<h1>Alipay emulator</h1><p><b>${escapeHtml(t.subject)}</b></p><p>¥${escapeHtml(t.totalAmount)} · ${escapeHtml(t.outTradeNo)}</p>${action}</body></html>`;
}
