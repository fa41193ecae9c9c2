import { setMerchantLimits, setMerchantNotifySchedule, setMerchantSignTypes } from '../db/merchants';
import type { SignType } from '../domain/signing';
import { changeMerchant, type MerchantAdminEnv } from './admin-change';

/**
 * A merchant's settings, each change one transaction and one audit row with the value before and after:
 * notification schedule (orders placed from now on), sign types (the next request), limits (the next request).
 */

/** Notification retry delays (ms) after the first attempt; null = the platform's NOTIFY_RETRY_SCHEDULE. */
export function setNotifySchedule(env: MerchantAdminEnv, mercNo: string, scheduleMs: number[] | null, actor: string) {
  return changeMerchant(env, mercNo, actor, 'notify_schedule.set', async (tx, m) => {
    await setMerchantNotifySchedule(tx, mercNo, scheduleMs);
    return { detail: { from: m.notifyScheduleMs, to: scheduleMs }, result: { mercNo, notifyScheduleMs: scheduleMs } };
  });
}

/** The sign types the merchant's requests may use (at least one). */
export function setSignTypes(env: MerchantAdminEnv, mercNo: string, signTypes: SignType[], actor: string) {
  return changeMerchant(env, mercNo, actor, 'sign_types.set', async (tx, m) => {
    await setMerchantSignTypes(tx, mercNo, signTypes);
    return { detail: { from: m.signTypes, to: signTypes }, result: { mercNo, signTypes } };
  });
}

export interface LimitsChange {
  /** Orders not yet final; null = the platform's MAX_OPEN_ORDERS_PER_MERCHANT, 0 = no cap; absent = unchanged. */
  maxOpenOrders?: number | null;
  /** Days after payment refunds are accepted; null = the platform's REFUND_WINDOW_DAYS; absent = unchanged. */
  refundWindowDays?: number | null;
}

export function setLimits(env: MerchantAdminEnv, mercNo: string, change: LimitsChange, actor: string) {
  return changeMerchant(env, mercNo, actor, 'limits.set', async (tx, m) => {
    const before = { maxOpenOrders: m.maxOpenOrders, refundWindowDays: m.refundWindowDays };
    const after = {
      maxOpenOrders: change.maxOpenOrders === undefined ? m.maxOpenOrders : change.maxOpenOrders,
      refundWindowDays: change.refundWindowDays === undefined ? m.refundWindowDays : change.refundWindowDays,
    };
    await setMerchantLimits(tx, mercNo, after);
    return { detail: { from: before, to: after }, result: { mercNo, ...after } };
  });
}
