// What the guard reads from and writes to DNS wire messages: the header and the one
// question of a client's query (fast, bounds-checked, never throwing), and the answers it
// makes up itself (NXDOMAIN, SERVFAIL, FORMERR, REFUSED). Everything else in a query or an
// upstream answer passes through as bytes; the guard never re-encodes a message.

import { DNS_HEADER_BYTES, readName } from '../dns-name-read.js';

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
export type Rcode = (typeof RCODE)[keyof typeof RCODE];

/** The UDP payload size the guard advertises in its own EDNS answers (DNS Flag Day 2020). */
export const GUARD_EDNS_UDP_SIZE = 1232;

const QR = 0x8000;
const TC = 0x0200;
const RD = 0x0100;
const RA = 0x0080;
const CD = 0x0010;
const TYPE_OPT = 41;

export interface EdnsInfo {
  udpSize: number;
  version: number;
  dnssecOk: boolean;
}

export interface GuardQuery {
  id: number;
  flags: number;
  /** The name as sent, case preserved, dig-style escapes, no trailing dot; '' for the root. */
  qname: string;
  labels: string[];
  qtype: number;
  qclass: number;
  /** Bytes [12, questionEnd) are the question exactly as the client sent it. */
  questionEnd: number;
  /** The query's EDNS OPT record, null when it had none. */
  edns: EdnsInfo | null;
}

export type QueryFailure = 'short_header' | 'response' | 'not_query' | 'question_count' | 'malformed';

export type QueryRead =
  | { ok: true; query: GuardQuery }
  /** `reply`: what to answer when the header could be read; null: drop silently. */
  | { ok: false; reason: QueryFailure; reply: Rcode | null };

const u16 = (msg: Uint8Array, at: number): number => ((msg[at] ?? 0) << 8) | (msg[at + 1] ?? 0);

/**
 * Reads a client's query. A message shorter than a header, or one marked as a response
 * (answering those would let two resolvers bounce packets forever), gets no reply; a
 * non-QUERY opcode is refused; anything but exactly one readable question is FORMERR.
 */
export function readQuery(msg: Uint8Array): QueryRead {
  if (msg.length < DNS_HEADER_BYTES) return { ok: false, reason: 'short_header', reply: null };
  const flags = u16(msg, 2);
  if ((flags & QR) !== 0) return { ok: false, reason: 'response', reply: null };
  if (((flags >> 11) & 0xf) !== 0) return { ok: false, reason: 'not_query', reply: RCODE.REFUSED };
  if (u16(msg, 4) !== 1) return { ok: false, reason: 'question_count', reply: RCODE.FORMERR };
  const name = readName(msg, DNS_HEADER_BYTES);
  if (name.kind !== 'ok' || name.end + 4 > msg.length) return { ok: false, reason: 'malformed', reply: RCODE.FORMERR };
  const questionEnd = name.end + 4;
  const records = u16(msg, 6) + u16(msg, 8);
  const edns = u16(msg, 10) === 0 ? null : findOpt(msg, questionEnd, records, u16(msg, 10));
  return {
    ok: true,
    query: {
      id: u16(msg, 0), flags, qname: name.labels.join('.'), labels: name.labels,
      qtype: u16(msg, name.end), qclass: u16(msg, name.end + 2), questionEnd, edns,
    },
  };
}

/** The first OPT record among the additional records, skipping `before` answer/authority records. */
function findOpt(msg: Uint8Array, start: number, before: number, additional: number): EdnsInfo | null {
  let pos = start;
  for (let i = 0; i < before + additional; i++) {
    const owner = readName(msg, pos);
    if (owner.kind !== 'ok' || owner.end + 10 > msg.length) return null;
    const type = u16(msg, owner.end);
    if (i >= before && type === TYPE_OPT && owner.labels.length === 0) {
      return { udpSize: u16(msg, owner.end + 2), version: msg[owner.end + 5] ?? 0, dnssecOk: (u16(msg, owner.end + 6) & 0x8000) !== 0 };
    }
    pos = owner.end + 10 + u16(msg, owner.end + 8);
  }
  return null;
}

/**
 * An answer the guard makes itself for a query it read: same ID, QR and RA set, RD and CD
 * copied, the question echoed byte for byte (0x20 case randomisation survives), and an
 * OPT record (payload 1232, DO copied) when the query had one.
 */
