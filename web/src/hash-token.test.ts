import { describe, it, expect } from 'vitest';
import { takeTokenFromHash } from './hash-token';

describe('takeTokenFromHash', () => {
  it('takes the token and removes it from the hash', () => {
    expect(takeTokenFromHash('#token=abc123')).toEqual({ token: 'abc123', rest: '' });
    expect(takeTokenFromHash('#x=1&token=t%2B1')).toEqual({ token: 't+1', rest: '#x=1' });
  });
  it('leaves other hashes alone', () => {
    expect(takeTokenFromHash('')).toEqual({ token: null, rest: '' });
    expect(takeTokenFromHash('#section')).toEqual({ token: null, rest: '#section' });
  });
});
