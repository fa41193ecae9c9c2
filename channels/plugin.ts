import type { Router } from 'express';
import type { z } from 'zod';
import type { AppConfig } from '../config';
import type { Logger } from '../config/logger';
import type { Pool, Queryable } from '../db/pool';
import type { OrderRecord } from '../db/orders';
import type { Channel, ChannelName, ChannelRefundStatus, ChannelStatus } from '../domain/channels';
import type { OrderDraft } from '../domain/order';
import type { Keyring } from '../secrets/keyring';
import type { UnverifiedReason } from '../observability/api-metrics';
import type { ChannelReport } from '../workflows/definitions';
import type { StatementLine } from '../domain/reconciliation';

/**
 * A channel plug-in: everything about one channel lives in its folder `channels/<name>/` and is reached through this
 * interface — its settings (read from the environment, validated at boot), its accounts (credentials per merchant,
 * sealed at rest), its outbound calls (domain/channels.ts `Channel`), its inbound callbacks (`ChannelInbound`) and, for
 * a channel that lives inside the platform (the sandbox), its payer pages and background work. Registered by one line
 * in channels/registry.ts.
 */
export interface ChannelPlugin<S = unknown, N extends ChannelName = ChannelName> {
  readonly name: N;
  /**
   * Reads the channel's own variables from the environment (config.channelEnv). A bad value throws an Error whose
   * message names the variable and the rule, never a secret value (the registry turns it into a ConfigError).
   */
  loadSettings(env: ChannelEnv): S;
  /** Whether the channel can serve a merchant that has no account of its own (what DEFAULT_CHANNEL needs). */
  servesWithoutAccount(settings: S): boolean;
  /** The running channel over its dependencies. */
  build(settings: S, deps: ChannelDeps): BuiltChannel;
  /**
   * What this channel needs from a unified order beyond the merchant API's own rules (Alipay jspay: the payer's buyer
   * id in `attach`), checked by the API before the order exists, so a request that cannot be served is a 4xx naming
   * the field (100001) instead of an order that fails at the channel. Null when the order is fine. Pure.
   */
  orderRequirement?(order: Pick<OrderDraft, 'sceneCode' | 'paywayCode' | 'attach'>): { field: string; rule: string } | null;
  /** Re-seals the channel's stored credentials under the keyring's current master key; returns how many changed. */
  resealAccounts?(db: Queryable, keyring: Keyring): Promise<number>;
  /** How the admin API sets a merchant's own account at this channel (absent = the channel has no per-merchant accounts). */
  accountAdmin?: ChannelAccountAdmin;
}

/**
 * A merchant's account at a channel, as the admin API takes it (PUT /admin/v1/merchants/{mercNo}/channel-accounts/<name>).
 * The body schema states every rule a JSON Schema can; `problem` checks the rest (keys that must parse) after the
 * merchant is known. `save` stores it sealed inside the caller's transaction; `describe` is what the audit row and the
 * answer may show: identifiers only, never a key.
 */
export interface ChannelAccountAdmin<T = any> { // eslint-disable-line @typescript-eslint/no-explicit-any -- each channel's own account type
  readonly schema: z.ZodType<T>;
  problem?(account: T): { field: string; rule: string } | null;
  save(db: Queryable, keyring: Keyring, mercNo: string, account: T): Promise<void>;
  describe(account: T): Record<string, unknown>;
}

export type ChannelEnv = Readonly<Record<string, string | undefined>>;

/** What a channel is built over (wired by the API and the worker). */
export interface ChannelDeps {
  pool: Pool;
  config: AppConfig;
  log: Logger;
  now: () => number;
}

