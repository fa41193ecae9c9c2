import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { killWhenParentDies } from './process';

/** A server binary we started: its pid, why it exited (null while it runs), its recent output, and a stop. */
export interface ServerProcess {
  pid: number | null;
  exitReason(): string | null;
  /** The last lines it printed (for error messages). */
  outputTail(lines?: number): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited (idempotent). */
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 10_000;

/**
 * Spawns a server binary as our child: its output is kept in a ring buffer (and appended to `logFile` when given),
 * and it is stopped when this process exits or dies (SIGTERM), so no test or start ever leaks a server.
 */
export function spawnServer(bin: string, args: string[], opts: { env?: NodeJS.ProcessEnv; logFile?: string; cwd?: string } = {}): ServerProcess {
  const output = new RingBuffer(200);
  const log = opts.logFile ? fs.createWriteStream(opts.logFile, { flags: 'a' }) : null;
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env, cwd: opts.cwd });
  const onData = (c: Buffer): void => {
    output.push(c);
    log?.write(c);
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  trackChild(child);
  if (child.pid !== undefined) killWhenParentDies(child.pid, 'SIGTERM');

  let exitReason: string | null = null;
  const exited = new Promise<void>((resolve) => {
    const done = (reason: string): void => {
      exitReason ??= reason;
      untrackChild(child);
      log?.end();
      resolve();
    };
    child.once('exit', (code, signal) => done(`exited with ${signal ?? code}`));
    child.once('error', (err) => done(`failed to spawn: ${err.message}`));
  });

  let stopping: Promise<void> | null = null;
  return {
    pid: child.pid ?? null,
    exitReason: () => exitReason,
    outputTail: (lines = 40) => output.text(lines),
    stop: () => {
      stopping ??= (async () => {
        if (exitReason !== null) return;
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(killer);
      })();
      return stopping;
    },
  };
}

// --- child cleanup: never leak a server when the parent exits ------------------------------------------------

const liveChildren = new Set<ChildProcess>();
let hooksInstalled = false;

function trackChild(child: ChildProcess): void {
  liveChildren.add(child);
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      // Someone else handles this signal (graceful shutdown): they exit later and the 'exit' hook cleans up.
      if (process.listenerCount(signal) > 1) return;
      killAll();
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal); // re-raise with the default behaviour (terminate)
    };
    process.on(signal, onSignal);
  }
}

function untrackChild(child: ChildProcess): void {
  liveChildren.delete(child);
}

function killAll(): void {
  // SIGTERM lets a server flush its state; it finishes on its own after we are gone.
  for (const child of liveChildren) child.kill('SIGTERM');
}

/** Keeps the last `maxLines` lines of a child's output for error messages. */
class RingBuffer {
  private lines: string[] = [];
  private partial = '';
  constructor(private readonly maxLines: number) {}
  push(chunk: Buffer): void {
    const parts = (this.partial + chunk.toString('utf8')).split('\n');
    this.partial = parts.pop() ?? '';
    this.lines.push(...parts);
    if (this.lines.length > this.maxLines) this.lines.splice(0, this.lines.length - this.maxLines);
  }
  text(lastLines = 40): string {
    return [...this.lines, this.partial].filter(Boolean).slice(-lastLines).join('\n');
  }
}
