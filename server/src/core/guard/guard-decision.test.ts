import { describe, expect, it } from 'vitest';
import { accumulationKey, compileGuard, type CompiledGuard, type GuardJudgement, type GuardSpec, type GuardState } from './guard-decision.js';
import { parseGuardAllowlist } from './guard-policy.js';
import { base32, chunks, FAKE_SECRET } from '../detectors/fixtures.js';

const READY = parseGuardAllowlist({ pipeline: 'acme/app', version: 3, readiness: 'ready', names: ['index.crates.io'], domains: ['corp.example'] });
const LEARNING = parseGuardAllowlist({ ...READY, readiness: 'learning' });
const SECRET32 = base32(FAKE_SECRET); // 64 characters
const S = 1_000_000;

function run(guard: CompiledGuard, queries: Array<{ qname: string; client?: string; timeUs?: number; qtype?: number }>, state: GuardState = guard.init()) {
  const out: GuardJudgement[] = [];
  let t = 1;
  for (const q of queries) {
    const r = guard.judge(state, { qname: q.qname, qtype: q.qtype ?? 1, client: q.client ?? '10.0.0.5', clientPort: 40000, timeUs: q.timeUs ?? t++ });
    state = r.state;
    out.push(r);
  }
  return { state, out, verdicts: out.map((r) => r.verdict) };
}

const audit = (over: Partial<GuardSpec> = {}) => compileGuard({ mode: 'audit', allowlist: READY, ...over });

