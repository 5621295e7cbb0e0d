// Error codes of the Falco source; tests assert the code, never the message. Every one is bad
// input (a line Falco should not have written): the decoder counts it and never throws.
// Kept beside the source so the Tetragon and bpftrace work can land in ../errors.ts
// independently; the lead may fold these into AgentErrorCode.

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

export class FalcoError extends Error {
  constructor(readonly code: FalcoErrorCode, message: string) {
    super(message);
    this.name = 'FalcoError';
  }
}
