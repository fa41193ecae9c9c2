import { setMerchantLimits, setMerchantNotifySchedule, setMerchantSignTypes, type MerchantLimits } from '../db/merchants';
import { payoutSettingsOf, setPayoutSettings } from '../db/payouts';
import { formatFenAsYuan } from '../domain/money';
import type { SignType } from '../domain/signing';
import { changeMerchant, type MerchantAdminEnv } from './admin-change';

/**
 * A merchant's settings, each change one transaction and one audit row with the value before and after:
 * notification schedule (orders placed from now on), sign types (the next request), limits (the next request),
 * payouts (the next payout).
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

/**
 * Each limit: a number, null = the platform default (MAX_OPEN_ORDERS_PER_MERCHANT, REFUND_WINDOW_DAYS,
 * RATE_LIMIT_MERCHANT_RPS, RATE_LIMIT_MERCHANT_BURST), absent = unchanged. Takes effect on the next request.
 */
export type LimitsChange = { [K in keyof MerchantLimits]?: MerchantLimits[K] };

const LIMIT_KEYS = ['maxOpenOrders', 'refundWindowDays', 'rateLimitRps', 'rateLimitBurst'] as const satisfies readonly (keyof MerchantLimits)[];

export function setLimits(env: MerchantAdminEnv, mercNo: string, change: LimitsChange, actor: string) {
  return changeMerchant(env, mercNo, actor, 'limits.set', async (tx, m) => {
    const before = Object.fromEntries(LIMIT_KEYS.map((k) => [k, m[k]])) as MerchantLimits;
    const after = Object.fromEntries(LIMIT_KEYS.map((k) => [k, change[k] === undefined ? m[k] : change[k]])) as MerchantLimits;
    await setMerchantLimits(tx, mercNo, after);
    return { detail: { from: before, to: after }, result: { mercNo, ...after } };
  });
}

/** A change of the merchant's payout settings: each absent = unchanged; dailyLimitFen null = the platform's PAYOUT_DAILY_LIMIT, 0 = no payouts. */
export interface PayoutSettingsChange {
  dailyLimitFen?: number | null;
  approvalRequired?: boolean;
}

/** The payout settings as the admin API shows them (the limit in yuan). */
export const payoutSettingsView = (s: { dailyLimitFen: number | null; approvalRequired: boolean }) =>
  ({ dailyLimit: s.dailyLimitFen === null ? null : formatFenAsYuan(s.dailyLimitFen), approvalRequired: s.approvalRequired });

/**
 * The merchant's payout settings: its daily payout limit (read when each payout is accepted: the next payout) and
 * whether payouts wait for a support operator's approval (recorded with each payout when it is accepted: payouts
 * accepted from now on; those already waiting keep waiting).
 */
export function setPayouts(env: MerchantAdminEnv, mercNo: string, change: PayoutSettingsChange, actor: string) {
  return changeMerchant(env, mercNo, actor, 'payouts.set', async (tx) => {
    const before = await payoutSettingsOf(tx, mercNo);
    const after = {
      dailyLimitFen: change.dailyLimitFen === undefined ? before.dailyLimitFen : change.dailyLimitFen,
      approvalRequired: change.approvalRequired ?? before.approvalRequired,
    };
    await setPayoutSettings(tx, mercNo, after);
    return { detail: { from: payoutSettingsView(before), to: payoutSettingsView(after) }, result: { mercNo, ...payoutSettingsView(after) } };
  });
}
