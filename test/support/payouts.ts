import { eventually, merchantCall, type TestMerchant, type TestStack } from './stack';
import { unifiedOrderFields } from './requests';
import { findOrderById } from '../../db/orders';
import { setPayoutSettings } from '../../db/payouts';
import type { Queryable } from '../../db/pool';

/** A valid payout request (tradeType 02 to an Alipay logon id) for tests; override any field. */
export function payoutFields(overrides: Record<string, string> = {}): Record<string, string> {
  return unifiedOrderFields({
    mercOrderNo: `P${Date.now()}${Math.floor(Math.random() * 1e6)}`,
    tradeType: '02',
    subject: 'Payout',
    payeeAccount: 'payee@example.com',
    payeeName: '张三',
    payeeAccountType: 'alipay_logon_id',
    ...overrides,
  });
}

/** POST /api/pay of a payout, signed by the merchant. */
export const payoutCall = (stack: TestStack, merchant: Pick<TestMerchant, 'mercNo' | 'signKey'>, fields: Record<string, string>) =>
  merchantCall(stack.api.url, '/api/pay', merchant, fields);

/** Waits until the order is in `status` (read model). */
export const orderReaches = (stack: TestStack, orderId: string, status: string, timeoutMs = 20_000) => eventually(async () => {
  const o = await findOrderById(stack.pool, orderId);
  return o?.payStatus === status ? o : null;
}, timeoutMs, `order ${orderId} in ${status}`);

/** Sets a test merchant's payout limit (yuan fen) and approval flag, as scripts/create-merchant.ts does. */
export const payoutSettings = (db: Queryable, m: TestMerchant, s: { dailyLimitFen?: number | null; approvalRequired?: boolean }) =>
  setPayoutSettings(db, m.mercNo, s);

/** The payout's day total (fen) of the merchant, as the limit ledger holds it. */
export async function payoutTotalOf(db: Queryable, mercNo: string): Promise<number> {
  const { rows } = await db.query<{ total: string }>('SELECT COALESCE(sum(reserved_fen), 0) AS total FROM payout_daily_totals WHERE merc_no = $1', [mercNo]);
  return Number(rows[0]!.total);
}
