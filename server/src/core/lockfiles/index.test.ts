import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { lockfileKind, parseLockfile } from './index.js';

describe('lockfileKind', () => {
  it('knows lockfiles by file name alone', () => {
    expect([
      'Cargo.lock', '/ws/app/Cargo.lock', 'package-lock.json', 'npm-shrinkwrap.json', 'node_modules/.package-lock.json',
      'poetry.lock', 'requirements.txt', 'requirements-dev.txt', 'requirements_test.txt', 'requirements.in.txt', 'C:\\src\\go.sum',
    ].map(lockfileKind)).toEqual([
      'cargo-lock', 'cargo-lock', 'npm-lock', 'npm-lock', 'npm-lock', 'poetry-lock', 'requirements-txt', 'requirements-txt',
      'requirements-txt', 'requirements-txt', 'go-sum',
    ]);
  });

  it('says null for anything else', () => {
    expect(['Cargo.toml', 'package.json', 'requirements.in', 'dev-requirements.txt', 'go.mod', 'cargo.lock', ''].map(lockfileKind))
      .toEqual([null, null, null, null, null, null, null]);
  });
});

describe('parseLockfile', () => {
  it('hands the text to the parser of its kind', () => {
    const text = readFileSync(new URL('./testdata/cargo/cargo-exfil.v4.lock', import.meta.url), 'utf8');
    expect(parseLockfile('cargo-lock', text)).toMatchObject({ ok: true, lock: { ecosystem: 'cargo' } });
    expect(parseLockfile('go-sum', text)).toMatchObject({ ok: false, code: 'syntax' });
    expect(parseLockfile('npm-lock', text)).toMatchObject({ ok: false, code: 'syntax' });
    expect(parseLockfile('requirements-txt', 'a==1', { maxChars: 2 })).toMatchObject({ ok: false, code: 'too_large' });
  });
});
