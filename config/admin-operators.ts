import { createHash, timingSafeEqual } from 'node:crypto';
import { OPERATOR_NAME, OPERATOR_TOKEN, type SupportOperator } from './support-operators';

/**
 * Named administration credentials (ADMIN_OPERATORS): the operators who may change merchants through the admin API
 * (/admin/v1: create and disable merchants, rotate their keys, set their notify schedule, sign types, routes, channel
 * accounts and limits). `name:token[,…]`, or `name:sha256:<64 hex>` with the SHA-256 of the token, so that the
 * environment need not hold the secret itself. The name is the actor of every admin audit row.
 *
 * Roles: an operator of ADMIN_OPERATORS has the `admin` role, which includes `support` (the support API accepts their
 * token too); an operator of SUPPORT_OPERATORS has `support` only and gets 403 forbidden on admin routes.
 */
export interface AdminOperator {
  /** 1 to 64 of a-z 0-9 . _ - (an audit actor). */
  name: string;
  /** SHA-256 of the token (given as such, or computed from the plaintext at boot). Secret-equivalent: never logged. */
  tokenSha256: Buffer;
}

export type OperatorRole = 'support' | 'admin';

const SHA256_HEX = /^sha256:([0-9a-fA-F]{64})$/;

export const tokenDigest = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/** Parses ADMIN_OPERATORS; unset or empty = no admin operator (the admin API then answers 503 not_configured). */
export function parseAdminOperators(text: string | undefined): AdminOperator[] {
  const entries = (text ?? '').split(',').map((e) => e.trim()).filter((e) => e.length > 0);
  const operators: AdminOperator[] = [];
  for (const [i, entry] of entries.entries()) {
    const sep = entry.indexOf(':');
    if (sep < 0) throw new Error(`entry #${i + 1} must be <name>:<token> or <name>:sha256:<64 hex digits>`);
    const name = entry.slice(0, sep);
    const secret = entry.slice(sep + 1);
    if (!OPERATOR_NAME.test(name)) throw new Error(`entry #${i + 1}: the operator name must be 1 to 64 of a-z 0-9 . _ -`);
    const hashed = SHA256_HEX.exec(secret);
    if (!hashed && secret.startsWith('sha256:')) throw new Error(`operator ${name}: sha256: must be followed by 64 hex digits (the SHA-256 of the token)`);
    if (!hashed && !OPERATOR_TOKEN.test(secret)) {
      throw new Error(`operator ${name}: the token must be 16 to 256 visible ASCII characters other than a comma, or sha256:<64 hex digits>`);
    }
    const tokenSha256 = hashed ? Buffer.from(hashed[1]!, 'hex') : tokenDigest(secret);
    if (operators.some((o) => o.name === name)) throw new Error(`operator ${name} is listed twice`);
    const sameToken = operators.find((o) => o.tokenSha256.equals(tokenSha256));
    if (sameToken) throw new Error(`operators ${sameToken.name} and ${name} have the same token: each operator needs their own`);
    operators.push({ name, tokenSha256 });
  }
  return operators;
}

/** A support operator whose token is also an admin operator's: refused at boot (each role its own token). */
export function sharedToken(support: readonly SupportOperator[], admins: readonly AdminOperator[]): { support: string; admin: string } | null {
  for (const s of support) {
    const digest = tokenDigest(s.token);
    const admin = admins.find((a) => a.tokenSha256.equals(digest));
    if (admin) return { support: s.name, admin: admin.name };
  }
  return null;
}

export interface AuthenticatedOperator {
  name: string;
  role: OperatorRole;
}

/**
 * The operator (and role) a presented token belongs to, or undefined: admin operators first, then support ones.
 * Every known digest is compared with timingSafeEqual (no early exit), so neither the length nor the content of a
 * token leaks through timing.
 */
export function roleMatcher(support: readonly SupportOperator[], admins: readonly AdminOperator[]): (token: string) => AuthenticatedOperator | undefined {
  const accepted: { name: string; role: OperatorRole; digest: Buffer }[] = [
    ...admins.map((a) => ({ name: a.name, role: 'admin' as const, digest: a.tokenSha256 })),
    ...support.map((s) => ({ name: s.name, role: 'support' as const, digest: tokenDigest(s.token) })),
  ];
  return (token) => {
    const presented = tokenDigest(token);
    let found: AuthenticatedOperator | undefined;
    for (const a of accepted) {
      const equal = timingSafeEqual(a.digest, presented);
      if (equal && found === undefined) found = { name: a.name, role: a.role };
    }
    return found;
  };
}
