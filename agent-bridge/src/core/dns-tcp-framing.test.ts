import { describe, expect, it } from 'vitest';
import { splitTcpDnsFrames } from './dns-tcp-framing.js';

const msg = (id: number, n: number) => Uint8Array.from({ length: n }, (_, i) => (i === 0 ? id >> 8 : i === 1 ? id & 0xff : i));
const framed = (...ms: Uint8Array[]) => Uint8Array.from(ms.flatMap((m) => [m.length >> 8, m.length & 0xff, ...m]));

describe('splitTcpDnsFrames', () => {
  it('strips the prefix of one framed message', () => {
    const m = msg(0x1234, 40);
    expect(splitTcpDnsFrames(framed(m), 42)).toEqual([{ packet: m, packetLength: 40 }]);
  });

  it('splits two messages framed in one write', () => {
    const [a, b] = [msg(0x1111, 30), msg(0x2222, 33)];
    expect(splitTcpDnsFrames(framed(a, b), 67)).toEqual([{ packet: a, packetLength: 30 }, { packet: b, packetLength: 33 }]);
  });

  it('keeps a bare message whole (glibc writes the prefix separately)', () => {
    const m = msg(0xabcd, 43);
    expect(splitTcpDnsFrames(m, 43)).toEqual([{ packet: m, packetLength: 43 }]);
  });

  it('keeps a framed message cut by the capture, with its true length', () => {
    const m = msg(0x1234, 1500);
    const [out] = splitTcpDnsFrames(framed(m).subarray(0, 1248), 1502);
    expect([out?.packetLength, out?.packet.length]).toEqual([1500, 1246]);
  });

  it('does not frame when the prefixes do not tile the segment', () => {
    const m = Uint8Array.from([0, 5, 1, 2, 3, 4, 5, 9]);
    expect(splitTcpDnsFrames(m, 8)).toEqual([{ packet: m, packetLength: 8 }]);
  });

  it('does not take frames shorter than a DNS header for framing, and bounds the frames of one send', () => {
    // 12,000 frames of one byte each (00 01 41): no DNS message is that short.
    const tiny = new Uint8Array(36_000).map((_, i) => [0, 1, 0x41][i % 3]!);
    expect(splitTcpDnsFrames(tiny, tiny.length)).toHaveLength(1);
    // 100 well-formed 12-byte frames: 64 frames, then the rest as one message.
    const frame = [0, 12, ...new Array<number>(12).fill(7)];
    const many = Uint8Array.from(Array.from({ length: 100 }, () => frame).flat());
    const out = splitTcpDnsFrames(many, many.length);
    expect(out).toHaveLength(65);
    expect(out[63]!.packetLength).toBe(12);
    expect(out[64]!.packetLength).toBe(36 * 14);
  });
});
