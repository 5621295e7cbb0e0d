import { describe, expect, it } from 'vitest';
import { diffVersions, normaliseEntry, parseDestination } from './baseline-entries.js';

describe('baseline entries', () => {
  it('keeps one written form per kind and refuses anything else', () => {
    expect(normaliseEntry('name', 'Index.Crates.IO.')).toEqual({ kind: 'name', value: 'index.crates.io' });
    expect(normaliseEntry('destination', 'tcp/[2001:DB8:0::1]:443')).toEqual({ kind: 'destination', value: 'tcp/[2001:db8::1]:443' });
    expect(normaliseEntry('destination', 'udp/192.0.2.1:53')).toEqual({ kind: 'destination', value: 'udp/192.0.2.1:53' });
    expect(normaliseEntry('tool', 'cargo_build_script:cc')).toEqual({ kind: 'tool', value: 'cargo_build_script:cc' });
    expect(normaliseEntry('tool', 'rustc_proc_macro:cc')).toEqual({ kind: 'tool', value: 'rustc_proc_macro:cc' });
    for (const [kind, value] of [
      ['name', 'a;b.test'], ['name', 'a..test'], ['name', `${'a'.repeat(64)}.test`], ['name', 'x\n.test'], ['name', ''],
      ['domain', '"quoted".test'], ['destination', 'tcp/192.0.2.1:0'], ['destination', 'tcp/192.0.2.1:65536'], ['destination', 'icmp/192.0.2.1:1'],
      ['destination', 'tcp/[192.0.2.1]:1'], ['destination', 'tcp/2001:db8::1:443'], ['destination', 'tcp/host.test:443'],
      ['tool', 'cc'], ['tool', 'made_up:cc'], ['tool', 'npm_lifecycle:a b'], ['other', 'x'],
    ]) expect(normaliseEntry(kind!, value!), `${kind} ${value}`).toBeNull();
    expect(parseDestination('udp/[::1]:53')).toEqual({ protocol: 'udp', address: '::1', port: 53 });
    // A dual-stack socket talking IPv4 is kept as the IPv4 address: an IPv4 policy must match it.
    expect(normaliseEntry('destination', 'tcp/[::ffff:192.0.2.10]:443')).toEqual({ kind: 'destination', value: 'tcp/192.0.2.10:443' });
  });

  it('diffs versions either way; an entry added then removed in between is in neither side', () => {
    const n = (value: string) => ({ kind: 'name' as const, value });
    const changes = [
      { version: 1, added: [n('a.test'), n('b.test')], removed: [] },
      { version: 2, added: [n('c.test')], removed: [n('a.test')] },
      { version: 3, added: [n('d.test')], removed: [n('c.test')] },
    ];
    expect(diffVersions(changes, 0, 3)).toEqual({ added: [n('b.test'), n('d.test')], removed: [] });
    expect(diffVersions(changes, 1, 3)).toEqual({ added: [n('d.test')], removed: [n('a.test')] });
    expect(diffVersions(changes, 3, 1)).toEqual({ added: [n('a.test')], removed: [n('d.test')] });
    expect(diffVersions(changes, 2, 2)).toEqual({ added: [], removed: [] });
  });
});
