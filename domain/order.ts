import type { PayStatus, NotifyState } from './pay-status';
import type { SignType } from './signing';
import type { ReviewKind } from './order-transitions';
import type { Payee, PayoutTradeType } from './payout';

/** The three interface enums of the unified order (merchant-api.md §1). Pure: safe in workflow code. */
export const TERM_TYPES = ['wap', 'pc', 'app'] as const;
export const PAYWAY_CODES = ['alipay', 'wxpay', 'unionpay'] as const;
export const SCENE_CODES = ['h5', 'app', 'scan', 'jspay', 'ebank', 'gateway'] as const;
export type TermType = (typeof TERM_TYPES)[number];
export type PaywayCode = (typeof PAYWAY_CODES)[number];
export type SceneCode = (typeof SCENE_CODES)[number];

/** A validated, normalised unified-order request. Amounts are integer fen. */
export interface OrderDraft {
  mercNo: string;
  mercOrderNo: string;
  subject?: string;
  body?: string;
  /** 01 pay; 02/03 payouts (domain/payout.ts), which carry their payee. */
  tradeType: '01' | PayoutTradeType;
  amountFen: number;
  feeType: 'CNY';
  tradeTime: string;
  orderPeriodMin: number;
  /** tradeTime + orderPeriod, epoch ms. */
  expireAtMs: number;
  notifyUrl: string;
  returnUrl: string;
  refererUrl?: string;
  termType: TermType;
  paywayCode: PaywayCode;
  sceneCode: SceneCode;
  ip: string;
  attach?: string;
  remark?: string;
  merchantId?: string;
  storeId?: string;
  payeeId?: string;
  deviceInfo?: string;
  mchAppName?: string;
  mchAppId?: string;
  bankCode?: string;
  payType?: string;
  /** Payouts only: who receives the money. */
  payee?: Payee;
  signType: SignType;
  /** false = a test order (test key, sandbox only); absent in drafts from before modes = live. */
  livemode?: boolean;
}

/** The pay credential a channel returns, by scene. */
export interface PayCredential {
  codeUrl?: string;
  imgUrl?: string;
  payInfo?: string;
  mwebUrl?: string;
  resultHtml?: string;
  bankType?: string;
}

/** The unified-order answer data (unsigned; the API adds mercNo, interfaceCode, respCode and the signature). */
export interface PayResponseData extends PayCredential {
  mercOrderNo: string;
  tradeType: string;
  tradeAmt: string;
  tradeTime: string;
  feeType: string;
  termType: string;
  orderId: string;
}

/** What the order workflow answers to a unified-order request; stored so repeats get the same answer. */
export type PayAnswer =
  | { kind: 'ok'; data: PayResponseData }
  | { kind: 'error'; respCode: '200001' | '200002' | '999999'; respDesc: string; orderId: string };

/** The order's state as the workflow sees it (returned by the workflow's `orderState` query). */
export interface OrderStateView {
  orderId: string;
  mercNo: string;
  mercOrderNo: string;
  payStatus: PayStatus;
  channel: string;
  channelOrderNo?: string;
  tradeEndTime?: string;
  latePayment: boolean;
  /** Waiting in the human queue for a person's decision (support `ambiguous` / `resolve`). */
  review?: { kind: ReviewKind; reason: string };
  notify: {
    state: NotifyState;
    notifyId?: string;
    attempts: number;
    nextAttemptAtMs?: number;
    /** Support controls: paused deliveries wait; a redirect sends later attempts to another URL. */
    paused: boolean;
    url?: string;
    /** Held (not sent) because the merchant's notify endpoint is paused for failing too long (endpoint health). */
    heldByEndpoint?: boolean;
    /** How many endpoint-resume controls arrived (a hold ends when one arrives after its attempt was asked for). */
    endpointResumes?: number;
  };
}

/** Workflow id of an order: readable in the Temporal UI and unique per merchant + mercOrderNo. */
export function orderWorkflowId(mercNo: string, mercOrderNo: string): string {
  return `order:${mercNo}:${mercOrderNo}`;
}

/** Workflow id of the follow-up for a payment reported after the order's workflow closed (one per order). */
export function lateReportWorkflowId(mercNo: string, mercOrderNo: string): string {
  return `late:${mercNo}:${mercOrderNo}`;
}

/** Notification id: constant across every attempt of one notification (one order in one final state). */
export function notifyIdOf(orderId: string, payStatus: PayStatus): string {
  return `${orderId}-${payStatus}`;
}
