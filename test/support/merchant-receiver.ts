import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** How the receiver answers one notification. */
export type Behaviour =
  | { kind: 'answer'; body: string; status?: number; contentType?: string }
  | { kind: 'delay'; ms: number; body: string }
  | { kind: 'reset' };

export interface Received {
  atMs: number;
  headers: IncomingHttpHeaders;
  body: Record<string, string>;
  raw: string;
}

/**
 * A real merchant notification endpoint on a loopback port. It answers each request with the next scripted
 * behaviour (the last one repeats) and records what it received; `waitFor(n)` resolves on the n-th request.
 */
export class MerchantReceiver {
  readonly received: Received[] = [];
  private script: Behaviour[];
  private waiters: { n: number; resolve: () => void }[] = [];
  private sockets = new Set<Socket>();
  private server: Server;
  url = '';

  constructor(script: Behaviour[] = [{ kind: 'answer', body: 'success' }]) {
    this.script = [...script];
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let body: Record<string, string> = {};
        try {
          body = JSON.parse(raw) as Record<string, string>;
        } catch {
          body = {};
        }
        this.received.push({ atMs: Date.now(), headers: req.headers, body, raw });
        const behaviour = this.script.length > 1 ? this.script.shift()! : this.script[0]!;
        this.waiters = this.waiters.filter((w) => (this.received.length >= w.n ? (w.resolve(), false) : true));
        if (behaviour.kind === 'reset') {
          req.socket.destroy();
        } else if (behaviour.kind === 'delay') {
          const t = setTimeout(() => res.end(behaviour.body), behaviour.ms);
          res.on('close', () => clearTimeout(t));
        } else {
          res.writeHead(behaviour.status ?? 200, { 'Content-Type': behaviour.contentType ?? 'text/plain' }).end(behaviour.body);
        }
      });
    });
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/notify`;
    return this;
  }

  /** From now on, answers with this script instead (the endpoint recovers, or starts failing). */
  answerWith(script: Behaviour[]): void {
    this.script = [...script];
  }

  /** Requests whose X-Notify-Id starts with the order id. */
  forOrder(orderId: string): Received[] {
    return this.received.filter((r) => String(r.headers['x-notify-id'] ?? '').startsWith(orderId));
  }

  waitFor(n: number, timeoutMs = 30_000): Promise<void> {
    if (this.received.length >= n) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`receiver got ${this.received.length} of ${n} requests`)), timeoutMs);
      this.waiters.push({ n, resolve: () => { clearTimeout(timer); resolve(); } });
    });
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
