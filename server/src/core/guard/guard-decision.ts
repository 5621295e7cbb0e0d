// The guard's judgement of one query, pure: encoded data never leaves (the collector's own
// encoded_dns_label detector, run per client), a baseline name is forwarded quietly, and
// a new name is forwarded and reported (audit) or refused and reported (enforce). No
// timers, no sockets: the caller owns the clock and the state, and never keeps an old
// state (judge updates it in place, as detectors do).

import { compileEncodedDnsLabel, CUT_NAME_KEY, type EncodedDnsLabelSpec, type EncodedDnsLabelState } from '../detectors/encoded-dns-label.js';
import type { DnsQueryObservation, ProcessInfo } from '../observation.js';
import { splitName } from '../registrable-domain.js';
import { splitRenderedName } from '../dns-name-text.js';
import { typeName } from '../dns-rr-names.js';
import { GuardError } from './guard-errors.js';
import { allows, type GuardAllowlistDocument } from './guard-policy.js';

export type GuardMode = 'audit' | 'enforce';
export type GuardVerdict = 'allowed' | 'blocked_encoded' | 'forwarded_new' | 'blocked_new';
export type ReportedVerdict = Exclude<GuardVerdict, 'allowed'>;
export const GUARD_VERDICTS: readonly GuardVerdict[] = ['allowed', 'blocked_encoded', 'forwarded_new', 'blocked_new'];

export interface GuardSpec {
  /** What the operator asked for. Enforcing needs a `ready` allowlist; without one the guard audits. */
  mode: GuardMode;
  allowlist: GuardAllowlistDocument | null;
  /** Settings of the encoded_dns_label detector, checked by it (its maxBuilds caps clients tracked). */
  detector: Partial<EncodedDnsLabelSpec>;
  /** How long a domain that fired stays blocked (for every client). */
  blockTtlUs: number;
  /** Clients whose detector state is kept (least recently active forgotten first). */
  maxClients: number;
  /** A client silent this long is forgotten (its accumulated bits with it). */
  clientIdleUs: number;
  /** Blocked domains kept; past the cap the oldest ends early (counted). */
  maxBlocks: number;
  /** The same verdict on the same name from the same client is reported once per window. */
  reportWindowUs: number;
  maxReported: number;
}

export const GUARD_DEFAULTS: Readonly<Omit<GuardSpec, 'mode' | 'allowlist'>> = Object.freeze({
  detector: {},
  blockTtlUs: 10 * 60 * 1_000_000,
  maxClients: 1024,
  clientIdleUs: 60 * 60 * 1_000_000,
  maxBlocks: 65_536,
  reportWindowUs: 60 * 1_000_000,
  maxReported: 16_384,
});

export interface GuardQueryFacts {
  /** The question name as read off the wire (rendered, case preserved, no trailing dot). */
  qname: string;
  qtype: number;
  /** The client's IP address: the accumulation key, in place of a build id. */
  client: string;
  clientPort?: number;
  timeUs: number;
}

export interface GuardFinding {
  timeUs: number;
  /** `ip:port` (`[v6]:port`). */
  client: string;
  qname: string;
  qtype: number;
  verdict: ReportedVerdict;
  /** Plain JSON: why. */
  evidence: Record<string, unknown>;
}

export interface GuardJudgement {
  state: GuardState;
  verdict: GuardVerdict;
  /** Present when the verdict is to be reported now (not a repeat within the report window). */
  finding?: GuardFinding;
}

interface Block {
  untilUs: number;
  firedAtUs: number;
  trigger: unknown;
}

export interface GuardState {
  detector: EncodedDnsLabelState;
  /** Client IP → last query time; Map order is recency. */
  readonly clients: Map<string, number>;
  /** domain (or a placeless name's last two labels) → block; Map order is expiry order (one TTL for all). */
  readonly blocks: Map<string, Block>;
  /** `verdict|client|qname` → report again after this time; Map order is expiry order. */
  readonly reported: Map<string, number>;
  /** Counts for metrics: clients forgotten (idle or over the cap), blocks ended early. */
  evictedClients: number;
  evictedBlocks: number;
}

