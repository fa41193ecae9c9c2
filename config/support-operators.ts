import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Named support credentials (SUPPORT_OPERATORS): one bearer token per operator, `name:token[,name:token…]`. The
 * name is what every audit record of a support action carries as its actor; the token is a secret (never logged,
 * never echoed in an error). Names and tokens are unique, so a token always names exactly one person.
 */
export interface SupportOperator {
  /** 1 to 64 of a-z 0-9 . _ - (an audit actor). */
  name: string;
  /** 16 to 256 visible ASCII characters other than a comma (the entry separator). Secret. */
  token: string;
}

export const OPERATOR_NAME = /^[a-z0-9._-]{1,64}$/;
export const OPERATOR_TOKEN = /^[\x21-\x2b\x2d-\x7e]{16,256}$/;

/** Parses SUPPORT_OPERATORS; unset or empty = no operator (the support API then answers 503 not_configured). */
export function parseSupportOperators(text: string | undefined): SupportOperator[] {
  const entries = (text ?? '').split(',').map((e) => e.trim()).filter((e) => e.length > 0);
  const operators: SupportOperator[] = [];
  for (const [i, entry] of entries.entries()) {
    const sep = entry.indexOf(':');
    if (sep < 0) throw new Error(`entry #${i + 1} must be <name>:<token>`);
    const name = entry.slice(0, sep);
    const token = entry.slice(sep + 1);
    if (!OPERATOR_NAME.test(name)) throw new Error(`entry #${i + 1}: the operator name must be 1 to 64 of a-z 0-9 . _ -`);
    if (!OPERATOR_TOKEN.test(token)) {
      throw new Error(`operator ${name}: the token must be 16 to 256 visible ASCII characters other than a comma`);
    }
    if (operators.some((o) => o.name === name)) throw new Error(`operator ${name} is listed twice`);
    const sameToken = operators.find((o) => o.token === token);
    if (sameToken) throw new Error(`operators ${sameToken.name} and ${name} have the same token: each operator needs their own`);
    operators.push({ name, token });
  }
  return operators;
}

/**
 * The operator a presented token belongs to, or undefined. Tokens are compared as SHA-256 digests with
 * timingSafeEqual against every operator (no early exit), so neither the length nor the content of a token leaks
 * through timing. Used by the support API's bearer check and the console's sign-in.
 */
export function operatorMatcher(operators: readonly SupportOperator[]): (token: string) => string | undefined {
  const digest = (token: string) => createHash('sha256').update(token, 'utf8').digest();
  const accepted = operators.map((o) => ({ name: o.name, digest: digest(o.token) }));
  return (token) => {
    const presented = digest(token);
    let operator: string | undefined;
    for (const a of accepted) {
      const equal = timingSafeEqual(a.digest, presented);
      if (equal && operator === undefined) operator = a.name;
    }
    return operator;
  };
}
