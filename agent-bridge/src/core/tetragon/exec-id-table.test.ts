import { describe, expect, it } from 'vitest';
import { ExecIdTable } from './exec-id-table.js';

describe('ExecIdTable', () => {
  it('maps exec ids to pids and keeps exited ones until room is needed', () => {
    const t = new ExecIdTable(3);
    t.add('a', 1);
    t.add('b', 2);
    t.exit('a');
    expect(t.pid('a')).toBe(1);
    expect(t.add('c', 3)).toBe(0);
    expect(t.add('d', 4)).toBe(0); // 'a' (exited) went first
    expect(t.has('a')).toBe(false);
    expect([t.pid('b'), t.pid('c'), t.pid('d')]).toEqual([2, 3, 4]);
  });

  it('evicts the oldest live entry when none has exited, and says so', () => {
    const t = new ExecIdTable(2);
    t.add('a', 1);
    t.add('b', 2);
    expect(t.add('c', 3)).toBe(1);
    expect(t.has('a')).toBe(false);
    expect(t.size).toBe(2);
  });

  it('refuses a cap that cannot work', () => {
    expect(() => new ExecIdTable(0)).toThrow(RangeError);
  });
});
