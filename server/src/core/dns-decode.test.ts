import { describe, expect, it } from 'vitest';
import dnsPacket from 'dns-packet';
import { decodeDnsMessage, type DnsDecodeResult } from './dns-decode.js';

const UDP = { transport: 'udp', capturedFully: true } as const;
const CUT = { transport: 'udp', capturedFully: false } as const;

/** Header: id 0x1234, flags, then QD/AN/NS/AR counts. */
function header(qd: number, an = 0, flags = 0x0100): number[] {
  return [0x12, 0x34, flags >> 8, flags & 0xff, qd >> 8, qd & 0xff, an >> 8, an & 0xff, 0, 0, 0, 0];
}
const label = (text: string): number[] => [text.length, ...Array.from(text, (c) => c.charCodeAt(0))];
const nameBytes = (name: string): number[] => [...name.split('.').flatMap(label), 0];
const TYPE_A_IN = [0, 1, 0, 1];
const bytes = (...parts: number[][]): Uint8Array => Uint8Array.from(parts.flat());

function errorCode(r: DnsDecodeResult): string {
  if (r.ok) throw new Error(`expected an error, got ${JSON.stringify(r.message)}`);
  return r.error.code;
}
function message(r: DnsDecodeResult) {
  if (!r.ok) throw new Error(`expected a message, got ${r.error.code}: ${r.error.message}`);
  return r.message;
}

describe('decodeDnsMessage: well-formed messages', () => {
  it('decodes a query with case preserved and no trailing dot', () => {
    const m = message(decodeDnsMessage(bytes(header(1), nameBytes('aBc.Example.com'), TYPE_A_IN), UDP));
    expect(m).toMatchObject({ id: 0x1234, isResponse: false, opcode: 'QUERY', rcode: 'NOERROR', partial: false });
    expect(m.questions).toEqual([{ name: 'aBc.Example.com', labels: ['aBc', 'Example', 'com'], type: 'A', class: 'IN', partial: false }]);
  });

  it('names types by mnemonic and unknown ones the RFC 3597 way', () => {
    const q = (type: number) => message(decodeDnsMessage(bytes(header(1), nameBytes('x.test'), [type >> 8, type & 0xff, 0, 1]), UDP)).questions[0]?.type;
    expect([q(16), q(28), q(65), q(65280)]).toEqual(['TXT', 'AAAA', 'HTTPS', 'TYPE65280']);
  });

  it('decodes A, AAAA and CNAME answers through compression pointers', () => {
    const packet = dnsPacket.encode({
      type: 'response', id: 9, flags: dnsPacket.RECURSION_DESIRED,
      questions: [{ type: 'A', name: 'www.example.com' }],
      answers: [
        { type: 'CNAME', name: 'www.example.com', data: 'edge.example.net' },
        { type: 'A', name: 'edge.example.net', data: '93.184.216.34' },
        { type: 'AAAA', name: 'edge.example.net', data: '2001:db8:0:0:1:0:0:1' },
        { type: 'TXT', name: 'edge.example.net', data: 'skipped' },
      ],
    });
    const m = message(decodeDnsMessage(packet, UDP));
    expect(m.isResponse).toBe(true);
    expect(m.answers).toEqual([
      { name: 'www.example.com', type: 'CNAME', ttl: 0, target: 'edge.example.net' },
      { name: 'edge.example.net', type: 'A', ttl: 0, address: '93.184.216.34' },
      { name: 'edge.example.net', type: 'AAAA', ttl: 0, address: '2001:db8::1:0:0:1' },
    ]);
  });

  it('reads a TCP message bare, as the agent hands it over, and a framed one as a fallback', () => {
    const one = dnsPacket.encode({ type: 'query', id: 1, questions: [{ type: 'A', name: 'first.test' }] });
    // The wire contract: the agent strips DNS-over-TCP length prefixes.
    expect(message(decodeDnsMessage(Uint8Array.from(one), { transport: 'tcp', capturedFully: true })).questions[0]?.name).toBe('first.test');
    const framed = bytes([one.length >> 8, one.length & 0xff], [...one]);
    expect(message(decodeDnsMessage(framed, { transport: 'tcp', capturedFully: true })).id).toBe(1);
    expect(message(decodeDnsMessage(framed, { transport: 'unspecified', capturedFully: true })).id).toBe(1);
    expect(errorCode(decodeDnsMessage(framed.subarray(0, 10), { transport: 'tcp', capturedFully: true }))).toBe('DNS_TRUNCATED');
  });

  it('measures bytes a query carries beyond its questions and records', () => {
    const q = dnsPacket.encode({ type: 'query', id: 7, questions: [{ type: 'A', name: 'www.example.test' }] });
    expect(message(decodeDnsMessage(Uint8Array.from(q), { transport: 'udp', capturedFully: true })).trailingBytes).toBe(0);
    const appended = bytes([...q], [...Buffer.from('c2VjcmV0LXZhbHVl')]);
    expect(message(decodeDnsMessage(appended, { transport: 'udp', capturedFully: true })).trailingBytes).toBe(16);
    const edns = dnsPacket.encode({ type: 'query', id: 8, questions: [{ type: 'A', name: 'a.test' }], additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] });
    expect(message(decodeDnsMessage(Uint8Array.from(edns), { transport: 'udp', capturedFully: true })).trailingBytes).toBe(0);
    // A well-formed TXT record riding in a query's additional section is carried data too.
    const txt = dnsPacket.encode({ type: 'query', id: 9, questions: [{ type: 'A', name: 'a.test' }], additionals: [{ type: 'TXT', name: 'x.test', data: ['c2VjcmV0'.repeat(20)] }] });
    expect(message(decodeDnsMessage(Uint8Array.from(txt), { transport: 'udp', capturedFully: true })).trailingBytes).toBeGreaterThan(160);
  });

  it('renders arbitrary label bytes as dig-style escapes, so a 0x2e byte cannot forge a label', () => {
    const m = message(decodeDnsMessage(bytes(header(1), [5, 0x00, 0x2e, 0xff, 0x41, 0x20], label('com'), [0], TYPE_A_IN), UDP));
    expect(m.questions[0]?.labels).toEqual(['\\000\\.\\255A\\032', 'com']);
    expect(m.questions[0]?.name).toBe('\\000\\.\\255A\\032.com');
  });

  it('accepts a 255-byte name and the root name', () => {
    const long = [...label('a'.repeat(63)), ...label('a'.repeat(63)), ...label('a'.repeat(63)), ...label('a'.repeat(61)), 0];
    expect(long.length).toBe(255);
    expect(message(decodeDnsMessage(bytes(header(1), long, TYPE_A_IN), UDP)).questions[0]?.labels).toHaveLength(4);
    expect(message(decodeDnsMessage(bytes(header(1), [0], [0, 2, 0, 1]), UDP)).questions[0]).toMatchObject({ name: '', type: 'NS' });
  });
});

