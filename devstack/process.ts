import { spawn } from 'node:child_process';

/** True when a process with this pid exists (EPERM: it exists but belongs to another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Sends `signal` to `childPid` if this Node process dies without cleaning up (e.g. SIGKILL, where no 'exit'
 * hook runs). A tiny `sh` loop polls both pids once a second and ends by itself when the child is gone.
 */
export function killWhenParentDies(childPid: number, signal: 'SIGTERM' | 'SIGINT'): void {
  if (process.platform === 'win32') return;
  const sig = signal.slice(3);
  const script =
    `while kill -0 ${childPid} 2>/dev/null; do ` +
    `kill -0 ${process.pid} 2>/dev/null || { kill -${sig} ${childPid}; exit 0; }; sleep 1; done`;
  const watchdog = spawn('sh', ['-c', script], { stdio: 'ignore' });
  watchdog.on('error', () => {}); // best effort
  watchdog.unref();
}
