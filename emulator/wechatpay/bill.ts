import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { seededRecords, shanghaiDay, shanghaiTime, type StatementRecord, type StatementSeeds } from '../statement-seeds';
import { OrderBook } from './orders';

/**
 * WeChat Pay's trade bills as the emulator serves them: `GET /v3/bill/tradebill?bill_date&bill_type=SUCCESS|REFUND
 * &tar_type=GZIP` answers `{hash_type: SHA1, hash_value, download_url}` (the bill made then, from the orders and refunds
 * the emulator recorded, with the test's seeds applied); a signed GET of download_url (/v3/billdownload/file) serves
 * it gzipped, once. Every field is prefixed with a backtick; a summary header and row end the bill.
 */
const SUCCESS_HEADER = '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,商品名称,商户数据包,手续费,费率,订单金额,费率备注';
const REFUND_HEADER = '交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,退款申请时间,退款成功时间,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注';
const SUMMARY_HEADER = '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额';

const yuan = (fen: number) => `${Math.trunc(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;

export class WechatBillDesk {
  private readonly files = new Map<string, { mchId: string; gz: Buffer }>();

  constructor(private readonly book: OrderBook, private readonly seeds: () => StatementSeeds, private readonly now: () => number) {}

  /** Makes the bill and a one-time token for it; null when there is no such bill (a day not begun, a bad date). */
  issue(mch: { mchId: string; appId: string }, date: string, billType: string): { token: string; sha1: string } | { code: string; message: string } {
    const day = shanghaiDay(date);
    if (!day) return { code: 'PARAM_ERROR', message: 'bill_date' };
    if (billType !== 'SUCCESS' && billType !== 'REFUND') return { code: 'PARAM_ERROR', message: 'bill_type must be SUCCESS or REFUND here' };
    if (day.startMs > this.now()) return { code: 'NO_STATEMENT_EXIST', message: '账单文件不存在' };
    const records: StatementRecord[] = [];
    for (const o of this.book.ofMerchant(mch.mchId)) {
      if (billType === 'SUCCESS' && o.paidAtMs !== null && o.paidAtMs >= day.startMs && o.paidAtMs < day.endMs) {
        records.push({ type: 'pay', tradeNo: o.transactionId ?? '', outTradeNo: o.outTradeNo, amountFen: o.totalFen, atMs: o.paidAtMs });
      }
      for (const r of o.refunds.values()) {
        if (billType === 'REFUND' && r.successAtMs !== null && r.successAtMs >= day.startMs && r.successAtMs < day.endMs) {
          records.push({ type: 'refund', tradeNo: o.transactionId ?? '', outTradeNo: o.outTradeNo, refundNo: r.outRefundNo, amountFen: r.amountFen, atMs: r.successAtMs });
        }
      }
    }
    const lines = seededRecords(records, this.seeds(), day, () => OrderBook.newTransactionId())
      .filter((l) => (billType === 'SUCCESS' ? l.type === 'pay' : l.type === 'refund'))
      .sort((a, b) => a.atMs - b.atMs);
    const b = (vs: string[]) => vs.map((v) => `\`${v}`).join(',');
    const rows = lines.map((l) => (l.type === 'pay'
      ? b([shanghaiTime(l.atMs), mch.appId, mch.mchId, '0', '', l.tradeNo, l.outTradeNo, 'oEmuPayer0000000000000000001', 'NATIVE', 'SUCCESS', 'OTHERS', 'CNY',
        yuan(l.amountFen), '0.00', 'emulated goods', '', '0.00000', '0.60%', yuan(l.amountFen), ''])
      : b([shanghaiTime(l.atMs), mch.appId, mch.mchId, '0', '', l.tradeNo, l.outTradeNo, 'oEmuPayer0000000000000000001', 'NATIVE', 'REFUND', 'OTHERS', 'CNY',
        '0.00', '0.00', shanghaiTime(l.atMs), shanghaiTime(l.atMs), OrderBook.newRefundId(), l.refundNo ?? '', yuan(l.amountFen), '0.00', 'ORIGINAL', 'SUCCESS',
        'emulated goods', '', '0.00000', '0.60%', '0.00', yuan(l.amountFen), ''])));
    const total = lines.reduce((n, l) => n + l.amountFen, 0);
    const summary = billType === 'SUCCESS'
      ? b([String(lines.length), yuan(total), '0.00', '0.00', '0.00000', yuan(total), '0.00'])
      : b([String(lines.length), '0.00', yuan(total), '0.00', '0.00000', '0.00', yuan(total)]);
    const bill = Buffer.from([billType === 'SUCCESS' ? SUCCESS_HEADER : REFUND_HEADER, ...rows, SUMMARY_HEADER, summary].join('\r\n') + '\r\n', 'utf8');
    const token = randomBytes(16).toString('hex');
    this.files.set(token, { mchId: mch.mchId, gz: gzipSync(bill) });
    return { token, sha1: createHash('sha1').update(bill).digest('hex') };
  }

  /** The gzipped bill of a token, for the merchant that asked for it (once), or null. */
  download(token: string, mchId: string): Buffer | null {
    const f = this.files.get(token);
    if (!f || f.mchId !== mchId) return null;
    this.files.delete(token);
    return f.gz;
  }
}