describe('decodeDnsMessage: hostile input gets a typed error', () => {
  const cases: Array<[string, Uint8Array, string]> = [
    ['pointer to itself', bytes(header(1), [0xc0, 12], TYPE_A_IN), 'DNS_POINTER_LOOP'],
    ['label then pointer back to its own start', bytes(header(1), label('a'), [0xc0, 12], TYPE_A_IN), 'DNS_POINTER_LOOP'],
    // The first A record's data (at 31) holds a pointer to the second owner name (at 35),
    // which points back to 31: each pointer aims at the other.
    ['two pointers to each other', bytes(header(1, 2, 0x8180), label('a'), [0], TYPE_A_IN, [0xc0, 12], TYPE_A_IN, [0, 0, 0, 9, 0, 4],
      [0xc0, 35, 0, 0], [0xc0, 31], TYPE_A_IN, [0, 0, 0, 9, 0, 4, 1, 2, 3, 4]), 'DNS_POINTER_LOOP'],
    ['forward pointer', bytes(header(1), [0xc0, 18], TYPE_A_IN, label('a'), [0]), 'DNS_BAD_POINTER'],
    ['pointer past the end', bytes(header(1), [0xc0, 0xff], TYPE_A_IN), 'DNS_BAD_POINTER'],
    ['pointer into the header', bytes(header(1), [0xc0, 2], TYPE_A_IN), 'DNS_BAD_POINTER'],
    ['label length past the end', bytes(header(1), [30, 0x61, 0x62], [0], TYPE_A_IN), 'DNS_TRUNCATED'],
    ['label length 64 (0x40 type)', bytes(header(1), [64, ...Array(64).fill(0x61), 0], TYPE_A_IN), 'DNS_LABEL_TOO_LONG'],
    ['reserved label type 0x80', bytes(header(1), [0x80, 0x61, 0], TYPE_A_IN), 'DNS_LABEL_TOO_LONG'],
    ['name of 256 bytes', bytes(header(1), ...[63, 63, 63, 62].map((n) => label('a'.repeat(n))), [0], TYPE_A_IN), 'DNS_NAME_TOO_LONG'],
    ['header cut', bytes([0x12, 0x34, 1]), 'DNS_TRUNCATED'],
    ['type cut', bytes(header(1), label('a'), [0, 0]), 'DNS_TRUNCATED'],
    ['more questions than bytes', bytes(header(2), label('a'), [0], TYPE_A_IN), 'DNS_TRUNCATED'],
    ['no question', bytes(header(0)), 'DNS_NO_QUESTION'],
    ['unassigned opcode 3', bytes(header(1, 0, 0x1800), label('a'), [0], TYPE_A_IN), 'DNS_NOT_A_QUERY'],
    ['A record of 2 bytes', bytes(header(1, 1, 0x8180), label('a'), [0], TYPE_A_IN, [0xc0, 12], TYPE_A_IN, [0, 0, 0, 9, 0, 2, 1, 2]), 'DNS_MALFORMED'],
    ['AAAA data cut', bytes(header(1, 1, 0x8180), label('a'), [0], TYPE_A_IN, [0xc0, 12, 0, 28, 0, 1, 0, 0, 0, 9, 0, 16, 1, 2, 3]), 'DNS_TRUNCATED'],
    ['CNAME target running past its RDATA', bytes(header(1, 1, 0x8180), label('a'), [0], TYPE_A_IN, [0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 9, 0, 2], label('b'), [0xc0, 12]), 'DNS_MALFORMED'],
  ];
  it.each(cases)('%s', (_title, packet, code) => {
    expect(errorCode(decodeDnsMessage(packet, UDP))).toBe(code);
  });

  it('stops a long backward pointer chain at the hop cap', () => {
    // A TXT record's data holds n pointers, each to the one before it (the first to the root
    // name at 12): strictly backward and never revisiting, so only the hop cap can stop it.
    const chainPacket = (n: number): Uint8Array => {
      const base = 12 + 5 + 11;
      const ptr = (v: number) => [0xc0 | (v >> 8), v & 0xff];
      const chain = Array.from({ length: n }, (_, k) => ptr(k === 0 ? 12 : base + 2 * (k - 1))).flat();
      return bytes(header(1, 2, 0x8180), [0], TYPE_A_IN, [0, 0, 16, 0, 1, 0, 0, 0, 9, (2 * n) >> 8, (2 * n) & 0xff], chain,
        ptr(base + 2 * (n - 1)), TYPE_A_IN, [0, 0, 0, 9, 0, 4, 1, 2, 3, 4]);
    };
    expect(message(decodeDnsMessage(chainPacket(100), UDP)).answers).toEqual([{ name: '', type: 'A', ttl: 9, address: '1.2.3.4' }]);
    expect(errorCode(decodeDnsMessage(chainPacket(200), UDP))).toBe('DNS_POINTER_LOOP');
  });
});

