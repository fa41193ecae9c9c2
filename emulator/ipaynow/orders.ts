/**
 * The emulator's order book (in memory): what merchants pushed with WP001 and what payers did. An unpaid order closes
 * (A006) when its own validity (mhtOrderTimeOut, counted from when the emulator received it) has passed.
 */
export interface EmulatedOrder {
  appId: string;
  mhtOrderNo: string;
  mhtOrderName: string;
  mhtOrderType: string;
  mhtOrderAmt: string;
  mhtOrderTimeOut: number;
  mhtOrderStartTime: string;
  mhtReserved?: string;
  mhtSubMchId?: string;
  notifyUrl: string;
  deviceType: string;
  payChannelType: string;
  nowPayOrderNo: string;
  receivedAtMs: number;
  paidAtMs?: number;
  channelOrderNo?: string;
  payConsumerId?: string;
  /** A state forced by a test (controls.setTransStatus), shown until the order is paid. */
  forcedStatus?: string;
  /** Refunds made (R001), by mhtRefundNo: fen and when. */
  refunds: Map<string, { amountFen: number; atMs: number; nowPayRefundNo: string }>;
}

export type PayOutcome =
  | { paid: true; order: EmulatedOrder }
  | { paid: false; reason: 'no such order' | 'already paid' | 'closed' };

export class OrderBook {
  private readonly byNo = new Map<string, EmulatedOrder>();
  private counter = 0;

  constructor(private readonly now: () => number) {}

  get(mhtOrderNo: string): EmulatedOrder | undefined {
    return this.byNo.get(mhtOrderNo);
  }

  /** Every order of an app. */
  ofApp(appId: string): EmulatedOrder[] {
    return [...this.byNo.values()].filter((o) => o.appId === appId);
  }

  byNowPayOrderNo(no: string): EmulatedOrder | undefined {
    for (const o of this.byNo.values()) if (o.nowPayOrderNo === no) return o;
    return undefined;
  }

  add(o: Omit<EmulatedOrder, 'nowPayOrderNo' | 'receivedAtMs' | 'refunds'>): EmulatedOrder {
    this.counter += 1;
    const order: EmulatedOrder = { ...o, nowPayOrderNo: `NP${this.now()}${String(this.counter).padStart(6, '0')}`, receivedAtMs: this.now(), refunds: new Map() };
    this.byNo.set(order.mhtOrderNo, order);
    return order;
  }

  /** transStatus now: A001 paid, a forced state, A006 closed after its validity, else A004 awaiting the payer. */
  statusOf(o: EmulatedOrder): string {
    if (o.paidAtMs !== undefined) return 'A001';
    if (o.forcedStatus) return o.forcedStatus;
    return this.now() > o.receivedAtMs + o.mhtOrderTimeOut * 1000 ? 'A006' : 'A004';
  }

  /** The payer pays. A closed order cannot be paid unless `evenIfClosed` (a payment the upstream takes anyway). */
  pay(mhtOrderNo: string, opts: { evenIfClosed?: boolean; payConsumerId?: string } = {}): PayOutcome {
    const o = this.byNo.get(mhtOrderNo);
    if (!o) return { paid: false, reason: 'no such order' };
    if (o.paidAtMs !== undefined) return { paid: false, reason: 'already paid' };
    const status = this.statusOf(o);
    if ((status === 'A006' || status === 'A002' || status === 'A005') && !opts.evenIfClosed) return { paid: false, reason: 'closed' };
    o.paidAtMs = this.now();
    o.channelOrderNo = `CH${o.nowPayOrderNo}`;
    o.payConsumerId = opts.payConsumerId ?? 'emulated-payer';
    return { paid: true, order: o };
  }
}
