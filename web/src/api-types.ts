// The console's API contract, re-exported from proto so every view imports types from one place (plus the
// one shape proto does not carry yet, below).
export type * from '../../proto/src/console-api.js';

/**
 * GET /api/pipelines/:name/guard-verdicts: what a DNS guard refused or let through for the
 * pipeline, newest first. The collector does not publish this shape in proto yet; it is read
 * defensively (unknown verdicts render as they are).
 */
export interface GuardVerdictRow {
  at: string;
  guard: string;
  client: string;
  qname: string;
  qtype: number;
  verdict: 'blocked_encoded' | 'blocked_new' | 'forwarded_new';
  evidence: Record<string, unknown>;
  /** The build whose agent saw the same query, when one did. */
  buildId: string | null;
  alertId: string | null;
}

export interface GuardVerdictList {
  verdicts: GuardVerdictRow[];
}
