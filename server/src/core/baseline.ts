// A pipeline's baseline as the ingest core needs it: the registrable domains and build-script
// tools it holds (names and destinations live in the store: no detector reads them). While it
// learns, first_seen_domain stays quiet; domains that drew an exfiltration alert are never learnt.

/**
 * auto: the first N builds teach the baseline, each one a version. supervised: builds only
 * propose entries; they wait for an operator's approval, and the pipeline counts as learning
 * until the first approved version.
 */
export type LearningMode = 'auto' | 'supervised';

export interface BaselineState {
  pipeline: string;
  mode: LearningMode;
  /** Builds that teach an auto baseline, when the pipeline overrides the collector's default. */
  learningBuilds: number | null;
  /** The newest version (0: none yet). */
  version: number;
  learnedBuilds: number;
  domains: Set<string>;
  /** Domains that carried exfiltration in one of the pipeline's builds: never learnt. */
  poisoned: Set<string>;
  /** Per domain, the alert kinds an operator allowed (an alert marked false positive): findings
   * of those kinds naming the domain are dropped; other kinds still fire. */
  allowed: Map<string, Set<string>>;
  /** Tools build scripts ran, as `<script kind>:<executable base name>` (see baseline-entries.ts). */
  tools: Set<string>;
}

export function emptyBaseline(pipeline: string): BaselineState {
  return {
    pipeline, mode: 'auto', learningBuilds: null, version: 0, learnedBuilds: 0,
    domains: new Set(), poisoned: new Set(), allowed: new Map(), tools: new Set(),
  };
}

/** `defaultLearningBuilds` is the collector's --learning-builds; a pipeline may override it. */
export function isLearning(b: BaselineState, defaultLearningBuilds: number): boolean {
  if (b.mode === 'supervised') return b.version === 0;
  return b.learnedBuilds < (b.learningBuilds ?? defaultLearningBuilds);
}

/** Kinds whose domains must never be taught to a baseline, even while it learns. */
export const poisoningKinds = new Set(['encoded_dns_label', 'dns_tunnel_volume', 'doh_endpoint', 'secret_leak']);

/**
 * An operator's word that `kind` alerts on `domain` are false positives for the pipeline: the
 * baseline knows the domain from now on (first_seen_domain is quiet), it is no longer
 * poisoned, and `kind` findings naming it are dropped. Another kind (an encoded label to a
 * domain allowed as merely new) still fires and poisons it again.
 */
export function allowDomain(b: BaselineState, domain: string, kind: string): void {
  let kinds = b.allowed.get(domain);
  if (!kinds) b.allowed.set(domain, (kinds = new Set()));
  kinds.add(kind);
  b.domains.add(domain);
  b.poisoned.delete(domain);
}

/** Takes an allowance back (its alert was reopened); `unlearn` when the allowance taught the baseline the domain. */
export function revokeAllowance(b: BaselineState, domain: string, kind: string, unlearn: boolean): void {
  const kinds = b.allowed.get(domain);
  kinds?.delete(kind);
  if (kinds?.size === 0) b.allowed.delete(domain);
  if (unlearn) b.domains.delete(domain);
}

export function isAllowed(b: BaselineState, domain: string, kind: string): boolean {
  return b.allowed.get(domain)?.has(kind) ?? false;
}

/** The tool name a baseline records for an executable path: its base name. */
export function toolName(exe: string): string {
  const slash = exe.lastIndexOf('/');
  return slash >= 0 ? exe.slice(slash + 1) : exe;
}
