// Packages as a parser collects them: one draft per (name, version, source), merged when a
// lockfile lists the same package twice, edges counted against the caps, ids given at the end.
import { LockfileFault, type LockedPackage, type LockfileLimits, type PackageSource } from './lockfile.js';

export interface PackageDraft {
  readonly key: string;
  readonly name: string;
  readonly version: string;
  readonly source: PackageSource;
  readonly sourceDetail: string | undefined;
  checksum: string | undefined;
  hasBuildScript: boolean | null | undefined;
  synthetic: boolean;
  metadataOnly: boolean;
  readonly deps: Set<PackageDraft>;
}

export interface DraftInput {
  name: string;
  version: string;
  source: PackageSource;
  sourceDetail?: string | undefined;
  checksum?: string | undefined;
  hasBuildScript?: boolean | null | undefined;
  synthetic?: boolean;
  metadataOnly?: boolean;
}

export const PROJECT_ID = '(project)';

export class DraftSet {
  private readonly byKey = new Map<string, PackageDraft>();
  private edges = 0;

  constructor(private readonly limits: LockfileLimits) {}

  /** The draft for this package, merged with an earlier one of the same name, version and source. */
  add(input: DraftInput, line?: number): PackageDraft {
    const key = [input.name, input.version, input.source, input.sourceDetail ?? ''].join('\u0000');
    const seen = this.byKey.get(key);
    if (seen) {
      seen.checksum ??= input.checksum;
      if (input.hasBuildScript === true || seen.hasBuildScript === undefined) seen.hasBuildScript = input.hasBuildScript;
      if (!input.metadataOnly) seen.metadataOnly = false;
      return seen;
    }
    if (this.byKey.size >= this.limits.maxPackages) {
      throw new LockfileFault('too_many_packages', `more than ${this.limits.maxPackages} packages`, line);
    }
    const draft: PackageDraft = {
      key, name: input.name, version: input.version, source: input.source, sourceDetail: input.sourceDetail,
      checksum: input.checksum, hasBuildScript: input.hasBuildScript, synthetic: input.synthetic === true,
      metadataOnly: input.metadataOnly === true, deps: new Set(),
    };
    this.byKey.set(key, draft);
    return draft;
  }

  link(from: PackageDraft, to: PackageDraft, line?: number): void {
    if (from === to || from.deps.has(to)) return;
    if (++this.edges > this.limits.maxDependencies) {
      throw new LockfileFault('too_many_dependencies', `more than ${this.limits.maxDependencies} dependency edges`, line);
    }
    from.deps.add(to);
  }

  all(): PackageDraft[] {
    return [...this.byKey.values()];
  }

  /** Gives every draft its id and returns the packages in a stable order (by id). */
  finish(): { packages: LockedPackage[]; idOf: (d: PackageDraft) => string } {
    const groups = new Map<string, PackageDraft[]>();
    for (const d of this.byKey.values()) {
      const base = baseId(d);
      const group = groups.get(base);
      if (group) group.push(d);
      else groups.set(base, [d]);
    }
    const ids = new Map<PackageDraft, string>();
    const taken = new Set<string>();
    for (const [base, group] of groups) {
      for (const d of group) {
        let id = group.length === 1 ? base : `${base} (${d.sourceDetail ?? d.source})`;
        for (let n = 2; taken.has(id); n++) id = `${base} (${d.sourceDetail ?? d.source} #${n})`;
        taken.add(id);
        ids.set(d, id);
      }
    }
    const idOf = (d: PackageDraft) => ids.get(d)!;
    const packages = [...this.byKey.values()].map((d) => toPackage(d, idOf));
    packages.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return { packages, idOf };
  }
}

function baseId(d: PackageDraft): string {
  if (d.synthetic) return PROJECT_ID;
  return d.version === '' ? d.name : `${d.name}@${d.version}`;
}

function toPackage(d: PackageDraft, idOf: (d: PackageDraft) => string): LockedPackage {
  const p: LockedPackage = {
    id: idOf(d), name: d.name, version: d.version, source: d.source,
    dependencies: [...d.deps].map(idOf).sort(),
  };
  if (d.sourceDetail !== undefined) p.sourceDetail = d.sourceDetail;
  if (d.checksum !== undefined) p.checksum = d.checksum;
  if (d.hasBuildScript !== undefined) p.hasBuildScript = d.hasBuildScript;
  if (d.synthetic) p.synthetic = true;
  if (d.metadataOnly) p.metadataOnly = true;
  return p;
}

/** Drafts no other draft depends on, among `candidates`; all candidates when every one is needed (a cycle). */
export function undepended(all: PackageDraft[], candidates: PackageDraft[]): PackageDraft[] {
  const needed = new Set<PackageDraft>();
  for (const d of all) for (const dep of d.deps) needed.add(dep);
  const free = candidates.filter((c) => !needed.has(c));
  return free.length > 0 ? free : candidates;
}
