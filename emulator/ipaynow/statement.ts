import { gzipSync } from 'node:zlib';
import { seededRecords, shanghaiDay, type StatementRecord, type StatementSeeds } from '../statement-seeds';
import type { OrderBook } from './orders';

/**
 * DL001, the daily statement as this platform's IPayNow channel asks for it (docs/channels.md "Reconciliation"):
 * the app's payments and refunds of the Asia/Shanghai day `billDate` (yyyyMMdd), from what the emulator recorded with
 * the test's seeds applied, as `|`-separated text, gzipped and base64-encoded into the signed answer's fileContent.
 */
export function dl001Statement(book: OrderBook, appId: string, billDate: string, seeds: StatementSeeds, now: number): { fileContent: string } | { problem: string } {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(billDate);
  const day = m ? shanghaiDay(`${m[1]}-${m[2]}-${m[3]}`) : null;
  if (!day) return { problem: 'billDate must be yyyyMMdd' };
  if (day.startMs > now) return { problem: 'statement not ready: the day has not begun' };
  const records: StatementRecord[] = [];
  for (const o of book.ofApp(appId)) {
    if (o.paidAtMs !== undefined && o.paidAtMs >= day.startMs && o.paidAtMs < day.endMs) {
      records.push({ type: 'pay', tradeNo: o.nowPayOrderNo, outTradeNo: o.mhtOrderNo, amountFen: Number(o.mhtOrderAmt), atMs: o.paidAtMs });
    }
    for (const [no, r] of o.refunds) {
      if (r.atMs >= day.startMs && r.atMs < day.endMs) records.push({ type: 'refund', tradeNo: o.nowPayOrderNo, outTradeNo: o.mhtOrderNo, refundNo: no, amountFen: r.amountFen, atMs: r.atMs });
    }
  }
  let seq = 0;
  const lines = seededRecords(records, seeds, day, () => `NP${now}${String(900000 + ++seq)}`).sort((a, b) => a.atMs - b.atMs);
  const time = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19).replace(/\D/g, '');
  const sum = (t: 'pay' | 'refund') => lines.filter((l) => l.type === t).reduce((n, l) => n + l.amountFen, 0);
  const text = [
    `#IPAYNOW-STATEMENT|1|${appId}|${billDate}|${lines.length}|${sum('pay')}|${sum('refund')}`,
    ...lines.map((l) => [l.type === 'pay' ? 'PAY' : 'REFUND', l.tradeNo, l.outTradeNo, l.refundNo ?? '', String(l.amountFen), l.type === 'pay' ? 'A001' : 'R010', time(l.atMs)].join('|')),
  ].join('\n') + '\n';
  return { fileContent: gzipSync(Buffer.from(text, 'utf8')).toString('base64') };
}
