// A tiny loopback DNS server for the fire drill and the e2e tests (node:dgram, no libraries).
//
// It records every well-formed query it receives, answers A queries with
// 127.0.0.1 and everything else with NXDOMAIN (or whatever `answer` says), and
// counts — never crashes on — datagrams it cannot parse. It never forwards
// anything anywhere: tests point build scripts at it instead of the machine's
// resolver.
import dgram from 'node:dgram';
import net from 'node:net';

export const QTYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33, OPT: 41, ANY: 255 } as const;
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

const MAX_LABEL = 63;
const MAX_NAME_WIRE = 255;
const MAX_POINTER_JUMPS = 16;
const MAX_GARBAGE_KEPT = 64;

export interface DnsQuery {
  /** Presentation form without the trailing dot ("." for the root); case preserved; odd bytes as \DDD. */
  name: string;
  /** The raw labels of the question name. */
  labels: Buffer[];
  /** QTYPE number (1 = A, 28 = AAAA, ...). */
  type: number;
  /** QCLASS number (1 = IN). */
  qclass: number;
  id: number;
  /** Header flags word as received. */
  flags: number;
  rd: boolean;
  from: { address: string; port: number };
  /** process.hrtime.bigint() when the datagram was handed to us. */
  receivedAtNs: bigint;
  /** The whole datagram (a copy). */
  raw: Buffer;
}

export interface GarbagePacket {
  reason: string;
  raw: Buffer;
  from: { address: string; port: number };
  receivedAtNs: bigint;
}

/** What to send back for a query; `null` means stay silent. */
export type DnsAnswer = null | { rcode: number; a?: string[]; ttl?: number };

export interface DnsServerOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Decides the reply; default: A → 127.0.0.1, anything else → NXDOMAIN. */
  answer?: (q: DnsQuery) => DnsAnswer;
}

export interface DnsServer {
  readonly host: string;
  readonly port: number;
  /** `host:port` (IPv6 bracketed), ready for TELLTALE_FIXTURE_DNS. */
  readonly address: string;
  /** Every parsed query, in arrival order. */
  readonly queries: DnsQuery[];
  /** Number of datagrams that were not parseable queries. */
  readonly garbage: number;
  /** The first few garbage datagrams, for debugging. */
  readonly garbagePackets: GarbagePacket[];
  /** Number of replies actually sent. */
  readonly replies: number;
  /** Subscribes to queries as they arrive; returns an unsubscribe function. */
  onQuery(cb: (q: DnsQuery) => void): () => void;
  /** Resolves with the first query (already received or future) matching `pred`. */
  waitForQuery(pred?: (q: DnsQuery) => boolean, timeoutMs?: number): Promise<DnsQuery>;
  /** Forgets recorded queries and garbage. */
  reset(): void;
  close(): Promise<void>;
}

export const defaultAnswer = (q: DnsQuery): DnsAnswer =>
  q.type === QTYPE.A && q.qclass === 1 ? { rcode: RCODE.NOERROR, a: ['127.0.0.1'], ttl: 0 } : { rcode: RCODE.NXDOMAIN };

export class DnsParseError extends Error {}

export interface ParsedQuestion {
  id: number;
  flags: number;
  labels: Buffer[];
  type: number;
  qclass: number;
  /** Offset just past the first question's QCLASS. */
  end: number;
}

/**
 * Parses the header and first question of a DNS query. Bounded: labels ≤ 63,
 * names ≤ 255 wire bytes, at most 16 backward compression pointers. Throws
 * DnsParseError on anything malformed; never reads out of bounds.
 */
export function parseQuery(buf: Buffer): ParsedQuestion {
  if (buf.length < 12) throw new DnsParseError(`short header (${buf.length} bytes)`);
  const id = buf.readUInt16BE(0);
  const flags = buf.readUInt16BE(2);
  if (flags & 0x8000) throw new DnsParseError('QR set (a response, not a query)');
  const opcode = (flags >> 11) & 0xf;
  if (opcode !== 0) throw new DnsParseError(`opcode ${opcode} is not QUERY`);
  const qdcount = buf.readUInt16BE(4);
  if (qdcount < 1) throw new DnsParseError('no question');

  const labels: Buffer[] = [];
  let wire = 1; // the terminating zero byte
  let pos = 12;
  let end = -1; // where the question continues after the name
  let jumps = 0;
  for (;;) {
    if (pos >= buf.length) throw new DnsParseError('name runs past end of packet');
    const len = buf[pos]!;
    if (len === 0) {
      if (end < 0) end = pos + 1;
      break;
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (pos + 1 >= buf.length) throw new DnsParseError('truncated compression pointer');
      const target = ((len & 0x3f) << 8) | buf[pos + 1]!;
      if (target >= pos) throw new DnsParseError('forward or self compression pointer');
      if (++jumps > MAX_POINTER_JUMPS) throw new DnsParseError('too many compression pointers');
      if (end < 0) end = pos + 2;
      pos = target;
      continue;
    }
    if (kind !== 0) throw new DnsParseError(`reserved label type 0x${kind.toString(16)}`);
    if (len > MAX_LABEL) throw new DnsParseError(`label too long (${len})`);
    if (pos + 1 + len > buf.length) throw new DnsParseError('label runs past end of packet');
    wire += len + 1;
    if (wire > MAX_NAME_WIRE) throw new DnsParseError('name longer than 255 bytes');
    labels.push(Buffer.from(buf.subarray(pos + 1, pos + 1 + len)));
    pos += 1 + len;
  }
  if (end + 4 > buf.length) throw new DnsParseError('truncated QTYPE/QCLASS');
  return { id, flags, labels, type: buf.readUInt16BE(end), qclass: buf.readUInt16BE(end + 2), end: end + 4 };
}

