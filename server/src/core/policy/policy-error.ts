// The one error a policy generator throws. Callers branch on `code`; the message names the
// offending entry (escaped, never raw) for a person to read.

export const POLICY_ERROR_CODES = [
  /** A name, domain, address, port or field of the baseline is not what it must be. */
  'invalid_entry',
  /** The baseline is still learning or empty, and the caller did not pass allowUnready. */
  'baseline_not_ready',
  /** The format must be scoped to the build (nftables always, Tetragon when enforcing). */
  'missing_target',
  /** A resolver config needs somewhere to forward to and the baseline names no resolver. */
  'missing_upstream',
  /** An option (target, upstream, listen, buildCommand, mode) is malformed. */
  'invalid_option',
  /** No generator has that format name. */
  'unknown_format',
] as const;

export type PolicyErrorCode = (typeof POLICY_ERROR_CODES)[number];

export class PolicyError extends Error {
  override readonly name = 'PolicyError';
  readonly code: PolicyErrorCode;

  constructor(code: PolicyErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

export function isPolicyError(value: unknown): value is PolicyError {
  return value instanceof PolicyError;
}
