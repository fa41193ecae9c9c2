import type { JobView } from '../../support/replay-jobs';

const BAR_WIDTH = 30;

/**
 * Job progress on one terminal line, redrawn in place when the output is a TTY; otherwise one plain line per change
 * (logs and pipes get no control characters).
 */
export function progressLine(out: NodeJS.WriteStream) {
  const tty = out.isTTY === true;
  let last = '';
  return {
    update(j: JobView): void {
      const processed = j.done + j.failed;
      const ratio = j.total === 0 ? 1 : processed / j.total;
      const filled = Math.round(ratio * BAR_WIDTH);
      const line = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${processed}/${j.total} ` +
        `(${Math.floor(ratio * 100)}%)  done ${j.done}  failed ${j.failed}`;
      if (line === last) return;
      last = line;
      out.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
    },
    end(): void {
      if (tty && last) out.write('\n');
    },
  };
}
