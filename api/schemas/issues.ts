import type { z } from 'zod';
import { ApiError } from '../../domain/errors';

/** Turns the first schema issue into ApiError 100001 "<field> <rule>". */
export function firstIssue(error: z.ZodError): ApiError {
  const issue = error.issues[0];
  const field = issue?.path.map(String).join('.') || 'request';
  return ApiError.invalidField(field, issue?.message ?? 'is invalid');
}
