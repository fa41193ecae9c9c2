import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createControls, type IpaynowEmulatorControls } from './controls';
import type { Faults } from './faults';
import { Notifier } from './notifier';
import { OrderBook } from './orders';
import type { ApiCallRecord } from './protocol';
import { createHandler } from './server';
import { noSeeds } from '../statement-seeds';

export type { IpaynowEmulatorControls } from './controls';
export type { Faults, FaultsPatch } from './faults';
export type { NotifyAttemptRecord } from './notifier';
export type { ApiCallRecord } from './protocol';
export { IPAYNOW_NOTIFY_RETRY_MS } from './notifier';

export interface IpaynowEmulatorOptions {
  /** Port to listen on; 0 (default) = any free port. */
  port?: number;
  host?: string;
  /** The applications it knows: appId → appKey. */
  apps: Record<string, string>;
  /** Multiplies IPayNow's N001 retry schedule (2m … 15h); 1 = real time, 0.001 = milliseconds for tests. */
  notifyScale?: number;
  /** Base URL of the pay links (`tn`) handed out; default the listening URL. */
  publicUrl?: string;
  log?: (line: string) => void;
}

export interface IpaynowEmulator {
  url: string;
  controls: IpaynowEmulatorControls;
  stop(): Promise<void>;
}

/**
 * A local stand-in for IPayNow's server interfaces (WP001, MQ002, N001) for tests and the local demo. Orders live in
 * memory. See docs/ipaynow-channel.md for the routes and the fault switches.
 */
export async function startIpaynowEmulator(opts: IpaynowEmulatorOptions): Promise<IpaynowEmulator> {
  const now = () => Date.now();
  const log = opts.log ?? (() => undefined);
  const apps = new Map(Object.entries(opts.apps));
  const book = new OrderBook(now);
  const calls: ApiCallRecord[] = [];
  let faults: () => Faults = () => { throw new Error('emulator not wired'); };
  const notifier = new Notifier({ appKeyOf: (id) => apps.get(id), faults: () => faults(), scale: opts.notifyScale ?? 1, now, log });
  const wired = createControls({ book, notifier, apps, calls });
  faults = wired.currentFaults;
  let publicUrl = opts.publicUrl ?? '';
  const handler = createHandler({
    book,
    controls: wired.controls,
    protocol: {
      book, now, faults,
      appKeyOf: (id) => apps.get(id),
      payLink: (o) => `${publicUrl}/cashier/${encodeURIComponent(o.nowPayOrderNo)}`,
      record: (r) => void calls.push(r),
      seeds: noSeeds(),
    },
  });

  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    handler(req, res).catch((err: unknown) => {
      log(`emulator error: ${(err as Error).message}`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const url = `http://${opts.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`;
  publicUrl ||= url;
  return {
    url,
    controls: wired.controls,
    async stop() {
      notifier.stop();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
