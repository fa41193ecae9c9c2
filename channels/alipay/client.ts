import { AlipaySdk } from 'alipay-sdk';
import type { AlipayAccount } from './accounts';
import { meaningOfGatewayAnswer, type GatewayMeaning } from './codes';

/**
 * The client side of OpenAPI v2 (gateway.do), through the official `alipay-sdk`: it signs requests (SHA256withRSA over
 * the sorted parameters, sign_type included) and verifies each answer over its raw `*_response` substring with
 * Alipay's public key. One SDK instance per application.
 */
export interface AlipayClient {
  /** A server-side call: its answer, or unknown (timeout, network, an answer that does not verify or parse). */
  call(method: string, bizContent: Record<string, unknown>, extra?: Record<string, string>): Promise<GatewayAnswer>;
  /** A pay page link (GET) or an auto-submitting form (POST) for the payer's browser. */
  pageLink(method: string, httpMethod: 'GET' | 'POST', bizContent: Record<string, unknown>, extra: Record<string, string>): string;
  /** The signed order string an app hands to the Alipay app. */
  orderString(method: string, bizContent: Record<string, unknown>, extra: Record<string, string>): string;
  /** Verifies a signature with Alipay's public key over `content` (SHA256withRSA). */
  verify(content: string, sign: string): boolean;
}

export type GatewayAnswer =
  | { kind: 'answer'; meaning: GatewayMeaning; code: string; subCode?: string; body: Record<string, unknown> }
  | { kind: 'unknown'; reason: string };

const clients = new Map<string, AlipaySdk>();

function sdkFor(account: AlipayAccount, timeoutMs: number): AlipaySdk {
  const key = `${account.appId}\u0000${account.gatewayUrl}\u0000${timeoutMs}\u0000${account.privateKey}\u0000${account.alipayPublicKey}`;
  let sdk = clients.get(key);
  if (!sdk) {
    sdk = new AlipaySdk({
      appId: account.appId,
      privateKey: account.privateKey,
      keyType: account.privateKey.includes('BEGIN RSA PRIVATE KEY') ? 'PKCS1' : 'PKCS8',
      alipayPublicKey: account.alipayPublicKey,
      gateway: account.gatewayUrl,
      signType: 'RSA2',
      timeout: timeoutMs,
      camelcase: false,
    });
    if (clients.size > 1000) clients.clear();
    clients.set(key, sdk);
  }
  return sdk;
}

export function alipayClient(account: AlipayAccount, timeoutMs: number): AlipayClient {
  const sdk = sdkFor(account, timeoutMs);
  return {
    async call(method, bizContent, extra = {}) {
      try {
        const body = await sdk.exec(method, { bizContent, ...extra }, { validateSign: true });
        const code = typeof body.code === 'string' ? body.code : '';
        const subCode = typeof body.sub_code === 'string' ? body.sub_code : undefined;
        return { kind: 'answer', meaning: meaningOfGatewayAnswer(code, subCode), code, ...(subCode ? { subCode } : {}), body };
      } catch (err) {
        // Timeouts, network errors, HTTP errors, unreadable or unverifiable answers: the result is not known. The
        // SDK's messages can quote the answer: keep only the first words.
        return { kind: 'unknown', reason: `alipay ${method}: ${String((err as Error).message).slice(0, 60)}` };
      }
    },
    pageLink: (method, httpMethod, bizContent, extra) => sdk.pageExecute(method, httpMethod, { bizContent, ...extra }),
    orderString: (method, bizContent, extra) => sdk.sdkExecute(method, { bizContent, ...extra }),
    verify: (content, sign) => {
      try {
        return sdk.rsaCheck(content, sign, 'RSA2');
      } catch {
        return false;
      }
    },
  };
}
