// The edit-distance signal: a name within a few typos of a well-known one. The budget depends
// on how long the differing part is; README.md has the trade-off measured on the shipped lists.

import type { CompiledList } from './compiled-list.js';
import { describeOneEdit, osaDistance } from './edit-distance.js';
import { segments, showName } from './name-forms.js';
import type { Claim } from './signal.js';
import type { Ecosystem } from './well-known-list.js';

/**
 * Edits allowed against a well-known name (or one segment of it) of `length` characters.
 * Under 5 there are too many legitimate neighbours (`url`/`uri`, `rand`/`rant`) for one edit to
 * mean anything; from 9 a name is long enough that two edits still leave it recognisable and
 * real neighbours two apart are rare. README.md has the counts measured on the lists.
 */
export function editBudget(length: number): number {
  return length >= 9 ? 2 : length >= 5 ? 1 : 0;
}

/** Claims every well-known name within budget of `form` (a printable-ASCII canonical name). */
export function judgeEdits(ecosystem: Ecosystem, c: CompiledList, form: string, after: string, claim: Claim): void {
  const mine = segments(ecosystem, form);
  // Names that differ only in their numbers (`lua52-sys`/`lua53-sys`, `cli-table`/`cli-table2`)
  // are how families of legitimate packages are named, not how people mistype. (A squat that adds
  // a `2` is an affix; one that writes `1` for `l` is a look-alike.)
  const digitless = form.replace(/[0-9]+/g, '');
  for (const id of c.index.candidates(form, 2)) {
    const known = c.canon[id]!;
    const theirs = c.segs[id]!;
    if (theirs.length !== mine.length || known.replace(/[0-9]+/g, '') === digitless) continue;
    let total = 0;
    for (let i = 0; i < mine.length && total <= 2; i++) {
      const budget = editBudget(judgedLength(mine[i]!, theirs[i]!));
      const d = osaDistance(mine[i]!, theirs[i]!, budget);
      total += d > budget ? 3 : d;
    }
    if (total < 1 || total > 2) continue;
    const what = total === 1 ? describeOneEdit(form, known) : '2 edits';
    claim(id, { kind: 'edit_distance', distance: total, resembles: c.display[id]!, evidence: `${total} edit${total > 1 ? 's' : ''} from ${showName(c.display[id]!)}: ${what}${after}` });
  }
}

/**
 * The length the edit budget is judged on. Whole words both names share at either end count as
 * two characters, not their length: `lodash.keys` and `lodash.keyby` differ in a short word and
 * get one edit, not two (so both, being real, stay apart), while `url-parsr` still gets its one
 * edit against `url-parse`. README.md has the measured trade-off.
 */
export function judgedLength(candidate: string, known: string): number {
  const a = candidate.split(/([-_.])/);
  const b = known.split(/([-_.])/);
  let head = 0;
  while (head < a.length - 1 && head < b.length - 1 && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - 1 - head && tail < b.length - 1 - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  // Only whole words count as shared: step back to a word boundary (split keeps separators at odd indexes).
  if (head % 2 === 1) head--;
  if (tail % 2 === 1) tail--;
  const rest = b.slice(head, b.length - tail).join('').length;
  return head + tail > 0 ? rest + SHARED_WORDS_COUNT_AS : rest;
}

const SHARED_WORDS_COUNT_AS = 2;
