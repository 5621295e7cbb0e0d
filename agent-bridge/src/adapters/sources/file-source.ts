// A source that follows a JSON-lines file another program writes and rotates (Tetragon's
// export, Falco's file_output). Exactly once across a crash (kill -9 included): the position
// of the last line handed over is stored by the agent with every spooled batch, in the same
// transaction, and at start-up the follower resumes right after it. The follower's own state
// file (saved later, from the same positions) only serves when the spool holds none.
import { startLogFollower, type Position } from '../log-follower.js';
import { isPosition } from '../../core/log-lines.js';
import type { SourceDecoder } from '../../core/event-source.js';
import type { EventSink, RunningSource, SourceLog } from './running-source.js';

export interface FileSourceOptions {
  decoder: SourceDecoder;
  path: string;
  /** Where the follower keeps its durable position. */
  statePath: string;
  /** The position stored with the newest spooled batch: lines up to it are already spooled. */
  resumeAfter: string | null;
  pollMs?: number;
}

/** What the agent stores with each batch: the source, its file, and the line reached. */
interface StoredPosition { v: 1; source: string; path: string; position: Position }

function encodePosition(source: string, path: string, position: Position): string {
  const stored: StoredPosition = { v: 1, source, path, position };
  return JSON.stringify(stored);
}

/** The stored position, when it was written by this source for this path; else null. */
function decodePosition(text: string | null, source: string, path: string): Position | null {
  if (text === null) return null;
  try {
    const s = JSON.parse(text) as Partial<StoredPosition>;
    if (s.v !== 1 || s.source !== source || s.path !== path) return null;
    return s.position !== undefined && isPosition(s.position) ? s.position : null;
  } catch {
    return null;
  }
}

export function startFileSource(o: FileSourceOptions, sink: EventSink, log: SourceLog): RunningSource {
  const { decoder } = o;
  const startAt = decodePosition(o.resumeAfter, decoder.source, o.path);
  if (o.resumeAfter !== null && startAt === null) {
    log.warn(`${decoder.source} file: the spooled position is another source's or file's; resuming from the follower's own state`, { path: o.path });
  }
  let handed: string | undefined = startAt ? (o.resumeAfter ?? undefined) : undefined;
  let saved: string | null = null;
  const follower = startLogFollower({
    path: o.path, statePath: o.statePath, pollMs: o.pollMs ?? 200, ...(startAt ? { startAt } : {}),
    onLines(lines) {
      for (const line of lines) {
        // Set before the sink runs: a batch flushed at the end of this line's events is
        // stored with this line's position, not the one before.
        handed = encodePosition(decoder.source, o.path, line.position);
        try {
          sink(decoder.push(line.text));
        } catch (err) {
          // A bug, not bad input: the line is counted lost rather than re-read forever.
          log.error(`${decoder.source} file: a line could not be handled`, { error: String(err) });
          sink([{ kind: 'loss', timeUs: Date.now() * 1000, source: decoder.source, reason: 'agent_error', count: 1 }]);
        }
      }
    },
    onDrop(reason, count) {
      // A line skipped (too long) or a rotated-out file's unread rest: events lost to open builds.
      sink([{ kind: 'loss', timeUs: Date.now() * 1000, source: decoder.source, reason: reason === 'line_too_long' ? 'line_too_long' : 'lost_events', count }]);
    },
    onLog(level, event, fields) {
      log[level](`${decoder.source} file: ${event}`, { path: o.path, ...fields });
    },
  });
  if (startAt) log.info(`${decoder.source} file: resuming after the last spooled line`, { path: o.path });
  return {
    name: decoder.source,
    async drain(timeoutMs) {
      // The writer may still hold lines in its buffer: give it and the next poll a moment.
      await new Promise((r) => setTimeout(r, Math.min(timeoutMs, (o.pollMs ?? 200) * 2 + 100)));
      return true;
    },
    flush: () => sink(decoder.flush()),
    podOf: (pid) => decoder.podOf?.(pid),
    position: () => handed,
    committed(position) {
      if (position === saved) return;
      const p = decodePosition(position, decoder.source, o.path);
      if (!p) return;
      saved = position;
      follower.commit(p).catch((err: Error) => log.error(`${decoder.source} file: could not save the read position`, { error: err.message }));
    },
    drops: () => ({ ...Object.fromEntries(decoder.drops), droppedLines: follower.stats().droppedLines }),
    async stop() {
      await follower.stop();
      sink(decoder.flush());
    },
  };
}
