import { randomBytes } from 'node:crypto';

/**
 * The emulator's trades, in memory. A precreated trade does not exist for queries until its QR code is scanned
 * (TRADE_NOT_EXIST, as at Alipay); a page or app trade exists once the payer opens it.
 */
export type TradeState = 'NOT_SCANNED' | 'WAIT_BUYER_PAY' | 'TRADE_SUCCESS' | 'TRADE_CLOSED';

export interface Trade {
  appId: string;
  outTradeNo: string;
  tradeNo: string;
  method: string;
  totalAmount: string;
  subject: string;
  notifyUrl: string | null;
  /** epoch ms; null = no time_expire given. */
  expireAtMs: number | null;
  state: TradeState;
  buyerId: string;
  paidAtMs: number | null;
  refunds: Map<string, { amount: string; atMs: number }>;
  /** How many alipay.trade.refund requests each out_request_no received (tests assert a refund is asked for once). */
  refundRequests: Map<string, number>;
}

export class TradeBook {
  private readonly trades = new Map<string, Trade>();
  private seq = 0;

  key(appId: string, outTradeNo: string): string {
    return `${appId}\u0000${outTradeNo}`;
  }

  find(appId: string, outTradeNo: string): Trade | undefined {
    return this.trades.get(this.key(appId, outTradeNo));
  }

  /** Every trade of an application. */
  ofApp(appId: string): Trade[] {
    return [...this.trades.values()].filter((t) => t.appId === appId);
  }

  /** Any app's trade by out_trade_no (the payer side names only the order). */
  findByOutTradeNo(outTradeNo: string): Trade | undefined {
    for (const t of this.trades.values()) if (t.outTradeNo === outTradeNo) return t;
    return undefined;
  }

  open(t: Omit<Trade, 'tradeNo' | 'paidAtMs' | 'refunds' | 'refundRequests' | 'buyerId'> & { buyerId?: string }): Trade {
    const existing = this.find(t.appId, t.outTradeNo);
    if (existing) return existing;
    this.seq++;
    const trade: Trade = {
      ...t,
      tradeNo: `2026${String(this.seq).padStart(8, '0')}${randomBytes(6).toString('hex').replace(/\D/g, '').padEnd(12, '0').slice(0, 12)}`,
      buyerId: t.buyerId ?? '2088000000000001',
      paidAtMs: null,
      refunds: new Map(),
      refundRequests: new Map(),
    };
    this.trades.set(this.key(t.appId, t.outTradeNo), trade);
    return trade;
  }
}
