import { describe, expect, it } from 'vitest';
import { parseStatPpid } from './proc-stat.js';

describe('parseStatPpid', () => {
  it('reads the ppid after the comm', () => {
    expect(parseStatPpid('1234 (bash) S 1200 1234 1234 0 -1 4194560 ...\n')).toBe(1200);
  });

  it('survives a comm holding spaces, parentheses and digits', () => {
    expect(parseStatPpid('77 (a) 1 2 (x) y) R 66 77 77 0 -1\n')).toBe(66);
    expect(parseStatPpid('77 ()) S 5 77\n')).toBe(5);
  });

  it('returns null for text that is not a stat line', () => {
    expect(parseStatPpid('')).toBeNull();
    expect(parseStatPpid('77 (x) S\n')).toBeNull();
    expect(parseStatPpid('77 (x) S -1 2\n')).toBeNull();
    expect(parseStatPpid('no parens at all')).toBeNull();
  });
});
