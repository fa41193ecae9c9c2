import { readCappedBody } from './read-body';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the merchant's endpoint answered to one POST (or why there was no answer). */
export interface MerchantAnswer {
  /** null: no HTTP answer (refused, reset, timed out). */
  httpStatus: number | null;
  /** At most 1 KiB of the answer body. */
  body: string;
  latencyMs: number;
  error: string | null;
}

/** One notification the platform sent to the relay, as forwarded to the merchant, with the merchant's answer. */
export interface RelayedNotification {
  fields: Record<string, string>;
  /** The exact body bytes the platform sent (and the relay forwarded). */
  raw: Buffer;
  /** The headers forwarded: Content-Type, the signature header, X-Notify-Id, X-Notify-Attempt. */
  headers: Record<string, string>;
  notifyId: string;
  attempt: number;
  answer: MerchantAnswer;
  /** What the relay told the platform: the merchant's answer, or `fail` when the relay made the platform retry. */
  toldPlatform: string;
}

export interface CertifyRelay {
  /** What the certification passes as notifyUrl. */
  url: string;
  relayed: RelayedNotification[];
  /** The platform's first attempt of this order's notifications is forwarded, then answered `fail`: the platform retries. */
  failFirstAttemptOf(orderId: string): void;
  /** The first relayed notification that matches, once the merchant has answered it; rejects after `timeoutMs`. */
  waitFor(match: (n: RelayedNotification) => boolean, timeoutMs: number, what: string): Promise<RelayedNotification>;
  /** POSTs a body with headers to the merchant's endpoint directly (a repeat, a forged copy). */
  send(raw: Buffer, headers: Record<string, string>): Promise<MerchantAnswer>;
  stop(): Promise<void>;
}

const MAX_BODY = 64 * 1024;
const MAX_ANSWER = 1024;
/** The headers of a notification that the merchant's handler may rely on; nothing else is forwarded. */
const FORWARDED = ['content-type', 'paydurable-signature', 'x-notify-id', 'x-notify-attempt'];

/**
 * The certification's local relay: the notifyUrl of its test orders. Each notification the platform sends is
 * forwarded as is (the same bytes, the same signature and notification headers) to the merchant's endpoint; the
 * merchant's answer, HTTP status and time are recorded, and the platform gets the merchant's answer — except the first
 * attempt of an order marked with failFirstAttemptOf, which is answered `fail` so that the platform retries.
 * `forwardTimeoutMs` bounds the wait for the merchant (longer than the limit under test, so a slow answer is measured).
 */
export async function startCertifyRelay(opts: { target: string; forwardTimeoutMs: number; port?: number; host?: string; publicUrl?: string }): Promise<CertifyRelay> {
  const relayed: RelayedNotification[] = [];
  const failFirst = new Set<string>();
  const waiters = new Set<() => void>();
  const inFlight = new Set<Promise<unknown>>();

  async function send(raw: Buffer, headers: Record<string, string>): Promise<MerchantAnswer> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    try {
      const res = await fetch(opts.target, {
        method: 'POST', headers, body: raw, redirect: 'manual', signal: AbortSignal.timeout(opts.forwardTimeoutMs),
      });
      const body = (await res.text()).slice(0, MAX_ANSWER);
      return { httpStatus: res.status, body, latencyMs: elapsed(), error: null };
    } catch (err) {
      const e = err as Error;
      const error = e.name === 'TimeoutError' ? `no answer within ${opts.forwardTimeoutMs} ms` : `${e.message}${e.cause ? ` (${(e.cause as Error).message})` : ''}`;
      return { httpStatus: null, body: '', latencyMs: elapsed(), error };
    }
  }

  async function relay(req: IncomingMessage, raw: Buffer): Promise<{ status: number; body: string }> {
    const headers: Record<string, string> = {};
    for (const h of FORWARDED) {
      const v = req.headers[h];
      if (typeof v === 'string') headers[h] = v;
    }
    let fields: Record<string, string> = {};
    try {
      const parsed = JSON.parse(raw.toString('utf8')) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) fields = parsed as Record<string, string>;
    } catch {
      // forwarded as it came; the merchant's answer is recorded all the same
    }
    const attempt = Number(headers['x-notify-attempt'] ?? '0');
    const answer = await send(raw, headers);
    const makeRetry = attempt === 1 && typeof fields.orderId === 'string' && failFirst.has(fields.orderId);
    const merchantOk = answer.httpStatus !== null && answer.httpStatus >= 200 && answer.httpStatus < 300;
    const reply = makeRetry ? { status: 200, body: 'fail' } : { status: merchantOk ? 200 : 502, body: answer.body || 'fail' };
    relayed.push({ fields, raw, headers, notifyId: headers['x-notify-id'] ?? '', attempt, answer, toldPlatform: reply.body });
    for (const wake of waiters) wake();
    return reply;
  }

  const server: Server = createServer((req, res) => {
    readCappedBody(req, MAX_BODY, (raw, tooLarge) => {
      if (req.method !== 'POST' || tooLarge) return void res.writeHead(400, { 'Content-Type': 'text/plain' }).end('fail');
      const work = relay(req, raw).then(({ status, body }) => {
        if (!res.destroyed) res.writeHead(status, { 'Content-Type': 'text/plain' }).end(body);
      });
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: opts.publicUrl ?? `http://${opts.host ?? '127.0.0.1'}:${port}/notify`,
    relayed,
    failFirstAttemptOf: (orderId) => void failFirst.add(orderId),
    waitFor(match, timeoutMs, what) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = relayed.find(match);
          if (!found) return;
          done();
          resolve(found);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no ${what} within ${Math.round(timeoutMs / 1000)} s`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    send,
    async stop() {
      await Promise.allSettled([...inFlight]);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
