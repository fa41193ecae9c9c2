import { createHash, timingSafeEqual } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { StatementLine } from '../../domain/reconciliation';
import { csvFields, decodeText, downloadFile, MAX_STATEMENT_BYTES, shanghaiTimeToMs, signedYuanToFen, StatementFormatError } from '../statement-files';
import type { WechatpayAccount } from './accounts';
import { callWechatpay } from './client';
import { authorization, newNonce } from './signing';

/**
 * WeChat Pay's daily bills (docs/channels.md "Reconciliation"), API v3: `GET /v3/bill/tradebill?bill_date=…&bill_type=
 * SUCCESS|REFUND&tar_type=GZIP` answers (signed, verified) `{hash_type: SHA1, hash_value, download_url}`; a signed GET
 * of download_url serves the gzipped bill, whose SHA-1 (of the bill after gunzip) must be hash_value. The bill: a
 * header row, one row per trade or refund with every field prefixed by a backtick (`` ` ``), then a summary header
 * (总交易单数,…) and its row. Amounts are yuan.
 */
export async function downloadWechatpayStatement(account: WechatpayAccount, date: string, timeoutMs: number, now: () => number): Promise<StatementLine[]> {
  const lines: StatementLine[] = [];
  for (const billType of ['SUCCESS', 'REFUND'] as const) {
    const path = `/v3/bill/tradebill?bill_date=${date}&bill_type=${billType}&tar_type=GZIP`;
    const answer = await callWechatpay(account, { method: 'GET', path }, timeoutMs, now);
    if (answer.kind === 'unknown') throw new Error(answer.reason);
    if (answer.kind === 'error') throw new Error(`wechatpay tradebill ${billType}: ${answer.status} ${answer.code}`);
    const { download_url: url, hash_type: hashType, hash_value: hashValue } = answer.body;
    if (typeof url !== 'string' || hashType !== 'SHA1' || typeof hashValue !== 'string') {
      throw new Error(`wechatpay tradebill ${billType}: the answer has no download_url with a SHA1 hash`);
    }
    const u = new URL(url);
    const auth = authorization(account, 'GET', `${u.pathname}${u.search}`, '', Math.floor(now() / 1000), newNonce());
    const gz = await downloadFile(url, { timeoutMs: Math.max(timeoutMs, 10_000), headers: { Authorization: auth, 'User-Agent': 'paydurable' } });
    lines.push(...parseWechatpayBill(unpackBill(gz, hashValue), billType));
  }
  return lines;
}

/** Gunzips a bill and checks its SHA-1 against the answer's hash_value (hex, case-insensitive, constant time). */
export function unpackBill(gz: Buffer, sha1Hex: string): Buffer {
  let bill: Buffer;
  try {
    bill = gunzipSync(gz, { maxOutputLength: MAX_STATEMENT_BYTES });
  } catch {
    throw new StatementFormatError('wechatpay bill: not a gzip file');
  }
  const actual = createHash('sha1').update(bill).digest();
  const expected = Buffer.from(sha1Hex, 'hex');
  if (expected.length !== actual.length || !timingSafeEqual(actual, expected)) throw new StatementFormatError('wechatpay bill: SHA-1 does not match hash_value');
  return bill;
}

const field = (v: string | undefined) => (v ?? '').trim().replace(/^`/, '');

/**
 * Parses a bill's text (trade bill SUCCESS or REFUND; ALL works too: its REFUND rows are refunds). Columns are found by
 * name; the summary's 总交易单数 must equal the rows read.
 */
export function parseWechatpayBill(bytes: Buffer | string, billType: 'SUCCESS' | 'REFUND' | 'ALL' = 'ALL'): StatementLine[] {
  const rows = (typeof bytes === 'string' ? bytes : decodeText(bytes)).split(/\r?\n/);
  const header = csvFields(rows[0] ?? '').map((h) => field(h));
  const col = (name: string) => header.indexOf(name);
  const need = (name: string) => {
    const i = col(name);
    if (i < 0) throw new StatementFormatError(`wechatpay bill: the header has no column ${name}`);
    return i;
  };
  const c = {
    time: need('交易时间'), transactionId: need('微信订单号'), outTradeNo: need('商户订单号'), state: need('交易状态'),
    orderAmount: col('订单金额') >= 0 ? col('订单金额') : need('应结订单金额'),
    refundNo: col('商户退款单号'), refundAmount: col('退款金额'), refundState: col('退款状态'), refundAt: col('退款成功时间'),
  };
  const lines: StatementLine[] = [];
  let rowsRead = 0;
  let summary: number | null = null;
  for (let n = 1; n < rows.length; n++) {
    const row = rows[n]!;
    if (row.trim() === '') continue;
    if (row.startsWith('总交易单数')) {
      summary = Number(field(csvFields(rows[n + 1] ?? '')[0]));
      break;
    }
    rowsRead++;
    const f = csvFields(row);
    const at = (i: number) => (i < 0 ? '' : field(f[i]));
    const where = `wechatpay bill line ${n + 1}`;
    const state = at(c.state);
    if (state === 'REFUND' || (billType === 'REFUND' && at(c.refundNo) !== '')) {
      if (c.refundNo < 0 || c.refundAmount < 0) throw new StatementFormatError(`${where}: a refund row without 商户退款单号/退款金额 columns`);
      if (c.refundState >= 0 && at(c.refundState) !== 'SUCCESS') continue; // not refunded yet: no money moved
      const fen = signedYuanToFen(at(c.refundAmount));
      const atMs = shanghaiTimeToMs(at(c.refundAt) || at(c.time));
      if (fen === null || atMs === null || !at(c.outTradeNo) || !at(c.refundNo)) throw new StatementFormatError(`${where}: unreadable refund row`);
      lines.push({ type: 'refund', channelTradeNo: at(c.transactionId), orderId: at(c.outTradeNo), refundId: at(c.refundNo), amountFen: Math.abs(fen), status: 'SUCCESS', atMs });
    } else if (state === 'SUCCESS') {
      const fen = signedYuanToFen(at(c.orderAmount));
      const atMs = shanghaiTimeToMs(at(c.time));
      if (fen === null || atMs === null || !at(c.outTradeNo)) throw new StatementFormatError(`${where}: unreadable trade row`);
      lines.push({ type: 'pay', channelTradeNo: at(c.transactionId), orderId: at(c.outTradeNo), amountFen: fen, status: 'SUCCESS', atMs });
    }
  }
  if (summary === null) throw new StatementFormatError('wechatpay bill: no summary (总交易单数) at the end');
  if (summary !== rowsRead) throw new StatementFormatError(`wechatpay bill: the summary counts ${summary} rows, the bill has ${rowsRead}`);
  return lines;
}
