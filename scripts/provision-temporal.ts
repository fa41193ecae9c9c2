/**
 * Makes a Temporal CLI binary available (building it with Go if needed) and prints its path.
 * Usage: `npm run temporal:provision`. Exits 1 when no binary could be resolved.
 */
import { resolveTemporalBinary } from '../devstack/temporal-binary';

async function main(): Promise<void> {
  const bin = await resolveTemporalBinary((m) => console.error(m));
  if (bin === null) {
    console.error('No Temporal CLI available: install `temporal`, set TEMPORAL_CLI_PATH, or install Go to build it.');
    process.exit(1);
  }
  console.log(bin);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
