// The agent's error codes, one file for the package; tests assert the code, never the message.
// Bad input (a line bpftrace should never print) becomes a counted drop; a failed start is fatal.

export type AgentErrorCode =
  | 'BPFTRACE_MALFORMED_JSON'
  | 'BPFTRACE_UNKNOWN_RECORD'
  | 'BPFTRACE_BAD_FIELD'
  | 'BPFTRACE_LINE_TOO_LONG'
  | 'BPFTRACE_BAD_OPTIONS'
  | 'BPFTRACE_TRACEFS_MISSING'
  | 'BPFTRACE_NOT_ROOT'
  | 'BPFTRACE_SPAWN_FAILED'
  | 'BPFTRACE_EARLY_EXIT'
  | 'BPFTRACE_ATTACH_TIMEOUT';

export class AgentError extends Error {
  constructor(readonly code: AgentErrorCode, message: string) {
    super(message);
    this.name = 'AgentError';
  }
}

// The delivery path (batcher, spool, forwarder).
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
