// Error codes of the delivery path (batcher, spool, forwarder); tests assert the code, never the message.

export type SpoolErrorCode =
  | 'SPOOL_INVALID_CONFIG' // a limit or option that cannot work; raised at start-up
  | 'SPOOL_INVALID_INPUT' // events the wire could not carry (not an array, unknown kind, no build id)
  | 'SPOOL_BATCH_TOO_LARGE' // more events than one batch may hold: the batcher should have cut it
  | 'SPOOL_CORRUPT' // the spool file is not a spool; refuse rather than restart sequences at 1
  | 'SPOOL_AGENT_MISMATCH' // the spool was written for another agent id
  | 'SPOOL_LOCKED' // another process holds the spool open
  | 'SPOOL_CLOSED';

export type ForwardErrorCode =
  | 'FORWARD_INVALID_CONFIG'
  | 'FORWARD_CLOSED'
  | 'FORWARD_END_BUILD_FAILED';

export class SpoolError extends Error {
  constructor(readonly code: SpoolErrorCode, message: string) {
    super(message);
    this.name = 'SpoolError';
  }
}

export class ForwardError extends Error {
  constructor(readonly code: ForwardErrorCode, message: string, readonly grpcCode?: number) {
    super(message);
    this.name = 'ForwardError';
  }
}
