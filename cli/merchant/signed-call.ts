import { parseSignatureHeader, rawSignatureMatches, signatureHeaderValue, SIGNATURE_HEADER } from '../../domain/raw-signature';
import { RAW_SIGN_TYPE, sign, verifySignature, type FieldSignType, type SignType } from '../../domain/signing';

/** Who the CLI is: the merchant number, the key it signs with and the API it calls. */
export interface MerchantCredentials {
  mercNo: string;
  key: string;
  apiUrl: string;
}

export interface SignedAnswer {
  httpStatus: number;
  body: Record<string, string>;
  /** The answer's signature: verified with the key, INVALID, or absent (an unauthenticated request's answer). */
  signature: 'verified' | 'invalid' | 'absent';
}

/**
 * One signed merchant API request: the field form (MD5, HMAC-SHA256: `signType` and `signature` in the body) or the
 * raw-body form (HMAC-SHA256-RAW: the Paydurable-Signature header over the exact body, signed when it is sent). The
 * answer's signature is checked in the same form.
 */
export async function signedCall(c: MerchantCredentials, path: string, fields: Record<string, string>, signType: SignType = 'MD5'): Promise<SignedAnswer> {
  let text: string;
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (signType === RAW_SIGN_TYPE) {
    text = JSON.stringify({ ...fields, mercNo: c.mercNo });
    headers[SIGNATURE_HEADER] = signatureHeaderValue([c.key], Math.floor(Date.now() / 1000), text);
  } else {
    const payload = { ...fields, mercNo: c.mercNo, signType };
    text = JSON.stringify({ ...payload, signature: sign(payload, c.key, signType) });
  }
  const res = await fetch(`${c.apiUrl}${path}`, { method: 'POST', headers, body: text });
  const answerText = await res.text();
  let body: Record<string, string>;
  try {
    body = JSON.parse(answerText) as Record<string, string>;
  } catch {
    throw new Error(`${path}: HTTP ${res.status}, the answer is not JSON`);
  }
  return { httpStatus: res.status, body, signature: answerSignature(c.key, signType, res.headers.get(SIGNATURE_HEADER), answerText, body) };
}

function answerSignature(key: string, signType: SignType, header: string | null, text: string, body: Record<string, string>): SignedAnswer['signature'] {
  if (signType === RAW_SIGN_TYPE) {
    if (header === null) return 'absent';
    const parsed = parseSignatureHeader(header);
    return typeof parsed !== 'string' && rawSignatureMatches(key, parsed, text) ? 'verified' : 'invalid';
  }
  if (!body.signature) return 'absent';
  return verifySignature(body, key, signType as FieldSignType, body.signature) ? 'verified' : 'invalid';
}
