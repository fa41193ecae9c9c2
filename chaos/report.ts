import type { ChaosReport } from './chaos';

/** The one JSON line of a run: the headline figures first, then recovery per fault, reasons and examples. */
export function reportLine(r: ChaosReport): string {
  const { ok, orders, concurrency, created, answered, paid, notified, lost, stuck, wrong, duplicateDeliveries, converged, elapsedMs } = r;
  return JSON.stringify({
    ok, orders, concurrency, created, answered, paid, notified, lost, stuck, wrong, duplicateDeliveries,
    recoveryMs: r.recovery.map((x) => ({ fault: x.fault, apiMs: x.apiMs, drainMs: x.drainMs, backlog: x.backlog, undrained: x.undrained })),
    converged, elapsedMs,
    notifyIdsAckedMoreThanOnce: r.notifyIdsAckedMoreThanOnce, deliveries: r.deliveries,
    failedDeliveriesByDesign: r.failedDeliveriesByDesign, notifyAttemptsRecorded: r.notifyAttemptsRecorded,
    acksWithoutSuccessRow: r.acksWithoutSuccessRow, unanswered: r.unanswered, anomalies: r.anomalies,
    unexpectedExits: r.unexpectedExits, reasons: r.reasons, examples: r.examples,
    recovery: r.recovery, faults: r.faults, runDir: r.runDir,
  });
}

/** A few readable lines for a person (stderr or stdout without --json). */
export function reportSummary(r: ChaosReport): string {
  const lines = [
    `chaos: ${r.ok ? 'PASS' : 'FAIL'} — ${r.orders} orders at ${r.concurrency} concurrent, faults ${r.faults.join(', ') || 'none'}`,
    `  created ${r.created}, answered ${r.answered}, paid ${r.paid}, notified ${r.notified}`,
    `  lost ${r.lost}, stuck ${r.stuck}, wrong ${r.wrong}; duplicate deliveries ${r.duplicateDeliveries}; converged ${r.converged}`,
    ...r.recovery.map((x) => `  ${x.fault.padEnd(16)} api ${fmt(x.apiMs)}  drain ${fmt(x.drainMs)}  (backlog ${x.backlog}${x.undrained ? `, ${x.undrained} left` : ''})`),
  ];
  for (const cat of ['lost', 'stuck', 'wrong'] as const) {
    if (r[cat] === 0) continue;
    lines.push(`  ${cat}: ${Object.entries(r.reasons[cat]).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    for (const e of r.examples[cat]) lines.push(`    ${e.orderId ?? '-'} ${e.mercOrderNo} ${e.intent ?? ''} ${e.payStatus ?? ''}/${e.notifyState ?? ''} sandbox=${e.sandbox ?? '-'}: ${e.reason}`);
  }
  return lines.join('\n');
}

function fmt(ms: number | null): string {
  return ms === null ? 'never' : `${ms} ms`;
}
