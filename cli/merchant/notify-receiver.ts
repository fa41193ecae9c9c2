import { readCappedBody } from './read-body';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SIGN_TYPES, verifySignature, type FieldSignType } from '../../domain/signing';
import { parseSignatureHeader, rawSignatureMatches, SIGNATURE_HEADER, TOLERANCE_SECONDS } from '../../domain/raw-signature';

/** One notification the receiver got, and whether its signature verified with the merchant's key. */
export interface ReceivedNotification {
  fields: Record<string, string>;
  notifyId: string;
  attempt: string;
  verified: boolean;
  /** Why it did not verify (absent when it did). */
  problem?: string;
}

export interface NotifyReceiver {
  /** What to pass as notifyUrl. */
  url: string;
  received: ReceivedNotification[];
  stop(): Promise<void>;
}

const MAX_BODY = 64 * 1024;

/**
 * The merchant CLI's own notification endpoint: a small HTTP server on this machine (loopback) that checks each
 * notification's signature with the merchant's key — the raw-body header (Paydurable-Signature, within 5 minutes) or
 * the signature field — answers `success` to a verified one and `fail` to anything else, and reports each to
 * `onNotification`. It stands in for the merchant's server in `demo` and `receive`; the platform has no such endpoint.
 */
export async function startNotifyReceiver(opts: {
  key: string;
  port?: number;
  onNotification?: (n: ReceivedNotification) => void;
  nowMs?: () => number;
}): Promise<NotifyReceiver> {
  const received: ReceivedNotification[] = [];
  const now = opts.nowMs ?? Date.now;
  const server: Server = createServer((req, res) => {
    readCappedBody(req, MAX_BODY, (raw, tooLarge) => {
      const n = check(raw, req.headers[SIGNATURE_HEADER.toLowerCase()], tooLarge);
      n.notifyId = String(req.headers['x-notify-id'] ?? '');
      n.attempt = String(req.headers['x-notify-attempt'] ?? '');
      received.push(n);
      opts.onNotification?.(n);
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end(n.verified ? 'success' : 'fail');
    });
  });

  function check(raw: Buffer, header: string | string[] | undefined, tooLarge: boolean): ReceivedNotification {
    const base = { notifyId: '', attempt: '', fields: {} as Record<string, string> };
    if (tooLarge) return { ...base, verified: false, problem: 'body over 64 KiB' };
    try {
      const parsed = JSON.parse(raw.toString('utf8')) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) base.fields = parsed as Record<string, string>;
    } catch {
      return { ...base, verified: false, problem: 'not JSON' };
    }
    if (typeof header === 'string') {
      const h = parseSignatureHeader(header);
      if (typeof h === 'string') return { ...base, verified: false, problem: h };
      if (Math.abs(now() / 1000 - h.t) > TOLERANCE_SECONDS) return { ...base, verified: false, problem: `${SIGNATURE_HEADER} t is too old or in the future` };
      return rawSignatureMatches(opts.key, h, raw) ? { ...base, verified: true } : { ...base, verified: false, problem: 'signature does not verify' };
    }
    const { signType, signature } = base.fields;
    if (!(SIGN_TYPES as readonly string[]).includes(signType ?? '') || typeof signature !== 'string') {
      return { ...base, verified: false, problem: 'no signature' };
    }
    return verifySignature(base.fields, opts.key, signType as FieldSignType, signature)
      ? { ...base, verified: true }
      : { ...base, verified: false, problem: 'signature does not verify' };
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`,
    received,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
