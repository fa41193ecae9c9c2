import { describe, expect, it } from 'vitest';
import { ServiceError, WorkflowUpdateFailedError } from '@temporalio/client';
import { droppedByEngine, sendUpdate } from '../../temporal/updates';
import { SupportError } from '../../domain/errors';
import { DECISION_UPDATE } from '../../support/temporal';

/** What the client throws when the server rejects the workflow task that carried the update. */
function engineDrop(): ServiceError {
  const grpc = Object.assign(new Error('9 FAILED_PRECONDITION: unexpected workflow task failure'), {
    code: 9, details: 'unexpected workflow task failure', metadata: {},
  });
  return new ServiceError('Update failed', { cause: grpc });
}

/** A send that fails with the given errors in turn, then answers `answer`; counts its calls. */
function sender<T>(failures: unknown[], answer: T) {
  const calls = { n: 0 };
  const send = async (): Promise<T> => {
    const failure = failures[calls.n++];
    if (failure !== undefined) throw failure;
    return answer;
  };
  return { send, calls };
}

describe('updates the engine drops', () => {
  it('recognises only FAILED_PRECONDITION from the server as a drop', () => {
    expect(droppedByEngine(engineDrop())).toBe(true);
    const notFound = new ServiceError('gone', { cause: Object.assign(new Error('5 NOT_FOUND'), { code: 5, details: 'x', metadata: {} }) });
    expect(droppedByEngine(notFound)).toBe(false);
    expect(droppedByEngine(new WorkflowUpdateFailedError('rejected', new Error('not waiting')))).toBe(false);
    expect(droppedByEngine(new Error('unexpected workflow task failure'))).toBe(false);
  });

  it('sends a dropped update again and returns its answer', async () => {
    const { send, calls } = sender([engineDrop(), engineDrop()], 'applied');
    await expect(sendUpdate(send, { attempts: 3, exhausted: () => new Error('exhausted') })).resolves.toBe('applied');
    expect(calls.n).toBe(3);
  });

  it('is bounded: after `attempts` drops the caller gets the documented "send again" error', async () => {
    const { send, calls } = sender([engineDrop(), engineDrop(), engineDrop(), engineDrop()], 'never');
    await expect(sendUpdate(send, DECISION_UPDATE)).rejects.toMatchObject({ code: 'try_again', httpStatus: 503 });
    expect(calls.n).toBe(3);
    expect(new SupportError('try_again', 'x').httpStatus).toBe(503);
  });

  it('answers from the read model when the dropped update is moot, without sending again', async () => {
    const { send, calls } = sender([engineDrop()], 'from the workflow');
    await expect(sendUpdate(send, { attempts: 3, settled: async () => 'from the read model', exhausted: () => new Error('x') })).resolves.toBe('from the read model');
    expect(calls.n).toBe(1);
  });

  it('passes any other failure (a validator refusal, a gone workflow) straight to the caller, unsent again', async () => {
    const refusal = new SupportError('conflict', 'the order is not waiting for a decision');
    const { send, calls } = sender([refusal], 'never');
    await expect(sendUpdate(send, DECISION_UPDATE)).rejects.toBe(refusal);
    expect(calls.n).toBe(1);
  });
});
