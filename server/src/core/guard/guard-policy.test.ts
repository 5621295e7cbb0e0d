import { describe, expect, it } from 'vitest';
import { allows, parseGuardAllowlist, parseGuardAllowlistText, type GuardAllowlistDocument } from './guard-policy.js';
import { GuardError } from './guard-errors.js';

const good = { pipeline: 'acme/app', version: 7, readiness: 'ready', names: ['index.crates.io', 'Static.Crates.io.'], domains: ['github.com', 'corp.example'] };

function refusal(input: unknown): GuardError {
  try {
    if (typeof input === 'string') parseGuardAllowlistText(input);
    else parseGuardAllowlist(input);
  } catch (e) {
    expect(e).toBeInstanceOf(GuardError);
    return e as GuardError;
  }
  throw new Error('accepted');
}

describe('parseGuardAllowlist', () => {
  it('reads the collector\'s document, names lower-cased without the trailing dot, frozen', () => {
    const doc = parseGuardAllowlist({ ...good, generatedAtUs: 1, destinations: [] });
    expect(doc).toEqual({ pipeline: 'acme/app', version: 7, readiness: 'ready', names: ['index.crates.io', 'static.crates.io'], domains: ['github.com', 'corp.example'] });
    expect(Object.isFrozen(doc)).toBe(true);
    expect(Object.isFrozen(doc.names)).toBe(true);
  });

  it('takes learning and empty lists (the caller decides whether to enforce)', () => {
    expect(parseGuardAllowlist({ ...good, readiness: 'learning' }).readiness).toBe('learning');
    expect(parseGuardAllowlist({ ...good, readiness: 'empty', names: [], domains: [], version: 0 }).names).toEqual([]);
  });

  it.each([
    ['not JSON', '{"pipeline":'],
    ['a list', '[]'],
    ['null', 'null'],
    ['absurd nesting', '['.repeat(200_000) + ']'.repeat(200_000)],
    ['a string', '"ready"'],
  ])('refuses %s as a document', (_t, text) => {
    expect(refusal(text)).toMatchObject({ code: 'GUARD_ALLOWLIST_INVALID', field: '(document)' });
  });

  it.each([
    ['pipeline', { ...good, pipeline: '' }],
    ['pipeline', { ...good, pipeline: 'a\nb' }],
    ['pipeline', { ...good, pipeline: 7 }],
    ['version', { ...good, version: -1 }],
    ['version', { ...good, version: 1.5 }],
    ['version', { ...good, version: '7' }],
    ['version', { ...good, version: 2 ** 60 }],
    ['readiness', { ...good, readiness: 'READY' }],
    ['readiness', { ...good, readiness: undefined }],
    ['names', { ...good, names: 'github.com' }],
    ['names', { ...good, names: { 0: 'a.example' } }],
    ['names[0]', { ...good, names: [7] }],
    ['names[1]', { ...good, names: ['ok.example', 'x'.repeat(64) + '.example'] }],
    ['names[0]', { ...good, names: ['a'.repeat(63) + '.' + 'b'.repeat(63) + '.' + 'c'.repeat(63) + '.' + 'd'.repeat(63) + '.example'] }],
    ['names[0]', { ...good, names: ['evil\u0000.example'] }],
    ['names[0]', { ...good, names: ['*.example'] }],
    ['names[0]', { ...good, names: ['a..example'] }],
    ['names[0]', { ...good, names: [''] }],
    ['names[0]', { ...good, names: ['<script>.example'] }],
    ['domains', { ...good, domains: null }],
    ['domains[0]', { ...good, domains: ['com'] }],
    ['domains[0]', { ...good, domains: ['github.io'] }],
    ['domains[0]', { ...good, domains: ['co.uk'] }],
    ['domains[0]', { ...good, domains: ['10.0.0.1'] }],
    ['domains[0]', { ...good, domains: [{ toString: 'x' }] }],
  ])('refuses a bad %s', (field, doc) => {
    expect(refusal(doc)).toMatchObject({ code: 'GUARD_ALLOWLIST_INVALID', field });
  });

  it('refuses too many entries and over-long text before doing work', () => {
    const names = Array.from({ length: 500_001 }, (_, i) => `n${i}.example`);
    expect(refusal({ ...good, names })).toMatchObject({ field: '(document)' });
    expect(refusal(' '.repeat(32 * 1024 * 1024 + 1))).toMatchObject({ field: '(document)' });
  });

  it('is not fooled by a __proto__ key', () => {
    const doc = parseGuardAllowlistText('{"__proto__": {"readiness": "ready"}, "pipeline": "p", "version": 1, "readiness": "learning", "names": [], "domains": []}');
    expect(doc.readiness).toBe('learning');
    expect(refusal('{"__proto__": {"readiness": "ready"}, "pipeline": "p", "version": 1, "names": [], "domains": []}')).toMatchObject({ field: 'readiness' });
  });

  it('never puts the refused value in the message', () => {
    const e = refusal({ ...good, names: ['AKIAIOSFODNN7EXAMPLE secret'] });
    expect(e.message).not.toContain('AKIA');
  });
});

describe('allows', () => {
  const list: GuardAllowlistDocument = parseGuardAllowlist(good);

  it('allows exact names only, not their siblings or children', () => {
    expect(allows(list, 'index.crates.io')).toBe(true);
    expect(allows(list, 'INDEX.crates.IO.')).toBe(true);
    expect(allows(list, 'static.crates.io')).toBe(true);
    expect(allows(list, 'crates.io')).toBe(false);
    expect(allows(list, 'evil.index.crates.io')).toBe(false);
    expect(allows(list, 'other.crates.io')).toBe(false);
  });

  it('allows a domain and everything under it, on label boundaries', () => {
    expect(allows(list, 'github.com')).toBe(true);
    expect(allows(list, 'api.github.com')).toBe(true);
    expect(allows(list, 'a.b.c.corp.example')).toBe(true);
    expect(allows(list, 'notgithub.com')).toBe(false);
    expect(allows(list, 'github.com.evil.example')).toBe(false);
    expect(allows(list, '')).toBe(false);
  });

  it('does not treat an escaped dot inside a label as a boundary', () => {
    const sub = parseGuardAllowlist({ ...good, names: [], domains: ['api.corp.example'] });
    // One label "data.api" under corp.example: not under api.corp.example.
    expect(allows(sub, 'data\\.api.corp.example')).toBe(false);
    expect(allows(sub, 'x\\000y.api.corp.example')).toBe(true);
  });
});
