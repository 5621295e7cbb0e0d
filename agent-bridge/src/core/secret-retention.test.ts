// No value outlives its indexing: from an environ block to the fingerprints, nothing the tracker
// keeps (a variable's name above all) may hold a value alive. Checked on a heap snapshot, with
// values that exist only as bytes in the test, so a hit in the snapshot is the code's.
import { expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString, writeHeapSnapshot } from 'node:v8';
import { SecretLeakTracker } from './secret-leak-tracker.js';
import { SECRET_DEFAULTS } from './secret-fingerprints.js';
import { parseEnvironBlock } from './environ-block.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const hexBytes = (n: number) => Buffer.from(randomBytes(n).toString('hex'), 'latin1');

function reachable(needles: Buffer[]): boolean[] {
  gc();
  gc();
  const dir = mkdtempSync(join(tmpdir(), 'telltale-heap-'));
  try {
    const text = readFileSync(writeHeapSnapshot(join(dir, 'h.heapsnapshot')));
    return needles.map((n) => text.indexOf(n) >= 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

it('keeps no value alive once indexed, under a long variable name or a short one', () => {
  const long = hexBytes(24);
  const short = hexBytes(24);
  const other = hexBytes(24);
  const t = new SecretLeakTracker((p) => `${p.length}:${Buffer.from(p).toString('base64').length}:${[...p].reduce((a, c) => (a * 31 + c.charCodeAt(0)) | 0, 7)}`, SECRET_DEFAULTS);
  const block = Buffer.concat([Buffer.from('HOME=/root\0AWS_SECRET_ACCESS_KEY='), long, Buffer.from('\0NPM_TOKEN='), short, Buffer.from('\0UNRELATED_VARIABLE='), other, Buffer.from('\0')]);
  (() => {
    expect(t.index('b1', parseEnvironBlock(block)).variables).toEqual(['AWS_SECRET_ACCESS_KEY', 'NPM_TOKEN']);
  })();
  block.fill(0);
  expect(t.indexedBuilds).toBe(1);
  expect(reachable([long, short, other])).toEqual([false, false, false]);
}, 60_000);
