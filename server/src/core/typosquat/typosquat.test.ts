import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { compileTyposquat, editBudget, judgedLength, TYPOSQUAT_LIMITS, type TyposquatSignal } from './typosquat.js';
import { ECOSYSTEMS, parseWellKnownList, wellKnownList, type Ecosystem, type WellKnownList } from './well-known-list.js';

/** The shipped lists, read from ./data the way the adapter will (a test may do I/O; the core may not). */
function readShippedList(ecosystem: Ecosystem): WellKnownList {
  return parseWellKnownList(JSON.parse(readFileSync(new URL(`./data/${ecosystem}.json`, import.meta.url), 'utf8')));
}

interface Case {
  why: string;
  ecosystem: Ecosystem;
  name: string;
  expect: Array<{ kind: TyposquatSignal['kind']; resembles: string; distance?: number; change?: string }>;
}
const cases = JSON.parse(readFileSync(new URL('./testdata/typosquat-cases.json', import.meta.url), 'utf8')) as Case[];
const lists = ECOSYSTEMS.map(readShippedList);
const judge = compileTyposquat(lists);

describe('typosquat: the cases in testdata/typosquat-cases.json, against the shipped lists', () => {
  it.each(cases.map((c) => [`${c.ecosystem} ${JSON.stringify(c.name)}: ${c.why}`, c] as const))('%s', (_, c) => {
    const signals = judge.judge(c.ecosystem, c.name);
    if (c.expect.length === 0) {
      expect(signals).toEqual([]);
      return;
    }
    // The strongest signals come first; further, weaker ones may follow.
    expect(signals.slice(0, c.expect.length)).toMatchObject(c.expect);
    for (const s of signals) expect(s.evidence).toMatch(/^[\x20-\x7e]+$/);
  });
});

