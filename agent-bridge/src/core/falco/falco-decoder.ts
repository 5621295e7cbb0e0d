// Falco's JSON alerts (one per line, or one per http_output POST) as a SourceDecoder. Alerts
// of deploy/falco/telltale_rules.yaml map by rule name; an alert tagged `telltale` under a
// name we do not know maps by evt.type. Falco's own drop reports become loss events.
import type { SourceDecoder } from '../event-source.js';
import type { HostEvent } from '../host-event.js';
import { AlertFields } from './alert-fields.js';
import type { BufferFormat } from './falco-buffer.js';
import { parseFalcoLine, type FalcoAlert } from './falco-json.js';
import { toConnect, toDns } from './falco-network.js';
import { nsToUs, toExec, toExit, toFork } from './falco-process.js';

type Kind = 'exec' | 'fork' | 'exit' | 'connect' | 'dns_query' | 'dns_response';

export const TELLTALE_RULES: Readonly<Record<string, Kind>> = {
  'telltale process started': 'exec',
  'telltale process forked': 'fork',
  'telltale process exited': 'exit',
  'telltale outbound connect': 'connect',
  'telltale dns query sent': 'dns_query',
  'telltale dns response received': 'dns_response',
  'telltale dns query written': 'dns_query',
  'telltale dns response read': 'dns_response',
};

const BY_EVENT_TYPE: Readonly<Record<string, Kind>> = {
  execve: 'exec', execveat: 'exec', clone: 'fork', clone3: 'fork', fork: 'fork', vfork: 'fork',
  procexit: 'exit', connect: 'connect',
  sendto: 'dns_query', sendmsg: 'dns_query', sendmmsg: 'dns_query', write: 'dns_query', writev: 'dns_query',
  recvfrom: 'dns_response', recvmsg: 'dns_response', recvmmsg: 'dns_response', read: 'dns_response', readv: 'dns_response',
};

export const SYSCALL_DROP_RULE = 'Falco internal: syscall event drop';
export const METRICS_RULE = 'Falco internal: metrics snapshot';

export interface FalcoDecoderOptions {
  /** Falco's buffer_format_base64 (`base64`) or not (`dots`); `auto` tells by content. */
  bufferFormat?: BufferFormat;
  /** Which alerts of unknown rules map by evt.type: tagged `telltale`, any, or none. */
  fallback?: 'tagged' | 'any' | 'off';
  /** DNS ports for alerts mapped by evt.type (the rules' telltale_dns_ports list). */
  dnsPorts?: readonly number[];
}

export class FalcoDecoder implements SourceDecoder {
  readonly source = 'falco' as const;
  private readonly counts = new Map<string, number>();
  private readonly format: BufferFormat;
  private readonly fallback: 'tagged' | 'any' | 'off';
  private readonly dnsPorts: ReadonlySet<number>;
  /** µs of the newest alert, for loss events of lines that carry no time. */
  private lastUs = 0;
  /** falco.outputs_queue_num_drops of the previous metrics snapshot (it only grows). */
  private queueDrops: bigint | null = null;

  constructor(opts: FalcoDecoderOptions = {}) {
    this.format = opts.bufferFormat ?? 'auto';
    this.fallback = opts.fallback ?? 'tagged';
    this.dnsPorts = new Set([53, ...(opts.dnsPorts ?? [])]);
  }

  get drops(): ReadonlyMap<string, number> {
    return this.counts;
  }

  push(line: string): HostEvent[] {
    if (line.trim() === '') return [];
    const r = parseFalcoLine(line);
    if (!r.ok) {
      this.count(r.error.code);
      return [this.loss('malformed_line', 1)];
    }
    const timeUs = nsToUs(r.alert.timeNs);
    if (timeUs === null) {
      this.count('FALCO_BAD_FIELD');
      return [this.loss('malformed_line', 1)];
    }
    if (timeUs > this.lastUs) this.lastUs = timeUs;
    return this.decode(r.alert, timeUs);
  }

  /** Nothing is held back: each alert is a whole event. */
  flush(): HostEvent[] {
    return [];
  }

