import { describe, it, expect } from 'vitest';
import { showControls, clipHead, oneLine } from './visible-text';

describe('showControls', () => {
  it('renders C0 controls and DEL as \\xNN', () => {
    expect(showControls('a\u0000b\nc\u001f\u007f')).toBe('a\\x00b\\x0ac\\x1f\\x7f');
  });
  it('renders C1 controls, bidi overrides and zero-width characters visibly', () => {
    expect(showControls('\u0085')).toBe('\\x85');
    expect(showControls('evil\u202Etxt.exe')).toBe('evil\\u{202e}txt.exe');
    expect(showControls('a\u200bb\ufeff')).toBe('a\\u{200b}b\\u{feff}');
  });
  it('leaves ordinary text, including non-ASCII letters, alone', () => {
    expect(showControls('mfrgg3dfmztq.attacker.example')).toBe('mfrgg3dfmztq.attacker.example');
    expect(showControls('bücher.de 例え')).toBe('bücher.de 例え');
  });
});

describe('clipHead', () => {
  it('keeps short text whole', () => {
    expect(clipHead('abc', 5)).toBe('abc');
  });
  it('clips to max code units', () => {
    expect(clipHead('abcdef', 3)).toBe('abc');
  });
  it('never splits a surrogate pair', () => {
    expect(clipHead('ab😀cd', 3)).toBe('ab');
  });
});

describe('oneLine', () => {
  it('escapes then clips with an ellipsis', () => {
    expect(oneLine('a\nbcdef', 4)).toBe('a\\x0…');
    expect(oneLine('abc', 4)).toBe('abc');
  });
});
