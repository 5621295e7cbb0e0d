// Typed errors of the typosquat core. Callers and tests branch on `code`; the message is for a
// person. (Kept beside the signal rather than in ../errors.ts so the feature stays one folder.)

import { FieldError } from '../field-error.js';

export const TYPOSQUAT_ERROR_CODES = ['TYPOSQUAT_LIST_INVALID'] as const;
export type TyposquatErrorCode = (typeof TYPOSQUAT_ERROR_CODES)[number];

export class TyposquatError extends FieldError<TyposquatErrorCode> {
  override readonly name = 'TyposquatError';
}
