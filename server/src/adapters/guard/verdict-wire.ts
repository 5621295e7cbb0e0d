// A verdict as POST /api/guard/verdicts takes it, within the collector's limits (a
// printable name, at most 4 KiB of evidence), and what its error answers say.
import type { GuardFinding } from '../../core/guard/guard-decision.js';

/** The collector keeps at most 4 KiB of evidence a verdict (JSON): the labels are cut first. */
const MAX_EVIDENCE = 4000;

export function toWire(f: GuardFinding) {
  // The root's name is '' as read; the collector wants printable text.
  return { timeUs: f.timeUs, client: f.client, qname: f.qname === '' ? '.' : f.qname, qtype: f.qtype, verdict: f.verdict, evidence: bounded(f.evidence) };
}

function bounded(evidence: Record<string, unknown>): Record<string, unknown> {
  if (JSON.stringify(evidence).length <= MAX_EVIDENCE) return evidence;
  const cut: Record<string, unknown> = { ...evidence, evidenceCut: true };
  if (Array.isArray(cut.labels)) cut.labels = (cut.labels as unknown[]).slice(0, 4).map((l) => String(l).slice(0, 64));
  if (JSON.stringify(cut).length <= MAX_EVIDENCE) return cut;
  // Still too big: keep the plain facts only.
  const small: Record<string, unknown> = { evidenceCut: true };
  for (const [k, v] of Object.entries(evidence)) {
    if (v === null || typeof v === 'number' || typeof v === 'boolean' || (typeof v === 'string' && v.length <= 253)) small[k] = v;
  }
  return small;
}

export function messageOf(body: string): string {
  try {
    const m = (JSON.parse(body) as { message?: unknown }).message;
    return typeof m === 'string' ? m : '';
  } catch {
    return '';
  }
}

/** The collector's `{code}` when it sent one: the message may echo our input, the code does not. */
export function errorCode(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as { code?: unknown };
    return typeof parsed.code === 'string' ? parsed.code.slice(0, 64) : null;
  } catch {
    return null;
  }
}