  private decode(alert: FalcoAlert, alertUs: number): HostEvent[] {
    if (alert.rule === SYSCALL_DROP_RULE) return this.syscallDrop(alert);
    if (alert.rule === METRICS_RULE) return this.metrics(alert);
    if (alert.source === 'internal') {
      this.count('internal_alert');
      return [];
    }
    const f = new AlertFields(alert.fields ?? new Map());
    const known = Object.hasOwn(TELLTALE_RULES, alert.rule) ? TELLTALE_RULES[alert.rule] : undefined;
    const kind = known ?? this.byEventType(alert, f);
    if (kind === undefined) {
      this.count('unknown_rule');
      return [];
    }
    // evt.time is the event's own ns timestamp; `time` carries the same instant.
    const evtNs = f.big('evt.time') ?? f.big('evt.time.iso8601');
    const timeUs = (evtNs !== null ? nsToUs(evtNs) : null) ?? alertUs;
    const out = this.map(kind, f, timeUs);
    if (out === null) {
      this.count('FALCO_BAD_FIELD');
      return [this.loss('unusable_alert', 1)];
    }
    return out;
  }

  private map(kind: Kind, f: AlertFields, timeUs: number): HostEvent[] | null {
    const one = (e: HostEvent | null) => (e === null ? null : [e]);
    switch (kind) {
      case 'exec': return one(toExec(f, timeUs));
      case 'fork': return one(toFork(f, timeUs));
      case 'exit': return one(toExit(f, timeUs));
      case 'connect': return one(toConnect(f, timeUs));
      case 'dns_query':
      case 'dns_response': {
        const m = toDns(f, timeUs, kind === 'dns_response', this.format);
        if (m.ok) {
          if (m.lossy) this.count('dns_payload_lossy');
          return m.events;
        }
        if (m.reason === 'unusable') return null;
        this.count(m.reason);
        return [this.loss(m.reason, 1)];
      }
    }
  }

  private byEventType(alert: FalcoAlert, f: AlertFields): Kind | undefined {
    if (this.fallback === 'off' || (this.fallback === 'tagged' && !alert.tags.includes('telltale'))) return undefined;
    const type = f.str('evt.type');
    const kind = type !== null && Object.hasOwn(BY_EVENT_TYPE, type) ? BY_EVENT_TYPE[type] : undefined;
    if (kind === 'dns_query' || kind === 'dns_response') {
      const port = f.int('fd.rport', 0, 65535) ?? f.int('fd.sport', 0, 65535);
      f.error = null;
      return port !== null && this.dnsPorts.has(port) ? kind : undefined;
    }
    return kind;
  }

  /** event_drops.cpp: n_drops (a decimal string) syscalls dropped in the last second. */
  private syscallDrop(alert: FalcoAlert): HostEvent[] {
    const f = new AlertFields(alert.fields ?? new Map());
    const n = f.big('n_drops');
    const count = n !== null && n > 0n && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : 1;
    this.count('syscall_event_drop', count);
    return [this.loss('syscall_event_drop', count)];
  }

  /** stats_writer.cpp: kernel drops since the previous snapshot, and the outputs queue total. */
  private metrics(alert: FalcoAlert): HostEvent[] {
    const f = new AlertFields(alert.fields ?? new Map());
    const out: HostEvent[] = [];
    const drops = f.big('scap.n_drops');
    const before = f.big('scap.n_drops_prev');
    if (drops !== null && before !== null && drops > before) out.push(this.lossCount('kernel_drop', drops - before));
    const queue = f.big('falco.outputs_queue_num_drops');
    if (queue !== null) {
      if (queue > (this.queueDrops ?? 0n)) out.push(this.lossCount('outputs_queue_drop', queue - (this.queueDrops ?? 0n)));
      this.queueDrops = queue;
    }
    return out;
  }

  private lossCount(reason: string, n: bigint): HostEvent {
    const count = n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : Number.MAX_SAFE_INTEGER;
    this.count(reason, count);
    return this.loss(reason, count);
  }

  private loss(reason: string, count: number): HostEvent {
    return { kind: 'loss', timeUs: this.lastUs, source: 'falco', reason, count };
  }

  private count(reason: string, n = 1): void {
    this.counts.set(reason, (this.counts.get(reason) ?? 0) + n);
  }
}
