import { describe, expect, it } from 'vitest';
import { ProtoJsonReader } from './protojson-reader.js';

describe('ProtoJsonReader', () => {
  it('reads proto names and their lowerCamel json names, absent or null as the default', () => {
    const r = new ProtoJsonReader();
    expect(r.string({ exec_id: 'a' }, 'exec_id')).toBe('a');
    expect(r.string({ execId: 'b' }, 'exec_id')).toBe('b');
    expect(r.string({ exec_id: null }, 'exec_id')).toBe('');
    expect(r.u32({}, 'dport')).toBe(0);
    expect(r.wrappedU32({}, 'pid')).toBeNull();
    expect(r.wrappedU32({ pid: 0 }, 'pid')).toBe(0);
    expect(r.array({}, 'args')).toEqual([]);
    expect(r.object({}, 'parent')).toBeNull();
    expect(r.error).toBeNull();
  });

  it('reads 64-bit integers as protojson writes them (text) and as safe JSON numbers', () => {
    const r = new ProtoJsonReader();
    expect(r.u64({ n: '18446744073709551615' }, 'n')).toBe(18446744073709551615n);
    expect(r.u64({ n: 42 }, 'n')).toBe(42n);
    expect(r.u32({ n: '53' }, 'n')).toBe(53);
    expect(r.error).toBeNull();
  });

  it('keeps the first problem and returns defaults', () => {
    const cases: [string, (r: ProtoJsonReader) => unknown][] = [
      ['past 2^64', (r) => r.u64({ n: '18446744073709551616' }, 'n')],
      ['unsafe number', (r) => r.u64({ n: 2 ** 60 }, 'n')],
      ['negative', (r) => r.u32({ n: -1 }, 'n')],
      ['past uint32', (r) => r.wrappedU32({ n: 4294967296 }, 'n')],
      ['fraction', (r) => r.u32({ n: 1.5 }, 'n')],
      ['string type', (r) => r.string({ s: 1 }, 's')],
      ['object type', (r) => r.object({ o: [] }, 'o')],
      ['array type', (r) => r.array({ a: {} }, 'a')],
      ['time', (r) => r.timestampUs({ t: 'yesterday' }, 't')],
      ['bytes', (r) => r.bytes({ b: '!!' }, 'b')],
      ['enum', (r) => r.enumValue({ e: true }, 'e', {})],
    ];
    for (const [name, read] of cases) {
      const r = new ProtoJsonReader();
      read(r);
      expect(r.error, name).not.toBeNull();
    }
  });

  it('sees only own members: inherited names and __proto__ keys are data', () => {
    const r = new ProtoJsonReader();
    expect(r.member({}, 'constructor')).toBeUndefined();
    expect(r.member({}, 'to_string')).toBeUndefined();
    const o = JSON.parse('{"__proto__":{"x":1}}') as Record<string, unknown>;
    expect(r.object(o, '__proto__')).toEqual({ x: 1 });
    expect(({} as Record<string, unknown>)['x']).toBeUndefined();
  });

  it('reads enums by name or number; an unknown name is the zero value', () => {
    const r = new ProtoJsonReader();
    const values = { THROTTLE_UNKNOWN: 0, THROTTLE_START: 1 };
    expect([r.enumValue({ e: 'THROTTLE_START' }, 'e', values), r.enumValue({ e: 1 }, 'e', values), r.enumValue({ e: 'NEW' }, 'e', values)]).toEqual([1, 1, 0]);
    expect(r.enumValue({ e: 'toString' }, 'e', values)).toBe(0);
  });
});