describe('decodeDnsMessage: salvage of a capture cut short', () => {
  const data = ['MFRGGZDFMZTQOJ3JNBVGW3DNNZXXA4LSON2HK5TXPB4XU2DBMJRWIZLG', 'NBUWU23MNVXG64DRONZXI5LWO54XS6TBMJRWIZLGM5UGS2TLNRWW433Q', 'OFZHG5DVOZ3XQ6L2MFRGGZDFMZTQOJ3JNBVGW3DNNZXXA4LSON2HK5TX'];
  const packet = bytes(header(1), ...data.map(label), label('exfil'), label('test'), [0], [0, 16, 0, 1]);

  it('keeps the labels read, and the bytes of a label cut inside, with partial: true', () => {
    const cutAt = 12 + 57 * 2 + 20; // inside the third label
    const m = message(decodeDnsMessage(packet.subarray(0, cutAt), CUT));
    expect(m.partial).toBe(true);
    expect(m.questions[0]?.labels).toEqual([data[0], data[1], data[2]?.slice(0, 19)]);
    expect(m.questions[0]).toMatchObject({ type: '', partial: true });
    expect(errorCode(decodeDnsMessage(packet.subarray(0, cutAt), UDP))).toBe('DNS_TRUNCATED');
  });

  it('keeps the whole name when the cut falls in type or class', () => {
    const m = message(decodeDnsMessage(packet.subarray(0, packet.length - 2), CUT));
    expect(m).toMatchObject({ partial: true, questions: [{ name: [...data, 'exfil', 'test'].join('.'), type: 'TXT', class: '', partial: false }] });
  });

  it('salvages a cut TCP message and a response cut among its answers', () => {
    expect(message(decodeDnsMessage(packet.subarray(0, 100), { transport: 'tcp', capturedFully: false })).questions[0]?.labels[0]).toBe(data[0]);
    const response = dnsPacket.encode({
      type: 'response', questions: [{ type: 'A', name: 'a.test' }],
      answers: [{ type: 'A', name: 'a.test', data: '10.0.0.1' }, { type: 'A', name: 'a.test', data: '10.0.0.2' }],
    });
    const m = message(decodeDnsMessage(response.subarray(0, response.length - 2), CUT));
    expect(m).toMatchObject({ partial: true, answers: [{ address: '10.0.0.1' }] });
  });

  it('has nothing to salvage when the cut comes before the first label', () => {
    expect(errorCode(decodeDnsMessage(packet.subarray(0, 12), CUT))).toBe('DNS_TRUNCATED');
  });
});
