// Per-second ingest figures for the console's live chart: a ring of the last 300 seconds.
import type { StatsTick } from '@telltale/proto';

export class StatsRecorder {
  private readonly ticks: StatsTick[] = [];
  private events = 0;
  private alerts = 0;

  constructor(private readonly keep = 300) {}

  add(events: number, alerts: number): void {
    this.events += events;
    this.alerts += alerts;
  }

  /** Closes the current second and returns it. */
  tick(nowMs: number, openBuilds: number): StatsTick {
    const t: StatsTick = { at: new Date(nowMs).toISOString(), atMs: nowMs, events: this.events, alerts: this.alerts, openBuilds };
    this.events = 0;
    this.alerts = 0;
    this.ticks.push(t);
    if (this.ticks.length > this.keep) this.ticks.shift();
    return t;
  }

  history(): StatsTick[] {
    return [...this.ticks];
  }
}
