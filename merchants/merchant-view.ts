import { findMerchant } from '../db/merchants';
import { listVerifyingKeyIds } from '../db/merchant-keys';
import { listChannelRoutes } from '../db/channel-routes';
import { listAdminAudit } from '../db/admin-audit';
import { SupportError } from '../domain/errors';
import { payoutSettingsOf } from '../db/payouts';
import type { MerchantAdminEnv } from './admin-change';
import { payoutSettingsView } from './settings';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/**
 * What the admin API shows of a merchant: its settings (payout settings included), the ids of the keys that verify now (never a secret), its
 * routes and its latest administrative changes (newest first).
 */
export async function merchantView(env: MerchantAdminEnv, mercNo: string, nowMs: number, auditLimit = 20) {
  const m = await findMerchant(env.pool, mercNo);
  if (!m) throw new SupportError('not_found', `merchant ${mercNo} does not exist`, 'mercNo');
  const keys = await listVerifyingKeyIds(env.pool, mercNo, nowMs);
  return {
    mercNo: m.mercNo, name: m.name, status: m.status, signTypes: m.signTypes, notifyScheduleMs: m.notifyScheduleMs,
    notifyStatuses: m.notifyStatuses, limits: { maxOpenOrders: m.maxOpenOrders, refundWindowDays: m.refundWindowDays, rateLimitRps: m.rateLimitRps, rateLimitBurst: m.rateLimitBurst },
    payouts: payoutSettingsView(await payoutSettingsOf(env.pool, mercNo)),
    keys: keys.map((k) => ({ keyId: k.keyId, mode: k.mode, createdAt: iso(k.createdAtMs), verifiesUntil: iso(k.expiresAtMs) })),
    routes: await listChannelRoutes(env.pool, mercNo),
    audit: await listAdminAudit(env.pool, mercNo, auditLimit),
  };
}
