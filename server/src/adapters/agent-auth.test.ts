import { describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { agentIdBelongsTo, AgentAuthenticator, parseAgentTokens, scopeAllows, type Authenticated } from './agent-auth.js';

const md = (token?: string) => {
  const m = new grpc.Metadata();
  if (token !== undefined) m.set('authorization', `Bearer ${token}`);
  return m;
};
const A = 'token-of-agent-a-0123456789';
const B = 'token-of-agent-b-0123456789';

describe('agent tokens file', () => {
  it('reads names and tokens, skipping comments and blank lines', () => {
    expect([...parseAgentTokens(`# fleet\n\nagent-a ${A}\n  agent-b\t${B}  \n`)]).toEqual([['agent-a', A], ['agent-b', B]]);
  });
  it('refuses short tokens, bad names, duplicates and shared tokens with the line number', () => {
    expect(() => parseAgentTokens('agent-a short')).toThrow(/line 1: token/);
    expect(() => parseAgentTokens(`a/b ${A}`)).toThrow(/agent name/);
    expect(() => parseAgentTokens(`x ${A}\nx ${B}`)).toThrow(/line 2: agent x is listed twice/);
    expect(() => parseAgentTokens(`x ${A}\ny ${A}`)).toThrow(/shared by two agents/);
    expect(() => parseAgentTokens(`x ${A} extra`)).toThrow(/expected/);
  });
});

describe('AgentAuthenticator', () => {
  const tokens = new Map([['agent-a', A], ['agent-b', B]]);
  const scope = (r: Authenticated) => (r.ok ? r.scope : null)!;
  it('binds a per-agent token to its name; a shared token may use any name but those tokens own', () => {
    const auth = new AgentAuthenticator({ sharedToken: 'shared-token-0123456789', agentTokens: tokens, clientCertificates: false });
    expect(auth.authenticate(md(A), null)).toMatchObject({ ok: true, agentName: 'agent-a' });
    expect(scopeAllows(scope(auth.authenticate(md(A), null)), 'agent-a/1')).toBe(true);
    expect(scopeAllows(scope(auth.authenticate(md(A), null)), 'agent-b/1')).toBe(false);
    const shared = auth.authenticate(md('shared-token-0123456789'), null);
    expect(shared).toMatchObject({ ok: true, agentName: null });
    expect(scopeAllows(scope(shared), 'legacy-agent/1')).toBe(true);
    expect(scopeAllows(scope(shared), 'agent-a/1')).toBe(false);
    expect(scopeAllows(scope(shared), 'agent-a')).toBe(false);
    expect(auth.authenticate(md('nope-nope-nope-nope-nope'), null)).toEqual({ ok: false, reason: 'unknown_token' });
    expect(auth.authenticate(md(), null)).toEqual({ ok: false, reason: 'missing_token' });
  });
  it('under mTLS the certificate names the agent, and a token must agree with it', () => {
    const auth = new AgentAuthenticator({ agentTokens: tokens, clientCertificates: true });
    expect(auth.authenticate(md(A), 'agent-a')).toMatchObject({ ok: true, agentName: 'agent-a' });
    expect(auth.authenticate(md(B), 'agent-a')).toEqual({ ok: false, reason: 'certificate_token_mismatch' });
    expect(auth.authenticate(md(A), null)).toEqual({ ok: false, reason: 'no_client_certificate' });
    expect(new AgentAuthenticator({ clientCertificates: true }).authenticate(md(), 'agent-c')).toMatchObject({ ok: true, agentName: 'agent-c' });
    // A CN is a name like a token file's: one with a slash would own other CNs' ids.
    expect(new AgentAuthenticator({ clientCertificates: true }).authenticate(md(), 'team/x')).toEqual({ ok: false, reason: 'bad_certificate_name' });
  });
  it('with nothing configured every agent is admitted under any name (loopback default)', () => {
    const auth = new AgentAuthenticator({ clientCertificates: false });
    expect(auth.open).toBe(true);
    expect(auth.authenticate(md(), null)).toMatchObject({ ok: true, agentName: null });
  });
  it('an agent id belongs to a name when it is the name or name/<spool id>', () => {
    expect(agentIdBelongsTo('agent-a', 'agent-a')).toBe(true);
    expect(agentIdBelongsTo('agent-a/3f2c', 'agent-a')).toBe(true);
    expect(agentIdBelongsTo('agent-a/', 'agent-a')).toBe(false);
    expect(agentIdBelongsTo('agent-ab/1', 'agent-a')).toBe(false);
    expect(agentIdBelongsTo('agent-b/1', 'agent-a')).toBe(false);
  });
});
