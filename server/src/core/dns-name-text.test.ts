import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { labelBytes, renderLabel, splitRenderedName } from './dns-name-text.js';

describe('dns name text', () => {
  it('escapes like dig: special characters with a backslash, the rest as \\DDD', () => {
    expect(renderLabel(Uint8Array.from([0x41, 0x2e, 0x5c, 0x22, 0x20, 0x00, 0x7f, 0xff]))).toBe('A\\.\\\\\\"\\032\\000\\127\\255');
    expect(renderLabel(new TextEncoder().encode('Abc-_09'))).toBe('Abc-_09');
  });

  it('splits only on unescaped dots', () => {
    expect(splitRenderedName('a\\.b.c\\046d.\\\\.com.')).toEqual(['a\\.b', 'c\\046d', '\\\\', 'com']);
    expect(splitRenderedName('')).toEqual([]);
    expect(splitRenderedName('.')).toEqual([]);
  });

  it('labelBytes inverts renderLabel for any bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 63 }), (b) => {
      const text = renderLabel(b);
      expect(Array.from(labelBytes(text))).toEqual(Array.from(b));
      expect(splitRenderedName(`${text}.test`)).toEqual([text, 'test']);
    }));
  });
});
