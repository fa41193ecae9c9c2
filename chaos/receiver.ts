import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RAW_SIGN_TYPE, verifySignature, type SignType } from '../domain/signing';
import { parseSignatureHeader, rawSignatureMatches, SIGNATURE_HEADER } from '../domain/raw-signature';

/** One notification as the merchant's server saw it, and how it answered. */
export interface Delivery {
  atMs: number;
  notifyId: string;
  /** X-Notify-Attempt as sent by the platform. */
  attemptHeader: string;
  orderId: string;
  mercNo: string;
  mercOrderNo: string;
  payStatus: string;
  tradeAmt: string;
  signatureValid: boolean;
  /** 'success' = acknowledged; anything else is a failed delivery the platform must retry. */
  answer: 'success' | 'fail' | 'http-503';
}

export interface ReceiverMerchant {
  key: string;
  signType: SignType;
  /** The first N deliveries of every notification of this merchant are answered with a failure. */
  failFirst: number;
}

/**
 * The merchants' notification endpoint of the chaos run, a real HTTP server (never killed). It verifies every
 * notification's signature with the merchant's key, records every delivery (X-Notify-Id, X-Notify-Attempt,
 * payStatus) and, for flaky merchants, fails the first deliveries of each notification ('fail', then HTTP 503).
 */
export class ChaosReceiver {
  readonly deliveries: Delivery[] = [];
  private readonly seen = new Map<string, number>();
  private readonly server: Server;
  url = '';

  constructor(private readonly merchants: Map<string, ReceiverMerchant>) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const fields = parseFields(text);
        const notifyId = String(req.headers['x-notify-id'] ?? '');
        const merchant = this.merchants.get(fields.mercNo ?? '');
        const header = req.headers[SIGNATURE_HEADER.toLowerCase()];
        const parsed = typeof header === 'string' ? parseSignatureHeader(header) : 'absent';
        const signatureValid = merchant !== undefined && (merchant.signType === RAW_SIGN_TYPE
          ? typeof parsed !== 'string' && rawSignatureMatches(merchant.key, parsed, text) !== null
          : typeof fields.signature === 'string' && verifySignature(fields, merchant.key, merchant.signType, fields.signature));
        const count = (this.seen.get(notifyId) ?? 0) + 1;
        this.seen.set(notifyId, count);
        let answer: Delivery['answer'] = 'success';
        if (!signatureValid) answer = 'fail';
        else if (merchant && count <= merchant.failFirst) answer = count % 2 === 1 ? 'fail' : 'http-503';
        this.deliveries.push({
          atMs: Date.now(), notifyId, attemptHeader: String(req.headers['x-notify-attempt'] ?? ''),
          orderId: fields.orderId ?? '', mercNo: fields.mercNo ?? '', mercOrderNo: fields.mercOrderNo ?? '',
          payStatus: fields.payStatus ?? '', tradeAmt: fields.tradeAmt ?? '', signatureValid, answer,
        });
        if (answer === 'http-503') res.writeHead(503, { 'Content-Type': 'text/plain' }).end('busy');
        else res.writeHead(200, { 'Content-Type': 'text/plain' }).end(answer);
      });
    });
    this.server.keepAliveTimeout = 30_000;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/notify`;
    return this;
  }

  /** Acknowledged deliveries by notifyId. */
  acknowledged(): Map<string, Delivery[]> {
    const out = new Map<string, Delivery[]>();
    for (const d of this.deliveries) {
      if (d.answer !== 'success') continue;
      const list = out.get(d.notifyId) ?? [];
      list.push(d);
      out.set(d.notifyId, list);
    }
    return out;
  }

  byOrder(): Map<string, Delivery[]> {
    const out = new Map<string, Delivery[]>();
    for (const d of this.deliveries) {
      const list = out.get(d.orderId) ?? [];
      list.push(d);
      out.set(d.orderId, list);
    }
    return out;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function parseFields(raw: string): Record<string, string> {
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (typeof parsed !== 'object' || parsed === null) return {};
    return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'));
  } catch {
    return {};
  }
}
