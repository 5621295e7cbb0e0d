// The guard on real loopback sockets, in front of a loopback upstream it forwards to.
// Names end in .example/.test/.invalid; nothing leaves 127.0.0.1.
import { afterEach, describe, expect, it } from 'vitest';
import dnsPacket from 'dns-packet';
import { createLogger } from '../../logger.js';
import { compileGuard } from '../../core/guard/guard-decision.js';
import { parseGuardAllowlist } from '../../core/guard/guard-policy.js';
import { base32, chunks, FAKE_SECRET } from '../../core/detectors/fixtures.js';
import { startGuardServer, type RunningGuardServer } from './guard-server.js';
import { startTestUpstream } from './test-upstream.js';
import { startTestGuard, TEST_ALLOWLIST as READY, type TestGuardOptions } from './test-guard.js';
import { askTcp, askUdp, decode, query, udpClient } from './test-client.js';

const SECRET32 = base32(FAKE_SECRET);
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const start = (o: TestGuardOptions = {}) => startTestGuard(cleanups, o);

const withId = (b: Buffer, id: number): Buffer => {
  const copy = Buffer.from(b);
  copy.writeUInt16BE(id, 0);
  return copy;
};

describe('guard server: forwarding', () => {
  it.each(['A', 'AAAA', 'TXT', 'CNAME', 'UNKNOWN_65', 'SRV', 'PTR', 'MX'])('forwards an allowed %s query as sent (name in lower case) and relays the upstream answer byte for byte', async (type) => {
    const { port, upstream, findings, guard } = await start();
    const msg = query('Www.Corp.Example', type);
    const answer = await askUdp(port, msg);
    expect(upstream.queries).toHaveLength(1);
    const seen = upstream.queries[0]!;
    // The upstream got the client's bytes with the name in lower case (letter case is a
    // channel resolvers pass on); the ID is the guard's own random one.
    expect(seen.raw.subarray(2).equals(withId(query('www.corp.example', type), 0).subarray(2))).toBe(true);
    // The client got the upstream's bytes with its own ID and its own spelling of the question back.
    const expected = withId(seen.answer!, msg.readUInt16BE(0));
    expected.set(msg.subarray(12, 12 + 'Www.Corp.Example'.length + 2), 12);
    expect(answer!.equals(expected)).toBe(true);
    expect(decode(answer).answers!.length).toBe(type === 'SRV' || type === 'PTR' || type === 'MX' ? 0 : 1);
    expect(findings).toEqual([]);
    expect(guard.counters.queries.allowed).toBe(1);
  });

  it('keeps EDNS both ways: the client\'s OPT reaches the upstream untouched, the upstream\'s OPT reaches the client', async () => {
    const { port, upstream } = await start({ upstream: { ednsOption: { code: 65001, data: Buffer.from('upstream-says-hi') } } });
    const msg = query('api.corp.example', 'A', {
      flags: dnsPacket.RECURSION_DESIRED | dnsPacket.CHECKING_DISABLED,
      additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 4096, flags: dnsPacket.DNSSEC_OK, options: [{ code: 10, data: Buffer.from('0123456789abcdef', 'hex') }] } as unknown as dnsPacket.Answer],
    });
    const answer = decode(await askUdp(port, msg));
    const sent = dnsPacket.decode(upstream.queries[0]!.raw);
    expect(upstream.queries[0]!.raw.subarray(2).equals(msg.subarray(2))).toBe(true);
    expect(sent.additionals![0]).toMatchObject({ type: 'OPT', udpPayloadSize: 4096, flag_do: true });
    expect(answer.additionals![0]).toMatchObject({ type: 'OPT', udpPayloadSize: 1232, flag_do: true, options: [{ code: 65001 }] });
  });

  it('relays a UDP answer with TC=1 as it is; the client\'s retry over TCP goes upstream over TCP', async () => {
    const { port, upstream, guard } = await start();
    const msg = query('big.corp.example', 'TXT');
    const udpAnswer = await askUdp(port, msg);
    expect(decode(udpAnswer)).toMatchObject({ flag_tc: true, answers: [] });
    expect(udpAnswer!.equals(withId(upstream.queries[0]!.answer!, msg.readUInt16BE(0)))).toBe(true);
    expect(guard.counters.truncatedRelayed).toBe(1);
    const [tcpAnswer] = await askTcp(port, [msg]);
    expect(decode(tcpAnswer)).toMatchObject({ flag_tc: false });
    expect(decode(tcpAnswer).answers![0]).toMatchObject({ type: 'TXT' });
    expect(tcpAnswer!.length).toBeGreaterThan(4000);
    expect(upstream.queries.map((q) => q.transport)).toEqual(['udp', 'tcp']);
    expect(tcpAnswer!.equals(withId(upstream.queries[1]!.answer!, msg.readUInt16BE(0)))).toBe(true);
  });

  it('answers three pipelined TCP queries on one connection, matched by ID though the upstream answers out of order', async () => {
    const { port, upstream } = await start({ mode: 'enforce', upstream: { tcpDelayMs: (n) => (n.startsWith('slow') ? 150 : 0) } });
    const msgs = [query('slow.corp.example'), query('fast.corp.example', 'AAAA'), query('new-name.example')];
    const answers = await askTcp(port, msgs);
    expect(answers).toHaveLength(3);
    const byId = new Map(answers.map((a) => [a.readUInt16BE(0), decode(a)]));
    expect(byId.get(msgs[0]!.readUInt16BE(0))).toMatchObject({ rcode: 'NOERROR', answers: [{ type: 'A', name: 'slow.corp.example' }] });
    expect(byId.get(msgs[1]!.readUInt16BE(0))).toMatchObject({ rcode: 'NOERROR', answers: [{ type: 'AAAA', name: 'fast.corp.example' }] });
    expect(byId.get(msgs[2]!.readUInt16BE(0))).toMatchObject({ rcode: 'NXDOMAIN' }); // new name, enforced
    // The slow one's answer came last: the others did not wait for it.
    expect(answers[2]!.readUInt16BE(0)).toBe(msgs[0]!.readUInt16BE(0));
    expect(upstream.queries.map((q) => q.name).sort()).toEqual(['fast.corp.example', 'slow.corp.example']);
  });

  it('listens on IPv6 loopback too', async () => {
    const upstream = await startTestUpstream();
    cleanups.push(() => upstream.close());
    let guard: RunningGuardServer;
    try {
      guard = await startGuardServer({
        listen: [{ host: '::1', port: 0 }], upstreams: [{ host: upstream.host, port: upstream.port }],
        guard: compileGuard({ mode: 'audit', allowlist: READY }), onFinding: () => {}, log: createLogger('guard', () => {}),
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EADDRNOTAVAIL') return; // no IPv6 on this host
      throw err;
    }
    cleanups.push(() => guard.close());
    const answer = await askUdp(guard.addresses[0]!.port, query('v6.corp.example'), 3000, '::1');
    expect(decode(answer)).toMatchObject({ rcode: 'NOERROR' });
  });
});

