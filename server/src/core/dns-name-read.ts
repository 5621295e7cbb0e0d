// Reads one (possibly compressed) DNS name from a message, guarded against hostile input:
// every read is bounds-checked, a pointer may only jump to bytes not yet visited that lie
// before it (RFC 1035 4.1.4 "a prior occurrence"), and hops and length are capped, so the
// walk always ends. A capture cut short is reported as `cut` with the labels read so far.

import { ServerError } from './errors.js';
import { renderLabel } from './dns-name-text.js';

export const DNS_HEADER_BYTES = 12;
/** RFC 1035 2.3.4: 255 octets on the wire including length bytes and the root label. */
export const MAX_NAME_WIRE_BYTES = 255;
export const MAX_LABEL_BYTES = 63;
/** A 255-byte name has at most 127 labels; more hops than that can only be a loop. */
const MAX_HOPS = 127;

export type NameRead =
  | { kind: 'ok'; labels: string[]; /** Offset just after the name where it was written. */ end: number }
  | { kind: 'cut'; labels: string[] }
  | { kind: 'error'; error: ServerError };

export function readName(msg: Uint8Array, start: number): NameRead {
  const labels: string[] = [];
  const visited: Array<[number, number]> = [];
  let pos = start;
  let segmentStart = start;
  let end = -1;
  let wireBytes = 1; // the root label
  let hops = 0;

  for (;;) {
    const len = msg[pos];
    if (len === undefined) return { kind: 'cut', labels };
    if (len === 0) return { kind: 'ok', labels, end: end < 0 ? pos + 1 : end };

    const tag = len & 0xc0;
    if (tag === 0xc0) {
      const low = msg[pos + 1];
      if (low === undefined) return { kind: 'cut', labels };
      const target = ((len & 0x3f) << 8) | low;
      visited.push([segmentStart, pos + 2]);
      if (end < 0) end = pos + 2;
      if (target < DNS_HEADER_BYTES) return fail('DNS_BAD_POINTER', 'pointer into the header', pos, target);
      if (visited.some(([a, b]) => target >= a && target < b) || ++hops > MAX_HOPS) {
        return fail('DNS_POINTER_LOOP', 'compression pointer loop', pos, target);
      }
      if (target > pos) return fail('DNS_BAD_POINTER', 'pointer forward or out of bounds', pos, target);
      pos = target;
      segmentStart = target;
      continue;
    }
    if (tag !== 0) {
      // 0x40 (obsolete extended label) and 0x80 (reserved) both read as lengths over 63.
      return fail('DNS_LABEL_TOO_LONG', 'label length over 63 or reserved label type', pos, len);
    }

    wireBytes += len + 1;
    const available = msg.subarray(pos + 1, pos + 1 + len);
    if (available.length < len) {
      // Cut inside this label: keep the bytes we have, they still carry data worth judging.
      if (available.length > 0 && wireBytes - len + available.length <= MAX_NAME_WIRE_BYTES) {
        labels.push(renderLabel(available));
      }
      return { kind: 'cut', labels };
    }
    if (wireBytes > MAX_NAME_WIRE_BYTES) return fail('DNS_NAME_TOO_LONG', 'name over 255 bytes', pos, wireBytes);
    labels.push(renderLabel(available));
    pos += len + 1;
  }
}

function fail(code: ServerError['code'], message: string, offset: number, value: number): NameRead {
  return { kind: 'error', error: new ServerError(code, message, { offset, value }) };
}
