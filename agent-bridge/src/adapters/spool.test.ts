import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeBatch, LIMITS, type TelltaleEvent } from '@telltale/proto';
import { LOSS_REASON, SPOOL_FILE, Spool, type SpoolOptions } from './spool.js';

const fork = (buildId: string, pid: number): TelltaleEvent => ({ kind: 'fork', timeUs: 1_000 + pid, buildId, pid, ppid: 1 });
const events = (buildId: string, n: number, from = 0) => Array.from({ length: n }, (_, i) => fork(buildId, from + i));

let dir: string;
const open = (over: Partial<SpoolOptions> = {}) =>
  Spool.open({ dir, agentId: 'agent-1', maxBytes: 1 << 20, nowUs: () => 42, ...over });
const codeOf = (fn: () => unknown) => { try { fn(); } catch (err) { return (err as { code?: string }).code; } return 'no error'; };

beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'spool-')); });
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('spool', () => {
  it('hands out sequences from 1 and returns pending batches in order, as decodable bytes', () => {
    const s = open();
    expect([s.append(events('b1', 2)), s.append(events('b1', 1, 2)), s.append(events('b2', 3))]).toEqual([1, 2, 3]);
    const all = s.pending(0, 10);
    expect(all.map((b) => b.sequence)).toEqual([1, 2, 3]);
    expect(all.map((b) => b.events)).toEqual([2, 1, 3]);
    const decoded = decodeBatch(all[2]!.bytes);
    expect(decoded).toMatchObject({ agentId: 'agent-1', sequence: 3, rejected: [] });
    expect(decoded.events).toEqual(events('b2', 3));
    expect(s.pending(1, 1).map((b) => b.sequence)).toEqual([2]);
    s.close();
  });

  it('deletes acked batches in any order and keeps byte accounting', () => {
    const s = open();
    for (let i = 0; i < 4; i++) s.append(events('b', 2, i * 2));
    const before = s.stats();
    expect(s.ack(3)).toBe(true);
    expect(s.ack(3)).toBe(false);
    expect(s.ack(99)).toBe(false);
    expect(s.pending(0, 10).map((b) => b.sequence)).toEqual([1, 2, 4]);
    expect(s.ack(1)).toBe(true);
    expect(s.stats()).toMatchObject({ batches: 2, oldestSequence: 2, lastSequence: 4 });
    expect(s.stats().bytes).toBeLessThan(before.bytes);
    expect(s.oldestSequence()).toBe(2);
    s.ack(2); s.ack(4);
    expect(s.stats()).toMatchObject({ bytes: 0, batches: 0, oldestSequence: null, lastSequence: 4 });
    s.close();
  });

  it('survives a reopen with unacked batches intact', () => {
    const s = open();
    s.append(events('b', 3));
    s.append(events('b', 3, 3));
    s.ack(1);
    s.close();
    const again = open();
    expect(again.pending(0, 10).map((b) => [b.sequence, b.events])).toEqual([[2, 3]]);
    expect(decodeBatch(again.pending(0, 1)[0]!.bytes).events).toEqual(events('b', 3, 3));
    again.close();
  });

  it('never reuses a sequence, even after every batch was acked and the spool reopened', () => {
    const s = open();
    for (let i = 0; i < 3; i++) s.ack(s.append(events('b', 1, i))!);
    expect(s.stats().batches).toBe(0);
    s.close();
    const again = open();
    expect(again.append(events('b', 1, 9))).toBe(4);
    again.close();
  });

  it('drops a batch that would pass maxBytes, counts it durably and reports it per build once space is back', () => {
    const s = open({ maxBytes: 400 });
    const first = s.append(events('b1', 10))!;
    expect(s.append(events('b1', 20, 10))).toBeNull();
    expect(s.append([...events('b2', 15), ...events('b1', 5, 30)])).toBeNull();
    expect(s.stats().overflowedEvents).toBe(40);
    expect(s.overflowed()).toEqual({ totalEvents: 40, unreported: [{ buildId: 'b1', events: 25 }, { buildId: 'b2', events: 15 }] });
    s.close();

    const again = open({ maxBytes: 400 });
    expect(again.overflowed().totalEvents).toBe(40);
    again.ack(first);
    const seq = again.append(events('b3', 1))!;
    expect(seq).toBe(2);
    const stored = decodeBatch(again.pending(0, 1)[0]!.bytes).events;
    expect(stored.slice(0, 2)).toEqual([
      { kind: 'loss', timeUs: 42, buildId: 'b1', source: 'spool', reason: LOSS_REASON, count: 25 },
      { kind: 'loss', timeUs: 42, buildId: 'b2', source: 'spool', reason: LOSS_REASON, count: 15 },
    ]);
    expect(stored[2]).toEqual(fork('b3', 0));
    expect(again.overflowed()).toEqual({ totalEvents: 40, unreported: [] });
    expect(again.pending(seq, 1)).toEqual([]);
    again.close();
  });

  it('writes only loss events when asked to append nothing after an overflow, and nothing otherwise', () => {
    const s = open({ maxBytes: 200 });
    expect(s.append([])).toBeNull();
    expect(s.append(events('b', 50))).toBeNull();
    expect(s.append([])).toBe(1);
    expect(s.pending(0, 1)[0]!.events).toBe(1);
    expect(s.append([])).toBeNull();
    s.close();
  });

  it('refuses input the wire cannot carry, with codes', () => {
    const s = open();
    expect(codeOf(() => s.append('nope' as unknown as TelltaleEvent[]))).toBe('SPOOL_INVALID_INPUT');
    expect(codeOf(() => s.append([{ kind: 'bogus', buildId: 'b', timeUs: 1 } as unknown as TelltaleEvent]))).toBe('SPOOL_INVALID_INPUT');
    expect(codeOf(() => s.append([{ ...fork('b', 1), buildId: '' }]))).toBe('SPOOL_INVALID_INPUT');
    expect(codeOf(() => s.append([null as unknown as TelltaleEvent]))).toBe('SPOOL_INVALID_INPUT');
    expect(codeOf(() => s.append(events('b', LIMITS.eventsPerBatch + 1)))).toBe('SPOOL_BATCH_TOO_LARGE');
    expect(s.stats()).toMatchObject({ batches: 0, lastSequence: 0, overflowedEvents: 0 });
    s.close();
    expect(codeOf(() => s.append(events('b', 1)))).toBe('SPOOL_CLOSED');
  });

  it('refuses a corrupt file, another agent\'s spool, a second opener and a bad config', () => {
    expect(codeOf(() => open({ maxBytes: 0 }))).toBe('SPOOL_INVALID_CONFIG');
    expect(codeOf(() => open({ agentId: '' }))).toBe('SPOOL_INVALID_CONFIG');
    const s = open();
    expect(codeOf(() => open())).toBe('SPOOL_LOCKED');
    s.close();
    expect(codeOf(() => open({ agentId: 'agent-2' }))).toBe('SPOOL_AGENT_MISMATCH');
    rmSync(dir, { recursive: true, force: true });
    dir = mkdtempSync(join(tmpdir(), 'spool-'));
    writeFileSync(join(dir, SPOOL_FILE), Buffer.alloc(8192, 'not a database '));
    expect(codeOf(() => open())).toBe('SPOOL_CORRUPT');
  });
});
