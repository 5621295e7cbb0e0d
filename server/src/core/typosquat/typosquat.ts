// The typosquat signal: does an added package name look like a well-known one it is not?
// Compiled once from the shipped lists (indexes built up front), then `judge` is a few hash
// lookups and short verifications per name. Pure: the adapter reads the lists, the collector
// turns signals into a low-severity finding.

import { judgeAffixes } from './affix-signal.js';
import { compileList, type CompiledList } from './compiled-list.js';
import { capitalI, foldScript, foldVisual } from './confusables.js';
import { judgeEdits } from './edit-signal.js';
import { canonicalName, isPrintableAscii, segments, showName, skeleton } from './name-forms.js';
import { KIND_ORDER, type Claim, type TyposquatSignal } from './signal.js';
import type { Ecosystem, WellKnownList } from './well-known-list.js';

export type { TyposquatKind, TyposquatSignal } from './signal.js';
export { editBudget, judgedLength } from './edit-signal.js';

export interface TyposquatJudge {
  /** Signals for one package name, strongest first; [] for a well-known name or one that resembles none. Never throws. */
  judge(ecosystem: Ecosystem, name: string): TyposquatSignal[];
  /** Whether the name is on the list (as its registry compares names). */
  knows(ecosystem: Ecosystem, name: string): boolean;
}

export const TYPOSQUAT_LIMITS = Object.freeze({
  /** Longer names are not judged: no registry here takes them (npm's cap is 214). */
  maxNameLength: 256,
  /** A name close to many well-known ones is reported against the closest few. */
  maxSignals: 8,
});

/** Compiles one list or several (one per ecosystem; two for the same ecosystem are merged). */
export function compileTyposquat(lists: WellKnownList | readonly WellKnownList[]): TyposquatJudge {
  const all: readonly WellKnownList[] = Array.isArray(lists) ? lists : [lists as WellKnownList];
  const byEcosystem = new Map<Ecosystem, string[]>();
  for (const list of all) byEcosystem.set(list.header.ecosystem, [...(byEcosystem.get(list.header.ecosystem) ?? []), ...list.names]);
  const compiled = new Map<Ecosystem, CompiledList>();
  for (const [ecosystem, names] of byEcosystem) compiled.set(ecosystem, compileList(ecosystem, names));

  const judgeable = (ecosystem: Ecosystem, name: unknown): CompiledList | undefined => {
    if (typeof name !== 'string' || name.length === 0 || name.length > TYPOSQUAT_LIMITS.maxNameLength) return undefined;
    return compiled.get(ecosystem);
  };

  return {
    knows(ecosystem, name) {
      const c = judgeable(ecosystem, name);
      return c !== undefined && c.exact.has(canonicalName(ecosystem, name));
    },
    judge(ecosystem, name) {
      const c = judgeable(ecosystem, name);
      if (!c) return [];
      const canon = canonicalName(ecosystem, name);
      if (c.exact.has(canon)) return [];
      return judgeName(ecosystem, c, name, canon);
    },
  };
}

function judgeName(ecosystem: Ecosystem, c: CompiledList, name: string, canon: string): TyposquatSignal[] {
  const found = new Map<number, TyposquatSignal>();
  const claim: Claim = (id, signal) => {
    if (!found.has(id)) found.set(id, signal);
  };
  const script = foldScript(name);
  // The form edits and affixes are judged in: the name itself, or the Latin it imitates.
  const form = isPrintableAscii(canon) ? canon : canonicalName(ecosystem, script.text);
  const after = form === canon ? '' : ' (after reading look-alike characters as Latin)';

  // Look-alikes and separators: both names read the same once folded and run together.
  const capital = capitalI(script.text);
  const visual = foldVisual(canonicalName(ecosystem, capital.text));
  for (const id of c.lookalike.get(skeleton(visual.text)) ?? []) {
    const known = c.canon[id]!;
    if (skeleton(canon) === skeleton(known)) {
      claim(id, { kind: 'separator_swap', resembles: c.display[id]!, evidence: separatorEvidence(name, c.display[id]!) });
      continue;
    }
    const knownNotes = foldVisual(known).notes.filter((n) => !visual.notes.includes(n)).map((n) => `${n} in ${showName(c.display[id]!)}`);
    const notes = [...script.notes, ...capital.notes, ...visual.notes, ...knownNotes];
    if (separators(visual.text) !== separators(foldVisual(known).text)) notes.push('separators differ');
    claim(id, { kind: 'confusable', resembles: c.display[id]!, evidence: `reads as ${showName(c.display[id]!)}: ${notes.join('; ')}` });
  }

  if (ecosystem === 'npm' && isPrintableAscii(form)) {
    const scoped = segments('npm', form).length === 2;
    const flat = skeleton(form.replace(/^@/, '').replace('/', ''));
    for (const id of (scoped ? c.flatUnscoped : c.flatScoped).get(flat) ?? []) {
      claim(id, {
        kind: 'scope_confusion', resembles: c.display[id]!,
        evidence: scoped ? `a scoped copy of the unscoped ${showName(c.display[id]!)}` : `the scoped ${showName(c.display[id]!)} without its scope`,
      });
    }
  }

  if (isPrintableAscii(form)) judgeAffixes(ecosystem, c, form, claim);
  if (isPrintableAscii(form) && form.length <= c.maxLength + 2) judgeEdits(ecosystem, c, form, after, claim);

  return [...found.values()]
    .sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind)
      || (a.kind === 'edit_distance' && b.kind === 'edit_distance' ? a.distance - b.distance : 0)
      || (a.resembles < b.resembles ? -1 : a.resembles > b.resembles ? 1 : 0))
    .slice(0, TYPOSQUAT_LIMITS.maxSignals);
}

function separators(s: string): string {
  return s.replace(/[^-_.]/g, '');
}

function separatorEvidence(name: string, known: string): string {
  const mine = separators(name);
  const theirs = separators(known);
  const what = mine === theirs ? 'a separator moved'
    : mine.length === theirs.length ? `"${mine}" for "${theirs}"`
      : mine.length < theirs.length ? 'separators dropped' : 'separators added';
  return `${showName(name)} is ${showName(known)} with ${what}`;
}
