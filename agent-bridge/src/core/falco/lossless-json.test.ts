import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isJsonNumber, isJsonObject, scanJson, type JsonValue } from './lossless-json.js';

/** The scanned tree as JSON.parse would give it (numbers through Number). */
function plain(v: JsonValue): unknown {
  if (isJsonNumber(v)) return Number(v.text);
  if (isJsonObject(v)) return Object.fromEntries([...v].map(([k, x]) => [k, plain(x)]));
  if (Array.isArray(v)) return v.map(plain);
  return v;
}

describe('scanJson', () => {
  it('keeps integers beyond 2^53 exactly, as their text', () => {
    const r = scanJson('{"evt.time":1700000000123456789,"n":-0.5e3}');
    expect(r.ok).toBe(true);
    if (!r.ok || !isJsonObject(r.value)) return;
    expect(r.value.get('evt.time')).toEqual({ kind: 'number', text: '1700000000123456789' });
    // What JSON.parse would have given: the nearest double, 11 ns off.
    expect(BigInt(JSON.parse('1700000000123456789') as number)).toBe(1700000000123456768n);
    expect(BigInt((r.value.get('evt.time') as { text: string }).text)).toBe(1700000000123456789n);
    expect(r.value.get('n')).toEqual({ kind: 'number', text: '-0.5e3' });
  });

  it('makes "__proto__" and "constructor" plain keys of a Map', () => {
    const r = scanJson('{"__proto__":{"polluted":true},"constructor":1}');
    expect(r.ok).toBe(true);
    if (!r.ok || !isJsonObject(r.value)) return;
    expect([...r.value.keys()]).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('decodes every escape as JSON.parse does', () => {
    const text = '"a\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\\ud800"';
    const r = scanJson(text);
    expect(r.ok && r.value).toBe(JSON.parse(text));
  });

  it.each([
    ['', 'unexpected character'],
    ['{"a":1} x', 'data after the value'],
    ['{"a":1,"a":2}', 'duplicate key'],
    ['{"a" 1}', 'expected ":"'],
    ['[1 2]', 'expected "," or "]"'],
    ['"tab\there"', 'control character in string'],
    ['"\\x"', 'bad escape'],
    ['"\\u12"', 'bad \\u escape'],
    ['"open', 'unterminated string'],
    ['01', 'data after the value'],
    ['-', 'unexpected character'],
    ['tru', 'unexpected character'],
    ['[[[[[[[[[1]]]]]]]]]', 'nested too deep'],
    ['1'.repeat(41), 'number too long'],
  ])('refuses %j (%s)', (text, reason) => {
    const r = scanJson(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toBe(reason);
  });

  it('agrees with JSON.parse on any JSON value (property)', () => {
    fc.assert(fc.property(fc.json({ depthSize: 'small', maxDepth: 6 }), (text) => {
      const r = scanJson(text);
      expect(r.ok).toBe(true);
      if (r.ok) expect(plain(r.value)).toEqual(JSON.parse(text));
    }), { numRuns: 500 });
  });

  it('never throws, and refuses what JSON.parse refuses (property)', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
      const r = scanJson(text);
      let parses = true;
      try {
        JSON.parse(text);
      } catch {
        parses = false;
      }
      if (!parses) expect(r.ok).toBe(false);
    }), { numRuns: 1000 });
  });
});