describe('typosquat: what each signal says', () => {
  const j = compileTyposquat([
    wellKnownList('npm', ['url-parse', 'cross-env', 'lodash', '@types/node', 'moment']),
    wellKnownList('cargo', ['serde_json', 'tokio', 'reqwest']),
    wellKnownList('pypi', ['python-dateutil', 'requests']),
  ]);

  it('an edit names the well-known name, the distance and the edit', () => {
    expect(j.judge('npm', 'url-parsr')).toEqual([
      { kind: 'edit_distance', distance: 1, resembles: 'url-parse', evidence: '1 edit from "url-parse": "e" replaced by "r" at 9' },
    ]);
    expect(j.judge('npm', 'crss-env')[0]).toMatchObject({ evidence: '1 edit from "cross-env": "o" missing at 3' });
    expect(j.judge('npm', 'crosss-env')[0]).toMatchObject({ evidence: '1 edit from "cross-env": extra "s" at 6' });
    expect(j.judge('pypi', 'reqeusts')[0]).toMatchObject({ evidence: '1 edit from "requests": "ue" swapped at 4' });
  });

  it('two edits only against a long name', () => {
    expect(j.judge('npm', 'url-prase')).toMatchObject([{ kind: 'edit_distance', distance: 1 }]); // a swap is one edit
    expect(j.judge('npm', 'crosz-enb')).toMatchObject([{ kind: 'edit_distance', distance: 2, resembles: 'cross-env' }]);
    expect(j.judge('cargo', 'tokoi')).toMatchObject([{ kind: 'edit_distance', distance: 1 }]);
    expect(j.judge('cargo', 'tkoia')).toEqual([]); // tokio is 5 letters: one edit, not two
  });

  it('a separator swapped, dropped or added, in the spelling of the list', () => {
    expect(j.judge('npm', 'url_parse')[0]!.evidence).toBe('"url_parse" is "url-parse" with "_" for "-"');
    expect(j.judge('npm', 'urlparse')[0]!.evidence).toBe('"urlparse" is "url-parse" with separators dropped');
    expect(j.judge('npm', 'lo-dash')[0]).toMatchObject({ kind: 'separator_swap', evidence: '"lo-dash" is "lodash" with separators added' });
    expect(j.judge('cargo', 'serdejson')[0]).toMatchObject({ kind: 'separator_swap', resembles: 'serde_json' });
  });

  it('the registry decides what is the same name: not a signal', () => {
    expect(j.judge('cargo', 'serde-json')).toEqual([]);
    expect(j.judge('cargo', 'Serde_JSON')).toEqual([]);
    expect(j.judge('pypi', 'Python.DateUtil')).toEqual([]);
    expect(j.knows('cargo', 'serde-json')).toBe(true);
    expect(j.knows('npm', 'url_parse')).toBe(false); // npm keeps them apart
  });

  it('look-alikes say which characters were read as what', () => {
    expect(j.judge('npm', 'lod\u0430sh')[0]).toMatchObject({ kind: 'confusable', evidence: 'reads as "lodash": U+0430 (Cyrillic) as "a"' });
    expect(j.judge('npm', 'rnoment')[0]!.evidence).toBe('reads as "moment": "rn" reads as "m"');
    expect(j.judge('npm', 'modem').map((s) => s.kind)).toEqual([]); // moment's fold is moment: nothing to merge
    expect(j.judge('npm', 'l\u200bodash')[0]!.evidence).toBe('reads as "lodash": invisible U+200B ignored');
    expect(j.judge('npm', 'lo\u0301dash')[0]!.evidence).toBe('reads as "lodash": accent U+0301 ignored');
  });

  it('a well-known name that itself folds (rn) is matched from the plain side too', () => {
    const k = compileTyposquat(wellKnownList('npm', ['modern-js']));
    expect(k.judge('npm', 'modem-js')[0]).toMatchObject({ kind: 'confusable', resembles: 'modern-js', evidence: 'reads as "modern-js": "rn" reads as "m" in "modern-js"' });
  });

  it('affixes: added (any), dropped and swapped (language words only)', () => {
    expect(j.judge('cargo', 'tokio-rs')[0]).toMatchObject({ kind: 'affix', change: 'added', affix: '-rs', evidence: '"tokio" with suffix "-rs" added' });
    expect(j.judge('npm', 'lodash-utils')[0]).toMatchObject({ kind: 'affix', change: 'added', affix: '-utils' });
    expect(j.judge('npm', 'lodash.js')[0]).toMatchObject({ kind: 'affix', change: 'added', affix: '.js' });
    expect(j.judge('pypi', 'dateutil')[0]).toMatchObject({ kind: 'affix', change: 'dropped', affix: 'python-' });
    expect(j.judge('pypi', 'py-dateutil')[0]).toMatchObject({ kind: 'affix', change: 'swapped', evidence: '"python-dateutil" with prefix "py-" for "python-"' });
    const family = compileTyposquat(wellKnownList('cargo', ['crossbeam-utils']));
    expect(family.judge('cargo', 'crossbeam')).toEqual([]); // a base crate is not a squat of its helper crate
  });

  it('npm scopes: a scoped name flattened, and a typo in the scope', () => {
    expect(j.judge('npm', 'types-node')[0]).toMatchObject({ kind: 'scope_confusion', resembles: '@types/node' });
    expect(j.judge('npm', 'typesnode')[0]).toMatchObject({ kind: 'scope_confusion' });
    expect(j.judge('npm', '@typess/node')[0]).toMatchObject({ kind: 'edit_distance', resembles: '@types/node' });
    expect(j.judge('npm', '@types/nodes')).toEqual([]); // node is four letters: no budget
    const unscoped = compileTyposquat(wellKnownList('npm', ['lodash.merge']));
    expect(unscoped.judge('npm', '@lodash/merge')[0]).toMatchObject({ kind: 'scope_confusion', evidence: 'a scoped copy of the unscoped "lodash.merge"' });
  });

  it('one name close to several is reported against each, strongest kind first, at most maxSignals', () => {
    const k = compileTyposquat(wellKnownList('npm', ['react-dom', 'react-dnd', 'reactdom', 'react-doms']));
    const kinds = k.judge('npm', 'react_dom').map((s) => `${s.kind}:${s.resembles}`);
    expect(kinds[0]).toBe('separator_swap:react-dom');
    expect(kinds).toContain('separator_swap:reactdom');
    const many = compileTyposquat(wellKnownList('npm', Array.from({ length: 40 }, (_, i) => `packagename${String.fromCharCode(97 + (i % 26))}${i < 26 ? '' : 'z'}`)));
    expect(many.judge('npm', 'packagename').length).toBeLessThanOrEqual(TYPOSQUAT_LIMITS.maxSignals);
  });

  it('an ecosystem without a list judges nothing', () => {
    expect(j.judge('go', 'github.com/stretchr/testfy')).toEqual([]);
  });
});

