// Where a kprobe event's socket was going, from the arguments Tetragon rendered: a sockaddr_arg
// (the address passed to connect/sendto/sendmsg) wins, else the sock_arg's own daddr/dport
// (a connected socket). Families and protocols arrive as names ("AF_INET", "IPPROTO_UDP"), or
// as the number in text when Tetragon's table has no name (pkg/reader/network/inet.go).
import type { AddressFamily, Transport } from '@telltale/proto';
import type { TetragonArg, TetragonSock } from './tetragon-json.js';

export interface Destination { family: AddressFamily; protocol: Transport; address: string; port: number }

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const IPV6 = /^[0-9a-fA-F:.]{2,45}$/;
const UNSPECIFIED = new Set(['0.0.0.0', '::']);

export function familyOf(text: string): AddressFamily | null {
  if (text === 'AF_INET' || text === '2') return 'inet';
  if (text === 'AF_INET6' || text === '10') return 'inet6';
  return null;
}

export function transportOf(sock: TetragonSock | null): Transport {
  if (!sock) return 'unspecified';
  if (sock.protocol === 'IPPROTO_TCP' || sock.protocol === '6' || sock.protocol === 'IPPROTO_MPTCP') return 'tcp';
  if (sock.protocol === 'IPPROTO_UDP' || sock.protocol === '17' || sock.protocol === 'IPPROTO_UDPLITE') return 'udp';
  if (sock.type === 'SOCK_STREAM' || sock.type === '1') return 'tcp';
  if (sock.type === 'SOCK_DGRAM' || sock.type === '2') return 'udp';
  return 'unspecified';
}

function address(family: AddressFamily, text: string, port: number): string | null {
  const ok = family === 'inet' ? IPV4.test(text) : IPV6.test(text) && text.includes(':');
  if (!ok || (UNSPECIFIED.has(text) && port === 0)) return null;
  return text;
}

export function destinationOf(args: readonly TetragonArg[]): Destination | null {
  let sock: TetragonSock | null = null;
  for (const a of args) if (a.kind === 'sock') sock = a.sock;
  const protocol = transportOf(sock);
  // A connected stream socket sends to its peer whatever address a sendto names (Linux
  // ignores msg_name there): a bogus sockaddr must not hide a DNS query over TCP.
  const connectedStream = sock !== null && protocol === 'tcp' && sock.dport !== 0;
  for (const a of args) {
    if (connectedStream || a.kind !== 'sockaddr') continue;
    const family = familyOf(a.sockaddr.family);
    const addr = family && address(family, a.sockaddr.addr, a.sockaddr.port);
    if (family && addr) return { family, protocol, address: addr, port: a.sockaddr.port };
  }
  if (!sock || sock.dport === 0) return null;
  const family = familyOf(sock.family);
  const addr = family && address(family, sock.daddr, sock.dport);
  return family && addr ? { family, protocol, address: addr, port: sock.dport } : null;
}
