import { ALL_SIGN_TYPES, type SignType } from '../domain/signing';

/** `HMAC-SHA256-RAW,MD5` → the sign types, each one checked. */
export function parseSignTypes(text: string): SignType[] {
  const types = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  const bad = types.find((t) => !(ALL_SIGN_TYPES as readonly string[]).includes(t));
  if (bad !== undefined) throw new Error(`sign type ${bad} is not one of ${ALL_SIGN_TYPES.join(', ')}`);
  if (types.length === 0) throw new Error('name at least one sign type');
  return [...new Set(types)] as SignType[];
}
