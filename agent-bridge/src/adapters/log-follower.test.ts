import { appendFileSync, closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, truncateSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { positionKey, startLogFollower, type FollowedLine, type LogFollower, type LogFollowerOptions } from './log-follower.js';

let dir: string;
let log: string;
let statePath: string;
const running: LogFollower[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'log-follower-'));
  log = join(dir, 'tetragon.log');
  statePath = join(dir, 'state', 'tetragon.pos');
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((f) => f.stop()));
  rmSync(dir, { recursive: true, force: true });
});

const ev = (n: number) => `{"n":${n},"time":"2024-01-02T15:04:05.${String(n).padStart(9, '0')}Z"}`;
const lines = (...ns: number[]) => ns.map((n) => `${ev(n)}\n`).join('');
const numbers = (got: FollowedLine[]) => got.map((l) => (JSON.parse(l.text) as { n: number }).n);

function follow(over: Partial<LogFollowerOptions> = {}) {
  const got: FollowedLine[] = [];
  const drops: [string, number][] = [];
  const logs: string[] = [];
  const f = startLogFollower({
    path: log, statePath, pollMs: 10, watch: false,
    onLines: (ls) => { got.push(...ls); },
    onDrop: (reason, count) => drops.push([reason, count]),
    onLog: (_level, event) => logs.push(event),
    ...over,
  });
  running.push(f);
  const stop = async () => { running.splice(running.indexOf(f), 1); await f.stop(); };
  return { f, got, drops, logs, stop };
}

async function until(cond: () => boolean, what = 'condition', ms = 1500): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
/** A few polls, for asserting that something does not happen. */
const polls = (n = 5) => new Promise((r) => setTimeout(r, n * 10 + 5));

