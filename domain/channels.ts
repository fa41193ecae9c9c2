import type { PayCredential, PaywayCode, SceneCode, TermType } from './order';
import type { Payee } from './payout';

/**
 * The channels of this build, by name. A channel is one folder, `channels/<name>/`, registered by one line in
 * channels/registry.ts (typed over this list, so a name without a folder, or a folder without a name, does not compile).
 */
export const CHANNEL_NAMES = ['sandbox', 'ipaynow', 'alipay', 'wechatpay'] as const;
export type ChannelName = (typeof CHANNEL_NAMES)[number];
/** The channels that move real money (live orders); the sandbox serves test orders only. */
export const LIVE_CHANNEL_NAMES = ['ipaynow', 'alipay', 'wechatpay'] as const satisfies readonly ChannelName[];
export type LiveChannelName = (typeof LIVE_CHANNEL_NAMES)[number];

export const isChannelName = (s: string): s is ChannelName => (CHANNEL_NAMES as readonly string[]).includes(s);
export const isLiveChannelName = (s: string): s is LiveChannelName => (LIVE_CHANNEL_NAMES as readonly string[]).includes(s);

/** What we ask a channel to collect. */
export interface ChannelOrderRequest {
  orderId: string;
  mercNo: string;
  amountFen: number;
  subject: string;
  paywayCode: PaywayCode;
  sceneCode: SceneCode;
  termType: TermType;
  expireAtMs: number;
  ip: string;
  bankCode?: string;
  payType?: string;
  /** The payer's device and the merchant's site or app (WeChat H5: IOS_SDK, AND_SDK or WAP_SDK; name; id or URL). */
  deviceInfo?: string;
  mchAppName?: string;
  mchAppId?: string;
}

export interface ChannelOrderRef {
  orderId: string;
  channelOrderNo?: string;
}

export type ChannelCreateResult =
  | { kind: 'CREATED'; channelOrderNo: string; credential: PayCredential }
  | { kind: 'DECLINED'; reason: string }
  | { kind: 'UNSUPPORTED'; reason: string }
  | { kind: 'UNKNOWN'; reason: string }
  /** Not asked: the channel's circuit is open (domain/circuit-breaker.ts), so it cannot have the order. Never from a channel itself. */
  | { kind: 'UNAVAILABLE'; reason: string };

/**
 * An order's state at the channel: a closed union. A timeout or network error is UNKNOWN, resolved by asking again,
 * never taken for a failure. FAIL covers declined and closed-unpaid orders (reason says which).
 */
export type ChannelStatus =
  /** Money taken: `amountFen` is what the channel says it collected (the workflow compares it with the order's). */
  | { status: 'SUCCESS'; paidAtMs: number; amountFen: number; bankType?: string; channelOrderNo?: string }
  | { status: 'FAIL'; reason: string }
  | { status: 'PENDING' }
  | { status: 'UNKNOWN'; reason: string };

/** A refund we ask a channel for (the refunds issue builds on this). `refundId` is ours and idempotent at the channel. */
export interface ChannelRefundRequest {
  orderId: string;
  channelOrderNo?: string;
  refundId: string;
  amountFen: number;
  reason?: string;
}

export interface ChannelRefundRef {
  orderId: string;
  channelOrderNo?: string;
  refundId: string;
}

/** A refund's state at the channel: the same closed-union rule as ChannelStatus (UNKNOWN is asked again). */
export type ChannelRefundStatus =
  | { status: 'SUCCESS'; refundedAtMs: number; amountFen: number; channelRefundNo?: string }
  /**
   * Refused, nothing refunded. `notFound`: a refund query found no refund of this number — after a refund request
   * whose answer was lost this proves nothing (the request may still land), so the refund workflow keeps asking.
   */
  | { status: 'FAIL'; reason: string; notFound?: boolean }
  | { status: 'PENDING' }
  | { status: 'UNKNOWN'; reason: string }
  | { status: 'UNSUPPORTED'; reason: string };

/**
 * A payout we ask a channel to make. `outBizNo` is our orderId: the channel deduplicates by it (a repeat answers the
 * first transfer and moves no money), so one payout moves money at most once whatever happens to our side.
 */
export interface ChannelTransferRequest {
  orderId: string;
  outBizNo: string;
  amountFen: number;
  payee: Payee;
  title: string;
}

export interface ChannelTransferRef {
  orderId: string;
  outBizNo: string;
  /** The payee's account type (Alipay's query names the product). */
  payee: Pick<Payee, 'accountType'>;
}

/** A transfer's state at the channel: the same closed-union rule as ChannelStatus (UNKNOWN is asked again). */
export type ChannelTransferStatus =
  | { status: 'SUCCESS'; transferredAtMs: number; amountFen: number; channelTransferNo?: string }
  /** Refused, nothing moved. `notFound`: a query found no transfer of this number — after a lost request this proves nothing. */
  | { status: 'FAIL'; reason: string; notFound?: boolean }
  | { status: 'PENDING' }
  | { status: 'UNKNOWN'; reason: string }
  | { status: 'UNSUPPORTED'; reason: string };

/** The outbound side every channel offers: the calls the order workflow's activities and the poller make. */
export interface Channel {
  readonly name: ChannelName;
  create(order: ChannelOrderRequest): Promise<ChannelCreateResult>;
  query(ref: ChannelOrderRef): Promise<ChannelStatus>;
  /** Closes an unpaid order; answers the state after closing (SUCCESS if it had been paid after all). */
  close(ref: ChannelOrderRef): Promise<ChannelStatus>;
  /** Asks the channel to refund (at most once per refundId at the channel). */
  refund(req: ChannelRefundRequest): Promise<ChannelRefundStatus>;
  queryRefund(ref: ChannelRefundRef): Promise<ChannelRefundStatus>;
  /** Pays out (at most once per outBizNo at the channel); absent = the channel makes no payouts (domain/payout.ts PAYOUT_CHANNELS). */
  transfer?(req: ChannelTransferRequest): Promise<ChannelTransferStatus>;
  queryTransfer?(ref: ChannelTransferRef): Promise<ChannelTransferStatus>;
  /**
   * Until when an order that we closed or expired must still be asked about (epoch ms): for a channel whose close is
   * only local and which can still take the money until its own order timeout (IPayNow), or which can take money after
   * a close and report it by a callback that may be lost (the sandbox's afterClose); null when neither can happen.
   */
  watchUntilMs(order: { createdAtMs: number; expireAtMs: number }, marginMs: number): number | null;
}

export type ChannelRegistry = Record<ChannelName, Channel>;

/**
 * Thrown by a channel call that did not get through for a reason of the platform's own (the sandbox's books are in
 * our PostgreSQL, and it is down), where the same call is safe to make again (it is idempotent at the channel). The
 * activity is then retried with backoff (bounded, then escalated) instead of answering UNKNOWN: a create that merely
 * met a database restart gives the merchant a pay credential a few seconds later rather than an order left open,
 * unpayable, until its expiry. A call that may have reached a real upstream is never this: it is UNKNOWN.
 */
export class ChannelRetryableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ChannelRetryableError';
  }
}
