// Decodes a captured DNS message (query or response) into plain data, never throwing.
// We walk the wire ourselves instead of calling dns-packet's decode; dns-packet-weighing.test.ts
// pins why: it decodes labels as UTF-8 (a 0x2e byte inside a label forges an extra label,
// other bytes turn into U+FFFD), ignores RDLENGTH for A/AAAA (rdlength 2 gives
// "1.2.undefined.undefined"), throws untyped RangeErrors when cut, and can salvage nothing
// from a truncated capture, which is exactly the case we must still judge.

import { ServerError } from './errors.js';
import { DNS_HEADER_BYTES, readName, type NameRead } from './dns-name-read.js';
import { CLASS_IN, TYPE_A, TYPE_AAAA, TYPE_CNAME, className, opcodeName, rcodeName, typeName } from './dns-rr-names.js';
import { formatIpv4, formatIpv6 } from './ip-text.js';

export interface DecodeOptions {
  transport: 'udp' | 'tcp' | 'unspecified';
  /** False when the source kept only the first bytes of the datagram (bpftrace: ~200-416). */
  capturedFully: boolean;
}

export interface DnsQuestion {
  /** As sent, case preserved, dig-style escapes, no trailing dot; '' for the root. */
  name: string;
  labels: string[];
  /** '' when the capture ended before the field. */
  type: string;
  class: string;
  /** The capture ended inside the name: `labels` are its left part (the suffix is missing). */
  partial: boolean;
}

export type DnsAnswer =
  | { name: string; type: 'A' | 'AAAA'; ttl: number; address: string }
  | { name: string; type: 'CNAME'; ttl: number; target: string };

export interface DnsMessage {
  id: number;
  isResponse: boolean;
  opcode: string;
  rcode: string;
  /** The TC bit: the server cut its own answer (not our capture). */
  truncatedFlag: boolean;
  questions: DnsQuestion[];
  /** A, AAAA and CNAME records of class IN from the answer section; others are skipped. */
  answers: DnsAnswer[];
  /** The capture ended early; what is here was read, the rest is missing. */
  partial: boolean;
  /**
   * Bytes of a query after its questions and well-formed records: nothing a resolver reads,
   * so a channel for data (`qdcount` 0 plus a payload, or a secret appended to a question).
   */
  trailingBytes: number;
}

export type DnsDecodeResult = { ok: true; message: DnsMessage } | { ok: false; error: ServerError };

/** Opcodes whose first section is a question (or UPDATE's zone) in the RFC 1035 layout. */
const QUESTION_OPCODES = new Set([0, 1, 2, 4, 5]);

/**
 * `packet` is one DNS message as the wire contract carries it: bare, without the 2-byte
 * length prefix of DNS over TCP (the agent strips it). A packet that only decodes with a
 * prefix is accepted too, for sources that hand over a TCP segment as it was.
 */
export function decodeDnsMessage(packet: Uint8Array, opts: DecodeOptions): DnsDecodeResult {
  const asUdp = decodeMessage(packet, opts.capturedFully);
  if (asUdp.ok || opts.transport === 'udp' || !looksLengthPrefixed(packet, opts.capturedFully)) return asUdp;
  // A TCP segment handed over with its length prefix.
  const asTcp = decodeTcp(packet, opts.capturedFully);
  return asTcp.ok ? asTcp : asUdp;
}

function looksLengthPrefixed(packet: Uint8Array, capturedFully: boolean): boolean {
  if (packet.length < 2) return false;
  const declared = ((packet[0] ?? 0) << 8) | (packet[1] ?? 0);
  return capturedFully ? declared === packet.length - 2 : declared >= packet.length - 2;
}

function decodeTcp(packet: Uint8Array, capturedFully: boolean): DnsDecodeResult {
  if (packet.length < 2) return err('DNS_TRUNCATED', 'no TCP length prefix', { length: packet.length });
  const declared = ((packet[0] ?? 0) << 8) | (packet[1] ?? 0);
  if (declared < DNS_HEADER_BYTES) return err('DNS_MALFORMED', 'TCP length prefix below header size', { declared });
  const body = packet.subarray(2, 2 + declared);
  if (body.length < declared && capturedFully) {
    return err('DNS_TRUNCATED', 'TCP message shorter than its length prefix', { declared, length: body.length });
  }
  return decodeMessage(body, capturedFully);
}

