import { readFileSync } from 'node:fs';
import { ConfigError, type AppConfig } from './index';

/**
 * Connection options for a Temporal server: the local dev server by default, or a remote cluster / Temporal Cloud
 * (TLS with a client certificate, or an API key) from TEMPORAL_* variables. Shared by the API's client and the worker.
 */
export function temporalConnectionOptions(cfg: AppConfig['temporal']) {
  const tls = cfg.tls
    ? {
      ...(cfg.tlsCertPath && cfg.tlsKeyPath
        ? { clientCertPair: { crt: readPem('TEMPORAL_TLS_CERT_PATH', cfg.tlsCertPath), key: readPem('TEMPORAL_TLS_KEY_PATH', cfg.tlsKeyPath) } }
        : {}),
      ...(cfg.tlsCaPath ? { serverRootCACertificate: readPem('TEMPORAL_TLS_CA_PATH', cfg.tlsCaPath) } : {}),
      ...(cfg.tlsServerName ? { serverNameOverride: cfg.tlsServerName } : {}),
    }
    : false;
  return {
    address: cfg.address,
    tls,
    ...(cfg.apiKey ? { apiKey: cfg.apiKey } : {}),
  };
}

/** Reads a PEM file named by a variable; a missing or unreadable file stops the process naming the variable. */
function readPem(variable: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError(`invalid configuration:\n  ${variable}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}