describe('typosquat: edit budget', () => {
  it('none under 5 characters, one from 5, two from 9', () => {
    expect([1, 4, 5, 8, 9, 40].map(editBudget)).toEqual([0, 0, 1, 1, 2, 2]);
  });

  it('whole words shared at either end count as two characters', () => {
    expect(judgedLength('url-parsr', 'url-parse')).toBe(5 + 2);
    expect(judgedLength('lodash.keys', 'lodash.keyby')).toBe(5 + 2);
    expect(judgedLength('glutin-egl-sys', 'glutin-glx-sys')).toBe(3 + 2);
    expect(judgedLength('requests', 'reqeusts')).toBe(8);
    expect(judgedLength('url_parsr', 'url-parse')).toBe(9); // different separator: nothing shared
  });

  it('names differing only in numbers are not edits of each other', () => {
    const k = compileTyposquat(wellKnownList('cargo', ['lua52-sys', 'cli-table2', 'base64']));
    expect(k.judge('cargo', 'lua53-sys')).toEqual([]);
    expect(k.judge('cargo', 'cli-table')).toEqual([]);
    expect(k.judge('cargo', 'base46')).toEqual([]);
  });
});

describe('typosquat: no false positives on well-known names', () => {
  it('200 names sampled from each shipped list are not flagged against their list', () => {
    for (const list of lists) {
      const step = Math.max(1, Math.floor(list.names.length / 200));
      const sample = list.names.filter((_, i) => i % step === 0).slice(0, 200);
      expect(sample.length).toBe(200);
      const flagged = sample.filter((n) => judge.judge(list.header.ecosystem, n).length > 0);
      expect(flagged, list.header.ecosystem).toEqual([]);
    }
  });

  it('a tenth of each list, held out, is flagged against the rest at a measured, low rate', () => {
    // Each held-out name is a real package the list did not have: how often would telltale
    // flag a legitimate dependency it has never heard of? README.md quotes the full figures.
    for (const list of lists) {
      const held = list.names.filter((_, i) => i % 10 === 3);
      const rest = compileTyposquat(wellKnownList(list.header.ecosystem, list.names.filter((_, i) => i % 10 !== 3)));
      const rate = held.filter((n) => rest.judge(list.header.ecosystem, n).length > 0).length / held.length;
      expect(rate, list.header.ecosystem).toBeLessThan(0.12);
    }
  });
});

describe('typosquat: hostile input never throws', () => {
  const hostile = [
    '', ' ', 'a', '@', '/', '@/', '@a/', '//', '-', '_-.', 'x'.repeat(10 * 1024), 'lodash'.repeat(42), 'a\u0000b', '\u0000'.repeat(100),
    '\ud800', '\udfff\ud800', 'lodash\u0007', 'lo\u202edash', '\u200b'.repeat(300), '\ufeffserde', 'ſerde', '𝐬𝐞𝐫𝐝𝐞', 'ﬁ',
    'github.com/' + 'a/'.repeat(120), '@types/' + 'n'.repeat(249), 'İ'.repeat(200), 'ß'.repeat(256),
  ];
  it.each(ECOSYSTEMS)('%s: the fixed hostile names', (ecosystem) => {
    for (const name of hostile) {
      const signals = judge.judge(ecosystem, name);
      expect(Array.isArray(signals)).toBe(true);
      for (const s of signals) expect(s.evidence).toMatch(/^[\x20-\x7e]+$/);
    }
  });

  it('anything else: arbitrary strings and non-strings (property)', () => {
    fc.assert(fc.property(fc.constantFrom(...ECOSYSTEMS), fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 80 }), fc.anything()), (ecosystem, name) => {
      const signals = judge.judge(ecosystem, name as string);
      expect(signals.length).toBeLessThanOrEqual(TYPOSQUAT_LIMITS.maxSignals);
      for (const s of signals) expect(s.evidence).toMatch(/^[\x20-\x7e]+$/);
    }), { numRuns: 2000 });
    expect(judge.judge('rubygems' as Ecosystem, 'rails')).toEqual([]);
  });

  it('too long to be a package name: not judged', () => {
    expect(judge.judge('npm', `cross-env${'x'.repeat(TYPOSQUAT_LIMITS.maxNameLength)}`)).toEqual([]);
    expect(judge.knows('npm', 'x'.repeat(10 * 1024))).toBe(false);
  });
});
