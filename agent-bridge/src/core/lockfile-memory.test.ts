import { describe, expect, it } from 'vitest';
import { LockfileMemory } from './lockfile-memory.js';

const file = (path: string, sha256: string) => ({ path, sha256 });
const plain = (m: { sent: ReadonlyMap<string, string>; reported: ReadonlyMap<string, string> }) => ({ sent: Object.fromEntries(m.sent), reported: Object.fromEntries(m.reported) });

describe('LockfileMemory', () => {
  it('content sent for a pipeline and path goes by hash only to that pipeline\'s later builds', () => {
    const m = new LockfileMemory();
    expect(plain(m.known('b1', 'p', 0))).toEqual({ sent: {}, reported: {} });
    m.queued('b1', 'p', file('Cargo.lock', 'aa'), true, 0);
    expect(plain(m.known('b2', 'p', 1000))).toEqual({ sent: { 'Cargo.lock': 'aa' }, reported: {} });
    expect(plain(m.known('b3', 'q', 1000))).toEqual({ sent: {}, reported: {} });
    // The same build left it out of its next scan while unchanged.
    expect(plain(m.known('b1', 'p', 1000)).reported).toEqual({ 'Cargo.lock': 'aa' });
  });

  it('content omitted (too large, over budget) is not remembered as sent', () => {
    const m = new LockfileMemory();
    m.queued('b1', 'p', file('package-lock.json', 'aa'), false, 0);
    expect(plain(m.known('b2', 'p', 0)).sent).toEqual({});
    expect(plain(m.known('b1', 'p', 0)).reported).toEqual({ 'package-lock.json': 'aa' });
  });

  it('sends content again after an hour, after an overflow, and forgets ended builds', () => {
    const m = new LockfileMemory();
    m.queued('b1', 'p', file('Cargo.lock', 'aa'), true, 0);
    expect(plain(m.known('b2', 'p', 3_599_999)).sent).toEqual({ 'Cargo.lock': 'aa' });
    expect(plain(m.known('b2', 'p', 3_600_000)).sent).toEqual({});
    m.queued('b2', 'p', file('Cargo.lock', 'aa'), true, 3_600_000);
    m.forgetSent();
    expect(plain(m.known('b3', 'p', 3_600_001)).sent).toEqual({});
    m.ended('b1');
    expect(plain(m.known('b1', 'p', 0)).reported).toEqual({});
  });

  it('stays within its bounds, forgetting the oldest (which is then sent again)', () => {
    const m = new LockfileMemory({ maxRemembered: 2, maxBuilds: 2, resendAfterMs: 3_600_000 });
    for (const p of ['p1', 'p2', 'p3']) m.queued(`b-${p}`, p, file('Cargo.lock', 'aa'), true, 0);
    expect(plain(m.known('x', 'p1', 0)).sent).toEqual({});
    expect(plain(m.known('x', 'p3', 0)).sent).toEqual({ 'Cargo.lock': 'aa' });
    expect(plain(m.known('b-p1', 'p1', 0)).reported).toEqual({});
    expect(plain(m.known('b-p3', 'p3', 0)).reported).toEqual({ 'Cargo.lock': 'aa' });
  });
});
