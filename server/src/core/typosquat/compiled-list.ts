// The indexes built from one ecosystem's list at start-up, so judging a name is lookups and
// short verifications: exact names, folded skeletons, affix stems, flattened npm scopes and the
// symmetric-delete index for edits.

import { affixSplits, type AffixSplit } from './affixes.js';
import { foldVisual } from './confusables.js';
import { buildDeletionIndex, type DeletionIndex } from './deletion-index.js';
import { editBudget } from './edit-signal.js';
import { canonicalName, segments, skeleton } from './name-forms.js';
import type { Ecosystem } from './well-known-list.js';

export interface CompiledList {
  /** As the list spells each name: what `resembles` shows. */
  readonly display: string[];
  /** The registry's canonical form of each name (`canonicalName`): what is compared. */
  readonly canon: string[];
  readonly segs: string[][];
  readonly exact: Map<string, number>;
  /** skeleton of the visually folded canonical name -> ids */
  readonly lookalike: Map<string, number[]>;
  /** a stem left by taking an affix off a well-known name -> ids and the affix taken */
  readonly stems: Map<string, Array<{ id: number; split: AffixSplit }>>;
  /** npm: a scoped name with scope and name run together (skeleton) -> ids, and unscoped skeletons -> ids */
  readonly flatScoped: Map<string, number[]>;
  readonly flatUnscoped: Map<string, number[]>;
  readonly index: DeletionIndex;
  /** The longest canonical name: longer candidates are not searched for edits. */
  readonly maxLength: number;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Builds every index `judge` uses, once per ecosystem. */
export function compileList(ecosystem: Ecosystem, names: readonly string[]): CompiledList {
  const display: string[] = [];
  const canon: string[] = [];
  const exact = new Map<string, number>();
  for (const name of names) {
    const c = canonicalName(ecosystem, name);
    const seen = exact.get(c);
    if (seen !== undefined) {
      // `serde_json` and `serde-json` are one crate: show the spelling that is not the canonical one
      // (Debian writes every crate with `-`; a registry or lockfile source has the real `_`).
      if (name !== c) display[seen] = name;
      continue;
    }
    exact.set(c, canon.length);
    canon.push(c);
    display.push(name);
  }
  const segs = canon.map((c) => segments(ecosystem, c));
  const lookalike = new Map<string, number[]>();
  const stems = new Map<string, Array<{ id: number; split: AffixSplit }>>();
  const flatScoped = new Map<string, number[]>();
  const flatUnscoped = new Map<string, number[]>();
  const budgets: number[] = [];
  let maxLength = 0;
  canon.forEach((c, id) => {
    maxLength = Math.max(maxLength, c.length);
    push(lookalike, skeleton(foldVisual(c).text), id);
    for (const split of affixSplits(ecosystem, c)) push(stems, split.stem, { id, split });
    if (ecosystem === 'npm') {
      const s = segs[id]!;
      if (s.length === 2) push(flatScoped, skeleton(s[0]!.slice(1) + s[1]!), id);
      else push(flatUnscoped, skeleton(c), id);
    }
    const total = Math.min(2, segs[id]!.reduce((sum, seg) => sum + editBudget(seg.length), 0));
    budgets.push(total > 0 ? total : -1);
  });
  return { display, canon, segs, exact, lookalike, stems, flatScoped, flatUnscoped, index: buildDeletionIndex(canon, budgets), maxLength };
}
