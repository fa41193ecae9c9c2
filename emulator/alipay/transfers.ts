import { randomInt } from 'node:crypto';

/**
 * The emulator's payouts (alipay.fund.trans.uni.transfer), in memory, one per (app, out_biz_no): a repeat of the same
 * out_biz_no answers the first transfer and moves no money — with other parameters it is refused — and every request
 * is counted (tests assert that a payout was asked for once). A payee whose account starts with `missing` does not
 * exist (PAYEE_NOT_EXIST: refused, nothing moved).
 */
export interface Transfer {
  appId: string;
  outBizNo: string;
  orderId: string;
  amount: string;
  identity: string;
  identityType: string;
  name: string;
  productCode: string;
  atMs: number;
}

export class TransferBook {
  private readonly transfers = new Map<string, Transfer>();
  /** Transfer requests received per out_biz_no (any app), made or refused. */
  readonly requests = new Map<string, number>();

  find(appId: string, outBizNo: string): Transfer | undefined {
    return this.transfers.get(`${appId}\u0000${outBizNo}`);
  }

  /** Any app's transfer by out_biz_no (tests name only the payout). */
  findByOutBizNo(outBizNo: string): Transfer | undefined {
    for (const t of this.transfers.values()) if (t.outBizNo === outBizNo) return t;
    return undefined;
  }

  count(outBizNo: string): void {
    this.requests.set(outBizNo, (this.requests.get(outBizNo) ?? 0) + 1);
  }

  make(t: Omit<Transfer, 'orderId'>): Transfer {
    const made = { ...t, orderId: `2026${String(randomInt(0, 1e12)).padStart(12, '0')}${String(randomInt(0, 1e8)).padStart(8, '0')}` };
    this.transfers.set(`${t.appId}\u0000${t.outBizNo}`, made);
    return made;
  }
}
