/**
 * Fault switches of the Alipay emulator, set by tests and the demo (POST /_emulator/faults or `controls.faults`).
 *   gateway: the next `times` calls of `method` (or of any method) answer as `kind` says —
 *     system_error: 40004 ACQ.SYSTEM_ERROR; unavailable: 20000; timeout: no answer for `delayMs`;
 *     bad_signature: a correct answer with a wrong signature; declined: 40006 isv.insufficient-isv-permissions (a
 *     definite refusal: nothing created); no_fund_change: alipay.trade.refund makes the refund but its answer has no
 *     fund_change (which does not prove the money moved).
 *   notify: how payment notifications go out — missing: never sent; duplicate: two copies; lateMs: the first one
 *     waits this long; bad_signature: signed wrongly (every attempt).
 */
export type GatewayFaultKind = 'system_error' | 'unavailable' | 'timeout' | 'bad_signature' | 'declined' | 'no_fund_change';

export interface GatewayFault {
  kind: GatewayFaultKind;
  method?: string;
  times: number;
  delayMs?: number;
}

export interface NotifyFaults {
  missing: boolean;
  duplicate: boolean;
  lateMs: number;
  badSignature: boolean;
}

export interface Faults {
  gateway: GatewayFault[];
  notify: NotifyFaults;
}

export const noFaults = (): Faults => ({ gateway: [], notify: { missing: false, duplicate: false, lateMs: 0, badSignature: false } });

/** Takes one use of the first gateway fault for `method`, if any. */
export function takeGatewayFault(f: Faults, method: string): GatewayFault | null {
  const i = f.gateway.findIndex((g) => g.times > 0 && (g.method === undefined || g.method === method));
  if (i < 0) return null;
  const fault = f.gateway[i]!;
  fault.times--;
  if (fault.times <= 0) f.gateway.splice(i, 1);
  return fault;
}
