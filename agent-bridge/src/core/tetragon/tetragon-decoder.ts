// Tetragon's JSON export, one line at a time, turned into HostEvents. Pure: time only moves
// with the events' own `time`. What it decides (see deploy/tetragon/README.md for the policies):
//   - process_exec -> exec, procFS ones (processes Tetragon found at start-up) included, so a
//     build already running when Tetragon started still has its tree. ppid is parent.pid, else
//     the pid this decoder recorded for parent_exec_id, else 0.
//   - No fork events exist in Tetragon's stream. A kprobe from a process whose exec_id was never
//     seen gets one synthesised: `fork` when it never exec'd (a clone running its parent's
//     image), or a late `exec` from the process info in the event when it did.
//   - process_exit -> exit. process_kprobe -> connect (connect-like functions) or dns (a payload
//     sent to a DNS port). Throttling and rate limiting -> loss. Other kinds are counted only.
import type { AddressFamily, Transport } from '@telltale/proto';
import type { SourceDecoder } from '../event-source.js';
import type { HostEvent } from '../host-event.js';
import { splitTcpDnsFrames, type DnsMessage } from '../dns-tcp-framing.js';
import { ExecIdTable } from './exec-id-table.js';
import { signalNumber } from './signal-number.js';
import { splitTetragonArguments } from './tetragon-arguments.js';
import { MAX_LINE_CHARS, parseTetragonLine, parseTetragonObject, type TetragonEvent, type TetragonParseResult, type TetragonPod, type TetragonProcess } from './tetragon-json.js';
import { destinationOf } from './tetragon-network.js';

export interface TetragonDecoderOptions {
  /** Destination ports whose payloads are DNS messages. */
  dnsPorts?: Iterable<number>;
  /** Bound on the exec_id -> pid table. */
  maxExecIds?: number;
  maxLineChars?: number;
  /** Which kprobe functions are connects: tcp_connect, security_socket_connect, __x64_sys_connect... */
  isConnect?: (functionName: string) => boolean;
}

type WithProcess = Extract<TetragonEvent, { process: TetragonProcess }>;
type Kprobe = Extract<TetragonEvent, { kind: 'kprobe' }>;

/** Flags that say argv is not all there (pkg/reader/exec/exec.go). */
const ARGV_CUT = ['truncArgs', 'errorArgs', 'miss'];
const defaultIsConnect = (fn: string) => /(?:^|_)connect$/.test(fn);

export class TetragonDecoder implements SourceDecoder {
  readonly source = 'tetragon' as const;
  readonly drops = new Map<string, number>();
  private readonly execIds: ExecIdTable;
  private readonly dnsPorts: ReadonlySet<number>;
  private readonly maxLineChars: number;
  private readonly isConnect: (functionName: string) => boolean;
  /** The latest event time seen: the time of a loss whose line had none. */
  private clock = 0;
  /** Pods of recent execs by pid (bounded), for naming the builds found in them. */
  private readonly pods = new Map<number, TetragonPod>();

  /** The Kubernetes pod a process runs in, when its exec said so. */
  podOf(pid: number): TetragonPod | undefined {
    return this.pods.get(pid);
  }

  constructor(opts: TetragonDecoderOptions = {}) {
    this.execIds = new ExecIdTable(opts.maxExecIds ?? 65_536);
    this.dnsPorts = new Set(opts.dnsPorts ?? [53]);
    this.maxLineChars = opts.maxLineChars ?? MAX_LINE_CHARS;
    this.isConnect = opts.isConnect ?? defaultIsConnect;
  }

  push(line: string): HostEvent[] {
    if (line.trim() === '') return [];
    try {
      return this.decode(line);
    } catch {
      // A bug, not bad input: still a counted loss, so the builds open now are not called clean.
      return this.loss('decoder_error', 1, this.clock);
    }
  }

  /** One GetEvents response from the gRPC stream, already rendered as protojson (see @telltale/proto decodeTetragonResponse). */
  pushObject(value: unknown): HostEvent[] {
    try {
      return this.apply(parseTetragonObject(value));
    } catch {
      return this.loss('decoder_error', 1, this.clock);
    }
  }

  /** Nothing is held back: every line stands alone. */
  flush(): HostEvent[] {
    return [];
  }

  private decode(line: string): HostEvent[] {
    return this.apply(parseTetragonLine(line, this.maxLineChars));
  }

  private apply(parsed: TetragonParseResult): HostEvent[] {
    if (!parsed.ok) return this.loss(parsed.error.code === 'TETRAGON_LINE_TOO_LONG' ? 'line_too_long' : 'malformed_line', 1, this.clock);
    const e = parsed.event;
    if (e.timeUs !== null && e.timeUs > this.clock) this.clock = e.timeUs;
    const timeUs = e.timeUs ?? this.clock;
    switch (e.kind) {
      case 'exec':
        return this.exec(e, timeUs);
      case 'exit': {
        const pid = e.process.pid ?? 0;
        this.execIds.exit(e.process.execId);
        return [{ kind: 'exit', timeUs, pid, exitCode: e.status, signal: signalNumber(e.signal) }];
      }
      case 'kprobe':
        return this.kprobe(e, timeUs);
      case 'throttle':
        // Tetragon drops this cgroup's events from START to STOP and never says how many:
        // both edges are a loss of at least one, so builds open at either are marked.
        if (e.phase !== 'stop') this.count('throttled');
        return [this.lossEvent('throttled', 1, timeUs)];
      case 'rate_limit': {
        const n = e.dropped > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(e.dropped);
        return n > 0 ? this.loss('rate_limited', n, timeUs) : [];
      }
      case 'ignored':
        this.count(`ignored_${e.eventName}`);
        return [];
    }
  }

