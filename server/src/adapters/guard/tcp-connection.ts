// One client's DNS-over-TCP connection (RFC 7766): several queries, pipelined, answered as
// each is ready (in any order, matched by ID). Bounded: one unfinished message buffered,
// a few queries in flight, and answers the client has not read; past those the guard
// stops reading. Idle connections and messages trickled slower than the idle time are
// dropped; a client's half-close still gets its answers.
import type net from 'node:net';
import type { GuardCounters } from './guard-counters.js';
import type { GuardLimits } from './guard-server.js';
import { frame, FrameReader } from './tcp-framing.js';
import { clientAddress } from './listen-pair.js';

/** Called once per message: the answer to send, or null to send nothing. */
export type Respond = (answer: Uint8Array | null) => void;
export type HandleMessage = (msg: Buffer, address: string, port: number, respond: Respond) => void;

export function serveTcpConnection(
  socket: net.Socket, limits: GuardLimits, counters: GuardCounters, forwarder: { close(): void }, handle: HandleMessage,
): void {
  socket.setNoDelay(true);
  socket.setTimeout(limits.tcpIdleMs);
  const address = clientAddress(socket.remoteAddress);
  const port = socket.remotePort ?? 0;
  const reader = new FrameReader();
  let waiting = 0;
  let ended = false;

  const respond: Respond = (answer) => {
    waiting--;
    if (answer !== null) {
      if (socket.destroyed || !socket.writable) counters.drops.client_send_failed++;
      else socket.write(frame(answer));
    }
    pump();
  };

  // Answers made on the spot (a blocked name) call back into pump: loop instead of recursing.
  let pumping = false;
  let again = false;
  const room = () => waiting < limits.maxTcpInFlightPerConnection && socket.writableLength <= limits.maxTcpWriteBufferBytes;
  function pump(): void {
    if (pumping) {
      again = true;
      return;
    }
    pumping = true;
    do {
      again = false;
      while (room()) {
        const msg = reader.next();
        if (msg === null) break;
        if (msg.length === 0) {
          counters.drops.tcp_empty_frame++;
          continue;
        }
        waiting++;
        handle(msg, address, port, respond);
      }
    } while (again);
    pumping = false;
    if (!room()) socket.pause();
    else if (!ended) socket.resume();
    // The client sends no more (half-close): close once everything is answered.
    if (ended && waiting === 0) socket.end();
  }

  // A message must arrive whole within the idle time from its first byte: a client
  // trickling a byte at a time never goes idle, yet must not hold a connection slot forever.
  let partialSince: number | null = null;
  socket.on('data', (chunk: Buffer) => {
    reader.push(chunk);
    pump();
    if (reader.buffered === 0) partialSince = null;
    else if (partialSince === null) partialSince = performance.now();
    else if (performance.now() - partialSince > limits.tcpIdleMs) {
      counters.drops.tcp_slow_message++;
      socket.destroy();
    }
  });
  socket.on('drain', pump);
  socket.on('end', () => {
    ended = true;
    pump();
  });
  // Idle with nothing owed: close for good. end() alone would leave a half-open socket (the
  // server allows half-open) for a client that never sends its FIN, holding a slot forever.
  socket.on('timeout', () => {
    if (waiting === 0) socket.destroy();
  });
  socket.on('error', () => {}); // a reset by the client; 'close' follows
  socket.on('close', () => forwarder.close());
}
