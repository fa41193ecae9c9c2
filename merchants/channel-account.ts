import type { ChannelAccountAdmin } from '../channels/plugin';
import type { ChannelName } from '../domain/channels';
import { SupportError } from '../domain/errors';
import { changeMerchant, type MerchantAdminEnv } from './admin-change';

/**
 * Creates or replaces a merchant's own account at a channel (its credentials sealed under the keyring). The channel
 * decides what an account is (ChannelPlugin.accountAdmin); key material that does not parse is 400 naming the field,
 * checked once the merchant is known. Audited as channel_account.set with the identifiers only, never a key.
 */
export function setChannelAccount<T>(
  env: MerchantAdminEnv, mercNo: string, channel: ChannelName, admin: ChannelAccountAdmin<T>, account: T, actor: string,
): Promise<{ mercNo: string; channel: ChannelName; account: Record<string, unknown> }> {
  return changeMerchant(env, mercNo, actor, 'channel_account.set', async (tx) => {
    const problem = admin.problem?.(account) ?? null;
    if (problem) throw SupportError.invalid(problem.field, problem.rule);
    await admin.save(tx, env.keyring, mercNo, account);
    const shown = admin.describe(account);
    return { detail: { channel, ...shown }, result: { mercNo, channel, account: shown } };
  });
}
