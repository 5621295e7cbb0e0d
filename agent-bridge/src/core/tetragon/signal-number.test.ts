import { describe, expect, it } from 'vitest';
import { signalNumber } from './signal-number.js';

describe('signalNumber', () => {
  it('maps the names Tetragon writes to Linux numbers', () => {
    expect([signalNumber('SIGKILL'), signalNumber('SIGTERM'), signalNumber('SIGSEGV'), signalNumber('')]).toEqual([9, 15, 11, 0]);
    expect(signalNumber('toString')).toBe(0);
    expect(signalNumber('__proto__')).toBe(0);
  });
});
