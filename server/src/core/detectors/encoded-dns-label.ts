// Data smuggled out in DNS names: subdomain labels that read as encoded, random text.
// Fires from the very first build (no baseline needed) when one query carries enough
// likely-encoded bits, or when the distinct random-looking labels sent to one registrable
// domain within a build add up. A label seen again adds nothing: a CDN id repeated a
// hundred times is one id, while a secret has to be sent as ever new chunks. State is
// updated in place (see per-build.ts), so a query costs O(1) amortized per label.

import type { Detector, DnsQueryObservation, Finding, Observation } from '../observation.js';
import { scoreSubdomain, type LabelScore, type SubdomainScore } from '../label-score.js';
import { compileSpec, hostList, integerIn, numberIn } from './spec-check.js';
import { emptyPerBuild, entryFor, touchBuild, type PerBuild } from './per-build.js';

export interface EncodedDnsLabelSpec {
  /** One query carrying at least this many likely-encoded bits fires alone (~10 bytes). */
  singleQueryBits: number;
  /** Distinct random-looking bits sent to one domain within a build that fire (~20 bytes). */
  accumulatedBits: number;
  /** A label counts toward the accumulation only when at least this random (0..1). */
  minRandomness: number;
  maxBuilds: number;
  maxDomainsPerBuild: number;
  maxLabelsPerDomain: number;
  /** Registrable domains never judged (exact match, lower case). */
  ignoreDomains: readonly string[];
}

export const ENCODED_DNS_LABEL_DEFAULTS: EncodedDnsLabelSpec = {
  singleQueryBits: 140, accumulatedBits: 160, minRandomness: 0.5,
  maxBuilds: 256, maxDomainsPerBuild: 1024, maxLabelsPerDomain: 4096, ignoreDomains: [],
};

interface DomainTally {
  readonly seen: Set<string>;
  bits: number;
  queries: number;
  fired: boolean;
}
interface BuildTally {
  readonly domains: Map<string, DomainTally>;
  /** Times a cap forced forgetting (domains of this build, or labels of one domain). */
  cleared: number;
}
export type EncodedDnsLabelState = PerBuild<BuildTally>;

/** Accumulation key for names cut before their suffix: their domain is unknown. */
export const CUT_NAME_KEY = '(cut name)';
const NO_LABELS: ReadonlySet<string> = new Set();
const newTally = (): DomainTally => ({ seen: new Set(), bits: 0, queries: 0, fired: false });
const newBuild = (): BuildTally => ({ domains: new Map(), cleared: 0 });

export type EncodedDnsLabelDetector = Detector<EncodedDnsLabelState> & { readonly spec: Readonly<EncodedDnsLabelSpec> };

export function compileEncodedDnsLabel(spec: Partial<EncodedDnsLabelSpec> = {}): EncodedDnsLabelDetector {
  const s = compileSpec('encoded_dns_label', ENCODED_DNS_LABEL_DEFAULTS, spec, {
    singleQueryBits: numberIn(1, 10_000), accumulatedBits: numberIn(1, 100_000), minRandomness: numberIn(0, 1),
    maxBuilds: integerIn(1, 1_000_000), maxDomainsPerBuild: integerIn(1, 1_000_000),
    maxLabelsPerDomain: integerIn(1, 1_000_000), ignoreDomains: hostList,
  });
  const ignored = new Set(s.ignoreDomains);

  function step(state: EncodedDnsLabelState, o: Observation): { state: EncodedDnsLabelState; findings: Finding[] } {
    const unchanged = { state, findings: [] };
    if (o.kind !== 'dns_query') return unchanged;
    // A cut name lost its right end (the domain): everything read is the sender's data.
    const domain = o.partial ? null : o.domain;
    if (!o.partial && (domain === null || ignored.has(domain))) return unchanged;
    const labels = o.partial ? o.labels : o.subdomainLabels;
    const score = scoreSubdomain(labels);
    const units = accumulationUnits(score);
    if (score.bits === 0 && units.every((u) => u.bits === 0)) return unchanged;

    const key = domain ?? CUT_NAME_KEY;
    const known = state.builds.get(o.buildId)?.domains.get(key);
    if (known?.fired) return unchanged; // one alert per build and domain; the store keeps the first

    const seenBefore = known?.seen ?? NO_LABELS;
    const fresh = units.filter((u) => u.bits > 0 && u.randomness >= s.minRandomness && !seenBefore.has(u.label));
    const added = fresh.reduce((sum, u) => sum + u.bits, 0);
    const singleHit = score.bits >= s.singleQueryBits;
    if (added === 0 && !singleHit) return unchanged;

    const build = touchBuild(state, o.buildId, newBuild, s.maxBuilds);
    const entry = entryFor(build.domains, key, newTally, s.maxDomainsPerBuild);
    if (entry.cleared) build.cleared++;
    const tally = entry.value;
    for (const u of fresh) tally.seen.add(u.label);
    if (tally.seen.size > s.maxLabelsPerDomain) {
      tally.seen.clear();
      for (const u of fresh) tally.seen.add(u.label);
      build.cleared++;
    }
    tally.bits += added;
    if (added > 0) tally.queries++;
    tally.fired = singleHit || tally.bits >= s.accumulatedBits;
    if (!tally.fired) return unchanged;
    return { state, findings: [finding(o, domain, key, score, singleHit, tally.bits, tally.queries)] };
  }

  function finding(
    o: DnsQueryObservation, domain: string | null, key: string, score: SubdomainScore,
    singleHit: boolean, accumulated: number, queries: number,
  ): Finding {
    const strongest: LabelScore | undefined = score.reading === 'joined' && score.joined
      ? score.joined
      : [...score.labels].sort((a, b) => b.rawBits - a.rawBits)[0];
    return {
      kind: 'encoded_dns_label', severity: 'high', dedupeKey: `encoded_dns_label:${o.buildId}:${key}`,
      buildId: o.buildId, pid: o.process.pid, qname: o.qname, domain, address: null,
      evidence: {
        trigger: singleHit ? 'single_query' : 'accumulated',
        labels: (o.partial ? o.labels : o.subdomainLabels).slice(0, 16),
        reading: score.reading,
        alphabet: strongest?.alphabet ?? null,
        length: strongest?.length ?? 0,
        entropy: round(strongest?.entropy ?? 0, 3),
        expectedEntropy: round(strongest?.expectedEntropy ?? 0, 3),
        randomness: round(strongest?.randomness ?? 0, 3),
        bitsThisQuery: round(score.bits, 1),
        bitsAccumulated: round(accumulated, 1),
        distinctQueries: queries,
        partial: o.partial,
        thresholds: { singleQueryBits: s.singleQueryBits, accumulatedBits: s.accumulatedBits },
      },
    };
  }

  return { kind: 'encoded_dns_label', spec: s, init: () => emptyPerBuild<BuildTally>(), step };
}

/**
 * What one query adds to its domain's tally, label by label. Read joined, each label gets
 * its share of the joined bits; read alone, a label counts its bits even when short.
 */
function accumulationUnits(score: SubdomainScore): Array<{ label: string; bits: number; randomness: number }> {
  if (score.reading === 'joined') {
    const randomness = score.joined?.randomness ?? 0;
    return score.labelBits.map((lb) => ({ label: lb.label, bits: lb.bits, randomness }));
  }
  return score.labels.map((l) => ({ label: l.text, bits: l.rawBits, randomness: l.randomness }));
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
