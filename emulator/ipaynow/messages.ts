import { formatCompactTime } from '../../domain/time';
import type { EmulatedOrder } from './orders';
import { emulatorSign } from './sign';

/** Fields IPayNow reports about an order, in an MQ002 answer and an N001 notification. Empty values are left out. */
export function orderReport(o: EmulatedOrder, transStatus: string): Record<string, string> {
  const fields: Record<string, string | undefined> = {
    appId: o.appId,
    mhtSubMchId: o.mhtSubMchId,
    mhtOrderNo: o.mhtOrderNo,
    mhtOrderName: o.mhtOrderName,
    mhtOrderType: o.mhtOrderType,
    mhtCurrencyType: '156',
    mhtOrderAmt: o.mhtOrderAmt,
    mhtOrderTimeOut: String(o.mhtOrderTimeOut),
    mhtOrderStartTime: o.mhtOrderStartTime,
    mhtCharset: 'UTF-8',
    deviceType: o.deviceType,
    payChannelType: o.payChannelType,
    nowPayOrderNo: o.nowPayOrderNo,
    channelOrderNo: o.channelOrderNo,
    payConsumerId: o.payConsumerId,
    payTime: o.paidAtMs !== undefined ? formatCompactTime(o.paidAtMs) : undefined,
    transStatus,
    mhtReserved: o.mhtReserved,
  };
  return Object.fromEntries(Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ''));
}

/** How a message leaves the emulator: legacy bodies say tradeStatus and use the OLD rule; a forged one a wrong key. */
export interface SignOptions {
  appKey: string;
  legacy: boolean;
  forge: boolean;
}

export function signed(fields: Record<string, string>, o: SignOptions): Record<string, string> {
  const out: Record<string, string> = { ...fields, signType: 'MD5' };
  if (o.legacy && out.transStatus !== undefined) {
    out.tradeStatus = out.transStatus;
    delete out.transStatus;
  }
  const key = o.forge ? `${o.appKey}-not-the-key` : o.appKey;
  out.signature = emulatorSign(out, key, o.legacy ? 'OLD' : 'NEW');
  return out;
}

export const responseTime = (nowMs: number) => formatCompactTime(nowMs);
