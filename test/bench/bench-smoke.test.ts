import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../devstack/paths';

// A tiny run of the benchmark: it must start its own stack and print figures. (The full benchmark is `npm run bench`,
// kept out of the test command.)
function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'bench/run.ts'), ...args], { cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('benchmark smoke run', () => {
  it('prints the table and a JSON line with every figure', async () => {
    const { code, stdout, stderr } = await runBench(['--orders', '6', '--concurrency', '2', '--ceiling', '4', '--soak-orders', '6', '--soak-seconds', '2', '--soak-probe', '5']);
    expect(code, stderr.slice(-2000)).toBe(0);
    expect(stdout).toContain('end-to-end orders/s');
    const line = stdout.split('\n').find((l) => l.startsWith('BENCH_JSON '));
    expect(line).toBeDefined();
    const r = JSON.parse(line!.slice('BENCH_JSON '.length));
    expect(r.e2e).toMatchObject({ orders: 6, errors: 0 });
    expect(r.e2e.ordersPerSecond).toBeGreaterThan(0);
    expect(r.e2e.payLatencyMs.p99).toBeGreaterThan(0);
    expect(r.e2e.notifyLagMs.p50).toBeGreaterThan(0);
    // The engine's work per paid order (merchant answers at once): two workflow tasks (the unified order, the
    // channel's report), no activity task (the first notification is a local activity), three local activities (the
    // unified order's openAndCreate; the report's transition and first notification), one search-attribute upsert
    // per workflow task.
    expect(r.roundTrips.sampled).toBe(6);
    console.log('round trips per order', JSON.stringify(r.roundTrips.perOrder));
    expect(r.roundTrips.perOrder).toMatchObject({ workflowTasks: 2, activityTasks: 0, localActivities: 3, signals: 1, updates: 1, timers: 1 });
    // + the SDK's TemporalChangeVersion upserts, one for each patch the unified order's first task passes.
    expect(r.roundTrips.perOrder.searchAttributeUpserts).toBeLessThanOrEqual(4);
    // Two workflow tasks per order, each with a wait the histories show (scheduled → started).
    expect(r.roundTrips.workflowTaskWaitMs.p50).toBeGreaterThanOrEqual(0);
    expect(r.roundTrips.workflowTaskWaitMs.p99).toBeGreaterThanOrEqual(r.roundTrips.workflowTaskWaitMs.p50!);
    expect(r.ceiling.workflowsPerSecond).toBeGreaterThan(0);
    expect(r.ratio).toBeGreaterThan(0);
    expect(r.processes.map((p: { name: string }) => p.name).sort()).toEqual(['api', 'poller', 'temporal', 'worker']);
    expect(r.processes.every((p: { peakRssMiB: number }) => p.peakRssMiB > 0)).toBe(true);
    expect(r.soak).toMatchObject({ requestedOrders: 6, openOrders: 6, openStoppedBy: null, leftRunning: 0 });
    // The hold's figures are logged before close-out (a long soak keeps them if close-out fails).
    expect(stderr).toMatch(/soak: figures with all 6 open: \{"workerRssMiB"/);
    // Issue 13's scale figures: unified-order latency with none and with all open, disk per order, the API's RSS.
    expect(r.soak.unifiedOrderProbeMs.noneOpen).toMatchObject({ orders: 5 });
    expect(r.soak.unifiedOrderProbeMs.allOpen).toMatchObject({ orders: 5 });
    expect(r.soak.unifiedOrderProbeMs.noneOpen.p99).toBeGreaterThan(0);
    expect(r.soak.unifiedOrderProbeMs.p99Ratio).toBeGreaterThan(0);
    // A third probe with all open while the poller process is stopped: polling's share of the all-open tail.
    expect(r.soak.unifiedOrderProbeMs.allOpenPollerStopped).toMatchObject({ orders: 5 });
    expect(r.soak.unifiedOrderProbeMs.allOpenPollerStopped.p99Ratio).toBeGreaterThan(0);
    expect(r.soak.diskBytes.open.temporalBytes).toBeGreaterThan(0);
    expect(r.soak.diskBytes.before.postgresBytes).toBeGreaterThan(0);
    expect(r.soak.apiRssMiB.peak).toBeGreaterThan(0);
    // The poller runs as a process of its own (LOCAL_POLLER=process, the default); its memory is reported beside the worker's.
    expect(r.soak.pollerRssMiB.peak).toBeGreaterThan(0);
    expect(stderr).toContain('poller: a process of its own (LOCAL_POLLER=process)');
  }, 240_000);

  it('compares update-with-start and eager start on the ceiling workflow, and the server really starts eagerly', async () => {
    const { code, stdout, stderr } = await runBench(['--eager-start', '--orders', '4', '--concurrency', '1', '--rounds', '1']);
    expect(code, stderr.slice(-2000)).toBe(0);
    const line = stdout.split('\n').find((l) => l.startsWith('BENCH_JSON '));
    expect(line).toBeDefined();
    const c = JSON.parse(line!.slice('BENCH_JSON '.length)).eagerStart;
    expect(c.runs.map((r: { start: string }) => r.start)).toEqual(['update-with-start', 'eager-start']);
    // The eager runs' first workflow tasks came back in the start responses; update-with-start cannot be eager.
    expect(c.runs[0]).toMatchObject({ workflows: 4, eagerlyStarted: 0 });
    expect(c.runs[1]).toMatchObject({ workflows: 4, eagerlyStarted: 4 });
    expect(c.medians.eagerStart.p50).toBeGreaterThan(0);
    expect(c.ratio.p50).toBeGreaterThan(0);
  }, 120_000);

  it('Ctrl-C mid-run removes the run directory (the servers stop through their own exit hooks)', async () => {
    // A soak far longer than the test: the signal comes once the measured phase is over and the soak has begun.
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'bench/run.ts'),
      '--orders', '4', '--concurrency', '2', '--ceiling', '0', '--soak-orders', '100000', '--soak-seconds', '600', '--soak-probe', '0'], { cwd: repoRoot });
    let stderr = '';
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (c: Buffer) => {
        stderr += c.toString();
        if (stderr.includes('[bench] end-to-end ')) resolve();
      });
      void exited.then(() => reject(new Error(`the bench exited before its soak: ${stderr.slice(-2000)}`)));
    });
    const dir = /initialising a new cluster in (\S+)\/pg/.exec(stderr)?.[1];
    expect(dir, stderr.slice(-2000)).toBeDefined();
    expect(existsSync(dir!)).toBe(true);
    child.kill('SIGINT');
    const end = await exited;
    expect(end.code === 130 || end.signal === 'SIGINT', JSON.stringify(end)).toBe(true);
    expect(existsSync(dir!)).toBe(false);
  }, 180_000);
});
