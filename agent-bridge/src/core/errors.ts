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

/** An error with a fixed code (tests assert the code, never the message). */
export class CodedError<C extends string> extends Error {
  constructor(readonly code: C, message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class AgentError extends CodedError<AgentErrorCode> {}

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

export class SpoolError extends CodedError<SpoolErrorCode> {}

export class ForwardError extends CodedError<ForwardErrorCode> {
  constructor(code: ForwardErrorCode, message: string, readonly grpcCode?: number) {
    super(code, message);
  }
}

// The Tetragon and Falco sources: every one is bad input (a line the tool should not have
// written); their decoders count it and never throw.
export type TetragonErrorCode =
  /** Not JSON, not an object, or no event member. */
  | 'TETRAGON_BAD_JSON'
  /** Longer than the decoder's line limit; not parsed at all. */
  | 'TETRAGON_LINE_TOO_LONG'
  /** A field we read has the wrong type, is out of range or malformed. */
  | 'TETRAGON_BAD_FIELD';

export class TetragonError extends CodedError<TetragonErrorCode> {}

export type FalcoErrorCode =
  /** Not JSON (by our strict scanner), or nested deeper than any Falco output. */
  | 'FALCO_MALFORMED_JSON'
  /** Longer than the line limit; not scanned at all. */
  | 'FALCO_LINE_TOO_LONG'
  /** JSON, but not an alert: not an object, or `rule`, `priority`, `source` or `time` missing. */
  | 'FALCO_NOT_AN_ALERT'
  /** A member has the wrong type, is out of range or malformed. */
  | 'FALCO_BAD_FIELD';

export const FALCO_ERROR_CODES: readonly FalcoErrorCode[] = [
  'FALCO_MALFORMED_JSON', 'FALCO_LINE_TOO_LONG', 'FALCO_NOT_AN_ALERT', 'FALCO_BAD_FIELD',
];

export class FalcoError extends CodedError<FalcoErrorCode> {}
