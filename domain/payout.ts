/**
 * Payouts (tradeType 02 代付, 03 提现): our extension of the unified order (docs/merchant-api.md "Payouts"). Pure:
 * safe in workflow code.
 */

import { parseYuanToFen, type YuanParseResult } from './money';

/**
 * A merchant's daily payout limit as people write it (yuan, at most two decimals, at most 13 integer digits; 0 = no
 * payouts), as fen. The pattern is also in the admin OpenAPI document (ASCII classes).
 */
export const PAYOUT_LIMIT_PATTERN = '^(?:0|[1-9][0-9]{0,12})(?:\\.[0-9]{1,2})?$';
export const PAYOUT_LIMIT_RULE = 'must be yuan with at most two decimals and at most 13 integer digits, e.g. 20000.00 (0 = no payouts)';
export function parsePayoutLimit(text: string): YuanParseResult {
  if (!new RegExp(PAYOUT_LIMIT_PATTERN).test(text)) return { ok: false, rule: PAYOUT_LIMIT_RULE };
  if (/^0(?:\.0{1,2})?$/.test(text)) return { ok: true, fen: 0 };
  return parseYuanToFen(text);
}

/** The trade types that send money out of the merchant's balance instead of collecting it. */
export const PAYOUT_TRADE_TYPES = ['02', '03'] as const;
export type PayoutTradeType = (typeof PAYOUT_TRADE_TYPES)[number];
export const isPayoutTradeType = (t: string): t is PayoutTradeType => (PAYOUT_TRADE_TYPES as readonly string[]).includes(t);

/** Who receives a payout: an Alipay account (by logon id or by user id) or a bank card (which needs bankCode). */
export const PAYEE_ACCOUNT_TYPES = ['alipay_logon_id', 'alipay_user_id', 'bank_card'] as const;
export type PayeeAccountType = (typeof PAYEE_ACCOUNT_TYPES)[number];

export interface Payee {
  account: string;
  name: string;
  accountType: PayeeAccountType;
  /** The card's bank (required for bank_card). */
  bankCode?: string;
}

/**
 * The rule each account type's account must meet, as a pattern (also in the OpenAPI document, so ASCII classes, never
 * \d) and the words of the 100001 answer.
 */
export const PAYEE_ACCOUNT_RULES: Record<PayeeAccountType, { pattern: RegExp; rule: string }> = {
  alipay_logon_id: {
    pattern: /^(?:1[0-9]{10}|[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,63}\.[A-Za-z]{2,24})$/,
    rule: 'must be an Alipay logon id: a mobile number (11 digits starting with 1) or an e-mail address',
  },
  alipay_user_id: { pattern: /^2088[0-9]{12}$/, rule: 'must be an Alipay user id: 16 digits starting with 2088' },
  bank_card: { pattern: /^[0-9]{12,30}$/, rule: 'must be a bank card number: 12 to 30 digits' },
};

/** The channels that make payouts (a channel's `transfer`); a live payout routed to none of them answers 200002. */
export const PAYOUT_CHANNELS = ['sandbox', 'alipay'] as const;

/** Whether a payout waits for a person: not required, waiting, or decided. */
export type PayoutApprovalState = 'not_required' | 'pending' | 'approved' | 'rejected';
export type PayoutApprovalDecision = 'approve' | 'reject';
export const PAYOUT_APPROVAL_DECISIONS: readonly PayoutApprovalDecision[] = ['approve', 'reject'];

/** A payee account as support tools show it: the first 3 and last 4 characters (a card's last four digits). */
export function maskPayeeAccount(account: string): string {
  return account.length <= 7 ? `${account.slice(0, 1)}***` : `${account.slice(0, 3)}***${account.slice(-4)}`;
}
