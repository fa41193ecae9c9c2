import type { ChannelName } from './types';
import type { Keyring } from '../secrets/keyring';
import { qrImageToken } from '../secrets/link-tokens';

/**
 * Where the API serves a QR image of an order's codeUrl (any channel): GET /qr/:orderId/:token.svg. The token is an
 * HMAC of the orderId under a key derived from the master keys (secrets/link-tokens.ts): an orderId alone opens nothing.
 */
export const qrImagePath = (orderId: string, token: string) => `/qr/${encodeURIComponent(orderId)}/${token}.svg`;
export const qrImageUrl = (publicBaseUrl: string, keyring: Keyring, orderId: string) =>
  `${publicBaseUrl}${qrImagePath(orderId, qrImageToken(keyring, orderId))}`;

/** Where a channel posts its asynchronous notifications: POST /channels/:channel/notify. */
export const channelNotifyPath = (channel: ChannelName) => `/channels/${channel}/notify`;
export const channelNotifyUrl = (publicBaseUrl: string, channel: ChannelName) => `${publicBaseUrl}${channelNotifyPath(channel)}`;
