// Turns parsed telltale.bt records into HostEvents: argv joined to its exec, DNS chunks
// joined to their header, monotonic time turned into wall-clock microseconds. Pure and
// deterministic: time only moves with the records' own timestamps.
import { ArgvJoiner, type ExecJoin } from './argv-joiner.js';
import type { BpftraceRecord, DnsRecord } from './bpftrace-record.js';
import { DnsReassembler, type CompletedDns } from './dns-reassembler.js';
import { splitTcpDnsFrames, type DnsMessage } from './dns-tcp-framing.js';
import { countDrop, type Drops } from './drops.js';
import type { HostDnsEvent, HostEvent, HostExecEvent } from './host-event.js';

export interface AssemblerOptions {
  /** Wall-clock ns minus CLOCK_MONOTONIC ns, measured once at start. */
  clockOffsetNs: bigint;
  /** The process's working directory, read when its exec is emitted; null when gone. */
  cwdOf?: (pid: number) => string | null;
  /** How long (in record time) to wait for argv or chunk lines that may come late. */
  holdNs?: bigint;
  /** Bound on each kind of pending state. */
  maxPending?: number;
  /** BPFTRACE_STRLEN - 1: an argument this long may have been cut. */
  strMaxBytes?: number;
}

export class BpftraceAssembler {
  readonly drops: Drops = new Map();
  private readonly argv: ArgvJoiner;
  private readonly dns: DnsReassembler;
  private readonly holdNs: bigint;
  private clock = 0n;

  constructor(private readonly opts: AssemblerOptions) {
    const maxPending = opts.maxPending ?? 4096;
    this.argv = new ArgvJoiner(this.drops, maxPending, opts.strMaxBytes ?? 199);
    this.dns = new DnsReassembler(this.drops, maxPending);
    this.holdNs = opts.holdNs ?? 500_000_000n;
  }

  push(r: BpftraceRecord): HostEvent[] {
    const out: HostEvent[] = [];
    if ('t' in r && r.t > this.clock) {
      this.clock = r.t;
      this.collect(out, this.argv.expire(this.clock - this.holdNs), this.dns.expire(this.clock - this.holdNs));
    }
    switch (r.type) {
      case 'argv': this.collect(out, this.argv.argv(r), []); break;
      case 'argv_end': this.collect(out, this.argv.end(r), []); break;
      case 'exec': this.collect(out, this.argv.exec(r), []); break;
      case 'dns': this.collect(out, [], this.dns.header(r)); break;
      case 'dns_chunk': this.collect(out, [], this.dns.chunk(r)); break;
      case 'fork': out.push({ kind: 'fork', timeUs: this.us(r.t), pid: r.pid, ppid: r.ppid }); break;
      case 'exit':
        out.push({ kind: 'exit', timeUs: this.us(r.t), pid: r.pid, exitCode: r.exitCode, signal: r.signal });
        break;
      case 'connect': {
        const { pid, family, protocol, address, port } = r;
        out.push({ kind: 'connect', timeUs: this.us(r.t), pid, family, protocol, address, port });
        break;
      }
      case 'lost':
        countDrop(this.drops, 'perf_lost', r.count);
        out.push({ kind: 'loss', timeUs: this.us(this.clock), source: 'bpftrace', reason: 'perf_buffer_overflow', count: r.count });
        break;
      case 'attached':
      case 'ready':
        break;
    }
    return out;
  }

  /** Emits everything still pending, complete or not (at shutdown). */
  flush(): HostEvent[] {
    const out: HostEvent[] = [];
    this.collect(out, this.argv.expire(null), this.dns.expire(null));
    return out;
  }

  private collect(out: HostEvent[], execs: ExecJoin[], dns: CompletedDns[]): void {
    for (const j of execs) out.push(this.toExec(j));
    for (const d of dns) out.push(...this.toDns(d));
  }

  private toExec({ exec, argv, argvTruncated }: ExecJoin): HostExecEvent {
    return {
      kind: 'exec',
      timeUs: this.us(exec.t),
      pid: exec.pid,
      ppid: exec.ppid,
      exe: exec.filename,
      argv,
      cwd: this.opts.cwdOf?.(exec.pid) ?? '',
      uid: exec.uid,
      startTimeUs: this.us(exec.startNs),
      argvTruncated,
    };
  }

  private toDns({ header, payloads }: CompletedDns): HostDnsEvent[] {
    const out: HostDnsEvent[] = [];
    header.segments.forEach((seg, i) => {
      if (seg.length === 0) return;
      const bytes = payloads[i === 0 ? 0 : 1];
      const messages: DnsMessage[] = header.protocol === 'tcp'
        ? splitTcpDnsFrames(bytes, seg.length)
        : [{ packet: bytes, packetLength: seg.length }];
      for (const m of messages) out.push(this.dnsEvent(header, m));
    });
    return out;
  }

  private dnsEvent(h: DnsRecord, m: DnsMessage): HostDnsEvent {
    return {
      kind: 'dns', timeUs: this.us(h.t), pid: h.pid,
      packet: m.packet.slice(), packetLength: m.packetLength,
      family: h.family, protocol: h.protocol, address: h.address, port: h.port, response: h.response,
    };
  }

  private us(monoNs: bigint): number {
    return Number((monoNs + this.opts.clockOffsetNs) / 1000n);
  }
}
