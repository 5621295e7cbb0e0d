import { describe, expect, it } from 'vitest';
import { LockfileMemory } from './lockfile-memory.js';

const lock = (path: string, sha256: string) => ({ path, sha256, size: 10 });

describe('LockfileMemory', () => {
  it('sends content the first time, then the hash only for the same pipeline and path', () => {
    const m = new LockfileMemory();
    const first = m.plan('b1', 'p', [lock('Cargo.lock', 'aa')]);
    expect(first.map((a) => a.send)).toEqual(['content']);
    m.queued('b1', 'p', first[0]!, true);
    expect(m.plan('b2', 'p', [lock('Cargo.lock', 'aa')]).map((a) => a.send)).toEqual(['hash']);
    // Another pipeline, another path, or changed content: content again.
    expect(m.plan('b3', 'q', [lock('Cargo.lock', 'aa')]).map((a) => a.send)).toEqual(['content']);
    expect(m.plan('b3', 'p', [lock('app/Cargo.lock', 'aa'), lock('Cargo.lock', 'bb')]).map((a) => a.send)).toEqual(['content', 'content']);
  });

  it('content omitted (too large, over budget) is not remembered as sent', () => {
    const m = new LockfileMemory();
    m.queued('b1', 'p', m.plan('b1', 'p', [lock('package-lock.json', 'aa')])[0]!, false);
    expect(m.plan('b2', 'p', [lock('package-lock.json', 'aa')]).map((a) => a.send)).toEqual(['content']);
  });

  it('a build reports each lockfile once, again only when it changed between steps', () => {
    const m = new LockfileMemory();
    m.queued('b1', 'p', m.plan('b1', 'p', [lock('Cargo.lock', 'aa')])[0]!, true);
    expect(m.plan('b1', 'p', [lock('Cargo.lock', 'aa')])).toEqual([]);
    expect(m.plan('b1', 'p', [lock('Cargo.lock', 'bb'), lock('go.sum', 'cc')]).map((a) => [a.path, a.send])).toEqual([['Cargo.lock', 'content'], ['go.sum', 'content']]);
    m.ended('b1');
    expect(m.plan('b1', 'p', [lock('Cargo.lock', 'aa')]).map((a) => a.send)).toEqual(['hash']);
  });

  it('stays within its bounds, forgetting the oldest (which is then sent again)', () => {
    const m = new LockfileMemory({ maxRemembered: 2, maxBuilds: 2 });
    for (const p of ['p1', 'p2', 'p3']) m.queued(`b-${p}`, p, m.plan(`b-${p}`, p, [lock('Cargo.lock', 'aa')])[0]!, true);
    expect(m.plan('x', 'p1', [lock('Cargo.lock', 'aa')])[0]!.send).toBe('content');
    expect(m.plan('x', 'p3', [lock('Cargo.lock', 'aa')])[0]!.send).toBe('hash');
    // The oldest build's reports are forgotten: it may report again (a duplicate, never a loss).
    expect(m.plan('b-p1', 'p1', [lock('Cargo.lock', 'aa')])).toHaveLength(1);
    expect(m.plan('b-p3', 'p3', [lock('Cargo.lock', 'aa')])).toEqual([]);
  });
});
