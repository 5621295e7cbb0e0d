// @telltale/server: the collector.
export { startServer, type RunningServer } from './server.js';
export { serverConfig, ConfigError, parseListen, parseDnsPorts, parseExternal, type ServerConfig, type RawServerOptions } from './config.js';
export { createLogger, type Logger } from './logger.js';
export { analyzeEvents, type AnalyzedAlert, type AnalyzeOptions } from './core/analyze.js';
export { policyFromDataDir } from './adapters/policy-export.js';
export {
  guardConfig, startGuardDaemon, guardMetricsText, type GuardConfig, type GuardFinding, type RawGuardOptions, type RunningGuard,
} from './adapters/guard/index.js';
