// Who may send events: a shared ingest token, per-agent tokens, and/or TLS client
// certificates. An agent authenticated by its own token or certificate may only send batches
// under its own name, so one agent cannot write (or replay sequences) as another.
import { timingSafeEqual } from 'node:crypto';
import type * as grpc from '@grpc/grpc-js';

export class AgentAuthError extends Error {
  constructor(readonly code: 'AGENT_TOKENS_INVALID', message: string) {
    super(message);
  }
}

/** Why a call was refused: the metric label and the log say it. */
export type Refusal = 'missing_token' | 'unknown_token' | 'no_client_certificate' | 'bad_certificate_name' | 'certificate_token_mismatch';

/**
 * What an admitted caller may send: under its own name only (bound), or under any name but
 * those other credentials own (a shared token, or no auth at all).
 */
export type AgentScope = { bound: string } | { bound: null; reserved: ReadonlySet<string> };

export type Authenticated = ({ ok: true; agentName: string | null } & { scope: AgentScope }) | { ok: false; reason: Refusal };

/** May a caller with this scope send batches under `agentId`? */
export function scopeAllows(scope: AgentScope, agentId: string): boolean {
  if (scope.bound !== null) return agentIdBelongsTo(agentId, scope.bound);
  for (const name of scope.reserved) if (agentIdBelongsTo(agentId, name)) return false;
  return true;
}

/** The name part of an agent id (`name/<spool id>`), or the id itself. */
export function agentNameOf(agentId: string): string {
  const slash = agentId.indexOf('/');
  return slash < 0 ? agentId : agentId.slice(0, slash);
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const TOKEN = /^[\x21-\x7e]{16,512}$/;

/**
 * Parses an agent tokens file: one `agent-name token` per line, `#` comments and blank lines
 * ignored. Names are 1–128 of A-Z a-z 0-9 . _ - ; tokens 16–512 printable characters, each
 * used once.
 */
export function parseAgentTokens(text: string): Map<string, string> {
  const byName = new Map<string, string>();
  const seen = new Set<string>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const [name, token, extra] = line.split(/\s+/);
    const where = `agent tokens line ${i + 1}`;
    if (!name || !token || extra !== undefined) throw new AgentAuthError('AGENT_TOKENS_INVALID', `${where}: expected "agent-name token"`);
    if (!NAME.test(name)) throw new AgentAuthError('AGENT_TOKENS_INVALID', `${where}: agent name must be 1-128 of A-Z a-z 0-9 . _ -`);
    if (!TOKEN.test(token)) throw new AgentAuthError('AGENT_TOKENS_INVALID', `${where}: token must be 16-512 printable characters`);
    if (byName.has(name)) throw new AgentAuthError('AGENT_TOKENS_INVALID', `${where}: agent ${name} is listed twice`);
    if (seen.has(token)) throw new AgentAuthError('AGENT_TOKENS_INVALID', `${where}: a token is shared by two agents`);
    byName.set(name, token);
    seen.add(token);
  });
  return byName;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The batch's agent id belongs to `name`: the name itself, or `name/<spool id>` (a new spool takes a new id). */
export function agentIdBelongsTo(agentId: string, name: string): boolean {
  return agentId === name || (agentId.startsWith(name + '/') && agentId.length > name.length + 1);
}

export interface AgentAuthOptions {
  sharedToken?: string;
  agentTokens?: ReadonlyMap<string, string>;
  /** TLS client certificates are required (the server verified them against its client CA); the subject CN names the agent. */
  clientCertificates: boolean;
}

export class AgentAuthenticator {
  /** Names per-agent tokens own: a shared token may not send under them. */
  private readonly reserved: ReadonlySet<string>;

  constructor(private readonly o: AgentAuthOptions) {
    this.reserved = new Set(o.agentTokens?.keys() ?? []);
  }

  private admitted(agentName: string | null): Authenticated {
    return { ok: true, agentName, scope: agentName !== null ? { bound: agentName } : { bound: null, reserved: this.reserved } };
  }

  get open(): boolean {
    return !this.o.sharedToken && !this.o.agentTokens?.size && !this.o.clientCertificates;
  }

  /** Decides a call from its metadata (bearer token) and TLS peer certificate. */
  authenticate(metadata: grpc.Metadata, peerCertificateCn: string | null): Authenticated {
    let certName: string | null = null;
    if (this.o.clientCertificates) {
      if (!peerCertificateCn) return { ok: false, reason: 'no_client_certificate' };
      // A CN names an agent like a token file does: no '/', or one CN would own another's ids.
      if (!NAME.test(peerCertificateCn)) return { ok: false, reason: 'bad_certificate_name' };
      certName = peerCertificateCn;
    }
    const tokensConfigured = Boolean(this.o.sharedToken) || Boolean(this.o.agentTokens?.size);
    if (!tokensConfigured) return this.admitted(certName);
    const header = String(metadata.get('authorization')[0] ?? '');
    const m = /^Bearer (\S{1,512})$/.exec(header);
    if (!m) return { ok: false, reason: 'missing_token' };
    const presented = m[1]!;
    // Every configured token is compared (constant time each), so timing does not tell which matched.
    let tokenName: string | null | undefined;
    for (const [name, token] of this.o.agentTokens ?? []) if (same(token, presented)) tokenName = name;
    if (this.o.sharedToken && same(this.o.sharedToken, presented)) tokenName ??= null;
    if (tokenName === undefined) return { ok: false, reason: 'unknown_token' };
    if (certName !== null && tokenName !== null && tokenName !== certName) return { ok: false, reason: 'certificate_token_mismatch' };
    return this.admitted(certName ?? tokenName);
  }
}

/** The subject CN of the TLS peer certificate of a server call, when there is one. */
export function peerCertificateCn(call: { getAuthContext(): { sslPeerCertificate?: { subject?: Record<string, unknown> } } | null }): string | null {
  const cn = call.getAuthContext()?.sslPeerCertificate?.subject?.['CN'];
  return typeof cn === 'string' && cn !== '' ? cn : null;
}
