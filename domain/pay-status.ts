/** payStatus codes from the merchant API (§2). Pure: safe to import from workflow code. */
export const PayStatus = {
  SUBMITTED: 'p0001',
  PAYING: 'p0002',
  PAID: 'p0000',
  FAILED: 'p0004',
  CANCELLED: 'p0005',
  EXPIRED: 'p0006',
} as const;
export type PayStatus = (typeof PayStatus)[keyof typeof PayStatus];

export const FINAL_STATUSES: readonly PayStatus[] = [PayStatus.PAID, PayStatus.FAILED, PayStatus.CANCELLED, PayStatus.EXPIRED];

/** Orders still waiting for their outcome. */
export const OPEN_STATUSES: readonly PayStatus[] = [PayStatus.SUBMITTED, PayStatus.PAYING];
/** Final without money taken: only a (late) payment can still change them. */
export const FINAL_UNPAID_STATUSES: readonly PayStatus[] = [PayStatus.FAILED, PayStatus.CANCELLED, PayStatus.EXPIRED];

export function isFinalStatus(status: PayStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

/** Notification delivery state of an order, shown in queries and as the NotifyState search attribute. */
export const NotifyState = {
  NONE: 'none',
  PENDING: 'pending',
  PAUSED: 'paused',
  DELIVERED: 'delivered',
  EXHAUSTED: 'exhausted',
} as const;
export type NotifyState = (typeof NotifyState)[keyof typeof NotifyState];
