import { describe, expect, it } from 'vitest';
import { emptyKeyring, parseMasterKeys } from '../../secrets/keyring';
import { isQrImageToken, LINK_TOKEN, qrImageToken } from '../../secrets/link-tokens';
import { qrImageUrl } from '../../channels/urls';

const k1 = `k1:${Buffer.alloc(32, 1).toString('base64')}`;
const k2 = `k2:${Buffer.alloc(32, 2).toString('base64')}`;
const ORDER = '2024061812582900001378';

describe('QR image link tokens', () => {
  it('are 22 base64url characters, the same for the same order and key, different per order and per key', () => {
    const ring = parseMasterKeys(k1);
    const token = qrImageToken(ring, ORDER);
    expect(token).toMatch(LINK_TOKEN);
    expect(qrImageToken(parseMasterKeys(k1), ORDER)).toBe(token);
    expect(qrImageToken(ring, '2024061812582900001379')).not.toBe(token);
    expect(qrImageToken(parseMasterKeys(k2), ORDER)).not.toBe(token);
    expect(qrImageUrl('https://pay.example', ring, ORDER)).toBe(`https://pay.example/qr/${ORDER}/${token}.svg`);
  });

  it('verify for their order only, and nothing that is not a token', () => {
    const ring = parseMasterKeys(k1);
    const token = qrImageToken(ring, ORDER);
    expect(isQrImageToken(ring, ORDER, token)).toBe(true);
    expect(isQrImageToken(ring, '2024061812582900001379', token)).toBe(false);
    for (const bad of ['', ORDER, `${token}=`, token.slice(1), token.toLowerCase() === token ? token.toUpperCase() : token.toLowerCase()]) {
      expect(isQrImageToken(ring, ORDER, bad), bad).toBe(false);
    }
  });

  it('keep verifying after a re-key while the old master key stays listed; the new first key issues', () => {
    const old = qrImageToken(parseMasterKeys(k1), ORDER);
    const rekeyed = parseMasterKeys(`${k2},${k1}`);
    expect(isQrImageToken(rekeyed, ORDER, old)).toBe(true);
    expect(qrImageToken(rekeyed, ORDER)).toBe(qrImageToken(parseMasterKeys(k2), ORDER));
    expect(isQrImageToken(parseMasterKeys(k2), ORDER, old)).toBe(false);
  });

  it('without master keys (development only) use a development key that master-keyed deployments never accept', () => {
    const dev = qrImageToken(emptyKeyring(), ORDER);
    expect(isQrImageToken(emptyKeyring(), ORDER, dev)).toBe(true);
    expect(isQrImageToken(parseMasterKeys(k1), ORDER, dev)).toBe(false);
  });
});
