export interface PostAnswer {
  /** 2xx status (redirects are not followed and count as failure). */
  ok: boolean;
  httpStatus: number | null;
  /** The answer body, at most 1 KiB of it; '' when there was none. */
  body: string;
  latencyMs: number;
  error: string | null;
}

const MAX_BODY = 1024;

/**
 * POSTs JSON and reads at most 1 KiB of the answer, all within `timeoutMs`. Never throws for anything the receiver
 * does (refused, reset, slow, 3xx/5xx, HTML): the outcome is in the answer.
 */
export async function postNotification(
  url: string,
  body: Record<string, unknown>,
  opts: { timeoutMs: number; headers: Record<string, string> },
): Promise<PostAnswer> {
  const started = performance.now();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no answer within ${opts.timeoutMs} ms`)), opts.timeoutMs);
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json; charset=utf-8', ...opts.headers },
      body: JSON.stringify(body),
      redirect: 'manual',
      signal: controller.signal,
    });
    const text = await readLimited(res);
    const ok = res.status >= 200 && res.status < 300;
    return { ok, httpStatus: res.status, body: text, latencyMs: elapsed(), error: ok ? null : `HTTP ${res.status}` };
  } catch (err) {
    const reason = controller.signal.aborted ? String((controller.signal.reason as Error)?.message ?? 'timeout') : describe(err);
    return { ok: false, httpStatus: null, body: '', latencyMs: elapsed(), error: reason };
  } finally {
    clearTimeout(timer);
  }
}

async function readLimited(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < MAX_BODY) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  await reader.cancel().catch(() => undefined);
  return Buffer.concat(chunks).toString('utf8').slice(0, MAX_BODY);
}

function describe(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.cause?.message ?? e.message ?? 'request failed';
}
