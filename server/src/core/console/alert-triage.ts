// The life of an alert under triage: which action may move it from which status.
import type { AlertStatus } from '@telltale/proto';

export type TriageAction = 'acknowledge' | 'resolve' | 'false_positive' | 'reopen';

const from: Record<TriageAction, readonly AlertStatus[]> = {
  acknowledge: ['open'],
  resolve: ['open', 'acknowledged'],
  false_positive: ['open', 'acknowledged'],
  reopen: ['acknowledged', 'resolved', 'false_positive'],
};

const to: Record<TriageAction, AlertStatus> = {
  acknowledge: 'acknowledged',
  resolve: 'resolved',
  false_positive: 'false_positive',
  reopen: 'open',
};

/** The status `action` leads to from `current`, or null when the move is not allowed. */
export function nextAlertStatus(current: AlertStatus, action: TriageAction): AlertStatus | null {
  return from[action].includes(current) ? to[action] : null;
}
