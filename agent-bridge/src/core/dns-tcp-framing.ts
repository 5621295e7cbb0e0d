// DNS over TCP prefixes each message with a 2-byte length. A captured TCP write or read may
// hold framed messages (Go: prefix + message in one write) or a bare message (glibc writes
// the prefix as its own iovec and reads it with its own read, both skipped by the script).

export interface DnsMessage {
  /** The captured bytes of the message. */
  packet: Uint8Array;
  /** Its true length. */
  packetLength: number;
}

/** A DNS message is at least its 12-byte header: a shorter frame means this is no framing. */
const MIN_MESSAGE = 12;
/**
 * Frames taken from one send; the rest goes on as one more message (whose decoding the
 * collector judges), so a send packed with tiny frames cannot become thousands of events.
 */
export const MAX_FRAMES_PER_SEND = 64;

/**
 * Splits `bytes` (the first bytes of a `length`-byte TCP segment) into framed messages when
 * the length prefixes tile the segment; otherwise it is one bare message. A bare message whose
 * ID happens to tile its own length is misread; for a single message that is ~1 in 65,536.
 */
export function splitTcpDnsFrames(bytes: Uint8Array, length: number): DnsMessage[] {
  const frames: DnsMessage[] = [];
  let offset = 0;
  while (offset < length && offset + 2 <= bytes.length) {
    if (frames.length === MAX_FRAMES_PER_SEND) {
      frames.push({ packet: bytes.subarray(offset), packetLength: length - offset });
      return frames;
    }
    const n = ((bytes[offset] ?? 0) << 8) | (bytes[offset + 1] ?? 0);
    const end = offset + 2 + n;
    if (n < MIN_MESSAGE || end > length) return [{ packet: bytes, packetLength: length }];
    frames.push({ packet: bytes.subarray(offset + 2, Math.min(end, bytes.length)), packetLength: n });
    offset = end;
  }
  // Stopped at the end of the capture or of the segment: framed if any prefix was read.
  const tiled = offset === length || (offset < length && offset + 2 > bytes.length && bytes.length < length);
  return tiled && frames.length > 0 ? frames : [{ packet: bytes, packetLength: length }];
}
