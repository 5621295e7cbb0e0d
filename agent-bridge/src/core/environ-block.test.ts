import { describe, expect, it } from 'vitest';
import { parseEnvironBlock } from './environ-block.js';

describe('parseEnvironBlock', () => {
  it('reads NAME=value entries, skipping those without a name', () => {
    const block = Buffer.from('HOME=/root\0A=b=c\0BROKEN\0=nameless\0EMPTY=\0LAST=x');
    expect(parseEnvironBlock(block)).toEqual([['HOME', '/root'], ['A', 'b=c'], ['EMPTY', ''], ['LAST', 'x']]);
  });

  it('decodes only the values of the names it is asked for', () => {
    const asked: string[] = [];
    const block = Buffer.from('HOME=/root\0NPM_TOKEN=abc\0PATH=/bin\0');
    expect(parseEnvironBlock(block, (n) => { asked.push(n); return n.endsWith('_TOKEN'); })).toEqual([['NPM_TOKEN', 'abc']]);
    expect(asked).toEqual(['HOME', 'NPM_TOKEN', 'PATH']);
  });

  it('decodes UTF-8, replacing what is not', () => {
    expect(parseEnvironBlock(Uint8Array.from([...Buffer.from('K=caf\u00e9'), 0, ...Buffer.from('B='), 0xff, 0]))).toEqual([['K', 'caf\u00e9'], ['B', '\ufffd']]);
  });
});
