import { describe, it, expect } from 'vitest';
import { upsertRow, mergeFirstPage } from './row-merge';

interface R { id: string; t: number; v?: string }
const keys = { id: (r: R) => r.id, order: (r: R) => r.t };
const rows: R[] = [{ id: 'c', t: 30 }, { id: 'b', t: 20 }, { id: 'a', t: 10 }];
const ids = (rs: R[]) => rs.map((r) => r.id).join('');

describe('upsertRow', () => {
  it('inserts a new row newest first', () => {
    expect(ids(upsertRow(rows, { id: 'd', t: 40 }, keys, { matches: true, hasMore: false }))).toBe('dcba');
    expect(ids(upsertRow(rows, { id: 'x', t: 25 }, keys, { matches: true, hasMore: false }))).toBe('cxba');
  });
  it('replaces an existing row in place', () => {
    const out = upsertRow(rows, { id: 'b', t: 20, v: 'new' }, keys, { matches: true, hasMore: false });
    expect(ids(out)).toBe('cba');
    expect(out[1]?.v).toBe('new');
  });
  it('removes a row that left the filter, and ignores non-matching new rows', () => {
    expect(ids(upsertRow(rows, { id: 'b', t: 20 }, keys, { matches: false, hasMore: false }))).toBe('ca');
    expect(upsertRow(rows, { id: 'z', t: 99 }, keys, { matches: false, hasMore: false })).toBe(rows);
  });
  it('leaves rows older than the loaded pages to "load older"', () => {
    expect(upsertRow(rows, { id: 'old', t: 5 }, keys, { matches: true, hasMore: true })).toBe(rows);
    expect(ids(upsertRow(rows, { id: 'old', t: 5 }, keys, { matches: true, hasMore: false }))).toBe('cbaold');
  });
});

describe('mergeFirstPage', () => {
  it('keeps older loaded rows after the fresh page', () => {
    const out = mergeFirstPage(rows, 'cur', [{ id: 'd', t: 40 }, { id: 'c', t: 30, v: 'upd' }], 'fresh', keys);
    expect(ids(out.rows)).toBe('dcba');
    expect(out.rows[1]?.v).toBe('upd');
    expect(out.next).toBe('cur');
  });
  it('restarts paging when the fresh page does not reach the loaded rows', () => {
    const out = mergeFirstPage(rows, 'cur', [{ id: 'e', t: 50 }, { id: 'd', t: 40 }], 'fresh', keys);
    expect(ids(out.rows)).toBe('ed');
    expect(out.next).toBe('fresh');
  });
  it('takes the fresh page when it is complete', () => {
    const out = mergeFirstPage(rows, 'cur', [{ id: 'c', t: 30 }], null, keys);
    expect(ids(out.rows)).toBe('c');
    expect(out.next).toBeNull();
  });
});
