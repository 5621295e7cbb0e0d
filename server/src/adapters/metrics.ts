// Counters, gauges and a latency histogram rendered in Prometheus text format for /metrics.

type Labels = Record<string, string>;

const key = (name: string, labels: Labels) => {
  const parts = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}="${escape(v)}"`);
  return parts.length ? `${name}{${parts.join(',')}}` : name;
};
const escape = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export class Metrics {
  private readonly values = new Map<string, number>();
  private readonly help = new Map<string, { type: string; text: string }>();
  private readonly histograms = new Map<string, { buckets: number[]; counts: number[]; sum: number; count: number }>();

  describe(name: string, type: 'counter' | 'gauge' | 'histogram', text: string): void {
    this.help.set(name, { type, text });
  }

  inc(name: string, labels: Labels = {}, by = 1): void {
    const k = key(name, labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }

  set(name: string, value: number, labels: Labels = {}): void {
    this.values.set(key(name, labels), value);
  }

  get(name: string, labels: Labels = {}): number {
    return this.values.get(key(name, labels)) ?? 0;
  }

  observe(name: string, value: number, buckets = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]): void {
    let h = this.histograms.get(name);
    if (!h) this.histograms.set(name, (h = { buckets, counts: buckets.map(() => 0), sum: 0, count: 0 }));
    h.buckets.forEach((b, i) => { if (value <= b) h!.counts[i]!++; });
    h.sum += value;
    h.count++;
  }

  render(): string {
    const lines: string[] = [];
    const byName = new Map<string, string[]>();
    for (const [k, v] of this.values) {
      const name = k.split('{')[0]!;
      if (!byName.has(name)) byName.set(name, []);
      byName.get(name)!.push(`${k} ${v}`);
    }
    for (const [name, h] of this.help) {
      lines.push(`# HELP ${name} ${h.text}`, `# TYPE ${name} ${h.type}`);
      const hist = this.histograms.get(name);
      if (hist) {
        hist.buckets.forEach((b, i) => lines.push(`${name}_bucket{le="${b}"} ${hist.counts[i]}`));
        lines.push(`${name}_bucket{le="+Inf"} ${hist.count}`, `${name}_sum ${hist.sum}`, `${name}_count ${hist.count}`);
      }
      lines.push(...(byName.get(name) ?? []));
      byName.delete(name);
    }
    for (const rows of byName.values()) lines.push(...rows);
    return lines.join('\n') + '\n';
  }
}

export function collectorMetrics(): Metrics {
  const m = new Metrics();
  m.describe('telltale_events_in_total', 'counter', 'Events received from agents, by kind.');
  m.describe('telltale_events_dropped_total', 'counter', 'Events not applied, by reason (malformed, unknown build, DNS decode errors, source losses).');
  m.describe('telltale_batches_total', 'counter', 'Event batches received, by outcome (applied, duplicate, undecodable).');
  m.describe('telltale_alerts_total', 'counter', 'Alerts raised, by kind.');
  m.describe('telltale_ingest_lag_seconds', 'histogram', 'Time from an event on the agent to its batch being stored.');
  m.describe('telltale_ingest_batch_seconds', 'histogram', 'Time to apply and store one batch.');
  m.describe('telltale_websocket_clients', 'gauge', 'Connected WebSocket clients.');
  m.describe('telltale_open_builds', 'gauge', 'Builds started and not yet ended.');
  m.describe('telltale_source_events_lost_total', 'counter', 'Events the agents\' sources reported lost or unreadable, by source and reason.');
  m.describe('telltale_agents_rejected_total', 'counter', 'Agent calls refused at authentication, by reason.');
  m.describe('telltale_alerts_suppressed_total', 'counter', 'Findings dropped because an operator allowed their domain for the pipeline.');
  m.describe('telltale_console_actions_total', 'counter', 'Actions taken in the console, by action.');
  return m;
}
