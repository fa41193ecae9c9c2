import type { Request } from 'express';

export type RawBody = { ok: true; body: Buffer } | { ok: false; reason: string; bytes: number };

/**
 * Reads a request body as it came (any content type), up to `limit` bytes. Never throws: a body that is too large or
 * a request that breaks off is an answer, not an error.
 */
export function readRawBody(req: Request, limit: number): Promise<RawBody> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(bytes > limit ? { ok: false, reason: `body over ${limit} bytes`, bytes } : { ok: true, body: Buffer.concat(chunks) }));
    req.on('error', () => resolve({ ok: false, reason: 'request broke off', bytes }));
  });
}
