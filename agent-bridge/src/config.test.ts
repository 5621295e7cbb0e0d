import { describe, expect, it } from 'vitest';
import { agentConfig } from './config.js';
import { SECRET_DEFAULTS } from './core/secret-fingerprints.js';

describe('agent config: sources', () => {
  it('defaults to bpftrace, and to Tetragon\'s unix socket or Falco\'s local port for those sources', () => {
    expect(agentConfig({}, {}).source).toEqual({ kind: 'bpftrace' });
    expect(agentConfig({ source: 'tetragon' }, {}).source).toEqual({ kind: 'tetragon-grpc', address: 'unix:///var/run/tetragon/tetragon.sock' });
    expect(agentConfig({ source: 'tetragon', tetragonGrpc: 'localhost:54321' }, {}).source).toEqual({ kind: 'tetragon-grpc', address: 'localhost:54321' });
    expect(agentConfig({ source: 'tetragon', tetragonExport: '/var/log/tetragon/tetragon.log' }, {}).source)
      .toEqual({ kind: 'tetragon-export', path: '/var/log/tetragon/tetragon.log' });
    expect(agentConfig({ source: 'falco', falcoFile: '-' }, {}).source).toEqual({ kind: 'falco-file', path: '-' });
  });

  it('always wants a password for Falco\'s http_output, even on loopback (the watched builds share the host)', () => {
    expect(() => agentConfig({ source: 'falco' }, {})).toThrow(/TELLTALE_FALCO_HTTP_PASSWORD/);
    expect(agentConfig({ source: 'falco' }, { TELLTALE_FALCO_HTTP_PASSWORD: 'p'.repeat(20) }).source)
      .toEqual({ kind: 'falco-http', host: '127.0.0.1', port: 2801, basicAuth: { user: 'telltale', password: 'p'.repeat(20) } });
    expect(() => agentConfig({ source: 'falco', falcoHttp: 'u:short@127.0.0.1:2801' }, {})).toThrow(/16\+ characters/);
  });

  it('refuses options of another source, both options of one, and unknown sources', () => {
    expect(() => agentConfig({ source: 'bpftrace', falcoFile: 'x' }, {})).toThrow(/--falco-file do not apply/);
    expect(() => agentConfig({ source: 'tetragon', tetragonGrpc: 'localhost:1', tetragonExport: 'x' }, {})).toThrow(/not both/);
    expect(() => agentConfig({ source: 'tetragon', tetragonGrpc: 'not an address' }, {})).toThrow(/unix:\/\/\/path or host:port/);
    expect(() => agentConfig({ source: 'sysdig' }, {})).toThrow(/--source must be/);
  });
});

describe('agent config: secret fingerprints', () => {
  it('is on by default with the default patterns; --secret-env adds patterns, --no-secret-fingerprints turns it off', () => {
    expect(agentConfig({}, {}).secretFingerprints).toEqual({ enabled: true, namePatterns: [...SECRET_DEFAULTS.namePatterns] });
    const more = agentConfig({ secretEnv: ['DEPLOY_*', 'VAULT_ADDR'] }, {}).secretFingerprints;
    expect(more.namePatterns).toEqual([...SECRET_DEFAULTS.namePatterns, 'DEPLOY_*', 'VAULT_ADDR']);
    expect(agentConfig({ secretFingerprints: false }, {}).secretFingerprints.enabled).toBe(false);
    expect(agentConfig({}, { TELLTALE_SECRET_FINGERPRINTS: '0' }).secretFingerprints.enabled).toBe(false);
    expect(agentConfig({}, { TELLTALE_SECRET_ENV: 'A_*, B' }).secretFingerprints.namePatterns.slice(-2)).toEqual(['A_*', 'B']);
  });

  it('reports lockfiles unless --no-lockfiles or TELLTALE_LOCKFILES=0', () => {
    expect(agentConfig({}, {}).recordLockfiles).toBe(true);
    expect(agentConfig({ lockfiles: false }, {}).recordLockfiles).toBe(false);
    expect(agentConfig({}, { TELLTALE_LOCKFILES: '0' }).recordLockfiles).toBe(false);
  });

  it('refuses a pattern that is no variable name', () => {
    expect(() => agentConfig({ secretEnv: ['FOO BAR'] }, {})).toThrow(/--secret-env/);
    expect(() => agentConfig({ secretEnv: ['*'] }, {})).toThrow(/--secret-env/);
    expect(() => agentConfig({ secretEnv: [''] }, {})).toThrow(/--secret-env/);
  });
});