  private exec(e: WithProcess, timeUs: number): HostEvent[] {
    const out: HostEvent[] = [];
    const p = e.process;
    const pid = p.pid ?? 0;
    const parent = e.parent;
    if (parent?.execId && parent.pid !== null && !this.execIds.has(parent.execId)) {
      // A parent never seen that is a clone which never exec'd (the subshell of `$(curl ...)`):
      // Tetragon reports no event for it, so it is introduced as a fork of its own parent,
      // and the build tracker need not find it in /proc (it is usually gone by then).
      const grandparent = this.execIds.pid(parent.parentExecId);
      if (parent.flags.includes('clone') && !parent.flags.includes('execve') && grandparent !== undefined) {
        out.push({ kind: 'fork', timeUs, pid: parent.pid, ppid: grandparent });
      }
      this.remember(parent.execId, parent.pid);
    }
    this.remember(p.execId, pid);
    if (p.pod) {
      if (this.pods.size >= 8192) this.pods.delete(this.pods.keys().next().value!);
      this.pods.set(pid, p.pod);
    }
    out.push({
      kind: 'exec', timeUs, pid, ppid: this.ppidOf(e),
      exe: p.binary, argv: [p.binary, ...splitTetragonArguments(p.arguments)], cwd: p.cwd, uid: p.uid ?? 0,
      startTimeUs: p.startTimeUs ?? timeUs, argvTruncated: p.flags.some((f) => ARGV_CUT.includes(f)),
    });
    return out;
  }

  private kprobe(e: Kprobe, timeUs: number): HostEvent[] {
    const out = this.introduce(e, timeUs);
    const pid = e.process.pid ?? 0;
    const dest = destinationOf(e.args);
    if (this.isConnect(e.functionName)) {
      if (!dest) return this.counted(out, 'connect_without_destination');
      out.push({ kind: 'connect', timeUs, pid, family: dest.family, protocol: dest.protocol, address: dest.address, port: dest.port });
      return out;
    }
    const payload = e.args.find((a) => a.kind === 'bytes');
    if (!payload || payload.kind !== 'bytes') return this.counted(out, 'ignored_kprobe');
    if (!dest || !this.dnsPorts.has(dest.port)) return this.counted(out, 'payload_not_dns');
    const messages = dest.protocol === 'tcp'
      ? this.tcpMessages(payload.bytes, payload.origSize)
      : [{ packet: payload.bytes, packetLength: payload.origSize }];
    for (const m of messages) out.push(this.dns(timeUs, pid, dest, m.packet, m.packetLength));
    return out;
  }

  /**
   * glibc writes a TCP query's 2-byte length prefix as its own buffer, and Tetragon copies only
   * the first buffer: all we learn is the length. Reported as a message of that length with no
   * bytes, so the collector sees a DNS message it could not read rather than nothing.
   */
  private tcpMessages(bytes: Uint8Array, length: number): DnsMessage[] {
    if (length !== 2 || bytes.length !== 2) return splitTcpDnsFrames(bytes, length);
    this.count('dns_tcp_length_only');
    const n = (bytes[0]! << 8) | bytes[1]!;
    return n === 0 ? [] : [{ packet: new Uint8Array(0), packetLength: n }];
  }

  private dns(timeUs: number, pid: number, d: { family: AddressFamily; protocol: Transport; address: string; port: number }, packet: Uint8Array, packetLength: number): HostEvent {
    return {
      kind: 'dns', timeUs, pid, packet: packet.slice(), packetLength,
      family: d.family, protocol: d.protocol, address: d.address, port: d.port, response: false,
    };
  }

  /** A process first met in a kprobe: tell the tree about it before its network event. */
  private introduce(e: WithProcess, timeUs: number): HostEvent[] {
    const p = e.process;
    if (p.execId === '' || this.execIds.has(p.execId)) return [];
    if (p.flags.includes('execve') || p.flags.includes('procFS')) return this.exec(e, timeUs);
    const pid = p.pid ?? 0;
    const ppid = this.ppidOf(e);
    this.remember(p.execId, pid);
    return ppid === 0 ? [] : [{ kind: 'fork', timeUs, pid, ppid }];
  }

  private ppidOf(e: WithProcess): number {
    return e.parent?.pid ?? this.execIds.pid(e.process.parentExecId) ?? 0;
  }

  private remember(execId: string, pid: number): void {
    if (execId === '') return;
    const evicted = this.execIds.add(execId, pid);
    if (evicted > 0) this.count('exec_table_overflow', evicted);
  }

  private loss(reason: string, count: number, timeUs: number): HostEvent[] {
    this.count(reason, count);
    return [this.lossEvent(reason, count, timeUs)];
  }

  private lossEvent(reason: string, count: number, timeUs: number): HostEvent {
    return { kind: 'loss', timeUs, source: 'tetragon', reason, count };
  }

  private counted(out: HostEvent[], reason: string): HostEvent[] {
    this.count(reason);
    return out;
  }

  private count(reason: string, n = 1): void {
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + n);
  }
}
