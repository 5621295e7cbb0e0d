// The loopback DNS test server: answers, echoing, and robustness to garbage.
import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { parseQuery, QTYPE, RCODE, startDnsServer, type DnsServer } from './dns-server.js';

function query(id: number, name: string, type: number, flags = 0x0100): Buffer {
  const labels = name.split('.').filter(Boolean).flatMap((l) => [Buffer.from([l.length]), Buffer.from(l, 'latin1')]);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(flags, 2);
  header.writeUInt16BE(1, 4);
  const tail = Buffer.alloc(4);
  tail.writeUInt16BE(type, 0);
  tail.writeUInt16BE(1, 2);
  return Buffer.concat([header, ...labels, Buffer.from([0]), tail]);
}

/** Sends datagrams from one socket; collects replies for `waitMs`. */
async function exchange(port: number, packets: Buffer[], waitMs = 300): Promise<Buffer[]> {
  const sock = dgram.createSocket('udp4');
  const replies: Buffer[] = [];
  sock.on('message', (m) => replies.push(m));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  for (const p of packets) await new Promise<void>((r, j) => sock.send(p, port, '127.0.0.1', (e) => (e ? j(e) : r())));
  await new Promise((r) => setTimeout(r, waitMs));
  await new Promise<void>((r) => sock.close(() => r()));
  return replies;
}

describe('loopback DNS test server', () => {
  let dns: DnsServer | undefined;
  afterEach(async () => {
    await dns?.close();
    dns = undefined;
  });

  it('answers A with 127.0.0.1 and other types with NXDOMAIN, echoing ID and question', async () => {
    dns = await startDnsServer({ host: '127.0.0.1', port: 0 });
    const qa = query(0x1234, 'abc.exfil-drill.test', QTYPE.A);
    const qaaaa = query(0x4321, 'abc.exfil-drill.test', QTYPE.AAAA);
    const replies = await exchange(dns.port, [qa, qaaaa]);
    expect(replies).toHaveLength(2);
    const byId = new Map(replies.map((r) => [r.readUInt16BE(0), r]));

    const ra = byId.get(0x1234)!;
    expect(ra.readUInt16BE(2) & 0x8000).toBe(0x8000); // QR
    expect(ra.readUInt16BE(2) & 0x0100).toBe(0x0100); // RD echoed
    expect(ra.readUInt16BE(2) & 0xf).toBe(RCODE.NOERROR);
    expect(ra.readUInt16BE(4)).toBe(1);
    expect(ra.readUInt16BE(6)).toBe(1);
    expect(ra.subarray(12, qa.length)).toEqual(qa.subarray(12)); // question echoed
    expect([...ra.subarray(ra.length - 4)]).toEqual([127, 0, 0, 1]);

    const r6 = byId.get(0x4321)!;
    expect(r6.readUInt16BE(2) & 0xf).toBe(RCODE.NXDOMAIN);
    expect(r6.readUInt16BE(6)).toBe(0);

    expect(dns.queries.map((q) => [q.name, q.type])).toEqual([
      ['abc.exfil-drill.test', QTYPE.A],
      ['abc.exfil-drill.test', QTYPE.AAAA],
    ]);
    expect(dns.queries[0]!.receivedAtNs <= dns.queries[1]!.receivedAtNs).toBe(true);
  });

  it('counts garbage without crashing or answering, and keeps serving', async () => {
    dns = await startDnsServer();
    const pointerLoop = Buffer.concat([query(7, '', QTYPE.A).subarray(0, 12), Buffer.from([0x01, 0x61, 0xc0, 0x0c])]);
    const garbage = [
      Buffer.alloc(0),
      Buffer.from([1, 2, 3]),
      Buffer.alloc(12), // QDCOUNT 0
      query(1, 'x.test', QTYPE.A, 0x8100), // a response
      query(2, 'x.test', QTYPE.A).subarray(0, 20), // truncated
      Buffer.concat([query(3, '', QTYPE.A).subarray(0, 12), Buffer.from([64, ...Buffer.alloc(64)]), Buffer.alloc(5)]), // label > 63
      pointerLoop,
      Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 131) & 0xff)),
    ];
    const replies = await exchange(dns.port, [...garbage, query(9, 'ok.test', QTYPE.A)]);
    expect(dns.garbage).toBe(garbage.length);
    expect(dns.garbagePackets.every((g) => g.reason.length > 0)).toBe(true);
    expect(dns.queries.map((q) => q.name)).toEqual(['ok.test']);
    expect(replies.map((r) => r.readUInt16BE(0))).toEqual([9]);
  });

  it('escapes odd bytes in names and honours a custom answer', async () => {
    // The first question can only point backwards into the header, so in
    // practice it is uncompressed; parseQuery still bounds pointer chasing.
    expect(parseQuery(query(5, 'a.b', QTYPE.A)).labels.map(String)).toEqual(['a', 'b']);

    dns = await startDnsServer({ answer: (q) => (q.name.startsWith('drop') ? null : { rcode: RCODE.REFUSED }) });
    const replies = await exchange(dns.port, [query(1, 'drop.test', QTYPE.A), query(2, 'we.ird\x00x.test', QTYPE.TXT)]);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.readUInt16BE(2) & 0xf).toBe(RCODE.REFUSED);
    expect(dns.queries.map((q) => q.name)).toEqual(['drop.test', 'we.ird\\000x.test']);
  });

  it('waitForQuery resolves on arrival and times out otherwise', async () => {
    dns = await startDnsServer();
    const waiting = dns.waitForQuery((q) => q.name === 'later.test', 2000);
    await exchange(dns.port, [query(1, 'later.test', QTYPE.A)], 50);
    await expect(waiting).resolves.toMatchObject({ name: 'later.test' });
    await expect(dns.waitForQuery((q) => q.name === 'never.test', 100)).rejects.toThrow(/no matching DNS query/);
  });
});
