import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { operatorMatcher, type SupportOperator } from '../config/support-operators';

/**
 * The console's sign-in, stateless: the session cookie is `name.expiresMs.nonce.mac`, the MAC an HMAC-SHA256 under a
 * key derived from that operator's own token. Any API process with the same SUPPORT_OPERATORS accepts it, and
 * changing an operator's token ends that operator's sessions. The form token (CSRF) is a second MAC over the same
 * nonce, so it is bound to the session; it is compared in constant time.
 */
export const SESSION_COOKIE = 'pd_console';
export const SESSION_TTL_MS = 8 * 60 * 60_000;

export interface ConsoleSession {
  operator: string;
  expiresMs: number;
  /** The form token every state-changing form of this session carries. */
  csrf: string;
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest();
const mac = (key: Buffer, text: string) => createHmac('sha256', key).update(text, 'utf8').digest('base64url');
const sameText = (a: string, b: string) => {
  const da = sha256(a);
  const db = sha256(b);
  return timingSafeEqual(da, db);
};

export function consoleSessions(operators: readonly SupportOperator[], now: () => number = Date.now) {
  const keys = new Map(operators.map((o) => [o.name, { session: sha256(`console-session\0${o.token}`) }]));
  const operatorOfToken = operatorMatcher(operators);
  const csrfOf = (key: Buffer, nonce: string) => mac(key, `csrf\0${nonce}`);

  return {
    /** The operator whose token this is (constant time: operatorMatcher), or null. */
    operatorByToken: (token: string): string | null => operatorOfToken(token) ?? null,

    /** A new session of `operator`: the cookie value and the session it stands for. */
    issue(operator: string): { cookie: string; session: ConsoleSession } {
      const k = keys.get(operator);
      if (!k) throw new Error(`no operator ${operator}`);
      const expiresMs = now() + SESSION_TTL_MS;
      const nonce = randomBytes(16).toString('base64url');
      const body = `${operator}.${expiresMs}.${nonce}`;
      return { cookie: `${body}.${mac(k.session, body)}`, session: { operator, expiresMs, csrf: csrfOf(k.session, nonce) } };
    },

    /** The session a cookie value stands for, or null (malformed, forged, expired, or its operator is gone). */
    verify(cookie: string | undefined): ConsoleSession | null {
      const m = /^([a-z0-9._-]{1,64})\.(\d{1,15})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/.exec(cookie ?? '');
      if (!m) return null;
      const [, operator, expires, nonce, presented] = m as unknown as [string, string, string, string, string];
      const k = keys.get(operator);
      if (!k || !sameText(mac(k.session, `${operator}.${expires}.${nonce}`), presented)) return null;
      const expiresMs = Number(expires);
      if (expiresMs <= now()) return null;
      return { operator, expiresMs, csrf: csrfOf(k.session, nonce) };
    },

    /** Whether a submitted form token is this session's. */
    csrfMatches(session: ConsoleSession, presented: unknown): boolean {
      return typeof presented === 'string' && presented.length > 0 && presented.length <= 128 && sameText(session.csrf, presented);
    },
  };
}
export type ConsoleSessions = ReturnType<typeof consoleSessions>;
