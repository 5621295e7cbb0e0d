import { describe, it, expect } from 'vitest';
import { matchRoute, paths, encodeSegment, decodeSegment, sectionOf } from './routes';

describe('matchRoute', () => {
  it('maps list paths', () => {
    expect(matchRoute('/')).toEqual({ view: 'builds' });
    expect(matchRoute('/builds')).toEqual({ view: 'builds' });
    expect(matchRoute('/alerts/')).toEqual({ view: 'alerts' });
    expect(matchRoute('/incidents')).toEqual({ view: 'incidents' });
    expect(matchRoute('/pipelines')).toEqual({ view: 'pipelines' });
  });
  it('maps item paths and decodes ids', () => {
    expect(matchRoute('/builds/b-1')).toEqual({ view: 'build', id: 'b-1' });
    expect(matchRoute('/pipelines/acme%2Fapp')).toEqual({ view: 'pipeline', id: 'acme/app' });
    expect(matchRoute('/alerts/a%20b')).toEqual({ view: 'alert', id: 'a b' });
  });
  it('rejects unknown paths, extra segments and bad encoding', () => {
    expect(matchRoute('/nope')).toEqual({ view: 'notFound' });
    expect(matchRoute('/builds/a/b')).toEqual({ view: 'notFound' });
    expect(matchRoute('/builds/%E0%A4%A')).toEqual({ view: 'notFound' });
    expect(matchRoute('/constructor')).toEqual({ view: 'notFound' });
  });
});

describe('drills', () => {
  it('is one list with no item pages, under its own nav section', () => {
    expect(paths.drills()).toBe('/drills');
    expect(matchRoute(paths.drills())).toEqual({ view: 'drills' });
    expect(matchRoute('/drills/')).toEqual({ view: 'drills' });
    expect(matchRoute('/drills/d-1')).toEqual({ view: 'notFound' });
    expect(sectionOf({ view: 'drills' })).toBe('drills');
  });
});

describe('paths', () => {
  it('round-trips hostile names through the URL', () => {
    for (const name of ['acme/app', '..', '.', '', 'a?b#c', '%2e%2e', ':x', '<script>', 'javascript:alert(1)']) {
      const p = paths.pipeline(name);
      expect(p.startsWith('/pipelines/')).toBe(true);
      // The browser normalises the path first: it must not change.
      expect(new URL(p, 'http://h').pathname).toBe(p);
      expect(matchRoute(p)).toEqual({ view: 'pipeline', id: name });
    }
  });
  it('puts a pipeline filter in the query string', () => {
    expect(paths.buildsOfPipeline('a/b&state=x#y')).toBe('/builds?pipeline=a%2Fb%26state%3Dx%23y');
  });
  it('encodes ids as a single segment', () => {
    expect(paths.build('x/../../api')).toBe('/builds/x%2F..%2F..%2Fapi');
    expect(encodeSegment('..')).toBe(':..');
    expect(decodeSegment(':..')).toBe('..');
  });
});
