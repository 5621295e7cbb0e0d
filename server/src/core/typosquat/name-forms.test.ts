import { describe, expect, it } from 'vitest';
import { affixSplits } from './affixes.js';
import { capitalI, foldScript, foldVisual } from './confusables.js';
import { canonicalName, segments, showName, skeleton } from './name-forms.js';

describe('canonicalName: what each registry calls the same name', () => {
  it.each([
    ['cargo', 'Serde_JSON', 'serde-json'],
    ['pypi', 'Python.._DateUtil', 'python-dateutil'],
    ['npm', 'URL_Parse', 'url_parse'],
    ['go', 'github.com/Azure/go-ansiterm', 'github.com/azure/go-ansiterm'],
  ] as const)('%s %s -> %s', (ecosystem, name, want) => {
    expect(canonicalName(ecosystem, name)).toBe(want);
  });

  it('skeleton drops separators; segments split scopes and paths', () => {
    expect(skeleton('url-parse')).toBe('urlparse');
    expect(segments('npm', '@types/node')).toEqual(['@types', 'node']);
    expect(segments('npm', 'lodash')).toEqual(['lodash']);
    expect(segments('go', 'github.com/pkg/errors')).toEqual(['github.com', 'pkg', 'errors']);
  });

  it('showName escapes what is not printable ASCII and cuts long names', () => {
    expect(showName('lod\u0430sh')).toBe('"lod\\u0430sh"');
    expect(showName('a\u0000')).toBe('"a\\u0000"');
    expect(showName('x'.repeat(100))).toBe(`"${'x'.repeat(80)}"...`);
  });
});

describe('folds', () => {
  it('foldScript reads other scripts, compatibility forms, accents and invisibles as ASCII', () => {
    expect(foldScript('serde')).toEqual({ text: 'serde', notes: [] });
    expect(foldScript('s\u0435rd\u0435').text).toBe('serde');
    expect(foldScript('\u03c4\u03bfki\u03bf').text).toBe('tokio');
    expect(foldScript('\uff53\uff45\uff52\uff44\uff45').text).toBe('serde');
    expect(foldScript('s\u00e9rde').text).toBe('serde');
    expect(foldScript('ser\u200bde\u0000').text).toBe('serde');
    expect(foldScript('\u0420\u0415\u0410CT').text).toBe('PEACT'); // capitals stay capital until lower-cased
  });

  it('foldVisual merges ASCII look-alikes; capital I is read as l first', () => {
    expect(foldVisual('rnoment').text).toBe('moment');
    expect(foldVisual('vvebpack').text).toBe('webpack');
    expect(foldVisual('l0dash').text).toBe('lodash');
    expect(foldVisual('1odash').text).toBe('lodash');
    expect(capitalI('jeIlyfish').text).toBe('jellyfish');
  });
});

describe('affixSplits', () => {
  it('language words and helper words, with any separator', () => {
    expect(affixSplits('cargo', 'tokio-rs')).toContainEqual({ stem: 'tokio', affix: '-rs', position: 'suffix', language: true });
    expect(affixSplits('pypi', 'python3-dateutil')).toContainEqual({ stem: 'dateutil', affix: 'python3-', position: 'prefix', language: true });
    expect(affixSplits('npm', 'lodash.js')).toContainEqual({ stem: 'lodash', affix: '.js', position: 'suffix', language: true });
    expect(affixSplits('npm', 'lodash-utils')).toContainEqual({ stem: 'lodash', affix: '-utils', position: 'suffix', language: false });
  });

  it('on the package after an npm scope, on the owner or repository of a Go path', () => {
    expect(affixSplits('npm', '@babel/core-js')).toContainEqual({ stem: '@babel/core', affix: '-js', position: 'suffix', language: true });
    expect(affixSplits('go', 'github.com/boltdb-go/bolt')).toContainEqual({ stem: 'github.com/boltdb/bolt', affix: '-go', position: 'suffix', language: true });
  });

  it('never leaves a stem shorter than four characters', () => {
    expect(affixSplits('pypi', 'pyyy')).toEqual([]);
    expect(affixSplits('cargo', 'url-rs')).toEqual([]);
  });
});
