// The affix signal: a well-known name with a word added (`tokio-rs`), or a language word dropped
// (`dateutil`) or swapped (`python3-dateutil`).

import { affixSplits, type AffixSplit } from './affixes.js';
import type { CompiledList } from './compiled-list.js';
import { showName } from './name-forms.js';
import type { Claim } from './signal.js';
import type { Ecosystem } from './well-known-list.js';

/** Claims well-known names `form` (a printable-ASCII canonical name) is an affix variant of. */
export function judgeAffixes(ecosystem: Ecosystem, c: CompiledList, form: string, claim: Claim): void {
  const show = (a: AffixSplit): string => (a.position === 'prefix' ? `prefix "${a.affix}"` : `suffix "${a.affix}"`);
  const splits = affixSplits(ecosystem, form);
  // Added: a well-known name with any affix (`tokio-rs`, `lodash-utils`).
  for (const split of splits) {
    const id = c.exact.get(split.stem);
    if (id !== undefined) {
      claim(id, { kind: 'affix', change: 'added', affix: split.affix, resembles: c.display[id]!, evidence: `${showName(c.display[id]!)} with ${show(split)} added` });
    }
  }
  // Dropped or swapped: only language words (`dateutil` for `python-dateutil`, `python3-dateutil`).
  // Other affixes mark legitimate families (`crossbeam-utils` does not make `crossbeam` a squat).
  for (const { id, split } of c.stems.get(form) ?? []) {
    if (!split.language) continue;
    claim(id, { kind: 'affix', change: 'dropped', affix: split.affix, resembles: c.display[id]!, evidence: `${showName(c.display[id]!)} without its ${show(split)}` });
  }
  for (const split of splits) {
    if (!split.language) continue;
    for (const { id, split: theirs } of c.stems.get(split.stem) ?? []) {
      if (!theirs.language || theirs.position !== split.position || theirs.affix === split.affix) continue;
      claim(id, {
        kind: 'affix', change: 'swapped', affix: split.affix, resembles: c.display[id]!,
        evidence: `${showName(c.display[id]!)} with ${show(split)} for "${theirs.affix}"`,
      });
    }
  }
}
