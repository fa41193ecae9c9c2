import { fork, type ChildProcess } from 'node:child_process';
import { killWhenParentDies } from './process';

export interface ChildHandle {
  child: ChildProcess;
  /** Resolves with the first IPC message the child sends (its "ready" message). */
  ready: Promise<Record<string, unknown>>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Runs one of the project's TypeScript entry points (api/main.ts, worker/main.ts) as its own Node process through
 * tsx, with an IPC channel for its ready message. Output is inherited so the user sees its logs.
 */
export function runEntryPoint(entry: string, env: Record<string, string>, opts: { silent?: boolean } = {}): ChildHandle {
  const child = fork(entry, [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...env },
    stdio: opts.silent ? ['ignore', 'ignore', 'inherit', 'ipc'] : ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  if (child.pid !== undefined) killWhenParentDies(child.pid, 'SIGTERM');
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<Record<string, unknown>>((resolve, reject) => {
    child.once('message', (m) => resolve(m as Record<string, unknown>));
    void exited.then((code) => reject(new Error(`${entry} exited with code ${code} before it was ready`)));
  });
  ready.catch(() => undefined);
  return {
    child,
    ready,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
