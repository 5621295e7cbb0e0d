import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LIMITS, type TelltaleEvent } from '@telltale/proto';
import { Batcher, estimateEventBytes } from './batcher.js';

const fork = (pid: number): TelltaleEvent => ({ kind: 'fork', timeUs: pid, buildId: 'b', pid, ppid: 1 });
const dns = (size: number): TelltaleEvent => ({
  kind: 'dns', timeUs: 1, buildId: 'b', pid: 1, packet: new Uint8Array(size), packetLength: size,
  family: 'inet', protocol: 'udp', address: '10.0.0.1', port: 53, response: false,
});
const limits = { maxEvents: 3, maxBytes: 10_000, maxAgeMs: 100 };

describe('batcher', () => {
  it('is due at maxEvents and hands the events over in order', () => {
    const b = new Batcher(limits);
    expect(b.add(fork(1), 0)).toBe(false);
    expect(b.add(fork(2), 0)).toBe(false);
    expect(b.add(fork(3), 0)).toBe(true);
    expect(b.take()).toEqual([fork(1), fork(2), fork(3)]);
    expect(b.count).toBe(0);
    expect(b.due(1_000_000)).toBe(false);
    expect(b.take()).toEqual([]);
  });

  it('is due once the size estimate reaches maxBytes', () => {
    const b = new Batcher({ ...limits, maxEvents: 100, maxBytes: 1000 });
    expect(b.add(dns(400), 0)).toBe(false);
    expect(b.add(dns(600), 0)).toBe(true);
    expect(b.bytes).toBe(estimateEventBytes(dns(400)) + estimateEventBytes(dns(600)));
  });

  it('is due maxAgeMs after the first event, and says how long until then', () => {
    const b = new Batcher(limits);
    expect(b.msUntilDue(0)).toBeNull();
    b.add(fork(1), 1000);
    b.add(fork(2), 1060);
    expect(b.due(1099)).toBe(false);
    expect(b.msUntilDue(1060)).toBe(40);
    expect(b.due(1100)).toBe(true);
    expect(b.msUntilDue(1100)).toBe(0);
    b.take();
    b.add(fork(3), 5000); // the age restarts with the next batch
    expect(b.msUntilDue(5000)).toBe(100);
  });

  it('rejects limits that cannot work', () => {
    const code = (l: typeof limits) => { try { new Batcher(l); return 'ok'; } catch (e) { return (e as { code: string }).code; } };
    expect(code({ ...limits, maxEvents: 0 })).toBe('SPOOL_INVALID_CONFIG');
    expect(code({ ...limits, maxEvents: LIMITS.eventsPerBatch + 1 })).toBe('SPOOL_INVALID_CONFIG');
    expect(code({ ...limits, maxBytes: -1 })).toBe('SPOOL_INVALID_CONFIG');
    expect(code({ ...limits, maxAgeMs: 1.5 })).toBe('SPOOL_INVALID_CONFIG');
  });

  it('never loses, reorders or over-fills: batches stay within maxEvents and exceed maxBytes by one event at most', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: 50 })), { maxLength: 200 }),
      fc.integer({ min: 1, max: 10 }), fc.integer({ min: 50, max: 5000 }),
      (steps, maxEvents, maxBytes) => {
        const b = new Batcher({ maxEvents, maxBytes, maxAgeMs: 100 });
        const out: TelltaleEvent[] = [];
        let now = 0;
        steps.forEach(([size, dt], i) => {
          now += dt;
          if (b.due(now)) out.push(...b.take()); // a timer firing
          const ev = { ...dns(size), timeUs: i };
          if (b.add(ev, now)) {
            const batch = b.take();
            const bytes = batch.reduce((n, e) => n + estimateEventBytes(e), 0);
            expect(batch.length).toBeLessThanOrEqual(maxEvents);
            expect(bytes - estimateEventBytes(batch[batch.length - 1]!)).toBeLessThan(maxBytes);
            out.push(...batch);
          }
        });
        out.push(...b.take());
        expect(out.map((e) => e.timeUs)).toEqual(steps.map((_, i) => i));
      },
    ));
  });
});
