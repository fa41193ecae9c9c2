/**
 * Makes the Temporal binaries available (building them with Go from the module proxy if needed) and prints their paths.
 * Usage: `npm run temporal:provision` (both), `-- --cli` (the CLI's dev server only: what `npm start` needs by
 * default), `-- --server` (the Temporal server and its SQL tool only: TEMPORAL_MODE=server). Exits 1 when one is missing.
 */
import { resolveTemporalBinary } from '../devstack/temporal-binary';
import { resolveTemporalServerTools } from '../devstack/temporal-server-binary';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--cli' && a !== '--server');
  if (unknown.length > 0) {
    console.error(`unknown argument ${unknown.join(' ')}; usage: npm run temporal:provision [-- --cli | --server]`);
    process.exit(2);
  }
  const log = (m: string) => console.error(m);
  const wantCli = args.length === 0 || args.includes('--cli');
  const wantServer = args.length === 0 || args.includes('--server');
  if (wantCli) {
    const bin = await resolveTemporalBinary(log);
    if (bin === null) {
      console.error('No Temporal CLI available: install `temporal`, set TEMPORAL_CLI_PATH, or install Go to build it.');
      process.exit(1);
    }
    console.log(bin);
  }
  if (wantServer) {
    const tools = await resolveTemporalServerTools({ build: true, log });
    if (tools === null) {
      console.error('No Temporal server available: put temporal-server and temporal-sql-tool on PATH, set TEMPORAL_SERVER_PATH and TEMPORAL_SQL_TOOL_PATH, or install Go to build them.');
      process.exit(1);
    }
    console.log(tools.server);
    console.log(tools.sqlTool);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
