// Detector state kept per build, bounded and updated in place: the ingest loop owns the
// state and never keeps an older one, so a step costs O(1) amortized however many builds
// and domains are tracked. Over the cap, the least recently active builds are forgotten and counted.

export interface PerBuild<T> {
  readonly builds: Map<string, T>;
  /** Builds forgotten to stay under the cap, for metrics. */
  evictedBuilds: number;
}

export function emptyPerBuild<T>(): PerBuild<T> {
  return { builds: new Map(), evictedBuilds: 0 };
}

/**
 * The value kept for `buildId` (made by `create` when there is none), marked as the most
 * recently active; the least recently active builds past `maxBuilds` are forgotten.
 */
export function touchBuild<T>(state: PerBuild<T>, buildId: string, create: () => T, maxBuilds: number): T {
  const value = state.builds.get(buildId) ?? create();
  state.builds.delete(buildId); // re-inserting keeps Map order = recency of activity
  state.builds.set(buildId, value);
  for (const oldest of state.builds.keys()) {
    if (state.builds.size <= maxBuilds) break;
    state.builds.delete(oldest);
    state.evictedBuilds++;
  }
  return value;
}

/**
 * The entry for `key`, made by `create` when there is none. A new key that would take `map`
 * past `cap` clears it first (amortized O(1): each clear drops entries that were each added once);
 * `cleared` says so, for the caller's counter.
 */
export function entryFor<K, V>(map: Map<K, V>, key: K, create: () => V, cap: number): { value: V; cleared: boolean } {
  const found = map.get(key);
  if (found !== undefined) return { value: found, cleared: false };
  const cleared = map.size >= cap;
  if (cleared) map.clear();
  const value = create();
  map.set(key, value);
  return { value, cleared };
}
