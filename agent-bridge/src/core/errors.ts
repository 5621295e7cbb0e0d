// Error codes of the agent; tests assert the code, never the message.
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
