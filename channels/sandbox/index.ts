import type { Pool } from '../../db/pool';
import type { PayCredential, SceneCode } from '../../domain/order';
import { ChannelRetryableError, type Channel, type ChannelOrderRef, type ChannelStatus } from '../../domain/channels';
import { closeSandboxOrder, findSandboxOrderByOrderId, openSandboxOrder, type SandboxOrder } from './books';
import { cashierUrl } from './urls';
import { findSandboxRefund, refundSandboxOrder } from './refunds';
import { findSandboxTransfer, transferFromSandbox } from './transfers';
import type { SandboxSettings } from './settings';

/**
 * The sandbox channel: a pretend upstream that lives inside the platform. Its pay links open a cashier page served by
 * the API (`/sandbox/cashier/:channelOrderNo`); paying there reports success to the order like a channel callback.
 * Query and close read and write its ledger, so polling finds payments too.
 */
export function createSandboxChannel(deps: { pool: Pool; publicBaseUrl: string; settings?: SandboxSettings }): Channel {
  const { pool, publicBaseUrl } = deps;

  function credentialFor(scene: SceneCode, order: SandboxOrder): PayCredential {
    const url = cashierUrl(publicBaseUrl, order.channelOrderNo);
    switch (scene) {
      case 'scan':
        return { codeUrl: url, imgUrl: `${url}/qr.svg` };
      case 'h5':
        return { mwebUrl: url };
      case 'jspay':
      case 'app':
        return { payInfo: JSON.stringify({ channel: 'sandbox', channelOrderNo: order.channelOrderNo, payUrl: url }) };
      case 'ebank':
      case 'gateway':
        return {
          resultHtml:
            `<form id="sandboxpay" method="get" action="${url}"></form>` +
            '<script>document.getElementById("sandboxpay").submit();</script>',
        };
    }
  }

  function statusOf(order: SandboxOrder | null): ChannelStatus {
    if (!order) return { status: 'FAIL', reason: 'order not found at sandbox' };
    if (order.status === 'paid') return { status: 'SUCCESS', paidAtMs: order.paidAtMs ?? Date.now(), amountFen: order.amountFen, channelOrderNo: order.channelOrderNo };
    if (order.status === 'closed') return { status: 'FAIL', reason: 'closed' };
    return { status: 'PENDING' };
  }

  return {
    name: 'sandbox',
    async create(req) {
      // The sandbox's books are our own database: when it cannot be reached the call did not get through, and the
      // create is idempotent (one sandbox order per orderId), so it is retried rather than answered UNKNOWN.
      const order = await openSandboxOrder(pool, req.orderId, req.amountFen, req.subject).catch((err: Error) => {
        throw new ChannelRetryableError(`sandbox books unreachable: ${err.message}`, { cause: err });
      });
      return { kind: 'CREATED', channelOrderNo: order.channelOrderNo, credential: credentialFor(req.sceneCode, order) };
    },
    async query(ref: ChannelOrderRef) {
      // Not in the books (yet): the create may still be on its way (an activity retrying through a fault), so this
      // is "not paid", never a failure; the order's expiry settles it with a close.
      const order = await findSandboxOrderByOrderId(pool, ref.orderId);
      return order ? statusOf(order) : { status: 'PENDING' };
    },
    async close(ref: ChannelOrderRef) {
      const order = await findSandboxOrderByOrderId(pool, ref.orderId);
      if (!order) return statusOf(null);
      return statusOf(await closeSandboxOrder(pool, order.channelOrderNo));
    },
    /**
     * The sandbox's close is final at its books, but a payment it takes anyway (afterClose) is a callback that could
     * still be lost before its outbox retries it (a row exhausted, or a payment older than the outbox). So a closed or
     * expired sandbox order is polled, like IPayNow's, until its expiry plus CHANNEL_WATCH_MARGIN.
     */
    watchUntilMs: (order, marginMs) => order.expireAtMs + marginMs,
    /** Refunds of paid test orders: instant, delayed or failing (SANDBOX_REFUND_MODE; refunds.ts). */
    refund: (req) => refundSandboxOrder(pool, req, deps.settings),
    queryRefund: (ref) => findSandboxRefund(pool, ref),
    /** Payouts of test merchants: instant, delayed, failing or unknown (SANDBOX_PAYOUT_MODE; transfers.ts). */
    transfer: (req) => transferFromSandbox(pool, req, deps.settings ?? { payoutMode: 'instant', payoutDelayMs: 0 }),
    queryTransfer: (ref) => findSandboxTransfer(pool, ref),
  };
}
