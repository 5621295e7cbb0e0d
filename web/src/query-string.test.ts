import { describe, it, expect } from 'vitest';
import { withQuery } from './query-string';

describe('withQuery', () => {
  it('encodes values and skips empty ones', () => {
    expect(withQuery('/api/builds', { pipeline: 'a/b&c', state: '', cursor: null, limit: 50 })).toBe('/api/builds?pipeline=a%2Fb%26c&limit=50');
    expect(withQuery('/api/alerts', {})).toBe('/api/alerts');
  });
});