describe('compileGuard', () => {
  it('forwards a baseline name quietly: an exact name, a domain and what is under it', () => {
    const { out } = run(audit(), [{ qname: 'index.crates.io' }, { qname: 'Corp.Example' }, { qname: 'build.ci.corp.example' }]);
    expect(out.map((r) => [r.verdict, r.finding])).toEqual([['allowed', undefined], ['allowed', undefined], ['allowed', undefined]]);
  });

  it('blocks a name carrying an encoded secret and reports it at once, whatever the mode', () => {
    const name = `${chunks(SECRET32, 32).join('.')}.exfil.test`;
    for (const guard of [audit(), compileGuard({ mode: 'enforce', allowlist: READY })]) {
      const [r] = run(guard, [{ qname: name }]).out;
      expect(r?.verdict).toBe('blocked_encoded');
      expect(r?.finding).toMatchObject({ client: '10.0.0.5:40000', qname: name, qtype: 1, verdict: 'blocked_encoded' });
      expect(r?.finding?.evidence).toMatchObject({ trigger: 'single_query', domain: 'exfil.test', alphabet: 'base32', blockedForUs: 600 * S });
    }
  });

  it('judges names under an allowed domain too: encoded data is blocked before the baseline is asked', () => {
    const [r] = run(audit(), [{ qname: `${chunks(SECRET32, 32).join('.')}.build.corp.example` }]).out;
    expect(r?.verdict).toBe('blocked_encoded');
  });

  it('keeps a domain that fired blocked for every client for the block time, then lets it through and counts afresh', () => {
    const guard = audit();
    const fire = `${chunks(SECRET32, 32).join('.')}.exfil.test`;
    const { out, state } = run(guard, [
      { qname: fire, timeUs: 10 * S },
      { qname: 'www.exfil.test', timeUs: 11 * S },
      { qname: 'www.exfil.test', timeUs: 12 * S, client: '10.0.0.6' },
      { qname: 'www.exfil.test', timeUs: 30 * S },
      { qname: 'www.exfil.test', timeUs: 10 * S + 600 * S - 1 },
      { qname: 'www.exfil.test', timeUs: 10 * S + 600 * S },
    ]);
    expect(out.map((r) => r.verdict)).toEqual(['blocked_encoded', 'blocked_encoded', 'blocked_encoded', 'blocked_encoded', 'blocked_encoded', 'forwarded_new']);
    expect(out[1]?.finding?.evidence).toMatchObject({ trigger: 'domain_blocked', domain: 'exfil.test', firedAtUs: 10 * S, blockedUntilUs: 610 * S, firedBy: 'single_query' });
    // The repeat inside the report window is blocked but not reported again.
    expect(out[3]?.finding).toBeUndefined();
    expect(out[4]?.finding?.verdict).toBe('blocked_encoded');
    // After the block the detector counts from zero, so the same secret fires again.
    expect(run(guard, [{ qname: fire, timeUs: 700 * S }], state).verdicts).toEqual(['blocked_encoded']);
  });

  it('catches a low-and-slow leak from one client: every chunk after the accumulation fires is blocked', () => {
    // 5 base32 characters a query: each far under the single-query bar. The detector's own
    // test pins that its accumulation fires with the 9th chunk (index 8).
    const drip = chunks(SECRET32, 5).map((c, i) => ({ qname: `${c}.exfil.test`, timeUs: (i + 1) * 30 * S }));
    const { verdicts, out } = run(audit(), drip);
    expect(verdicts.slice(0, 8)).toEqual(Array(8).fill('forwarded_new'));
    expect(verdicts.slice(8)).toEqual(Array(drip.length - 8).fill('blocked_encoded'));
    expect(out[8]?.finding?.evidence).toMatchObject({ trigger: 'accumulated', domain: 'exfil.test' });
    expect(out[9]?.finding?.evidence).toMatchObject({ trigger: 'domain_blocked' });
  });

  it('accumulates per client: the same drip split over two clients fires later for each', () => {
    const drip = chunks(SECRET32, 5).slice(0, 10).map((c, i) => ({ qname: `${c}.exfil.test`, client: i % 2 === 0 ? '10.0.0.1' : '10.0.0.2' }));
    expect(run(audit(), drip).verdicts).not.toContain('blocked_encoded');
  });

  it('forgets a client silent past the idle bound, and the least recently active past the cap', () => {
    const guard = audit({ clientIdleUs: 60 * S, maxClients: 2 });
    const five = chunks(SECRET32, 5);
    const { state } = run(guard, [
      { qname: `${five[0]}.exfil.test`, client: 'a', timeUs: 1 * S },
      { qname: `${five[1]}.exfil.test`, client: 'b', timeUs: 2 * S },
      { qname: `${five[2]}.exfil.test`, client: 'c', timeUs: 3 * S },
    ]);
    expect([...state.clients.keys()]).toEqual(['b', 'c']);
    expect(state.detector.builds.has('a')).toBe(false);
    expect(state.evictedClients).toBe(1);
    run(guard, [{ qname: 'index.crates.io', client: 'c', timeUs: 62.5 * S }], state);
    expect([...state.clients.keys()]).toEqual(['c']);
    expect(state.detector.builds.has('b')).toBe(false);
    expect(state.evictedClients).toBe(2);
  });

  it('audit: a new name is forwarded and reported once per window', () => {
    const { out } = run(audit(), [
      { qname: 'new.example', timeUs: 1 * S }, { qname: 'NEW.example', timeUs: 2 * S }, { qname: 'new.example', timeUs: 62 * S },
    ]);
    expect(out.map((r) => r.verdict)).toEqual(['forwarded_new', 'forwarded_new', 'forwarded_new']);
    expect(out.map((r) => r.finding !== undefined)).toEqual([true, false, true]);
    expect(out[0]?.finding?.evidence).toEqual({ domain: 'new.example', mode: 'audit', allowlistVersion: 3, readiness: 'ready' });
  });

  it('enforce with a ready allowlist: a new name is refused and reported', () => {
    const guard = compileGuard({ mode: 'enforce', allowlist: READY });
    expect([guard.mode, guard.modeReason]).toEqual(['enforce', null]);
    const [r] = run(guard, [{ qname: 'new.example', qtype: 28 }]).out;
    expect(r).toMatchObject({ verdict: 'blocked_new', finding: { verdict: 'blocked_new', qtype: 28, evidence: { mode: 'enforce' } } });
  });

  it('will not enforce a learning allowlist or none at all: it audits and says why', () => {
    const learning = compileGuard({ mode: 'enforce', allowlist: LEARNING });
    expect(learning.mode).toBe('audit');
    expect(learning.modeReason).toMatch(/learning/);
    expect(run(learning, [{ qname: 'new.example' }]).verdicts).toEqual(['forwarded_new']);
    const none = compileGuard({ mode: 'enforce', allowlist: null });
    expect(none.mode).toBe('audit');
    expect(none.modeReason).toMatch(/no allowlist/);
    expect(run(none, [{ qname: 'index.crates.io' }]).verdicts).toEqual(['forwarded_new']);
  });

  it('keeps its state across a recompile (a refreshed allowlist)', () => {
    const before = audit();
    const fire = `${chunks(SECRET32, 32).join('.')}.exfil.test`;
    const { state } = run(before, [{ qname: fire }, { qname: 'later.example' }]);
    const after = compileGuard({ mode: 'enforce', allowlist: parseGuardAllowlist({ ...READY, version: 4, domains: ['exfil.test', 'later.example'] }) });
    expect(run(after, [{ qname: 'www.exfil.test', timeUs: 5 }, { qname: 'later.example', timeUs: 6 }], state).verdicts).toEqual(['blocked_encoded', 'allowed']);
  });

  it('bounds the blocks it keeps', () => {
    const guard = audit({ maxBlocks: 2 });
    const fire = (d: string) => ({ qname: `${chunks(SECRET32, 32).join('.')}.${d}.test` });
    const { state } = run(guard, [fire('a'), fire('b'), fire('c')]);
    expect([...state.blocks.keys()]).toEqual(['b.test', 'c.test']);
    expect(state.evictedBlocks).toBe(1);
  });

  it('refuses a bad spec at compile time, with a code', () => {
    expect(() => compileGuard({ mode: 'block' as 'audit', allowlist: null })).toThrow(expect.objectContaining({ code: 'GUARD_SPEC_INVALID', field: 'mode' }));
    expect(() => compileGuard({ mode: 'audit', allowlist: null, blockTtlUs: 0 })).toThrow(expect.objectContaining({ code: 'GUARD_SPEC_INVALID', field: 'blockTtlUs' }));
    expect(() => compileGuard({ mode: 'audit', allowlist: null, detector: { singleQueryBits: -1 } })).toThrow(expect.objectContaining({ code: 'DETECTOR_SPEC_INVALID' }));
  });

  it('judges a name whose label starts or ends with a hyphen: it still has a domain, and data in it is refused', () => {
    const name = `-${chunks(SECRET32, 32).join('.')}.x-.corp.example`;
    const r = audit().judge(audit().init(), { qname: name, qtype: 1, client: '10.0.0.5', timeUs: 1 });
    expect([r.verdict, r.finding?.evidence['domain']]).toEqual(['blocked_encoded', 'corp.example']);
  });

  it('judges a name with no registrable domain whole, and blocks it by its last two labels', () => {
    const guard = audit();
    const data = `${chunks(SECRET32, 32).join('.')}.internal`;
    const { verdicts, state } = run(guard, [{ qname: data }, { qname: 'harmless.anything.internal' }]);
    expect(verdicts).toEqual(['blocked_encoded', 'forwarded_new']);
    expect([...state.blocks.keys()]).toEqual([`${chunks(SECRET32, 32).at(-1)!.toLowerCase()}.internal`]);
  });

  it('counts every loopback source as one sender, and an IPv6 client by its /64: rotating addresses spreads nothing', () => {
    const drip = chunks(SECRET32, 5).map((c, i) => ({ qname: `${c}.exfil.test`, timeUs: (i + 1) * 30 * S, client: `127.0.${i}.${i + 1}` }));
    expect(run(audit(), drip).verdicts.slice(8)).toEqual(Array(drip.length - 8).fill('blocked_encoded'));
    const v6 = drip.map((d, i) => ({ ...d, client: `2001:db8:0:1::${(i + 1).toString(16)}` }));
    expect(run(audit(), v6).verdicts.slice(8)).toEqual(Array(drip.length - 8).fill('blocked_encoded'));
    expect([accumulationKey('127.9.9.9'), accumulationKey('::1'), accumulationKey('2001:DB8:0:1:aa::5'), accumulationKey('10.0.0.5')])
      .toEqual(['loopback', 'loopback', '2001:db8:0:1::/64', '10.0.0.5']);
  });

  it('formats an IPv6 client with brackets', () => {
    const r = audit().judge(audit().init(), { qname: 'new.example', qtype: 1, client: '::1', clientPort: 53000, timeUs: 1 });
    expect(r.finding?.client).toBe('[::1]:53000');
  });
});
