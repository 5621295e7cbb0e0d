// The allowlist `telltale guard --allowlist FILE` reads: the same JSON the collector serves at
// GET /api/pipelines/:name/allowlist, so a guard can run from a file where it cannot reach a
// collector. Names and domains pass the same checks as every other format.
import type { PolicyBaseline } from './policy-baseline.js';
import { preparePolicy } from './policy-input.js';
import type { PolicyOptions } from './policy-options.js';

export function toGuardAllowlist(b: PolicyBaseline, opts?: PolicyOptions): string {
  const p = preparePolicy(b, opts);
  const allowlist = {
    pipeline: b.pipeline,
    version: b.version,
    readiness: p.readiness,
    generatedAt: p.generatedAt,
    ...(p.unreadyWarning !== null ? { warning: p.unreadyWarning } : {}),
    names: [...p.names],
    domains: [...p.domains],
  };
  return `${JSON.stringify(allowlist, null, 2)}\n`;
}
