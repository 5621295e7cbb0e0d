// What the agent needs of a running event source, whichever tool it reads.
import type { PodRef, SourceName } from '../../core/event-source.js';
import type { HostEvent } from '../../core/host-event.js';

export interface SourceLog {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** Where a source's events go; called synchronously, in the order the source read them. */
export type EventSink = (events: HostEvent[]) => void;

export interface RunningSource {
  readonly name: SourceName;
  /**
   * Resolves once everything the source observed before the call has reached the sink (true),
   * or when `timeoutMs` passed first (false). The agent waits on it before ending a build.
   */
  drain(timeoutMs: number): Promise<boolean>;
  /** Hands over what the decoder still holds back. */
  flush(): void;
  /**
   * Where the source stands: after the last record whose events all reached the sink. The
   * agent stores it with each spooled batch (one transaction), and hands the stored one back
   * at start-up, so a restart resumes after exactly what was spooled. Undefined for sources
   * that cannot be re-read (kernel tracing, streams).
   */
  position(): string | undefined;
  /** The spool holds everything up to `position`: the source may forget what lies before it. */
  committed(position: string): void;
  drops(): Record<string, number>;
  /** The Kubernetes pod a process runs in, when the source knows it. */
  podOf?(pid: number): PodRef | undefined;
  stop(): Promise<void>;
}