function decodeMessage(msg: Uint8Array, capturedFully: boolean): DnsDecodeResult {
  if (msg.length < DNS_HEADER_BYTES) return err('DNS_TRUNCATED', 'shorter than a DNS header', { length: msg.length });
  const u16 = (at: number): number => ((msg[at] ?? 0) << 8) | (msg[at + 1] ?? 0);
  const flags = u16(2);
  const opcode = (flags >> 11) & 0xf;
  if (!QUESTION_OPCODES.has(opcode)) return err('DNS_NOT_A_QUERY', 'opcode without a question section', { opcode });
  const qdcount = u16(4);
  if (qdcount === 0) return err('DNS_NO_QUESTION', 'no question', {});

  const message: DnsMessage = {
    id: u16(0),
    isResponse: (flags & 0x8000) !== 0,
    opcode: opcodeName(opcode),
    rcode: rcodeName(flags & 0xf),
    truncatedFlag: (flags & 0x0200) !== 0,
    questions: [],
    answers: [],
    partial: false,
    trailingBytes: 0,
  };
  // A cut capture is expected when the source keeps only a prefix; then we return what was read.
  const cut = (what: string): DnsDecodeResult =>
    capturedFully
      ? err('DNS_TRUNCATED', `message ends inside ${what}`, { length: msg.length })
      : { ok: true, message: { ...message, partial: true } };

  let pos = DNS_HEADER_BYTES;
  for (let i = 0; i < qdcount; i++) {
    const name = readName(msg, pos);
    if (name.kind === 'error') return { ok: false, error: name.error };
    if (name.kind === 'cut') {
      if (name.labels.length > 0) message.questions.push(question(name.labels, '', '', true));
      return message.questions.length > 0 || capturedFully ? cut('a question name') : err('DNS_TRUNCATED', 'cut before any label', {});
    }
    pos = name.end;
    const type = pos + 2 <= msg.length ? typeName(u16(pos)) : '';
    const klass = pos + 4 <= msg.length ? className(u16(pos + 2)) : '';
    message.questions.push(question(name.labels, type, klass, false));
    if (klass === '') return cut('a question type or class');
    pos += 4;
  }
  if (!message.isResponse) {
    // A plain query is its questions plus, at most, one EDNS OPT record of modest size.
    // Answer or authority records, other additional records (a TXT full of data) or bytes
    // after the records are not read by any resolver: they count as carried bytes.
    const plainEnd = u16(6) === 0 && u16(8) === 0 && u16(10) <= 1 ? skipOpt(msg, pos, u16(10)) : pos;
    message.trailingBytes = capturedFully ? msg.length - plainEnd : 0;
    return { ok: true, message };
  }

  const ancount = u16(6);
  for (let i = 0; i < ancount; i++) {
    const owner = readName(msg, pos);
    if (owner.kind === 'error') return { ok: false, error: owner.error };
    if (owner.kind === 'cut' || owner.end + 10 > msg.length) return cut('an answer record');
    const type = u16(owner.end);
    const klass = u16(owner.end + 2);
    const ttl = (u16(owner.end + 4) * 0x10000 + u16(owner.end + 6)) >>> 0;
    const rdStart = owner.end + 10;
    const rdEnd = rdStart + u16(owner.end + 8);
    if (rdEnd > msg.length) return cut('answer data');
    const answer = readAnswer(msg, owner.labels.join('.'), type, klass, ttl, rdStart, rdEnd);
    if (answer instanceof ServerError) return { ok: false, error: answer };
    if (answer !== null) message.answers.push(answer);
    pos = rdEnd;
  }
  return { ok: true, message };
}

const TYPE_OPT = 41;
/** EDNS options a client resolver sends (cookie, client subnet, padding to 468) fit well within this. */
const MAX_OPT_RDATA = 512;

/** Where one OPT record at `pos` (root owner, type 41) ends; `pos` itself when it is not one. */
function skipOpt(msg: Uint8Array, pos: number, count: number): number {
  if (count === 0) return pos;
  const owner = readName(msg, pos);
  if (owner.kind !== 'ok' || owner.labels.length !== 0 || owner.end + 10 > msg.length) return pos;
  if ((((msg[owner.end] ?? 0) << 8) | (msg[owner.end + 1] ?? 0)) !== TYPE_OPT) return pos;
  const rdlength = ((msg[owner.end + 8] ?? 0) << 8) | (msg[owner.end + 9] ?? 0);
  const end = owner.end + 10 + rdlength;
  return rdlength > MAX_OPT_RDATA || end > msg.length ? pos : end;
}

function readAnswer(
  msg: Uint8Array, name: string, type: number, klass: number, ttl: number, rdStart: number, rdEnd: number,
): DnsAnswer | ServerError | null {
  if (klass !== CLASS_IN) return null;
  const rdlength = rdEnd - rdStart;
  if (type === TYPE_A || type === TYPE_AAAA) {
    const want = type === TYPE_A ? 4 : 16;
    if (rdlength !== want) return new ServerError('DNS_MALFORMED', 'address record of wrong length', { type, rdlength });
    const bytes = msg.subarray(rdStart, rdEnd);
    return type === TYPE_A
      ? { name, type: 'A', ttl, address: formatIpv4(bytes) }
      : { name, type: 'AAAA', ttl, address: formatIpv6(bytes) };
  }
  if (type === TYPE_CNAME) {
    // The name must sit inside RDATA; a read past it (even if the bytes exist) is malformed.
    const target: NameRead = readName(msg.subarray(0, rdEnd), rdStart);
    if (target.kind === 'error') return target.error;
    if (target.kind === 'cut' || target.end !== rdEnd) {
      return new ServerError('DNS_MALFORMED', 'CNAME target does not fill its RDATA', { rdlength });
    }
    return { name, type: 'CNAME', ttl, target: target.labels.join('.') };
  }
  return null;
}

function question(labels: string[], type: string, klass: string, partial: boolean): DnsQuestion {
  return { name: labels.join('.'), labels, type, class: klass, partial };
}

function err(code: ServerError['code'], message: string, details: ServerError['details']): DnsDecodeResult {
  return { ok: false, error: new ServerError(code, message, details) };
}
