import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IpaynowEmulatorControls } from './controls';
import type { FaultsPatch } from './faults';
import { readForm } from './form';
import { handleApiCall, type ProtocolDeps } from './protocol';
import { cashierPage, page } from './pages';
import type { OrderBook } from './orders';
import { seedStatement } from '../statement-seeds';

const MAX_BODY = 64 * 1024;

/**
 * The emulator's HTTP routes:
 *   POST /                              the IPayNow API address (WP001, MQ002; form bodies, form answers)
 *   GET  /cashier/:nowPayOrderNo        the payer's page behind `tn`;  POST …/pay  pays
 *   POST /_emulator/pay                 {mhtOrderNo, evenIfClosed?} (JSON or form): the payer pays
 *   GET  /_emulator/orders/:mhtOrderNo  an order as the emulator sees it
 *   GET  /_emulator/notifications[?mhtOrderNo=]  every N001 attempt and its answer
 *   POST /_emulator/statement          seeds the DL001 statements (emulator/statement-seeds.ts)
 *   GET|POST /_emulator/faults          read / patch the fault switches (JSON);  POST /_emulator/faults/reset
 */
export function createHandler(d: { protocol: ProtocolDeps; book: OrderBook; controls: IpaynowEmulatorControls }) {
  const seeds = d.protocol.seeds;
  const { controls } = d;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const path = url.pathname;
    const text = req.method === 'POST' ? await readBody(req) : '';
    if (text === null) return send(res, 413, 'text/plain', 'body too large');

    if (req.method === 'POST' && path === '/') {
      const a = handleApiCall(text, d.protocol);
      if (a.delayMs > 0) await new Promise((r) => setTimeout(r, a.delayMs));
      return send(res, a.status, 'application/x-www-form-urlencoded;charset=UTF-8', a.body);
    }
    const cashier = /^\/cashier\/([^/]+)(\/pay)?$/.exec(path);
    if (cashier) {
      const order = d.book.byNowPayOrderNo(decodeURIComponent(cashier[1]!));
      if (!order) return send(res, 404, 'text/html', page('Not found', '<p>No such order.</p>'));
      if (req.method === 'POST' && cashier[2]) {
        const outcome = controls.pay(order.mhtOrderNo);
        return send(res, outcome.paid ? 200 : 409, 'text/html', page(outcome.paid ? 'Paid' : 'Not paid', `<p>${outcome.paid ? 'Thank you.' : outcome.reason}</p>`));
      }
      return send(res, 200, 'text/html', cashierPage(order, d.book.statusOf(order)));
    }
    if (req.method === 'POST' && path === '/_emulator/pay') {
      const body = parseLoose(text, req.headers['content-type']);
      const outcome = controls.pay(String(body.mhtOrderNo ?? ''), { evenIfClosed: body.evenIfClosed === true || body.evenIfClosed === 'true' });
      return json(res, outcome.paid ? 200 : 409, outcome.paid ? { paid: true, nowPayOrderNo: outcome.order.nowPayOrderNo } : outcome);
    }
    const orderPath = /^\/_emulator\/orders\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && orderPath) {
      const order = controls.order(decodeURIComponent(orderPath[1]!));
      return order ? json(res, 200, order) : json(res, 404, { error: 'no such order' });
    }
    if (req.method === 'GET' && path === '/_emulator/notifications') {
      return json(res, 200, controls.notifications(url.searchParams.get('mhtOrderNo') ?? undefined));
    }
    if (path === '/_emulator/faults') {
      if (req.method === 'POST') controls.setFaults(parseLoose(text, 'application/json') as FaultsPatch);
      return json(res, 200, controls.faults());
    }
    if (req.method === 'POST' && path === '/_emulator/faults/reset') {
      controls.resetFaults();
      return json(res, 200, controls.faults());
    }
    if (req.method === 'POST' && path === '/_emulator/statement') {
      const problem = seedStatement(seeds, parseLoose(text, 'application/json'), Date.now());
      return problem ? json(res, 400, { ok: false, reason: problem }) : json(res, 200, { ok: true });
    }
    if (req.method === 'GET' && path === '/healthz') return json(res, 200, { status: 'ok' });
    return send(res, 404, 'text/plain', 'not found');
  };
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => resolve(null));
  });
}

/** A JSON object or a form body, whatever was sent. */
function parseLoose(text: string, contentType: string | undefined): Record<string, unknown> {
  if (contentType?.includes('json') || text.trimStart().startsWith('{')) {
    try {
      const v: unknown = JSON.parse(text);
      return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  }
  return readForm(text);
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': type.includes('charset') ? type : `${type}; charset=utf-8` }).end(body);
}

function json(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json', JSON.stringify(value));
}
