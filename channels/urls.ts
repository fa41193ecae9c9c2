import type { ChannelName } from '../domain/channels';

/**
 * Where the API serves a QR image of an order's codeUrl (any channel): GET /qr/:orderId.svg?k=<token>. The token
 * (secrets/link-token.ts, purpose QR_LINK) is what makes the image the order's own: an orderId alone gets 404.
 */
export const QR_LINK = 'qr';
export const qrImagePath = (orderId: string, token: string) => `/qr/${encodeURIComponent(orderId)}.svg?k=${encodeURIComponent(token)}`;
export const qrImageUrl = (publicBaseUrl: string, orderId: string, token: string) => `${publicBaseUrl}${qrImagePath(orderId, token)}`;

/** Where a channel posts its asynchronous notifications: POST /channels/:channel/notify. */
export const channelNotifyPath = (channel: ChannelName) => `/channels/${channel}/notify`;
export const channelNotifyUrl = (publicBaseUrl: string, channel: ChannelName) => `${publicBaseUrl}${channelNotifyPath(channel)}`;
