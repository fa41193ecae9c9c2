import { readFileSync } from 'node:fs';
import type { AppConfig } from './index';

/**
 * Connection options for a Temporal server: the local dev server by default, or a remote cluster / Temporal Cloud
 * (TLS with a client certificate, or an API key) from TEMPORAL_* variables. Shared by the API's client and the worker.
 */
export function temporalConnectionOptions(cfg: AppConfig['temporal']) {
  const tls = cfg.tls
    ? cfg.tlsCertPath && cfg.tlsKeyPath
      ? { clientCertPair: { crt: readFileSync(cfg.tlsCertPath), key: readFileSync(cfg.tlsKeyPath) } }
      : true
    : false;
  return {
    address: cfg.address,
    tls,
    ...(cfg.apiKey ? { apiKey: cfg.apiKey } : {}),
  };
}
