// The guard's DNS listeners: UDP and TCP on each listen address, every query judged by the
// pure guard core, then answered NXDOMAIN by the guard itself or forwarded upstream as
// the client's own bytes (only the ID is swapped), the upstream's answer relayed as it is.
// Memory is bounded: queries in flight, TCP connections, and per connection one unfinished
// message, a few queries in flight and the answers the client has not read.

import type dgram from 'node:dgram';
import type net from 'node:net';
import type { Logger } from '../../logger.js';
import type { CompiledGuard, GuardFinding, GuardState } from '../../core/guard/guard-decision.js';
import { foldQuestionCase, isTruncated, readQuery, restoreQuestionCase, synthesiseAnswer, synthesiseHeaderAnswer, RCODE } from '../../core/guard/dns-wire.js';
import { createGuardCounters, type GuardCounters } from './guard-counters.js';
import { bindPair, clientAddress } from './listen-pair.js';
import { serveTcpConnection, type Respond } from './tcp-connection.js';
import { TcpForwarder } from './upstream-tcp.js';
import { UdpForwarder, type ForwardDone, type UpstreamAddress } from './upstream-udp.js';

export type HostPort = UpstreamAddress;

export interface GuardLimits {
  /** No upstream answer within this → SERVFAIL. */
  upstreamTimeoutMs: number;
  /** One try on one upstream before the next is tried. */
  upstreamAttemptMs: number;
  /** Queries waiting for an upstream, UDP and TCP together; past it → SERVFAIL (counted). */
  maxInFlight: number;
  maxTcpConnections: number;
  /** A client TCP connection with nothing in flight is closed after this long idle. */
  tcpIdleMs: number;
  /** Queries of one TCP connection in flight; past it the guard stops reading that connection. */
  maxTcpInFlightPerConnection: number;
  /** Answers a TCP client has not read yet; past it the guard stops reading its queries. */
  maxTcpWriteBufferBytes: number;
}

export const GUARD_LIMITS: Readonly<GuardLimits> = Object.freeze({
  upstreamTimeoutMs: 2000, upstreamAttemptMs: 1000, maxInFlight: 4096, maxTcpConnections: 256, tcpIdleMs: 10_000,
  maxTcpInFlightPerConnection: 32, maxTcpWriteBufferBytes: 256 * 1024,
});

export interface GuardServerOptions {
  listen: readonly HostPort[];
  upstreams: readonly HostPort[];
  guard: CompiledGuard;
  /** Called at once for each verdict to report (never throws back into the DNS path). */
  onFinding: (finding: GuardFinding) => void;
  log: Logger;
  counters?: GuardCounters;
  limits?: Partial<GuardLimits>;
}

export interface RunningGuardServer {
  /** Where it listens (UDP and TCP on the same port), port 0 resolved. */
  readonly addresses: readonly HostPort[];
  readonly counters: GuardCounters;
  /** The guard in use; replaced when the allowlist is refreshed (the state is kept). */
  guard: CompiledGuard;
  close(): Promise<void>;
}

type Forward = (msg: Buffer, questionEnd: number, done: ForwardDone) => boolean;

const nowUs = (): number => Math.round((performance.timeOrigin + performance.now()) * 1000);