describe('log follower', () => {
  it('delivers appends across polls, each line with its end offset in one file', async () => {
    writeFileSync(log, lines(1, 2));
    const { got } = follow();
    await until(() => got.length === 2);
    appendFileSync(log, lines(3));
    appendFileSync(log, lines(4, 5));
    await until(() => got.length === 5);
    expect(numbers(got)).toEqual([1, 2, 3, 4, 5]);
    const ends = got.map((l) => l.position.offset);
    expect(ends).toEqual([1, 2, 3, 4, 5].map((n) => Buffer.byteLength(lines(...Array.from({ length: n }, (_, i) => i + 1)))));
    expect(new Set(got.map((l) => l.position.file.fingerprint)).size).toBe(1);
  });

  it('holds a partial line back until its newline arrives', async () => {
    writeFileSync(log, `${ev(1)}\n{"n":2,`);
    const { f, got } = follow();
    await until(() => f.stats().readOffset === readFileSync(log).length, 'the partial line read');
    await polls();
    expect(numbers(got)).toEqual([1]);
    appendFileSync(log, '"x":"y"}\n');
    await until(() => got.length === 2);
    expect(got[1]!.text).toBe('{"n":2,"x":"y"}');
    expect(got[1]!.position.offset).toBe(readFileSync(log).length);
  });

  it('finishes a lumberjack-renamed file, late writes included, before the new one', async () => {
    writeFileSync(log, lines(1, 2));
    const { got } = follow();
    await until(() => got.length === 2);
    const writer = openSync(log, 'a'); // the writer's descriptor survives the rename
    writeSync(writer, lines(3));
    renameSync(log, join(dir, 'tetragon-2024-01-02T15-04-05.000.log'));
    writeSync(writer, lines(4));
    closeSync(writer);
    writeFileSync(log, lines(5, 6));
    await until(() => got.length === 6);
    expect(numbers(got)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(got[4]!.position.offset).toBe(Buffer.byteLength(lines(5)));
    expect(got[4]!.position.file.fingerprint).not.toBe(got[0]!.position.file.fingerprint);
  });

  it('follows two numbered rotations between polls, the older backup already gzipped', async () => {
    writeFileSync(log, lines(1, 2));
    const { got } = follow();
    await until(() => got.length === 2);
    appendFileSync(log, lines(3));
    renameSync(log, `${log}.1`);
    writeFileSync(log, lines(4, 5));
    writeFileSync(`${log}.2.gz`, gzipSync(readFileSync(`${log}.1`)));
    unlinkSync(`${log}.1`);
    renameSync(log, `${log}.1`);
    writeFileSync(log, lines(6));
    await until(() => got.length === 6);
    await polls();
    expect(numbers(got)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('resumes after the committed line when the file was rotated and gzipped while stopped', async () => {
    writeFileSync(join(dir, 'tetragon-2024-01-01T00-00-00.000.log.gz'), gzipSync(lines(-2, -1)));
    writeFileSync(log, lines(1, 2, 3));
    const first = follow();
    await until(() => first.got.length === 3);
    await first.f.commit(first.got[1]!.position);
    await first.stop();

    appendFileSync(log, lines(4));
    const backup = join(dir, 'tetragon-2024-01-02T15-04-05.000.log');
    renameSync(log, backup);
    writeFileSync(log, lines(5));
    writeFileSync(`${backup}.gz`, gzipSync(readFileSync(backup)));
    unlinkSync(backup);

    const second = follow();
    await until(() => second.got.length === 3);
    await polls();
    expect(numbers(second.got)).toEqual([3, 4, 5]);
    expect(second.logs).toContain('resumed');
    expect(positionKey(second.got[0]!.position)).toBe(positionKey(first.got[2]!.position));
  });

  it('re-delivers uncommitted lines with the same positions after a crash', async () => {
    writeFileSync(log, lines(1, 2, 3));
    const first = follow();
    await until(() => first.got.length === 3);
    await first.f.commit(first.got[0]!.position);
    await first.stop(); // lines 2 and 3 were delivered, never committed

    const second = follow();
    await until(() => second.got.length === 2);
    expect(second.got).toEqual(first.got.slice(1));
    appendFileSync(log, lines(4));
    await until(() => second.got.length === 3);
    expect(numbers(second.got)).toEqual([2, 3, 4]);
    expect(JSON.parse(readFileSync(statePath, 'utf8'))).toMatchObject({ offset: first.got[0]!.position.offset });
    expect(existsSync(`${statePath}.tmp`)).toBe(false);
  });

  it('resumes where a fresh start began when it crashed before the first commit', async () => {
    writeFileSync(log, lines(1, 2));
    const first = follow();
    await until(() => first.got.length === 2);
    await first.stop(); // nothing committed
    renameSync(log, join(dir, 'tetragon-2024-01-02T15-04-05.000.log'));
    writeFileSync(log, lines(3));
    const second = follow();
    await until(() => second.got.length === 3);
    expect(numbers(second.got)).toEqual([1, 2, 3]);
    expect(second.got.slice(0, 2).map((l) => positionKey(l.position))).toEqual(first.got.map((l) => positionKey(l.position)));
  });

  it('reads what copytruncate left only in the copy, then the truncated file from 0', async () => {
    writeFileSync(log, lines(1, 2));
    const { got, logs } = follow();
    await until(() => got.length === 2);
    appendFileSync(log, lines(3));
    copyFileSync(log, `${log}.1`);
    truncateSync(log, 0);
    appendFileSync(log, lines(4));
    await until(() => got.length === 4);
    await polls();
    expect(numbers(got)).toEqual([1, 2, 3, 4]);
    expect(got[2]!.position.file.fingerprint).toBe(got[0]!.position.file.fingerprint);
    expect(got[3]!.position.offset).toBe(Buffer.byteLength(lines(4)));
    expect(logs).toContain('truncated');
  });

  it('skips an overlong line to its newline and counts it, even when it spans reads', async () => {
    writeFileSync(log, `${ev(1)}\n${'x'.repeat(200)}\n${ev(2)}\n${'y'.repeat(100)}`);
    const { got, drops } = follow({ maxLineBytes: 64 });
    const dropped = () => drops.reduce((n, [reason, count]) => n + (reason === 'line_too_long' ? count : 0), 0);
    await until(() => got.length === 2 && dropped() === 2);
    appendFileSync(log, `${'y'.repeat(100)}\n${ev(3)}\n`);
    await until(() => got.length === 3);
    expect(numbers(got)).toEqual([1, 2, 3]);
    await polls();
    expect(dropped()).toBe(2); // the 200-byte line, and the 200-byte one cut across two reads
    expect(got[2]!.position.offset).toBe(readFileSync(log).length);
  });

  it('waits for a missing file and its directory', async () => {
    log = join(dir, 'later', 'events.json');
    const { f, got, logs } = follow();
    await polls();
    expect(got).toEqual([]);
    expect(logs).toEqual(['waiting_for_file']);
    mkdirSync(join(dir, 'later'));
    writeFileSync(log, lines(1));
    await until(() => got.length === 1);
    expect(f.stats()).toMatchObject({ file: log, deliveredLines: 1 });
  });

  it('reports a corrupt state file and starts at the beginning of the live file', async () => {
    mkdirSync(join(dir, 'state'));
    writeFileSync(statePath, '{"version":1,"path":');
    writeFileSync(log, lines(1, 2));
    const { f, got, logs } = follow();
    await until(() => got.length === 2);
    expect(logs).toContain('state_corrupt');
    await f.commit(got[1]!.position);
    expect(JSON.parse(readFileSync(statePath, 'utf8'))).toMatchObject({ path: log, offset: got[1]!.position.offset });
  });

  it('does not read on while onLines is pending, and re-delivers a rejected batch', async () => {
    writeFileSync(log, lines(1));
    let release: () => void = () => {};
    let calls = 0;
    const got: FollowedLine[] = [];
    const { logs } = follow({
      onLines: async (ls) => {
        calls++;
        if (calls === 1) await new Promise<void>((r) => { release = r; });
        if (calls === 2) throw new Error('spool full');
        got.push(...ls);
      },
    });
    await until(() => calls === 1);
    appendFileSync(log, lines(2));
    await polls();
    expect(calls).toBe(1);
    release();
    await until(() => got.length === 2);
    expect(numbers(got)).toEqual([1, 2]);
    expect(logs).toContain('deliver_failed');
  });
});
