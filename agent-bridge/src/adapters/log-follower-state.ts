// The log follower's durable position: one small JSON file, replaced atomically on every commit and
// read back at start-up, where a state that is unreadable or kept for another log means start afresh.
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isPosition, type FileId, type Position } from '../core/log-lines.js';

const STATE_VERSION = 1;

export interface SavedState { version: number; path: string; file: FileId; offset: number }

export type StateLog = (level: 'warn' | 'error', event: 'state_corrupt' | 'state_other_path', fields: Record<string, unknown>) => void;

export function savedState(path: string, position: Position): SavedState {
  return { version: STATE_VERSION, path, file: position.file, offset: position.offset };
}

/** The state saved for the log at `path`, or null (logged) when there is none to resume from. */
export async function loadState(statePath: string, path: string, log: StateLog): Promise<SavedState | null> {
  let raw: string;
  try {
    raw = await readFile(statePath, 'utf8');
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return null;
    log('error', 'state_corrupt', { statePath, error: String(err), action: 'start at the beginning of the live file' });
    return null;
  }
  const state = parseState(raw);
  if (!state) {
    log('warn', 'state_corrupt', { statePath, action: 'start at the beginning of the live file' });
    return null;
  }
  if (state.path !== path) {
    log('warn', 'state_other_path', { statePath, saved: state.path, action: 'start at the beginning of the live file' });
    return null;
  }
  return state;
}

function parseState(raw: string): SavedState | null {
  let v: unknown;
  try { v = JSON.parse(raw); } catch { return null; }
  const s = v as Partial<SavedState> | null;
  const ok = typeof s === 'object' && s !== null && s.version === STATE_VERSION && typeof s.path === 'string'
    && isPosition({ file: s.file as FileId, offset: s.offset as number });
  return ok ? (s as SavedState) : null;
}

/** Tmp, fsync, rename, fsync dir: a crash leaves the old state or the new one, never half of either. */
export function writeState(statePath: string, state: SavedState): Promise<void> {
  return writeAtomically(statePath, `${JSON.stringify(state)}\n`);
}

async function writeAtomically(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  const dir = await open(dirname(path), 'r').catch(() => null);
  await dir?.sync().catch(() => {}); // the rename itself durable
  await dir?.close();
}