/** Presentation form of labels (RFC 1035 5.1 escaping), without trailing dot. */
export function labelsToName(labels: readonly Buffer[]): string {
  if (labels.length === 0) return '.';
  return labels
    .map((l) => {
      let s = '';
      for (const b of l) {
        if (b === 0x2e || b === 0x5c) s += '\\' + String.fromCharCode(b);
        else if (b > 0x20 && b < 0x7f) s += String.fromCharCode(b);
        else s += '\\' + String(b).padStart(3, '0');
      }
      return s;
    })
    .join('.');
}

/** Builds a reply: echoed ID, RD and question; QR, AA and RA set; A records if given. */
export function buildResponse(q: { id: number; flags: number; labels: readonly Buffer[]; type: number; qclass: number }, ans: Exclude<DnsAnswer, null>): Buffer {
  const a = ans.rcode === RCODE.NOERROR ? (ans.a ?? []) : [];
  const nameWire = Buffer.concat([...q.labels.flatMap((l) => [Buffer.from([l.length]), l]), Buffer.from([0])]);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(q.id, 0);
  header.writeUInt16BE(0x8000 | 0x0400 | (q.flags & 0x0100) | 0x0080 | (ans.rcode & 0xf), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(a.length, 6);
  const question = Buffer.alloc(4);
  question.writeUInt16BE(q.type, 0);
  question.writeUInt16BE(q.qclass, 2);
  const records = a.map((ip) => {
    if (!net.isIPv4(ip)) throw new Error(`not an IPv4 address: ${ip}`);
    const rr = Buffer.alloc(16);
    rr.writeUInt16BE(0xc00c, 0); // pointer to the question name
    rr.writeUInt16BE(QTYPE.A, 2);
    rr.writeUInt16BE(1, 4);
    rr.writeUInt32BE(ans.ttl ?? 0, 6);
    rr.writeUInt16BE(4, 10);
    ip.split('.').forEach((o, i) => rr.writeUInt8(Number(o), 12 + i));
    return rr;
  });
  return Buffer.concat([header, nameWire, question, ...records]);
}

export async function startDnsServer(opts: DnsServerOptions = {}): Promise<DnsServer> {
  const host = opts.host ?? '127.0.0.1';
  const answer = opts.answer ?? defaultAnswer;
  const socket = dgram.createSocket({ type: net.isIPv6(host) ? 'udp6' : 'udp4' });
  const queries: DnsQuery[] = [];
  const garbagePackets: GarbagePacket[] = [];
  const listeners = new Set<(q: DnsQuery) => void>();
  let garbage = 0;
  let replies = 0;
  let closed = false;

  socket.on('message', (msg, rinfo) => {
    const receivedAtNs = process.hrtime.bigint();
    const from = { address: rinfo.address, port: rinfo.port };
    let parsed: ParsedQuestion;
    try {
      parsed = parseQuery(msg);
    } catch (e) {
      garbage++;
      if (garbagePackets.length < MAX_GARBAGE_KEPT) {
        garbagePackets.push({ reason: e instanceof Error ? e.message : String(e), raw: Buffer.from(msg), from, receivedAtNs });
      }
      return; // never answer garbage (avoids reply loops)
    }
    const q: DnsQuery = {
      name: labelsToName(parsed.labels),
      labels: parsed.labels,
      type: parsed.type,
      qclass: parsed.qclass,
      id: parsed.id,
      flags: parsed.flags,
      rd: (parsed.flags & 0x0100) !== 0,
      from,
      receivedAtNs,
      raw: Buffer.from(msg),
    };
    queries.push(q);
    for (const cb of [...listeners]) {
      try {
        cb(q);
      } catch {
        // a test's listener must not take the server down
      }
    }
    let reply: DnsAnswer;
    try {
      reply = answer(q);
    } catch {
      reply = { rcode: RCODE.SERVFAIL };
    }
    if (reply === null || closed) return;
    let out: Buffer;
    try {
      out = buildResponse(parsed, reply);
    } catch {
      out = buildResponse(parsed, { rcode: RCODE.SERVFAIL });
    }
    socket.send(out, rinfo.port, rinfo.address, (err) => {
      if (!err) replies++;
    });
  });
  // Errors on a UDP socket (e.g. ICMP-induced) must not crash the test process.
  socket.on('error', () => {});

  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(opts.port ?? 0, host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  const port = socket.address().port;
  const onQuery = (cb: (q: DnsQuery) => void): (() => void) => {
    listeners.add(cb);
    return () => {
      listeners.delete(cb);
    };
  };

  return {
    host,
    port,
    address: net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`,
    queries,
    get garbage() {
      return garbage;
    },
    garbagePackets,
    get replies() {
      return replies;
    },
    onQuery,
    waitForQuery(pred = () => true, timeoutMs = 5000) {
      const seen = queries.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise<DnsQuery>((resolve, reject) => {
        const timer = setTimeout(() => {
          off();
          reject(new Error(`no matching DNS query within ${timeoutMs} ms (saw ${queries.length} queries, ${garbage} garbage)`));
        }, timeoutMs);
        const off = onQuery((q) => {
          if (!pred(q)) return;
          clearTimeout(timer);
          off();
          resolve(q);
        });
      });
    },
    reset() {
      queries.length = 0;
      garbagePackets.length = 0;
      garbage = 0;
    },
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      listeners.clear();
      return new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}
