import { setMerchantStatus, type Merchant } from '../db/merchants';
import { changeMerchant, type MerchantAdminEnv } from './admin-change';

/**
 * Disables or enables a merchant. A disabled merchant's requests are refused 100003 (merchant unknown or disabled,
 * HTTP 403) from the next request on; its orders already open still finish and notify (their workflows do not ask).
 * Audited as merchant.disable / merchant.enable with the previous status and the reason.
 */
export function setMerchantEnabled(
  env: MerchantAdminEnv, mercNo: string, enabled: boolean, actor: string, reason: string | undefined,
): Promise<{ mercNo: string; status: Merchant['status']; previousStatus: Merchant['status'] }> {
  const status: Merchant['status'] = enabled ? 'active' : 'disabled';
  return changeMerchant(env, mercNo, actor, enabled ? 'merchant.enable' : 'merchant.disable', async (tx, merchant) => {
    await setMerchantStatus(tx, mercNo, status);
    return {
      detail: { from: merchant.status, to: status, ...(reason ? { reason } : {}) },
      result: { mercNo, status, previousStatus: merchant.status },
    };
  });
}