describe('guard server: verdicts', () => {
  it('answers NXDOMAIN to a name carrying an encoded secret, never forwards it, and reports blocked_encoded', async () => {
    const { port, upstream, findings, guard } = await start();
    const name = `${chunks(SECRET32, 32).join('.')}.exfil.test`;
    const msg = query(name, 'A', { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1400, flags: 0 } as unknown as dnsPacket.Answer] });
    const answer = decode(await askUdp(port, msg));
    expect(answer).toMatchObject({ id: msg.readUInt16BE(0), rcode: 'NXDOMAIN', flag_qr: true, flag_rd: true, flag_ra: true });
    expect(answer.questions).toEqual([{ name, type: 'A', class: 'IN' }]);
    expect(answer.additionals![0]).toMatchObject({ type: 'OPT', udpPayloadSize: 1232 });
    expect(upstream.queries).toEqual([]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ verdict: 'blocked_encoded', qname: name, qtype: 1, evidence: { trigger: 'single_query', domain: 'exfil.test' } });
    expect(findings[0]!.client).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(guard.counters.queries.blocked_encoded).toBe(1);
  });

  it('stops a low-and-slow leak from one client once the accumulated chunks fire; the upstream saw only the first eight', async () => {
    const { port, upstream, findings } = await start();
    const client = await udpClient(port);
    cleanups.push(() => client.close());
    const drip = chunks(SECRET32, 5); // 13 chunks of 5 base32 characters
    const rcodes: string[] = [];
    for (const c of drip) rcodes.push(decode(await client.ask(query(`${c}.exfil.test`))).rcode!);
    // Chunks 0-7 are new names (audit: forwarded); the 9th makes the accumulated bits fire
    // (the detector's own figure) and it and every later chunk is refused.
    expect(rcodes).toEqual([...Array(8).fill('NOERROR'), ...Array(drip.length - 8).fill('NXDOMAIN')]);
    expect(upstream.queries.map((q) => q.name)).toEqual(drip.slice(0, 8).map((c) => `${c}.exfil.test`));
    expect(findings.map((f) => f.verdict)).toEqual([...Array(8).fill('forwarded_new'), ...Array(drip.length - 8).fill('blocked_encoded')]);
    expect(findings[8]!.evidence).toMatchObject({ trigger: 'accumulated' });
    // The domain stays blocked for this client: even a plain name under it.
    expect(decode(await client.ask(query('www.exfil.test'))).rcode).toBe('NXDOMAIN');
    expect(upstream.queries).toHaveLength(8);
  });

  it('audit: forwards a new name and reports forwarded_new', async () => {
    const { port, upstream, findings } = await start({ mode: 'audit' });
    expect(decode(await askUdp(port, query('brand-new.example'))).rcode).toBe('NOERROR');
    expect(upstream.queries.map((q) => q.name)).toEqual(['brand-new.example']);
    expect(findings).toMatchObject([{ verdict: 'forwarded_new', qname: 'brand-new.example', evidence: { mode: 'audit', allowlistVersion: 3 } }]);
  });

  it('enforce: refuses a new name with NXDOMAIN and reports blocked_new', async () => {
    const { port, upstream, findings, guard } = await start({ mode: 'enforce' });
    const answer = decode(await askUdp(port, query('brand-new.example', 'AAAA')));
    expect(answer).toMatchObject({ rcode: 'NXDOMAIN', questions: [{ name: 'brand-new.example', type: 'AAAA' }] });
    expect(upstream.queries).toEqual([]);
    expect(findings).toMatchObject([{ verdict: 'blocked_new', qtype: 28 }]);
    expect(decode(await askUdp(port, query('index.crates.example'))).rcode).toBe('NOERROR');
    expect(guard.counters.queries).toMatchObject({ blocked_new: 1, allowed: 1 });
  });

  it('enforce asked with a learning baseline audits instead', async () => {
    const { port, upstream, findings } = await start({ mode: 'enforce', allowlist: parseGuardAllowlist({ ...READY, readiness: 'learning' }) });
    expect(decode(await askUdp(port, query('brand-new.example'))).rcode).toBe('NOERROR');
    expect(upstream.queries).toHaveLength(1);
    expect(findings[0]?.verdict).toBe('forwarded_new');
  });

  it('takes a refreshed allowlist without losing what it learnt', async () => {
    const started = await start({ mode: 'enforce' });
    expect(decode(await askUdp(started.port, query('later.example'))).rcode).toBe('NXDOMAIN');
    started.guard.guard = compileGuard({ mode: 'enforce', allowlist: parseGuardAllowlist({ ...READY, version: 4, domains: ['later.example'] }) });
    expect(decode(await askUdp(started.port, query('later.example'))).rcode).toBe('NOERROR');
  });
});
