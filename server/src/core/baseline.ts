// A pipeline's baseline: the registrable domains its first builds used. While it learns,
// first_seen_domain stays quiet; domains that drew an exfiltration alert are never learnt.

export interface BaselineState {
  pipeline: string;
  learnedBuilds: number;
  domains: Set<string>;
  /** Domains that carried exfiltration in one of the pipeline's builds: never learnt. */
  poisoned: Set<string>;
  /** Domains an operator allowed (an alert marked false positive): no alert names them again. */
  allowed: Set<string>;
  /** Executable base names its learning builds ran. */
  tools: Set<string>;
}

export function emptyBaseline(pipeline: string): BaselineState {
  return { pipeline, learnedBuilds: 0, domains: new Set(), poisoned: new Set(), allowed: new Set(), tools: new Set() };
}

export function isLearning(b: BaselineState, learningBuilds: number): boolean {
  return b.learnedBuilds < learningBuilds;
}

/** Kinds whose domains must never be taught to a baseline, even while it learns. */
export const poisoningKinds = new Set(['encoded_dns_label', 'dns_tunnel_volume', 'doh_endpoint']);

/**
 * An operator's word that `domain` is fine for the pipeline: the baseline knows it from now
 * on (first_seen_domain is quiet), it is no longer poisoned, and findings naming it are dropped.
 */
export function allowDomain(b: BaselineState, domain: string): void {
  b.allowed.add(domain);
  b.domains.add(domain);
  b.poisoned.delete(domain);
}

/** The tool name a baseline records for an executable path: its base name. */
export function toolName(exe: string): string {
  const slash = exe.lastIndexOf('/');
  return slash >= 0 ? exe.slice(slash + 1) : exe;
}
