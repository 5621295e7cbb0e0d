// A policy straight from a collector's data directory, for `telltale policy export
// --data-dir`: the store is opened read-only, so a running collector is not disturbed.
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BaselineStore } from './baseline-store.js';
import { migrations } from './schema.js';
import { policyOptions } from './policy-query.js';
import { renderPolicy, type PolicyResult } from '../core/policy/index.js';

/** `query` carries the same options as GET /api/pipelines/:name/policy (format, mode, uid, ...). */
export function policyFromDataDir(dataDir: string, pipeline: string, query: URLSearchParams, defaultLearningBuilds: number, nowUs: number): PolicyResult {
  const path = join(dataDir, 'telltale.db');
  if (!existsSync(path)) return { ok: false, code: 'no_data', message: `no collector database at ${path}` };
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version !== migrations.length) {
      return { ok: false, code: 'database_version', message: `${path} is at schema version ${version}, this telltale reads ${migrations.length}: start this version's collector on it once (it migrates), or export through its API (--collector)` };
    }
    const baselines = new BaselineStore(db);
    const b = baselines.policyBaseline(pipeline, defaultLearningBuilds, nowUs);
    if (b.version === 0 && baselines.entries(pipeline).length === 0 && !pipelineKnown(db, pipeline)) {
      return { ok: false, code: 'no_such_pipeline', message: `no pipeline named "${pipeline}" in ${path}` };
    }
    return renderPolicy(b, query.get('format') ?? '', policyOptions(query));
  } finally {
    db.close();
  }
}

function pipelineKnown(db: Database.Database, pipeline: string): boolean {
  return db.prepare('SELECT 1 FROM builds WHERE pipeline = ? LIMIT 1').get(pipeline) !== undefined;
}
