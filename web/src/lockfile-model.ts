// Pure helpers for a build's lockfiles: one card per path (its latest snapshot), what its status means
// for a person, and its change since the pipeline's previous build as one line of counts.
import type { BuildLockfileRow, LockfileChange } from './api-types';

export interface LockfileCard {
  row: BuildLockfileRow;
  /** How many times the agent reported this path in the build (a rewritten lockfile is reported again). */
  snapshots: number;
}

/** The latest snapshot of each path, in the order the paths were first reported. */
export function lockfileCards(rows: unknown): LockfileCard[] {
  if (!Array.isArray(rows)) return [];
  const byPath = new Map<string, LockfileCard>();
  for (const row of rows as BuildLockfileRow[]) {
    if (typeof row !== 'object' || row === null || typeof row.path !== 'string') continue;
    const seen = byPath.get(row.path);
    byPath.set(row.path, { row, snapshots: (seen?.snapshots ?? 0) + 1 });
  }
  return [...byPath.values()];
}

const STATUS: Record<BuildLockfileRow['status'], string> = {
  parsed: 'parsed',
  unparsable: 'could not be parsed',
  content_unknown: 'content never received',
  too_large: 'too large: the agent sent only its hash',
  over_budget: "over the agent's budget: it sent only the hash",
};

export function lockfileStatusText(status: string): string {
  return Object.hasOwn(STATUS, status) ? STATUS[status as BuildLockfileRow['status']] : status;
}

/** `1 added, 1 upgraded`; `no change` when nothing moved. */
export function changeCounts(change: LockfileChange): string {
  const c = change.counts;
  const parts: [number, string][] = [
    [c.added, 'added'], [c.removed, 'removed'], [c.upgraded, 'upgraded'], [c.downgraded, 'downgraded'],
    [c.changedInPlace, 'changed in place'], [c.scriptsGained, 'gained a build script'],
  ];
  const said = parts.filter(([n]) => n > 0).map(([n, what]) => `${n.toLocaleString('en-US')} ${what}`);
  return said.length ? said.join(', ') : 'no change';
}

/** Look-alike packages flagged across the build's lockfiles. */
export function flaggedCount(cards: LockfileCard[]): number {
  return cards.reduce((n, c) => n + (c.row.change?.flagged.length ?? 0), 0);
}

/** How many of a capped list's `total` were left out. */
export function leftOut(total: number, shown: number): number {
  return Math.max(0, total - shown);
}
