import type { AppConfig } from './index';

/** What a starting process says about its deployment mode (logged once at start; never a secret). */
export function deploymentSummary(config: AppConfig): Record<string, unknown> {
  return {
    env: config.env,
    sandbox: config.channels.sandboxEnabled ? 'on (test-mode orders)' : 'off',
    defaultLiveChannel: config.channels.defaultLiveChannel ?? 'none',
    keysAtRest: config.secrets.keyring.current ? `sealed (master key ${config.secrets.keyring.current.id})` : 'plaintext (no MASTER_KEYS)',
    notifyPrivateAddresses: config.notify.allowPrivateAddresses ? 'allowed' : 'refused',
    qrImageLinks: config.secrets.keyring.current
      ? `signed per order (key derived from master key ${config.secrets.keyring.current.id})`
      : 'development key (no MASTER_KEYS): QR links are guessable',
  };
}
