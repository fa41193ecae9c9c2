import type { PayCredential, SceneCode } from '../../domain/order';
import { attachFields } from '../shared';

/**
 * Which Alipay method serves each of our scenes, and how its result becomes our credential:
 *   scan → alipay.trade.precreate (server call; qr_code → codeUrl, with a QR image the platform serves → imgUrl)
 *   h5 → alipay.trade.wap.pay (a signed GET link → mwebUrl)
 *   gateway (pc) → alipay.trade.page.pay (an auto-submitting POST form → resultHtml)
 *   app → alipay.trade.app.pay (the signed order string → payInfo)
 *   jspay → alipay.trade.create (server call with the payer's buyer id; trade_no → payInfo, for my.tradePay)
 *   ebank → not served by Alipay.
 */
export type AlipayScene =
  | { kind: 'server'; method: 'alipay.trade.precreate' | 'alipay.trade.create'; productCode: string }
  | { kind: 'page'; method: 'alipay.trade.wap.pay'; productCode: string; httpMethod: 'GET' }
  | { kind: 'page'; method: 'alipay.trade.page.pay'; productCode: string; httpMethod: 'POST' }
  | { kind: 'app'; method: 'alipay.trade.app.pay'; productCode: string }
  | { kind: 'unsupported' };

export function alipaySceneOf(scene: SceneCode): AlipayScene {
  switch (scene) {
    case 'scan': return { kind: 'server', method: 'alipay.trade.precreate', productCode: 'FACE_TO_FACE_PAYMENT' };
    case 'jspay': return { kind: 'server', method: 'alipay.trade.create', productCode: 'JSAPI_PAY' };
    case 'h5': return { kind: 'page', method: 'alipay.trade.wap.pay', productCode: 'QUICK_WAP_WAY', httpMethod: 'GET' };
    case 'gateway': return { kind: 'page', method: 'alipay.trade.page.pay', productCode: 'FAST_INSTANT_TRADE_PAY', httpMethod: 'POST' };
    case 'app': return { kind: 'app', method: 'alipay.trade.app.pay', productCode: 'QUICK_MSECURITY_PAY' };
    case 'ebank': return { kind: 'unsupported' };
    default: {
      const never: never = scene;
      throw new Error(`unmapped scene ${String(never)}`);
    }
  }
}

/** The credential of a page/app scene from what the SDK produced. */
export function credentialOfPage(scene: 'h5' | 'gateway' | 'app', produced: string): PayCredential {
  if (scene === 'h5') return { mwebUrl: produced };
  if (scene === 'gateway') return { resultHtml: produced };
  return { payInfo: produced };
}

/**
 * The payer's Alipay buyer id for jspay, from the order's attach field: a JSON object {"alipayBuyerId": "2088…"} (the
 * 16-digit user id) or {"alipayOpenId": "…"} (the newer open id). Null when neither is there.
 */
export function buyerOf(attach: string | null): { buyer_id: string } | { buyer_open_id: string } | null {
  const o = attachFields(attach);
  if (!o) return null;
  if (typeof o.alipayBuyerId === 'string' && /^2088\d{12}$/.test(o.alipayBuyerId)) return { buyer_id: o.alipayBuyerId };
  if (typeof o.alipayOpenId === 'string' && /^[\w-]{10,64}$/.test(o.alipayOpenId)) return { buyer_open_id: o.alipayOpenId };
  return null;
}
