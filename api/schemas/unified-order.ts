import { z } from 'zod';
import {
  compactTime, emptyToUndefined, POSITIVE_YUAN_PATTERN, httpUrl, ipAddress, jsonSchema, mercNo, oneOf, optional, optionalHttpUrl, optionalOneOf, orderNo, text,
} from './fields';
import { PAYWAY_CODES, SCENE_CODES, TERM_TYPES, type OrderDraft } from '../../domain/order';
import { parseYuanToFen } from '../../domain/money';
import { parseCompactTime } from '../../domain/time';
import { isSupportedScene, SUPPORTED_SCENES } from '../../domain/payways';
import { ApiError } from '../../domain/errors';
import type { SignType } from '../../domain/signing';
import { firstIssue, refuseUnknownFields } from './issues';
import { isPayoutTradeType, PAYEE_ACCOUNT_RULES, PAYEE_ACCOUNT_TYPES, PAYOUT_TRADE_TYPES } from '../../domain/payout';

/** Longest order validity accepted, in minutes (one day). */
export const MAX_ORDER_PERIOD_MIN = 1440;

/** Unified order request (merchant-api.md §1): every field with its length, requiredness and enum. */
/** orderPeriod: whole minutes 1 to MAX_ORDER_PERIOD_MIN (1440), leading zeros allowed. */
const ORDER_PERIOD_PATTERN = '^0*(?:[1-9][0-9]{0,2}|1[0-3][0-9]{2}|14[0-3][0-9]|1440)$';

/** Unified order request (merchant-api.md §1): every field with its length, requiredness and enum. */
export const UnifiedOrderSchema = z.object({
  mercNo: z.preprocess(emptyToUndefined, mercNo()),
  mercOrderNo: z.preprocess(emptyToUndefined, orderNo(32)),
  subject: optional(100),
  body: optional(200),
  // 01 pay; 02 代付 and 03 提现 are payouts (our extension of seed 002: the payee fields below).
  tradeType: z.preprocess(emptyToUndefined, oneOf(['01', '02', '03'])),
  tradeAmt: z.preprocess(emptyToUndefined, text(12)).meta(jsonSchema({ pattern: POSITIVE_YUAN_PATTERN })),
  feeType: z.preprocess(emptyToUndefined, z.literal('CNY', { error: 'must be CNY (other currencies are not supported)' }).optional())
    .meta(jsonSchema({ const: null, enum: ['CNY', ''] })),
  tradeTime: z.preprocess(emptyToUndefined, compactTime),
  orderPeriod: z.preprocess(emptyToUndefined, text(14).regex(/^\d+$/, { error: 'must be a whole number of minutes' }))
    .meta(jsonSchema({ pattern: ORDER_PERIOD_PATTERN })),
  notifyUrl: z.preprocess(emptyToUndefined, httpUrl(200)),
  returnUrl: z.preprocess(emptyToUndefined, httpUrl(200)),
  refererUrl: optionalHttpUrl(200),
  termType: z.preprocess(emptyToUndefined, oneOf(TERM_TYPES)),
  paywayCode: z.preprocess(emptyToUndefined, oneOf(PAYWAY_CODES)),
  sceneCode: z.preprocess(emptyToUndefined, oneOf(SCENE_CODES)),
  ip: z.preprocess(emptyToUndefined, ipAddress),
  merchantId: optional(8),
  storeId: optional(8),
  payeeId: optional(8),
  remark: optional(100),
  attach: optional(128),
  deviceInfo: optionalOneOf(['IOS_SDK', 'AND_SDK', 'WAP_SDK']),
  mchAppName: optional(256),
  mchAppId: optional(128),
  bankCode: optional(20),
  payType: optionalOneOf(['1', '2', '3']),
  quickPayAttach: optional(4096),
  // Payouts (tradeType 02/03) only: who receives the money. bankCode (above) names a bank card's bank.
  payeeAccount: optional(100),
  payeeName: optional(100),
  payeeAccountType: optionalOneOf(PAYEE_ACCOUNT_TYPES),
});

