import { crc32, inflateRawSync } from 'node:zlib';

/**
 * The file plumbing the channels' statement downloads share (their formats stay in their folders): a bounded HTTP
 * download, a small ZIP reader (stored and deflated entries, CRC checked), text in UTF-8 or GBK, CSV fields, and
 * signed yuan amounts as integer fen.
 */

/** The largest statement file read (a download over this is refused, never truncated). */
export const MAX_STATEMENT_BYTES = 32 * 1024 * 1024;

/** GETs a file: its bytes, or throws naming the URL's host and the problem (never the query, which may hold a token). */
export async function downloadFile(url: string, opts: { timeoutMs: number; headers?: Record<string, string>; maxBytes?: number }): Promise<Buffer> {
  const max = opts.maxBytes ?? MAX_STATEMENT_BYTES;
  const where = (() => { try { return new URL(url).host; } catch { return 'an invalid URL'; } })();
  let res: Response;
  try {
    res = await fetch(url, { headers: opts.headers ?? {}, redirect: 'manual', signal: AbortSignal.timeout(opts.timeoutMs) });
  } catch (err) {
    const e = err as Error;
    throw new Error(`statement download from ${where}: ${e.name === 'TimeoutError' ? 'timed out' : e.message.slice(0, 60)}`);
  }
  if (res.status !== 200) throw new Error(`statement download from ${where}: HTTP ${res.status}`);
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (res.body) {
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > max) {
        await reader.cancel().catch(() => undefined);
        throw new Error(`statement download from ${where}: larger than ${max} bytes`);
      }
      chunks.push(value);
    }
  }
  return Buffer.concat(chunks);
}

/** The files of a ZIP archive by name (stored or deflated; each entry's CRC-32 checked). Throws on anything else. */
export function readZip(zip: Buffer): Map<string, Buffer> {
  const EOCD = 0x06054b50;
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65_535); i--) {
    if (zip.readUInt32LE(i) === EOCD) { eocd = i; break; }
  }
  if (eocd < 0) throw new Error('not a ZIP archive (no end of central directory)');
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  const files = new Map<string, Buffer>();
  for (let n = 0; n < count; n++) {
    if (p + 46 > zip.length || zip.readUInt32LE(p) !== 0x02014b50) throw new Error('ZIP central directory is damaged');
    const flags = zip.readUInt16LE(p + 8);
    const method = zip.readUInt16LE(p + 10);
    const crc = zip.readUInt32LE(p + 16);
    const compressed = zip.readUInt32LE(p + 20);
    const size = zip.readUInt32LE(p + 24);
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    const local = zip.readUInt32LE(p + 42);
    const nameBytes = zip.subarray(p + 46, p + 46 + nameLen);
    // Bit 11: the name is UTF-8; otherwise it is in the archiver's code page (GBK for Chinese names).
    const name = (flags & 0x800) !== 0 ? nameBytes.toString('utf8') : decodeText(nameBytes);
    p += 46 + nameLen + extraLen + commentLen;
    if (name.endsWith('/')) continue;
    if (zip.readUInt32LE(local) !== 0x04034b50) throw new Error(`ZIP entry ${name}: no local header`);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(start, start + compressed);
    if (raw.length !== compressed) throw new Error(`ZIP entry ${name} is truncated`);
    if (size > MAX_STATEMENT_BYTES) throw new Error(`ZIP entry ${name} is larger than ${MAX_STATEMENT_BYTES} bytes`);
    const data = method === 0 ? Buffer.from(raw) : method === 8 ? inflateRawSync(raw, { maxOutputLength: MAX_STATEMENT_BYTES }) : null;
    if (!data) throw new Error(`ZIP entry ${name}: compression method ${method} is not supported`);
    if (data.length !== size || crc32(data) !== crc) throw new Error(`ZIP entry ${name}: CRC or size does not match`);
    files.set(name, data);
  }
  return files;
}

/** Text that is UTF-8 (a BOM is dropped) or else GBK (what Chinese channels' CSV files often are). */
export function decodeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    return new TextDecoder('gbk').decode(bytes);
  }
}

/** One CSV line's fields (double quotes and "" inside them understood), untrimmed. */
export function csvFields(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field.trim() === '') { quoted = true; field = ''; }
    else if (c === ',') { out.push(field); field = ''; }
    else field += c;
  }
  out.push(field);
  return out;
}

/** A yuan amount with an optional sign and at most two decimals ("-0.50", "12.3") as integer fen, or null. */
export function signedYuanToFen(text: string): number | null {
  const m = /^([+-])?(\d{1,13})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!m) return null;
  const fen = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return m[1] === '-' ? -fen : fen;
}

/** `yyyy-MM-dd HH:mm:ss` in Asia/Shanghai → epoch ms, or null. */
export function shanghaiTimeToMs(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s) - 8 * 3_600_000;
}

/** A statement that cannot be read: names the line and the rule (never the line's content beyond its number). */
export class StatementFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StatementFormatError';
  }
}

/**
 * A channel's statement of a day over all the accounts it has (the platform's and merchants' own, each once by `key`):
 * each account's statement downloaded in turn, lines together.
 */
export async function statementOfAccounts<A, L>(accounts: readonly (A | null)[], key: (a: A) => string, download: (a: A) => Promise<L[]>): Promise<L[]> {
  const seen = new Set<string>();
  const lines: L[] = [];
  for (const a of accounts) {
    if (a === null || seen.has(key(a))) continue;
    seen.add(key(a));
    lines.push(...await download(a));
  }
  return lines;
}
