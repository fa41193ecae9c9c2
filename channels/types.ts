import type { PayCredential, PaywayCode, SceneCode, TermType } from '../domain/order';

/** Channels registered in this build. */
export const CHANNEL_NAMES = ['sandbox', 'ipaynow'] as const;
export type ChannelName = (typeof CHANNEL_NAMES)[number];

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
}

export interface ChannelOrderRef {
  orderId: string;
  channelOrderNo?: string;
}

export type ChannelCreateResult =
  | { kind: 'CREATED'; channelOrderNo: string; credential: PayCredential }
  | { kind: 'DECLINED'; reason: string }
  | { kind: 'UNSUPPORTED'; reason: string }
  | { kind: 'UNKNOWN'; reason: string };

/**
 * An order's state at the channel: a closed union. A timeout or network error is UNKNOWN, resolved by asking again,
 * never taken for a failure. FAIL covers declined and closed-unpaid orders (reason says which).
 */
export type ChannelStatus =
  | { status: 'SUCCESS'; paidAtMs: number; bankType?: string; channelOrderNo?: string }
  | { status: 'FAIL'; reason: string }
  | { status: 'PENDING' }
  | { status: 'UNKNOWN'; reason: string };

/** One interface for every upstream channel. */
export interface Channel {
  readonly name: ChannelName;
  create(order: ChannelOrderRequest): Promise<ChannelCreateResult>;
  query(ref: ChannelOrderRef): Promise<ChannelStatus>;
  /** Closes an unpaid order; answers the state after closing (SUCCESS if it had been paid after all). */
  close(ref: ChannelOrderRef): Promise<ChannelStatus>;
}

export type ChannelRegistry = Record<ChannelName, Channel>;
