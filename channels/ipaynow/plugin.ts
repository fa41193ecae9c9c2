import { ipaynowAccountAdmin } from './account-admin';
import { findOrderById } from '../../db/orders';
import type { Queryable } from '../../db/pool';
import { SCENE_CODES, type SceneCode } from '../../domain/order';
import { linkToken } from '../../secrets/link-token';
import type { ChannelPlugin } from '../plugin';
import { QR_LINK } from '../urls';
import { createIpaynowChannel, type IpaynowOrderContext } from './index';
import { accountResolver, resolveAccount } from './accounts';
import { listIpaynowAccounts, resealIpaynowAccounts } from './account-store';
import { statementOfAccounts } from '../statement-files';
import { downloadIpaynowStatement } from './statement';
import { ipaynowInbound } from './inbound';
import { loadIpaynowSettings, type IpaynowSettings } from './settings';

/**
 * IPayNow (docs/ipaynow-channel.md): settings IPAYNOW_*, accounts in ipaynow_accounts (merchants without one use the
 * platform's application), WP001/MQ002 outbound, N001 inbound.
 */
export const ipaynowPlugin: ChannelPlugin<IpaynowSettings, 'ipaynow'> = {
  name: 'ipaynow',
  loadSettings: loadIpaynowSettings,
  servesWithoutAccount: (s) => s.appId !== undefined && s.appKey !== undefined && s.baseUrl !== undefined,
  build(settings, { pool, config, now }) {
    const keyring = config.secrets.keyring;
    const publicBaseUrl = config.api.publicBaseUrl;
    return {
      outbound: createIpaynowChannel({
        accountFor: accountResolver(pool, settings, keyring),
        orderContext: (orderId) => orderContextOf(pool, orderId),
        publicBaseUrl,
        qrToken: (orderId) => linkToken(keyring, QR_LINK, orderId),
        timeoutMs: settings.timeoutMs,
      }),
      inbound: ipaynowInbound({ pool, keyring, settings, now }),
      // Every application's statement: the platform's and each merchant's own.
      statement: async (date) => statementOfAccounts(
        [resolveAccount(null, settings), ...(await listIpaynowAccounts(pool, keyring)).map((s) => resolveAccount(s, settings))],
        (a) => `${a.appId}\u0000${a.baseUrl}`,
        (a) => downloadIpaynowStatement(a, date, settings.timeoutMs),
      ),
    };
  },
  resealAccounts: resealIpaynowAccounts,
  accountAdmin: ipaynowAccountAdmin,
};

async function orderContextOf(db: Queryable, orderId: string): Promise<IpaynowOrderContext | null> {
  const order = await findOrderById(db, orderId);
  if (!order || !(SCENE_CODES as readonly string[]).includes(order.sceneCode)) return null;
  return { mercNo: order.mercNo, sceneCode: order.sceneCode as SceneCode, amountFen: order.amountFen };
}
