// The file source resumes right after the position the agent stored with its last spooled
// batch, whatever the follower's own state file says (or whether it exists at all).
import { afterEach, describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SourceDecoder } from '../../core/event-source.js';
import type { HostEvent } from '../../core/host-event.js';
import { startFileSource } from './file-source.js';

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
/** A decoder that turns line "N" into a fork event of pid N: what reached the sink is plain to see. */
const decoder = (): SourceDecoder => ({
  source: 'tetragon', drops: new Map(), flush: () => [],
  push: (line) => (line.trim() === '' ? [] : [{ kind: 'fork', timeUs: 1, pid: Number(line), ppid: 1 }]),
});
const lines = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `${from + i}\n`).join('');
const pids = (events: HostEvent[]) => events.map((e) => (e.kind === 'fork' ? e.pid : -1));

describe('file source resume', () => {
  const dirs: string[] = [];
  afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

  it('resumes after the spooled position across a rotation, with the follower\'s state file lost', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'telltale-file-source-'));
    dirs.push(dir);
    const path = join(dir, 'tetragon.log');
    writeFileSync(path, lines(1, 11));
    const got: HostEvent[] = [];
    const first = startFileSource({ decoder: decoder(), path, statePath: join(dir, 'state.json'), resumeAfter: null, pollMs: 20 }, (e) => got.push(...e), quiet);
    await expect.poll(() => got.length).toBe(10);
    // The agent stored line 10's position with its last batch, then died before telling the
    // follower (whose own state file still says: the start of the file).
    const stored = first.position();
    expect(stored).toBeDefined();
    await first.stop();
    got.length = 0;
    // Rotation while down, and the follower's own state file gone.
    appendFileSync(path, lines(11, 14));
    renameSync(path, join(dir, 'tetragon-2026-11-23T03-00-00.000.log'));
    writeFileSync(path, lines(14, 17));
    rmSync(join(dir, 'state.json'), { force: true });
    const second = startFileSource({ decoder: decoder(), path, statePath: join(dir, 'state.json'), resumeAfter: stored!, pollMs: 20 }, (e) => got.push(...e), quiet);
    await expect.poll(() => got.length).toBe(6);
    await new Promise((r) => setTimeout(r, 150));
    expect(pids(got)).toEqual([11, 12, 13, 14, 15, 16]);
    await second.stop();
  });

  it('ignores a stored position of another file, and falls back to the follower\'s own state', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'telltale-file-source-'));
    dirs.push(dir);
    const a = join(dir, 'a.log');
    const b = join(dir, 'b.log');
    writeFileSync(a, lines(1, 4));
    writeFileSync(b, lines(100, 103));
    const got: HostEvent[] = [];
    const onA = startFileSource({ decoder: decoder(), path: a, statePath: join(dir, 'sa.json'), resumeAfter: null, pollMs: 20 }, (e) => got.push(...e), quiet);
    await expect.poll(() => got.length).toBe(3);
    const storedForA = onA.position()!;
    await onA.stop();
    got.length = 0;
    const onB = startFileSource({ decoder: decoder(), path: b, statePath: join(dir, 'sb.json'), resumeAfter: storedForA, pollMs: 20 }, (e) => got.push(...e), quiet);
    await expect.poll(() => got.length).toBe(3);
    expect(pids(got)).toEqual([100, 101, 102]);
    await onB.stop();
  });
});
