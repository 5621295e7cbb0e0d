// Rebuilds a DNS message's header and first question from Falco's default buffer rendering,
// where every byte outside 0x20-0x7e became '.'. The rendering keeps one character per byte,
// so positions are exact; what is lost is the value behind each '.'.
//
// A label's length byte is printable when it is 32-63 (read exactly), '.' when it is 1-31 or
// 46 (0x2e itself), and '.' for the 0 that ends the name. A '.' length is resolved by the
// distance d to the next '.': d = 0 ends the name, d <= 31 is a label of d bytes, and d >= 32
// can only be a 46-byte label (no hidden byte is 32-45). So labels come back exactly when they
// hold no '.'-rendered byte; a label shorter than 32 bytes that does (a literal '.', a control
// or non-ASCII byte) is split at it. We keep: the labels' text, QTYPE and QCLASS when both of
// their low bytes are printable (a hidden high byte taken as 0), the header bytes that are
// printable. We guess: the rest of the header (ID 0, RD set, one question, no other records),
// QTYPE 0 ("unknown": A, AAAA, TXT, MX, CNAME, NS, PTR, SOA and ANY all render as ".."),
// QCLASS IN. We drop: every record after
// the question (EDNS OPT, answers of a response), and so any data carried there.

export interface RebuiltDns {
  packet: Uint8Array;
  /** Name, type and class were all inside the rendering (not cut by the snaplen). */
  questionComplete: boolean;
  labels: string[];
}

const HEADER = 12;
const MAX_LABELS = 127;
const HIDDEN = '.';

/** null when the rendering cannot be a DNS message (too short, or an impossible length byte). */
export function rebuildDnsFromDots(text: string, response: boolean): RebuiltDns | null {
  if (text.length < HEADER) return null;
  const known = (i: number): boolean => i < text.length && text[i] !== HIDDEN;
  const byte = (i: number, guess: number): number => (known(i) ? text.charCodeAt(i) : guess);
  const out: number[] = [
    byte(0, 0), byte(1, 0),
    byte(2, response ? 0x81 : 0x01), byte(3, response ? 0x80 : 0x00),
    0, 1, 0, 0, 0, 0, 0, 0,
  ];
  const labels: string[] = [];
  let pos = HEADER;
  let nameEnded = false;
  while (pos < text.length) {
    if (labels.length >= MAX_LABELS) return null;
    let len: number;
    if (known(pos)) {
      len = text.charCodeAt(pos);
      if (len > 63) return null; // 0x40-0x7e is neither a label length nor a pointer (0xc0+)
    } else {
      const next = text.indexOf(HIDDEN, pos + 1);
      const d = (next < 0 ? text.length : next) - (pos + 1);
      if (d === 0) {
        out.push(0);
        pos++;
        nameEnded = true;
        break;
      }
      len = d <= 31 ? d : 46;
    }
    const label = text.slice(pos + 1, pos + 1 + len);
    labels.push(label);
    out.push(len);
    for (let i = 0; i < label.length; i++) out.push(label.charCodeAt(i));
    pos += 1 + len;
  }
  let questionComplete = false;
  if (nameEnded && pos + 4 <= text.length) {
    // A visible low byte with a hidden high one: the high byte is almost surely 0 (types and
    // classes above 255 are rare). A hidden low byte leaves the value unknown.
    const pair = (i: number, guess: number): [number, number] =>
      known(i + 1) ? [byte(i, 0), text.charCodeAt(i + 1)] : [guess >> 8, guess & 0xff];
    out.push(...pair(pos, 0), ...pair(pos + 2, 1));
    questionComplete = true;
  }
  return { packet: Uint8Array.from(out), questionComplete, labels };
}
