import { describe, expect, it } from 'vitest';
import { EMPTY_POLICY_FORM, dispositionFilename, policyPath, previewLines, splitList } from './policy-query';

describe('policy query', () => {
  it('leaves empty fields out so the collector defaults apply', () => {
    expect(policyPath('acme/app', EMPTY_POLICY_FORM)).toBe('/api/pipelines/acme%2Fapp/policy?format=nftables&mode=audit');
  });

  it('sends every field the form holds, repeating pod labels and upstreams', () => {
    const path = policyPath('p', {
      format: 'tetragon', mode: 'enforce', allowUnready: true, uid: ' 1001 ', cgroup: 'ci.slice/build', namespace: 'ci',
      podLabels: 'app=build, tier=ci\nteam=x', upstream: '192.0.2.53 192.0.2.54@5353',
    });
    const q = new URL(path, 'http://x').searchParams;
    expect(q.get('format')).toBe('tetragon');
    expect(q.get('mode')).toBe('enforce');
    expect(q.get('allowUnready')).toBe('1');
    expect(q.get('uid')).toBe('1001');
    expect(q.get('cgroup')).toBe('ci.slice/build');
    expect(q.get('namespace')).toBe('ci');
    expect(q.getAll('podLabel')).toEqual(['app=build', 'tier=ci', 'team=x']);
    expect(q.getAll('upstream')).toEqual(['192.0.2.53', '192.0.2.54@5353']);
  });

  it('splits lists on commas and white space', () => {
    expect(splitList(' a, b\n\nc ')).toEqual(['a', 'b', 'c']);
    expect(splitList('')).toEqual([]);
  });

  it('previews the first lines and counts them all', () => {
    expect(previewLines('a\nb\nc\n', 2)).toEqual({ text: 'a\nb', shown: 2, total: 3 });
    expect(previewLines('a\nb', 10)).toEqual({ text: 'a\nb', shown: 2, total: 2 });
  });

  it('takes a safe file name from Content-Disposition', () => {
    expect(dispositionFilename('attachment; filename="telltale-acme_app.nft"', 'x')).toBe('telltale-acme_app.nft');
    expect(dispositionFilename('attachment; filename="../../etc/passwd"', 'x')).toBe('passwd');
    expect(dispositionFilename("attachment; filename*=UTF-8''a%20b.yaml", 'x')).toBe('a_b.yaml');
    expect(dispositionFilename(null, 'fallback.txt')).toBe('fallback.txt');
    expect(dispositionFilename('attachment; filename="..."', 'f')).toBe('f');
  });
});
