// Whether a live build or alert belongs in the list the user is looking at (same rules as the API's filters).
import type { Alert, BuildSummary } from './api-types';

export interface BuildFilter { pipeline: string; state: string }
export interface AlertFilter { status: string; severity: string; kind: string; pipeline: string }

export function buildMatches(b: BuildSummary, f: BuildFilter): boolean {
  return (!f.pipeline || b.pipeline === f.pipeline) && (!f.state || b.state === f.state);
}

export function alertMatches(a: Alert, f: AlertFilter): boolean {
  return (!f.status || a.status === f.status) && (!f.severity || a.severity === f.severity)
    && (!f.kind || a.kind === f.kind) && (!f.pipeline || a.pipeline === f.pipeline);
}
