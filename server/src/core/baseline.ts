// A pipeline's baseline: the registrable domains its first builds used. While it learns,
// first_seen_domain stays quiet; domains that drew an exfiltration alert are never learnt.

export interface BaselineState {
  pipeline: string;
  learnedBuilds: number;
  domains: Set<string>;
  /** Domains that carried exfiltration in one of the pipeline's builds: never learnt. */
  poisoned: Set<string>;
}

export function emptyBaseline(pipeline: string): BaselineState {
  return { pipeline, learnedBuilds: 0, domains: new Set(), poisoned: new Set() };
}

export function isLearning(b: BaselineState, learningBuilds: number): boolean {
  return b.learnedBuilds < learningBuilds;
}

/** Kinds whose domains must never be taught to a baseline, even while it learns. */
export const poisoningKinds = new Set(['encoded_dns_label', 'dns_tunnel_volume', 'doh_endpoint']);
