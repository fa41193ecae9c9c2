import type { ChannelOrderRequest } from '../../domain/channels';
import { formatCompactTime } from '../../domain/time';
import { deviceTypeOfScene, payChannelTypeOfPayway, type DeviceType } from './codes';
import type { FormFields } from './form';

/** IPayNow accepts an order validity (mhtOrderTimeOut) of 60 to 3600 seconds. */
export const ORDER_TIMEOUT_MIN_S = 60;
export const ORDER_TIMEOUT_MAX_S = 3600;

/** The order's remaining validity in whole seconds (rounded up), clamped to IPayNow's range. */
export function orderTimeoutSeconds(expireAtMs: number, nowMs: number): number {
  const remaining = Math.ceil((expireAtMs - nowMs) / 1000);
  return Math.min(ORDER_TIMEOUT_MAX_S, Math.max(ORDER_TIMEOUT_MIN_S, remaining));
}

/** Integer fen as IPayNow's mhtOrderAmt; anything but a positive safe integer is a bug upstream of here. */
export function orderAmountField(amountFen: number): string {
  if (!Number.isSafeInteger(amountFen) || amountFen <= 0) throw new RangeError(`amount must be positive integer fen: ${amountFen}`);
  return String(amountFen);
}

const cut = (s: string, max: number) => Array.from(s).slice(0, max).join('');

/** WP001 (plugin-free aggregated payment), asking for the pay credential in the answer (outputType 0). Unsigned. */
export function wp001Request(o: ChannelOrderRequest, appId: string, notifyUrl: string, nowMs: number): FormFields {
  return {
    funcode: 'WP001',
    version: '1.0.0',
    appId,
    mhtOrderNo: o.orderId,
    mhtOrderName: cut(o.subject, 40),
    mhtOrderType: '01',
    mhtCurrencyType: '156',
    mhtOrderAmt: orderAmountField(o.amountFen),
    mhtOrderDetail: cut(o.subject, 200),
    mhtOrderTimeOut: String(orderTimeoutSeconds(o.expireAtMs, nowMs)),
    mhtOrderStartTime: formatCompactTime(nowMs),
    notifyUrl,
    mhtCharset: 'UTF-8',
    deviceType: deviceTypeOfScene(o.sceneCode),
    payChannelType: payChannelTypeOfPayway(o.paywayCode),
    outputType: '0',
    mhtSignType: 'MD5',
  };
}

/** MQ002 (order query) with the deviceType the order was pushed with. Unsigned. */
export function mq002Request(orderId: string, deviceType: DeviceType, appId: string): FormFields {
  return {
    funcode: 'MQ002',
    version: '1.0.0',
    deviceType,
    appId,
    mhtOrderNo: orderId,
    mhtCharset: 'UTF-8',
    mhtSignType: 'MD5',
  };
}
