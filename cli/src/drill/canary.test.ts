// rebuildCanary over names exactly as drill/project's build.rs sent them (copied from a UDP
// listener, canary TTDRILL-3f9c2a7b41d04e8f), then shuffled, repeated, re-cased and cut.
import { describe, expect, it } from 'vitest';
import { rebuildCanary } from './canary.js';

const CANARY = 'TTDRILL-3f9c2a7b41d04e8f';
const DOMAIN = 'd-1a2b3c.drill.telltale.test';
const q = (...subdomains: string[]) => subdomains.map((s) => `${s}.${DOMAIN}`);

const SENT = {
  base32: {
    one: q('0-1.krkeiusjjrgc2m3ghfrteyjxmi2dczbqgrstqzq'),
    'labels:8': q('0-1.krkeiusj.jrgc2m3g.hfrteyjx.mi2dczbq.grstqzq'),
    'queries:10': q('0-4.krkeiusjjr', '1-4.gc2m3ghfrt', '2-4.eyjxmi2dcz', '3-4.bqgrstqzq'),
  },
  base64url: {
    one: q('0-1.VFREUklMTC0zZjljMmE3YjQxZDA0ZThm'),
    'labels:8': q('0-1.VFREUklM.TC0zZjlj.MmE3YjQx.ZDA0ZThm'),
    'queries:10': q('0-4.VFREUklMTC', '1-4.0zZjljMmE3', '2-4.YjQxZDA0ZT', '3-4.hm'),
  },
  hex: {
    one: q('0-1.54544452494c4c2d33663963326137623431643034653866'),
    'labels:8': q('0-1.54544452.494c4c2d.33663963.32613762.34316430.34653866'),
    'queries:10': q('0-5.5454445249', '1-5.4c4c2d3366', '2-5.3963326137', '3-5.6234316430', '4-5.34653866'),
  },
} as const;

describe('rebuildCanary', () => {
  for (const [encoding, byChunk] of Object.entries(SENT) as [keyof typeof SENT, Record<string, readonly string[]>][]) {
    for (const [chunk, names] of Object.entries(byChunk)) {
      it(`reads ${encoding} sent as ${chunk}`, () => {
        expect(rebuildCanary([...names], DOMAIN, encoding)).toEqual({ canary: CANARY, usedQueries: names.length });
      });
      it(`reads ${encoding} ${chunk} reversed, with a retry and foreign queries mixed in`, () => {
        const received = ['index.crates.io', ...[...names].reverse(), names[0]!, `github.com`];
        expect(rebuildCanary(received, DOMAIN, encoding)).toEqual({ canary: CANARY, usedQueries: names.length });
      });
    }
  }

  it('reads a long canary that spilled out of `one` into two full names', () => {
    const long = `TTDRILL-${'x7Qz'.repeat(48)}`;
    const names = q(
      '0-2.VFREUklMTC14N1F6eDdReng3UXp4N1F6eDdReng3UXp4N1F6eDdReng3UXp4N1F.6eDdReng3UXp4N1F6eDdReng3UXp4N1F6eDdReng3UXp4N1F6eDdReng3UXp4N1.F6eDdReng3UXp4N1F6eDdReng3UXp4N1F6eDdReng3UXp4N1F6eDdReng3UXp4N.1F6eDdReng3UXp4N1F6eDdReng3U',
      '1-2.Xp4N1F6eDdReng3UXp4N1F6eDdReng3UXp4N1F6eDdReng3UXo',
    );
    expect(names[0]!.length).toBe(253);
    expect(rebuildCanary([names[1]!, names[0]!], DOMAIN, 'base64url')).toEqual({ canary: long, usedQueries: 2 });
  });

  it('reads base32 and hex whatever case a resolver gave them, domain included', () => {
    const mixed = (s: string) => [...s].map((c, i) => (i % 2 ? c.toUpperCase() : c)).join('');
    for (const encoding of ['base32', 'hex'] as const) {
      const names = SENT[encoding]['queries:10'].map(mixed);
      expect(rebuildCanary([...names, SENT[encoding]['queries:10'][1]!], DOMAIN, encoding).canary).toBe(CANARY);
    }
  });

  it('accepts names with a trailing dot', () => {
    expect(rebuildCanary(SENT.hex['labels:8'].map((n) => `${n}.`), DOMAIN, 'hex').canary).toBe(CANARY);
  });

  it('gives null when a chunk never arrived, counting what did', () => {
    const names = SENT.base32['queries:10'];
    expect(rebuildCanary([names[0]!, names[1]!, names[3]!], DOMAIN, 'base32')).toEqual({ canary: null, usedQueries: 3 });
    expect(rebuildCanary(names.slice(0, 3), DOMAIN, 'base32')).toEqual({ canary: null, usedQueries: 3 });
  });

  it('gives null when two copies of one chunk differ (base64url case-changed in transit)', () => {
    const names = SENT.base64url['queries:10'];
    const recased = names[1]!.replace('0zZjljMmE3', '0zzjljmme3');
    expect(rebuildCanary([...names, recased], DOMAIN, 'base64url')).toEqual({ canary: null, usedQueries: 4 });
  });

  it('gives null when chunks disagree on the total', () => {
    const names = [...SENT.base32.one, ...SENT.base32['queries:10']];
    expect(rebuildCanary(names, DOMAIN, 'base32').canary).toBeNull();
  });

  it('ignores names under other domains or outside the layout', () => {
    const foreign = [
      '0-1.krkeiusjjrgc2m3ghfrteyjxmi2dczbqgrstqzq.d-ffffff.drill.telltale.test',
      `krkeiusjjrgc2m3ghfrteyjxmi2dczbqgrstqzq.${DOMAIN}`,
      `1-1.krkeiusj.${DOMAIN}`,
      `00-1.krkeiusj.${DOMAIN}`,
      `0-1.${DOMAIN}`,
      DOMAIN,
      `0-1.kr\\255keiusj.${DOMAIN}`,
    ];
    expect(rebuildCanary(foreign, DOMAIN, 'base32')).toEqual({ canary: null, usedQueries: 0 });
    expect(rebuildCanary([], DOMAIN, 'hex')).toEqual({ canary: null, usedQueries: 0 });
  });

  it('gives null when the data does not decode to printable ASCII', () => {
    expect(rebuildCanary(q('0-1.545'), DOMAIN, 'hex').canary).toBeNull(); // odd length
    expect(rebuildCanary(q('0-1.0001'), DOMAIN, 'hex').canary).toBeNull(); // control bytes
    expect(rebuildCanary(q('0-1.krkeiusjj'), DOMAIN, 'base32').canary).toBeNull(); // 9 chars: a stray character
    expect(rebuildCanary(q('0-1.kq'), DOMAIN, 'base32').canary).toBe('T');
    expect(rebuildCanary(q('0-1.kr'), DOMAIN, 'base32').canary).toBeNull(); // non-zero leftover bits
    expect(rebuildCanary(q('0-1.VFREU'), DOMAIN, 'base64url').canary).toBeNull(); // 4n+1 chars
    expect(rebuildCanary(SENT.base32.one, DOMAIN, 'hex').canary).toBeNull(); // wrong encoding
  });
});
