import { describe, expect, it } from 'vitest';
import { IngestCore } from './ingest-core.js';
import { compileDetectors } from './detectors/index.js';
import { parseCidr } from './address.js';
import { base32, BuildScript, dnsPacket } from './test-events.js';

const FAKE_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const core = (learningBuilds = 3, external: string[] = []) => new IngestCore(
  { learningBuilds, external: external.map((c) => parseCidr(c)!), dnsPorts: new Set([53]), maxOpenBuilds: 100 },
  compileDetectors({}),
);

describe('IngestCore', () => {
  it('flags a build script leaking a key over DNS, with the chain from the build root', () => {
    const c = core();
    const b = new BuildScript('b1', 'acme/app').cargoBuildScript();
    const encoded = base32(FAKE_KEY);
    const qname = `${encoded.slice(0, 63)}.${encoded.slice(63)}.exfil-drill.test`;
    b.dns(102, qname);
    const r = c.apply(b.events, 0);
    const alert = r.findings.find((f) => f.finding.kind === 'encoded_dns_label');
    expect(alert).toBeDefined();
    expect(alert!.finding.qname).toBe(qname);
    expect(alert!.finding.domain).toBe('exfil-drill.test');
    expect(alert!.chain.map((p) => p.pid)).toEqual([100, 101, 102]);
    expect(alert!.chain.at(-1)!.exe).toMatch(/build-script-build$/);
    // The exfiltration domain is not taught to the learning baseline.
    expect(r.baselineAdds.map((a) => a.domain)).not.toContain('exfil-drill.test');
    expect([...r.dnsNames.values()].map((d) => [d.qname, d.count])).toEqual([[qname, 1]]);
  });

  it('learns from the first builds, then flags a first-seen domain and stays quiet on known ones', () => {
    const c = core(2);
    for (const id of ['l1', 'l2']) {
      const b = new BuildScript(id, 'acme/app').cargoBuildScript().dns(101, 'index.crates.io').end();
      expect(c.apply(b.events, 0).findings).toEqual([]);
    }
    const b3 = new BuildScript('b3', 'acme/app').cargoBuildScript().dns(101, 'static.crates.io').dns(101, 'updates.evil-cdn.example');
    const kinds = c.apply(b3.events, 0).findings.map((f) => [f.finding.kind, f.finding.domain]);
    expect(kinds).toEqual([['first_seen_domain', 'evil-cdn.example']]);
    // Another pipeline has its own baseline and is still learning.
    expect(c.apply(new BuildScript('o1', 'other/app').dns(100, 'updates.evil-cdn.example').events, 0).findings).toEqual([]);
  });

  it('tells a connect to a resolved address from raw-IP egress', () => {
    const c = core(0);
    const b = new BuildScript('b1', 'acme/app').cargoBuildScript()
      .dns(101, 'index.crates.io')
      .dns(101, 'index.crates.io', { response: true, answers: [{ name: 'index.crates.io', address: '93.184.216.34' }] })
      .connect(101, '93.184.216.34', 443)
      .connect(102, '198.51.100.7', 443)
      .connect(102, '10.0.0.8', 443);
    const found = c.apply(b.events, 0).findings.filter((f) => f.finding.kind === 'raw_ip_egress');
    expect(found.map((f) => f.finding.address)).toEqual(['198.51.100.7']);
  });

  it('counts what it cannot use instead of failing the batch', () => {
    const c = core();
    const b = new BuildScript('b1', 'acme/app');
    b.rawDns(100, Uint8Array.from([0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]));
    b.rawDns(100, Uint8Array.from([1, 2, 3]));
    const r = c.apply([...b.events, { kind: 'fork', timeUs: 1, buildId: 'never-started', pid: 5, ppid: 4 }], 0);
    expect(r.drops.get('unknown_build')).toBe(1);
    expect([...r.drops.keys()].filter((k) => k.startsWith('dns_')).length).toBeGreaterThan(0);
    expect([...r.drops.values()].reduce((a, n) => a + n, 0)).toBe(3);
  });

  it('reports one alert per build and key, however often the leak repeats', () => {
    const c = core();
    const b = new BuildScript('b1', 'acme/app').cargoBuildScript();
    const name = `${base32(FAKE_KEY).slice(0, 60)}.exfil-drill.test`;
    for (let i = 0; i < 5; i++) b.dns(102, name);
    expect(c.apply(b.events, 0).findings.filter((f) => f.finding.kind === 'encoded_dns_label')).toHaveLength(1);
  });

  it('treats loopback as egress only when configured', () => {
    const b = () => new BuildScript('b1', 'acme/app').cargoBuildScript().connect(102, '127.0.0.2', 8443);
    expect(core(0).apply(b().events, 0).findings).toEqual([]);
    expect(core(0, ['127.0.0.2/32']).apply(b().events, 0).findings.map((f) => f.finding.kind)).toEqual(['raw_ip_egress']);
  });

  it('takes DNS answers only from responses the build received, never from what it sent', () => {
    const c = core(0);
    const forged = dnsPacket('cdn.example.com', { response: true, answers: [{ name: 'cdn.example.com', address: '198.51.100.7' }] });
    const b = new BuildScript('b1', 'acme/app').cargoBuildScript().rawDns(102, forged).connect(102, '198.51.100.7', 443);
    const r = c.apply(b.events, 0);
    expect(r.findings.map((f) => [f.finding.kind, f.finding.address])).toEqual([['raw_ip_egress', '198.51.100.7']]);
    expect(r.drops.get('dns_response_sent_by_process')).toBe(1);
    expect(c.build('b1')!.counts.lost).toBe(1);
    // Answers one build received do not vouch for another build's connects.
    const other = new BuildScript('b2', 'acme/app').cargoBuildScript()
      .dns(101, 'x.example', { response: true, answers: [{ name: 'x.example', address: '203.0.113.5' }] });
    c.apply(other.events, 0);
    const third = new BuildScript('b3', 'other/app').cargoBuildScript().connect(102, '203.0.113.5', 443);
    expect(c.apply(third.events, 0).findings.map((f) => f.finding.kind)).toEqual(['raw_ip_egress']);
  });

  it('judges every question of a query, not only the first', () => {
    const c = core();
    const leak = `${base32(FAKE_KEY).slice(0, 60)}.exfil-drill.test`;
    const head = [0x12, 0x34, 0x01, 0x00, 0, 2, 0, 0, 0, 0, 0, 0];
    const q = (name: string) => [...name.split('.').flatMap((l) => [l.length, ...Buffer.from(l)]), 0, 0, 1, 0, 1];
    const b = new BuildScript('b1', 'acme/app').cargoBuildScript().rawDns(102, Uint8Array.from([...head, ...q('www.google.com'), ...q(leak)]));
    const r = c.apply(b.events, 0);
    expect(r.findings.map((f) => [f.finding.kind, f.finding.qname])).toContainEqual(['encoded_dns_label', leak]);
  });

  it('marks a build incomplete when it sends to DNS what is not a plain query', () => {
    const c = core();
    const secret = [...Buffer.from('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY')];
    const b = new BuildScript('b1', 'acme/app').cargoBuildScript()
      .rawDns(102, Uint8Array.from([0x12, 0x34, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, ...secret]))
      .rawDns(102, Uint8Array.from([...dnsPacket('www.google.com'), ...secret]));
    const r = c.apply(b.events, 0);
    expect(r.drops.get('dns_trailing_bytes')).toBe(1);
    expect([...r.drops.keys()].some((k) => k.startsWith('dns_dns_'))).toBe(true);
    expect(c.build('b1')!.counts.lost).toBe(2);
  });

  it('lets a build that went silent for a day leave memory, and keeps an ended one a while for late events', () => {
    const c = core();
    const hour = 3600 * 1_000_000;
    c.apply(new BuildScript('idle', 'acme/app').events, 1);
    const ended = new BuildScript('ended', 'acme/app').cargoBuildScript().end();
    c.apply(ended.events, 1);
    expect(c.openBuilds).toBe(1);
    const late = new BuildScript('ended', 'acme/app');
    late.events.length = 0;
    late.dns(102, 'index.crates.io');
    expect(c.apply(late.events, 2).drops.get('unknown_build')).toBeUndefined();
    expect(c.build('ended')!.counts.dns).toBe(1);
    c.apply([], 25 * hour);
    expect(c.build('idle')).toBeUndefined();
    expect(c.build('ended')).toBeUndefined();
    expect(c.openBuilds).toBe(0);
  });

  it('never lets a learning pipeline learn a domain that carried exfiltration, in any later build', () => {
    const c = core(3);
    const leak = `${base32(FAKE_KEY).slice(0, 60)}.exfil-drill.test`;
    const first = new BuildScript('l1', 'acme/app').cargoBuildScript().dns(102, leak).end();
    const r1 = c.apply(first.events, 0);
    expect(r1.baselinePoisoned).toEqual([expect.objectContaining({ pipeline: 'acme/app', domain: 'exfil-drill.test', buildId: 'l1' })]);
    const second = new BuildScript('l2', 'acme/app').cargoBuildScript().dns(101, 'www.exfil-drill.test').end();
    expect(c.apply(second.events, 0).baselineAdds.map((a) => a.domain)).not.toContain('exfil-drill.test');
    expect(c.baseline('acme/app').domains.has('exfil-drill.test')).toBe(false);
  });
});
