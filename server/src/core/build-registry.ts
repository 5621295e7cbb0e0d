// The builds the collector holds in memory: open ones, and ended ones kept a while for late
// events. Bounded: the oldest goes when full, ended builds after a grace, silent ones after a
// day. Their rows stay in the store either way.
import type { BuildState } from './ingest-types.js';

const ENDED_GRACE_US = 15 * 60 * 1_000_000;
const IDLE_BUILD_US = 24 * 3600 * 1_000_000;
const SWEEP_EVERY_US = 60 * 1_000_000;

export class BuildRegistry {
  private readonly builds = new Map<string, BuildState>();
  private ended: { buildId: string; endedUs: number }[] = [];
  private lastSweepUs = 0;
  private open = 0;

  /** `initial` may hold recently ended builds (their grace restarts at `nowUs`). */
  constructor(private readonly capacity: number, initial: readonly BuildState[] = [], nowUs = 0) {
    for (const b of initial) {
      this.add(b);
      if (b.endedUs !== null) this.ended.push({ buildId: b.context.buildId, endedUs: nowUs });
    }
  }

  /** Builds that have not ended. */
  get openCount(): number {
    return this.open;
  }

  /** Open builds that match. */
  countOpen(match: (b: BuildState) => boolean): number {
    let n = 0;
    for (const b of this.builds.values()) if (b.endedUs === null && match(b)) n++;
    return n;
  }

  /** Ids of every build held (open, or ended within its grace). */
  ids(): IterableIterator<string> {
    return this.builds.keys();
  }

  get(buildId: string): BuildState | undefined {
    return this.builds.get(buildId);
  }

  has(buildId: string): boolean {
    return this.builds.has(buildId);
  }

  /**
   * Adds a build; when full, an ended build leaves first, else the oldest open one, which is
   * returned so the caller can mark its coverage incomplete.
   */
  add(b: BuildState): BuildState | null {
    let evicted: BuildState | null = null;
    if (this.builds.size >= this.capacity) {
      const ended = this.ended.find((e) => this.builds.get(e.buildId)?.endedUs != null);
      if (ended) {
        this.builds.delete(ended.buildId);
      } else {
        const oldest = this.builds.values().next();
        if (!oldest.done) {
          evicted = oldest.value;
          this.remove(oldest.value.context.buildId);
        }
      }
    }
    this.builds.set(b.context.buildId, b);
    if (b.endedUs === null) this.open++;
    return evicted;
  }

  /** The build has ended (its endedUs is set by the caller); it stays for late events. */
  markEnded(b: BuildState, nowUs: number): void {
    this.open--;
    this.ended.push({ buildId: b.context.buildId, endedUs: nowUs });
  }

  /** Lets go of ended builds past their grace and, once a minute, builds silent for a day. */
  forget(nowUs: number): void {
    let i = 0;
    while (i < this.ended.length && this.ended[i]!.endedUs + ENDED_GRACE_US < nowUs) {
      const b = this.builds.get(this.ended[i]!.buildId);
      if (b && b.endedUs !== null) this.builds.delete(b.context.buildId);
      i++;
    }
    if (i > 0) this.ended = this.ended.slice(i);
    if (nowUs - this.lastSweepUs < SWEEP_EVERY_US) return;
    this.lastSweepUs = nowUs;
    for (const [id, b] of this.builds) if (b.endedUs === null && b.lastEventUs + IDLE_BUILD_US < nowUs) this.remove(id);
  }

  private remove(buildId: string): void {
    const b = this.builds.get(buildId);
    if (!b) return;
    if (b.endedUs === null) this.open--;
    this.builds.delete(buildId);
  }
}
