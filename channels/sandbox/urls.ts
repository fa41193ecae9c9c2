export const cashierPath = (channelOrderNo: string) => `/sandbox/cashier/${encodeURIComponent(channelOrderNo)}`;
export const cashierUrl = (publicBaseUrl: string, channelOrderNo: string) => `${publicBaseUrl}${cashierPath(channelOrderNo)}`;
