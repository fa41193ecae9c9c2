import { PayStatus } from './pay-status';

/**
 * The one status-transition table of an order. Every place that moves an order — the order workflow, the late-report
 * workflow, the SQL guard of the read model (`from` lists come from here), the close route and support — asks this
 * table; no other code decides which status follows which. Pure: safe in workflow code.
 *
 * An event is what we learnt about the order. Rows are exhaustive over PayStatus × OrderEvent (the compiler checks
 * both dimensions); `null` means "no change" (a repeat, a stale report, or news that settles nothing).
 * UNKNOWN and PENDING never move an order: an unknown channel result is asked again and escalated, never final.
 */
export const ORDER_EVENTS = [
  /** The channel accepted the order and handed out a pay credential. */
  'channel_created',
  /** The channel refused to create the order (declined or unsupported). */
  'channel_declined',
  /** The channel says the money was taken (callback, poll, query at expiry, close answering "paid after all"). */
  'channel_success',
  /** The channel says the payment failed. */
  'channel_fail',
  /** The channel confirms a merchant's close: closed and unpaid. */
  'close_confirmed',
  /** The order expired and the channel confirms it was not paid (closed there, or never paid). */
  'expiry_confirmed',
  /** A person resolved an order in the human queue as paid (money taken, amount accepted). */
  'resolved_paid',
  /** A person resolved an order in the human queue as not paid. */
  'resolved_unpaid',
  /** Payouts: the transfer is being sent to the channel (its one request, deduplicated by out_biz_no). */
  'payout_sent',
  /** Payouts: a support operator rejected a payout waiting for approval (nothing was sent). */
  'payout_rejected',
  /** Payouts: a person resolved a payout in the human queue as not transferred. */
  'resolved_not_transferred',
] as const;
export type OrderEvent = (typeof ORDER_EVENTS)[number];

/** The audit event type written with a transition. */
export type AuditType =
  | 'channel_created' | 'channel_declined' | 'paid' | 'late_payment' | 'failed' | 'cancelled' | 'expired'
  | 'resolved_paid' | 'resolved_unpaid' | 'payout_sent' | 'payout_rejected';

export interface TransitionRule {
  to: PayStatus;
  audit: AuditType;
  /** Money taken after the order was already final (expired, closed, failed): flagged `late_payment`. */
  late?: true;
}

type Row = Record<OrderEvent, TransitionRule | null>;

const paid: TransitionRule = { to: PayStatus.PAID, audit: 'paid' };
const latePaid: TransitionRule = { to: PayStatus.PAID, audit: 'late_payment', late: true };
const resolvedPaid: TransitionRule = { to: PayStatus.PAID, audit: 'resolved_paid' };

/** Open orders: anything final may follow. */
const open = (): Row => ({
  channel_created: { to: PayStatus.PAYING, audit: 'channel_created' },
  channel_declined: { to: PayStatus.FAILED, audit: 'channel_declined' },
  channel_success: paid,
  channel_fail: { to: PayStatus.FAILED, audit: 'failed' },
  close_confirmed: { to: PayStatus.CANCELLED, audit: 'cancelled' },
  expiry_confirmed: { to: PayStatus.EXPIRED, audit: 'expired' },
  resolved_paid: resolvedPaid,
  resolved_unpaid: { to: PayStatus.EXPIRED, audit: 'resolved_unpaid' },
  payout_sent: { to: PayStatus.PAYING, audit: 'payout_sent' },
  payout_rejected: { to: PayStatus.FAILED, audit: 'payout_rejected' },
  resolved_not_transferred: { to: PayStatus.FAILED, audit: 'resolved_unpaid' },
});

/** Final but unpaid: only money taken (late payment, or a person's decision that it was paid) changes it. */
const finalUnpaid = (): Row => ({
  channel_created: null,
  channel_declined: null,
  channel_success: latePaid,
  channel_fail: null,
  close_confirmed: null,
  expiry_confirmed: null,
  resolved_paid: { ...resolvedPaid, late: true },
  resolved_unpaid: null,
  payout_sent: null,
  payout_rejected: null,
  resolved_not_transferred: null,
});

export const TRANSITIONS: Record<PayStatus, Row> = {
  [PayStatus.SUBMITTED]: open(),
  // A payout is rejected only before it is sent (p0001).
  [PayStatus.PAYING]: { ...open(), channel_created: null, payout_sent: null, payout_rejected: null },
  [PayStatus.PAID]: {
    channel_created: null, channel_declined: null, channel_success: null, channel_fail: null, close_confirmed: null,
    expiry_confirmed: null, resolved_paid: null, resolved_unpaid: null, payout_sent: null, payout_rejected: null,
    resolved_not_transferred: null,
  },
  [PayStatus.FAILED]: finalUnpaid(),
  [PayStatus.CANCELLED]: finalUnpaid(),
  [PayStatus.EXPIRED]: finalUnpaid(),
};

/** What `event` does to an order in `from`: the next status and its audit type, or null for no change. */
export function nextTransition(from: PayStatus, event: OrderEvent): TransitionRule | null {
  return TRANSITIONS[from][event];
}

/** The statuses from which `event` leads to `to` — the guard of the read model's UPDATE. */
export function sourcesOf(event: OrderEvent, to: PayStatus): PayStatus[] {
  return (Object.keys(TRANSITIONS) as PayStatus[]).filter((s) => TRANSITIONS[s][event]?.to === to);
}

/** Readable names of the statuses, for error messages and tools. */
export const STATUS_NAMES: Record<PayStatus, string> = {
  [PayStatus.PAID]: 'paid',
  [PayStatus.SUBMITTED]: 'submitted',
  [PayStatus.PAYING]: 'paying',
  [PayStatus.FAILED]: 'failed',
  [PayStatus.CANCELLED]: 'cancelled',
  [PayStatus.EXPIRED]: 'expired',
};

/** Whether a merchant close can still change the order (only open orders can be closed). */
export function isClosable(status: PayStatus): boolean {
  return nextTransition(status, 'close_confirmed') !== null;
}

/** Why an order waits in the human queue. */
export type ReviewKind = 'unknown_result' | 'amount_mismatch';
/** A person's decision on it: the money was taken (p0000), or it was not (the order ends unpaid). */
export type ReviewDecision = 'paid' | 'unpaid';
export const REVIEW_DECISIONS: readonly ReviewDecision[] = ['paid', 'unpaid'];

/** The event a person's decision is, in the transition table. */
export const eventOfDecision = (d: ReviewDecision): OrderEvent => (d === 'paid' ? 'resolved_paid' : 'resolved_unpaid');
