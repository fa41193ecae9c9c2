import { describe, expect, it, inject } from 'vitest';
import { runChaos } from '../../chaos/chaos';
import { SHORT_SCHEDULE } from '../../chaos/faults';
import { reportLine, reportSummary } from '../../chaos/report';

// The short chaos run (docs/RELIABILITY.md): its own PostgreSQL, Temporal server, worker, poller and API as separate
// processes, 100 orders at 16 concurrent through the real API while each fault of the short schedule kills processes
// with SIGKILL. Every order must end as the truth says: nothing lost, stuck or wrongly notified.
describe('chaos, short', () => {
  it('100 orders under kill -9 of the worker, Temporal, PostgreSQL (during a callback burst), the poller, the API, worker+Temporal: 0 lost, 0 stuck, 0 wrong', async () => {
    const report = await runChaos({
      orders: 100, concurrency: 16, faults: [...SHORT_SCHEDULE], workflowBundlePath: inject('workflowBundlePath'),
      log: (m) => process.stderr.write(`[chaos] ${m}\n`),
    });
    process.stderr.write(`${reportSummary(report)}\n${reportLine(report)}\n`);
    expect({ lost: report.lost, stuck: report.stuck, wrong: report.wrong }).toEqual({ lost: 0, stuck: 0, wrong: 0 });
    expect(report.created).toBeGreaterThanOrEqual(100);
    expect(report.faults).toEqual(SHORT_SCHEDULE);
    expect(report.recovery.every((r) => r.drainMs !== null)).toBe(true);
    expect(report.converged).toBe(true);
    expect(report.unexpectedExits).toEqual({ postgres: 0, temporal: 0, worker: 0, poller: 0, api: 0 });
    expect(report.ok).toBe(true);
  }, 1_200_000);
});
