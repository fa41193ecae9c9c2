import { alipayAccountAdmin } from './account-admin';
import { findOrderById } from '../../db/orders';
import { linkToken } from '../../secrets/link-token';
import type { ChannelPlugin } from '../plugin';
import { QR_LINK } from '../urls';
import { createAlipayChannel } from './index';
import { alipayAccountResolver, resolveAlipayAccount } from './accounts';
import { listAlipayAccounts, resealAlipayAccounts } from './account-store';
import { statementOfAccounts } from '../statement-files';
import { downloadAlipayStatement } from './statement';
import { alipayInbound } from './inbound';
import { buyerOf } from './credential';
import { loadAlipaySettings, type AlipaySettings } from './settings';

/**
 * Alipay, OpenAPI v2 gateway.do with RSA2 (docs/channels.md): settings ALIPAY_*, accounts in alipay_accounts
 * (merchants without one use the platform's application), outbound through the official alipay-sdk, notifications at
 * /channels/alipay/notify.
 */
export const alipayPlugin: ChannelPlugin<AlipaySettings, 'alipay'> = {
  name: 'alipay',
  loadSettings: loadAlipaySettings,
  servesWithoutAccount: (s) => s.appId !== undefined && s.privateKey !== undefined && s.alipayPublicKey !== undefined,
  build(settings, { pool, config, now }) {
    const keyring = config.secrets.keyring;
    return {
      outbound: createAlipayChannel({
        accountFor: alipayAccountResolver(pool, settings, keyring),
        orderContext: async (orderId) => {
          const order = await findOrderById(pool, orderId);
          return order ? { mercNo: order.mercNo, attach: order.attach } : null;
        },
        publicBaseUrl: config.api.publicBaseUrl,
        qrToken: (orderId) => linkToken(keyring, QR_LINK, orderId),
        timeoutMs: settings.timeoutMs,
        now,
      }),
      inbound: alipayInbound({ pool, keyring, settings, now }),
      // Every application's statement: the platform's and each merchant's own.
      statement: async (date) => statementOfAccounts(
        [resolveAlipayAccount(null, settings), ...(await listAlipayAccounts(pool, keyring)).map((s) => resolveAlipayAccount(s, settings))],
        (a) => `${a.appId}\u0000${a.gatewayUrl}`,
        (a) => downloadAlipayStatement(a, date, settings.timeoutMs),
      ),
    };
  },
  orderRequirement: (order) => order.sceneCode === 'jspay' && !buyerOf(order.attach ?? null)
    ? { field: 'attach', rule: 'must name the payer for Alipay jspay: {"alipayBuyerId":"2088…"} (16 digits) or {"alipayOpenId":"…"}' }
    : null,
  resealAccounts: resealAlipayAccounts,
  accountAdmin: alipayAccountAdmin,
};
