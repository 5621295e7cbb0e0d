import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ECOSYSTEMS, parseWellKnownList, wellKnownList, WELL_KNOWN_LIMITS, type Ecosystem, type WellKnownList } from './well-known-list.js';
import { TyposquatError } from './typosquat-errors.js';

/** The shipped lists, read from ./data the way the adapter will (a test may do I/O; the core may not). */
function readShippedList(ecosystem: Ecosystem): WellKnownList {
  return parseWellKnownList(JSON.parse(readFileSync(new URL(`./data/${ecosystem}.json`, import.meta.url), 'utf8')));
}

const header = { ecosystem: 'npm', source: 's', generatedAt: '2026-01-01T00:00:00.000Z', count: 2, howToRefresh: 'r' };

function refused(json: unknown): TyposquatError {
  try {
    parseWellKnownList(json);
  } catch (e) {
    expect(e).toBeInstanceOf(TyposquatError);
    return e as TyposquatError;
  }
  throw new Error('expected TYPOSQUAT_LIST_INVALID');
}

describe('parseWellKnownList', () => {
  it('accepts a data file and freezes it', () => {
    const list = parseWellKnownList({ header, names: ['cross-env', 'lodash'], extra: 1 });
    expect(list.header).toMatchObject({ ecosystem: 'npm', count: 2 });
    expect(list.names).toEqual(['cross-env', 'lodash']);
    expect(Object.isFrozen(list.names)).toBe(true);
  });

  it.each([
    ['not an object', [], '(document)'],
    ['no header', { names: [] }, 'header'],
    ['unknown ecosystem', { header: { ...header, ecosystem: 'rubygems' }, names: [] }, 'header.ecosystem'],
    ['names not an array', { header, names: 'lodash' }, 'names'],
    ['a name not a string', { header, names: ['a', 7] }, 'names[1]'],
    ['a name with a space', { header, names: ['a b', 'c'] }, 'names[0]'],
    ['a non-ASCII name', { header, names: ['lod\u0430sh', 'x'] }, 'names[0]'],
    ['an empty name', { header, names: ['', 'a'] }, 'names[0]'],
    ['a name too long', { header, names: ['a', 'b'.repeat(WELL_KNOWN_LIMITS.maxNameLength + 1)] }, 'names[1]'],
    ['out of order', { header, names: ['lodash', 'cross-env'] }, 'names[1]'],
    ['repeated', { header, names: ['lodash', 'lodash'] }, 'names[1]'],
    ['count disagrees', { header: { ...header, count: 3 }, names: ['a', 'b'] }, 'header.count'],
    ['source missing', { header: { ...header, source: '' }, names: ['a', 'b'] }, 'header.source'],
  ])('refuses %s', (_, json, field) => {
    const e = refused(json);
    expect(e.code).toBe('TYPOSQUAT_LIST_INVALID');
    expect(e.field).toBe(field);
  });

  it('wellKnownList sorts and de-duplicates names made in code', () => {
    expect(wellKnownList('cargo', ['tokio', 'serde', 'tokio']).names).toEqual(['serde', 'tokio']);
  });
});

describe('the shipped data files', () => {
  it.each(ECOSYSTEMS)('%s parses, says where it came from and how to refresh it, and stays small', (ecosystem) => {
    const list = readShippedList(ecosystem);
    expect(list.header.ecosystem).toBe(ecosystem);
    expect(list.header.source).toMatch(/Debian/);
    expect(list.header.howToRefresh).toMatch(/build-typosquat-lists\.mjs/);
    expect(list.names.length).toBeGreaterThan(1000);
    expect(JSON.stringify(list).length).toBeLessThan(1024 * 1024);
  });

  it('holds the names the issue talks about', () => {
    expect(readShippedList('cargo').names).toEqual(expect.arrayContaining(['serde', 'serde_json', 'tokio', 'reqwest', 'url', 'rust_decimal']));
    expect(readShippedList('npm').names).toEqual(expect.arrayContaining(['url-parse', 'cross-env', 'request', 'lodash', '@types/node', '@babel/core']));
    expect(readShippedList('pypi').names).toEqual(expect.arrayContaining(['python-dateutil', 'urllib3', 'requests', 'pyyaml']));
    expect(readShippedList('go').names).toEqual(expect.arrayContaining(['github.com/stretchr/testify', 'golang.org/x/net', 'gopkg.in/yaml.v2']));
  });
});
