// A registrable domain the pipeline's baseline has never seen. Learning is the pipeline's
// job; this only speaks once learning is over, and stays quiet for names cut short (their
// suffix, hence their domain, was never read).

import type { Detector, Finding, Observation } from '../observation.js';
import { compileSpec, hostList } from './spec-check.js';

export interface FirstSeenDomainSpec {
  /** Registrable domains never reported (exact match, lower case). */
  ignoreDomains: readonly string[];
}

const DEFAULTS: FirstSeenDomainSpec = { ignoreDomains: [] };

export type FirstSeenDomainDetector = Detector<null> & { readonly spec: Readonly<FirstSeenDomainSpec> };

export function compileFirstSeenDomain(spec: Partial<FirstSeenDomainSpec> = {}): FirstSeenDomainDetector {
  const s = compileSpec('first_seen_domain', DEFAULTS, spec, { ignoreDomains: hostList });
  const ignored = new Set(s.ignoreDomains);
  return {
    kind: 'first_seen_domain',
    spec: s,
    init: () => null,
    step(state: null, o: Observation) {
      if (o.kind !== 'dns_query' || o.domain === null || o.partial) return { state, findings: [] };
      if (o.baselineLearning || o.baselineKnows || ignored.has(o.domain)) return { state, findings: [] };
      const finding: Finding = {
        kind: 'first_seen_domain', severity: 'medium', dedupeKey: `first_seen_domain:${o.buildId}:${o.domain}`,
        buildId: o.buildId, pid: o.process.pid, qname: o.qname, domain: o.domain, address: null,
        evidence: { domain: o.domain, qname: o.qname, qtype: o.qtype, pipeline: o.pipeline },
      };
      return { state, findings: [finding] };
    },
  };
}
