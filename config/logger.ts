import pino, { type Logger } from 'pino';

/**
 * Structured JSON logs. Keys, signatures and full payloads never reach a log: the redact list covers the field
 * names that carry them, and callers log identifiers (mercNo, orderId) rather than bodies.
 */
export const REDACT_PATHS = [
  'key', '*.key', 'merchantKey', '*.merchantKey', 'appKey', '*.appKey',
  'signature', '*.signature', 'mhtSignature', '*.mhtSignature',
  'body', '*.body', 'payload', '*.payload', 'req.headers.authorization',
];

export function createLogger(level: string, name: string): Logger {
  return pino({ name, level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } });
}
export type { Logger };