const PAYEE_FIELDS = ['payeeAccount', 'payeeName', 'payeeAccountType'] as const;

const nonEmpty = (fields: readonly string[]) => ({
  required: [...fields],
  properties: Object.fromEntries(fields.map((f) => [f, { minLength: 1 }])),
});

/**
 * The cross-field rules parseUnifiedOrder enforces, as JSON Schema (allOf) for the document: subject or body; a
 * paywayCode/sceneCode pair that is offered (others answer 200002); WeChat H5 needs deviceInfo, mchAppName and
 * mchAppId; e-bank needs bankCode, and payType is for e-bank only. What depends on the clock (tradeTime +
 * orderPeriod in the future, tradeTime at most one day ahead) is stated in the fields' descriptions.
 */
export const UNIFIED_ORDER_RULES = [
  { description: 'subject or body (at least one, not empty)', anyOf: [nonEmpty(['subject']), nonEmpty(['body'])] },
  {
    description: 'an offered paywayCode/sceneCode pair (others answer 200002)',
    anyOf: Object.entries(SUPPORTED_SCENES).map(([payway, scenes]) => ({
      properties: { paywayCode: { const: payway }, sceneCode: { enum: [...scenes] } },
    })),
  },
  {
    description: 'WeChat H5 (paywayCode wxpay, sceneCode h5) needs deviceInfo, mchAppName and mchAppId',
    if: { required: ['paywayCode', 'sceneCode'], properties: { paywayCode: { const: 'wxpay' }, sceneCode: { const: 'h5' } } },
    then: nonEmpty(['deviceInfo', 'mchAppName', 'mchAppId']),
  },
  {
    description: 'e-bank (sceneCode ebank) needs bankCode; payType is for e-bank only',
    if: { required: ['sceneCode'], properties: { sceneCode: { const: 'ebank' } } },
    then: nonEmpty(['bankCode']),
    else: { properties: { payType: { maxLength: 0 } } },
  },
  {
    // One rule with one branch per account type: separate if/then rules per type multiply out past what a
    // generator of test data (the contract test's Schemathesis) can canonicalize.
    description: 'payouts (tradeType 02/03) need payeeAccount, payeeName and payeeAccountType, payeeAccount in the format of its type '
      + `(${PAYEE_ACCOUNT_TYPES.map((type) => `${type}: ${PAYEE_ACCOUNT_RULES[type].rule}`).join('; ')}), and bankCode for bank_card; `
      + 'other orders have none of them',
    if: { required: ['tradeType'], properties: { tradeType: { enum: [...PAYOUT_TRADE_TYPES] } } },
    then: {
      anyOf: PAYEE_ACCOUNT_TYPES.map((type) => {
        const card = type === 'bank_card';
        return {
          required: [...PAYEE_FIELDS, ...(card ? ['bankCode'] : [])],
          properties: {
            payeeAccountType: { const: type },
            payeeAccount: { pattern: PAYEE_ACCOUNT_RULES[type].pattern.source },
            payeeName: { minLength: 1 },
            ...(card ? { bankCode: { minLength: 1 } } : {}),
          },
        };
      }),
    },
    else: { properties: Object.fromEntries(PAYEE_FIELDS.map((f) => [f, { maxLength: 0 }])) },
  },
];

export type UnifiedOrderRequest = z.infer<typeof UnifiedOrderSchema>;

/**
 * Validates a unified-order request and turns it into an OrderDraft. Throws ApiError 100001 naming the field and the
 * rule, or 200002 for what is valid but not offered (a payway/scene pair no channel has). Payouts (tradeType 02/03)
 * carry their payee (draft.payee).
 */
