// Policy generators by format name: what each produces (file extension, media type) and one
// entry point, renderPolicy, that turns every refusal into `{ ok: false, code, message }`.

import type { PolicyBaseline } from './policy-baseline.js';
import { toDnsmasq } from './dnsmasq-policy.js';
import { toFalco } from './falco-policy.js';
import { toGithubActions } from './github-actions-policy.js';
import { toGitlabCi } from './gitlab-ci-policy.js';
import { toGuardAllowlist } from './guard-allowlist-policy.js';
import { toNftables } from './nftables-policy.js';
import { isPolicyError, type PolicyErrorCode } from './policy-error.js';
import type { PolicyOptions } from './policy-options.js';
import { pipelineSlug } from './policy-text.js';
import { toTetragon } from './tetragon-policy.js';
import { toUnbound } from './unbound-policy.js';

export type { PolicyBaseline, PolicyDestination, BaselineReadiness } from './policy-baseline.js';
export { POLICY_ERROR_CODES, PolicyError, isPolicyError, type PolicyErrorCode } from './policy-error.js';
export type { PolicyMode, PolicyOptions, PolicyTarget } from './policy-options.js';
export { toDnsmasq, toFalco, toGithubActions, toGitlabCi, toGuardAllowlist, toNftables, toTetragon, toUnbound };

export interface PolicyFormat {
  format: string;
  /** File name ending, without the dot. */
  extension: string;
  mediaType: string;
  description: string;
  render(b: PolicyBaseline, opts?: PolicyOptions): string;
}

export const policyFormats: readonly PolicyFormat[] = Object.freeze([
  { format: 'tetragon', extension: 'yaml', mediaType: 'application/yaml', render: toTetragon,
    description: 'Tetragon TracingPolicy: reports (audit) or kills/refuses (enforce) connects of the build\'s pods outside the baseline\'s destinations' },
  { format: 'falco', extension: 'yaml', mediaType: 'application/yaml', render: toFalco,
    description: 'Falco rules: alert on the build\'s connects and datagrams outside the baseline (Falco cannot block)' },
  { format: 'unbound', extension: 'conf', mediaType: 'text/plain', render: toUnbound,
    description: 'unbound.conf: resolves only the baseline\'s names and domains, NXDOMAIN (enforce) or logs (audit) the rest' },
  { format: 'dnsmasq', extension: 'conf', mediaType: 'text/plain', render: toDnsmasq,
    description: 'dnsmasq config: forwards only the baseline\'s names (exactly) and domains, NXDOMAIN (enforce) or logs (audit) the rest' },
  { format: 'nftables', extension: 'nft', mediaType: 'text/plain', render: toNftables,
    description: 'nftables ruleset: the build\'s sockets (by uid and/or cgroup) reach only the baseline\'s destinations; the rest is logged, and rejected in enforce' },
  { format: 'guard', extension: 'json', mediaType: 'application/json', render: toGuardAllowlist,
    description: 'the DNS guard\'s allowlist (telltale guard --allowlist FILE): exact names and allowed domains' },
  { format: 'github-actions', extension: 'yml', mediaType: 'application/yaml', render: toGithubActions,
    description: 'GitHub Actions workflow: runs the build under telltale run with an agent, fails the job on an alert in enforce' },
  { format: 'gitlab-ci', extension: 'yml', mediaType: 'application/yaml', render: toGitlabCi,
    description: 'GitLab CI job: runs the build under telltale run with an agent, fails the job on an alert in enforce' },
].map((f) => Object.freeze(f)));

export type RenderedPolicy =
  | { ok: true; text: string; filename: string; mediaType: string }
  | { ok: false; code: PolicyErrorCode; message: string };

/** The same, with room for the callers' own refusals (no such pipeline, no database). */
export type PolicyResult =
  | { ok: true; text: string; filename: string; mediaType: string }
  | { ok: false; code: string; message: string };

export function renderPolicy(b: PolicyBaseline, format: string, opts?: PolicyOptions): RenderedPolicy {
  const f = policyFormats.find((x) => x.format === format);
  if (!f) return { ok: false, code: 'unknown_format', message: `no policy format named ${JSON.stringify(String(format).slice(0, 40))}; known: ${policyFormats.map((x) => x.format).join(', ')}` };
  try {
    const text = f.render(b, opts);
    const pipeline = typeof b.pipeline === 'string' ? b.pipeline : '';
    return { ok: true, text, filename: `telltale-${pipelineSlug(pipeline, '-')}-${f.format}.${f.extension}`, mediaType: f.mediaType };
  } catch (err) {
    if (isPolicyError(err)) return { ok: false, code: err.code, message: err.message };
    throw err;
  }
}
