import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Structured JSON logs. Keys, signatures and full payloads never reach a log: the redact list covers the field
 * names that carry them, and callers log identifiers (mercNo, orderId) rather than bodies.
 */
export const REDACT_PATHS = [
  'key', '*.key', 'merchantKey', '*.merchantKey', 'appKey', '*.appKey',
  'signature', '*.signature', 'mhtSignature', '*.mhtSignature',
  'body', '*.body', 'payload', '*.payload', 'req.headers.authorization', '*.headers.authorization',
  'signKey', '*.signKey', 'apiKey', '*.apiKey', 'operators', '*.operators', 'token', '*.token',
  // The admin API's key material (merchant keys it hands out once, channel account credentials it seals).
  'liveKey', '*.liveKey', 'testKey', '*.testKey', 'secret', '*.secret', 'privateKey', '*.privateKey', 'apiV3Key', '*.apiV3Key',
];

/** `destination` defaults to stdout (tests pass a stream to read the lines back). */
export function createLogger(level: string, name: string, destination?: DestinationStream): Logger {
  const options = { name, level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}
export type { Logger };
