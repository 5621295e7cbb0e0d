// Readable names for recorded actions.
import type { ActionKind } from './api-types';

const LABELS: Record<ActionKind, string> = {
  acknowledge: 'acknowledged', resolve: 'resolved', false_positive: 'marked false positive', allow_domain: 'allowed domain', revoke_domain: 'took back a domain allowance',
  reopen: 'reopened', incident_open: 'opened incident', incident_add_alerts: 'added alerts to incident',
  incident_note: 'added a note', incident_status: 'changed incident status',
  baseline_approve: 'approved baseline entries', baseline_reject: 'rejected proposed entries', baseline_remove: 'removed baseline entries',
  baseline_settings: 'changed baseline settings',
};

export function actionLabel(kind: string): string {
  return Object.hasOwn(LABELS, kind) ? LABELS[kind as ActionKind] : kind;
}
