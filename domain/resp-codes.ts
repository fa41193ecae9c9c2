/**
 * The one respCode table of the merchant API (merchant-api.md "Common rules"). Every answer uses these codes and the
 * HTTP status listed beside each, so that a client can act on either.
 */
export const RESP_CODES = {
  '000000': { httpStatus: 200, desc: '处理成功', meaning: 'success' },
  '100001': { httpStatus: 400, desc: '参数错误', meaning: 'parameter invalid (respDesc names the field and the rule)' },
  '100002': { httpStatus: 401, desc: '签名错误', meaning: 'signature invalid or missing' },
  '100003': { httpStatus: 403, desc: '商户不存在或已停用', meaning: 'merchant unknown or disabled' },
  '100004': { httpStatus: 409, desc: '商户订单号重复', meaning: 'duplicate mercOrderNo with different parameters' },
  '100005': { httpStatus: 404, desc: '订单不存在', meaning: 'order not found' },
  '100006': { httpStatus: 409, desc: '当前状态不允许该操作', meaning: 'operation not allowed in current status' },
  '100009': { httpStatus: 429, desc: '请求过于频繁', meaning: 'too many requests: a rate limit or cap of the merchant (respDesc names which); retry later' },
  '100010': { httpStatus: 409, desc: '退款金额超过可退金额', meaning: 'refund amount exceeds what is still refundable on the order (paid minus refunded and refunds in progress)' },
  '100011': { httpStatus: 409, desc: '超过退款期限', meaning: "the order's refund window (days after payment) has passed" },
  '100012': { httpStatus: 409, desc: '超过代付日限额', meaning: "payout amount exceeds what is left of the merchant's daily payout limit today (Asia/Shanghai; failed and rejected payouts give theirs back)" },
  '200001': { httpStatus: 502, desc: '渠道错误', meaning: 'channel error' },
  '200002': { httpStatus: 422, desc: '支付方式或场景不支持', meaning: 'payway/scene (or trade type) not supported' },
  '999999': { httpStatus: 503, desc: '系统繁忙,请稍后重试', meaning: 'system busy: retry the same request' },
} as const;

export type RespCode = keyof typeof RESP_CODES;