export function parseUnifiedOrder(body: Record<string, unknown>, signType: SignType, nowMs: number): OrderDraft {
  refuseUnknownFields(body, UnifiedOrderSchema);
  const parsed = UnifiedOrderSchema.safeParse(body);
  if (!parsed.success) throw firstIssue(parsed.error);
  const r = parsed.data;

  if (!r.subject && !r.body) throw ApiError.invalidField('subject', 'or body is required (at least one of them)');
  const payout = isPayoutTradeType(r.tradeType);
  if (payout) {
    for (const field of PAYEE_FIELDS) {
      if (!r[field]) throw ApiError.invalidField(field, `is required for payouts (tradeType ${r.tradeType})`);
    }
    const rule = PAYEE_ACCOUNT_RULES[r.payeeAccountType!];
    if (!rule.pattern.test(r.payeeAccount!)) throw ApiError.invalidField('payeeAccount', `${rule.rule} (payeeAccountType ${r.payeeAccountType})`);
    if (r.payeeAccountType === 'bank_card' && !r.bankCode) throw ApiError.invalidField('bankCode', 'is required for payouts to a bank card (payeeAccountType bank_card)');
  } else {
    for (const field of PAYEE_FIELDS) {
      if (r[field]) throw ApiError.invalidField(field, 'is only for payouts (tradeType 02 or 03)');
    }
  }

  const amount = parseYuanToFen(r.tradeAmt);
  if (!amount.ok) throw ApiError.invalidField('tradeAmt', amount.rule);

  const tradeTimeMs = parseCompactTime(r.tradeTime);
  if (tradeTimeMs === null) throw ApiError.invalidField('tradeTime', 'must be a real time in yyyyMMddHHmmss');
  const period = Number(r.orderPeriod);
  if (period < 1 || period > MAX_ORDER_PERIOD_MIN) {
    throw ApiError.invalidField('orderPeriod', `must be between 1 and ${MAX_ORDER_PERIOD_MIN} minutes`);
  }
  const expireAtMs = tradeTimeMs + period * 60_000;
  if (expireAtMs <= nowMs) throw ApiError.invalidField('tradeTime', 'plus orderPeriod is already in the past (the order would be expired)');
  if (tradeTimeMs > nowMs + 24 * 3_600_000) throw ApiError.invalidField('tradeTime', 'must not be more than one day in the future');

  if (r.paywayCode === 'wxpay' && r.sceneCode === 'h5') {
    for (const field of ['deviceInfo', 'mchAppName', 'mchAppId'] as const) {
      if (!r[field]) throw ApiError.invalidField(field, 'is required for WeChat H5 payments (paywayCode wxpay, sceneCode h5)');
    }
  }
  if (r.sceneCode === 'ebank' && !r.bankCode) throw ApiError.invalidField('bankCode', 'is required for e-bank payments (sceneCode ebank)');
  if (r.payType && r.sceneCode !== 'ebank') throw ApiError.invalidField('payType', 'is only for e-bank payments (sceneCode ebank)');
  if (!isSupportedScene(r.paywayCode, r.sceneCode)) {
    throw new ApiError('200002', `paywayCode ${r.paywayCode} does not offer sceneCode ${r.sceneCode}`, 'sceneCode');
  }

  const draft: OrderDraft = {
    mercNo: r.mercNo,
    mercOrderNo: r.mercOrderNo,
    tradeType: r.tradeType,
    amountFen: amount.fen,
    feeType: 'CNY',
    tradeTime: r.tradeTime,
    orderPeriodMin: period,
    expireAtMs,
    notifyUrl: r.notifyUrl,
    returnUrl: r.returnUrl,
    termType: r.termType,
    paywayCode: r.paywayCode,
    sceneCode: r.sceneCode,
    ip: r.ip,
    signType,
  };
  const optionalFields = ['subject', 'body', 'refererUrl', 'attach', 'remark', 'merchantId', 'storeId', 'payeeId',
    'deviceInfo', 'mchAppName', 'mchAppId', 'bankCode', 'payType'] as const;
  for (const f of optionalFields) {
    const v = r[f];
    if (v !== undefined) (draft as unknown as Record<string, string>)[f] = v;
  }
  if (payout) {
    draft.payee = {
      account: r.payeeAccount!, name: r.payeeName!, accountType: r.payeeAccountType!, ...(r.bankCode ? { bankCode: r.bankCode } : {}),
    };
  }
  return draft;
}
