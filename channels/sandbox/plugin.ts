import type { ChannelPlugin } from '../plugin';
import { createSandboxChannel } from './index';
import { sandboxCashierRoutes } from './cashier';
import { startReportDispatcher } from './report-dispatcher';
import { loadSandboxSettings, type SandboxSettings } from './settings';
import { parseSandboxStatement, sandboxStatementFile } from './statement';

/**
 * The sandbox: a pretend channel inside the platform for test-mode orders. Its own settings say how it answers refunds
 * (SANDBOX_REFUND_MODE, SANDBOX_REFUND_DELAY; settings.ts) beside the core's SANDBOX_ENABLED and SANDBOX_REPORT_SCHEDULE; no accounts, no callbacks from outside: its payer pages (the cashier,
 * mounted only where the sandbox is enabled) report payments through its outbox, which the worker retries.
 */
export const sandboxPlugin: ChannelPlugin<SandboxSettings, 'sandbox'> = {
  name: 'sandbox',
  loadSettings: loadSandboxSettings,
  servesWithoutAccount: () => true,
  build(settings, deps) {
    const { pool, config, log } = deps;
    return {
      outbound: createSandboxChannel({ pool, publicBaseUrl: config.api.publicBaseUrl, settings }),
      statement: async (date) => parseSandboxStatement(await sandboxStatementFile(pool, date)),
      ...(config.channels.sandboxEnabled ? { payerRoutes: (handOver) => sandboxCashierRoutes({ ...deps, ...handOver }) } : {}),
      // The sandbox's callback retries: payment reports its outbox still holds.
      startBackground: ({ deliver }) => startReportDispatcher({
        pool, log, scheduleMs: config.channels.sandboxReportScheduleMs, reportTimeoutMs: config.channels.reportTimeoutMs, deliver,
      }),
    };
  },
};
