/**
 * Fault switches of the emulator. Set them from tests (controls.setFaults) or over HTTP (POST /_emulator/faults with a
 * JSON patch); they apply to what happens next.
 */
export type ApiFuncode = 'WP001' | 'MQ002' | 'R001' | 'Q001';

export interface Faults {
  /** Answer this much later (the request is processed first: a slow IPayNow that did take the order). */
  delayMs: Record<ApiFuncode, number>;
  /** Answer HTTP 500 without processing the request. */
  http500: Record<ApiFuncode, boolean>;
  /**
   * Answer responseCode A003 (result unknown). WP001 still takes the order and R001 still makes the refund; MQ002 and
   * Q001 say nothing.
   */
  unknownResult: Record<ApiFuncode, boolean>;
  /** Sign with a wrong key: answers to WP001/MQ002, and/or N001 notifications. */
  badSignature: { answers: boolean; notify: boolean };
  /** Bodies as IPayNow sent them in 2016–17: `tradeStatus` instead of `transStatus`, signed with the OLD rule. */
  legacyFormat: boolean;
  notify: {
    /** 'never': a payment is not notified at all (only MQ002 finds it). */
    mode: 'push' | 'never';
    /** How many copies of each N001 are sent at once (each retried on its own until answered success=Y). */
    copies: number;
    /** Hold every N001 back this long (it then arrives after polling or expiry has settled the order: out of order). */
    delayMs: number;
    /** After the success N001 is acknowledged, also send a stale N001 of the earlier state (A004). */
    staleAfter: boolean;
  };
}

export type FaultsPatch = { [K in keyof Faults]?: Faults[K] extends object ? Partial<Faults[K]> : Faults[K] };

export function defaultFaults(): Faults {
  return {
    delayMs: { WP001: 0, MQ002: 0, R001: 0, Q001: 0 },
    http500: { WP001: false, MQ002: false, R001: false, Q001: false },
    unknownResult: { WP001: false, MQ002: false, R001: false, Q001: false },
    badSignature: { answers: false, notify: false },
    legacyFormat: false,
    notify: { mode: 'push', copies: 1, delayMs: 0, staleAfter: false },
  };
}

export function applyFaults(current: Faults, patch: FaultsPatch): Faults {
  return {
    delayMs: { ...current.delayMs, ...patch.delayMs },
    http500: { ...current.http500, ...patch.http500 },
    unknownResult: { ...current.unknownResult, ...patch.unknownResult },
    badSignature: { ...current.badSignature, ...patch.badSignature },
    legacyFormat: patch.legacyFormat ?? current.legacyFormat,
    notify: { ...current.notify, ...patch.notify },
  };
}
