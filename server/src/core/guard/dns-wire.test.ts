import { describe, expect, it } from 'vitest';
import dnsPacket from 'dns-packet';
import { answersQuestion, isTruncated, readQuery, synthesiseAnswer, synthesiseHeaderAnswer, RCODE, type GuardQuery } from './dns-wire.js';

const query = (name: string, over: Partial<dnsPacket.Packet> = {}): Buffer =>
  dnsPacket.encode({ type: 'query', id: 0x1234, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'A', name }], ...over });

const withOpt = (name: string, doBit: boolean): Buffer => query(name, {
  additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 4096, flags: doBit ? dnsPacket.DNSSEC_OK : 0, options: [{ code: 10, data: Buffer.alloc(8, 7) }] } as unknown as dnsPacket.Answer],
});

function read(msg: Uint8Array): GuardQuery {
  const r = readQuery(msg);
  if (!r.ok) throw new Error(`not read: ${r.reason}`);
  return r.query;
}

describe('readQuery', () => {
  it('reads ID, flags, the name as sent (case kept), type and class', () => {
    const q = read(query('Api.GitHub.example', { questions: [{ type: 'UNKNOWN_65' as 'A', name: 'Api.GitHub.example' }] }));
    expect(q).toMatchObject({ id: 0x1234, qname: 'Api.GitHub.example', labels: ['Api', 'GitHub', 'example'], qtype: 65, qclass: 1, edns: null });
    expect(q.flags & 0x0100).toBe(0x0100);
  });

  it('reads the EDNS OPT record: payload size, version and DO', () => {
    expect(read(withOpt('a.example', true)).edns).toEqual({ udpSize: 4096, version: 0, dnssecOk: true });
    expect(read(withOpt('a.example', false)).edns).toEqual({ udpSize: 4096, version: 0, dnssecOk: false });
  });

  it('renders odd bytes so a 0x2e inside a label is not a dot', () => {
    const msg = Buffer.from(query('axb.example'));
    msg[13 + 1] = 0x2e; // "a.b" as one label
    expect(read(msg)).toMatchObject({ qname: 'a\\.b.example', labels: ['a\\.b', 'example'] });
  });

  it.each([
    ['a truncated header', Buffer.alloc(11), 'short_header', null],
    ['an empty datagram', Buffer.alloc(0), 'short_header', null],
    ['a response', dnsPacket.encode({ type: 'response', id: 1, questions: [{ type: 'A', name: 'a.example' }] }), 'response', null],
    ['qdcount 0', query('a.example', { questions: [] }), 'question_count', RCODE.FORMERR],
    ['qdcount 2', query('a.example', { questions: [{ type: 'A', name: 'a.example' }, { type: 'A', name: 'b.example' }] }), 'question_count', RCODE.FORMERR],
    ['a NOTIFY', Buffer.from([0, 1, 0x20, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1]), 'not_query', RCODE.REFUSED],
    ['a cut question', query('a.example').subarray(0, 20), 'malformed', RCODE.FORMERR],
    ['a pointer loop', Buffer.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1]), 'malformed', RCODE.FORMERR],
    ['a label over 63', Buffer.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x41, 0, 0, 1, 0, 1]), 'malformed', RCODE.FORMERR],
  ])('refuses %s', (_t, msg, reason, reply) => {
    expect(readQuery(msg)).toEqual({ ok: false, reason, reply });
  });

  it('never throws on random bytes', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff;
    for (let i = 0; i < 5000; i++) {
      const msg = Uint8Array.from({ length: rand() % 80 }, rand);
      expect(() => readQuery(msg)).not.toThrow();
    }
  });
});

describe('synthesiseAnswer', () => {
  it('answers NXDOMAIN with the same ID, QR, RD copied, RA, the question echoed as sent', () => {
    const msg = query('MfRgG.exfil.test');
    const out = synthesiseAnswer(msg, read(msg), RCODE.NXDOMAIN);
    const p = dnsPacket.decode(Buffer.from(out));
    expect(p).toMatchObject({ id: 0x1234, type: 'response', rcode: 'NXDOMAIN', flag_rd: true, flag_ra: true, flag_aa: false, flag_tc: false });
    expect(p.questions).toEqual([{ name: 'MfRgG.exfil.test', type: 'A', class: 'IN' }]);
    expect(p.answers).toEqual([]);
    expect(p.additionals).toEqual([]);
    expect(Buffer.from(out.subarray(12)).equals(msg.subarray(12))).toBe(true);
  });

  it('keeps EDNS: an OPT record with payload 1232 and DO copied when the query had one', () => {
    const msg = withOpt('a.exfil.test', true);
    const p = dnsPacket.decode(Buffer.from(synthesiseAnswer(msg, read(msg), RCODE.REFUSED)));
    expect(p).toMatchObject({ rcode: 'REFUSED' });
    expect(p.additionals).toHaveLength(1);
    expect(p.additionals![0]).toMatchObject({ type: 'OPT', name: '.', udpPayloadSize: 1232, flags: dnsPacket.DNSSEC_OK, options: [] });
  });

  it('copies RD only when set, and CD', () => {
    const msg = query('a.example', { flags: dnsPacket.CHECKING_DISABLED });
    const p = dnsPacket.decode(Buffer.from(synthesiseAnswer(msg, read(msg), RCODE.SERVFAIL)));
    expect(p).toMatchObject({ rcode: 'SERVFAIL', flag_rd: false, flag_cd: true, flag_ra: true });
  });

  it('answers a header-only FORMERR or REFUSED keeping ID and opcode', () => {
    const notify = Buffer.from([0xab, 0xcd, 0x21, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1]);
    const p = dnsPacket.decode(Buffer.from(synthesiseHeaderAnswer(notify, RCODE.REFUSED)));
    expect(p).toMatchObject({ id: 0xabcd, type: 'response', opcode: 'NOTIFY', rcode: 'REFUSED', flag_rd: true });
    expect(p.questions).toEqual([]);
  });
});

describe('answersQuestion', () => {
  const msg = query('Api.Example');
  const q = read(msg);
  const answer = (name: string, type: 'A' | 'AAAA' = 'A', rcode?: string) => dnsPacket.encode({
    type: 'response', id: 9, flags: rcode === 'FORMERR' ? 1 : 0, questions: name === '' ? [] : [{ type, name }],
  });

  it('matches the same question, ignoring only the case of letters', () => {
    expect(answersQuestion(answer('Api.Example'), msg, q.questionEnd)).toBe(true);
    expect(answersQuestion(answer('api.example'), msg, q.questionEnd)).toBe(true);
    expect(answersQuestion(answer('Apx.Example'), msg, q.questionEnd)).toBe(false);
    expect(answersQuestion(answer('Api.Example', 'AAAA'), msg, q.questionEnd)).toBe(false);
    expect(answersQuestion(msg, msg, q.questionEnd)).toBe(false); // a query, not an answer
  });

  it('passes an error answer without a question, not a NOERROR one', () => {
    expect(answersQuestion(answer('', 'A', 'FORMERR'), msg, q.questionEnd)).toBe(true);
    expect(answersQuestion(answer(''), msg, q.questionEnd)).toBe(false);
  });

  it('reads TC', () => {
    expect(isTruncated(dnsPacket.encode({ type: 'response', id: 1, flags: dnsPacket.TRUNCATED_RESPONSE, questions: [] }))).toBe(true);
    expect(isTruncated(answer('a.example'))).toBe(false);
  });
});
