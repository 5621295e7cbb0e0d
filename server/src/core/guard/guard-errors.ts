// Typed errors of the DNS guard's core. Callers and tests branch on `code`; the message is
// for a person. (Kept beside the guard rather than in ../errors.ts so the guard stays one folder.)

import { FieldError } from '../field-error.js';

export const GUARD_ERROR_CODES = ['GUARD_ALLOWLIST_INVALID', 'GUARD_SPEC_INVALID'] as const;
export type GuardErrorCode = (typeof GUARD_ERROR_CODES)[number];

export class GuardError extends FieldError<GuardErrorCode> {
  override readonly name = 'GuardError';
}
