// What the agent tells the collector about a build's lockfiles: every lockfile once per build
// (again only when it changed between two CI steps), and its content only when this agent has
// not sent that content for the pipeline and path before, so a pipeline that builds the same
// lockfile all day sends it once. Pure: the adapter reads the files.

export interface FoundLockfile {
  /** Relative to the workspace, '/'-separated. */
  path: string;
  sha256: string;
  size: number;
}

export type LockfileAnswer =
  | { path: string; sha256: string; size: number; send: 'content' }
  | { path: string; sha256: string; size: number; send: 'hash' };

export interface LockfileMemoryLimits {
  /** Pipeline+path pairs whose last content is remembered (oldest forgotten first: it is sent again). */
  maxRemembered: number;
  /** Open builds whose already-reported lockfiles are remembered. */
  maxBuilds: number;
}

export const LOCKFILE_MEMORY_LIMITS: Readonly<LockfileMemoryLimits> = Object.freeze({ maxRemembered: 4096, maxBuilds: 1024 });

export class LockfileMemory {
  /** `pipeline\0path` → the sha256 of the content last sent (insertion order = age). */
  private readonly sent = new Map<string, string>();
  /** buildId → path → sha256 already reported for that build. */
  private readonly reported = new Map<string, Map<string, string>>();

  constructor(private readonly limits: LockfileMemoryLimits = LOCKFILE_MEMORY_LIMITS) {}

  /**
   * Which of the lockfiles found for a build to report, and whether with content. A file the
   * build already reported unchanged is left out. Call `sent` for each answer actually queued.
   */
  plan(buildId: string, pipeline: string, found: readonly FoundLockfile[]): LockfileAnswer[] {
    const already = this.reported.get(buildId);
    const out: LockfileAnswer[] = [];
    for (const f of found) {
      if (already?.get(f.path) === f.sha256) continue;
      const known = this.sent.get(`${pipeline}\0${f.path}`) === f.sha256;
      out.push({ path: f.path, sha256: f.sha256, size: f.size, send: known ? 'hash' : 'content' });
    }
    return out;
  }

  /** `withContent`: the content went out too (not omitted for size or budget). */
  queued(buildId: string, pipeline: string, answer: LockfileAnswer, withContent: boolean): void {
    let paths = this.reported.get(buildId);
    if (!paths) {
      if (this.reported.size >= this.limits.maxBuilds) this.reported.delete(this.reported.keys().next().value!);
      paths = new Map();
      this.reported.set(buildId, paths);
    }
    paths.set(answer.path, answer.sha256);
    if (!withContent) return;
    const key = `${pipeline}\0${answer.path}`;
    this.sent.delete(key);
    if (this.sent.size >= this.limits.maxRemembered) this.sent.delete(this.sent.keys().next().value!);
    this.sent.set(key, answer.sha256);
  }

  /** The build ended: what it reported is no longer needed. */
  ended(buildId: string): void {
    this.reported.delete(buildId);
  }
}
