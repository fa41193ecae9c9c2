import { randomBytes } from 'node:crypto';
import { seededRecords, shanghaiDay, shanghaiTime, type StatementRecord, type StatementSeeds } from '../statement-seeds';
import type { TradeBook } from './trades';
import { writeZip } from './zip';

/**
 * Alipay's trade bill as the emulator serves it: `alipay.data.dataservice.bill.downloadurl.query` (bill_type trade,
 * bill_date yyyy-MM-dd) answers a one-time `bill_download_url`; GET of it answers a ZIP with the day's 业务明细 CSV and
 * its 汇总 CSV, written from the trades and refunds the emulator recorded, with the test's seeds applied. The
 * emulator writes the files in UTF-8 (Alipay's are GBK; the adapter reads both).
 */
const HEADER = '支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注';

const yuan = (fen: number) => `${fen < 0 ? '-' : ''}${Math.trunc(Math.abs(fen) / 100)}.${String(Math.abs(fen) % 100).padStart(2, '0')}`;
const toFen = (y: string) => {
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(y);
  return m ? Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0')) : 0;
};

export class BillDesk {
  private readonly tokens = new Map<string, { appId: string; date: string }>();

  constructor(private readonly book: TradeBook, private readonly seeds: () => StatementSeeds, private readonly now: () => number) {}

  /** A download token for the app's bill of `date`, or the gateway's error when there is no such bill. */
  issue(appId: string, date: string): { token: string } | { subCode: string; subMsg: string } {
    const day = shanghaiDay(date);
    if (!day) return { subCode: 'isv.invalid-parameter', subMsg: 'bill_date' };
    if (day.startMs > this.now()) return { subCode: 'isp.bill_not_exist', subMsg: '账单不存在' };
    const token = randomBytes(12).toString('hex');
    this.tokens.set(token, { appId, date });
    return { token };
  }

  /** The ZIP behind a token (once), or null. */
  download(token: string): Buffer | null {
    const t = this.tokens.get(token);
    if (!t) return null;
    this.tokens.delete(token);
    const day = shanghaiDay(t.date)!;
    const records: StatementRecord[] = [];
    for (const trade of this.book.ofApp(t.appId)) {
      if (trade.paidAtMs !== null && trade.paidAtMs >= day.startMs && trade.paidAtMs < day.endMs) {
        records.push({ type: 'pay', tradeNo: trade.tradeNo, outTradeNo: trade.outTradeNo, amountFen: toFen(trade.totalAmount), atMs: trade.paidAtMs });
      }
      for (const [requestNo, r] of trade.refunds) {
        if (r.atMs >= day.startMs && r.atMs < day.endMs) {
          records.push({ type: 'refund', tradeNo: trade.tradeNo, outTradeNo: trade.outTradeNo, refundNo: requestNo, amountFen: toFen(r.amount), atMs: r.atMs });
        }
      }
    }
    const lines = seededRecords(records, this.seeds(), day, () => `2026${randomBytes(10).toString('hex').replace(/\D/g, '').padEnd(20, '7').slice(0, 20)}`)
      .sort((a, b) => a.atMs - b.atMs);
    const row = (r: StatementRecord) => {
      const fen = r.type === 'pay' ? r.amountFen : -r.amountFen;
      return [r.tradeNo, r.outTradeNo, r.type === 'pay' ? '交易' : '退款', 'emulated goods', shanghaiTime(r.atMs), shanghaiTime(r.atMs),
        '', '', '', '', 'emu***@example.com', yuan(fen), yuan(fen), '0.00', '0.00', '0.00', '0.00', '0.00', '', '0.00', '0.00',
        r.refundNo ?? '', '0.00', '0.00', ''].map((v) => `${v}\t`).join(',');
    };
    const pays = lines.filter((l) => l.type === 'pay');
    const refunds = lines.filter((l) => l.type === 'refund');
    const sum = (ls: StatementRecord[]) => yuan(ls.reduce((n, l) => n + l.amountFen, 0));
    const compact = t.date.replace(/-/g, '');
    const detail = [
      '#支付宝业务明细查询',
      `#账号：[${t.appId}]`,
      `#起始日期：[${t.date} 00:00:00]   终止日期：[${t.date} 23:59:59]`,
      '#-----------------------------------------业务明细列表----------------------------------------',
      HEADER,
      ...lines.map(row),
      '#-----------------------------------------业务明细列表结束------------------------------------',
      `#交易合计：${pays.length}笔，商家实收共${sum(pays)}元`,
      `#退款合计：${refunds.length}笔，商家实收共-${sum(refunds)}元`,
      `#导出时间：[${shanghaiTime(this.now())}]`,
    ].join('\r\n');
    const summary = ['#支付宝业务汇总查询', '门店编号,门店名称,交易订单总笔数,退款订单总笔数,订单金额（元）', `,,${pays.length},${refunds.length},${sum(pays)}`].join('\r\n');
    return writeZip([
      { name: `${t.appId}_${compact}_业务明细.csv`, data: Buffer.from(detail, 'utf8') },
      { name: `${t.appId}_${compact}_业务明细(汇总).csv`, data: Buffer.from(summary, 'utf8') },
    ]);
  }
}
