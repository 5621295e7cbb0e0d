// The console's API contract, re-exported from proto so every view imports types from one place.
export type * from '../../proto/src/console-api.js';
