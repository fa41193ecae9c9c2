import { wechatpayAccountAdmin } from './account-admin';
import { findOrderById } from '../../db/orders';
import { linkToken } from '../../secrets/link-token';
import type { ChannelPlugin } from '../plugin';
import { QR_LINK } from '../urls';
import { createWechatpayChannel } from './index';
import { resolveWechatpayAccount, wechatpayAccounts } from './accounts';
import { listWechatpayAccounts, resealWechatpayAccounts } from './account-store';
import { statementOfAccounts } from '../statement-files';
import { downloadWechatpayStatement } from './statement';
import { wechatpayInbound } from './inbound';
import { openIdOf } from './credential';
import { loadWechatpaySettings, type WechatpaySettings } from './settings';

/**
 * WeChat Pay API v3 (docs/channels.md): settings WECHATPAY_*, accounts in wechatpay_accounts (merchants without one
 * use the platform's merchant account), requests signed WECHATPAY2-SHA256-RSA2048 and answers verified with
 * node:crypto, notifications at /channels/wechatpay/notify.
 */
export const wechatpayPlugin: ChannelPlugin<WechatpaySettings, 'wechatpay'> = {
  name: 'wechatpay',
  loadSettings: loadWechatpaySettings,
  servesWithoutAccount: (s) => s.account !== undefined,
  build(settings, { pool, config, now }) {
    const keyring = config.secrets.keyring;
    const accounts = wechatpayAccounts(pool, settings, keyring);
    return {
      outbound: createWechatpayChannel({
        accounts,
        orderContext: async (orderId) => {
          const order = await findOrderById(pool, orderId);
          return order ? { mercNo: order.mercNo, amountFen: order.amountFen, attach: order.attach } : null;
        },
        publicBaseUrl: config.api.publicBaseUrl,
        qrToken: (orderId) => linkToken(keyring, QR_LINK, orderId),
        timeoutMs: settings.timeoutMs,
        now,
      }),
      inbound: wechatpayInbound({ accounts, now }),
      // Every merchant account's bills: the platform's and each merchant's own.
      statement: async (date) => statementOfAccounts(
        [resolveWechatpayAccount(null, settings), ...(await listWechatpayAccounts(pool, keyring)).map((s) => resolveWechatpayAccount(s, settings))],
        (a) => `${a.mchId}\u0000${a.baseUrl}`,
        (a) => downloadWechatpayStatement(a, date, settings.timeoutMs, now),
      ),
    };
  },
  orderRequirement: (order) => order.sceneCode === 'jspay' && !openIdOf(order.attach ?? null)
    ? { field: 'attach', rule: 'must name the payer for WeChat Pay jspay: {"wechatOpenId":"…"} (the openid under the account\'s appid)' }
    : null,
  resealAccounts: resealWechatpayAccounts,
  accountAdmin: wechatpayAccountAdmin,
};
