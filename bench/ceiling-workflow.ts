import { condition, defineSignal, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';

/**
 * The engine's own ceiling: a workflow of the order's shape — update-with-start answered after one activity, one
 * signal, one more activity — with activities that do nothing.
 */
export interface NoopActivities {
  noop(): Promise<string>;
}
const { noop } = proxyActivities<NoopActivities>({ startToCloseTimeout: '10s' });

export const startUpdate = defineUpdate<string, []>('start');
export const doneSignal = defineSignal<[]>('done');

export async function ceilingWorkflow(): Promise<void> {
  let answer: string | undefined;
  let signalled = false;
  setHandler(startUpdate, async () => {
    await condition(() => answer !== undefined);
    return answer!;
  });
  setHandler(doneSignal, () => {
    signalled = true;
  });
  answer = await noop();
  await condition(() => signalled);
  await noop();
}
