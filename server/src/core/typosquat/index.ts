// The typosquat signal's public face: compile the shipped lists once, judge each added package.
export { compileTyposquat, editBudget, TYPOSQUAT_LIMITS, type TyposquatJudge, type TyposquatKind, type TyposquatSignal } from './typosquat.js';
export { ECOSYSTEMS, parseWellKnownList, wellKnownList, WELL_KNOWN_LIMITS, type Ecosystem, type WellKnownList, type WellKnownListHeader } from './well-known-list.js';
export { TyposquatError, TYPOSQUAT_ERROR_CODES, type TyposquatErrorCode } from './typosquat-errors.js';
