// The drill's report: what was leaked and how, whether and how fast telltale caught it, and
// which layers acted. Pure: the runner measures, this judges and renders.

export type DrillEncoding = 'base32' | 'base64url' | 'hex';

export interface DrillVariant {
  encoding: DrillEncoding;
  /** `one`, `labels:N` or `queries:N` (see drill/project/README.md). */
  chunk: string;
  paceMs: number;
  qtype: 'A' | 'TXT';
  channel: 'build-script' | 'tool';
  /** A benign control build: the same project without the typosquatted crate. */
  control: boolean;
}

export interface DrillAlert {
  kind: string;
  qname: string | null;
  domain: string | null;
  chainExes: string[];
  /** Milliseconds from the first leaking query reaching the drill DNS server to this alert on the WebSocket. */
  afterFirstQueryMs: number | null;
}

export interface DrillObservation {
  drillId: string;
  variant: DrillVariant;
  domain: string;
  canary: string;
  startedAt: string;
  queryNames: string[];
  rebuiltCanary: string | null;
  alerts: DrillAlert[];
  buildExitCode: number;
  verdictComplete: boolean;
  maxTtdMs: number;
  /** The build the agent tracked; null when no agent answered (the build ran unwatched). */
  buildId: string | null;
  /** From the first leaking query to the console's alert list showing it (with --console), else null. */
  consoleAfterFirstQueryMs: number | null;
  /**
   * With --guard: the DNS guard stood between the build and the drill DNS server. `mode` is
   * what it did (enforcing needs a ready baseline of the drill pipeline), `asked` what was asked;
   * `refused` counts the distinct leaking names it refused.
   */
  guard: { mode: 'audit' | 'enforce'; asked: 'audit' | 'enforce'; refused: number } | null;
  /** Leaking queries that reached the drill DNS server (with a guard, past it). */
  reachedServer: number;
}

export interface DrillReport extends DrillObservation {
  detected: boolean;
  /** First leak-naming alert after the first query, in ms; null when none. */
  timeToDetectMs: number | null;
  withinBound: boolean;
  detectors: string[];
  /** The alert's process chain names the typosquatted crate's build script. */
  chainNamesCrate: boolean;
  layers: {
    /**
     * Limit: not_configured without a guard; blocked when the guard refused the leak and none
     * of it reached the drill DNS server; leaked when any of it got past.
     */
    limit: 'not_configured' | 'blocked' | 'leaked';
    canaryReachedServer: boolean;
    canaryReconstructed: boolean;
    exposed: boolean;
  };
  /** The drill passed: detected within the bound, and blocked when guarded (a control: watched, complete, no alert at all). */
  passed: boolean;
}

const CRATE = 'url-parsr';

export function judgeDrill(o: DrillObservation): DrillReport {
  const leakAlerts = o.alerts.filter((a) => a.domain === o.domain || (a.qname?.endsWith(`.${o.domain}`) ?? false));
  const times = leakAlerts.map((a) => a.afterFirstQueryMs).filter((t): t is number => t !== null);
  const timeToDetectMs = times.length ? Math.max(0, Math.min(...times)) : null;
  const detected = leakAlerts.length > 0;
  const withinBound = timeToDetectMs !== null && timeToDetectMs <= o.maxTtdMs;
  const chainNamesCrate = leakAlerts.some((a) => a.chainExes.some((exe) => exe.includes(CRATE)));
  const limit = o.guard === null ? 'not_configured' as const : o.guard.refused > 0 && o.reachedServer === 0 ? 'blocked' as const : 'leaked' as const;
  return {
    ...o,
    detected, timeToDetectMs, withinBound,
    detectors: [...new Set(o.alerts.map((a) => a.kind))].sort(),
    chainNamesCrate,
    layers: {
      limit,
      canaryReachedServer: o.reachedServer > 0,
      canaryReconstructed: o.rebuiltCanary === o.canary,
      exposed: detected,
    },
    // A control passes only as a watched, complete, successful build that raised nothing: an
    // unwatched or failed build proves nothing.
    passed: o.variant.control
      ? o.buildId !== null && o.verdictComplete && o.buildExitCode === 0 && o.alerts.length === 0
      : detected && withinBound && (o.guard === null || limit === 'blocked'),
  };
}

const ms = (n: number | null) => (n === null ? '—' : n < 1000 ? `${n.toFixed(1)} ms` : `${(n / 1000).toFixed(2)} s`);

/** The terminal summary. */
export function formatDrill(r: DrillReport): string {
  const v = r.variant;
  const lines = [
    `telltale drill ${r.drillId}: ${v.control ? 'control build (the same project without the typosquatted crate)' : `${v.encoding}, chunk ${v.chunk}, ${v.paceMs ? `paced ${v.paceMs} ms` : 'burst'}, ${v.qtype}, via ${v.channel}`}`,
  ];
  if (v.control) {
    lines.push(`  alerts: ${r.alerts.length === 0 ? 'none (as expected)' : r.alerts.map((a) => a.kind).join(', ')}`);
  } else {
    lines.push(
      `  canary reached the drill DNS server: ${r.layers.canaryReachedServer ? `yes, ${r.reachedServer} quer${r.reachedServer === 1 ? 'y' : 'ies'}` : 'no'}`,
      `  canary rebuilt from the queries the build sent: ${r.layers.canaryReconstructed ? 'yes' : 'no'}`,
      `  detected (Expose): ${r.detected ? `yes, by ${r.detectors.join(', ')}` : 'NO'}`,
      `  time to detect (first leaking query → alert on the stream): ${ms(r.timeToDetectMs)} (bound ${ms(r.maxTtdMs)})`,
      ...(r.consoleAfterFirstQueryMs !== null ? [`  … and to the console showing it: ${ms(r.consoleAfterFirstQueryMs)}`] : []),
      `  alert names the crate's build script: ${r.chainNamesCrate ? 'yes' : 'no'}`,
      r.guard === null
        ? '  blocked (Limit): not configured (run with --guard audit|enforce to put the DNS guard in the build\'s path)'
        : `  blocked (Limit): ${r.layers.limit === 'blocked' ? 'yes' : 'NO'}: the DNS guard (${r.guard.mode}${r.guard.asked !== r.guard.mode ? `; ${r.guard.asked} was asked, the drill pipeline's baseline is not ready` : ''}) refused ${r.guard.refused} leaking quer${r.guard.refused === 1 ? 'y' : 'ies'}, ${r.reachedServer} got past`,
    );
  }
  lines.push(
    `  build ${r.buildId === null ? 'NOT WATCHED (no agent answered)' : r.buildId}, exit code ${r.buildExitCode}${r.verdictComplete ? '' : ' (verdict incomplete)'}`,
    `  drill ${r.passed ? 'PASSED' : 'FAILED'}`,
  );
  return lines.join('\n') + '\n';
}
