import { rotateMerchantKey } from '../db/merchant-keys';
import type { Mode } from '../domain/mode';
import { changeMerchant, type MerchantAdminEnv } from './admin-change';

export interface RotatedKey {
  mercNo: string;
  mode: Mode;
  keyId: string;
  /** The new key: in this answer once, never again (stored sealed; never logged). */
  key: string;
  /** Until when the keys it replaced still verify (ISO time); equal to now for an overlap of 0 (revoked). */
  previousKeysVerifyUntil: string;
}

/**
 * Rotates a merchant's key of one mode: a new key becomes current, and the current keys of that mode keep verifying
 * for `overlapMs` (0 = revoked at once). Audited as key.rotate with the mode, the new key's id and the overlap.
 */
export function rotateKey(env: MerchantAdminEnv, mercNo: string, mode: Mode, overlapMs: number, actor: string, nowMs: number): Promise<RotatedKey> {
  return changeMerchant(env, mercNo, actor, 'key.rotate', async (tx) => {
    const key = await rotateMerchantKey(tx, env.keyring, mercNo, mode, overlapMs);
    return {
      detail: { mode, keyId: key.keyId, overlapMs },
      result: { mercNo, mode, keyId: key.keyId, key: key.secret, previousKeysVerifyUntil: new Date(nowMs + overlapMs).toISOString() },
    };
  });
}
