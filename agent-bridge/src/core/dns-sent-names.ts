// What a DNS message the build sent can carry, read straight from the packet bytes so the agent
// can look it up against its secret fingerprints: the labels of every question name, the owner
// name of every answer, authority and additional record, each record's data, and any bytes
// after the last section. A message the build sends is the build's to shape: a "response" flag,
// a fifth question, a TXT record in the additional section or trailing bytes carry data as well
// as a question does. Compression pointers are followed in any direction, as a lenient resolver
// would, so labels a pointer reaches (in trailing bytes, inside a record's data) are read as
// labels. Bounded and never throws: an unknown label type ends the read; a truncated packet
// gives what was captured, a cut label included.

/** Names (and record data) read per packet at most (a plain query has one). */
export const MAX_NAMES = 32;
/** Label bytes read per name at most: a name is at most 255 bytes on the wire. */
export const MAX_NAME_BYTES = 255;
/** Bytes of one record's data (or of the trailing bytes) read at most. */
export const MAX_RDATA_BYTES = 1024;
/** Compression pointers followed per name at most. */
export const MAX_POINTER_HOPS = 16;
const HEADER_BYTES = 12;

/**
 * The labels of each name the message carries, and each record's data and the bytes after the
 * last section as one "label" each (latin1: every byte one character); [] when the packet is
 * too short to hold anything.
 */
export function readSentNames(packet: Uint8Array): string[][] {
  if (packet.length <= HEADER_BYTES) return [];
  const count = (at: number) => (packet[at]! << 8) | packet[at + 1]!;
  const questions = count(4);
  const records = count(6) + count(8) + count(10);
  const names: string[][] = [];
  let at = HEADER_BYTES;
  let stopped = false; // at a name it cannot read or a record header cut short: no trailing bytes
  for (let i = 0; i < questions + records && names.length < MAX_NAMES && at < packet.length; i++) {
    const name = readName(packet, at);
    if (name.labels.length) names.push(name.labels);
    if (!name.ended) {
      stopped = true;
      break;
    }
    at = name.next;
    if (i < questions) {
      at += 4; // QTYPE, QCLASS
      continue;
    }
    if (at + 10 > packet.length) {
      stopped = true;
      break;
    }
    const rdlength = count(at + 8);
    at += 10; // TYPE, CLASS, TTL, RDLENGTH
    const end = Math.min(at + rdlength, packet.length);
    if (end > at && names.length < MAX_NAMES) names.push(rdata(packet, at, end));
    at += rdlength;
  }
  // Bytes no section counts still travel with the message.
  if (!stopped && at < packet.length && names.length < MAX_NAMES) names.push(rdata(packet, at, packet.length));
  return names;
}

/**
 * One name: its labels, whether it ended properly on the wire (root label or pointer), and where
 * what follows it on the wire starts. Labels a pointer reaches are read too: a pointer outside
 * the capture, back to where this name already jumped, or past MAX_POINTER_HOPS ends the name.
 */
function readName(packet: Uint8Array, from: number): { labels: string[]; ended: boolean; next: number } {
  const labels: string[] = [];
  const jumpedTo = new Set([from]);
  let nameBytes = 0;
  let at = from;
  let afterPointer = -1; // where the name ends on the wire, once its first pointer is met
  while (at < packet.length && nameBytes < MAX_NAME_BYTES) {
    const len = packet[at]!;
    if (len === 0) return { labels, ended: true, next: afterPointer < 0 ? at + 1 : afterPointer };
    if ((len & 0xc0) === 0xc0) {
      if (at + 1 >= packet.length) break; // a cut pointer
      if (afterPointer < 0) afterPointer = at + 2;
      const target = ((len & 0x3f) << 8) | packet[at + 1]!;
      if (target >= packet.length || jumpedTo.has(target) || jumpedTo.size > MAX_POINTER_HOPS) break;
      jumpedTo.add(target);
      at = target;
      continue;
    }
    if (len > 63) break; // an extended label type: the rest cannot be read
    const end = Math.min(at + 1 + len, packet.length, at + 1 + MAX_NAME_BYTES - nameBytes);
    labels.push(latin1(packet, at + 1, end));
    nameBytes += end - at - 1;
    at += 1 + len;
  }
  return afterPointer < 0 ? { labels, ended: false, next: at } : { labels, ended: true, next: afterPointer };
}

function rdata(packet: Uint8Array, from: number, to: number): string[] {
  return [latin1(packet, from, Math.min(to, from + MAX_RDATA_BYTES))];
}

function latin1(bytes: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}
