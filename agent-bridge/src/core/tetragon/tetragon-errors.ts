// Error codes of the Tetragon source; tests assert the code, never the message. Every one is
// bad input (a line Tetragon should not have written): the decoder counts it, it never throws.
// Kept beside the source so the Falco and bpftrace work can land in ../errors.ts independently;
// the lead may fold these into AgentErrorCode.

export type TetragonErrorCode =
  /** Not JSON, not an object, or no event member. */
  | 'TETRAGON_BAD_JSON'
  /** Longer than the decoder's line limit; not parsed at all. */
  | 'TETRAGON_LINE_TOO_LONG'
  /** A field we read has the wrong type, is out of range or malformed. */
  | 'TETRAGON_BAD_FIELD';

export class TetragonError extends Error {
  constructor(readonly code: TetragonErrorCode, message: string) {
    super(message);
    this.name = 'TetragonError';
  }
}
