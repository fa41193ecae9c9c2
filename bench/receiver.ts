import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The benchmark's merchant: answers `success` at once and records when each order's first notification arrived.
 * `waitFor(orderId)` resolves at that moment.
 */
export class BenchReceiver {
  readonly arrivals = new Map<string, number>();
  private waiters = new Map<string, (t: number) => void>();
  private server: Server;
  url = '';

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const at = performance.now();
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end('success');
        try {
          const { orderId } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { orderId?: string };
          if (orderId && !this.arrivals.has(orderId)) {
            this.arrivals.set(orderId, at);
            this.waiters.get(orderId)?.(at);
            this.waiters.delete(orderId);
          }
        } catch {
          /* not a notification */
        }
      });
    });
    this.server.keepAliveTimeout = 60_000;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/notify`;
    return this;
  }

  waitFor(orderId: string, timeoutMs = 60_000): Promise<number> {
    const seen = this.arrivals.get(orderId);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no notification for ${orderId} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.set(orderId, (t) => {
        clearTimeout(timer);
        resolve(t);
      });
    });
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
