import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startInfrastructure, type Infrastructure } from '../test/support/infrastructure';
import { startStackOn, TEST_OPERATORS } from '../test/support/stack-core';
import { PLATFORM_APP_KEY, startIpaynowStackOn } from '../test/support/ipaynow-stack';
import { WORKFLOW_PATHS, type PathContext } from './histories/paths';
import { secretsIn } from './histories/secrets';
import { historyToJSON } from '../test/support/history-json';
import { repoRoot } from '../devstack/paths';

/**
 * `npm run histories:record`: records one completed workflow history per workflow path (scripts/histories/paths.ts)
 * into test/workflow/histories, which the replay test replays against the current workflow code. Runs the real
 * system as the integration tests do (embedded PostgreSQL, a Temporal dev server, worker and API in this process) at
 * millisecond schedules. Record again whenever a workflow path is added; see docs/RELIABILITY.md. Arguments, if any,
 * record only the paths whose name contains one of them (`npm run histories:record -- failover`): the others' files
 * stay as they are.
 */
const HISTORIES_DIR = join(repoRoot, 'test/workflow/histories');
const TIMING = {
  POLL_SCHEDULE: '200ms',
  NOTIFY_RETRY_SCHEDULE: '100ms,200ms,300ms',
  UNKNOWN_RETRY_SCHEDULE: '100ms,200ms',
  UNKNOWN_ESCALATE_AFTER: '600ms',
  CHANNEL_WATCH_MARGIN: '1s',
  REFUND_QUERY_SCHEDULE: '200ms',
  REFUND_ESCALATE_AFTER: '600ms',
  PAYOUT_QUERY_SCHEDULE: '200ms',
  PAYOUT_ESCALATE_AFTER: '600ms',
};
const say = (m: string) => console.log(`[histories] ${m}`);

async function main(): Promise<void> {
  const workDir = mkdtempSync(join(tmpdir(), 'paydurable-histories-'));
  let infra: Infrastructure | undefined;
  const stops: (() => Promise<unknown>)[] = [];
  try {
    say('starting PostgreSQL, the Temporal dev server, worker and API…');
    infra = await startInfrastructure(workDir, say);
    const sandbox = await startStackOn(infra, TIMING);
    stops.push(() => sandbox.stop());
    const ipaynow = await startIpaynowStackOn(infra, TIMING);
    stops.push(() => ipaynow.stop());
    const ctx: PathContext = { sandbox, ipaynow, merchants: [], receivers: [] };
    stops.push(() => Promise.allSettled(ctx.receivers.map((r) => r.stop())));

    const histories: { file: string; json: string }[] = [];
    const only = process.argv.slice(2);
    for (const path of WORKFLOW_PATHS.filter((p) => only.length === 0 || only.some((word) => p.name.includes(word)))) {
      say(`path: ${path.name}`);
      for (const { file, workflowId } of await path.run(ctx)) {
        const history = await sandbox.client.workflow.getHandle(workflowId).fetchHistory();
        const json = historyToJSON(history);
        const secrets = {
          ...Object.fromEntries(ctx.merchants.flatMap((m) => [[`live key of merchant ${m.mercNo}`, m.keys.live], [`test key of merchant ${m.mercNo}`, m.keys.test]])),
          'IPayNow app key': PLATFORM_APP_KEY,
          ...Object.fromEntries(Object.entries(TEST_OPERATORS).map(([name, token]) => [`support token of operator ${name}`, token])),
        };
        const found = secretsIn(json, secrets);
        if (found.length > 0) throw new Error(`the history of ${workflowId} contains ${found.join(', ')}: not recorded`);
        histories.push({ file: `${file}.json`, json });
        say(`  ${file}.json: ${history.events?.length ?? 0} events (${workflowId})`);
      }
    }
    // Written only once every path has been recorded: a failed run leaves the committed set as it was.
    mkdirSync(HISTORIES_DIR, { recursive: true });
    for (const h of histories) writeFileSync(join(HISTORIES_DIR, h.file), h.json);
    say(`${histories.length} histories written to ${HISTORIES_DIR}`);
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await infra?.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

// Exit explicitly: embedded PostgreSQL's exit hooks would otherwise turn a failure into exit code 0.
main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`[histories] failed: ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
