// The forms a package name is compared in. `canonical` is the registry's own idea of "the same
// name"; the skeleton drops separators; segments are the parts a person reads apart.

import type { Ecosystem } from './well-known-list.js';

/**
 * The name as its registry compares it. crates.io refuses a crate that differs from an existing
 * one only in `-`/`_` or case, and cargo will not resolve one for the other; PyPI normalises per
 * PEP 503 (case, runs of `-_.`); npm names are lower case (old mixed-case ones resolve apart, but
 * read the same); Go module paths are compared lower case because the forges behind them are.
 */
export function canonicalName(ecosystem: Ecosystem, name: string): string {
  const lower = name.toLowerCase();
  switch (ecosystem) {
    case 'cargo': return lower.replace(/_/g, '-');
    case 'pypi': return lower.replace(/[-_.]+/g, '-');
    case 'npm':
    case 'go': return lower;
  }
}

/** Separators dropped: `url-parse`, `url_parse`, `url.parse` and `urlparse` share `urlparse`. */
export function skeleton(canonical: string): string {
  return canonical.replace(/[-_.]/g, '');
}

/**
 * The parts of a name that are typed and read separately: an npm scope and its package, the
 * elements of a Go module path. An edit budget applies per segment, so `@types/nose` is not a
 * typo of `@types/node` (a four-letter name has none) while `@typse/node` is.
 */
export function segments(ecosystem: Ecosystem, canonical: string): string[] {
  if (ecosystem === 'go') return canonical.split('/');
  if (ecosystem === 'npm' && canonical.startsWith('@')) {
    const slash = canonical.indexOf('/');
    if (slash > 0) return [canonical.slice(0, slash), canonical.slice(slash + 1)];
  }
  return [canonical];
}

export function isPrintableAscii(s: string): boolean {
  return /^[\x21-\x7e]*$/.test(s);
}

/** A name for evidence text: printable ASCII as is, anything else as \u escapes, cut at 80. */
export function showName(name: string): string {
  const cut = name.length > 80;
  const shown = JSON.stringify(cut ? name.slice(0, 80) : name).replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return cut ? `${shown}...` : shown;
}
