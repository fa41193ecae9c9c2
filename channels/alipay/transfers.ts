import type { ChannelTransferRef, ChannelTransferRequest, ChannelTransferStatus } from '../../domain/channels';
import { formatFenAsYuan, parseYuanToFen } from '../../domain/money';
import type { PayeeAccountType } from '../../domain/payout';
import type { AlipayClient, GatewayAnswer } from './client';
import { parseAlipayTime } from './report';

/**
 * Payouts at Alipay (docs/channels.md): alipay.fund.trans.uni.transfer, biz_scene DIRECT_TRANSFER, out_biz_no = our
 * orderId (Alipay answers a repeat of the same out_biz_no with the first transfer and moves nothing), and
 * alipay.fund.trans.common.query by out_biz_no. Amounts are yuan strings at Alipay, fen here.
 */

/** Our payee account types as Alipay's identity_type, and the product each one is paid through. */
const PAYEE: Record<PayeeAccountType, { identityType: string; productCode: string }> = {
  alipay_logon_id: { identityType: 'ALIPAY_LOGON_ID', productCode: 'TRANS_ACCOUNT_NO_PWD' },
  alipay_user_id: { identityType: 'ALIPAY_USER_ID', productCode: 'TRANS_ACCOUNT_NO_PWD' },
  bank_card: { identityType: 'BANKCARD_ACCOUNT', productCode: 'TRANS_BANKCARD_NO_PWD' },
};

/** status of a transfer (uni.transfer and common.query answers) → ours. SUCCESS needs its amount; DEALING and WAIT_PAY are not final yet. */
export const TRANSFER_STATUSES = ['SUCCESS', 'DEALING', 'WAIT_PAY', 'FAIL', 'CLOSED', 'REFUND'] as const;
type TransferStatus = (typeof TRANSFER_STATUSES)[number];

function statusOfTransfer(body: Record<string, string>, req: { amountFen?: number }, nowMs: number): ChannelTransferStatus {
  const status = body.status ?? '';
  if (!(TRANSFER_STATUSES as readonly string[]).includes(status)) return { status: 'UNKNOWN', reason: `alipay transfer status ${status || 'absent'}` };
  const s = status as TransferStatus;
  switch (s) {
    case 'SUCCESS': {
      const amount = body.trans_amount !== undefined ? parseYuanToFen(body.trans_amount) : null;
      const amountFen = amount?.ok ? amount.fen : req.amountFen;
      if (amountFen === undefined) return { status: 'UNKNOWN', reason: 'alipay transfer answer without a readable amount' };
      const at = parseAlipayTime(body.pay_date ?? body.trans_date ?? '');
      return { status: 'SUCCESS', amountFen, transferredAtMs: at ?? nowMs, ...(body.order_id ? { channelTransferNo: body.order_id } : {}) };
    }
    case 'DEALING':
    case 'WAIT_PAY':
      return { status: 'PENDING' };
    // Refused, or made and returned by the payee's bank (REFUND): the money is back with the merchant.
    case 'FAIL':
    case 'CLOSED':
    case 'REFUND':
      return { status: 'FAIL', reason: `alipay transfer ${s}${body.fail_reason ? `: ${body.fail_reason}` : ''}${body.error_code ? ` (${body.error_code})` : ''}` };
    default: {
      const never: never = s;
      throw new Error(`unmapped transfer status ${String(never)}`);
    }
  }
}

const reasonOf = (a: Extract<GatewayAnswer, { kind: 'answer' }>, method: string) => `alipay ${method} ${a.code}${a.subCode ? ` ${a.subCode}` : ''}`;

/** Asks Alipay to transfer (once per out_biz_no at Alipay). A definite refusal is FAIL; anything not known is UNKNOWN. */
export async function transferAtAlipay(client: AlipayClient, req: ChannelTransferRequest, nowMs: number): Promise<ChannelTransferStatus> {
  const payee = PAYEE[req.payee.accountType];
  const answer = await client.call('alipay.fund.trans.uni.transfer', {
    out_biz_no: req.outBizNo, trans_amount: formatFenAsYuan(req.amountFen), product_code: payee.productCode, biz_scene: 'DIRECT_TRANSFER',
    order_title: req.title,
    payee_info: {
      identity: req.payee.account, identity_type: payee.identityType, name: req.payee.name,
      ...(req.payee.accountType === 'bank_card' ? { bankcard_ext_info: { account_type: '2', inst_name: req.payee.bankCode ?? '' } } : {}),
    },
  });
  if (answer.kind === 'unknown') return { status: 'UNKNOWN', reason: answer.reason };
  switch (answer.meaning) {
    case 'ok': {
      const body = answer.body as Record<string, string>;
      if (body.out_biz_no !== undefined && body.out_biz_no !== req.outBizNo) return { status: 'UNKNOWN', reason: 'alipay answered for another transfer' };
      return statusOfTransfer(body, { amountFen: req.amountFen }, nowMs);
    }
    // PAYEE_NOT_EXIST, PAYEE_USER_INFO_ERROR, PAYER_BALANCE_NOT_ENOUGH…: refused, nothing moved.
    case 'declined': return { status: 'FAIL', reason: reasonOf(answer, 'fund.trans.uni.transfer') };
    case 'not_exist':
    case 'status_error':
    case 'unknown':
      return { status: 'UNKNOWN', reason: reasonOf(answer, 'fund.trans.uni.transfer') };
  }
}

/** The transfer's state at Alipay by out_biz_no; ORDER_NOT_EXIST is "no such transfer" (which proves nothing after a lost request). */
export async function queryTransferAtAlipay(client: AlipayClient, ref: ChannelTransferRef, nowMs: number): Promise<ChannelTransferStatus> {
  const answer = await client.call('alipay.fund.trans.common.query', {
    out_biz_no: ref.outBizNo, product_code: PAYEE[ref.payee.accountType].productCode, biz_scene: 'DIRECT_TRANSFER',
  });
  if (answer.kind === 'unknown') return { status: 'UNKNOWN', reason: answer.reason };
  switch (answer.meaning) {
    case 'ok': return statusOfTransfer(answer.body as Record<string, string>, {}, nowMs);
    case 'not_exist': return { status: 'FAIL', reason: 'no such transfer at alipay', notFound: true };
    case 'declined':
    case 'status_error':
    case 'unknown':
      return { status: 'UNKNOWN', reason: reasonOf(answer, 'fund.trans.common.query') };
  }
}
