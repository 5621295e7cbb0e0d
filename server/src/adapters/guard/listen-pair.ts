// A UDP socket and a TCP server on one address and port (DNS listens on both), and the
// client address as the guard keys it.
import dgram from 'node:dgram';
import net from 'node:net';
import type { UpstreamAddress as HostPort } from './upstream-udp.js';
import { unmapIpv4 } from '../../core/ip-text.js';

/** `::ffff:10.0.0.5` on a dual-stack socket is the IPv4 client 10.0.0.5: one accumulation key. */
export const clientAddress = (a: string | undefined): string => (a === undefined ? '' : unmapIpv4(a));

/**
 * A UDP socket and a TCP server on the same address and port. With port 0 the UDP port is
 * picked first and TCP tries it; a port taken for TCP means another try.
 */
export async function bindPair(l: HostPort, onConnection: (s: net.Socket) => void): Promise<{ udp: dgram.Socket; tcp: net.Server; port: number }> {
  const v6 = net.isIPv6(l.host);
  for (let attempt = 0; ; attempt++) {
    const udp = dgram.createSocket({ type: v6 ? 'udp6' : 'udp4', ipv6Only: v6 });
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(l.port, l.host, () => {
        udp.off('error', reject);
        resolve();
      });
    });
    const port = udp.address().port;
    try {
      udp.setRecvBufferSize(4 * 1024 * 1024); // bursts of queries; the kernel caps it at rmem_max
    } catch {
      // keep the default
    }
    const tcp = net.createServer({ allowHalfOpen: true, noDelay: true }, onConnection);
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen({ host: l.host, port, ipv6Only: v6 }, () => {
          tcp.off('error', reject);
          resolve();
        });
      });
      return { udp, tcp, port };
    } catch (err) {
      udp.close();
      if (l.port !== 0 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 20) throw err;
    }
  }
}
