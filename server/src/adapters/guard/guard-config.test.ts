import { describe, expect, it } from 'vitest';
import { guardConfig, parseAddress, type RawGuardOptions } from './guard-config.js';

const TOKEN = 'test-operator-token-0123';
const files = (texts: Record<string, string> = {}) => ({
  readText: (p: string) => {
    const t = texts[p];
    if (t === undefined) throw new Error(`ENOENT ${p}`);
    return t;
  },
  hostname: () => 'build-host-7',
});
const base: RawGuardOptions = { upstream: ['10.0.0.2:53'], allowlist: '/etc/telltale/allowlist.json' };
const fails = (raw: RawGuardOptions, env: Record<string, string> = {}, f = files()) => {
  try {
    guardConfig(raw, env, f);
  } catch (e) {
    return e as Error & { code: string };
  }
  throw new Error('accepted');
};

describe('guardConfig', () => {
  it('defaults: listen on 127.0.0.1:53, audit, the host name', () => {
    expect(guardConfig(base, {}, files())).toMatchObject({
      listen: [{ host: '127.0.0.1', port: 53 }], upstreams: [{ host: '10.0.0.2', port: 53 }], mode: 'audit', name: 'build-host-7',
      collector: undefined, token: undefined, allowlistFile: '/etc/telltale/allowlist.json', detector: {},
    });
  });

  it('reads IPv6 listen addresses, several upstreams in order, a bare upstream address on port 53', () => {
    const c = guardConfig({ ...base, listen: ['[::1]:5353', '127.0.0.1:5353'], upstream: ['[2001:db8::53]:53', '192.0.2.53', '2001:db8::54'] }, {}, files());
    expect(c.listen).toEqual([{ host: '::1', port: 5353 }, { host: '127.0.0.1', port: 5353 }]);
    expect(c.upstreams).toEqual([{ host: '2001:db8::53', port: 53 }, { host: '192.0.2.53', port: 53 }, { host: '2001:db8::54', port: 53 }]);
  });

  it('takes the token from the environment or a file, and checks its shape', () => {
    const withCollector = { ...base, collector: 'http://127.0.0.1:7070/', pipeline: 'acme/app' };
    expect(guardConfig(withCollector, { TELLTALE_OPERATOR_TOKEN: TOKEN }, files())).toMatchObject({ token: TOKEN, collector: 'http://127.0.0.1:7070' });
    expect(guardConfig({ ...withCollector, tokenFile: '/t' }, {}, files({ '/t': `${TOKEN}\n` })).token).toBe(TOKEN);
    expect(fails({ ...withCollector, tokenFile: '/t' }, {}, files({ '/t': 'short' })).code).toBe('CONFIG_INVALID');
    expect(fails({ ...withCollector, tokenFile: '/missing' }).message).toMatch(/--token-file/);
  });

  it('reads encoded_dns_label settings from a --detectors file', () => {
    const c = guardConfig({ ...base, detectors: '/d.json' }, {}, files({ '/d.json': '{"encoded_dns_label": {"ignoreDomains": ["sentry.example"]}, "first_seen_domain": {}}' }));
    expect(c.detector).toEqual({ ignoreDomains: ['sentry.example'] });
  });

  it.each([
    ['no upstream', { ...base, upstream: undefined }, /--upstream/],
    ['an upstream by name', { ...base, upstream: ['dns.example:53'] }, /--upstream/],
    ['a listen address without a port', { ...base, listen: ['127.0.0.1'] }, /--listen/],
    ['a listen port out of range', { ...base, listen: ['127.0.0.1:70000'] }, /--listen/],
    ['the guard as its own upstream', { ...base, listen: ['127.0.0.1:53'], upstream: ['127.0.0.1:53'] }, /the guard itself/],
    ['the guard as its own upstream, IPv4-mapped', { ...base, listen: ['127.0.0.1:5353'], upstream: ['[::ffff:127.0.0.1]:5353'] }, /the guard itself/],
    ['the guard as its own upstream, spelt longer', { ...base, listen: ['[::1]:5353'], upstream: ['[0:0:0:0:0:0:0:1]:5353'] }, /the guard itself/],
    ['a bad mode', { ...base, mode: 'block' }, /--mode/],
    ['neither collector nor allowlist', { upstream: ['10.0.0.2'] }, /--collector URL .*--allowlist FILE/],
    ['a collector without a pipeline', { ...base, collector: 'http://127.0.0.1:7070' }, /--pipeline/],
    ['a collector without a token', { ...base, collector: 'http://127.0.0.1:7070', pipeline: 'p' }, /operator token/],
    ['a collector URL with a path', { ...base, collector: 'http://127.0.0.1:7070/x?y', pipeline: 'p' }, /--collector/],
    ['a name with spaces', { ...base, name: 'my guard' }, /--name/],
    ['a detectors file that is not JSON', { ...base, detectors: '/nope' }, /--detectors/],
  ])('refuses %s with CONFIG_INVALID', (_t, raw, message) => {
    const e = fails(raw as RawGuardOptions);
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.message).toMatch(message);
  });

  it('parses addresses', () => {
    expect(parseAddress('[::1]:53', 'x')).toEqual({ host: '::1', port: 53 });
    expect(parseAddress('0.0.0.0:5353', 'x')).toEqual({ host: '0.0.0.0', port: 5353 });
    expect(() => parseAddress('::1:53', 'x')).toThrow(); // ambiguous without brackets: no port given
  });
});
