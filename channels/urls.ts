import type { ChannelName } from './types';

/** Where the API serves a QR image of an order's codeUrl (any channel): GET /qr/:orderId.svg. */
export const qrImagePath = (orderId: string) => `/qr/${encodeURIComponent(orderId)}.svg`;
export const qrImageUrl = (publicBaseUrl: string, orderId: string) => `${publicBaseUrl}${qrImagePath(orderId)}`;

/** Where a channel posts its asynchronous notifications: POST /channels/:channel/notify. */
export const channelNotifyPath = (channel: ChannelName) => `/channels/${channel}/notify`;
export const channelNotifyUrl = (publicBaseUrl: string, channel: ChannelName) => `${publicBaseUrl}${channelNotifyPath(channel)}`;
