import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readRenderedBuffer } from './falco-buffer.js';

/** libsinsp binary_buffer_to_string_dots, the default rendering. */
const renderDots = (bytes: Uint8Array): string =>
  Array.from(bytes, (b) => (b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : '.')).join('');
const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const QUERY = Uint8Array.from([0x61, 0x2d, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 4, 0x74, 0x65, 0x73, 0x74, 0, 0, 1, 0, 1]);

describe('readRenderedBuffer', () => {
  it('decodes base64 exactly (buffer_format_base64: true)', () => {
    expect(readRenderedBuffer(base64(QUERY), 'auto')).toEqual({ kind: 'exact', bytes: QUERY });
    expect(readRenderedBuffer(base64(QUERY), 'base64')).toEqual({ kind: 'exact', bytes: QUERY });
  });

  it('keeps the dots rendering as text for the DNS rebuild (the default)', () => {
    const text = renderDots(QUERY);
    expect(text).toBe('a-...........test.....');
    expect(readRenderedBuffer(text, 'auto')).toEqual({ kind: 'dots', text });
    expect(readRenderedBuffer(text, 'dots')).toEqual({ kind: 'dots', text });
  });

  it('unwraps evt.buffer\'s second base64 layer, and only for evt.buffer', () => {
    const twice = btoa(base64(QUERY));
    expect(readRenderedBuffer(twice, 'base64', true)).toEqual({ kind: 'exact', bytes: QUERY });
    const once = readRenderedBuffer(twice, 'base64', false);
    expect(once.kind === 'exact' && once.bytes.length).toBe(base64(QUERY).length);
  });

  it('refuses what neither rendering can produce', () => {
    expect(readRenderedBuffer('a-..', 'base64').kind).toBe('invalid');
    expect(readRenderedBuffer('\u0007 bell', 'auto').kind).toBe('invalid');
    expect(readRenderedBuffer('é', 'dots').kind).toBe('invalid');
    expect(readRenderedBuffer('A'.repeat(100_000), 'auto').kind).toBe('invalid');
  });

  it('never mistakes the dots rendering of a DNS header for base64 (property)', () => {
    // QDCOUNT's high byte is 0 in any real query, so its rendering holds a '.'.
    fc.assert(fc.property(fc.uint8Array({ minLength: 12, maxLength: 300 }), (bytes) => {
      bytes[4] = 0;
      expect(readRenderedBuffer(renderDots(bytes), 'auto').kind).toBe('dots');
    }));
  });

  it('round-trips any bytes through base64 (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 600 }), (bytes) => {
      expect(readRenderedBuffer(base64(bytes), 'base64')).toEqual({ kind: 'exact', bytes });
    }));
  });
});
