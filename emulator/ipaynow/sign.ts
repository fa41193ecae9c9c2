import { createHash } from 'node:crypto';

/**
 * The emulator's own MD5 signing, written apart from the adapter's (channels/ipaynow/signing.ts) so that a mistake in
 * one shows up as a signature the other refuses. The rule, as IPayNow documents it: sort the signed fields by key
 * (byte order), leave out empty values, join `k=v` with `&` using raw values, append `&` + md5(appKey), md5 the
 * whole, lowercase hex. NEW signs everything but the signature itself; OLD also leaves out the sign type, and for
 * WP001 funcode and deviceType.
 */
export type EmulatorSignRule = 'NEW' | 'OLD';

const hexMd5 = (input: string): string => createHash('md5').update(Buffer.from(input, 'utf8')).digest('hex');

function leftOut(rule: EmulatorSignRule, funcode: string | undefined): readonly string[] {
  const always = ['signature', 'mhtSignature'];
  if (rule === 'NEW') return always;
  const old = [...always, 'signType', 'mhtSignType'];
  return funcode === 'WP001' ? [...old, 'funcode', 'deviceType'] : old;
}

export function emulatorSign(message: Readonly<Record<string, string>>, appKey: string, rule: EmulatorSignRule = 'NEW'): string {
  const skip = leftOut(rule, message.funcode);
  const pairs: [Buffer, string][] = [];
  for (const [key, value] of Object.entries(message)) {
    if (skip.includes(key) || value.length === 0) continue;
    pairs.push([Buffer.from(key, 'utf8'), `${key}=${value}`]);
  }
  pairs.sort((a, b) => Buffer.compare(a[0], b[0]));
  const text = pairs.reduce((acc, [, pair], i) => (i === 0 ? pair : `${acc}&${pair}`), '');
  return hexMd5(`${text}&${hexMd5(appKey)}`);
}

/** The rule a received signature matches (the emulator accepts both, as IPayNow does), or null. */
export function emulatorCheck(message: Readonly<Record<string, string>>, appKey: string, signature: string): EmulatorSignRule | null {
  const given = signature.toLowerCase();
  if (emulatorSign(message, appKey, 'NEW') === given) return 'NEW';
  if (emulatorSign(message, appKey, 'OLD') === given) return 'OLD';
  return null;
}
