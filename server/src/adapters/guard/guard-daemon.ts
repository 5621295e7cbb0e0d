// Wires the guard daemon: its allowlist (collector or file, refreshed), the compiled guard,
// the DNS listeners, the verdict reporter and /metrics. Enforcement needs a `ready`
// baseline: asked to enforce without one, the guard starts auditing, says so loudly, and
// starts enforcing by itself once a refreshed list is ready (and goes back to auditing,
// loudly, if the baseline is reset to learning).

import type { Logger } from '../../logger.js';
import { ConfigError } from '../../config.js';
import { compileGuard, type CompiledGuard, type GuardFinding, type GuardMode } from '../../core/guard/guard-decision.js';
import type { GuardAllowlistDocument } from '../../core/guard/guard-policy.js';
import { createAllowlistSource } from './allowlist-source.js';
import { createGuardCounters, guardMetricsText, type GuardCounters } from './guard-counters.js';
import type { GuardConfig } from './guard-config.js';
import { serveGuardMetrics } from './guard-metrics-http.js';
import { createGuardReporter, type GuardReporter } from './guard-reporter.js';
import { startGuardServer, type GuardLimits, type HostPort, type RunningGuardServer } from './guard-server.js';

export interface RunningGuard {
  readonly addresses: readonly HostPort[];
  readonly counters: GuardCounters;
  /** What the guard does with new names right now. */
  readonly mode: GuardMode;
  /** Why it is not the mode asked for, or null. */
  readonly modeReason: string | null;
  readonly allowlist: GuardAllowlistDocument | null;
  readonly metricsPort: number | null;
  close(): Promise<void>;
}

/** Knobs tests and benchmarks turn; the defaults are the product's. */
export interface GuardTuning {
  limits?: Partial<GuardLimits>;
  allowlistRefreshMs?: number;
  /** Sees every reported finding as it is made (the fire drill times the guard's refusals). */
  observe?: (f: GuardFinding) => void;
}

export async function startGuardDaemon(config: GuardConfig, log: Logger, tuning: GuardTuning = {}): Promise<RunningGuard> {
  const counters = createGuardCounters();
  let server: RunningGuardServer | null = null;

  const compile = (list: GuardAllowlistDocument | null): CompiledGuard => {
    const guard = compileGuard({ mode: config.mode, allowlist: list, detector: config.detector });
    const before = server?.guard;
    if (guard.modeReason !== null && before?.modeReason !== guard.modeReason) {
      log.error(`NOT ENFORCING: ${guard.modeReason}; new names are forwarded and reported until the baseline is ready`, { pipeline: list?.pipeline ?? null, readiness: list?.readiness ?? null });
    } else if (before !== undefined && before.mode !== guard.mode) {
      log.warn(`guard now ${guard.mode === 'enforce' ? 'enforcing: new names are refused' : 'auditing'}`, { version: list?.version ?? null });
    }
    return guard;
  };

  const source = createAllowlistSource({
    file: config.allowlistFile, collector: config.collector, token: config.token, pipeline: config.pipeline,
    log: log.child('allowlist'), refreshMs: tuning.allowlistRefreshMs,
    onChange: (doc) => {
      log.info('allowlist loaded', { pipeline: doc.pipeline, version: doc.version, readiness: doc.readiness, names: doc.names.length, domains: doc.domains.length });
      if (server !== null) server.guard = compile(doc);
    },
  });
  try {
    await source.load();
  } catch (err) {
    const e = err as Error & { code?: string };
    if (config.allowlistFile !== undefined) throw new ConfigError(`--allowlist ${config.allowlistFile}: ${e.message}`);
    log.error('no allowlist from the collector yet: every name counts as new until it answers', { code: e.code ?? null, error: e.message });
  }

  const pipeline = config.pipeline ?? source.current?.pipeline ?? '';
  const reporter: GuardReporter | null = config.collector !== undefined && config.token !== undefined
    ? createGuardReporter({ collector: config.collector, token: config.token, guard: config.name, pipeline, counters, log: log.child('reporter') })
    : null;
  const verdictLog = log.child('verdict');
  const onFinding = (f: GuardFinding): void => {
    tuning.observe?.(f);
    reporter?.report(f);
    // The name of a blocked_encoded carries the secret itself: it goes to the collector, not into logs.
    if (f.verdict === 'blocked_encoded') verdictLog.warn('blocked encoded data', { client: f.client, domain: f.evidence.domain ?? null, nameLength: f.qname.length, trigger: f.evidence.trigger ?? null });
    else verdictLog.info(f.verdict === 'blocked_new' ? 'refused a new name' : 'forwarded a new name', { client: f.client, qname: f.qname, qtype: f.qtype });
  };

  server = await startGuardServer({
    listen: config.listen, upstreams: config.upstreams, guard: compile(source.current), onFinding, log: log.child('dns'), counters, limits: tuning.limits,
  }).catch((err: NodeJS.ErrnoException) => {
    reporter?.close(0).catch(() => {});
    const hint = err.code === 'EACCES' ? ' (port 53 needs root or CAP_NET_BIND_SERVICE)' : err.code === 'EADDRINUSE' ? ' (another resolver listens there, e.g. systemd-resolved on 127.0.0.53)' : '';
    throw new Error(`cannot listen: ${err.message}${hint}`);
  });
  source.start();
  const metrics = config.metrics === undefined ? null : await serveGuardMetrics(config.metrics, () => guardMetricsText(counters));
  const running = server;

  return {
    addresses: running.addresses,
    counters,
    get mode() {
      return running.guard.mode;
    },
    get modeReason() {
      return running.guard.modeReason;
    },
    get allowlist() {
      return source.current;
    },
    metricsPort: metrics?.port ?? null,
    async close() {
      source.close();
      await running.close();
      await reporter?.close(2000);
      await metrics?.close();
    },
  };
}
