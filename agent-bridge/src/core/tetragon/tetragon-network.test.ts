import { describe, expect, it } from 'vitest';
import { destinationOf, familyOf, transportOf } from './tetragon-network.js';
import type { TetragonArg, TetragonSock } from './tetragon-json.js';

const sock = (s: Partial<TetragonSock>): TetragonArg => ({
  kind: 'sock', sock: { family: 'AF_INET', type: 'SOCK_DGRAM', protocol: 'IPPROTO_UDP', daddr: '0.0.0.0', dport: 0, ...s },
});
const sockaddr = (family: string, addr: string, port: number): TetragonArg => ({ kind: 'sockaddr', sockaddr: { family, addr, port } });

describe('tetragon network arguments', () => {
  it('reads families and protocols as names or as the numbers Tetragon falls back to', () => {
    expect([familyOf('AF_INET'), familyOf('2'), familyOf('AF_INET6'), familyOf('10'), familyOf('AF_UNIX')]).toEqual(['inet', 'inet', 'inet6', 'inet6', null]);
    expect(transportOf({ family: '', type: 'SOCK_STREAM', protocol: '', daddr: '', dport: 0 })).toBe('tcp');
    expect(transportOf({ family: '', type: '', protocol: '17', daddr: '', dport: 0 })).toBe('udp');
    expect(transportOf(null)).toBe('unspecified');
  });

  it('prefers the sockaddr passed to the call over the socket’s own peer', () => {
    expect(destinationOf([sock({}), sockaddr('AF_INET', '127.0.0.53', 53)]))
      .toEqual({ family: 'inet', protocol: 'udp', address: '127.0.0.53', port: 53 });
    expect(destinationOf([sock({ daddr: '10.0.0.2', dport: 53, state: 'x' } as Partial<TetragonSock>), sockaddr('AF_UNSPEC', 'invalid IP', 0)]))
      .toEqual({ family: 'inet', protocol: 'udp', address: '10.0.0.2', port: 53 });
    expect(destinationOf([sock({ family: 'AF_INET6', type: 'SOCK_STREAM', protocol: 'IPPROTO_TCP', daddr: '2001:db8::1', dport: 443 })]))
      .toEqual({ family: 'inet6', protocol: 'tcp', address: '2001:db8::1', port: 443 });
  });

  it('on a connected TCP socket takes the peer, not a sockaddr the call names (Linux ignores it there)', () => {
    const tcp = sock({ type: 'SOCK_STREAM', protocol: 'IPPROTO_TCP', daddr: '127.0.0.53', dport: 53 });
    expect(destinationOf([tcp, sockaddr('AF_INET', '1.2.3.4', 9999)])).toEqual({ family: 'inet', protocol: 'tcp', address: '127.0.0.53', port: 53 });
    // An unconnected TCP socket (dport 0) still reads the sockaddr (TCP Fast Open's sendto).
    expect(destinationOf([sock({ type: 'SOCK_STREAM', protocol: 'IPPROTO_TCP' }), sockaddr('AF_INET', '10.0.0.9', 53)]))
      .toEqual({ family: 'inet', protocol: 'tcp', address: '10.0.0.9', port: 53 });
  });

  it('finds none for an unconnected socket, a non-IP address or a malformed one', () => {
    expect(destinationOf([sock({})])).toBeNull();
    expect(destinationOf([sockaddr('AF_UNIX', '/run/x', 0)])).toBeNull();
    expect(destinationOf([sockaddr('AF_INET', '999.1.1.1', 53)])).toBeNull();
    expect(destinationOf([sockaddr('AF_INET6', '127.0.0.1', 53)])).toBeNull();
    expect(destinationOf([])).toBeNull();
  });
});
