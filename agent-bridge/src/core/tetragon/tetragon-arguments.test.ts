import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { splitTetragonArguments } from './tetragon-arguments.js';

/** Tetragon's join, as pkg/process/args.go ArgsDecoder writes it. */
function tetragonJoin(args: string[]): string {
  let s = '';
  for (const a of args) {
    if (a.includes(' ')) s = `${s} "${a}"`;
    else s = s === '' ? a : `${s} ${a}`;
  }
  return s;
}

describe('splitTetragonArguments', () => {
  it('undoes the join, quotes and all', () => {
    expect(splitTetragonArguments('build --offline --locked --quiet')).toEqual(['build', '--offline', '--locked', '--quiet']);
    expect(splitTetragonArguments('--check-cfg "cfg(feature, values())" -C x')).toEqual(['--check-cfg', 'cfg(feature, values())', '-C', 'x']);
    expect(splitTetragonArguments(' "a b" c')).toEqual(['a b', 'c']);
    expect(splitTetragonArguments('-c "echo \\"hi there\\""')).toEqual(['-c', 'echo \\"hi there\\"']);
    expect(splitTetragonArguments('"quoted" x')).toEqual(['"quoted"', 'x']);
    expect(splitTetragonArguments('')).toEqual([]);
  });

  it('round-trips arguments that are not empty, do not start with a quote and hold none before a space', () => {
    const arg = fc.string({ minLength: 1, maxLength: 12 }).filter((a) => !a.includes('" ') && !a.startsWith('"'));
    fc.assert(fc.property(fc.array(arg, { maxLength: 8 }), (args) => {
      expect(splitTetragonArguments(tetragonJoin(args))).toEqual(args);
    }), { numRuns: 2000 });
  });

  it('never throws, whatever the text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (t) => {
      expect(Array.isArray(splitTetragonArguments(t))).toBe(true);
    }));
  });
});
