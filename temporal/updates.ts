import { isGrpcServiceError, ServiceError } from '@temporalio/client';

/** gRPC FAILED_PRECONDITION: the server did not accept the update (its workflow task failed); safe to send again. */
const FAILED_PRECONDITION = 9;

/**
 * True when the engine dropped an update without running its handler: a signal (or any new event) reached the
 * workflow while the workflow task carrying the update was completing, the server rejected that task and the update
 * with it (gRPC FAILED_PRECONDITION "unexpected workflow task failure"). The update was never accepted, so sending it
 * again is safe; a validator's rejection (WorkflowUpdateFailedError) is not a drop.
 */
export function droppedByEngine(err: unknown): boolean {
  return err instanceof ServiceError && isGrpcServiceError(err.cause) && err.cause.code === FAILED_PRECONDITION;
}

export interface DroppedUpdatePolicy<T> {
  /** How many times the update is sent in all (at least 1). */
  attempts: number;
  /** After a drop: the answer the read model already holds (the update is moot), or undefined to send it again. */
  settled?: () => Promise<T | undefined>;
  /** What the caller gets once every attempt was dropped: a documented "send the same request again" error. */
  exhausted: () => Error;
  /** Which failures count as a drop (default: droppedByEngine). */
  dropped?: (err: unknown) => boolean;
}

/**
 * Sends an update (executeUpdate or update-with-start, through `send`) and survives the engine dropping it: bounded
 * by `attempts`, then `exhausted()`. Any other failure is the caller's to map.
 */
export async function sendUpdate<T>(send: () => Promise<T>, policy: DroppedUpdatePolicy<T>): Promise<T> {
  const dropped = policy.dropped ?? droppedByEngine;
  for (let tries = 1; ; tries++) {
    try {
      return await send();
    } catch (err) {
      if (!dropped(err)) throw err;
      const answer = await policy.settled?.();
      if (answer !== undefined) return answer;
      if (tries >= policy.attempts) throw policy.exhausted();
    }
  }
}
