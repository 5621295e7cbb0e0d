// What the agent needs of a running event source, whichever tool it reads.
import type { SourceName } from '../../core/event-source.js';
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
   * The agent stored (spooled) everything the sink received so far: a source reading a file
   * may now remember its position durably, so a restart neither re-reads nor skips a line.
   */
  committed(): void;
  drops(): Record<string, number>;
  stop(): Promise<void>;
}
