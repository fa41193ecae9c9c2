import type { IncomingMessage } from 'node:http';

/** Collects a request's body up to `maxBytes` (the rest is read and dropped), then calls `done` with it. */
export function readCappedBody(req: IncomingMessage, maxBytes: number, done: (raw: Buffer, tooLarge: boolean) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (c: Buffer) => {
    size += c.length;
    if (size <= maxBytes) chunks.push(c);
  });
  req.on('end', () => done(Buffer.concat(chunks), size > maxBytes));
}
