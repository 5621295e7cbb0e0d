// The entries a pipeline's baseline holds and how they are written: exact DNS names,
// registrable domains, destinations (protocol, address, port) and the tools each kind of
// build script spawns. One text form per kind, parsed at every edge (API bodies, the store).
import { canonicalIp, unmapIpv4 } from './ip-text.js';

export type EntryKind = 'name' | 'domain' | 'destination' | 'tool';
export const ENTRY_KINDS: readonly EntryKind[] = ['name', 'domain', 'destination', 'tool'];

export interface BaselineEntryRef {
  kind: EntryKind;
  value: string;
}

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;
const SCRIPT_KINDS = new Set(['cargo_build_script', 'rustc_proc_macro', 'npm_lifecycle', 'setup_py', 'go_generate']);
const TOOL = /^[A-Za-z0-9._+-]{1,128}$/;

/** `name` is `domain` or a name under it. */
export function isUnder(name: string, domain: string): boolean {
  return name === domain || name.endsWith(`.${domain}`);
}

/** A DNS name as a baseline keeps it: lower case, no trailing dot, LDH/underscore labels, ≤253. */
export function normaliseName(text: string): string | null {
  const name = text.toLowerCase().replace(/\.$/, '');
  if (name.length === 0 || name.length > 253) return null;
  return name.split('.').every((l) => LABEL.test(l)) ? name : null;
}

/** `tcp/192.0.2.1:443`, `udp/[2001:db8::1]:53`. */
export function destinationValue(protocol: 'tcp' | 'udp', address: string, port: number): string {
  const a = unmapIpv4(address);
  return `${protocol}/${a.includes(':') ? `[${a}]` : a}:${port}`;
}

export interface ParsedDestination {
  protocol: 'tcp' | 'udp';
  address: string;
  port: number;
}

export function parseDestination(value: string): ParsedDestination | null {
  const m = /^(tcp|udp)\/(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+)):([0-9]{1,5})$/.exec(value);
  if (!m) return null;
  const port = Number(m[4]);
  if (port < 1 || port > 65535) return null;
  const text = m[2] ?? m[3]!;
  const canonical = canonicalIp(text);
  if (canonical === null || canonical.includes(':') !== (m[2] !== undefined)) return null;
  return { protocol: m[1] as 'tcp' | 'udp', address: unmapIpv4(canonical), port };
}

/** `cargo_build_script:cc`: a tool (executable base name) a kind of build script ran. */
export function toolValue(scriptKind: string, tool: string): string {
  return `${scriptKind}:${tool}`;
}

/** The entry in its one written form, or null when it is not a valid entry of its kind. */
export function normaliseEntry(kind: string, value: string): BaselineEntryRef | null {
  switch (kind) {
    case 'name':
    case 'domain': {
      const name = normaliseName(value);
      return name === null ? null : { kind, value: name };
    }
    case 'destination': {
      const d = parseDestination(value);
      return d === null ? null : { kind, value: destinationValue(d.protocol, d.address, d.port) };
    }
    case 'tool': {
      const i = value.indexOf(':');
      if (i < 0 || !SCRIPT_KINDS.has(value.slice(0, i)) || !TOOL.test(value.slice(i + 1))) return null;
      return { kind, value };
    }
    default:
      return null;
  }
}

export const entryKey = (e: BaselineEntryRef): string => `${e.kind}\0${e.value}`;

export function compareEntries(a: BaselineEntryRef, b: BaselineEntryRef): number {
  return a.kind === b.kind ? (a.value < b.value ? -1 : a.value > b.value ? 1 : 0) : ENTRY_KINDS.indexOf(a.kind) - ENTRY_KINDS.indexOf(b.kind);
}

export interface VersionChange {
  version: number;
  added: readonly BaselineEntryRef[];
  removed: readonly BaselineEntryRef[];
}

export interface EntryDiff {
  added: BaselineEntryRef[];
  removed: BaselineEntryRef[];
}

/**
 * What changed from version `from` to version `to` (either order: going back swaps the sides),
 * given each version's own changes. An entry added then removed in between is in neither.
 */
export function diffVersions(changes: readonly VersionChange[], from: number, to: number): EntryDiff {
  const [lo, hi, swap] = from <= to ? [from, to, false] : [to, from, true];
  const net = new Map<string, { entry: BaselineEntryRef; delta: number }>();
  for (const c of [...changes].sort((a, b) => a.version - b.version)) {
    if (c.version <= lo || c.version > hi) continue;
    for (const [list, sign] of [[c.added, 1], [c.removed, -1]] as const) {
      for (const e of list) {
        const k = entryKey(e);
        const cur = net.get(k) ?? { entry: e, delta: 0 };
        // A later change overrides an earlier one: presence is what counts, not how often.
        cur.delta = cur.delta === -sign ? 0 : sign;
        net.set(k, cur);
      }
    }
  }
  const added: BaselineEntryRef[] = [];
  const removed: BaselineEntryRef[] = [];
  for (const { entry, delta } of net.values()) {
    if (delta > 0) added.push(entry);
    else if (delta < 0) removed.push(entry);
  }
  added.sort(compareEntries);
  removed.sort(compareEntries);
  return swap ? { added: removed, removed: added } : { added, removed };
}
