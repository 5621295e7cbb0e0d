// @telltale/proto: the wire contract (generated codecs under ../gen) and the domain event types.
export * from './domain.js';
export * from './errors.js';
export * from './convert.js';
export * from './ingest-service.js';
export type * from './console-api.js';
export * from './tetragon-wire.js';
export * from './lockfile-names.js';
