// A loopback DNS upstream for the guard's tests and benchmark (UDP and TCP, never forwards
// anywhere). It logs every query it receives with its bytes, answers A/AAAA/TXT/CNAME/HTTPS
// (and NOERROR-empty for other types), echoes EDNS, and for a name starting `big.` sends a
// TXT answer too large for UDP: over UDP it answers TC=1, over TCP the whole of it.
import net from 'node:net';
import { bindPair } from './listen-pair.js';
import dnsPacket from 'dns-packet';
import { frame, FrameReader } from './tcp-framing.js';

export interface UpstreamQuery {
  transport: 'udp' | 'tcp';
  id: number;
  name: string;
  type: string;
  raw: Buffer;
  /** The bytes sent back (null when it stayed silent). */
  answer: Buffer | null;
}

export interface TestUpstreamOptions {
  /** Stay silent for names this matches (a dead upstream that still accepts packets). */
  silent?: (name: string) => boolean;
  /** Delay a TCP answer (to send pipelined answers out of order). */
  tcpDelayMs?: (name: string) => number;
  /** An EDNS option the upstream puts in its OPT record, to see it relayed. */
  ednsOption?: { code: number; data: Buffer };
  /** Keep only the last this many queries (the benchmark sends many). */
  keep?: number;
}

export interface TestUpstream {
  readonly host: string;
  readonly port: number;
  readonly queries: UpstreamQuery[];
  close(): Promise<void>;
}

const TYPE_HTTPS = 65;
// priority 1, target "." , alpn=h2 (key 1, length 3, "\x02h2")
const HTTPS_RDATA = Buffer.from([0, 1, 0, 0, 1, 0, 3, 2, 0x68, 0x32]);

export function answerFor(query: Buffer, transport: 'udp' | 'tcp', opts: TestUpstreamOptions = {}): { name: string; type: string; id: number; answer: Buffer } | null {
  let q: dnsPacket.DecodedPacket;
  try {
    q = dnsPacket.decode(query);
  } catch {
    return null;
  }
  const question = q.questions?.[0];
  if (question === undefined) return null;
  const { name, type } = question;
  const opt = q.additionals?.find((a) => a.type === 'OPT') as (dnsPacket.OptAnswer & { udpPayloadSize: number }) | undefined;
  const answers: dnsPacket.Answer[] = [];
  const lower = name.toLowerCase();
  if (lower.startsWith('big.')) {
    answers.push({ type: 'TXT', name, ttl: 60, data: Array.from({ length: 20 }, (_, i) => `${i}`.padEnd(200, 'x')) });
  } else if (type === 'A') answers.push({ type: 'A', name, ttl: 60, data: '192.0.2.1' });
  else if (type === 'AAAA') answers.push({ type: 'AAAA', name, ttl: 60, data: '2001:db8::1' });
  else if (type === 'TXT') answers.push({ type: 'TXT', name, ttl: 60, data: ['v=test1 hello'] });
  else if (type === 'CNAME') answers.push({ type: 'CNAME', name, ttl: 60, data: 'target.example' });
  else if ((type as string) === `UNKNOWN_${TYPE_HTTPS}`) answers.push({ type: `UNKNOWN_${TYPE_HTTPS}` as 'NULL', name, ttl: 60, data: HTTPS_RDATA });
  const additionals: dnsPacket.Answer[] = opt === undefined ? [] : [{
    type: 'OPT', name: '.', udpPayloadSize: 1232, flags: opt.flags ?? 0,
    options: opts.ednsOption ? [opts.ednsOption] : [],
  } as unknown as dnsPacket.Answer];
  const flags = (q.flags ?? 0) & dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE;
  let answer = dnsPacket.encode({ type: 'response', id: q.id ?? 0, flags, questions: [question], answers, additionals });
  const room = opt === undefined ? 512 : Math.max(512, opt.udpPayloadSize);
  if (transport === 'udp' && answer.length > room) {
    answer = dnsPacket.encode({ type: 'response', id: q.id ?? 0, flags: flags | dnsPacket.TRUNCATED_RESPONSE, questions: [question], additionals });
  }
  return { name, type, id: q.id ?? 0, answer };
}

export async function startTestUpstream(opts: TestUpstreamOptions = {}, host = '127.0.0.1'): Promise<TestUpstream> {
  const queries: UpstreamQuery[] = [];
  const keep = opts.keep ?? Number.POSITIVE_INFINITY;
  const log = (entry: UpstreamQuery): void => {
    queries.push(entry);
    if (queries.length > keep) queries.shift();
  };
  const sockets = new Set<net.Socket>();
  const onConnection = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    const reader = new FrameReader();
    socket.on('data', (chunk) => {
      reader.push(chunk);
      for (let msg = reader.next(); msg !== null; msg = reader.next()) {
        const a = answerFor(msg, 'tcp', opts);
        const silent = a === null || opts.silent?.(a.name) === true;
        log({ transport: 'tcp', id: a?.id ?? -1, name: a?.name ?? '', type: a?.type ?? '', raw: msg, answer: silent ? null : a.answer });
        if (silent) continue;
        const delay = opts.tcpDelayMs?.(a.name) ?? 0;
        const send = () => { if (!socket.destroyed) socket.write(frame(a.answer)); };
        if (delay > 0) setTimeout(send, delay);
        else send();
      }
    });
  };
  // UDP and TCP on one free port (retried when TCP finds the UDP port taken: tests run in parallel).
  const { udp, tcp, port } = await bindPair({ host, port: 0 }, onConnection);
  udp.on('message', (msg, rinfo) => {
    const a = answerFor(msg, 'udp', opts);
    const silent = a === null || opts.silent?.(a.name) === true;
    log({ transport: 'udp', id: a?.id ?? -1, name: a?.name ?? '', type: a?.type ?? '', raw: Buffer.from(msg), answer: silent ? null : a.answer });
    if (!silent) udp.send(a.answer, rinfo.port, rinfo.address);
  });
  return {
    host, port, queries,
    async close() {
      udp.close();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    },
  };
}
