import { describe, expect, it } from 'vitest';
import { SecretCheckBudget } from './secret-check-budget.js';

describe('SecretCheckBudget', () => {
  it('gives a second\'s pieces at once, then refills at that rate, never above it', () => {
    const b = new SecretCheckBudget(1000, 8);
    expect(b.take(600, 0)).toBe(true);
    expect(b.take(600, 0)).toBe(false); // 400 left: refused, nothing taken
    expect(b.take(400, 0)).toBe(true);
    expect(b.take(1, 0)).toBe(false);
    expect(b.take(500, 500)).toBe(true); // half a second: 500 more
    expect(b.take(1, 500)).toBe(false);
    expect(b.take(1000, 10_000)).toBe(true); // a long pause refills to one second's worth only
    expect(b.take(1, 10_000)).toBe(false);
    expect(b.take(1, 5_000)).toBe(false); // a clock going back refills nothing
  });

  it('remembers the most recent checked queries, up to its bound', () => {
    const b = new SecretCheckBudget(1000, 2);
    b.checkedNow('a');
    b.checkedNow('b');
    expect(b.seen('a')).toBe(true); // a is now the most recent: b goes next
    b.checkedNow('c');
    expect([b.seen('a'), b.seen('b'), b.seen('c')]).toEqual([true, false, true]);
    b.forget();
    expect(b.seen('a')).toBe(false);
  });
});
