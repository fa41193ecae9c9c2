import { gunzipSync } from 'node:zlib';
import type { StatementLine } from '../../domain/reconciliation';
import { parseCompactTime } from '../../domain/time';
import { MAX_STATEMENT_BYTES, StatementFormatError } from '../statement-files';
import type { IpaynowAccount } from './accounts';
import { callIpaynow } from './transport';

/**
 * IPayNow's daily statement, as this platform's channel speaks it (docs/channels.md "Reconciliation"): funcode
 * `DL001` POSTed like every other call (`appId`, `billDate` yyyyMMdd, NEW-rule `mhtSignature`); the signed form answer
 * carries `responseCode` A001 and `fileContent`, the statement gzipped and base64-encoded (so the answer's signature
 * covers the file). The statement is UTF-8 text, `|`-separated:
 *   `#IPAYNOW-STATEMENT|1|<appId>|<billDate>|<lines>|<pay total fen>|<refund total fen>`
 *   `PAY|<nowPayOrderNo>|<mhtOrderNo>||<fen>|A001|<yyyyMMddHHmmss CST>`
 *   `REFUND|<nowPayOrderNo>|<mhtOrderNo>|<mhtRefundNo>|<fen>|R010|<yyyyMMddHHmmss CST>`
 * A statement not ready yet answers A002 with responseMsg saying so (the run is retried later).
 */
export const IPAYNOW_STATEMENT_FUNCODE = 'DL001';
const MAX_ANSWER_BYTES = Math.ceil((MAX_STATEMENT_BYTES * 4) / 3) + 64 * 1024;

export async function downloadIpaynowStatement(account: IpaynowAccount, date: string, timeoutMs: number): Promise<StatementLine[]> {
  const billDate = date.replace(/-/g, '');
  const answer = await callIpaynow(account, {
    funcode: IPAYNOW_STATEMENT_FUNCODE, version: '1.0.0', appId: account.appId, billDate, mhtSignType: 'MD5',
  }, { timeoutMs: Math.max(timeoutMs, 10_000), maxAnswerBytes: MAX_ANSWER_BYTES });
  if (answer.kind === 'unknown') throw new Error(answer.reason);
  const f = answer.fields;
  if (f.responseCode !== 'A001' || !f.fileContent) throw new Error(`ipaynow DL001 ${f.responseCode ?? '-'}: ${(f.responseMsg ?? '').slice(0, 60)}`);
  if (f.billDate !== undefined && f.billDate !== billDate) throw new Error(`ipaynow DL001 answered the statement of ${f.billDate}`);
  let text: string;
  try {
    text = gunzipSync(Buffer.from(f.fileContent, 'base64'), { maxOutputLength: MAX_STATEMENT_BYTES }).toString('utf8');
  } catch {
    throw new StatementFormatError('ipaynow statement: fileContent is not base64 gzip');
  }
  return parseIpaynowStatement(text, { appId: account.appId, billDate });
}

/** Parses a statement's text; its header must name the app and day asked for, and its counts and totals must add up. */
export function parseIpaynowStatement(text: string, expect: { appId: string; billDate: string }): StatementLine[] {
  const rows = text.split(/\r?\n/).filter((r) => r.trim() !== '');
  const head = (rows[0] ?? '').split('|');
  if (head[0] !== '#IPAYNOW-STATEMENT' || head[1] !== '1' || head.length !== 7) throw new StatementFormatError('ipaynow statement: no #IPAYNOW-STATEMENT|1 header');
  if (head[2] !== expect.appId || head[3] !== expect.billDate) throw new StatementFormatError('ipaynow statement: the header names another app or day');
  const lines: StatementLine[] = [];
  let payFen = 0;
  let refundFen = 0;
  for (let n = 1; n < rows.length; n++) {
    const f = rows[n]!.split('|');
    const where = `ipaynow statement line ${n + 1}`;
    if (f.length !== 7) throw new StatementFormatError(`${where}: expected 7 fields`);
    const [type, nowPayOrderNo, mhtOrderNo, mhtRefundNo, fen, status, time] = f as [string, string, string, string, string, string, string];
    const amountFen = /^\d{1,15}$/.test(fen) ? Number(fen) : null;
    const atMs = parseCompactTime(time);
    if (amountFen === null || amountFen <= 0) throw new StatementFormatError(`${where}: the amount must be fen, above 0`);
    if (atMs === null) throw new StatementFormatError(`${where}: the time must be yyyyMMddHHmmss`);
    if (!mhtOrderNo) throw new StatementFormatError(`${where}: mhtOrderNo is empty`);
    if (type === 'PAY' && status === 'A001') {
      payFen += amountFen;
      lines.push({ type: 'pay', channelTradeNo: nowPayOrderNo, orderId: mhtOrderNo, amountFen, status, atMs });
    } else if (type === 'REFUND' && status === 'R010' && mhtRefundNo) {
      refundFen += amountFen;
      lines.push({ type: 'refund', channelTradeNo: nowPayOrderNo, orderId: mhtOrderNo, refundId: mhtRefundNo, amountFen, status, atMs });
    } else {
      throw new StatementFormatError(`${where}: type/status must be PAY/A001 or REFUND/R010 with mhtRefundNo`);
    }
  }
  if (Number(head[4]) !== lines.length || Number(head[5]) !== payFen || Number(head[6]) !== refundFen) {
    throw new StatementFormatError('ipaynow statement: the header\'s count or totals do not match its lines');
  }
  return lines;
}
