// A guard on loopback in front of a test upstream, for the socket tests: what they start
// is closed by the `cleanups` they pass in.
import { createLogger } from '../../logger.js';
import { compileGuard, type GuardFinding, type GuardMode } from '../../core/guard/guard-decision.js';
import { parseGuardAllowlist, type GuardAllowlistDocument } from '../../core/guard/guard-policy.js';
import { startGuardServer, type GuardLimits, type HostPort, type RunningGuardServer } from './guard-server.js';
import { startTestUpstream, type TestUpstream, type TestUpstreamOptions } from './test-upstream.js';

export const TEST_ALLOWLIST = parseGuardAllowlist({
  pipeline: 'acme/app', version: 3, readiness: 'ready', names: ['index.crates.example'], domains: ['corp.example'],
});

export interface TestGuard {
  guard: RunningGuardServer;
  upstream: TestUpstream;
  port: number;
  findings: GuardFinding[];
  logs: string[];
}

export interface TestGuardOptions {
  mode?: GuardMode;
  allowlist?: GuardAllowlistDocument | null;
  upstream?: TestUpstreamOptions;
  /** Instead of the test upstream alone (it is still started; a function gets its address). */
  upstreams?: HostPort[] | ((testUpstream: HostPort) => HostPort[]);
  limits?: Partial<GuardLimits>;
}

export async function startTestGuard(cleanups: Array<() => Promise<void>>, o: TestGuardOptions = {}): Promise<TestGuard> {
  const upstream = await startTestUpstream(o.upstream);
  cleanups.push(() => upstream.close());
  const findings: GuardFinding[] = [];
  const logs: string[] = [];
  const guard = await startGuardServer({
    listen: [{ host: '127.0.0.1', port: 0 }],
    upstreams: typeof o.upstreams === 'function' ? o.upstreams({ host: upstream.host, port: upstream.port })
      : o.upstreams ?? [{ host: upstream.host, port: upstream.port }],
    guard: compileGuard({ mode: o.mode ?? 'audit', allowlist: o.allowlist === undefined ? TEST_ALLOWLIST : o.allowlist }),
    onFinding: (f) => findings.push(f),
    log: createLogger('guard', (l) => logs.push(l)),
    limits: o.limits,
  });
  cleanups.push(() => guard.close());
  return { guard, upstream, port: guard.addresses[0]!.port, findings, logs };
}
