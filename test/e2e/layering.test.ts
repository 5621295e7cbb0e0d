// STYLE habit 1, enforced: src/core of every package stays free of I/O. A core module that
// imports node:*, better-sqlite3, ws, gRPC or an adapter fails here with its file and line.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const forbidden = [/^node:/, /^(fs|net|http|https|dgram|child_process|os|path|crypto|worker_threads)$/, /^better-sqlite3$/, /^ws$/, /^@grpc\//, /\/adapters\//];

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) yield path;
  }
}

describe('pure core', () => {
  it('no src/core module imports I/O', () => {
    const offences: string[] = [];
    const cores = ['agent-bridge/src/core', 'server/src/core'].map((d) => join(root, d));
    for (const dir of cores) {
      for (const file of files(dir)) {
        readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
          const m = line.match(/^\s*(?:import|export)\s.*?from\s+['"]([^'"]+)['"]/) ?? line.match(/^\s*import\s+['"]([^'"]+)['"]/);
          if (m && forbidden.some((f) => f.test(m[1]!))) offences.push(`${relative(root, file)}:${i + 1}: ${m[1]}`);
        });
      }
    }
    expect(offences).toEqual([]);
  });
});
