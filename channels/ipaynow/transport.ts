import type { IpaynowAccount } from './accounts';
import { decodeForm, encodeForm, type FormFields } from './form';
import { ipaynowSign, ipaynowVerify, type SignRule } from './signing';

/** A verified answer of IPayNow, or why there is none we can trust (always: result unknown, ask again later). */
export type IpaynowAnswer =
  | { kind: 'answer'; fields: FormFields; signRule: SignRule }
  | { kind: 'unknown'; reason: string };

const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * Signs a request (NEW rule, `mhtSignature`), POSTs it as a form to the account's base URL and reads the form answer,
 * all within `timeoutMs`. Never throws for anything IPayNow or the network does: no answer in time, a refused
 * connection, an HTTP error, an unreadable, unsigned, forged or foreign answer are all `unknown` with a reason
 * (which never contains the key or the signature).
 */
export async function callIpaynow(
  account: IpaynowAccount,
  request: FormFields,
  opts: { timeoutMs: number; fetch?: typeof fetch; maxAnswerBytes?: number },
): Promise<IpaynowAnswer> {
  const body = encodeForm({ ...request, mhtSignature: ipaynowSign(request, account.appKey, 'new') });
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), opts.timeoutMs);
  let text: string;
  try {
    const res = await (opts.fetch ?? fetch)(account.baseUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8' },
      body,
      redirect: 'manual',
      signal: controller.signal,
    });
    text = await readLimited(res, opts.maxAnswerBytes ?? MAX_ANSWER_BYTES);
    if (res.status < 200 || res.status >= 300) return { kind: 'unknown', reason: `ipaynow answered HTTP ${res.status}` };
  } catch (err) {
    if (controller.signal.aborted) return { kind: 'unknown', reason: `ipaynow gave no answer within ${opts.timeoutMs} ms` };
    return { kind: 'unknown', reason: `ipaynow unreachable: ${describe(err)}` };
  } finally {
    clearTimeout(timer);
  }
  return verifyAnswer(text, account, request.funcode ?? '');
}

/** Checks an answer: a readable form, signed with the account's key, from the account's appId, for this funcode. */
export function verifyAnswer(text: string, account: IpaynowAccount, funcode: string): IpaynowAnswer {
  const decoded = decodeForm(text);
  if (!decoded.ok) return { kind: 'unknown', reason: `unreadable ipaynow answer (${decoded.reason})` };
  const fields = decoded.fields;
  if (!fields.signature) return { kind: 'unknown', reason: `unsigned ipaynow answer (responseCode ${fields.responseCode ?? '-'})` };
  const signRule = ipaynowVerify(fields, account.appKey, fields.signature);
  if (signRule === null) return { kind: 'unknown', reason: 'ipaynow answer signature does not verify' };
  if (fields.appId !== undefined && fields.appId !== account.appId) return { kind: 'unknown', reason: 'ipaynow answer for another appId' };
  if (fields.funcode !== undefined && fields.funcode !== funcode) return { kind: 'unknown', reason: `ipaynow answered ${fields.funcode} to ${funcode}` };
  return { kind: 'answer', fields, signRule };
}

async function readLimited(res: Response, max: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      break;
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

function describe(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.cause?.message ?? e.message ?? 'request failed';
}
