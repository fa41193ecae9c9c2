import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ActivityMetrics, CircuitMetrics } from './hooks';
import { METRIC_PREFIX, newRegistry } from './registry';

/** Every metric of the worker role, and the hooks the activities report through. */
export interface WorkerMetrics {
  registry: Registry;
  activities: ActivityMetrics;
  circuits: CircuitMetrics;
  /** A refund recorded but never started, started by the workers' recovery (refunds/start-recovery.ts). */
  refundStartRecovered: () => void;
  /** Reconciliation: a day's run ended (status done, failed or unsupported). */
  reconRunFinished(channel: string, status: string): void;
  /** A payout accepted but never started, started by the workers' recovery (payouts/start-recovery.ts). */
  payoutStartRecovered: () => void;
}

/** The value of paydurable_channel_circuit_state for each state. */
export const CIRCUIT_STATE_VALUES = { closed: 0, half_open: 1, open: 2 } as const;

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function createWorkerMetrics(): WorkerMetrics {
  const registry = newRegistry();
  const registers = [registry];
  const transitions = new Counter({
    name: `${METRIC_PREFIX}order_transitions_total`,
    help: 'Order pay-status changes written to the read model, by previous status, new status and channel',
    labelNames: ['from', 'to', 'channel'] as const,
    registers,
  });
  const notifyAttempts = new Counter({
    name: `${METRIC_PREFIX}notify_attempts_total`,
    help: 'Merchant notification delivery attempts by outcome (success = the merchant answered "success")',
    labelNames: ['outcome'] as const,
    registers,
  });
  const notifyLatency = new Histogram({
    name: `${METRIC_PREFIX}notify_delivery_duration_seconds`,
    help: 'Time from sending a merchant notification to its answer, refusal or timeout, by outcome',
    labelNames: ['outcome'] as const,
    buckets: SECONDS,
    registers,
  });
  const channelCalls = new Histogram({
    name: `${METRIC_PREFIX}channel_call_duration_seconds`,
    help: 'Duration of calls to the payment channels by channel, operation and closed-union result',
    labelNames: ['channel', 'op', 'result'] as const,
    buckets: SECONDS,
    registers,
  });
  const escalations = new Counter({
    name: `${METRIC_PREFIX}order_escalations_total`,
    help: 'Orders sent to the human queue (support "ambiguous"), by kind: unknown_result, amount_mismatch',
    labelNames: ['kind'] as const,
    registers,
  });
  const failovers = new Counter({
    name: `${METRIC_PREFIX}channel_failovers_total`,
    help: 'Orders moved to the next channel of their route, by channel left, channel taken and the create result that moved them (DECLINED, UNSUPPORTED, UNAVAILABLE = circuit open)',
    labelNames: ['from', 'to', 'result'] as const,
    registers,
  });
  const circuitState = new Gauge({
    name: `${METRIC_PREFIX}channel_circuit_state`,
    help: "State of this worker's circuit breaker per channel: 0 closed, 1 half-open (a probe is out), 2 open (calls paused)",
    labelNames: ['channel'] as const,
    registers,
  });
  const circuitTransitions = new Counter({
    name: `${METRIC_PREFIX}channel_circuit_transitions_total`,
    help: 'Circuit breaker state changes per channel, by the state entered',
    labelNames: ['channel', 'to'] as const,
    registers,
  });
  const circuitRefusals = new Counter({
    name: `${METRIC_PREFIX}channel_circuit_refusals_total`,
    help: 'Channel calls not made because the channel circuit was open, by channel and operation (create, query, close, poll)',
    labelNames: ['channel', 'op'] as const,
    registers,
  });
  const endpointPauses = new Counter({
    name: `${METRIC_PREFIX}notify_endpoint_pauses_total`,
    help: 'Merchant notify endpoints paused for failing continuously past NOTIFY_ENDPOINT_PAUSE_AFTER (support resumes them)',
    registers,
  });
  const refundStartRecoveries = new Counter({
    name: `${METRIC_PREFIX}refund_start_recoveries_total`,
    help: 'Refunds recorded by the API but never started (API killed or Temporal unreachable in between) whose workflow the workers started',
    registers,
  });
  const reconRuns = new Counter({
    name: `${METRIC_PREFIX}recon_runs_total`,
    help: 'Reconciliation runs (one channel, one day) ended, by channel and status: done, failed (no statement after RECON_RETRY_SCHEDULE: alert on it), unsupported',
    labelNames: ['channel', 'status'] as const,
    registers,
  });
  const payoutStartRecoveries = new Counter({
    name: `${METRIC_PREFIX}payout_start_recoveries_total`,
    help: 'Payouts accepted by the API but never started (API killed or Temporal unreachable in between) whose workflow the workers started',
    registers,
  });
  return {
    registry,
    refundStartRecovered: () => refundStartRecoveries.inc(),
    reconRunFinished: (channel, status) => reconRuns.inc({ channel, status }),
    payoutStartRecovered: () => payoutStartRecoveries.inc(),
    circuits: {
      circuitState: (channel, state, changed) => {
        if (changed) circuitTransitions.inc({ channel, to: state });
        circuitState.set({ channel }, CIRCUIT_STATE_VALUES[state]);
      },
      circuitRefused: (channel, op) => circuitRefusals.inc({ channel, op }),
    },
    activities: {
      orderTransition: (t) => transitions.inc({ from: t.from, to: t.to, channel: t.channel }),
      notifyAttempt: (a) => {
        notifyAttempts.inc({ outcome: a.outcome });
        if (a.latencyMs !== null) notifyLatency.observe({ outcome: a.outcome }, a.latencyMs / 1000);
      },
      channelCall: (c) => channelCalls.observe({ channel: c.channel, op: c.op, result: c.result }, c.durationMs / 1000),
      escalation: (kind) => escalations.inc({ kind }),
      channelFailover: (f) => failovers.inc(f),
      endpointPaused: () => endpointPauses.inc(),
    },
  };
}
