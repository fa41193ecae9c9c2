import type { StatementLine } from '../../domain/reconciliation';
import { csvFields, decodeText, downloadFile, readZip, shanghaiTimeToMs, signedYuanToFen, StatementFormatError } from '../statement-files';
import type { AlipayAccount } from './accounts';
import { alipayClient } from './client';

/**
 * Alipay's daily trade statement (docs/channels.md "Reconciliation"): `alipay.data.dataservice.bill.downloadurl.query`
 * with bill_type `trade` and the day answers `bill_download_url`; that URL serves a ZIP holding the day's
 * 业务明细 (detail) CSV and its 汇总 (summary) CSV, in GBK. The detail file: `#` comment lines (title, account, dates),
 * a header row, one row per trade or refund (业务类型 交易 / 退款; fields may end in tabs), `#` totals at the end.
 */
export const ALIPAY_BILL_METHOD = 'alipay.data.dataservice.bill.downloadurl.query';

const COLUMNS = {
  tradeNo: '支付宝交易号',
  outTradeNo: '商户订单号',
  kind: '业务类型',
  finishedAt: '完成时间',
  amount: '订单金额（元）',
  requestNo: '退款批次号/请求号',
} as const;

/** One account's statement of one day (`YYYY-MM-DD`): every pay and refund line. Throws when it cannot be had. */
export async function downloadAlipayStatement(account: AlipayAccount, date: string, timeoutMs: number): Promise<StatementLine[]> {
  const answer = await alipayClient(account, timeoutMs).call(ALIPAY_BILL_METHOD, { bill_type: 'trade', bill_date: date });
  if (answer.kind === 'unknown') throw new Error(answer.reason);
  const url = answer.body.bill_download_url;
  if (answer.meaning !== 'ok' || typeof url !== 'string') {
    throw new Error(`alipay ${ALIPAY_BILL_METHOD} ${answer.code}${answer.subCode ? ` ${answer.subCode}` : ''}`);
  }
  return parseAlipayBillZip(await downloadFile(url, { timeoutMs: Math.max(timeoutMs, 10_000) }));
}

/** The detail CSV of a statement ZIP, parsed (the summary file is not needed: totals are recomputed). */
export function parseAlipayBillZip(zip: Buffer): StatementLine[] {
  const files = readZip(zip);
  const detail = [...files.entries()].find(([name]) => name.endsWith('.csv') && !name.includes('汇总'));
  if (!detail) throw new StatementFormatError('alipay statement: the ZIP holds no detail CSV (业务明细)');
  return parseAlipayBillCsv(decodeText(detail[1]));
}

/** Parses the detail CSV's text. Columns are found by their names in the header row. */
export function parseAlipayBillCsv(text: string): StatementLine[] {
  const rows = text.split(/\r?\n/);
  const headerAt = rows.findIndex((r) => r.trim().startsWith(COLUMNS.tradeNo));
  if (headerAt < 0) throw new StatementFormatError(`alipay statement: no header row starting with ${COLUMNS.tradeNo}`);
  const header = csvFields(rows[headerAt]!).map((h) => h.trim());
  const col = Object.fromEntries(Object.entries(COLUMNS).map(([k, name]) => {
    const i = header.indexOf(name);
    if (i < 0) throw new StatementFormatError(`alipay statement: the header has no column ${name}`);
    return [k, i];
  })) as Record<keyof typeof COLUMNS, number>;
  const lines: StatementLine[] = [];
  for (let n = headerAt + 1; n < rows.length; n++) {
    const row = rows[n]!;
    if (row.trim() === '') continue;
    if (row.startsWith('#')) break; // 业务明细列表结束, then the totals
    const f = csvFields(row).map((v) => v.trim());
    const at = (k: keyof typeof COLUMNS) => f[col[k]] ?? '';
    const where = `alipay statement line ${n + 1}`;
    const fen = signedYuanToFen(at('amount'));
    if (fen === null) throw new StatementFormatError(`${where}: ${COLUMNS.amount} is not a yuan amount`);
    const atMs = shanghaiTimeToMs(at('finishedAt'));
    if (atMs === null) throw new StatementFormatError(`${where}: ${COLUMNS.finishedAt} is not yyyy-MM-dd HH:mm:ss`);
    if (!at('outTradeNo')) throw new StatementFormatError(`${where}: ${COLUMNS.outTradeNo} is empty`);
    const base = { channelTradeNo: at('tradeNo'), orderId: at('outTradeNo'), amountFen: Math.abs(fen), atMs };
    if (at('kind') === '交易') lines.push({ ...base, type: 'pay', status: 'TRADE_SUCCESS' });
    else if (at('kind') === '退款') {
      // A refund's request number is ours (out_request_no); a refund made without one carries the trade's number.
      lines.push({ ...base, type: 'refund', refundId: at('requestNo') || at('outTradeNo'), status: 'REFUND_SUCCESS' });
    }
    // Other kinds (e.g. 冻结, 解冻) move no money between payer and merchant: not reconciled.
  }
  return lines;
}
