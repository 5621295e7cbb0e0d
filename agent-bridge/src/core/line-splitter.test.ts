import { describe, expect, it } from 'vitest';
import { LineSplitter } from './line-splitter.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('LineSplitter', () => {
  it('joins lines across chunks and drops empty ones', () => {
    const s = new LineSplitter(100);
    expect(s.push(bytes('ab'))).toEqual([]);
    expect(s.push(bytes('c\n\n\nde'))).toEqual(['abc']);
    expect(s.push(bytes('f\n'))).toEqual(['def']);
    expect(s.end()).toEqual([]);
  });

  it('counts and skips an oversized line, however it is chunked, and carries on', () => {
    const s = new LineSplitter(10);
    expect(s.push(bytes('0123456'))).toEqual([]);
    expect(s.push(bytes('789abcdef'))).toEqual([]);
    expect(s.push(bytes('more\nok\n'))).toEqual(['ok']);
    expect(s.push(bytes(`${'x'.repeat(50)}\nfine\n`))).toEqual(['fine']);
    expect(s.oversized).toBe(2);
  });

  it('returns an unterminated tail at the end', () => {
    const s = new LineSplitter(10);
    s.push(bytes('tail'));
    expect(s.end()).toEqual(['tail']);
  });
});