export function synthesiseAnswer(msg: Uint8Array, query: GuardQuery, rcode: Rcode): Uint8Array {
  const questionBytes = query.questionEnd - DNS_HEADER_BYTES;
  const out = new Uint8Array(DNS_HEADER_BYTES + questionBytes + (query.edns ? 11 : 0));
  const flags = QR | (query.flags & (RD | CD)) | RA | rcode;
  out[0] = query.id >> 8;
  out[1] = query.id & 0xff;
  out[2] = flags >> 8;
  out[3] = flags & 0xff;
  out[5] = 1; // qdcount
  out[11] = query.edns ? 1 : 0; // arcount
  out.set(msg.subarray(DNS_HEADER_BYTES, query.questionEnd), DNS_HEADER_BYTES);
  if (query.edns) {
    const at = query.questionEnd;
    // out[at] = 0: the root owner name.
    out[at + 2] = TYPE_OPT;
    out[at + 3] = GUARD_EDNS_UDP_SIZE >> 8;
    out[at + 4] = GUARD_EDNS_UDP_SIZE & 0xff;
    // Extended rcode 0, version 0; DO copied; rdlength 0.
    out[at + 7] = query.edns.dnssecOk ? 0x80 : 0;
  }
  return out;
}

/**
 * A header-only answer to a message whose question could not be used (FORMERR, REFUSED):
 * same ID and opcode, RD copied. Call only when `readQuery` offered a reply (header read).
 */
export function synthesiseHeaderAnswer(msg: Uint8Array, rcode: Rcode): Uint8Array {
  const out = new Uint8Array(DNS_HEADER_BYTES);
  const flags = QR | (u16(msg, 2) & (0x7800 | RD)) | RA | rcode;
  out[0] = msg[0] ?? 0;
  out[1] = msg[1] ?? 0;
  out[2] = flags >> 8;
  out[3] = flags & 0xff;
  return out;
}

/** The ID of a message (0 when it is too short to have one). */
export function messageId(msg: Uint8Array): number {
  return u16(msg, 0);
}

/** True when an upstream answer has the TC bit: the client must retry over TCP. */
export function isTruncated(msg: Uint8Array): boolean {
  return msg.length >= DNS_HEADER_BYTES && (u16(msg, 2) & TC) !== 0;
}

/**
 * True when `answer` is a response to the question the client asked (`query` bytes
 * [12, questionEnd)): the name equal ignoring ASCII case (a resolver may echo it
 * normalised), type and class equal. An error answer without a question passes (FORMERR
 * from an upstream echoes none). An answer to something else is never relayed.
 */
export function answersQuestion(answer: Uint8Array, query: Uint8Array, questionEnd: number): boolean {
  if (answer.length < DNS_HEADER_BYTES || (u16(answer, 2) & QR) === 0) return false;
  const qdcount = u16(answer, 4);
  if (qdcount === 0) return (u16(answer, 2) & 0xf) !== RCODE.NOERROR;
  if (qdcount !== 1 || answer.length < questionEnd) return false;
  const nameEnd = questionEnd - 4;
  for (let i = DNS_HEADER_BYTES; i < nameEnd; i++) {
    const a = answer[i] as number;
    const q = query[i] as number;
    if (a !== q && (a | 0x20) !== (q | 0x20)) return false;
    if (a !== q && !((a | 0x20) >= 0x61 && (a | 0x20) <= 0x7a)) return false;
  }
  for (let i = nameEnd; i < questionEnd; i++) {
    if (answer[i] !== query[i]) return false;
  }
  return true;
}

/**
 * A copy of the query with its question name in lower case. Letter case is a channel: most
 * resolvers keep it when they ask the authoritative server, so `aAaAAa…` would carry bits the
 * detector (which judges letters, not their case) never counted. Label lengths are at most 63,
 * never an ASCII capital, so every byte in A-Z inside the name is a letter.
 */
export function foldQuestionCase(msg: Uint8Array, questionEnd: number): Buffer {
  const out = Buffer.from(msg);
  for (let i = DNS_HEADER_BYTES; i < questionEnd - 4; i++) {
    const b = out[i] as number;
    if (b >= 0x41 && b <= 0x5a) out[i] = b | 0x20;
  }
  return out;
}

/** Puts the client's own spelling of the name back into an answer's question (it asked in its case). */
export function restoreQuestionCase(answer: Uint8Array, query: Uint8Array, questionEnd: number): void {
  if (answer.length < questionEnd || u16(answer, 4) !== 1) return;
  for (let i = DNS_HEADER_BYTES; i < questionEnd - 4; i++) {
    if (((answer[i] as number) | 0x20) === ((query[i] as number) | 0x20)) answer[i] = query[i] as number;
  }
}