export interface CompiledGuard {
  readonly spec: Readonly<GuardSpec>;
  /** What the guard does with new names: `enforce` only when asked for and the allowlist is ready. */
  readonly mode: GuardMode;
  /** Why the mode is not the one asked for, or null. */
  readonly modeReason: string | null;
  init(): GuardState;
  judge(state: GuardState, query: GuardQueryFacts): GuardJudgement;
}

/** The process the detector is told about: a query reaches the guard without one. */
const NO_PROCESS: ProcessInfo = Object.freeze({ pid: 0, ppid: 0, exe: '', argv: [], cwd: '', startTimeUs: 0 });

export function compileGuard(spec: Partial<GuardSpec> & Pick<GuardSpec, 'mode' | 'allowlist'>): CompiledGuard {
  const s: GuardSpec = { ...GUARD_DEFAULTS, ...spec };
  if (s.mode !== 'audit' && s.mode !== 'enforce') throw bad('mode', 'must be audit or enforce');
  for (const key of ['blockTtlUs', 'maxClients', 'clientIdleUs', 'maxBlocks', 'reportWindowUs', 'maxReported'] as const) {
    if (!Number.isSafeInteger(s[key]) || s[key] < 1) throw bad(key, 'must be a whole number ≥ 1');
  }
  const detector = compileEncodedDnsLabel({ maxBuilds: s.maxClients, ...s.detector });
  const list = s.allowlist;
  const mode: GuardMode = s.mode === 'enforce' && list?.readiness === 'ready' ? 'enforce' : 'audit';
  const modeReason = s.mode === mode ? null
    : list === null ? 'enforce asked for, but there is no allowlist yet: auditing'
      : `enforce asked for, but the allowlist of ${list.pipeline} is ${list.readiness} (not ready): auditing`;
  const pipeline = list?.pipeline ?? '';

  function init(): GuardState {
    return { detector: detector.init(), clients: new Map(), blocks: new Map(), reported: new Map(), evictedClients: 0, evictedBlocks: 0 };
  }

  function judge(state: GuardState, q: GuardQueryFacts): GuardJudgement {
    const now = q.timeUs;
    forgetExpired(state, now);
    // Accumulation is per source host, not per address it can pick: every loopback source is
    // one, and an IPv6 client is its /64 (a build could otherwise spread chunks over addresses).
    const sender = accumulationKey(q.client);
    touchClient(state, sender, now);
    const lower = q.qname.toLowerCase();
    const split = splitName(q.qname);
    // A name without a registrable domain (not an address) is judged whole, as a cut name is:
    // every label scored, and blocked by its last two labels. Failing open here would let
    // data out under any name tldts cannot place.
    const placeless = split.domain === null && !split.isIp;
    const domain = split.domain;
    const blockKey = domain ?? (placeless ? lastLabels(lower, 2) : null);

    // A domain that fired is refused to every client until the block ends.
    const block = blockKey === null ? undefined : state.blocks.get(blockKey);
    if (block !== undefined && block.untilUs > now) {
      return report(state, q, lower, 'blocked_encoded', {
        trigger: 'domain_blocked', domain, firedAtUs: block.firedAtUs, blockedUntilUs: block.untilUs, firedBy: block.trigger,
      });
    }

    const known = list !== null && allows(list, lower);
    const labels = splitRenderedName(q.qname);
    const observation: DnsQueryObservation = {
      kind: 'dns_query', timeUs: now, buildId: sender, pipeline, process: NO_PROCESS, chain: [], buildScript: null,
      qname: lower, qnameRaw: q.qname, labels, qtype: typeName(q.qtype),
      domain, subdomainLabels: placeless ? labels : split.subdomainLabels, partial: placeless, serverAddress: '', serverPort: 0,
      baselineKnows: known, baselineLearning: list?.readiness !== 'ready',
    };
    const stepped = detector.step(state.detector, observation, now);
    state.detector = stepped.state;
    const fired = stepped.findings[0];
    if (fired !== undefined) {
      if (blockKey !== null) {
        addBlock(state, blockKey, { untilUs: now + s.blockTtlUs, firedAtUs: now, trigger: fired.evidence.trigger ?? null });
        // Counting starts afresh once the block ends: the detector reports a domain once.
        state.detector.builds.get(sender)?.domains.delete(domain ?? CUT_NAME_KEY);
      }
      return report(state, q, lower, 'blocked_encoded', { ...fired.evidence, domain: domain ?? blockKey, blockedForUs: blockKey === null ? 0 : s.blockTtlUs });
    }
    if (known) return { state, verdict: 'allowed' };
    const evidence = { domain, mode, allowlistVersion: list?.version ?? null, readiness: list?.readiness ?? null };
    return report(state, q, lower, mode === 'enforce' ? 'blocked_new' : 'forwarded_new', evidence);
  }

  function touchClient(state: GuardState, client: string, now: number): void {
    state.clients.delete(client);
    state.clients.set(client, now);
    for (const oldest of state.clients.keys()) {
      if (state.clients.size <= s.maxClients) break;
      forgetClient(state, oldest);
    }
  }

  function forgetExpired(state: GuardState, now: number): void {
    for (const [client, last] of state.clients) {
      if (last + s.clientIdleUs > now) break;
      forgetClient(state, client);
    }
    for (const [key, b] of state.blocks) {
      if (b.untilUs > now) break;
      state.blocks.delete(key);
    }
    for (const [key, until] of state.reported) {
      if (until > now) break;
      state.reported.delete(key);
    }
  }

  function forgetClient(state: GuardState, client: string): void {
    state.clients.delete(client);
    state.detector.builds.delete(client);
    state.evictedClients++;
  }

  function addBlock(state: GuardState, key: string, block: Block): void {
    state.blocks.delete(key);
    state.blocks.set(key, block);
    for (const oldest of state.blocks.keys()) {
      if (state.blocks.size <= s.maxBlocks) break;
      state.blocks.delete(oldest);
      state.evictedBlocks++;
    }
  }

  function report(state: GuardState, q: GuardQueryFacts, lower: string, verdict: ReportedVerdict, evidence: Record<string, unknown>): GuardJudgement {
    const key = `${verdict}|${q.client}|${lower}`;
    const until = state.reported.get(key);
    if (until !== undefined && until > q.timeUs) return { state, verdict };
    state.reported.delete(key);
    state.reported.set(key, q.timeUs + s.reportWindowUs);
    for (const oldest of state.reported.keys()) {
      if (state.reported.size <= s.maxReported) break;
      state.reported.delete(oldest);
    }
    return {
      state, verdict,
      finding: { timeUs: q.timeUs, client: formatClient(q.client, q.clientPort), qname: q.qname, qtype: q.qtype, verdict, evidence },
    };
  }

  return { spec: Object.freeze(s), mode, modeReason, init, judge };
}

/** The sender a query's bits accumulate under: loopback as one, IPv6 by its /64, IPv4 by its address. */
export function accumulationKey(address: string): string {
  if (address.startsWith('127.') || address === '::1') return 'loopback';
  if (!address.includes(':')) return address;
  const [head, tail = ''] = address.split('::');
  const left = head!.split(':').filter((g) => g !== '');
  const right = tail.split(':').filter((g) => g !== '');
  const groups = [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

function lastLabels(name: string, n: number): string {
  return splitRenderedName(name).slice(-n).join('.').toLowerCase();
}

/** `ip:port`, IPv6 bracketed; the bare address when the port is unknown. */
export function formatClient(address: string, port: number | undefined): string {
  if (port === undefined) return address;
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

function bad(field: string, message: string): GuardError {
  return new GuardError('GUARD_SPEC_INVALID', field, `guard ${field}: ${message}`);
}
