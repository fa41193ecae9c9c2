/**
 * Runs `stop` once, on the first SIGINT or SIGTERM. Ctrl-C sends SIGINT to every process of the group and `npm start`
 * then sends its children SIGTERM, so an entry point is asked to stop twice; stopping twice would close its
 * connections twice. Each handler is registered with `once`: a third signal gets Node's default (exit at once).
 */
export function onStopSignal(stop: () => Promise<unknown>): void {
  let stopping: Promise<unknown> | undefined;
  const handler = () => {
    stopping ??= stop();
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
}
