// Typed errors of the DNS guard's core. Callers and tests branch on `code`; the message is
// for a person. (Kept beside the guard rather than in ../errors.ts so the guard stays one folder.)

export const GUARD_ERROR_CODES = ['GUARD_ALLOWLIST_INVALID', 'GUARD_SPEC_INVALID'] as const;
export type GuardErrorCode = (typeof GUARD_ERROR_CODES)[number];

export class GuardError extends Error {
  override readonly name = 'GuardError';
  readonly code: GuardErrorCode;
  /** Which field was wrong (a path such as `names[3]`), never the offending value itself. */
  readonly field: string;

  constructor(code: GuardErrorCode, field: string, message: string) {
    super(message);
    this.code = code;
    this.field = field;
  }

  toJSON(): { code: GuardErrorCode; message: string; field: string } {
    return { code: this.code, message: this.message, field: this.field };
  }
}
