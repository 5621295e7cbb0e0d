// What the agent has told the collector about lockfiles: every lockfile once per build (again
// only when it changed between two CI steps), and its content only when this agent has not
// sent that content for the pipeline and path within the last hour, so a pipeline that builds
// the same lockfile all day sends it about once an hour (a content lost on the way, or a
// collector database replaced, is sent again by then). Pure: the scan reads the files.

/** What the agent already told the collector, by relative path → sha256. */
export interface KnownLockfiles {
  /** Content the collector has for this pipeline: such a file goes by hash only. */
  sent: ReadonlyMap<string, string>;
  /** Reported in this build already, unchanged: left out. */
  reported: ReadonlyMap<string, string>;
}

export interface LockfileMemoryLimits {
  /** Pipeline+path pairs whose last content is remembered (oldest forgotten first: it is sent again). */
  maxRemembered: number;
  /** Open builds whose already-reported lockfiles are remembered. */
  maxBuilds: number;
  /** Content sent longer ago than this is sent again. */
  resendAfterMs: number;
}

export const LOCKFILE_MEMORY_LIMITS: Readonly<LockfileMemoryLimits> = Object.freeze({ maxRemembered: 4096, maxBuilds: 1024, resendAfterMs: 3_600_000 });

export class LockfileMemory {
  /** `pipeline\0path` → the sha256 of the content last sent, and when (insertion order = age). */
  private readonly sent = new Map<string, { sha256: string; atMs: number }>();
  /** buildId → path → sha256 already reported for that build. */
  private readonly reported = new Map<string, Map<string, string>>();

  constructor(private readonly limits: LockfileMemoryLimits = LOCKFILE_MEMORY_LIMITS) {}

  /** What a scan for this build may leave out (reported, unchanged) or send by hash only (content sent lately). */
  known(buildId: string, pipeline: string, nowMs: number): KnownLockfiles {
    const sent = new Map<string, string>();
    const prefix = `${pipeline}\0`;
    for (const [key, v] of this.sent) {
      if (key.startsWith(prefix) && nowMs - v.atMs < this.limits.resendAfterMs) sent.set(key.slice(prefix.length), v.sha256);
    }
    return { sent, reported: new Map(this.reported.get(buildId) ?? []) };
  }

  /** A lockfile event was queued for the build; `withContent`: its content went too. */
  queued(buildId: string, pipeline: string, file: { path: string; sha256: string }, withContent: boolean, nowMs: number): void {
    let paths = this.reported.get(buildId);
    if (!paths) {
      if (this.reported.size >= this.limits.maxBuilds) this.reported.delete(this.reported.keys().next().value!);
      paths = new Map();
      this.reported.set(buildId, paths);
    }
    paths.set(file.path, file.sha256);
    if (!withContent) return;
    const key = `${pipeline}\0${file.path}`;
    this.sent.delete(key);
    if (this.sent.size >= this.limits.maxRemembered) this.sent.delete(this.sent.keys().next().value!);
    this.sent.set(key, { sha256: file.sha256, atMs: nowMs });
  }

  /** The build ended: what it reported is no longer needed. */
  ended(buildId: string): void {
    this.reported.delete(buildId);
  }

  /** Events may have been lost (the spool overflowed): every content is sent again. */
  forgetSent(): void {
    this.sent.clear();
  }
}
