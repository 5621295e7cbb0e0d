// A source that follows a JSON-lines file another program writes and rotates (Tetragon's
// export, Falco's file_output). Exactly once across a crash (kill -9 included): the position
// of the last line handed over is stored by the agent with every spooled batch, in the same
// transaction; at start-up the follower resumes from its own saved position (never later than
// the spool's) and the lines up to the spool's position are skipped, not handed over twice.
import { startLogFollower, type Position } from '../log-follower.js';
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

/** Skips lines up to `after`: in its file at or below its offset, and in files read before it. */
function resumeFilter(after: Position | null) {
  let skipping = after !== null;
  let metFile = false;
  return {
    skip(p: Position): boolean {
      if (!skipping || after === null) return false;
      const same = p.file.fingerprint === after.file.fingerprint;
      if (same) {
        metFile = true;
        if (p.offset <= after.offset) return true;
      } else if (!metFile) {
        // A file the follower finished before the spooled position's: all of it is spooled.
        return true;
      }
      skipping = false;
      return false;
    },
    /** The spooled position's file is gone for good: stop skipping rather than drop new lines. */
    abandon() {
      skipping = false;
    },
  };
}

function parsePosition(text: string | null): Position | null {
  if (text === null) return null;
  try {
    const p = JSON.parse(text) as Position;
    return typeof p?.offset === 'number' && typeof p.file?.fingerprint === 'string' ? p : null;
  } catch {
    return null;
  }
}

export function startFileSource(o: FileSourceOptions, sink: EventSink, log: SourceLog): RunningSource {
  const { decoder } = o;
  let handed: string | undefined = o.resumeAfter ?? undefined;
  let saved: string | null = null;
  const resume = resumeFilter(parsePosition(o.resumeAfter));
  let skipped = 0;
  const follower = startLogFollower({
    path: o.path, statePath: o.statePath, pollMs: o.pollMs ?? 200,
    onLines(lines) {
      for (const line of lines) {
        if (resume.skip(line.position)) {
          skipped++;
          continue;
        }
        // Set before the sink runs: a batch flushed at the end of this line's events is
        // stored with this line's position, not the one before.
        handed = JSON.stringify(line.position);
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
      if (event === 'saved_file_gone' || event === 'finished_file_gone') resume.abandon();
      log[level](`${decoder.source} file: ${event}`, { path: o.path, ...fields });
    },
  });
  if (o.resumeAfter !== null) log.info(`${decoder.source} file: resuming after the last spooled line`, { path: o.path });
  return {
    name: decoder.source,
    async drain(timeoutMs) {
      // The writer may still hold lines in its buffer: give it and the next poll a moment.
      await new Promise((r) => setTimeout(r, Math.min(timeoutMs, (o.pollMs ?? 200) * 2 + 100)));
      return true;
    },
    flush: () => sink(decoder.flush()),
    position: () => handed,
    committed(position) {
      if (position === saved) return;
      const p = parsePosition(position);
      if (!p) return;
      saved = position;
      follower.commit(p).catch((err: Error) => log.error(`${decoder.source} file: could not save the read position`, { error: err.message }));
    },
    drops: () => ({ ...Object.fromEntries(decoder.drops), droppedLines: follower.stats().droppedLines, skippedAsSpooled: skipped }),
    async stop() {
      await follower.stop();
      sink(decoder.flush());
    },
  };
}
