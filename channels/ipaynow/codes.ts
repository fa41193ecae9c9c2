import type { PaywayCode, SceneCode } from '../../domain/order';

/**
 * IPayNow's code tables (docs/ipaynow-channel.md) and how they map to ours: one exhaustive function per table. Each
 * table is a const list, so tests can walk every code and the compiler checks every switch.
 */

const assertNever = (x: never): never => {
  throw new Error(`unmapped code ${String(x)}`);
};
const member = <T extends string>(list: readonly T[], value: string): value is T => (list as readonly string[]).includes(value);

// ── transStatus (tradeStatus in older bodies): the state of an order at IPayNow ──────────────────────────────────────
export const TRANS_STATUSES = ['A00I', 'A004', 'A005', 'A001', 'A002', 'A003', 'A006'] as const;
export type TransStatus = (typeof TRANS_STATUSES)[number];
export const parseTransStatus = (s: string): TransStatus | null => (member(TRANS_STATUSES, s) ? s : null);

/** What an IPayNow order state means for our order (the payment facts are added by the caller). */
export type TransMeaning = 'paid' | 'failed' | 'waiting' | 'unknown';

export function meaningOfTransStatus(code: TransStatus): TransMeaning {
  switch (code) {
    case 'A001': return 'paid'; // 支付成功
    case 'A002': return 'failed'; // 支付失败
    case 'A005': return 'failed'; // 受理失败: the order was refused, nobody can pay it
    case 'A006': return 'failed'; // 交易关闭: closed unpaid
    case 'A00I': return 'waiting'; // 订单未处理
    case 'A004': return 'waiting'; // 受理成功: awaiting the payer
    case 'A003': return 'unknown'; // 结果未知: ask again later
    default: return assertNever(code);
  }
}

/** Our reason text for a failed IPayNow state. */
export function failReasonOfTransStatus(code: TransStatus): string {
  switch (code) {
    case 'A002': return 'ipaynow A002: payment failed';
    case 'A005': return 'ipaynow A005: order refused';
    case 'A006': return 'ipaynow A006: closed';
    case 'A001': case 'A003': case 'A004': case 'A00I': return `ipaynow ${code}`;
    default: return assertNever(code);
  }
}

// ── responseCode: did the call itself succeed (not: was the order paid) ─────────────────────────────────────────────
export const RESPONSE_CODES = ['A001', 'A002', 'A003', 'R000'] as const;
export type ResponseCode = (typeof RESPONSE_CODES)[number];
export const parseResponseCode = (s: string): ResponseCode | null => (member(RESPONSE_CODES, s) ? s : null);

export type CallOutcome = 'succeeded' | 'failed' | 'unknown';

export function outcomeOfResponseCode(code: ResponseCode): CallOutcome {
  switch (code) {
    case 'A001': return 'succeeded'; // 成功
    case 'R000': return 'succeeded'; // refund interfaces: 受理成功
    case 'A002': return 'failed'; // 失败
    case 'A003': return 'unknown'; // 未知
    default: return assertNever(code);
  }
}

// ── deviceType ───────────────────────────────────────────────────────────────────────────────────────────────────────
export const DEVICE_TYPES = ['01', '02', '04', '05', '06', '0600', '0601', '08', '14'] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];
export const parseDeviceType = (s: string): DeviceType | null => (member(DEVICE_TYPES, s) ? s : null);

export function describeDeviceType(code: DeviceType): string {
  switch (code) {
    case '01': return 'APP';
    case '02': return 'PC';
    case '04': return 'web (PC browser)';
    case '05': return 'payer-presented code (被扫)';
    case '06': return 'mobile web (WAP)';
    case '0600': return 'WeChat official account (公众号)';
    case '0601': return 'H5';
    case '08': return 'merchant-presented QR code (主扫)';
    case '14': return 'mini program';
    default: return assertNever(code);
  }
}

/** Our sceneCode → IPayNow deviceType. */
export function deviceTypeOfScene(scene: SceneCode): DeviceType {
  switch (scene) {
    case 'scan': return '08';
    case 'h5': return '0601';
    case 'jspay': return '0600';
    case 'gateway': return '04';
    case 'ebank': return '04';
    case 'app': return '01';
    default: return assertNever(scene);
  }
}

// ── payChannelType ───────────────────────────────────────────────────────────────────────────────────────────────────
export const PAY_CHANNEL_TYPES = ['11', '12', '13', '1310', '25', '50', '61', '04', '27', '20', '17'] as const;
export type PayChannelType = (typeof PAY_CHANNEL_TYPES)[number];
export const parsePayChannelType = (s: string): PayChannelType | null => (member(PAY_CHANNEL_TYPES, s) ? s : null);

/** IPayNow payChannelType → our paywayCode (null: a wallet we do not offer). */
export function paywayOfPayChannelType(code: PayChannelType): PaywayCode | null {
  switch (code) {
    case '11': return 'unionpay'; // 银联
    case '27': return 'unionpay'; // 银联扫码
    case '20': return 'unionpay'; // 银联H5
    case '12': return 'alipay'; // 支付宝
    case '13': return 'wxpay'; // 微信
    case '1310': return 'wxpay'; // 微信插件
    case '25': return null; // 手Q
    case '50': return null; // 百度钱包
    case '61': return null; // Apple Pay
    case '04': return null; // 京东
    case '17': return null; // 招行
    default: return assertNever(code);
  }
}

/** Our paywayCode → IPayNow payChannelType. */
export function payChannelTypeOfPayway(payway: PaywayCode): PayChannelType {
  switch (payway) {
    case 'alipay': return '12';
    case 'wxpay': return '13';
    case 'unionpay': return '11';
    default: return assertNever(payway);
  }
}
