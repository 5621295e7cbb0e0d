// Words squatters put around a well-known name (`tokio-rs`, `python3-dateutil`, `lodash.js`,
// `requests-utils`, `github.com/boltdb-go/bolt`), per ecosystem. A name made of a well-known name
// and one of these is a signal only when the combination is not itself well-known: `serde_json` is
// listed, so it is never judged; `serde-jsonn` is an edit, not an affix.

import { segments } from './name-forms.js';
import type { Ecosystem } from './well-known-list.js';

export interface AffixTable {
  /** Words naming the language or registry (`python3-`, `-rs`, `node-`): a squat adds, drops or swaps them. */
  readonly language: readonly string[];
  /** Other words a squat adds (`-utils`, `-v2`, `-fix`); only adding one is a signal, see `affixSplits`. */
  readonly prefixes: readonly string[];
  readonly suffixes: readonly string[];
}

// Chosen from how squats are named in public reports (a language or registry word, a "better
// version" word, a helper word) and kept off words that legitimately split one project into
// crates or packages (`-sys`, `-core`, `-derive`, `-macros`, `-types`, `-cli`): those families are
// many and mostly absent from the lists, so they would flag more legitimate names than squats.
const COMMON_SUFFIXES = ['utils', 'util', 'helper', 'helpers', 'tools', 'v2', '2', 'ng', 'next', 'new', 'fix', 'fixed', 'patch', 'patched', 'fork', 'latest', 'official', 'secure', 'plus', 'pro', 'lite', 'dev', 'lib'];

export const AFFIXES: Readonly<Record<Ecosystem, AffixTable>> = Object.freeze({
  cargo: { language: ['rust', 'rs'], prefixes: ['lib'], suffixes: COMMON_SUFFIXES },
  npm: { language: ['node', 'js', 'npm'], prefixes: [], suffixes: COMMON_SUFFIXES },
  pypi: { language: ['python', 'python3', 'py', 'py3'], prefixes: [], suffixes: COMMON_SUFFIXES },
  // A module path already names its publisher; only the language word is added to an owner or repository.
  go: { language: ['go', 'golang'], prefixes: [], suffixes: [] },
});

/** The shortest stem an affix may leave: `py` + `pi` is not `pypi` with a prefix. */
export const MIN_STEM = 4;

export interface AffixSplit {
  /** The name without the affix. */
  readonly stem: string;
  /** The affix as written, with its separator: `python3-`, `-rs`, `.js`. */
  readonly affix: string;
  readonly position: 'prefix' | 'suffix';
  /** A language word (`python-`, `-rs`): dropping or swapping it is a signal too, not only adding it. */
  readonly language: boolean;
}

const SEPARATORS = ['-', '_', '.', ''];

/**
 * Every way to read a canonical name as an affix and a stem. The affix sits on the package name
 * (after an npm scope) or, in a Go module path, on the owner or the repository.
 */
export function affixSplits(ecosystem: Ecosystem, canonical: string): AffixSplit[] {
  const table = AFFIXES[ecosystem];
  const parts = segments(ecosystem, canonical);
  const first = ecosystem === 'go' ? 1 : parts.length - 1;
  const ok = (stem: string): boolean => stem.length >= MIN_STEM && /^[a-z0-9]/.test(stem) && /[a-z0-9]$/.test(stem);
  const out: AffixSplit[] = [];
  for (let i = first; i < parts.length; i++) {
    const part = parts[i]!;
    const rebuild = (stem: string): string => [...parts.slice(0, i), stem, ...parts.slice(i + 1)].join('/');
    for (const sep of SEPARATORS) {
      for (const [words, language] of [[table.language, true], [table.prefixes, false]] as const) {
        for (const word of words) {
          const affix = word + sep;
          const stem = part.slice(affix.length);
          if (part.startsWith(affix) && ok(stem)) out.push({ stem: rebuild(stem), affix, position: 'prefix', language });
        }
      }
      for (const [words, language] of [[table.language, true], [table.suffixes, false]] as const) {
        for (const word of words) {
          const affix = sep + word;
          const stem = part.slice(0, part.length - affix.length);
          if (part.endsWith(affix) && ok(stem)) out.push({ stem: rebuild(stem), affix, position: 'suffix', language });
        }
      }
    }
  }
  return out;
}
