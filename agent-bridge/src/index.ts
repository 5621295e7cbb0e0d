// @telltale/agent-bridge: the per-host daemon and what `telltale run` uses to talk to it.
export { startAgent, type RunningAgent, type AgentLogger } from './agent.js';
export { agentConfig, AgentConfigError, type AgentConfig, type RawAgentOptions } from './config.js';
export { ciContextFromEnv, type CiContext } from './core/ci-context.js';
export { controlRequest } from './adapters/control-server.js';
export { parseBpftraceLine } from './core/bpftrace-record.js';
export { BpftraceAssembler } from './core/bpftrace-assembler.js';
export { bpftraceCaptureToEvents } from './core/bpftrace-capture.js';
export { decoderFor, isSourceName, SOURCE_NAMES } from './core/decoders.js';
export { captureToEvents } from './core/capture.js';
