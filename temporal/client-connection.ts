import { InterceptingCall, Metadata, status, type Interceptor, type InterceptingListener } from '@grpc/grpc-js';
import { Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor, type ConnectionOptions } from '@temporalio/client';

/** A client connection to Temporal and the way to close it (the API, the workers' activities, the poller). */
export interface TemporalClientConnection {
  connection: Connection;
  close(): Promise<void>;
}

/**
 * Connects a Temporal client whose close also ends the calls still retrying.
 *
 * The client retries a failed call after a backoff timer (@temporalio/client, grpc-retry). A call nobody waits for
 * any more (the merchant was answered 999999 at PAY_ANSWER_TIMEOUT while Temporal was unreachable) can be in that
 * backoff when the process closes its connection; its next attempt would then throw "Channel has been shut down"
 * from the timer, an uncaught exception. Once closed, such an attempt ends as CANCELLED instead, without touching
 * the channel, and the call's promise rejects as any failed call does.
 */
export async function connectTemporalClient(options: ConnectionOptions): Promise<TemporalClientConnection> {
  const state = { closed: false };
  const connection = await Connection.connect({
    ...options,
    // The default interceptor first; this one sits between it and the channel, where each retry begins.
    interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions()), refuseAfterClose(state)],
  });
  return {
    connection,
    async close() {
      state.closed = true;
      await connection.close();
    },
  };
}

/** The call an InterceptingCall wraps (grpc-js does not export its interface by name). */
type CallInterface = ConstructorParameters<typeof InterceptingCall>[0];

function refuseAfterClose(state: { closed: boolean }): Interceptor {
  return (options, nextCall) => (state.closed ? cancelledCall() : new InterceptingCall(nextCall(options)));
}

/**
 * A call that never reaches the channel: it ends at once as CANCELLED (which the retry interceptor does not retry),
 * delivered as grpc-js ends a unary call that failed: an empty message, then the status.
 */
function cancelledCall(): InterceptingCall {
  let listener: Partial<InterceptingListener> | undefined;
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    setImmediate(() => {
      listener?.onReceiveMessage?.(null);
      listener?.onReceiveStatus?.({ code: status.CANCELLED, details: 'the Temporal connection was closed', metadata: new Metadata() });
    });
  };
  const call: CallInterface = {
    start(_metadata: Metadata, l: Partial<InterceptingListener>) { listener = l; end(); },
    sendMessageWithContext() {},
    sendMessage() {},
    startRead() {},
    halfClose() {},
    cancelWithStatus() { end(); },
    getPeer: () => '',
    getAuthContext: () => null,
  };
  return new InterceptingCall(call);
}