export interface BuiltChannel {
  outbound: Channel;
  /** Its asynchronous notifications, POSTed to /channels/<name>/notify; absent = it sends none. */
  inbound?: ChannelInbound;
  /** Payer-side pages the merchant listener serves (the sandbox's cashier). */
  payerRoutes?(deps: HandOverDeps): Router;
  /**
   * The channel's statement of one Asia/Shanghai day (`YYYY-MM-DD`), downloaded in its own format and parsed
   * (reconciliation, docs/channels.md). Throws when it cannot be had now (not ready, unreachable, unreadable): the
   * reconciliation run retries, then records the run as failed. Absent = the channel has no statement.
   */
  statement?(date: string): Promise<StatementLine[]>;
  /** Work the worker process runs beside the workflows (the sandbox's report outbox). */
  startBackground?(deps: HandOverDeps): { stop(): Promise<void> };
}

/** Hands a channel's report to the order it is about (orders/channel-reports.ts), for code that lives in a channel. */
export interface HandOverDeps {
  deliver(orderId: string, report: ChannelReport): Promise<string>;
}

/** An HTTP answer exactly as the channel expects it. */
export interface CallbackReply {
  status: number;
  contentType: string;
  body: string;
}

/** The order a callback names, as the read model holds it (found by the generic receiver, of this channel only). */
export type CallbackOrder = Pick<OrderRecord, 'orderId' | 'mercNo' | 'mercOrderNo' | 'workflowId' | 'channel' | 'amountFen' | 'payStatus'>;

/** What is stored about a verified callback (channel_callbacks): never its signature. */
export interface CallbackFacts {
  funcode: string | null;
  statusCode: string | null;
  signRule: string | null;
  fields: Record<string, string>;
}

/**
 * A channel's verdict on one callback body.
 *   refused: unreadable, about no order of this channel, or not signed by the order's account — counted and logged
 *            without the body, never stored;
 *   rejected: verified but not applicable (a state we do not know, another amount) — stored, answered "send again";
 *   verified: the news, as a ChannelStatus, and what identifies it (`news`: the same news twice is a duplicate).
 */
export type CallbackVerdict =
  | { kind: 'refused'; reason: UnverifiedReason; detail: string; orderId: string | null }
  | { kind: 'rejected'; order: CallbackOrder; facts: CallbackFacts; reason: string }
  | { kind: 'verified'; order: CallbackOrder; facts: CallbackFacts; news: string; result: Exclude<ChannelStatus, { status: 'UNKNOWN' }> }
  /** Verified news about a refund of the order (WeChat Pay's REFUND.*): recorded and acknowledged, never a payment. */
  | { kind: 'refund'; order: CallbackOrder; facts: CallbackFacts; news: string; refund: ChannelRefundReport };

/**
 * A channel's report of a refund's state (the refunds work consumes these; until it does, the receiver stores them
 * in channel_callbacks and acknowledges them). `refundId` is ours (what we sent the channel).
 */
export interface ChannelRefundReport {
  refundId: string;
  result: Exclude<ChannelRefundStatus, { status: 'UNKNOWN' | 'UNSUPPORTED' }>;
}

/** A callback's HTTP headers, names in lower case (as node gives them); most channels sign the body alone. */
export type CallbackHeaders = Readonly<Record<string, string | string[] | undefined>>;

/**
 * A channel's inbound side: parse, verify and map one raw notification, and the exact replies the channel reads. The
 * generic receiver (api/channel-callbacks.ts) records, deduplicates and hands the news to the order.
 */
export interface ChannelInbound {
  readonly maxBodyBytes: number;
  readonly replies: {
    /** Received: do not send it again. */
    received: CallbackReply;
    /** Not received: send it again later (also for anything refused). */
    again: CallbackReply;
    /** Refused before it verified (unreadable, not ours, not signed right); absent = `again`. */
    refused?: CallbackReply;
    /** Over the per-address rate limit: answered before the body is read (also "send it again"). */
    limited: CallbackReply;
  };
  /** `findOrder` answers only orders served by this channel. */
  receive(raw: Buffer, findOrder: (orderId: string) => Promise<CallbackOrder | null>, headers: CallbackHeaders): Promise<CallbackVerdict>;
}
