// Forwards queries to the upstream resolvers over UDP: one connected socket per upstream
// (the kernel then drops datagrams from anyone else), a fresh random 16-bit ID per attempt
// (a client's own ID never reaches the upstream, so the upstream's answer cannot be matched
// to the wrong client), the answer checked against the question asked, and the client's ID
// put back. An attempt unanswered in time is retried on the next upstream; past the
// deadline the caller gets null (and answers SERVFAIL).

import dgram from 'node:dgram';
import net from 'node:net';
import { answersQuestion, messageId } from '../../core/guard/dns-wire.js';
import type { GuardCounters } from './guard-counters.js';
import { randomId } from './random-id.js';

export interface UpstreamAddress {
  host: string;
  port: number;
}

export interface ForwardTimeouts {
  /** One attempt on one upstream. */
  attemptMs: number;
  /** The whole query, all attempts. */
  timeoutMs: number;
}

/**
 * `answer` is the upstream's message with the client's ID restored; null: no upstream
 * answered in time. `cancelled`: the forwarder closed first (answer nothing).
 */
export type ForwardDone = (answer: Buffer | null, cancelled?: boolean) => void;

interface Pending {
  /** The query as sent upstream (its ID rewritten each attempt). */
  readonly msg: Buffer;
  readonly questionEnd: number;
  readonly clientId: number;
  readonly done: ForwardDone;
  readonly deadline: number;
  /** Every (upstream, id) this query was sent under: the first answer to any of them wins. */
  readonly ids: Array<[number, number]>;
  upstream: number;
  timer: NodeJS.Timeout | undefined;
}

export class UdpForwarder {
  private readonly sockets: dgram.Socket[] = [];
  private readonly pending: Array<Map<number, Pending>>;
  private readonly failures: number[];
  private preferred = 0;
  private size = 0;
  private closed = false;

  constructor(
    private readonly upstreams: readonly UpstreamAddress[],
    private readonly timeouts: ForwardTimeouts,
    private readonly maxInFlight: number,
    private readonly counters: GuardCounters,
    private readonly onError: (upstream: UpstreamAddress, err: Error) => void,
  ) {
    this.pending = upstreams.map(() => new Map());
    this.failures = upstreams.map(() => 0);
  }

  get inFlight(): number {
    return this.size;
  }

  /** The upstream tried first now (the last one that kept failing is skipped). */
  get preferredUpstream(): number {
    return this.preferred;
  }

  async start(): Promise<void> {
    for (const [i, u] of this.upstreams.entries()) {
      const socket = dgram.createSocket({ type: net.isIPv6(u.host) ? 'udp6' : 'udp4' });
      socket.on('message', (msg) => this.onAnswer(i, msg));
      socket.on('error', (err: NodeJS.ErrnoException) => {
        // A connected socket learns of ICMP port unreachable: that upstream is down now.
        if (err.code === 'ECONNREFUSED') this.failNow(i);
        else this.onError(u, err);
      });
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.connect(u.port, u.host, () => {
          socket.off('error', reject);
          resolve();
        });
      });
      this.sockets.push(socket);
    }
  }

  /** Sends `msg` (a client's query, which this call may modify) upstream; false when too many are in flight. */
  forward(msg: Buffer, questionEnd: number, done: ForwardDone): boolean {
    if (this.closed || this.size >= this.maxInFlight) return false;
    const entry: Pending = {
      msg, questionEnd, clientId: messageId(msg), done, deadline: performance.now() + this.timeouts.timeoutMs,
      ids: [], upstream: this.preferred, timer: undefined,
    };
    this.size++;
    this.send(entry, this.preferred);
    return true;
  }

  private send(entry: Pending, upstream: number): void {
    const table = this.pending[upstream]!;
    let id = randomId();
    for (let tries = 0; table.has(id) && tries < 64; tries++) id = randomId();
    if (table.has(id)) {
      this.finish(entry, null); // 64 collisions: the ID space of this upstream is full
      return;
    }
    entry.upstream = upstream;
    entry.ids.push([upstream, id]);
    table.set(id, entry);
    entry.msg.writeUInt16BE(id, 0);
    this.sockets[upstream]!.send(entry.msg);
    const wait = Math.min(this.timeouts.attemptMs, entry.deadline - performance.now());
    entry.timer = setTimeout(() => this.attemptTimedOut(entry), Math.max(1, wait));
  }

  private attemptTimedOut(entry: Pending): void {
    this.counters.upstreamTimeouts++;
    this.noteFailure(entry.upstream);
    if (performance.now() >= entry.deadline - 1) this.finish(entry, null);
    else this.send(entry, (entry.upstream + 1) % this.upstreams.length);
  }

  /**
   * The upstream refused (ICMP): queries waiting on it move to the next one at once, each at
   * most twice round the list (upstreams that all refuse would otherwise bounce a query back
   * and forth as fast as the kernel answers); past that the query fails now (SERVFAIL).
   */
  private failNow(upstream: number): void {
    this.noteFailure(upstream);
    if (this.upstreams.length < 2) return; // nowhere else to go: wait for the deadline
    const table = this.pending[upstream]!;
    for (const [id, entry] of [...table]) {
      if (entry.upstream !== upstream) continue;
      clearTimeout(entry.timer);
      table.delete(id); // a refusing upstream answers nothing: its ID is free again
      if (entry.ids.length >= 2 * this.upstreams.length) this.finish(entry, null);
      else this.send(entry, (upstream + 1) % this.upstreams.length);
    }
  }

  private noteFailure(upstream: number): void {
    this.failures[upstream]!++;
    if (upstream === this.preferred && this.failures[upstream]! >= 2) {
      this.preferred = (upstream + 1) % this.upstreams.length;
      this.failures[this.preferred] = 0;
    }
  }

  private onAnswer(upstream: number, answer: Buffer): void {
    const entry = answer.length >= 12 ? this.pending[upstream]!.get(messageId(answer)) : undefined;
    if (entry === undefined || !answersQuestion(answer, entry.msg, entry.questionEnd)) {
      this.counters.drops.upstream_unmatched++;
      return;
    }
    this.failures[upstream] = 0;
    answer.writeUInt16BE(entry.clientId, 0);
    this.finish(entry, answer);
  }

  private finish(entry: Pending, answer: Buffer | null): void {
    clearTimeout(entry.timer);
    for (const [u, id] of entry.ids) {
      if (this.pending[u]!.get(id) === entry) this.pending[u]!.delete(id);
    }
    this.size--;
    entry.done(answer);
  }

  close(): void {
    this.closed = true;
    const waiting = new Set(this.pending.flatMap((table) => [...table.values()]));
    for (const table of this.pending) table.clear();
    this.size = 0;
    for (const entry of waiting) {
      clearTimeout(entry.timer);
      entry.done(null, true);
    }
    for (const s of this.sockets) s.close();
  }
}
