// Typed errors of the server core. Callers and tests branch on `code`, never on the message;
// the message is for a person reading a log and may change.

export const SERVER_ERROR_CODES = [
  'DNS_TRUNCATED',
  'DNS_POINTER_LOOP',
  'DNS_BAD_POINTER',
  'DNS_LABEL_TOO_LONG',
  'DNS_NAME_TOO_LONG',
  'DNS_NOT_A_QUERY',
  'DNS_NO_QUESTION',
  'DNS_MALFORMED',
  'DETECTOR_SPEC_INVALID',
] as const;

export type ServerErrorCode = (typeof SERVER_ERROR_CODES)[number];

/** Plain JSON facts about the failure (offsets, field names); never secrets or raw payloads. */
export type ErrorDetails = Record<string, string | number | boolean | null>;

export class ServerError extends Error {
  override readonly name = 'ServerError';
  readonly code: ServerErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ServerErrorCode, message: string, details: ErrorDetails = {}) {
    super(message);
    this.code = code;
    this.details = details;
  }

  /** The wire shape (`{code, message}`), so a stack never leaves the process. */
  toJSON(): { code: ServerErrorCode; message: string; details: ErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function isServerError(value: unknown): value is ServerError {
  return value instanceof ServerError;
}
