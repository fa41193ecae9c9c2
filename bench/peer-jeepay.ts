import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { repoRoot } from '../devstack/paths';
import { parsePeerLoadLine, peerFigures, type PeerLoadLine } from './peer-load-line';
import type { SideFigures } from './side-figures';
import { TreeCpuMeter } from './tree-cpu';

/** Where the harness lives unless --peer-dir or JEEPAY_PEER_DIR says otherwise: outside the repository. */
export const DEFAULT_JEEPAY_DIR = resolve(repoRoot, '..', 'shared', 'peers', 'jeepay');

/** The peer's own processes whose CPU is counted (not its fake upstream channel or merchant receiver). */
const SYSTEM_PROCESSES = ['jeepay-payment', 'mariadb', 'activemq', 'redis'];

export type NotifyAfter = 'reply' | 'response';

/**
 * The Jeepay peer, driven through its harness (`start.sh`, `load.mjs`, `stop.sh`); nothing of it is in this repository.
 * Started here only if it is not running yet, and then stopped again by `close()`.
 */
export class JeepayPeer {
  private startedHere = false;
  private readonly runDir = process.env.JEEPAY_RUN ?? '/tmp/jeepay-run';

  constructor(readonly dir: string, private readonly log: (m: string) => void) {}

  async open(): Promise<void> {
    for (const f of ['start.sh', 'stop.sh', 'load.mjs']) {
      if (!existsSync(join(this.dir, f))) {
        throw new Error(`Jeepay peer harness not found: ${join(this.dir, f)} is missing. Point --peer-dir (or JEEPAY_PEER_DIR) at it; `
          + `see docs/BENCHMARKS.md, "Side by side with Jeepay"`);
      }
    }
    if (this.running()) {
      this.log(`jeepay: already running (pids in ${this.runDir})`);
      return;
    }
    this.log('jeepay: ./start.sh (MariaDB, Redis, ActiveMQ, jeepay-payment, fake upstream, receiver)…');
    const r = await run('bash', [join(this.dir, 'start.sh')], this.dir);
    this.startedHere = true; // whatever start.sh got up is stopped again by close()
    if (r.code !== 0) {
      throw new Error(`Jeepay peer is not set up or did not start (start.sh exit ${r.code}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}. `
        + `Run ${join(this.dir, 'setup.sh')} first (see its README.md)`);
    }
  }

  /** Unmeasured orders, so that the JVM is warm, as our side gets before its measured phase. */
  async warmUp(orders: number, concurrency: number, notifyAfter: NotifyAfter): Promise<void> {
    await this.load([String(orders), String(concurrency), '--notify-after', notifyAfter, '--no-db-check']);
  }

  async measure(orders: number, concurrency: number, notifyAfter: NotifyAfter): Promise<{ figures: SideFigures; line: PeerLoadLine }> {
    const loadAvg = loadavg()[0]!;
    const meter = this.cpuMeter();
    const line = await this.load([String(orders), String(concurrency), '--notify-after', notifyAfter]);
    return { figures: peerFigures(line, meter.perOrder(line.completed), Math.round(loadAvg * 10) / 10), line };
  }

  /** A CPU meter over the peer's own processes, from now on. */
  cpuMeter(): TreeCpuMeter {
    return new TreeCpuMeter(Object.fromEntries(SYSTEM_PROCESSES.map((n) => [n, this.pid(n)])));
  }

  async close(): Promise<void> {
    if (!this.startedHere) return;
    this.log('jeepay: ./stop.sh');
    await run('bash', [join(this.dir, 'stop.sh')], this.dir);
  }

  private async load(args: string[]): Promise<PeerLoadLine> {
    const r = await run(process.execPath, [join(this.dir, 'load.mjs'), ...args], this.dir);
    if (r.code !== 0) throw new Error(`jeepay load.mjs ${args.join(' ')} exited ${r.code}: ${r.stderr.slice(-500)}`);
    return parsePeerLoadLine(r.stdout);
  }

  private pid(name: string): number | null {
    try {
      const pid = Number(readFileSync(join(this.runDir, `${name}.pid`), 'utf8').trim());
      return Number.isInteger(pid) && existsSync(`/proc/${pid}`) ? pid : null;
    } catch {
      return null;
    }
  }

  private running(): boolean {
    return SYSTEM_PROCESSES.every((n) => this.pid(n) !== null);
  }
}

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolvePromise({ code, stdout, stderr }));
  });
}
