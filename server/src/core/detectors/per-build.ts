// Detector state kept per build, bounded and copy-on-write: the caller may hold on to an
// older state, so an update returns a new map and never touches the old one. When more
// builds are tracked than allowed, the least recently active are forgotten and counted.

export interface PerBuild<T> {
  readonly builds: ReadonlyMap<string, T>;
  /** Builds forgotten to stay under the cap, for metrics. */
  readonly evictedBuilds: number;
}

export function emptyPerBuild<T>(): PerBuild<T> {
  return { builds: new Map(), evictedBuilds: 0 };
}

export function withBuild<T>(state: PerBuild<T>, buildId: string, value: T, maxBuilds: number): PerBuild<T> {
  const builds = new Map(state.builds);
  builds.delete(buildId); // re-inserting keeps Map order = recency of activity
  builds.set(buildId, value);
  let evictedBuilds = state.evictedBuilds;
  for (const oldest of builds.keys()) {
    if (builds.size <= maxBuilds) break;
    builds.delete(oldest);
    evictedBuilds++;
  }
  return { builds, evictedBuilds };
}

/** A copy of `map` with `key` set, or cleared first when it would exceed `cap` (counted by the caller). */
export function withEntry<K, V>(map: ReadonlyMap<K, V>, key: K, value: V, cap: number): { map: Map<K, V>; cleared: boolean } {
  const cleared = !map.has(key) && map.size >= cap;
  const next = cleared ? new Map<K, V>() : new Map(map);
  next.set(key, value);
  return { map: next, cleared };
}
