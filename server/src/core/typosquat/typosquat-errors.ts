// Typed errors of the typosquat core. Callers and tests branch on `code`; the message is for a
// person. (Kept beside the signal rather than in ../errors.ts so the feature stays one folder.)

export const TYPOSQUAT_ERROR_CODES = ['TYPOSQUAT_LIST_INVALID'] as const;
export type TyposquatErrorCode = (typeof TYPOSQUAT_ERROR_CODES)[number];

export class TyposquatError extends Error {
  override readonly name = 'TyposquatError';
  readonly code: TyposquatErrorCode;
  /** Which field was wrong (a path such as `names[3]`), never the offending value itself. */
  readonly field: string;

  constructor(code: TyposquatErrorCode, field: string, message: string) {
    super(message);
    this.code = code;
    this.field = field;
  }

  toJSON(): { code: TyposquatErrorCode; message: string; field: string } {
    return { code: this.code, message: this.message, field: this.field };
  }
}
