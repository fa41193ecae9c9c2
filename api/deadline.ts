import { ApiError } from '../domain/errors';

/**
 * Waits for `promise` at most `ms`; then answers 999999 with `retryHint`. The work goes on in its workflow, and
 * every interface is idempotent, so the merchant sends the same request again.
 */
export function withDeadline<T>(promise: Promise<T>, ms: number, retryHint: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new ApiError('999999', retryHint)), ms);
    promise.then(
      (v) => { clearTimeout(timer); resolve(v); },
      (e: unknown) => { clearTimeout(timer); reject(e); },
    );
  });
}
