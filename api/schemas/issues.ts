import type { z } from 'zod';
import { ApiError } from '../../domain/errors';

/** Turns the first schema issue into ApiError 100001 "<field> <rule>". */
export function firstIssue(error: z.ZodError): ApiError {
  const issue = error.issues[0];
  const field = issue?.path.map(String).join('.') || 'request';
  return ApiError.invalidField(field, issue?.message ?? 'is invalid');
}

/** Fields every merchant request carries besides its interface's own (merchant-api.md, "All interfaces"). */
const ENVELOPE = ['mercNo', 'signType', 'signature'] as const;

/**
 * Refuses a field the interface does not define (100001 naming it). Signed fields that nothing reads would let a
 * signed string be re-split into other fields (security review, issue 10), and a misspelt field should not pass.
 */
export function refuseUnknownFields(body: Record<string, unknown>, schema: z.ZodObject): void {
  const known = new Set<string>([...ENVELOPE, ...Object.keys(schema.shape)]);
  const unknown = Object.keys(body).filter((k) => !known.has(k)).sort()[0];
  if (unknown !== undefined) throw ApiError.invalidField(unknown, 'is not a field of this interface');
}
