// Network alerts of deploy/falco/telltale_rules.yaml (connect exits, DNS datagrams sent and
// received) into host events. The fd.* fields describe the socket after libsinsp applied the
// syscall's tuple (parsers.cpp parse_write_exit), so an unconnected UDP sendto has its peer.
import type { AddressFamily, Transport } from '@telltale/proto';
import { splitTcpDnsFrames } from '../dns-tcp-framing.js';
import type { HostDnsEvent, HostEvent } from '../host-event.js';
import type { AlertFields } from './alert-fields.js';
import { readRenderedBuffer, type BufferFormat } from './falco-buffer.js';
import { rebuildDnsFromDots } from './dns-from-dots.js';

const PID_MAX = 4_194_304;
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV6 = /^[0-9a-f:.]{2,45}$/;

interface Peer { pid: number; family: AddressFamily; protocol: Transport; address: string; port: number }

/** fd.rip/fd.rport (the peer) when Falco could tell the socket's role, else fd.sip/fd.sport. */
function readPeer(f: AlertFields): Peer | null {
  const pid = f.require(f.int('proc.pid', 1, PID_MAX), 'proc.pid');
  const typechar = f.str('fd.typechar');
  const family: AddressFamily = typechar === '4' ? 'inet' : typechar === '6' ? 'inet6' : 'unspecified';
  const l4 = f.str('fd.l4proto');
  const protocol: Transport = l4 === 'tcp' || l4 === 'udp' ? l4 : 'unspecified';
  const address = f.require(f.str('fd.rip') ?? f.str('fd.sip'), 'fd.sip');
  const port = f.require(f.int('fd.rport', 0, 65535) ?? f.int('fd.sport', 0, 65535), 'fd.sport');
  if (f.error !== null || pid === null || address === null || port === null) return null;
  const valid = family === 'inet' ? IPV4.test(address) : family === 'inet6' ? IPV6.test(address) : IPV4.test(address) || IPV6.test(address);
  if (!valid) {
    f.error = 'fd.sip malformed';
    return null;
  }
  return { pid, family, protocol, address, port };
}

export function toConnect(f: AlertFields, timeUs: number): HostEvent | null {
  const p = readPeer(f);
  return p === null ? null : { kind: 'connect', timeUs, ...p };
}

export type DnsMapping =
  | { ok: true; events: HostDnsEvent[]; lossy: boolean }
  /** `unusable`: fields missing or malformed; the others name what happened to the payload. */
  | { ok: false; reason: 'unusable' | 'dns_payload_missing' | 'dns_payload_unrecoverable' };

export function toDns(f: AlertFields, timeUs: number, response: boolean, format: BufferFormat): DnsMapping {
  const p = readPeer(f);
  const res = f.big('evt.rawres');
  const size = f.int('evt.arg.size', 0, 0x7fff_ffff);
  const data = f.str('evt.arg.data');
  const buffer = data === null ? f.str('evt.buffer') : null;
  if (p === null || f.error !== null) return { ok: false, reason: 'unusable' };
  const text = data ?? buffer;
  if (text === null || text === '') return { ok: false, reason: 'dns_payload_missing' };
  const rendered = readRenderedBuffer(text, format, data === null);
  if (rendered.kind === 'invalid') return { ok: false, reason: 'dns_payload_unrecoverable' };
  // For a datagram the syscall's result is the datagram's true length; the rendering stops at
  // the snaplen. sendmmsg events carry one message each, res being that message's length.
  const captured = rendered.kind === 'exact' ? rendered.bytes.length : rendered.text.length;
  const length = Math.max(res !== null && res > 0n && res <= 0x7fff_ffffn ? Number(res) : size ?? 0, captured);
  const event = (packet: Uint8Array, packetLength: number): HostDnsEvent => ({
    kind: 'dns', timeUs, pid: p.pid, packet, packetLength: Math.max(packetLength, packet.length),
    family: p.family, protocol: p.protocol, address: p.address, port: p.port, response,
  });
  if (rendered.kind === 'exact') {
    const messages = p.protocol === 'tcp'
      ? splitTcpDnsFrames(rendered.bytes, length)
      : [{ packet: rendered.bytes, packetLength: length }];
    return { ok: true, events: messages.map((m) => event(m.packet.slice(), m.packetLength)), lossy: false };
  }
  // TCP: the 2-byte length prefix renders as two characters; the message follows it.
  const framed = p.protocol === 'tcp' && rendered.text.length >= 14;
  const rebuilt = rebuildDnsFromDots(framed ? rendered.text.slice(2) : rendered.text, response);
  if (rebuilt === null) return { ok: false, reason: 'dns_payload_unrecoverable' };
  return { ok: true, events: [event(rebuilt.packet, framed ? length - 2 : length)], lossy: true };
}
