import { formatCompactTime } from './time';

/**
 * Platform order number (orderId, at most 32 characters in the seed's interface): `yyyyMMddHHmm` (CST) of its
 * creation + 64 random bits as 20 decimal digits. Assigned once, before the order's workflow starts, and carried in
 * its input: a workflow task that runs again yields the same order. 64 bits make a collision at 1,000 orders per
 * second a once-in-hundreds-of-years event, and the read model refuses one loudly if it happens.
 */
export function newOrderId(nowMs: number, random64: bigint): string {
  if (random64 < 0n || random64 >= 1n << 64n) throw new RangeError('random64 must be a 64-bit unsigned integer');
  return `${formatCompactTime(nowMs).slice(0, 12)}${random64.toString().padStart(20, '0')}`;
}

export const ORDER_ID_PATTERN = /^\d{32}$/;
