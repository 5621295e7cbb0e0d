import { describe, expect, it } from 'vitest';
import { classifyAlphabet } from './label-alphabet.js';

describe('classifyAlphabet', () => {
  it.each([
    ['1699999999', 'decimal', 10],
    ['DEADBEEF0123', 'hex', 16],
    ['deadBEEF0123', 'base64', 64], // mixed case: case carries information
    ['MFRGGZDFMZTQ', 'base32', 32],
    ['mfrggzdfmztq====', 'base32', 32],
    ['91IMOR3F41HMUSJCCG', 'base32hex', 32],
    ['d3h5fk9a6x1u7s', 'alnum', 36],
    ['3f2504e0-4f89-41d3-9a0c-0305e82c3301', 'hex', 16],
    ['_acme-challenge', 'hostname', 38],
    ['Z2hwX1I4eDJLcTdMbU40', 'base64', 64],
    ['WR_bWQWbHwVR98Mh-aPH', 'base64', 64],
    ['a b!c', 'printable', 95],
    ['\u0000\u00ff', 'binary', 256],
  ])('%s is %s', (text, alphabet, size) => {
    expect(classifyAlphabet(text)).toMatchObject({ alphabet, size });
  });

  it('judges case-insensitive alphabets on lower-cased text without hyphens or padding', () => {
    expect(classifyAlphabet('MFRG-GZDF==').text).toBe('mfrggzdf');
    expect(classifyAlphabet('Z2hwX1I4').text).toBe('Z2hwX1I4');
  });
});