export async function startGuardServer(opts: GuardServerOptions): Promise<RunningGuardServer> {
  if (opts.listen.length === 0 || opts.upstreams.length === 0) throw new Error('the guard needs a listen address and an upstream');
  const limits: GuardLimits = { ...GUARD_LIMITS, ...opts.limits };
  const counters = opts.counters ?? createGuardCounters();
  const log = opts.log;
  const timeouts = { attemptMs: limits.upstreamAttemptMs, timeoutMs: limits.upstreamTimeoutMs };
  let guard = opts.guard;
  let state: GuardState = guard.init();
  let inFlight = 0;

  const lastLogged = new Map<string, number>();
  const upstreamError = (u: HostPort, err: Error): void => {
    const key = `${u.host}:${u.port}:${(err as NodeJS.ErrnoException).code ?? err.message}`;
    const now = Date.now();
    if ((lastLogged.get(key) ?? 0) + 10_000 > now) return; // at most one line per upstream and error every 10 s
    lastLogged.set(key, now);
    log.warn('upstream error', { upstream: `${u.host}:${u.port}`, error: err.message });
  };

  const udpForwarder = new UdpForwarder(opts.upstreams, timeouts, limits.maxInFlight, counters, upstreamError);
  await udpForwarder.start();

  function handle(msg: Buffer, address: string, port: number, udp: boolean, forward: Forward, respond: Respond): void {
    const read = readQuery(msg);
    if (!read.ok) {
      counters.drops[read.reason]++;
      respond(read.reply === null ? null : synthesiseHeaderAnswer(msg, read.reply));
      return;
    }
    const q = read.query;
    const judged = guard.judge(state, { qname: q.qname, qtype: q.qtype, client: address, clientPort: port, timeUs: nowUs() });
    state = judged.state;
    counters.queries[judged.verdict]++;
    counters.clientsForgotten = state.evictedClients;
    counters.blocksEvicted = state.evictedBlocks;
    if (judged.finding !== undefined) {
      try {
        opts.onFinding(judged.finding);
      } catch (err) {
        log.error('reporting a verdict failed', { error: (err as Error).message });
      }
    }
    if (judged.verdict === 'blocked_encoded' || judged.verdict === 'blocked_new') {
      respond(synthesiseAnswer(msg, q, RCODE.NXDOMAIN));
      return;
    }
    if (inFlight >= limits.maxInFlight) {
      counters.drops.overloaded++;
      respond(synthesiseAnswer(msg, q, RCODE.SERVFAIL));
      return;
    }
    inFlight++;
    // Upstream gets its own copy (the forwarders rewrite its ID) with the name in lower case.
    const sent = forward(foldQuestionCase(msg, q.questionEnd), q.questionEnd, (answer, cancelled) => {
      inFlight--;
      if (cancelled === true) {
        respond(null);
        return;
      }
      if (answer === null) {
        counters.servfail++;
        respond(synthesiseAnswer(msg, q, RCODE.SERVFAIL));
        return;
      }
      if (udp && isTruncated(answer)) counters.truncatedRelayed++;
      restoreQuestionCase(answer, msg, q.questionEnd);
      respond(answer);
    });
    if (!sent) {
      inFlight--;
      counters.drops.overloaded++;
      respond(synthesiseAnswer(msg, q, RCODE.SERVFAIL));
    }
  }

  const udpForward: Forward = (msg, end, done) => udpForwarder.forward(msg, end, done);
  const tcpSockets = new Set<net.Socket>();

  function onConnection(socket: net.Socket): void {
    if (tcpSockets.size >= limits.maxTcpConnections) {
      counters.drops.tcp_connections++;
      socket.destroy();
      return;
    }
    tcpSockets.add(socket);
    counters.tcpConnectionsOpen = tcpSockets.size;
    socket.on('close', () => {
      tcpSockets.delete(socket);
      counters.tcpConnectionsOpen = tcpSockets.size;
    });
    const forwarder = new TcpForwarder(opts.upstreams, timeouts, counters, upstreamError, udpForwarder.preferredUpstream);
    const forward: Forward = (msg, end, done) => {
      forwarder.forward(msg, end, done);
      return true;
    };
    serveTcpConnection(socket, limits, counters, forwarder, (msg, address, port, respond) => handle(msg, address, port, false, forward, respond));
  }

  const udpSockets: dgram.Socket[] = [];
  const tcpServers: net.Server[] = [];
  const addresses: HostPort[] = [];
  try {
    for (const l of opts.listen) {
      const bound = await bindPair(l, onConnection);
      const { udp } = bound;
      udp.on('message', (msg, rinfo) => {
        handle(msg, clientAddress(rinfo.address), rinfo.port, true, udpForward, (answer) => {
          if (answer === null) return;
          udp.send(answer, rinfo.port, rinfo.address, (err) => {
            if (err) counters.drops.client_send_failed++;
          });
        });
      });
      udp.on('error', (err) => log.warn('udp listener error', { error: err.message }));
      udpSockets.push(udp);
      tcpServers.push(bound.tcp);
      addresses.push({ host: l.host, port: bound.port });
    }
  } catch (err) {
    udpForwarder.close();
    for (const s of udpSockets) s.close();
    for (const s of tcpServers) s.close();
    throw err;
  }

  return {
    addresses,
    counters,
    get guard() {
      return guard;
    },
    set guard(next: CompiledGuard) {
      guard = next;
    },
    async close() {
      udpForwarder.close();
      for (const s of udpSockets) s.close();
      for (const s of tcpSockets) s.destroy();
      await Promise.all(tcpServers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    },
  };
}
