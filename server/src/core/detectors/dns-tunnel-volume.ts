// Many distinct names under one registrable domain in a short time: the shape of a DNS
// tunnel or of data sent as many small queries, even when no single label looks encoded.
// The window runs on event time (observation.timeUs), so a late batch is judged as it
// happened; repeats of one name do not count (resolvers and retries repeat).

import type { Detector, Finding, Observation } from '../observation.js';
import { compileSpec, hostList, integerIn, numberIn } from './spec-check.js';
import { emptyPerBuild, withBuild, withEntry, type PerBuild } from './per-build.js';

export interface DnsTunnelVolumeSpec {
  windowSeconds: number;
  minDistinctNames: number;
  maxBuilds: number;
  maxDomainsPerBuild: number;
  /** Registrable domains never judged (exact match, lower case). */
  ignoreDomains: readonly string[];
}

export const DNS_TUNNEL_VOLUME_DEFAULTS: DnsTunnelVolumeSpec = {
  windowSeconds: 10, minDistinctNames: 30, maxBuilds: 256, maxDomainsPerBuild: 2048, ignoreDomains: [],
};

/** Distinct names seen in the window, oldest first, each with its latest time. */
interface DomainWindow {
  readonly names: ReadonlyArray<readonly [string, number]>;
  readonly fired: boolean;
}
interface BuildWindows {
  readonly domains: ReadonlyMap<string, DomainWindow>;
  readonly cleared: number;
}
export type DnsTunnelVolumeState = PerBuild<BuildWindows>;

const EMPTY_BUILD: BuildWindows = { domains: new Map(), cleared: 0 };

export type DnsTunnelVolumeDetector = Detector<DnsTunnelVolumeState> & { readonly spec: Readonly<DnsTunnelVolumeSpec> };

export function compileDnsTunnelVolume(spec: Partial<DnsTunnelVolumeSpec> = {}): DnsTunnelVolumeDetector {
  const s = compileSpec('dns_tunnel_volume', DNS_TUNNEL_VOLUME_DEFAULTS, spec, {
    windowSeconds: numberIn(0.001, 86_400), minDistinctNames: integerIn(2, 100_000),
    maxBuilds: integerIn(1, 1_000_000), maxDomainsPerBuild: integerIn(1, 1_000_000), ignoreDomains: hostList,
  });
  const windowUs = s.windowSeconds * 1_000_000;
  const ignored = new Set(s.ignoreDomains);

  function step(state: DnsTunnelVolumeState, o: Observation): { state: DnsTunnelVolumeState; findings: Finding[] } {
    // A cut name has no known domain; encoded_dns_label judges those.
    if (o.kind !== 'dns_query' || o.partial || o.domain === null || ignored.has(o.domain)) return { state, findings: [] };
    const build = state.builds.get(o.buildId) ?? EMPTY_BUILD;
    const window = build.domains.get(o.domain);
    if (window?.fired) return { state, findings: [] };

    const since = o.timeUs - windowUs;
    const names = (window?.names ?? []).filter(([name, t]) => t > since && name !== o.qname);
    names.push([o.qname, o.timeUs]);
    // Only minDistinctNames entries are ever needed to decide, which bounds the window.
    if (names.length > s.minDistinctNames) names.splice(0, names.length - s.minDistinctNames);
    const fired = names.length >= s.minDistinctNames;

    const next = withEntry(build.domains, o.domain, { names, fired }, s.maxDomainsPerBuild);
    const nextBuild = { domains: next.map, cleared: build.cleared + (next.cleared ? 1 : 0) };
    const nextState = withBuild(state, o.buildId, nextBuild, s.maxBuilds);
    if (!fired) return { state: nextState, findings: [] };

    const first = names[0]?.[1] ?? o.timeUs;
    const finding: Finding = {
      kind: 'dns_tunnel_volume', severity: 'medium', dedupeKey: `dns_tunnel_volume:${o.buildId}:${o.domain}`,
      buildId: o.buildId, pid: o.process.pid, qname: o.qname, domain: o.domain, address: null,
      evidence: {
        domain: o.domain, distinctNames: names.length, windowSeconds: s.windowSeconds,
        spanSeconds: Math.round((o.timeUs - first) / 1000) / 1000, sampleNames: names.slice(-5).map(([n]) => n),
      },
    };
    return { state: nextState, findings: [finding] };
  }

  return { kind: 'dns_tunnel_volume', spec: s, init: () => emptyPerBuild<BuildWindows>(), step };
}
