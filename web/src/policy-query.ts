// The export panel's form as the policy URL the collector serves, and the pieces of its answer
// the console shows: a bounded preview and a safe file name.
import { encodeSegment } from './routes';

export const POLICY_FORMATS = ['tetragon', 'falco', 'unbound', 'dnsmasq', 'nftables', 'guard', 'github-actions', 'gitlab-ci'] as const;
export type PolicyFormat = (typeof POLICY_FORMATS)[number];

export interface PolicyForm {
  format: PolicyFormat;
  mode: 'audit' | 'enforce';
  allowUnready: boolean;
  uid: string;
  cgroup: string;
  namespace: string;
  /** `key=value` pairs, separated by commas, spaces or new lines. */
  podLabels: string;
  /** Resolver addresses, separated the same way. */
  upstream: string;
}

export const EMPTY_POLICY_FORM: PolicyForm = {
  format: 'nftables', mode: 'audit', allowUnready: false, uid: '', cgroup: '', namespace: '', podLabels: '', upstream: '',
};

export function splitList(text: string): string[] {
  return text.split(/[\s,]+/).filter((s) => s !== '');
}

/** GET path of the policy; empty fields are left out, so the collector's defaults apply. The collector checks every value. */
export function policyPath(pipeline: string, f: PolicyForm): string {
  const q = new URLSearchParams({ format: f.format, mode: f.mode });
  if (f.allowUnready) q.set('allowUnready', '1');
  for (const [key, value] of [['uid', f.uid], ['cgroup', f.cgroup], ['namespace', f.namespace]] as const) {
    if (value.trim() !== '') q.set(key, value.trim());
  }
  for (const l of splitList(f.podLabels)) q.append('podLabel', l);
  for (const u of splitList(f.upstream)) q.append('upstream', u);
  return `/api/pipelines/${encodeSegment(pipeline)}/policy?${q.toString()}`;
}

/** The first `maxLines` lines of a policy, and how many there are in all. */
export function previewLines(text: string, maxLines: number): { text: string; shown: number; total: number } {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const shown = Math.min(lines.length, maxLines);
  return { text: lines.slice(0, shown).join('\n'), shown, total: lines.length };
}

/**
 * The file name a Content-Disposition header proposes, reduced to characters every file system
 * takes; `fallback` when there is none or nothing usable is left.
 */
export function dispositionFilename(header: string | null, fallback: string): string {
  const m = header ? /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(header) : null;
  let name = m?.[1] ?? '';
  try {
    name = decodeURIComponent(name);
  } catch {
    /* kept as sent */
  }
  name = name.replace(/^.*[\\/]/, '').replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '').slice(0, 120);
  return name === '' ? fallback : name;
}
