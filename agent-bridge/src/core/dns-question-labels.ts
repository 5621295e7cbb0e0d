// The labels of a DNS query's question names, read straight from the packet bytes so the
// agent can look them up against its secret fingerprints. Bounded and never throws: a
// compression pointer (a query has no use for one) or an unknown label type ends the read;
// a truncated packet gives what was captured, a cut label included (it still carried data).

/** Questions read per packet at most (a query has one). */
export const MAX_QUESTIONS = 4;
/** Label bytes read per question at most: a name is at most 255 bytes on the wire. */
export const MAX_NAME_BYTES = 255;
const HEADER_BYTES = 12;

/**
 * The labels of each question name of a query (latin1: every byte one character), or []
 * when the packet is a response or too short to hold a question.
 */
export function readQuestionLabels(packet: Uint8Array): string[][] {
  if (packet.length <= HEADER_BYTES) return [];
  if ((packet[2]! & 0x80) !== 0) return []; // QR set: a response
  const qdcount = Math.min((packet[4]! << 8) | packet[5]!, MAX_QUESTIONS);
  const names: string[][] = [];
  let at = HEADER_BYTES;
  for (let q = 0; q < qdcount && at < packet.length; q++) {
    const labels: string[] = [];
    let nameBytes = 0;
    let complete = false;
    while (at < packet.length) {
      const len = packet[at]!;
      if (len === 0) {
        at++;
        complete = true;
        break;
      }
      if (len > 63) break; // a compression pointer or an extended label type: refused
      const end = Math.min(at + 1 + len, packet.length, at + 1 + MAX_NAME_BYTES - nameBytes);
      labels.push(latin1(packet, at + 1, end));
      nameBytes += end - at - 1;
      at += 1 + len;
      if (nameBytes >= MAX_NAME_BYTES) break;
    }
    if (labels.length) names.push(labels);
    if (!complete) break;
    at += 4; // QTYPE, QCLASS
  }
  return names;
}

function latin1(bytes: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}
