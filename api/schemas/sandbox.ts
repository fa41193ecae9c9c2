import { z } from 'zod';
import { ApiError } from '../../domain/errors';
import { jsonSchema, orderNo, POSITIVE_YUAN_PATTERN, text } from './fields';
import { firstIssue } from './issues';

/**
 * Requests of the sandbox channel's payer side (api/routes/sandbox.ts). Every message completes "<field> …"; the
 * merchant listener's OpenAPI document is generated from these (while the sandbox is on).
 */
export const SandboxOrderParamsSchema = z.object({
  no: orderNo(64).describe('The sandbox order number (channelOrderNo): the last segment of the codeUrl / mwebUrl.'),
}).describe('Path parameters of the sandbox cashier.');

export const SandboxPayBodySchema = z.object({
  channelOrderNo: orderNo(64).describe('The sandbox order number: the last segment of the order\'s codeUrl / mwebUrl.'),
  tradeAmt: text(12).meta(jsonSchema({ pattern: POSITIVE_YUAN_PATTERN }))
    .describe('When given, the amount the payer pays, in yuan: it must be the order\'s own amount.').optional(),
  afterClose: z.boolean({ error: 'must be true or false' }).optional()
    .describe('true: pay even though the order was closed (a channel that took the money anyway; test orders only).'),
}).strict().describe('Body of POST /sandbox/api/pay: pay a test-mode order as the payer would.');

/** Validates a sandbox request part: the first issue is 100001 naming the field and the rule. */
export function parseSandbox<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (issue?.code === 'unrecognized_keys') throw ApiError.invalidField(issue.keys.join(', '), 'is not a field of this request');
  throw firstIssue(parsed.error);
}
