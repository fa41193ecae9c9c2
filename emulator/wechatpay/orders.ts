import { randomBytes } from 'node:crypto';

/**
 * The emulator's orders, in memory, by merchant and out_trade_no. An order exists from its create (NOTPAY) and stays
 * NOTPAY until a payer pays it; one never created answers ORDER_NOT_EXIST.
 */
export type OrderState = 'NOTPAY' | 'SUCCESS' | 'REFUND' | 'CLOSED';
export type Product = 'native' | 'h5' | 'jsapi' | 'app';

export interface Refund {
  outRefundNo: string;
  refundId: string;
  amountFen: number;
  status: 'PROCESSING' | 'SUCCESS';
  createdAtMs: number;
  successAtMs: number | null;
  notifyUrl: string | null;
}

export interface EmuOrder {
  mchId: string;
  appId: string;
  outTradeNo: string;
  product: Product;
  totalFen: number;
  description: string;
  notifyUrl: string;
  expireAtMs: number | null;
  prepayId: string;
  openid: string | null;
  sceneInfo: unknown;
  state: OrderState;
  transactionId: string | null;
  paidAtMs: number | null;
  refunds: Map<string, Refund>;
}

const digits = (n: number) => Array.from(randomBytes(n), (b) => String(b % 10)).join('');

export class OrderBook {
  private readonly orders = new Map<string, EmuOrder>();

  find(mchId: string, outTradeNo: string): EmuOrder | undefined {
    return this.orders.get(`${mchId}\u0000${outTradeNo}`);
  }

  /** Every order of a merchant account. */
  ofMerchant(mchId: string): EmuOrder[] {
    return [...this.orders.values()].filter((o) => o.mchId === mchId);
  }

  /** Any merchant's order by out_trade_no (the payer side names only the order). */
  findByOutTradeNo(outTradeNo: string): EmuOrder | undefined {
    for (const o of this.orders.values()) if (o.outTradeNo === outTradeNo) return o;
    return undefined;
  }

  findByPrepayId(prepayId: string): EmuOrder | undefined {
    for (const o of this.orders.values()) if (o.prepayId === prepayId) return o;
    return undefined;
  }

  findRefund(mchId: string, outRefundNo: string): { order: EmuOrder; refund: Refund } | undefined {
    for (const order of this.orders.values()) {
      const refund = order.mchId === mchId ? order.refunds.get(outRefundNo) : undefined;
      if (refund) return { order, refund };
    }
    return undefined;
  }

  open(o: Omit<EmuOrder, 'prepayId' | 'state' | 'transactionId' | 'paidAtMs' | 'refunds'>): EmuOrder {
    const order: EmuOrder = {
      ...o, prepayId: `wx${Date.now()}${digits(10)}`, state: 'NOTPAY', transactionId: null, paidAtMs: null, refunds: new Map(),
    };
    this.orders.set(`${o.mchId}\u0000${o.outTradeNo}`, order);
    return order;
  }

  static newTransactionId = () => `4200${digits(24)}`;
  static newRefundId = () => `5030${digits(25)}`;
}
