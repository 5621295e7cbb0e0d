// Properties over hostile bytes: the decoder never throws, and what it returns is either a
// typed error or a message whose names are safe printable text.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import dnsPacket from 'dns-packet';
import { decodeDnsMessage, type DnsDecodeResult } from './dns-decode.js';
import { SERVER_ERROR_CODES, ServerError } from './errors.js';
import { canonicalIp } from './ip-text.js';

const UDP = { transport: 'udp', capturedFully: true } as const;
function header(qd: number, an = 0, flags = 0x0100): number[] {
  return [0x12, 0x34, flags >> 8, flags & 0xff, qd >> 8, qd & 0xff, an >> 8, an & 0xff, 0, 0, 0, 0];
}
const bytes = (...parts: number[][]): Uint8Array => Uint8Array.from(parts.flat());
function message(r: DnsDecodeResult) {
  if (!r.ok) throw new Error(`expected a message, got ${r.error.code}: ${r.error.message}`);
  return r.message;
}

describe('decodeDnsMessage: never throws (property)', () => {
  const printable = /^[\x21-\x7e]*$/;
  const optsArb = fc.record({ transport: fc.constantFrom('udp', 'tcp', 'unspecified'), capturedFully: fc.boolean() });

  function checkTotal(packet: Uint8Array, opts: Parameters<typeof decodeDnsMessage>[1]): void {
    const r = decodeDnsMessage(packet, opts);
    if (!r.ok) {
      expect(r.error).toBeInstanceOf(ServerError);
      expect(SERVER_ERROR_CODES).toContain(r.error.code);
      return;
    }
    expect(r.message.questions.length).toBeGreaterThan(0);
    for (const q of r.message.questions) {
      expect(q.labels.every((l) => l.length > 0 && printable.test(l))).toBe(true);
      expect(q.name).toBe(q.labels.join('.'));
    }
    if (opts.capturedFully) expect(r.message.partial).toBe(false);
  }

  it('over random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), optsArb, (p, o) => checkTotal(p, o)), { numRuns: 3000 });
  });

  it('over random bytes behind a plausible header', () => {
    const arb = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 4 }), fc.boolean(), fc.uint8Array({ maxLength: 300 }));
    fc.assert(fc.property(arb, optsArb, ([qd, an, qr, body], o) => {
      checkTotal(bytes(header(qd, an, qr ? 0x8180 : 0x0100), [...body]), o);
    }), { numRuns: 3000 });
  });

  it('over mutated valid packets', () => {
    const labelArb = fc.stringMatching(/^[a-zA-Z0-9-]{1,20}$/);
    const nameArb = fc.array(labelArb, { minLength: 1, maxLength: 5 }).map((l) => l.join('.'));
    const packetArb = fc.tuple(nameArb, nameArb, fc.ipV4(), fc.boolean()).map(([q, c, ip, response]) => new Uint8Array(dnsPacket.encode({
      type: response ? 'response' : 'query', questions: [{ type: 'A', name: q }],
      answers: response ? [{ type: 'CNAME', name: q, data: c }, { type: 'A', name: c, data: ip }] : [],
    })));
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.constantFrom(0, 0x3f, 0x40, 0x80, 0xc0, 0xc0 | 12, 0xff, 12, 1) }),
      fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), value: fc.constant(0) }),
      fc.record({ kind: fc.constant('pointer' as const), at: fc.nat(), value: fc.nat(0x3fff) }),
    );
    fc.assert(fc.property(packetArb, fc.array(mutation, { maxLength: 4 }), optsArb, (packet, mutations, o) => {
      let p = packet;
      for (const m of mutations) {
        if (p.length === 0) break;
        const at = m.at % p.length;
        if (m.kind === 'cut') p = p.subarray(0, at);
        else if (m.kind === 'set') { p = p.slice(); p[at] = m.value; }
        else { p = p.slice(); p[at] = 0xc0 | (m.value >> 8); if (at + 1 < p.length) p[at + 1] = m.value & 0xff; }
      }
      checkTotal(p, o);
    }), { numRuns: 3000 });
  });

  it('agrees with dns-packet on valid packets with plain names', () => {
    const labelArb = fc.stringMatching(/^[a-zA-Z0-9_-]{1,30}$/);
    const nameArb = fc.array(labelArb, { minLength: 1, maxLength: 4 }).map((l) => l.join('.'));
    fc.assert(fc.property(nameArb, nameArb, fc.ipV4(), fc.ipV6(), (q, c, v4, v6) => {
      const packet = dnsPacket.encode({
        type: 'response', questions: [{ type: 'AAAA', name: q }],
        answers: [{ type: 'CNAME', name: q, data: c }, { type: 'A', name: c, data: v4 }, { type: 'AAAA', name: c, data: v6 }],
      });
      const theirs = dnsPacket.decode(packet);
      const ours = message(decodeDnsMessage(packet, UDP));
      expect(ours.questions.map((x) => [x.name, x.type, x.class])).toEqual(theirs.questions?.map((x) => [x.name, x.type, x.class]));
      expect(ours.answers.map((a) => a.name)).toEqual(theirs.answers?.map((a) => a.name));
      const addresses = theirs.answers?.flatMap((a) => (a.type === 'A' || a.type === 'AAAA' ? [canonicalIp(a.data)] : []));
      expect(ours.answers.flatMap((a) => ('address' in a ? [a.address] : []))).toEqual(addresses);
    }), { numRuns: 500 });
  });
});
