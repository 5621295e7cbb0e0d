// Keeps newest-first lists current from live messages and re-fetches, without reloading what the user paged in.

export interface MergeKeys<T> {
  id: (row: T) => string;
  /** Larger is newer; the list is sorted by it, descending. */
  order: (row: T) => number;
}

/**
 * Applies one live row: replaced in place when present, removed when it no longer matches the
 * filter, inserted at its place when new. A new row older than the last loaded one is left
 * for "load older" when more pages exist, so pages neither overlap nor skip.
 */
export function upsertRow<T>(rows: T[], row: T, keys: MergeKeys<T>, opts: { matches: boolean; hasMore: boolean }): T[] {
  const id = keys.id(row);
  const at = rows.findIndex((r) => keys.id(r) === id);
  if (!opts.matches) return at < 0 ? rows : rows.filter((_, i) => i !== at);
  if (at >= 0) {
    const copy = rows.slice();
    copy[at] = row;
    return copy;
  }
  const o = keys.order(row);
  const last = rows[rows.length - 1];
  if (opts.hasMore && last !== undefined && o < keys.order(last)) return rows;
  let i = rows.findIndex((r) => keys.order(r) < o);
  if (i < 0) i = rows.length;
  return [...rows.slice(0, i), row, ...rows.slice(i)];
}

/**
 * Folds a freshly fetched first page into what is loaded (after a reconnect): fresh rows win,
 * older loaded rows stay. When the fresh page does not reach the loaded rows (more than a page
 * was missed), the loaded rows are dropped and paging restarts from the fresh page's cursor.
 */
export function mergeFirstPage<T>(
  loaded: T[], loadedNext: string | null, fresh: T[], freshNext: string | null, keys: MergeKeys<T>,
): { rows: T[]; next: string | null } {
  // A complete first page is the whole list.
  if (freshNext === null) return { rows: fresh, next: null };
  const lastFresh = fresh[fresh.length - 1];
  const firstLoaded = loaded[0];
  if (lastFresh === undefined || firstLoaded === undefined) return { rows: fresh, next: freshNext };
  const freshIds = new Set(fresh.map(keys.id));
  const overlaps = loaded.some((r) => freshIds.has(keys.id(r))) || keys.order(lastFresh) <= keys.order(firstLoaded);
  if (!overlaps) return { rows: fresh, next: freshNext };
  const cut = keys.order(lastFresh);
  const older = loaded.filter((r) => !freshIds.has(keys.id(r)) && keys.order(r) <= cut);
  return { rows: [...fresh, ...older], next: loadedNext };
}
