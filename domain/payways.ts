import type { PaywayCode, SceneCode } from './order';

/**
 * Which scenes each payway offers (Alipay has no e-bank, WeChat Pay has no gateway/e-bank, UnionPay has no
 * official-account JSAPI). A combination outside this table is answered with 200002.
 */
export const SUPPORTED_SCENES: Record<PaywayCode, readonly SceneCode[]> = {
  alipay: ['h5', 'app', 'scan', 'jspay', 'gateway'],
  wxpay: ['h5', 'app', 'scan', 'jspay'],
  unionpay: ['h5', 'app', 'scan', 'ebank', 'gateway'],
};

export function isSupportedScene(payway: PaywayCode, scene: SceneCode): boolean {
  return SUPPORTED_SCENES[payway].includes(scene);
}
