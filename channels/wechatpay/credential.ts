import type { ChannelOrderRequest } from '../../domain/channels';
import type { SceneCode } from '../../domain/order';
import { attachFields } from '../shared';
import { newNonce, signLines } from './signing';

/**
 * Which API v3 endpoint serves each of our scenes, and how its answer becomes our credential:
 *   scan → POST /v3/pay/transactions/native (code_url → codeUrl, with a QR image the platform serves)
 *   h5 → POST /v3/pay/transactions/h5 with scene_info (h5_url → mwebUrl)
 *   jspay → POST /v3/pay/transactions/jsapi with the payer's openid (prepay_id → payInfo for WeixinJSBridge)
 *   app → POST /v3/pay/transactions/app (prepay_id → payInfo for the app SDK)
 *   gateway, ebank → not served (the unified order does not offer them for wxpay either).
 */
export type WechatpayProduct = 'native' | 'h5' | 'jsapi' | 'app';

export function productOf(scene: SceneCode): WechatpayProduct | null {
  switch (scene) {
    case 'scan': return 'native';
    case 'h5': return 'h5';
    case 'jspay': return 'jsapi';
    case 'app': return 'app';
    case 'gateway':
    case 'ebank':
      return null;
    default: {
      const never: never = scene;
      throw new Error(`unmapped scene ${String(never)}`);
    }
  }
}

/** Our deviceInfo → scene_info.h5_info.type, and which h5_info field carries mchAppId. */
const H5_TYPES = {
  WAP_SDK: { type: 'Wap', idField: 'app_url' },
  IOS_SDK: { type: 'iOS', idField: 'bundle_id' },
  AND_SDK: { type: 'Android', idField: 'package_name' },
} as const;

/**
 * scene_info of an H5 payment: the payer's address and the merchant's site or app (the unified order requires
 * deviceInfo, mchAppName and mchAppId for wxpay h5). Null when the order lacks them.
 */
export function h5SceneInfo(order: Pick<ChannelOrderRequest, 'ip' | 'deviceInfo' | 'mchAppName' | 'mchAppId'>): Record<string, unknown> | null {
  const kind = order.deviceInfo !== undefined && Object.hasOwn(H5_TYPES, order.deviceInfo) ? H5_TYPES[order.deviceInfo as keyof typeof H5_TYPES] : null;
  if (!kind || !order.mchAppName || !order.mchAppId) return null;
  return { payer_client_ip: order.ip, h5_info: { type: kind.type, app_name: order.mchAppName, [kind.idField]: order.mchAppId } };
}

/**
 * The payer of a JSAPI payment, from the order's attach field: a JSON object {"wechatOpenId": "…"} (the payer's
 * openid under the account's appid). Null when it is not there.
 */
export function openIdOf(attach: string | null): string | null {
  const id = attachFields(attach)?.wechatOpenId;
  return typeof id === 'string' && /^[\w-]{6,128}$/.test(id) ? id : null;
}

/** What a pay sign is made with: the account's appid, mchid and private key. */
export interface PaySigner {
  appId: string;
  mchId: string;
  privateKey: string;
}

/**
 * payInfo of an app payment: what the WeChat app SDK's PayReq takes, signed over `appid\ntimestamp\nnoncestr\nprepayid\n`.
 */
export function appPayInfo(s: PaySigner, prepayId: string, nowMs: number): string {
  const timestamp = String(Math.floor(nowMs / 1000));
  const noncestr = newNonce();
  const sign = signLines([s.appId, timestamp, noncestr, prepayId], s.privateKey);
  return JSON.stringify({ appid: s.appId, partnerid: s.mchId, prepayid: prepayId, package: 'Sign=WXPay', noncestr, timestamp, sign });
}

/**
 * payInfo of a JSAPI payment: the arguments of WeixinJSBridge getBrandWCPayRequest, signed over
 * `appId\ntimeStamp\nnonceStr\npackage\n`.
 */
export function jsapiPayInfo(s: PaySigner, prepayId: string, nowMs: number): string {
  const timeStamp = String(Math.floor(nowMs / 1000));
  const nonceStr = newNonce();
  const pkg = `prepay_id=${prepayId}`;
  const paySign = signLines([s.appId, timeStamp, nonceStr, pkg], s.privateKey);
  return JSON.stringify({ appId: s.appId, timeStamp, nonceStr, package: pkg, signType: 'RSA', paySign });
}
