import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOperatorToken, tokenMatches } from './operator-token.js';

describe('operator token', () => {
  const dirs: string[] = [];
  afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });
  const dir = () => { const d = mkdtempSync(join(tmpdir(), 'telltale-tok-')); dirs.push(d); return d; };

  it('is generated once in a shape a WebSocket subprotocol can carry, then read back', () => {
    const d = dir();
    const first = loadOperatorToken(d, undefined);
    expect(first.created).toBe(true);
    expect(first.token).toMatch(/^[A-Za-z0-9._~-]{16,512}$/);
    expect(loadOperatorToken(d, undefined)).toEqual({ ...first, created: false });
  });

  it('refuses a damaged token file with a clear error instead of looping or overwriting it', () => {
    const d = dir();
    writeFileSync(join(d, 'operator-token'), '\n');
    expect(() => loadOperatorToken(d, undefined)).toThrow(expect.objectContaining({ code: 'OPERATOR_TOKEN_INVALID' }));
  });

  it('compares in constant time and rejects absent or different tokens', () => {
    expect(tokenMatches('a'.repeat(20), 'a'.repeat(20))).toBe(true);
    expect(tokenMatches('a'.repeat(20), 'a'.repeat(19))).toBe(false);
    expect(tokenMatches('a'.repeat(20), undefined)).toBe(false);
  });
});
