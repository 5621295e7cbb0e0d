// The DNS guard's entry points for the CLI (`telltale guard`) and the benchmark.
export { guardConfig, parseAddress, type GuardConfig, type RawGuardOptions } from './guard-config.js';
export { startGuardDaemon, type RunningGuard, type GuardTuning } from './guard-daemon.js';
export { startGuardServer, GUARD_LIMITS, type GuardLimits, type HostPort, type RunningGuardServer } from './guard-server.js';
export { createGuardCounters, guardMetricsText, type GuardCounters } from './guard-counters.js';
export { compileGuard, type GuardFinding } from '../../core/guard/guard-decision.js';
export { parseGuardAllowlist, parseGuardAllowlistText } from '../../core/guard/guard-policy.js';
export { createLogger } from '../../logger.js';
