// Many distinct names under one registrable domain in a short time: the shape of a DNS
// tunnel or of data sent as many small queries, even when no single label looks encoded.
// The window runs on event time (observation.timeUs), so a late batch is judged as it
// happened; repeats of one name do not count (resolvers and retries repeat). State is
// updated in place (see per-build.ts), so a query costs O(1) amortized.

import type { Detector, Finding, Observation } from '../observation.js';
import { compileSpec, hostList, integerIn, numberIn } from './spec-check.js';
import { emptyPerBuild, entryFor, touchBuild, type PerBuild } from './per-build.js';

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

/** Distinct names seen in the window, each with its latest time, in order of that last sighting. */
interface DomainWindow {
  readonly names: Map<string, number>;
  fired: boolean;
}
interface BuildWindows {
  readonly domains: Map<string, DomainWindow>;
  cleared: number;
}
export type DnsTunnelVolumeState = PerBuild<BuildWindows>;

const newBuild = (): BuildWindows => ({ domains: new Map(), cleared: 0 });
const newWindow = (): DomainWindow => ({ names: new Map(), fired: false });

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
    if (state.builds.get(o.buildId)?.domains.get(o.domain)?.fired) return { state, findings: [] };

    const build = touchBuild(state, o.buildId, newBuild, s.maxBuilds);
    const entry = entryFor(build.domains, o.domain, newWindow, s.maxDomainsPerBuild);
    if (entry.cleared) build.cleared++;
    const { names } = entry.value;
    const since = o.timeUs - windowUs;
    names.delete(o.qname); // re-inserting keeps Map order = order of last sighting
    for (const [name, t] of names) {
      if (t > since) break; // in time order from here on, unless events came out of order (see below)
      names.delete(name);
    }
    names.set(o.qname, o.timeUs);
    // Only minDistinctNames entries are ever needed to decide, which bounds the window.
    for (const name of names.keys()) {
      if (names.size <= s.minDistinctNames) break;
      names.delete(name);
    }
    if (names.size < s.minDistinctNames) return { state, findings: [] };
    // Events out of time order can leave an expired name behind a fresher one: check all
    // before firing. In order this finds nothing and the domain fires, so it runs once.
    for (const [name, t] of names) if (t <= since) names.delete(name);
    if (names.size < s.minDistinctNames) return { state, findings: [] };
    entry.value.fired = true;

    const sightings = [...names];
    const first = sightings[0]?.[1] ?? o.timeUs;
    const finding: Finding = {
      kind: 'dns_tunnel_volume', severity: 'medium', dedupeKey: `dns_tunnel_volume:${o.buildId}:${o.domain}`,
      buildId: o.buildId, pid: o.process.pid, qname: o.qname, domain: o.domain, address: null,
      evidence: {
        domain: o.domain, distinctNames: sightings.length, windowSeconds: s.windowSeconds,
        spanSeconds: Math.round((o.timeUs - first) / 1000) / 1000, sampleNames: sightings.slice(-5).map(([n]) => n),
      },
    };
    return { state, findings: [finding] };
  }

  return { kind: 'dns_tunnel_volume', spec: s, init: () => emptyPerBuild<BuildWindows>(), step };
}
