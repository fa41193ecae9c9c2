import express, { type NextFunction, type Request, type Response } from 'express';
import { ApiError } from '../domain/errors';

const MAX_BODY = '64kb';
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Merchant request bodies: JSON in UTF-8 whatever the Content-Type says, at most 64 KiB, and no key twice in one
 * object (JSON.parse would silently keep the last one — a signed field could then mean two things).
 */
export function strictJsonBody() {
  const raw = express.raw({ type: () => true, limit: MAX_BODY });
  return [
    raw,
    (req: Request, res: Response, next: NextFunction) => {
      const buf = req.body as unknown;
      if (!Buffer.isBuffer(buf) || buf.length === 0) return next(ApiError.invalidField('request', 'body must be a JSON object'));
      let text: string;
      try {
        text = decoder.decode(buf);
      } catch {
        return next(ApiError.invalidField('request', 'body must be valid UTF-8'));
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return next(ApiError.invalidField('request', 'body must be valid JSON'));
      }
      const duplicate = findDuplicateKey(text);
      if (duplicate !== null) return next(ApiError.invalidField(duplicate, 'appears more than once'));
      req.body = parsed;
      res.locals.rawBody = buf; // the exact bytes, for the raw-body signature
      next();
    },
  ];
}

/**
 * Scans valid JSON text and returns the first key that appears twice in the same object, or null. Only called after
 * JSON.parse accepted the text, so the scanner can assume well-formed input.
 */
export function findDuplicateKey(text: string): string | null {
  const stack: { object: boolean; keys: Set<string>; expectKey: boolean }[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const top = stack[stack.length - 1];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (top?.object && top.expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.keys.has(key)) return key;
        top.keys.add(key);
        top.expectKey = false;
      }
      i = j;
    } else if (c === '{' || c === '[') {
      stack.push({ object: c === '{', keys: new Set(), expectKey: c === '{' });
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',' && top?.object) {
      top.expectKey = true;
    }
  }
  return null;
}
