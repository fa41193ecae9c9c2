import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { AddressRefused, isPublicAddress, publicOnlyLookup } from './address-policy';

export interface PostAnswer {
  /** 2xx status (redirects are not followed and count as failure). */
  ok: boolean;
  httpStatus: number | null;
  /** The answer body, at most 1 KiB of it; '' when there was none. */
  body: string;
  latencyMs: number;
  error: string | null;
}

const MAX_BODY = 1024;

/** Kept-alive connections per policy: a pooled socket was vetted by the lookup when it was opened. */
const AGENTS = {
  public: { http: new HttpAgent({ keepAlive: true, lookup: publicOnlyLookup() }), https: new HttpsAgent({ keepAlive: true, lookup: publicOnlyLookup() }) },
  any: { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) },
};

/**
 * POSTs JSON and reads at most 1 KiB of the answer, all within `timeoutMs`. Never throws for anything the receiver
 * does (refused, reset, slow, 3xx/5xx, HTML): the outcome is in the answer. Redirects are not followed. Unless
 * `allowPrivate`, only public addresses are connected to (activities/address-policy.ts): an IP literal is checked
 * before, a host name after DNS, at connect time.
 */
export async function postNotification(
  url: string,
  body: Record<string, unknown>,
  opts: { timeoutMs: number; headers: Record<string, string>; allowPrivate?: boolean },
): Promise<PostAnswer> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const failed = (error: string): PostAnswer => ({ ok: false, httpStatus: null, body: '', latencyMs: elapsed(), error });
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return failed('not a URL');
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') return failed(`refused: ${target.protocol} is not http or https`);
  const literal = target.hostname.replace(/^\[|\]$/g, '');
  if (!opts.allowPrivate && isIP(literal) !== 0 && !isPublicAddress(literal)) return failed(`refused: ${literal} is not a public address`);

  const payload = Buffer.from(JSON.stringify(body), 'utf8');
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<PostAnswer>((resolve) => {
    let settled = false;
    /** `reuse`: the answer was read to its end, so the kept-alive socket can serve the next notification. */
    const finish = (a: PostAnswer, reuse = false) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!reuse) req.destroy();
      resolve(a);
    };
    const req = send(target, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': payload.byteLength, ...opts.headers },
      agent: AGENTS[opts.allowPrivate ? 'any' : 'public'][target.protocol === 'https:' ? 'https' : 'http'],
    }, (res) => {
      const status = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let size = 0;
      const done = (reuse: boolean) => {
        const text = Buffer.concat(chunks).toString('utf8').slice(0, MAX_BODY);
        const ok = status >= 200 && status < 300;
        finish({ ok, httpStatus: status, body: text, latencyMs: elapsed(), error: ok ? null : `HTTP ${status}` }, reuse);
      };
      res.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.byteLength;
        if (size >= MAX_BODY) done(false);
      });
      res.on('end', () => done(true));
      res.on('error', (err) => finish(failed(describe(err))));
    });
    const timer = setTimeout(() => finish(failed(`no answer within ${opts.timeoutMs} ms`)), opts.timeoutMs);
    req.on('error', (err) => finish(failed(err instanceof AddressRefused ? `refused: ${err.message}` : describe(err))));
    req.end(payload);
  });
}

function describe(err: unknown): string {
  const e = err as Error & { code?: string; cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.code ?? e.cause?.message ?? e.message ?? 'request failed';
}
