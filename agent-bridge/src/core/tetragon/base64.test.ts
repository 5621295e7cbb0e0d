import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeBase64 } from './base64.js';

const std = (b: Uint8Array) => btoa(String.fromCharCode(...b));

describe('decodeBase64', () => {
  it('decodes what Go writes (standard, padded) and the unpadded URL-safe form', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const text = std(bytes);
      expect(decodeBase64(text)).toEqual(bytes);
      expect(decodeBase64(text.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_'))).toEqual(bytes);
    }));
  });

  it('refuses what is not base64', () => {
    for (const bad of ['!!not base64!!', 'A', 'AAAAA', 'AA=A', 'AAA===', 'AA==AA==', 'QUJD\n', 'é']) expect(decodeBase64(bad), bad).toBeNull();
    expect(decodeBase64('')).toEqual(new Uint8Array(0));
  });
});
