// A pipeline's baseline as the console shows it: entries grouped by kind, what a selection of
// them means for each action, and which two versions a selection of versions compares.
import type { BaselineEntry, BaselineEntryKind, BaselineEntryRef } from './api-types';

export const ENTRY_KINDS: readonly BaselineEntryKind[] = ['name', 'domain', 'destination', 'tool'];

export const KIND_TITLES: Record<BaselineEntryKind, string> = { name: 'Names', domain: 'Domains', destination: 'Destinations', tool: 'Tools' };

/** active: in a version; learning: a running learning build is teaching it; pending: waits for an operator. */
export type EntryStatus = 'active' | 'learning' | 'pending';

export function entryStatus(e: Pick<BaselineEntry, 'state' | 'version'>): EntryStatus {
  if (e.state === 'pending') return 'pending';
  return e.version === null ? 'learning' : 'active';
}

export const entryKey = (e: BaselineEntryRef): string => `${e.kind}\0${e.value}`;

const byValue = (a: BaselineEntryRef, b: BaselineEntryRef) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0);

/** Entries per kind, pending ones first (they wait for someone), then by value. Unknown kinds are left out. */
export function groupEntries(entries: readonly BaselineEntry[]): Record<BaselineEntryKind, BaselineEntry[]> {
  const out: Record<BaselineEntryKind, BaselineEntry[]> = { name: [], domain: [], destination: [], tool: [] };
  for (const e of entries) if (Object.hasOwn(out, e.kind)) out[e.kind].push(e);
  for (const k of ENTRY_KINDS) out[k].sort((a, b) => Number(b.state === 'pending') - Number(a.state === 'pending') || byValue(a, b));
  return out;
}

/** The selected entries in the given state, as the API names them. */
export function selectedRefs(entries: readonly BaselineEntry[], selected: ReadonlySet<string>, state: BaselineEntry['state']): BaselineEntryRef[] {
  return entries.filter((e) => e.state === state && selected.has(entryKey(e))).map(({ kind, value }) => ({ kind, value }));
}

export function toggled<T>(set: ReadonlySet<T>, item: T): Set<T> {
  const next = new Set(set);
  if (next.has(item)) next.delete(item);
  else next.add(item);
  return next;
}

/** A selection after the entries were fetched again: keys that no longer name an entry in `state` go. */
export function pruneSelection(selected: ReadonlySet<string>, entries: readonly BaselineEntry[]): Set<string> {
  const present = new Set(entries.map((e) => `${e.state}\0${entryKey(e)}`));
  return new Set([...selected].filter((k) => present.has(`active\0${k}`) || present.has(`pending\0${k}`)));
}

/**
 * The versions a selection compares: one version against the one before it, two versions
 * oldest to newest; anything else compares nothing.
 */
export function diffRange(selected: readonly number[]): { from: number; to: number } | null {
  if (selected.length === 1) return { from: Math.max(0, selected[0]! - 1), to: selected[0]! };
  if (selected.length === 2) {
    const [a, b] = [...selected].sort((x, y) => x - y) as [number, number];
    return a === b ? null : { from: a, to: b };
  }
  return null;
}

/** Adds a version to a selection of at most two; a third replaces the older pick. */
export function pickVersion(selected: readonly number[], version: number): number[] {
  if (selected.includes(version)) return selected.filter((v) => v !== version);
  return [...selected, version].slice(-2);
}

/** "3 names, 1 destination": what a list of entries holds, by kind, kinds with none left out. */
export function describeCounts(counts: Partial<Record<BaselineEntryKind, number>>): string {
  const noun: Record<BaselineEntryKind, [string, string]> = {
    name: ['name', 'names'], domain: ['domain', 'domains'], destination: ['destination', 'destinations'], tool: ['tool', 'tools'],
  };
  const parts = ENTRY_KINDS.filter((k) => (counts[k] ?? 0) > 0).map((k) => `${counts[k]} ${noun[k][counts[k] === 1 ? 0 : 1]}`);
  return parts.length === 0 ? 'nothing' : parts.join(', ');
}
