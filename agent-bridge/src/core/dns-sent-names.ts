// What a DNS message the build sent can carry, read straight from the packet bytes so the agent
// can look it up against its secret fingerprints: the labels of every question name, the owner
// name of every answer, authority and additional record, and each record's data. A message the
// build sends is the build's to shape: a "response" flag, a fifth question or a TXT record in
// the additional section carry data as well as a question does. Bounded and never throws: a
// compression pointer ends a name (the labels before it are kept), an unknown label type ends
// the read; a truncated packet gives what was captured, a cut label included.

/** Names (and record data) read per packet at most (a plain query has one). */
export const MAX_NAMES = 32;
/** Label bytes read per name at most: a name is at most 255 bytes on the wire. */
export const MAX_NAME_BYTES = 255;
/** Bytes of one record's data read at most. */
export const MAX_RDATA_BYTES = 1024;
const HEADER_BYTES = 12;

/**
 * The labels of each name the message carries, and each record's data as one "label" (latin1:
 * every byte one character); [] when the packet is too short to hold anything.
 */
export function readSentNames(packet: Uint8Array): string[][] {
  if (packet.length <= HEADER_BYTES) return [];
  const count = (at: number) => (packet[at]! << 8) | packet[at + 1]!;
  const questions = count(4);
  const records = count(6) + count(8) + count(10);
  const names: string[][] = [];
  let at = HEADER_BYTES;
  for (let i = 0; i < questions + records && names.length < MAX_NAMES && at < packet.length; i++) {
    const name = readName(packet, at);
    if (name.labels.length) names.push(name.labels);
    if (!name.ended) break;
    at = name.next;
    if (i < questions) {
      at += 4; // QTYPE, QCLASS
      continue;
    }
    if (at + 10 > packet.length) break;
    const rdlength = count(at + 8);
    at += 10; // TYPE, CLASS, TTL, RDLENGTH
    const end = Math.min(at + rdlength, packet.length);
    if (end > at && names.length < MAX_NAMES) names.push([latin1(packet, at, Math.min(end, at + MAX_RDATA_BYTES))]);
    at += rdlength;
  }
  return names;
}

/** One name: its labels, whether it ended properly (root label or pointer), and where what follows starts. */
function readName(packet: Uint8Array, from: number): { labels: string[]; ended: boolean; next: number } {
  const labels: string[] = [];
  let nameBytes = 0;
  let at = from;
  while (at < packet.length) {
    const len = packet[at]!;
    if (len === 0) return { labels, ended: true, next: at + 1 };
    // A compression pointer ends the name here (what it points at was read where it stands).
    if ((len & 0xc0) === 0xc0) return { labels, ended: at + 1 < packet.length, next: at + 2 };
    if (len > 63) break; // an extended label type: the rest cannot be read
    const end = Math.min(at + 1 + len, packet.length, at + 1 + MAX_NAME_BYTES - nameBytes);
    labels.push(latin1(packet, at + 1, end));
    nameBytes += end - at - 1;
    at += 1 + len;
    if (nameBytes >= MAX_NAME_BYTES) break;
  }
  return { labels, ended: false, next: at };
}

function latin1(bytes: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}
