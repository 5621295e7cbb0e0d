// What `telltale run` needs to talk to a local agent, without loading the agent itself
// (SQLite, gRPC, bpftrace): a tracked build's wrapper should start in milliseconds.
export { controlRequest } from './adapters/control-server.js';
export { ciContextFromEnv, type CiContext } from './core/ci-context.js';
