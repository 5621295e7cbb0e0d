// A DNS client for the guard's tests and benchmark: one query over UDP, or several
// pipelined on one TCP connection, on loopback.
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';
import { frame, FrameReader } from './tcp-framing.js';

export function query(name: string, type = 'A', over: Partial<dnsPacket.Packet> = {}): Buffer {
  return dnsPacket.encode({
    type: 'query', id: Math.floor(Math.random() * 65536), flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type: type as 'A', name }], ...over,
  });
}

/** Sends one datagram and resolves with the first reply, or null after `timeoutMs`. */
export function askUdp(port: number, msg: Uint8Array, timeoutMs = 3000, host = '127.0.0.1'): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    const timer = setTimeout(() => {
      socket.close();
      resolve(null);
    }, timeoutMs);
    socket.on('message', (reply) => {
      clearTimeout(timer);
      socket.close();
      resolve(reply);
    });
    socket.send(msg, port, host);
  });
}

/** A UDP client that keeps its socket (one source port) for many queries, one at a time. */
export async function udpClient(port: number, host = '127.0.0.1') {
  const socket = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  await new Promise<void>((resolve) => socket.bind(0, net.isIPv6(host) ? '::1' : '127.0.0.1', () => resolve()));
  let waiting: ((b: Buffer | null) => void) | null = null;
  socket.on('message', (m) => {
    const w = waiting;
    waiting = null;
    w?.(m);
  });
  return {
    ask(msg: Uint8Array, timeoutMs = 3000): Promise<Buffer | null> {
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiting = null;
          resolve(null);
        }, timeoutMs);
        waiting = (b) => {
          clearTimeout(timer);
          resolve(b);
        };
        socket.send(msg, port, host);
      });
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/**
 * Opens one TCP connection, writes `raw` (frames or any bytes) in one go, and collects
 * `want` answers; resolves early when the guard closes the connection.
 */
export function askTcpRaw(port: number, raw: Buffer, want: number, timeoutMs = 3000, host = '127.0.0.1'): Promise<{ answers: Buffer[]; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const reader = new FrameReader();
    const answers: Buffer[] = [];
    let closed = false;
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ answers, closed });
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('connect', () => socket.write(raw));
    socket.on('data', (chunk) => {
      reader.push(chunk);
      for (let m = reader.next(); m !== null; m = reader.next()) answers.push(m);
      if (answers.length >= want) finish();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      closed = true;
      finish();
    });
  });
}

export async function askTcp(port: number, msgs: Uint8Array[], timeoutMs = 3000): Promise<Buffer[]> {
  return (await askTcpRaw(port, Buffer.concat(msgs.map(frame)), msgs.length, timeoutMs)).answers;
}

export const decode = (b: Buffer | null | undefined): dnsPacket.DecodedPacket & { rcode?: string } => {
  if (!b) throw new Error('no answer');
  return dnsPacket.decode(b) as dnsPacket.DecodedPacket & { rcode?: string };
};
