import { describe, expect, it } from 'vitest';
import { LockfileFault } from './lockfile.js';
import { NodeModulesIndex } from './node-modules-index.js';

describe('NodeModulesIndex', () => {
  const index = new NodeModulesIndex([
    '', 'node_modules/a', 'node_modules/a/node_modules/b', 'node_modules/b', 'node_modules/@s/c',
    'node_modules/@s/c/node_modules/a', 'packages/w', 'packages/w/node_modules/b', 'node_modules/node_modules/z',
  ], 16);

  it('looks in the package\'s own node_modules first, then each folder up', () => {
    expect(index.resolve('node_modules/a', 'b')).toBe('node_modules/a/node_modules/b');
    expect(index.resolve('node_modules/b', 'a')).toBe('node_modules/a');
    expect(index.resolve('node_modules/@s/c', 'a')).toBe('node_modules/@s/c/node_modules/a');
    expect(index.resolve('node_modules/@s/c/node_modules/a', 'b')).toBe('node_modules/b');
    expect(index.resolve('', '@s/c')).toBe('node_modules/@s/c');
  });

  it('resolves from a workspace folder up to the root', () => {
    expect(index.resolve('packages/w', 'b')).toBe('packages/w/node_modules/b');
    expect(index.resolve('packages/w', 'a')).toBe('node_modules/a');
  });

  it('never looks inside node_modules/node_modules, and finds nothing not installed', () => {
    expect(index.resolve('node_modules/a', 'z')).toBeUndefined();
    expect(index.resolve('node_modules/a', 'missing')).toBeUndefined();
    expect(index.resolve('node_modules/a', '__proto__')).toBeUndefined();
  });

  it('refuses a location deeper than its cap', () => {
    expect(() => new NodeModulesIndex(['a/'.repeat(17)], 16)).toThrow(LockfileFault);
  });
});
