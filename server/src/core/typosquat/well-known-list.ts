// The lists of well-known package names shipped in ./data (made by scripts/build-typosquat-lists.mjs).
// The adapter reads a file; this checks what it read, once, into a frozen list or a
// TYPOSQUAT_LIST_INVALID error naming the field.

import { TyposquatError } from './typosquat-errors.js';

export const ECOSYSTEMS = ['cargo', 'npm', 'pypi', 'go'] as const;
export type Ecosystem = (typeof ECOSYSTEMS)[number];

export interface WellKnownListHeader {
  readonly ecosystem: Ecosystem;
  /** Where the names came from, for a person. */
  readonly source: string;
  /** ISO time the generator ran. */
  readonly generatedAt: string;
  readonly count: number;
  readonly howToRefresh: string;
}

export interface WellKnownList {
  readonly header: WellKnownListHeader;
  /** Sorted, distinct, as the ecosystem spells them (`serde_json`, `@types/node`, `python-dateutil`). */
  readonly names: readonly string[];
}

export const WELL_KNOWN_LIMITS = Object.freeze({
  /** Far above any real list (npm's most-depended-on 50k would fit). */
  maxNames: 200_000,
  /** npm allows 214; a Go module path can be longer, but not this long. */
  maxNameLength: 256,
  maxTextField: 1024,
});

// Printable ASCII only: every registry here restricts names to it, and a list entry outside it
// is a broken or tampered file, not a name.
const NAME = /^[\x21-\x7e]+$/;

const invalid = (field: string, message: string): TyposquatError =>
  new TyposquatError('TYPOSQUAT_LIST_INVALID', field, `well-known list ${field}: ${message}`);

function text(header: Record<string, unknown>, key: string): string {
  const value = header[key];
  if (typeof value !== 'string' || value.length === 0 || value.length > WELL_KNOWN_LIMITS.maxTextField) {
    throw invalid(`header.${key}`, `must be a string of 1-${WELL_KNOWN_LIMITS.maxTextField} characters`);
  }
  return value;
}

/** Checks one parsed data file (`{header, names}`). Unknown fields are ignored. */
export function parseWellKnownList(json: unknown): WellKnownList {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw invalid('(document)', 'must be a JSON object');
  const doc = json as Record<string, unknown>;
  const rawHeader = doc.header;
  if (rawHeader === null || typeof rawHeader !== 'object' || Array.isArray(rawHeader)) throw invalid('header', 'must be an object');
  const h = rawHeader as Record<string, unknown>;
  const ecosystem = h.ecosystem;
  if (typeof ecosystem !== 'string' || !(ECOSYSTEMS as readonly string[]).includes(ecosystem)) {
    throw invalid('header.ecosystem', `must be one of ${ECOSYSTEMS.join(', ')}`);
  }
  const names = doc.names;
  if (!Array.isArray(names)) throw invalid('names', 'must be an array');
  if (names.length > WELL_KNOWN_LIMITS.maxNames) throw invalid('names', `more than ${WELL_KNOWN_LIMITS.maxNames} entries`);
  const out: string[] = [];
  for (let i = 0; i < names.length; i++) {
    const name: unknown = names[i];
    if (typeof name !== 'string' || name.length > WELL_KNOWN_LIMITS.maxNameLength || !NAME.test(name)) {
      throw invalid(`names[${i}]`, `must be printable ASCII of 1-${WELL_KNOWN_LIMITS.maxNameLength} characters`);
    }
    // Sorted and distinct: the generator writes it so, and a diff of a refresh stays readable.
    if (i > 0 && !(out[i - 1]! < name)) throw invalid(`names[${i}]`, 'out of order or repeated');
    out.push(name);
  }
  const count = h.count;
  if (count !== out.length) throw invalid('header.count', `says ${String(count)}, the list has ${out.length}`);
  const header: WellKnownListHeader = Object.freeze({
    ecosystem: ecosystem as Ecosystem,
    source: text(h, 'source'),
    generatedAt: text(h, 'generatedAt'),
    count: out.length,
    howToRefresh: text(h, 'howToRefresh'),
  });
  return Object.freeze({ header, names: Object.freeze(out) });
}

/** A list made in code (tests, or names an operator adds); sorted and de-duplicated here. */
export function wellKnownList(ecosystem: Ecosystem, names: Iterable<string>, source = 'inline'): WellKnownList {
  const sorted = [...new Set(names)].sort();
  return parseWellKnownList({
    header: { ecosystem, source, generatedAt: '1970-01-01T00:00:00.000Z', count: sorted.length, howToRefresh: 'edit the code that builds it' },
    names: sorted,
  });
}
