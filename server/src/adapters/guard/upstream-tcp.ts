// Forwards the queries of one client TCP connection over one upstream TCP connection,
// pipelined (RFC 7766 6.2.1.1), each under a fresh random ID so answers arriving in any
// order reach the right query. A connection that fails or closes hands its waiting queries
// to a new connection (the next upstream when it failed); past the deadline the caller
// gets null. Opened on the first query, closed with the client's connection.

import net from 'node:net';
import { answersQuestion, messageId } from '../../core/guard/dns-wire.js';
import type { GuardCounters } from './guard-counters.js';
import { randomId } from './random-id.js';
import { frame, FrameReader } from './tcp-framing.js';
import type { ForwardDone, ForwardTimeouts, UpstreamAddress } from './upstream-udp.js';

interface Link {
  readonly socket: net.Socket;
  readonly upstream: number;
  readonly pending: Map<number, Entry>;
  dead: boolean;
}

interface Entry {
  readonly msg: Buffer;
  readonly questionEnd: number;
  readonly clientId: number;
  readonly done: ForwardDone;
  deadline: NodeJS.Timeout | undefined;
  attempt: NodeJS.Timeout | undefined;
  link: Link | null;
  id: number;
  tries: number;
  finished: boolean;
}

export class TcpForwarder {
  private link: Link | null = null;
  private next = 0;
  private closed = false;

  constructor(
    private readonly upstreams: readonly UpstreamAddress[],
    private readonly timeouts: ForwardTimeouts,
    private readonly counters: GuardCounters,
    private readonly onError: (upstream: UpstreamAddress, err: Error) => void,
    first = 0,
  ) {
    this.next = first % upstreams.length;
  }

  /** Sends `msg` (a client's query, which this call may modify) upstream over TCP. */
  forward(msg: Buffer, questionEnd: number, done: ForwardDone): void {
    const entry: Entry = { msg, questionEnd, clientId: messageId(msg), done, deadline: undefined, attempt: undefined, link: null, id: -1, tries: 0, finished: false };
    entry.deadline = setTimeout(() => {
      this.counters.upstreamTimeouts++;
      this.finish(entry, null);
    }, this.timeouts.timeoutMs);
    this.dispatch(entry);
  }

  private dispatch(entry: Entry): void {
    if (entry.finished) return;
    if (this.closed) {
      this.finish(entry, null);
      return;
    }
    // Every upstream tried (and one more go on a fresh connection): nothing will answer.
    if (entry.tries >= Math.max(2, this.upstreams.length)) {
      this.finish(entry, null);
      return;
    }
    const link = this.link !== null && !this.link.dead ? this.link : this.open(this.next);
    let id = randomId();
    for (let tries = 0; link.pending.has(id) && tries < 64; tries++) id = randomId();
    if (link.pending.has(id)) {
      this.finish(entry, null);
      return;
    }
    entry.tries++;
    entry.link = link;
    entry.id = id;
    link.pending.set(id, entry);
    entry.msg.writeUInt16BE(id, 0);
    link.socket.write(frame(entry.msg));
    if (this.upstreams.length > 1) {
      clearTimeout(entry.attempt);
      entry.attempt = setTimeout(() => {
        // This upstream is too slow: drop the connection; its queries move to the next one.
        this.counters.upstreamTimeouts++;
        if (!link.dead) link.socket.destroy();
      }, this.timeouts.attemptMs);
    }
  }

  private open(upstream: number): Link {
    const u = this.upstreams[upstream]!;
    const socket = net.connect({ host: u.host, port: u.port, noDelay: true });
    const link: Link = { socket, upstream, pending: new Map(), dead: false };
    const reader = new FrameReader();
    socket.on('data', (chunk) => {
      reader.push(chunk);
      for (let msg = reader.next(); msg !== null; msg = reader.next()) this.onAnswer(link, msg);
    });
    socket.on('error', (err) => this.onError(u, err));
    socket.on('close', () => this.closedLink(link));
    this.link = link;
    return link;
  }

  private onAnswer(link: Link, answer: Buffer): void {
    const entry = answer.length >= 12 ? link.pending.get(messageId(answer)) : undefined;
    if (entry === undefined || !answersQuestion(answer, entry.msg, entry.questionEnd)) {
      this.counters.drops.upstream_unmatched++;
      return;
    }
    answer.writeUInt16BE(entry.clientId, 0);
    this.finish(entry, answer);
  }

  private closedLink(link: Link): void {
    link.dead = true;
    if (this.link === link) this.link = null;
    if (link.pending.size === 0) return; // an idle connection the upstream closed
    this.next = (link.upstream + 1) % this.upstreams.length;
    const waiting = [...link.pending.values()];
    link.pending.clear();
    for (const entry of waiting) this.dispatch(entry);
  }

  private finish(entry: Entry, answer: Buffer | null): void {
    if (entry.finished) return;
    entry.finished = true;
    clearTimeout(entry.deadline);
    clearTimeout(entry.attempt);
    if (entry.link !== null && entry.link.pending.get(entry.id) === entry) entry.link.pending.delete(entry.id);
    if (this.closed) entry.done(null, true);
    else entry.done(answer);
  }

  /** The client went away: waiting queries end as cancelled; the upstream connection closes. */
  close(): void {
    this.closed = true;
    const link = this.link;
    this.link = null;
    if (link === null) return;
    const waiting = [...link.pending.values()];
    link.pending.clear();
    link.socket.destroy();
    for (const entry of waiting) this.finish(entry, null);
  }
}
