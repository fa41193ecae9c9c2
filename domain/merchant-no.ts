/**
 * A merchant number: letters, digits, `_` and `-`, at most 32 characters. No `:` (workflow ids join mercNo and
 * mercOrderNo with `:`, so a colon could make two merchants' orders collide), no spaces or control characters.
 */
export const MERC_NO_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/** Why `mercNo` is not a merchant number (completing "mercNo …"), or null when it is one. */
export function mercNoProblem(mercNo: string): string | null {
  if (mercNo.length > 32) return 'must be at most 32 characters';
  if (!MERC_NO_PATTERN.test(mercNo)) return 'must be letters, digits, _ or - only';
  return null;
}
